"""Time and memory of training an adapter on the ratings in the store, as the app does it.

Trains on the first ``--pairs`` preference pairs (DPO) rated on the starter model, with the
app's default settings (LoRA rank 8 on q/k/v/o, batch 1, max_length 512, learning rate 5e-5;
two passes over the pairs unless ``--steps`` says otherwise), through `training.train`, the
function behind `llamadesk train` and the Teach page; the prompts held out for the duel are
the app's own split of all the rated prompts. Reports:

- wall time, and the time of each phase (loading, training, converting, checking);
- CPU time of everything the run started (user + system);
- the peak resident memory of the largest process among them (the training child): Linux's
  ``ru_maxrss`` of our waited-for descendants;
- the adapter GGUF's size;
- the load average while it ran (sampled every 10 s): on a shared machine the wall time
  means little without it.

    LLAMADESK_HOME=/tmp/run python benchmarks/train_bench.py --out /tmp/run/tuned.gguf
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from llamadesk.core.paths import app_paths
from llamadesk.core.starter import starter_model_path
from llamadesk.core.store import Store
from llamadesk.core.training import TrainProgress, TrainSettings, train, training_data


def _sample_load(samples: list[float], stop: threading.Event) -> None:
    while not stop.wait(10):
        samples.append(os.getloadavg()[0])


def run(model: Path, out: Path, pairs: int, steps: int) -> dict[str, object]:
    with Store(app_paths().database) as store:
        data = training_data(store, model, "dpo")
    if len(data.rows) < pairs:
        raise SystemExit(f"only {len(data.rows)} pairs are rated; {pairs} asked for")
    data = replace(data, rows=data.rows[:pairs])
    loads = [os.getloadavg()[0]]
    stop = threading.Event()
    threading.Thread(target=_sample_load, args=(loads, stop), daemon=True).start()
    phases: list[tuple[float, str]] = []
    started = time.perf_counter()

    def status(phrase: str) -> None:
        phases.append((time.perf_counter() - started, phrase))
        print(f"{phases[-1][0]:8.1f} s  {phrase}", file=sys.stderr, flush=True)

    def progress(step: TrainProgress) -> None:
        print(
            f"{time.perf_counter() - started:8.1f} s  step {step.step}/{step.total}"
            f"  loss {step.loss:.4f}",
            file=sys.stderr,
            flush=True,
        )

    result = train(model, data, TrainSettings(steps=steps), out, progress=progress, status=status)
    wall = time.perf_counter() - started
    stop.set()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    ends = [when for when, _name in phases[1:]] + [wall]
    lineage = result.lineage
    return {
        "pairs": len(lineage.examples),
        "held_out_prompts": len(lineage.held_out),
        "settings": lineage.settings,
        "wall_s": round(wall, 1),
        "phases_s": {
            name: round(end - when, 1) for (when, name), end in zip(phases, ends, strict=True)
        },
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # kilobytes on Linux
        "adapter_bytes": result.size,
        "load_average": {
            "start": loads[0],
            "mean": round(sum(loads) / len(loads), 2),
            "max": max(loads),
        },
        "cpus": os.cpu_count(),
        "losses": lineage.losses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=starter_model_path())
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--steps", type=int, default=0, help="0: the default, two passes")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = run(args.model, args.out, args.pairs, args.steps)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
