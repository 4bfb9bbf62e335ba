"""Build the bundle and prove it works from a clean state: the release check.

    python packaging/smoke_test.py                 # build, then test dist/
    python packaging/smoke_test.py --skip-build    # test the bundle already in dist/

Runs the bundle's `--version` and `self-test --out DIR` offscreen with a fresh LLAMADESK_HOME,
then checks the exit code, the conversation in the home's database (read with sqlite3, not
with the app's code), the screenshot, that nothing was written into the bundle, and that a
second start of the GUI hands over to the first. Prints the bundle's size, the build time,
and the time from launch to the window shown, beside the pip-installed app's when there is
one next to this Python. Exits 1 on the first failed check.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
PROMPT = "Hello! What can you tell me about quantization?"  # what self-test sends
WINDOW_SHOWN = "ok  window shown"  # self-test's first step line
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RUN_TIMEOUT_S = 480
LAUNCH_RUNS = 3


class SmokeTestFailed(Exception):
    pass


def bundle_program() -> Path:
    """The bundle's program that prints to a terminal, on this OS."""
    if sys.platform == "win32":
        return DIST / "LlamaDesk" / "llamadesk-cli.exe"
    if sys.platform == "darwin":
        return DIST / "LlamaDesk.app" / "Contents" / "MacOS" / "llamadesk"
    return DIST / "LlamaDesk" / "llamadesk"


def installed_program() -> Path | None:
    """The pip-installed `llamadesk` beside this Python, for comparison; None if absent."""
    folder = Path(sys.executable).parent
    for name in ("llamadesk", "llamadesk.exe"):
        if (folder / name).is_file():
            return folder / name
    return None


def clean_env(home: Path) -> dict[str, str]:
    """This environment, less what could make a bundle lean on this machine's Python."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "LLAMA_CPP_LIB_PATH"}
    }
    env.update(LLAMADESK_HOME=str(home), QT_QPA_PLATFORM="offscreen", PYTHONNOUSERSITE="1")
    return env


def build() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py")], check=True)
    return time.perf_counter() - started


def check_version(program: Path) -> str:
    from llamadesk import __version__

    with tempfile.TemporaryDirectory() as home:
        result = subprocess.run(
            [str(program), "--version"],
            capture_output=True,
            text=True,
            env=clean_env(Path(home)),
            timeout=RUN_TIMEOUT_S,
        )
    lines = result.stdout.strip().splitlines()
    line = lines[0] if lines else ""
    if result.returncode != 0 or line != f"LlamaDesk {__version__}":
        raise SmokeTestFailed(f"--version said {line!r} (exit {result.returncode})")
    if not any(later.startswith("Log: ") for later in lines[1:]):
        raise SmokeTestFailed(f"--version did not say where the log is: {result.stdout!r}")
    return line


def self_test(program: Path, home: Path, out: Path | None) -> float:
    """Run self-test in ``home``; return seconds from launch to the window shown."""
    command = [str(program), "self-test"] + (["--out", str(out)] if out else [])
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(home),
    )
    shown = None
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip())
        if shown is None and WINDOW_SHOWN in line:
            shown = time.perf_counter() - started
    code = process.wait(timeout=RUN_TIMEOUT_S)
    if code != 0 or shown is None:
        tail = "\n".join(lines[-20:])
        raise SmokeTestFailed(f"{program.name} self-test exited {code}:\n{tail}")
    return shown


def check_stored(home: Path) -> None:
    """The self-test's conversation is in the database, read without the app's code."""
    database = home / "data" / "llamadesk.sqlite3"
    if not database.is_file():
        raise SmokeTestFailed(f"no database at {database}")
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT role, content FROM messages WHERE conversation_id = "
            "(SELECT min(id) FROM conversations) ORDER BY id"
        ).fetchall()
    if len(rows) < 2 or rows[0] != ("user", PROMPT) or rows[1][0] != "assistant" or not rows[1][1]:
        raise SmokeTestFailed(f"the stored conversation is not the self-test's: {rows[:2]}")


def check_screenshot(out: Path) -> None:
    shot = out / "self-test.png"
    data = shot.read_bytes() if shot.is_file() else b""
    if not data.startswith(PNG_SIGNATURE) or len(data) < 10_000:
        raise SmokeTestFailed(f"{shot} is missing or not a real screenshot ({len(data)} bytes)")


def check_starter_used(out: Path) -> None:
    """The bundled starter model was found, and the self-test chatted with it."""
    from llamadesk.core.starter import STARTER_FILENAME

    report = json.loads((out / "self-test.json").read_text(encoding="utf-8"))
    if report.get("model") != STARTER_FILENAME:
        raise SmokeTestFailed(f"the self-test used {report.get('model')!r}, not the starter model")


def check_log(home: Path) -> None:
    """The windowed app wrote its log (it has no stderr: the log is its only trace)."""
    log = home / "data" / "logs" / "llamadesk.log"
    text = log.read_text(encoding="utf-8") if log.is_file() else ""
    if "started: app" not in text:
        raise SmokeTestFailed(f"the app wrote no log at {log}")


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in bundle_files(folder)
    }


def check_second_start(program: Path, home: Path) -> None:
    """A second GUI start over the same data hands over to the first and exits 0.

    On Windows, the console program is a second program of the same bundle: it tests the
    hand-over as well as LlamaDesk.exe would.
    """
    env = clean_env(home)
    first = subprocess.Popen([str(program)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        # The first listens before it opens the database, so the file says it is ready.
        database = home / "data" / "llamadesk.sqlite3"
        deadline = time.monotonic() + 60
        while not database.exists():
            if first.poll() is not None or time.monotonic() > deadline:
                raise SmokeTestFailed(f"the GUI did not start (exit {first.poll()})")
            time.sleep(0.1)
        second = subprocess.run([str(program)], env=env, capture_output=True, text=True, timeout=60)
        if second.returncode != 0 or "already running" not in second.stderr:
            raise SmokeTestFailed(
                f"a second start did not hand over (exit {second.returncode}): {second.stderr}"
            )
        if first.poll() is not None:
            raise SmokeTestFailed("the first instance died when the second started")
    finally:
        first.terminate()
        first.wait(timeout=30)


def launch_times(program: Path) -> list[float]:
    times = []
    for _ in range(LAUNCH_RUNS):
        with tempfile.TemporaryDirectory(prefix="llamadesk-smoke-") as home:
            times.append(self_test(program, Path(home), None))
    return times


def bundle_files(folder: Path) -> list[Path]:
    """The bundle's files, not its links (PyInstaller links some libraries in two places)."""
    return [path for path in folder.rglob("*") if path.is_file() and not path.is_symlink()]


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in bundle_files(folder))


