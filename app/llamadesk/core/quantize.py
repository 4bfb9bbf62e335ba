"""Make a smaller quantization of a model with llama.cpp's own routine, safely.

`plan_quantize` checks everything that can be checked before work starts (the source's type,
the target level, the destination folder, free disk space) and says what will happen;
`quantize` plans again and carries the plan out. llama.cpp runs in a child process (see
`quantize_child`): a cancel kills it, and a crash in it ends only the child. The result is
written under a temporary name, checked to load, and only then given its final name, next to
a small lineage file that says where it came from. A cancel or a failure leaves no file behind.

Progress is the share of the source's weights quantized so far, read from the line llama.cpp
logs as it starts each tensor: exact in tensors, and honest in time because the work per
tensor grows with its weights. (The growing output file would be a poorer guide: llama.cpp
writes each tensor only once it is converted, and the expected size is itself an estimate.)
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from llamadesk import __version__
from llamadesk.core import quantize_child
from llamadesk.core.gguf_info import GGUFError, GGUFInfo, read_gguf_info
from llamadesk.core.jsonfile import dataclass_from_json, read_json, write_json_atomic
from llamadesk.core.quants import (
    QUANT_LEVELS,
    QuantLevel,
    estimated_file_size,
    known_bits,
    quant_level,
)

Progress = Callable[[float], None]

UNQUANTIZED_SOURCES = frozenset({"F32", "F16", "BF16"})
LINEAGE_SUFFIX = ".lineage.json"

_POLL_SECONDS = 0.1  # how quickly a cancel is noticed
# Progress up to here is llama.cpp quantizing; the rest is the check that the result loads
# (about 0.2 s for a 1B model).
_QUANTIZE_SHARE = 0.99
# Free space wanted beyond the estimate: small models keep more of their weights at higher
# precision than the table's bits per weight say, and the header needs room too.
_SPACE_FACTOR = 1.2
_SPACE_SLACK = 64 << 20
_KILL_WAIT_SECONDS = 10.0
_MAX_QUOTED = 300  # characters of the child's last words quoted in a crash message


class QuantizeError(Exception):
    """Quantization cannot start or did not finish; the message is one sentence for the user."""


class RequantizeRequired(QuantizeError):
    """The source is already quantized: go on only after the user agrees (allow_requantize)."""


class QuantizeCancelled(Exception):
    """The run was cancelled; no file was left behind."""


@dataclass(frozen=True)
class QuantizePlan:
    """What a quantization will do, for a dialog to show before it runs.

    Args:
        source: the source's header.
        level: the target level.
        dest: the final path of the result.
        expected_size: the result's size in bytes, estimated from the level's bits per weight.
        requantize: the source is already quantized, so quality losses compound.
        larger: the level has more bits per weight than the (quantized) source: the result
            only stores the source's weights in more bits, and cannot be better than it.
    """

    source: GGUFInfo
    level: QuantLevel
    dest: Path
    expected_size: int
    requantize: bool
    larger: bool = False


@dataclass(frozen=True)
class Lineage:
    """Where a quantized file came from; stored beside it in ``<name>.gguf.lineage.json``.

    The source is recorded by path, size and modification time rather than by checksum:
    hashing a 100 GB file would take minutes.
    """

    source: str  # the source's absolute path at the time
    source_size: int
    source_mtime: float
    source_quantization: str
    level: str
    created: str  # ISO 8601, UTC
    llamadesk_version: str

    @property
    def source_name(self) -> str:
        return Path(self.source).name


@dataclass(frozen=True)
class QuantizeResult:
    """A finished quantization."""

    path: Path
    level: QuantLevel
    size: int
    seconds: float
    lineage: Lineage


def default_dest(source: Path, level: QuantLevel) -> Path:
    """``model-F16.gguf`` at Q4_K_M becomes ``model-Q4_K_M.gguf``, in the source's folder."""
    return source.with_name(f"{model_stem(source)}-{level.name}.gguf")


def model_stem(path: Path) -> str:
    """The file's name without ``.gguf`` and its level: ``model_q8_0.gguf`` gives ``model``."""
    stem = path.name.removesuffix(".gguf")
    # Drop a trailing level name ("-F16", "_q8_0", ".fp16"): the first cut whose rest is one.
    for cut, char in enumerate(stem):
        if char in "-._ " and cut > 0 and quant_level(stem[cut + 1 :]) is not None:
            return stem[:cut]
    return stem


def plan_quantize(
    src: Path | str, level: str, dest: Path | None = None, *, allow_requantize: bool = False
) -> QuantizePlan:
    """Check that ``src`` can become ``level`` at ``dest`` (default: `default_dest`).

    A level larger than a quantized source is planned only with ``allow_requantize``: such a
    file cannot be better than its source, but it is what a user who has only the quantized
    file can measure smaller levels against (the quant arena's Q8_0 made from Q4_1).

    Raises:
        RequantizeRequired: the level is larger than the quantized source and
            ``allow_requantize`` is False.
        QuantizeError: with a message for the user, if it cannot be done.
    """
    try:
        info = read_gguf_info(src)
    except GGUFError as error:
        raise QuantizeError(str(error)) from error
    target = _target_level(level)
    source_level = _source_level(info)
    larger = _check_size(info, source_level, target, allow_requantize=allow_requantize)
    path = Path(dest) if dest is not None else default_dest(info.path, target)
    expected = estimated_file_size(info.parameter_count, target)
    _check_destination(path, expected)
    return QuantizePlan(
        info, target, path, expected, requantize=source_level.quantized, larger=larger
    )


