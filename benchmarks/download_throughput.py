"""Download throughput: LlamaDesk's DownloadJob against curl, same loopback server, same file.

    python benchmarks/download_throughput.py [--size-mb 500] [--runs 3] [--paced-mb 100]

The server is tests/hub_server.py in its own process on 127.0.0.1, so it shares no
interpreter with the client being measured. Unpaced it hands the file to the kernel with
sendfile; paced it sends at a fixed rate, like a fast home connection.

curl only saves the bytes. DownloadJob asks the hub for the file's metadata (HEAD), hashes the
bytes as they stream, fsyncs and renames the file: its time is the whole verified download.
huggingface_hub's own hf_hub_download (which checks no checksum) runs too, for reference. The
runs are interleaved, so a busy machine slows all three alike. The script also times a separate
checksum pass over the file: the second read that hashing while streaming avoids.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from huggingface_hub import hf_hub_download
from huggingface_hub.utils import disable_progress_bars

from hub_server import FakeHub
from llamadesk.core import downloads
from llamadesk.core.downloads import DownloadJob

REPO = "bench/big-GGUF"
NAME = "big-Q4_K_M.gguf"
MB = 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--paced-mb", type=float, default=100.0, help="0 skips the paced runs")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the server process
    parser.add_argument("--rate-mb", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.rate_mb)
        return
    if shutil.which("curl") is None:
        sys.exit("curl is not installed (apt-get install -y curl)")
    disable_progress_bars()

    with tempfile.TemporaryDirectory(prefix="llamadesk-bench-") as scratch:
        root = Path(scratch)
        source = root / "source.gguf"
        write_random(source, args.size_mb * MB)
        print(f"file: {args.size_mb} MB (10^6 bytes), {args.runs} interleaved runs each")
        for rate in (0.0, args.paced_mb) if args.paced_mb else (0.0,):
            with server(source, rate) as endpoint:
                compare(root, endpoint, args.runs, args.size_mb, rate)
        report_hash_cost(source, args.runs, args.size_mb)


def compare(root: Path, endpoint: str, runs: int, size_mb: int, rate: float) -> None:
    url = f"{endpoint}/{REPO}/resolve/main/{NAME}"

    def curl() -> None:
        subprocess.run(["curl", "-sSf", "-o", str(root / "curl.gguf"), url], check=True)
        (root / "curl.gguf").unlink()

    def ours() -> None:
        DownloadJob(REPO, NAME, root / "models", endpoint=endpoint).run()
        shutil.rmtree(root / "models")

    def hf() -> None:
        hf_hub_download(REPO, NAME, cache_dir=root / "hf-cache", endpoint=endpoint)
        shutil.rmtree(root / "hf-cache")

    with timed_fsync() as fsyncs:
        times = interleaved(
            runs, {"curl -o": curl, "DownloadJob (verified)": ours, "hf_hub_download": hf}
        )
    print(f"loopback HTTP, {f'paced at {rate:.0f} MB/s' if rate else 'unpaced (sendfile)'}:")
    for label, seconds in times.items():
        best, median = size_mb / min(seconds), size_mb / statistics.median(seconds)
        print(f"  {label:24} best {best:5.0f} MB/s   median {median:5.0f} MB/s")
    for pick in (min, statistics.median):
        ratio = pick(times["curl -o"]) / pick(times["DownloadJob (verified)"])
        print(f"  DownloadJob / curl ({'best' if pick is min else 'median'}): {ratio:.0%}")
    print(f"  of which fsync (file and folder): {sum(fsyncs) / runs:.2f} s per download")


def report_hash_cost(source: Path, runs: int, size_mb: int) -> None:
    seconds = min(interleaved(runs, {"hash": lambda: downloads._hash_file(source)})["hash"])
    print(
        "checksum: hashed while streaming, so no second read. A separate pass would read the "
        f"file again: {seconds:.2f} s ({size_mb / seconds:.0f} MB/s, page cache warm)."
    )


def serve(path: Path, rate_mb: float) -> None:
    """Run the hub in this process until stdin closes; print its address first."""
    with FakeHub() as hub:
        hub.add_file(REPO, NAME, path)
        hub.faults.rate = rate_mb * MB or None
        print(hub.url, flush=True)
        sys.stdin.read()


@contextmanager
def server(path: Path, rate_mb: float) -> Iterator[str]:
    command = [sys.executable, __file__, "--serve", str(path), "--rate-mb", str(rate_mb)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.stdin.close()
        process.wait(30)


@contextmanager
def timed_fsync() -> Iterator[list[float]]:
    """Collect how long each of DownloadJob's fsync calls takes."""
    seconds: list[float] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        started = time.perf_counter()
        real(fd)
        seconds.append(time.perf_counter() - started)

    downloads.os.fsync = fsync  # type: ignore[assignment]
    try:
        yield seconds
    finally:
        downloads.os.fsync = real


def write_random(path: Path, size: int) -> None:
    with path.open("wb") as f:
        for _ in range(size // (10 * MB)):
            f.write(os.urandom(10 * MB))
        f.write(os.urandom(size % (10 * MB)))


def interleaved(runs: int, actions: dict[str, Callable[[], object]]) -> dict[str, list[float]]:
    """Seconds each action took in each round; every round runs every action once."""
    times: dict[str, list[float]] = {label: [] for label in actions}
    for _ in range(runs):
        for label, action in actions.items():
            started = time.perf_counter()
            action()
            times[label].append(time.perf_counter() - started)
    return times


if __name__ == "__main__":
    main()
