"""Quantize and measure timings: LlamaDesk's quantize() against a plain llama.cpp call.

    python benchmarks/quantize_bench.py [--model /tmp/ld-1b-f16.gguf] [--runs 2]
                                        [--eval-tokens 2000] [--ctx 512]

The model is the 1.1B-parameter test model in F16 (written first if missing: about 30 s and
2.2 GB). The plain runs call ``llama_model_quantize`` in this process, as a script would;
the app's runs go through ``quantize()``: a child process, progress relayed from llama.cpp's
log, the check that the result loads, the rename and the lineage file. The two alternate
(each going first in turn), after one read of the source to warm the page cache, so that a
busy machine slows both alike. On a busy machine the totals scatter more than the app adds,
so the script also prints the child's start-up (a fresh interpreter importing llama_cpp),
the app's main fixed cost.

Then the app's Q4_K_M result is measured against the F16 source with ``evaluate()`` on a
text of ``--eval-tokens`` tokens (loading both models included).
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import random
import statistics
import tempfile
import time
from pathlib import Path

import llama_cpp

from llamadesk.core.evaluate import evaluate
from llamadesk.core.quantize import quantize
from llamadesk.core.quants import quant_level
from llamadesk.core.testmodel import COMMON_WORDS, write_test_model

LEVEL = "Q4_K_M"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=Path("/tmp/ld-1b-f16.gguf"))
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--eval-tokens", type=int, default=2000, help="0 skips the evaluation")
    parser.add_argument("--ctx", type=int, default=512)
    args = parser.parse_args()
    if not args.model.exists():
        print(f"Writing {args.model} (1b shape, F16)...")
        write_test_model(args.model, "1b", dtype="F16")
    warm_page_cache(args.model)
    # Quiet, as the app's child is: llama-cpp-python would print every log line to stderr.
    logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)

    with tempfile.TemporaryDirectory(prefix="llamadesk-bench-", dir=args.model.parent) as scratch:
        folder = Path(scratch)
        plain_times: list[float] = []
        app_times: list[float] = []
        for run in range(args.runs):
            plain_dest, app_dest = folder / f"plain-{run}.gguf", folder / f"app-{run}.gguf"
            # Alternate which goes first, so that neither always runs while the other's output
            # is still being written back to disk.
            if run % 2 == 0:
                plain = time_plain(args.model, plain_dest)
                app, startup = time_app(args.model, app_dest)
            else:
                app, startup = time_app(args.model, app_dest)
                plain = time_plain(args.model, plain_dest)
            plain_times.append(plain)
            app_times.append(app)
            print(
                f"run {run + 1}: plain {plain:.1f} s, app {app:.1f} s "
                f"(child start-up {startup:.2f} s)"
            )
        report_quantize(plain_times, app_times)
        if args.eval_tokens:
            time_evaluate(folder / f"app-{args.runs - 1}.gguf", args.model, args)


def warm_page_cache(path: Path) -> None:
    with path.open("rb") as file:
        while file.read(1 << 24):
            pass


def time_plain(source: Path, dest: Path) -> float:
    level = quant_level(LEVEL)
    assert level is not None
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = level.llama_ftype
    started = time.perf_counter()
    status = llama_cpp.llama_model_quantize(
        str(source).encode(), str(dest).encode(), ctypes.byref(params)
    )
    elapsed = time.perf_counter() - started
    assert status == 0, f"llama_model_quantize returned {status}"
    return elapsed


def time_app(source: Path, dest: Path) -> tuple[float, float]:
    """The whole run, and the time until llama.cpp reported its first tensor (the child's
    start-up: a fresh interpreter importing llama_cpp)."""
    first: list[float] = []

    def note_first(_fraction: float) -> None:
        if not first:
            first.append(time.perf_counter())

    started = time.perf_counter()
    quantize(source, LEVEL, dest, progress=note_first)
    return time.perf_counter() - started, first[0] - started


def report_quantize(plain: list[float], app: list[float]) -> None:
    plain_mean, app_mean = statistics.mean(plain), statistics.mean(app)
    overhead = (app_mean / plain_mean - 1) * 100
    print(
        f"Quantize to {LEVEL}: plain llama_model_quantize {plain_mean:.1f} s "
        f"(best {min(plain):.1f}), LlamaDesk quantize() {app_mean:.1f} s "
        f"(best {min(app):.1f}): {overhead:+.1f}% over {len(plain)} runs each"
    )


def time_evaluate(model: Path, reference: Path, args: argparse.Namespace) -> None:
    rng = random.Random(0)
    words = COMMON_WORDS.split()
    # About one token a word in this vocabulary; max_tokens cuts it to the exact count.
    text = " ".join(rng.choice(words) for _ in range(args.eval_tokens * 2))
    report = evaluate(model, reference, text, n_ctx=args.ctx, max_tokens=args.eval_tokens)
    print(
        f"Evaluate {LEVEL} against F16 on {report.tokens} tokens (windows of {report.n_ctx}): "
        f"{report.seconds:.1f} s, {report.tokens / report.seconds:.0f} tokens/s "
        f"(KL {report.kl_divergence:.5f}, top-1 {report.top1_agreement:.1%})"
    )


if __name__ == "__main__":
    main()
