"""Compare LlamaDesk's memory estimate with what llama.cpp allocates, on the "1b" test shape.

Writes the 1.1B-parameter test model in F16 once (2.2 GB) and quantizes it to Q4_K_M and
Q4_0 (about a minute each on two cores), keeping them in the work folder for later runs;
then loads each at a few context lengths and prints a table of estimate against llama.cpp's
own log lines, and the growth of the process's resident memory after a short answer to a
prompt of a few hundred tokens.

    python benchmarks/memory_check.py [--work /tmp/llamadesk-memory] [--shape 1b]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import psutil

from llamadesk.core.gguf_info import read_gguf_info
from llamadesk.core.memory import MIB, LoggedAllocation, estimate_memory
from llamadesk.core.quants import quant_level
from llamadesk.core.testmodel import write_test_model

CONTEXTS = (512, 2048, 4096)
LEVELS = ("Q4_K_M", "Q4_0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_work = Path(tempfile.gettempdir()) / "llamadesk-memory"
    parser.add_argument("--work", type=Path, default=default_work)
    parser.add_argument("--shape", default="1b", choices=["tiny", "1b"])
    parser.add_argument("--measure", nargs=2, metavar=("PATH", "N_CTX"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(Path(args.measure[0]), int(args.measure[1]))
        return

    source = args.work / f"{args.shape}-f16.gguf"
    if not source.exists():
        print(f"writing {source}...", file=sys.stderr)
        write_test_model(source, args.shape, dtype="F16")
    models = [source] + [quantized(source, level) for level in LEVELS]

    print(f"{'model':<16}{'n_ctx':>6}  {'part':<18}{'estimate':>10}{'llama.cpp':>11}{'diff':>8}")
    for path in models:
        for n_ctx in CONTEXTS:
            report(path, n_ctx)


def quantized(source: Path, level_name: str) -> Path:
    import llama_cpp

    target = source.with_name(source.name.replace("-f16", f"-{level_name.lower()}"))
    if not target.exists():
        print(f"quantizing to {target}...", file=sys.stderr)
        params = llama_cpp.llama_model_quantize_default_params()
        level = quant_level(level_name)
        assert level is not None
        params.ftype = level.llama_ftype
        partial = target.with_suffix(".partial")
        with open(os.devnull, "w") as quiet, _stderr_to(quiet):
            failed = llama_cpp.llama_model_quantize(
                str(source).encode(), str(partial).encode(), ctypes.byref(params)
            )
        if failed:
            sys.exit(f"llama.cpp could not quantize {source} to {level_name}")
        partial.replace(target)
    return target


def report(path: Path, n_ctx: int) -> None:
    # A fresh process for each load, so that its resident memory starts from the same place.
    child = subprocess.run(
        [sys.executable, __file__, "--measure", str(path), str(n_ctx)],
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(child.stdout)
    logged = LoggedAllocation.from_log(measured["log"])
    estimate = estimate_memory(read_gguf_info(path), n_ctx)
    rows = [
        ("mapped file", estimate.weights_bytes, logged.model_buffers.get("CPU_Mapped", 0)),
        ("repacked", estimate.repacked_bytes, logged.repacked_bytes),
        ("KV cache", estimate.kv_cache_bytes, logged.kv_cache_bytes),
        ("compute", estimate.compute_bytes, logged.compute_bytes),
        ("total / RSS growth", estimate.total, measured["rss_growth"]),
    ]
    for part, estimated, actual in rows:
        diff = f"{estimated / actual - 1:+.1%}" if actual else "-"
        print(
            f"{path.stem:<16}{n_ctx:>6}  {part:<18}"
            f"{estimated / MIB:>9.2f}M{actual / MIB:>10.2f}M{diff:>8}",
            flush=True,
        )


def measure(path: Path, n_ctx: int) -> None:
    """Load ``path``, answer briefly, and print llama.cpp's log and the growth in RSS as JSON."""
    process = psutil.Process()
    before = process.memory_info().rss  # with llama.cpp not yet imported, as in the app
    import llama_cpp

    with tempfile.TemporaryFile("w+") as log, _stderr_to(log):
        llama = llama_cpp.Llama(model_path=str(path), n_ctx=n_ctx, verbose=True, n_threads=2)
        # A prompt of a few hundred tokens, so that the compute buffer is in use.
        llama.create_completion("the " * min(380, n_ctx // 2), max_tokens=4)
        growth = process.memory_info().rss - before
        llama.close()
        sys.stderr.flush()
        log.seek(0)
        print(json.dumps({"log": log.read(), "rss_growth": growth}))


@contextlib.contextmanager
def _stderr_to(file: IO[str]) -> Iterator[None]:
    """Send file descriptor 2 (llama.cpp's C logging and Python's stderr) to ``file``."""
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(file.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


if __name__ == "__main__":
    main()
