"""Quantize a model, or measure one against another, off the GUI thread, with a real Cancel.

Both are long calls into core (`quantize`, `evaluate`) that report progress from the worker
and stop when a `threading.Event` is set. The jobs here run them on a `JobRunner`, coalesce
the progress to a rate a progress bar can use, and turn the outcome into signals on the GUI
thread. ``wait()`` joins the worker, for a window that closes while one runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from llamadesk.core.evaluate import (
    EvaluationCancelled,
    EvaluationError,
    SavedReport,
    conversations_text,
    evaluate,
    save_report,
)
from llamadesk.core.quantize import QuantizeCancelled, QuantizeError, QuantizeResult, quantize
from llamadesk.core.remote_evaluate import RemoteReference, evaluate_remote
from llamadesk.core.store import Store, StoreError
from llamadesk.services.background import Job, JobRunner, unexpected_failure

PROGRESS_INTERVAL = 0.1  # seconds between progress signals: at most 10 a second
# Tokens measured from the chosen text: a few minutes for a 7B model on a CPU, and enough
# for a steady mean (the user's stored conversations can run to 50,000 tokens).
EVALUATION_TOKENS = 4096
# Against a model on a server, one request per token: a minute or two on a fast server.
REMOTE_EVALUATION_TOKENS = 256


class CancellableJob(QObject):
    """One long core call on a worker thread.

    Signals:
        progress(float): share done, 0 to 1; the first report always, then at most 10 a second.
        finished(object): the call's result.
        failed(str): a message for the user; nothing was left behind. An unexpected exception
            (a bug) ends here too, with its traceback in the log.
        cancelled(): ``cancel()`` took effect.
        done(): after any of the three above.
    """

    progress = Signal(float)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()

    _reported = Signal(float)  # emitted on the worker; queued to the GUI thread

    # The exceptions that mean "cancelled" and "failed, with a message for the user"; any
    # other exception is a bug: logged, and said as one sentence.
    _cancelled_error: type[Exception]
    _user_error: type[Exception]
    _doing: str  # what the job does, to name it in the message about a bug

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._cancel = threading.Event()
        self._job: Job | None = None
        self._last_report = -float("inf")
        self._reported.connect(self._on_reported)

    @property
    def running(self) -> bool:
        """Started and not yet done."""
        return self._job is not None

    def cancel(self) -> None:
        """Ask the worker to stop; ``cancelled`` follows once it has (quantize: ~0.1 s)."""
        self._cancel.set()

    def wait(self) -> None:
        """Block until the worker has ended and its signals were delivered (shutdown)."""
        self._runner.wait_for_all()

    def _start(self, work: Callable[[], Any]) -> None:
        if self.running:
            raise RuntimeError("this job is already running")
        self._cancel.clear()
        self._last_report = -float("inf")
        self._job = self._runner.start(work)
        self._job.finished.connect(self._on_finished)
        self._job.failed.connect(self._on_failed)

    def _report(self, fraction: float) -> None:
        """The core's progress callback, on the worker thread."""
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last_report >= PROGRESS_INTERVAL:
            self._last_report = now
            self._reported.emit(fraction)

    @Slot(float)
    def _on_reported(self, fraction: float) -> None:
        self.progress.emit(fraction)

    @Slot(object)
    def _on_finished(self, value: object) -> None:
        self._job = None
        self.finished.emit(value)
        self.done.emit()

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self._job = None
        if isinstance(error, self._cancelled_error):
            self.cancelled.emit()
        elif isinstance(error, self._user_error):
            self.failed.emit(str(error))
        else:
            self.failed.emit(unexpected_failure(error, self._doing))
        self.done.emit()


class QuantizeJob(CancellableJob):
    """`quantize` on a worker; ``finished`` carries the `QuantizeResult`."""

    _cancelled_error = QuantizeCancelled
    _user_error = QuantizeError
    _doing = "Quantizing"

    def start(self, source: Path, level: str, *, allow_requantize: bool = False) -> None:
        """Quantize ``source`` to ``level`` beside it (the core's default name)."""

        def work() -> QuantizeResult:
            return quantize(
                source,
                level,
                progress=self._report,
                cancel=self._cancel,
                allow_requantize=allow_requantize,
            )

        self._start(work)


TextSource = Callable[[], str]  # reads the text to measure on, on the worker thread


def stored_conversations(database: Path) -> TextSource:
    """The user's conversations in the database at ``database``, read on the worker (a
    sqlite connection belongs to the thread that opened it)."""

    def read() -> str:
        try:
            store = Store(database)
        except StoreError as error:
            raise EvaluationError(f"Your conversations cannot be read: {error}") from error
        try:
            return conversations_text(store)
        finally:
            store.close()

    return read


def file_text(path: Path) -> TextSource:
    """The text of the file at ``path``, read on the worker (it may be large)."""

    def read() -> str:
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            raise EvaluationError(f"{path.name} cannot be read: {error.strerror}") from error

    return read


class EvaluationJob(CancellableJob):
    """`evaluate` on a worker, then `save_report`; ``finished`` carries the `SavedReport`."""

    _cancelled_error = EvaluationCancelled
    _user_error = EvaluationError
    _doing = "The measurement"

    def start(
        self, model: Path, reference: Path | RemoteReference, text: TextSource, text_source: str
    ) -> None:
        """Measure ``model`` against ``reference`` (a file, or a model on a server) on
        ``text()``, described as ``text_source`` (e.g. "your conversations") in the saved
        report."""

        def work() -> SavedReport:
            if isinstance(reference, RemoteReference):
                report = evaluate_remote(
                    model,
                    reference,
                    text(),
                    max_tokens=REMOTE_EVALUATION_TOKENS,
                    progress=self._report,
                    cancel=self._cancel,
                )
            else:
                report = evaluate(
                    model,
                    reference,
                    text(),
                    max_tokens=EVALUATION_TOKENS,
                    progress=self._report,
                    cancel=self._cancel,
                )
            try:
                return save_report(report, text_source)
            except OSError as error:
                raise EvaluationError(f"The result could not be saved: {error}") from error

        self._start(work)
