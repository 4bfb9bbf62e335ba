"""Take the README's screenshots of the real app, mid-answer.

Run under a real X server (Xvfb) or offscreen:

    xvfb-run -s "-screen 0 1400x900x24" python tools/screenshot.py docs/screenshots

It uses a scratch LLAMADESK_HOME and the demo model, so it needs no download.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from llamadesk.core.engine import SamplingParams
from llamadesk.core.paths import HOME_ENV, app_paths
from llamadesk.ui.app import application, build

PROMPTS = [
    "What does **quantization** do to a model? Show the size formula as code.",
    "And how big is a 70B model in F16?\n\n"
    "```python\nparams = 70e9\nprint(params * 2 / 1e9, 'GB')\n```",
]


def wait(signal, timeout_ms: int = 60_000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def main(out: Path) -> None:
    os.environ.setdefault(HOME_ENV, tempfile.mkdtemp(prefix="llamadesk-shots-"))
    app = application()
    parts = build(app_paths().ensure())
    window = parts.window
    window.resize(1200, 760)
    window.start()
    out.mkdir(parents=True, exist_ok=True)
    app.processEvents()
    window.grab().save(str(out / "first-start.png"))
    window.load_demo()
    wait(parts.host.loaded)
    parts.session.params = SamplingParams(max_tokens=60, seed=3, temperature=0.8)
    window.composer.send_requested.emit(PROMPTS[0])
    wait(parts.session.answer_saved)
    parts.session.params = SamplingParams(max_tokens=400, seed=4, temperature=0.8)
    window.composer.send_requested.emit(PROMPTS[1])
    for _ in range(8):
        wait(parts.session.answer_text)
    window.grab().save(str(out / "chat-streaming.png"))
    parts.session.stop()
    wait(parts.session.answer_saved)

    # Rate: regenerate once, mark the new answer the best, and give it a thumb.
    parts.session.params = SamplingParams(max_tokens=50, seed=5, temperature=0.9)
    window.chat_view.regenerate_requested.emit()
    wait(parts.session.answer_saved)
    rating = window.chat_view.bubbles[-1].rating
    assert rating is not None
    rating.best_button.click()
    window.chat_view.bubbles[-1].rating.good.click()  # type: ignore[union-attr]
    app.processEvents()
    window.grab().save(str(out / "chat-rated.png"))

    # The memory panel, mid-answer.
    window.memory_action.trigger()
    parts.session.params = SamplingParams(max_tokens=600, seed=6, temperature=0.8)
    window.composer.send_requested.emit("Tell me where the memory goes.")
    for _ in range(6):
        wait(parts.session.answer_text)
    window.monitor.sample_now()
    app.processEvents()
    window.grab().save(str(out / "memory-panel.png"))
    parts.session.stop()
    wait(parts.session.answer_saved)
    window.memory_action.trigger()

    window.show_mode(1)
    view = window.compare_view
    view.max_tokens = 70
    view.prompt.setPlainText("Explain in two sentences why a 4-bit model is smaller.")
    view.run_button.click()
    wait(parts.compare.ready)
    view.strength.setCurrentIndex(1)
    view.vote_buttons["model_b"].click()
    app.processEvents()
    window.grab().save(str(out / "compare.png"))
    parts.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