def run(args: argparse.Namespace) -> dict[str, object]:
    figures: dict[str, object] = {}
    if not args.skip_build:
        figures["build_seconds"] = round(build(), 1)
    program = bundle_program()
    if not program.is_file():
        raise SmokeTestFailed(f"no bundle at {program}: build it, or drop --skip-build")
    bundle = program.parent if sys.platform != "darwin" else DIST / "LlamaDesk.app"
    figures["version"] = check_version(program)
    before = snapshot(bundle)
    with tempfile.TemporaryDirectory(prefix="llamadesk-smoke-") as scratch:
        home, out = Path(scratch) / "home", Path(scratch) / "out"
        self_test(program, home, out)
        check_stored(home)
        check_screenshot(out)
        check_starter_used(out)
        print("  ok  self-test passed on the starter model; conversation stored; screenshot")
        check_second_start(program, Path(scratch) / "home2")
        check_log(Path(scratch) / "home2")
        print("  ok  a second start brought the first forward; the app wrote its log", flush=True)
    if snapshot(bundle) != before:
        raise SmokeTestFailed("the run wrote into the bundle; it must only write user folders")
    figures["bundle_mb"] = round(folder_size(bundle) / 1e6, 1)
    bundled = launch_times(program)
    figures["bundle_window_shown_s"] = round(statistics.median(bundled), 2)
    installed = installed_program()
    if installed is not None:
        figures["pip_window_shown_s"] = round(statistics.median(launch_times(installed)), 2)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true", help="test the bundle in dist/")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    args = parser.parse_args()
    try:
        figures = run(args)
    except (SmokeTestFailed, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        print(f"smoke test FAILED: {exc}", file=sys.stderr)
        return 1
    print("smoke test passed:")
    for key, value in figures.items():
        print(f"  {key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
