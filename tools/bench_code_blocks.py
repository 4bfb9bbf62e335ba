"""What code highlighting costs a streaming answer: per-update times of a bubble that
streams eight 30-line Python blocks, with highlighting and without.

    QT_QPA_PLATFORM=offscreen python tools/bench_code_blocks.py
"""

from __future__ import annotations

import statistics
import time

import llamadesk.ui.code_blocks as code_blocks
from llamadesk.ui.app import application
from llamadesk.ui.chat_view import MessageBubble

CHUNK = 4  # characters per update, about one token
_runs = iter(range(1_000_000))


def answer() -> str:
    """Eight 30-line blocks, each new (no cached highlighting to reuse)."""
    run = next(_runs)
    blocks = []
    for block in range(8):
        code = "\n".join(
            f"def f{run}_{block}_{i}(x):\n    return x * {i} + 1  # comment" for i in range(15)
        )
        blocks.append(f"Some text about the code below.\n\n```python\n{code}\n```")
    return "\n\n".join(blocks) + "\n\nDone."


def stream() -> list[float]:
    bubble = MessageBubble("assistant", "model")
    bubble.resize(700, 400)
    bubble.show()
    times = []
    text = answer()
    for start in range(0, len(text), CHUNK):
        began = time.perf_counter()
        bubble.append(text[start : start + CHUNK])
        times.append((time.perf_counter() - began) * 1000)
    bubble.close()
    return sorted(times)


def describe(label: str, times: list[float]) -> None:
    def at(share: float) -> float:
        return times[min(int(len(times) * share), len(times) - 1)]

    print(
        f"{label:24} {len(times)} updates  mean {statistics.mean(times):.2f} ms  "
        f"p50 {at(0.5):.2f}  p99 {at(0.99):.2f}  max {times[-1]:.1f} ms"
    )


def main() -> None:
    application()
    highlight = code_blocks._highlight
    stream()  # warm up: fonts, the lexer's first load
    for _ in range(2):
        describe("with highlighting", stream())
        code_blocks._highlight = lambda *_args: None
        describe("without highlighting", stream())
        code_blocks._highlight = highlight


if __name__ == "__main__":
    main()
