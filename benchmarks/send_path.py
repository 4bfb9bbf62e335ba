"""What the GUI thread does between Send and the first token (issue 12).

    python benchmarks/send_path.py MODEL.gguf [--runs 10] [--threads 1] [--profile]

The whole app answers offscreen as in `llamadesk bench`'s GUI path (a new conversation, the
prompt sent through the composer's signal, the real model). For each answer it reports the
GUI thread's CPU time (`time.thread_time`) from the send to the first text the chat view was
given, split into the send's own handlers (`send`) and the events processed until the first
text arrived (`until_first_text`: layout, painting, timers), and what the first text's own
handlers cost (`first_text`). With two llama.cpp threads on two cores, every millisecond of
the first two is taken from the first decode step. `--profile` prints a cProfile of all
three, summed over the runs.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))

from PySide6.QtCore import QCoreApplication, QEvent

from llamadesk.core.bench import BenchConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tokens", type=int, default=8)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the window")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from llamadesk.ui import bench as gui_bench

    config = BenchConfig(args.model, max_tokens=args.tokens, n_threads=args.threads)
    gui_bench.application()
    # The GUI thread's CPU time, not the wall clock: waiting for the model is not its work.
    profiler = cProfile.Profile(time.thread_time)
    rows: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="llamadesk-send-path-") as scratch:
        parts = gui_bench.build(gui_bench._scratch_home(Path(scratch), config))
        try:
            window, host, session = parts.window, parts.host, parts.session
            window.show()
            gui_bench._wait_for(
                lambda: window.load_model(config.model), host.loaded, host.load_failed, "load"
            )
            marks: dict[str, float] = {}

            def on_text(_conversation: int, _text: str) -> None:
                # Connected after the window's own slot: the chat view has the text.
                if "shown" not in marks:
                    marks["shown"] = time.thread_time()
                    marks["shown_wall"] = time.perf_counter()
                    profiler.disable()

            def on_pieces(_request: int, _text: str) -> None:
                # Connected before the session's slot: the first text arrived.
                if "arrived" not in marks:
                    marks["arrived"] = time.thread_time()

            # Before the session's own slot, which shows the text.
            host.pieces.disconnect(session._on_pieces)
            host.pieces.connect(on_pieces)
            host.pieces.connect(session._on_pieces)
            session.answer_text.connect(on_text)
            for number in range(args.runs + 1):  # the first is a warm-up
                window.conversation_list.new_requested.emit()
                for _ in range(3):  # shown before the prompt is sent, as `llamadesk bench` does
                    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                    QCoreApplication.processEvents()
                marks.clear()

                def send(number: int = number) -> None:
                    if number and args.profile:
                        profiler.enable()
                    marks["start"], marks["start_wall"] = time.thread_time(), time.perf_counter()
                    window.composer.send_requested.emit(config.prompt)
                    marks["sent"] = time.thread_time()

                gui_bench._wait_for(send, session.answer_saved, session.error, "the answer")
                if number:
                    rows.append(
                        {
                            "send": (marks["sent"] - marks["start"]) * 1000,
                            "until_first_text": (marks["arrived"] - marks["sent"]) * 1000,
                            "first_text": (marks["shown"] - marks["arrived"]) * 1000,
                            "ttft_wall": (marks["shown_wall"] - marks["start_wall"]) * 1000,
                        }
                    )
        finally:
            parts.close()
    keys = rows[0].keys()
    print(
        json.dumps(
            {
                "model": args.model.name,
                "threads": args.threads,
                "runs": args.runs,
                "gui_thread_cpu_ms_median": {
                    key: round(statistics.median(row[key] for row in rows), 2)
                    for key in keys
                    if key != "ttft_wall"
                },
                "ttft_wall_ms_median": round(statistics.median(r["ttft_wall"] for r in rows), 2),
                "load_average_1m": round(os.getloadavg()[0], 2),
            },
            indent=1,
        )
    )
    if args.profile:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(45)


if __name__ == "__main__":
    main()
