"""Time and memory of `llamadesk train` on the ratings in the store, as a user would run it.

Runs ``llamadesk train MODEL --method dpo --out ADAPTER`` (the app's default settings: LoRA
rank 8 on q/k/v/o, batch 1, max_length 512, two passes over the pairs) as a child process
and reports:

- wall time, and the time of each phase (from the command's own progress lines);
- CPU time of the command and everything it started (user + system);
- the peak resident memory of the largest process among them (the training child): Linux's
  ``ru_maxrss`` of our waited-for descendants;
- the adapter GGUF's size, the pairs and steps trained (from its lineage);
- the load average while it ran (sampled every 10 s): on a shared machine the wall time
  means little without it.

    LLAMADESK_HOME=/tmp/run python benchmarks/train_bench.py --out /tmp/run/tuned.gguf
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

from llamadesk.core.adapters import read_adapter_lineage
from llamadesk.core.starter import starter_model_path


def _sample_load(samples: list[float], stop: threading.Event) -> None:
    while not stop.wait(10):
        samples.append(os.getloadavg()[0])


def run(model: Path, out: Path, extra: list[str]) -> dict[str, object]:
    command = [sys.executable, "-m", "llamadesk", "train", str(model), "--method", "dpo"]
    command += ["--out", str(out), *extra]
    loads: list[float] = [os.getloadavg()[0]]
    stop = threading.Event()
    sampler = threading.Thread(target=_sample_load, args=(loads, stop), daemon=True)
    phases: list[tuple[float, str]] = []
    started = time.perf_counter()
    sampler.start()
    with subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stderr is not None
        assert child.stdout is not None
        for line in child.stderr:  # progress: "Loading the model...", "step 3/200 ..."
            elapsed = time.perf_counter() - started
            print(f"{elapsed:8.1f} s  {line.rstrip()}", file=sys.stderr, flush=True)
            if line.endswith("...\n"):
                phases.append((elapsed, line.strip().removesuffix("...")))
        printed = child.stdout.read().strip()
    wall = time.perf_counter() - started
    stop.set()
    if child.returncode != 0:
        raise SystemExit(f"llamadesk train failed ({child.returncode})")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    lineage = read_adapter_lineage(out)
    assert lineage is not None
    assert printed.endswith(out.name)
    ends = [when for when, _name in phases[1:]] + [wall]
    return {
        "pairs": len(lineage.examples),
        "held_out_prompts": len(lineage.held_out),
        "steps": lineage.settings["steps"],
        "settings": lineage.settings,
        "wall_s": round(wall, 1),
        "phases_s": {
            name: round(end - when, 1) for (when, name), end in zip(phases, ends, strict=True)
        },
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # kilobytes on Linux
        "adapter_bytes": out.stat().st_size,
        "load_average": {
            "start": loads[0],
            "mean": round(sum(loads) / len(loads), 2),
            "max": max(loads),
        },
        "cpus": os.cpu_count(),
        "first_loss": lineage.losses[0] if lineage.losses else None,
        "last_loss": lineage.losses[-1] if lineage.losses else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=starter_model_path())
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("extra", nargs="*", help="more flags for llamadesk train (after --)")
    args = parser.parse_args()
    figures = run(args.model, args.out, args.extra)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
