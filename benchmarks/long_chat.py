"""The cost of a long chat in the window: opening a conversation of N messages with code
blocks, sending one more message to it, storing the answer, and the streaming updates of
that answer (issue 12).

    python benchmarks/long_chat.py [--messages 1000] [--runs 5] [--updates 200]

Each figure is the GUI thread's CPU time (`time.thread_time`) for the action and the events
it causes (layout, painting of the offscreen window), which other programs on the machine
change far less than wall-clock time; the wall-clock medians are given beside them. The
model is a stand-in (no llama.cpp): the send goes through `ChatSession.send` and the page as
in the app, the answer's text comes through the model host's own signals. The window shows a
new answer (its two bubbles, the list, the Stop button) with its first text (`first_text`),
not on the send itself; `streaming_update` is every later update.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from itertools import count
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ANSWER = (
    "Here is how you would do it:\n\n```python\ndef size_gb(params, bits):\n"
    "    return params * bits / 8 / 1e9\n\nprint(size_gb(70e9, 16))\n```\n\n"
    "That prints **140.0**: a 70B model in F16 takes 140 GB. " * 2
)
LINE = "The quick brown fox jumps over the lazy dog, and then it *sat down* to rest. "
CHUNK = 4 * LINE[:12]  # about what 60 updates a second carry at 100 tokens/s


def figures(samples: list[tuple[float, float]]) -> dict[str, float]:
    """Median, p90 and max of the CPU milliseconds; median of the wall milliseconds."""
    cpu = sorted(sample[0] for sample in samples)
    return {
        "cpu_ms_median": round(statistics.median(cpu), 2),
        "cpu_ms_p90": round(cpu[int(0.9 * (len(cpu) - 1))], 2),
        "cpu_ms_max": round(cpu[-1], 2),
        "wall_ms_median": round(statistics.median(sample[1] for sample in samples), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument(
        "--earlier", type=int, default=0, help='click "Show earlier" this often before sending'
    )
    parser.add_argument(
        "--profile", choices=["open", "send", "answer_stored"], help="print its cProfile"
    )
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["LLAMADESK_HOME"] = tempfile.mkdtemp(prefix="llamadesk-longchat-")
    from PySide6.QtCore import QEvent

    from llamadesk.core.answer_stats import AnswerStats
    from llamadesk.core.engine import SamplingParams
    from llamadesk.core.paths import app_paths
    from llamadesk.services.model_host import AnswerResult
    from llamadesk.ui.app import application, build

    app = application()
    parts = build(app_paths().ensure())
    store, window, host = parts.store, parts.window, parts.host
    conversations = [store.create_conversation() for _ in range(2)]
    for chat in conversations:
        for number in range(args.messages // 2):
            prompt = store.add_user_message(chat.id, f"Question {number}: how big is it?")
            store.add_answer(
                chat.id,
                prompt.id,
                ANSWER,
                model="m.gguf",
                params={},
                seed=1,
                stats={},
                stop_reason="eos",
            )
    conversation = conversations[0]
    # A stand-in model: the session checks that one is loaded and asks the host to start.
    host.model = SimpleNamespace(info=SimpleNamespace(path=Path("m.gguf")))
    requests = count(1)
    host.generate = lambda *_args, **_kwargs: next(requests)
    window.show()
    app.processEvents()

    profiler = cProfile.Profile()

    def timed(action: Callable[[], Any], name: str = "") -> tuple[float, float]:
        if name == args.profile:
            profiler.enable()
        started, wall = time.thread_time(), time.perf_counter()
        action()
        app.processEvents()
        figure = (time.thread_time() - started) * 1000, (time.perf_counter() - wall) * 1000
        profiler.disable()
        return figure

    def answer(request_id: int) -> AnswerResult:
        stats = AnswerStats(10, 100, 50.0, 1000.0, 100.0, "eos", 1)
        return AnswerResult(request_id, ANSWER, stats, SamplingParams(), "m.gguf")

    # Alternate between two long chats, so every open builds its bubbles anew.
    opened = [
        timed(lambda c=conversations[number % 2]: window.chat._open_conversation(c.id), "open")
        for number in range(args.runs + 1)
    ]
    window.chat._open_conversation(conversation.id)
    for _ in range(args.earlier):
        window.chat_view.show_earlier()
    window.chat_view.verticalScrollBar().setValue(window.chat_view.verticalScrollBar().maximum())
    for _ in range(3):  # settled: the bubbles replaced deleted, every layout pass done
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
    shown = len(window.chat_view.bubbles)
    sent, first_texts, stored, updates = [], [], [], []
    for number in range(args.runs):
        sent.append(timed(lambda n=number: window.chat._send(f"One more question, {n}?"), "send"))
        request_id = window.session.pending.request_id
        for update in range(args.updates // args.runs):
            text = CHUNK + ("\n\n" if update % 20 == 19 else "")
            # The first text also shows what the send left for it (the two bubbles...).
            (updates if update else first_texts).append(
                timed(lambda r=request_id, t=text: host.pieces.emit(r, t))
            )
        stored.append(timed(lambda r=request_id: host.answered.emit(answer(r)), "answer_stored"))
    assert len(window.session.messages_of(conversation.id)) == args.messages + 2 * args.runs
    print(
        json.dumps(
            {
                "messages": args.messages,
                "bubbles_shown": shown,
                "load_average_1m": round(os.getloadavg()[0], 2),
                "open": figures(opened[1:]),  # the first also builds what every chat shares
                "send": figures(sent),
                "first_text": figures(first_texts),
                "answer_stored": figures(stored),
                "streaming_update": figures(updates),
            },
            indent=1,
        )
    )
    if args.profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    host.model = None
    parts.close()


if __name__ == "__main__":
    main()
