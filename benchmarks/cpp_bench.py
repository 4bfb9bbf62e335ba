"""Build llama.cpp's own `llama-bench` from the llama.cpp that llama-cpp-python vendors.

`llamadesk bench` reports llama.cpp's C++ as its `cpp` row when this has been run once: the
binary is cached under the user's cache folder, keyed by the llama-cpp-python version, so the
figure compares the app against the very same C++ it calls (same compiler flags: GGML_NATIVE and
OpenMP, as pip's build of the package).

    python benchmarks/cpp_bench.py            # build (or reuse) and print the binary's path
    python benchmarks/cpp_bench.py --source /tmp/lcp/llama_cpp_python-0.3.36

Without --source the sdist is fetched with
`pip download --no-deps --no-binary :all: llama-cpp-python==VERSION`.
Building takes a few minutes on 2 cores (-j2 by default; --jobs to change it).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))

from llamadesk.core.bench import cpp_bench_binary


def _sdist_source(version: str, work: Path) -> Path:
    """Download and unpack llama-cpp-python's sdist; returns its root folder."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"llama-cpp-python=={version}",
            "-d",
            str(work),
        ],
        check=True,
    )
    archive = next(work.glob("llama_cpp_python-*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    return next(p for p in work.iterdir() if p.is_dir())


def build(source: Path, target: Path, jobs: int) -> Path:
    """Configure and build only the llama-bench target; copy the binary to `target`."""
    llama = source / "vendor" / "llama.cpp"
    build_dir = target.parent / "build"
    subprocess.run(
        [
            "cmake",
            "-S",
            str(llama),
            "-B",
            str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            "-DBUILD_SHARED_LIBS=OFF",
            "-DLLAMA_CURL=OFF",
            "-DLLAMA_OPENSSL=OFF",
            "-DLLAMA_BUILD_TESTS=OFF",
            "-DLLAMA_BUILD_EXAMPLES=OFF",
            "-DLLAMA_BUILD_SERVER=OFF",
            *os.environ.get("CPP_BENCH_CMAKE_ARGS", "").split(),
        ],
        check=True,
    )
    subprocess.run(
        ["cmake", "--build", str(build_dir), "--target", "llama-bench", "-j", str(jobs)],
        check=True,
    )
    shutil.copy2(build_dir / "bin" / target.name, target)
    shutil.rmtree(build_dir, ignore_errors=True)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="llama-cpp-python source tree (sdist root)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--force", action="store_true", help="rebuild even when cached")
    args = parser.parse_args()
    version = importlib.metadata.version("llama-cpp-python")
    target = cpp_bench_binary(version)
    if target.exists() and not args.force:
        print(target)
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = args.source or _sdist_source(version, Path(tmp))
        build(source, target, args.jobs)
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
