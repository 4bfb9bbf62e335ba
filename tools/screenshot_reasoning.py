"""Take the README's screenshots of a reasoning model's answer: reasoning closed, then open.

    QT_QPA_PLATFORM=offscreen python tools/screenshot_reasoning.py docs/screenshots

Random weights write no reasoning, so the model here is a test GGUF with Qwen3's real chat
template and special tokens whose sampler is replaced by a script of token ids, paced like a small
model; everything
after sampling (decoding, the reasoning parser, the window) is the app's own.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

from shots import open_window, scratch_home, settle, wait

from llamadesk.core.engine import Engine, SamplingParams
from llamadesk.core.testmodel import write_test_model

TEMPLATE = Path(__file__).parent.parent / "tests" / "data" / "templates" / "Qwen-Qwen3-0.6B.jinja"
PROMPT = "Is 91 a prime number?"
ANSWER = (
    "<think>\nThe user asks whether 91 is prime. Check small divisors: 91 is odd, so not 2. "
    "Digit sum 10, so not 3. It does not end in 0 or 5. 7 x 13 = 91. So 91 is not prime: "
    "it is 7 times 13.\n</think>\n\n"
    "No. **91 is not prime**: it is 7 x 13.\n\n"
    "It looks prime because it is odd, its digits do not add up to a multiple of 3, and it "
    "does not end in 5, but 7 divides it.<|im_end|>"
)


TOKEN_SECONDS = 0.03  # a pace like a small model's on a laptop, for the figures shown


def scripted(engine: Engine, _prompt: list[int], _params: SamplingParams) -> Iterator[int]:
    for token in engine.llama.tokenize(ANSWER.encode("utf-8"), add_bos=False, special=True):
        time.sleep(TOKEN_SECONDS)
        yield token


def main(out: Path) -> None:
    paths = scratch_home()
    model = write_test_model(
        paths.models / "qwen3-template-scripted-demo.gguf",
        chat_template=TEMPLATE.read_text(encoding="utf-8"),
        control_tokens=("<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>"),
    )
    Engine._generate = scripted  # type: ignore[method-assign]
    _app, parts = open_window(paths, 1200, 760)
    window = parts.window
    window.load_model(model)
    wait(parts.host.loaded)
    window.composer.send_requested.emit(PROMPT)
    wait(parts.session.answer_saved)
    settle()
    out.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out / "reasoning-closed.png"))
    section = window.chat_view.bubbles[-1].reasoning
    assert section is not None
    section.set_open(True)
    settle()
    window.grab().save(str(out / "reasoning-open.png"))
    parts.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