def _check_size(
    info: GGUFInfo, source: QuantLevel, target: QuantLevel, *, allow_requantize: bool
) -> bool:
    """Whether ``target`` is larger than ``source``; raise where that is not allowed."""
    source_bits, target_bits = source.bits_per_weight or 0.0, known_bits(target)
    if target_bits < source_bits:
        return False
    if target_bits == source_bits or not source.quantized:
        raise QuantizeError(
            f"{target.name} is not smaller than {info.path.name}'s own {source.name}; "
            "pick a level with fewer bits per weight."
        )
    if not allow_requantize:
        raise RequantizeRequired(
            f"{target.name} is larger than {info.path.name}'s own {source.name}: requantized "
            f"from {source.name}, it cannot be better than its source."
        )
    return True


def _target_level(name: str) -> QuantLevel:
    target = quant_level(name)
    if target is None or not target.made_here:
        known = ", ".join(level.name for level in QUANT_LEVELS)
        raise QuantizeError(f"Unknown quantization level {name!r}; known levels: {known}.")
    return target


def _source_level(info: GGUFInfo) -> QuantLevel:
    source = quant_level(info.quantization)
    if source is None:
        raise QuantizeError(
            f"{info.path.name} is stored as {info.quantization}, which LlamaDesk cannot "
            "quantize from; use an F32, F16, BF16 or Q8_0 file."
        )
    return source


def _check_destination(path: Path, expected_size: int) -> None:
    folder = path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() or _under_a_file(folder) else "does not exist"
        raise QuantizeError(f"Cannot write {path.name}: {folder} {what}.")
    if path.exists():
        raise QuantizeError(f"{path} already exists; delete it or choose another name.")
    if not os.access(folder, os.W_OK):
        raise QuantizeError(f"Cannot write in {folder}: permission denied.")
    needed = int(expected_size * _SPACE_FACTOR) + _SPACE_SLACK
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise QuantizeError(
            f"Not enough disk space in {folder}: {path.name} needs about {_gb(needed)}, "
            f"and {_gb(free)} is free."
        )


def _under_a_file(folder: Path) -> bool:
    """Whether some folder on the way to ``folder`` is a file, so that it can never exist."""
    return any(parent.is_file() for parent in folder.parents)


def _gb(size: int) -> str:
    return f"{size / 1e9:.2f} GB"


def quantize(
    src: Path | str,
    level: str,
    dest: Path | None = None,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    allow_requantize: bool = False,
) -> QuantizeResult:
    """Quantize ``src`` to ``level`` and return the result, which loads in llama.cpp.

    Blocks until done; call it from a worker thread. ``progress`` gets a fraction from 0 to 1
    on the calling thread, once per tensor (a few hundred times in all; a GUI should coalesce
    them); setting ``cancel`` from any thread stops the work within about 0.1 s.

    The child is started with multiprocessing's "spawn", which imports the caller's main
    module again: a script that calls this needs the usual ``if __name__ == "__main__":``
    guard, and a frozen app must call ``multiprocessing.freeze_support()`` first thing.

    Raises:
        RequantizeRequired: the source is already quantized and ``allow_requantize`` is False.
        QuantizeError: the plan cannot go ahead, llama.cpp failed or crashed, or the result
            does not load; nothing was left behind.
        QuantizeCancelled: ``cancel`` was set; nothing was left behind.
    """
    plan = plan_quantize(src, level, dest, allow_requantize=allow_requantize)
    if plan.requantize and not allow_requantize:
        raise RequantizeRequired(
            f"{plan.source.path.name} is already quantized ({plan.source.quantization}); "
            f"quantizing it again to {plan.level.name} compounds the quality losses. "
            "Quantize from an F16 or F32 file if you have one."
        )
    return _run_plan(plan, progress or (lambda _fraction: None), cancel or threading.Event())


def _run_plan(plan: QuantizePlan, report: Progress, cancel: threading.Event) -> QuantizeResult:
    started = time.perf_counter()
    partial = _claim_partial(plan.dest)
    try:
        _run_child(plan, partial, report, cancel)
        _check_header(partial, plan)
        lineage = _lineage(plan)
        _install(partial, plan.dest, lineage)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    report(1.0)
    size = plan.dest.stat().st_size
    return QuantizeResult(plan.dest, plan.level, size, time.perf_counter() - started, lineage)


