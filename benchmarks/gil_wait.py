"""Where the model thread's time per token goes when the window is shown (issue 12).

    python benchmarks/gil_wait.py MODEL.gguf [--threads 1] [--tokens 128] [--runs 5]
        [--switch-interval 0.005 0.0005]

Every ctypes call into llama.cpp releases Python's GIL and takes it back on return. The
model thread's wall time in `llama_decode` minus its CPU time in it is how long it was off
its core: with one llama.cpp thread, two cores and `chrt -f`, nothing else can take that
core, so what is left is the wait for the GIL after llama.cpp returned, while the GUI thread
held it. The same for the sampler and the detokenizer, and for the whole token (from one
`llama_decode` to the next: the engine's Python, the callback, the signal). Compared: the
engine alone on a thread, and the whole window, at each switch interval given.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))

import llama_cpp

from llamadesk.core.bench import BenchConfig

CALLS = ("llama_decode", "llama_sampler_sample", "llama_token_to_piece")


class OffCpu:
    """Wall and CPU time of the wrapped llama.cpp calls, on the thread that made them."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.wall = dict.fromkeys(CALLS, 0.0)
        self.cpu = dict.fromkeys(CALLS, 0.0)
        self.token_wall = 0.0
        self.token_cpu = 0.0
        self.tokens = 0
        self._last: tuple[float, float] | None = None

    def wrap(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any) -> Any:
            wall, cpu = time.perf_counter(), time.thread_time()
            if name == "llama_decode":
                self._token(wall, cpu)
            result = call(*args)
            self.wall[name] += time.perf_counter() - wall
            self.cpu[name] += time.thread_time() - cpu
            return result

        return timed

    def _token(self, wall: float, cpu: float) -> None:
        if self._last is not None:
            self.token_wall += wall - self._last[0]
            self.token_cpu += cpu - self._last[1]
            self.tokens += 1
        self._last = (wall, cpu)

    def figures(self) -> dict[str, float]:
        per = 1000.0 / max(self.tokens, 1)
        out = {f"{name}_off_cpu_ms": (self.wall[name] - self.cpu[name]) * per for name in CALLS}
        out["token_wall_ms"] = self.token_wall * per
        out["token_cpu_ms"] = self.token_cpu * per
        out["token_off_cpu_ms"] = (self.token_wall - self.token_cpu) * per
        return out


def instrument() -> OffCpu:
    recorder = OffCpu()
    for name in CALLS:
        setattr(llama_cpp, name, recorder.wrap(name, getattr(llama_cpp, name)))
    return recorder


def engine_runs(config: BenchConfig, recorder: OffCpu, runs: int) -> list[dict[str, float]]:
    from llamadesk.core.bench import engine_path

    figures: list[dict[str, float]] = []

    def work() -> None:
        with engine_path(config) as loaded:
            loaded.answer()
            for _ in range(runs):
                recorder.reset()
                run = loaded.answer()
                figures.append({**recorder.figures(), "tokens_per_second": run.tokens_per_second})

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return figures


def gui_runs(config: BenchConfig, recorder: OffCpu, runs: int) -> list[dict[str, float]]:
    from llamadesk.ui import bench as gui_bench

    figures: list[dict[str, float]] = []
    with gui_bench.loaded_app(config) as (parts, _model):
        gui_bench._answer(parts, config.prompt)
        for _ in range(runs):
            recorder.reset()
            gui_cpu = time.thread_time()
            run = gui_bench._answer(parts, config.prompt)
            gui_ms = (time.thread_time() - gui_cpu) * 1000.0 / run.tokens
            figures.append(
                {
                    **recorder.figures(),
                    "tokens_per_second": run.tokens_per_second,
                    "gui_thread_cpu_ms": gui_ms,
                    "updates": run.extra["updates"],
                }
            )
    return figures


def median_of(figures: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(f[key] for f in figures), 3) for key in figures[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--switch-interval", type=float, nargs="+", default=[0.005])
    parser.add_argument("--skip-engine", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    recorder = instrument()
    config = BenchConfig(args.model, max_tokens=args.tokens, n_threads=args.threads)
    report: dict[str, object] = {"load_average_1m": os.getloadavg()[0]}
    if not args.skip_engine:
        report["engine"] = median_of(engine_runs(config, recorder, args.runs))
    for interval in args.switch_interval:
        sys.setswitchinterval(interval)
        report[f"gui, switch interval {interval * 1000:g} ms"] = median_of(
            gui_runs(config, recorder, args.runs)
        )
    report["load_average_1m_after"] = os.getloadavg()[0]
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
