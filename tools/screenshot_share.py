"""Take the README's screenshot of the share dialog: the card preview and the scrub's preview.

    QT_QPA_PLATFORM=offscreen python tools/screenshot_share.py docs/screenshots

The ratings are made up (two small models answering a few prompts, rated every way); the
Hub is the tests' loopback hub, so the dialog shows a login without a real account.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The loopback hub lives with the tests.
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from shots import scratch_home, wait_until

from hub_server import FakeHub
from llamadesk.core.ratings import Ratings
from llamadesk.core.store import Store
from llamadesk.services.share import ShareService
from llamadesk.ui.app import application
from llamadesk.ui.share_dialog import ShareDialog

TOKEN = "hf_" + "s" * 34
MODELS = ("Qwen3-1.7B-Q4_K_M.gguf", "Llama-3.2-3B-Instruct-Q4_K_M.gguf")
PROMPTS = (
    ("Write a short reply to ana.lopez@example.com saying the meeting moved to 3 pm.",
     "Hi Ana, the meeting has moved to 3 pm today. See you then!",
     "Dear Ana, please note the meeting is now at 15:00."),
    ("Why does my script fail to open /home/ana/projects/report.csv?",
     "Check that the file exists and that your user may read it: `ls -l` shows both.",
     "The path may be wrong."),
    ("Is 91 a prime number?", "No: 91 = 7 × 13.", "Yes, 91 is prime."),
)  # fmt: skip


def fill(store: Store) -> None:
    ratings = Ratings(store)
    chat = store.create_conversation("Everyday questions")
    for prompt, good, bad in PROMPTS:
        message = store.add_user_message(chat.id, prompt)
        answers = [
            store.add_answer(
                chat.id,
                message.id,
                text,
                model=model,
                params={"temperature": 0.7, "top_p": 0.9, "top_k": 40},
                seed=None,
                stats={"tokens_per_second": 38.0, "seed": 1234 + n},
                stop_reason="eos",
            )
            for n, (text, model) in enumerate(zip((good, bad), MODELS, strict=True))
        ]
        ratings.pick_best(answers[0].id)
        ratings.set_thumbs(answers[0].id, 1, tags=["correct"])
        ratings.set_thumbs(answers[1].id, -1, tags=["wrong"])


def main(out: Path) -> None:
    paths = scratch_home()
    with Store(paths.database) as store:
        fill(store)
    app = application()
    with FakeHub() as hub:
        hub.valid_tokens.add(TOKEN)
        os.environ["HF_ENDPOINT"] = hub.url
        os.environ["HF_TOKEN"] = TOKEN
        service = ShareService(paths)
        dialog = ShareDialog(service)
        dialog.show()
        # Shown once the dialog has counted what it would share.
        wait_until(lambda: dialog.prepared is not None and dialog._pending == 0, 10_000)
        dialog.repo.setText("ana/everyday-preferences")
        app.processEvents()
        out.mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(out / "share-dialog.png"))
        service.wait_for_all()
        dialog.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
