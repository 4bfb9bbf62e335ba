"""The part of quantization that runs in a child process: llama.cpp's own routine, then a load.

`quantize.quantize` starts `run` in a process of its own, so that a cancel can kill it (a call
into C cannot be interrupted) and a crash in llama.cpp cannot take the app down. The child
tells the parent how far it got over a one-way pipe:

- ``("progress", fraction)``: the share of the source's weights quantized so far;
- ``("done", None)``: the file is written and loads;
- ``("failed", message)``: llama.cpp refused, or the result does not load; the message says
  why.

A child that ends without "done" or "failed" crashed; the parent reads its exit status.

Nothing here imports llama_cpp at module level: the parent imports this module only to name
`run` as the child's entry point.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import multiprocessing
import os
import re
import signal
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# Test hook: when this variable is set, the child aborts (SIGABRT) as the first tensor is
# quantized, as a crashing llama.cpp would. tests/test_quantize.py sets it; nothing else should.
ABORT_FOR_TEST_ENV = "LLAMADESK_TEST_QUANTIZE_ABORT"

# llama.cpp logs one line per tensor as it starts on it (llama_model_quantize_impl):
# "[  12/ 201]                  blk.0.attn_q.weight - [  2048,  2048,     1,     1], type = ..."
_TENSOR_LINE = re.compile(r"\[\s*\d+/\s*\d+\]\s+\S+\s+-\s+\[([\d,\s]+)\]")
# GGML_LOG_LEVEL_ERROR in ggml.h (the comment in llama-cpp-python's _logger.py predates DEBUG=1).
_LOG_ERROR = 4
_CHECK_CONTEXT = 64  # tokens: a context as small as any


@dataclass(frozen=True)
class ChildJob:
    """What the child is to do. Plain values: it is pickled to the child.

    Args:
        source: the file to quantize.
        partial: where to write the result (the parent deletes it on any failure).
        ftype: llama.cpp's LLAMA_FTYPE_* value of the target level.
        allow_requantize: let llama.cpp quantize tensors that are already quantized.
        total_weights: the number of weights in the source, the 100% of the progress.
        stderr_path: a file to take the child's standard error (llama.cpp's assertion
            messages, a Python traceback), for the parent to quote if the child crashes.
    """

    source: str
    partial: str
    ftype: int
    allow_requantize: bool
    total_weights: int
    stderr_path: str


class _LogReader:
    """Reads llama.cpp's log: its per-tensor lines become progress (the weights of the tensors
    done, over all), its error lines are kept to explain a failure.

    Counting weights rather than tensors: a model's many small norms take no time, while its
    embedding and output matrices take the most.
    """

    def __init__(self, total_weights: int, report: Callable[[float], None]) -> None:
        self._total = max(total_weights, 1)
        self._report = report
        self._done = 0
        self._current = 0  # weights of the tensor llama.cpp is working on
        self.errors: list[str] = []

    def on_log(self, level: int, text: str) -> None:
        if level == _LOG_ERROR:
            self.errors.append(text.strip())
            return
        match = _TENSOR_LINE.match(text)
        if match is None:
            return
        self._done += self._current
        self._current = math.prod(int(dim) for dim in match.group(1).split(","))
        if os.environ.get(ABORT_FOR_TEST_ENV):
            os.abort()
        self._report(min(self._done / self._total, 1.0))


def run(conn: Connection, job: ChildJob) -> None:
    """The child's entry point: quantize, check the result loads, say how it went."""
    # Ctrl-C in a terminal reaches the whole process group; the parent owns it and kills us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _redirect_stderr(job.stderr_path)
    import llama_cpp

    with conn:
        log = _LogReader(job.total_weights, lambda f: _send_progress(conn, job, f))
        # Held in a local for the child's whole life: llama.cpp calls it until we exit, and
        # ctypes frees the trampoline with the Python object.
        callback = _log_callback(llama_cpp, log)
        llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
        failure = _quantize(llama_cpp, job, log) or _check_loads(llama_cpp, job, log)
        conn.send(("failed", failure) if failure else ("done", None))


def _send_progress(conn: Connection, job: ChildJob, fraction: float) -> None:
    parent = multiprocessing.parent_process()
    if parent is not None and not parent.is_alive():
        # The app died without stopping us (killed, or crashed itself): leave nothing behind.
        with contextlib.suppress(OSError):
            os.unlink(job.partial)
        os._exit(1)
    conn.send(("progress", fraction))


def _redirect_stderr(path: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND)
    os.dup2(descriptor, 2)
    os.close(descriptor)


def _quantize(llama_cpp: Any, job: ChildJob, log: _LogReader) -> str:
    """Run llama_model_quantize; an error message, or "" on success."""
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = job.ftype
    params.allow_requantize = job.allow_requantize
    status = llama_cpp.llama_model_quantize(
        job.source.encode(), job.partial.encode(), ctypes.byref(params)
    )
    if status == 0:
        return ""
    detail = "; ".join(log.errors) or f"error code {status}"
    return f"llama.cpp could not quantize {Path(job.source).name}: {detail}"


def _log_callback(llama_cpp: Any, log: _LogReader) -> Any:
    @llama_cpp.llama_log_callback  # type: ignore[untyped-decorator]
    def on_log(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
        log.on_log(level, text.decode("utf-8", errors="replace"))

    return on_log


def _check_loads(llama_cpp: Any, job: ChildJob, log: _LogReader) -> str:
    """Load the result with llama.cpp and give it a small context; an error message, or "".

    The loader checks every tensor the architecture needs (name, shape, type, place in the
    file) and the context reserves the compute buffers. Without the CPU repack
    (use_extra_bufts), which only copies weights into another layout and would make this
    check take about a second per GB.
    """
    log.errors.clear()
    model_params = llama_cpp.llama_model_default_params()
    model_params.use_extra_bufts = False
    model = llama_cpp.llama_model_load_from_file(job.partial.encode(), model_params)
    if not model:
        return _unusable(job, log)
    try:
        context_params = llama_cpp.llama_context_default_params()
        context_params.n_ctx = context_params.n_batch = context_params.n_ubatch = _CHECK_CONTEXT
        context = llama_cpp.llama_init_from_model(model, context_params)
        if not context:
            return _unusable(job, log)
        llama_cpp.llama_free(context)
    finally:
        llama_cpp.llama_model_free(model)
    return ""


def _unusable(job: ChildJob, log: _LogReader) -> str:
    detail = "; ".join(log.errors) or "no reason given"
    return f"The quantized {Path(job.source).name} does not load in llama.cpp: {detail}"