def _claim_partial(dest: Path) -> Path:
    """Create the empty temporary file the child writes: the real test that we may write."""
    partial = dest.with_name(f".{dest.name}.{os.getpid()}.{threading.get_ident()}.partial")
    try:
        partial.open("xb").close()
    except OSError as error:
        raise QuantizeError(f"Cannot write in {dest.parent}: {error.strerror or error}") from error
    return partial


def _run_child(
    plan: QuantizePlan, partial: Path, report: Progress, cancel: threading.Event
) -> None:
    # "spawn": a fresh interpreter. Forking a process that runs Qt and llama.cpp threads can
    # copy a lock some other thread holds, and hang the child.
    ftype = plan.level.llama_ftype
    if ftype is None:  # _target_level refuses the hub's own levels; a plan made by hand may not
        raise QuantizeError(f"LlamaDesk cannot make {plan.level.name} files.")
    context = multiprocessing.get_context("spawn")
    reader, writer = context.Pipe(duplex=False)
    descriptor, stderr_path = tempfile.mkstemp(prefix="llamadesk-quantize-", suffix=".log")
    os.close(descriptor)
    job = quantize_child.ChildJob(
        source=str(plan.source.path),
        partial=str(partial),
        ftype=ftype,
        allow_requantize=plan.requantize,
        total_weights=plan.source.parameter_count,
        stderr_path=stderr_path,
    )
    child = context.Process(
        target=quantize_child.run, args=(writer, job), name="llamadesk-quantize", daemon=True
    )
    try:
        child.start()
        writer.close()  # the child's copy is its only one: its death now reads as end-of-file
        _follow(child, reader, plan, report, cancel)
    except EOFError:
        raise _crash_error(child, plan, Path(stderr_path)) from None
    finally:
        reader.close()
        _stop(child)
        os.unlink(stderr_path)


def _follow(
    child: BaseProcess,
    reader: Connection,
    plan: QuantizePlan,
    report: Progress,
    cancel: threading.Event,
) -> None:
    """Relay the child's progress until it is done; raise if it fails, crashes or is cancelled."""
    while True:
        if cancel.is_set():
            raise QuantizeCancelled(f"Quantizing {plan.source.path.name} was cancelled.")
        if not reader.poll(_POLL_SECONDS):
            continue
        kind, value = reader.recv()  # EOFError: the child died without a word
        if kind == "progress":
            report(value * _QUANTIZE_SHARE)
        elif kind == "done":
            return
        else:
            raise QuantizeError(str(value))


def _stop(child: BaseProcess) -> None:
    """Kill the child if it still runs, and reap it."""
    if child.is_alive():
        child.kill()
    child.join(_KILL_WAIT_SECONDS)


def _crash_error(child: BaseProcess, plan: QuantizePlan, stderr_file: Path) -> QuantizeError:
    child.join(_KILL_WAIT_SECONDS)
    code = child.exitcode
    name = plan.source.path.name
    said = _last_line(stderr_file)
    detail = f": {said}" if said else ""
    if code is not None and code < 0:
        hint = " (the system may have run out of memory)" if -code == signal.SIGKILL else ""
        return QuantizeError(
            f"llama.cpp crashed ({_signal_name(-code)}) while quantizing {name}{hint}{detail}; "
            "no file was written."
        )
    return QuantizeError(
        f"The quantization of {name} stopped unexpectedly (exit code {code}){detail}; "
        "no file was written."
    )


def _last_line(path: Path) -> str:
    """The last non-empty line the child wrote to its standard error, shortened."""
    lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return lines[-1].strip()[:_MAX_QUOTED] if lines else ""


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _check_header(partial: Path, plan: QuantizePlan) -> None:
    try:
        written = read_gguf_info(partial).quantization
    except GGUFError as error:
        raise QuantizeError(f"The quantized file is damaged: {error}") from error
    if written != plan.level.name:
        raise QuantizeError(
            f"llama.cpp wrote a {written} file instead of {plan.level.name}; nothing was kept."
        )


def _install(partial: Path, dest: Path, lineage: Lineage) -> None:
    """Write the lineage, then give the result its final name; neither stays without the other."""
    lineage_file = lineage_path(dest)
    try:
        write_json_atomic(lineage_file, asdict(lineage))
        os.replace(partial, dest)
    except OSError as error:
        lineage_file.unlink(missing_ok=True)
        raise QuantizeError(f"Cannot write {dest}: {error.strerror or error}") from error


def _lineage(plan: QuantizePlan) -> Lineage:
    source = plan.source
    stat = source.path.stat()
    return Lineage(
        source=str(source.path.resolve()),
        source_size=stat.st_size,
        source_mtime=stat.st_mtime,
        source_quantization=source.quantization,
        level=plan.level.name,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        llamadesk_version=__version__,
    )


def lineage_path(model: Path) -> Path:
    """Where the lineage of ``model`` is kept (delete it with the model)."""
    return model.with_name(model.name + LINEAGE_SUFFIX)


def read_lineage(model: Path | str) -> Lineage | None:
    """The lineage recorded for ``model``, or None if it has none (or it is unreadable)."""
    return dataclass_from_json(Lineage, read_json(lineage_path(Path(model))))
