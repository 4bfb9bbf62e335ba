"""The GUI thread's CPU time per streamed token, apart from llama.cpp (issue 12).

    python benchmarks/gui_token_cost.py MODEL.gguf [--rate 80] [--tokens 256] [--runs 3]

The whole app answers offscreen as in `llamadesk bench`'s GUI path, but the model thread
"samples" a scripted text (the model's own tokens for a Markdown answer with paragraphs, a
list and a code block) at a fixed rate instead of running llama.cpp, so the figure is what
the window, the signals and the chat view cost per token at that speed, whatever else the
machine is doing: the GUI thread's CPU time (`time.thread_time`) over the answer, per token.
On 2 cores every millisecond of it is taken from llama.cpp's threads.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))

from llamadesk.core.bench import BenchConfig
from llamadesk.core.engine import Engine, SamplingParams

ANSWER = (
    "Here is a plan for the llama's first program.\n\n"
    "1. **Learn the basics** of Python: variables, loops and functions.\n"
    "2. Write a small game that guesses numbers.\n"
    "3. Share it with the other llamas in the field.\n\n"
    "```python\nimport random\n\nsecret = random.randint(1, 100)\n"
    "while (guess := int(input('Guess: '))) != secret:\n"
    "    print('higher' if guess < secret else 'lower')\nprint('You got it!')\n```\n\n"
    "The llama ran the program, and it worked on the first try. "
    "She smiled, chewed some grass, and started on her second program: a web server "
    "that tells every visitor how many llamas live on the farm today.\n\n"
) * 4


def paced(tokens: list[int], rate: float) -> Iterator[int]:
    """The tokens, one every 1/rate seconds (sleeping: no CPU of this thread)."""
    interval = 1.0 / rate
    due = time.perf_counter()
    for token in tokens:
        due += interval
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        yield token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--rate", type=float, default=80.0, help="tokens per second")
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from llamadesk.ui import bench as gui_bench

    def generate(engine: Engine, _prompt: list[int], _params: SamplingParams) -> Iterator[int]:
        tokens = engine.llama.tokenize(ANSWER.encode("utf-8"), add_bos=False, special=False)
        return paced(tokens[: args.tokens], args.rate)

    Engine._generate = generate  # type: ignore[method-assign]
    config = BenchConfig(args.model, max_tokens=args.tokens, n_threads=1, runs=args.runs)
    figures: list[float] = []
    updates: list[float] = []
    with gui_bench.loaded_app(config) as (parts, _model):
        for _ in range(args.runs + 1):  # the first is a warm-up
            started = time.thread_time()
            run = gui_bench._answer(parts, config.prompt)
            figures.append((time.thread_time() - started) * 1000.0 / run.tokens)
            updates.append(run.extra["updates"])
    print(
        json.dumps(
            {
                "rate": args.rate,
                "tokens": args.tokens,
                "gui_thread_cpu_ms_per_token": statistics.median(figures[1:]),
                "runs": figures[1:],
                "updates_per_answer": statistics.median(updates[1:]),
                "load_average_1m": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
