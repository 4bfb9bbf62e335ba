"""Run a plain function off the GUI thread; its result or its exception comes back as a signal.

The shape of superqt's ``thread_worker``, cut down to what the app needs: a `JobRunner` owns a
thread pool, `JobRunner.start(function, *args)` returns a `Job`, and the job's signals are
emitted on the thread that started it (the GUI thread), where slots may touch widgets.

The function runs on a pool thread, so it must not use objects tied to another thread: give
it a database path and let it open its own ``Store`` (a sqlite connection is per thread).

The failure contract: a job always ends with ``finished`` or ``failed``, then ``done``, whatever
the function raised. A job whose ``failed`` nobody connected raises the exception again on the
GUI thread (superqt's rule), where ``sys.excepthook`` logs it and shows it: no error vanishes.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMetaMethod,
    QObject,
    QThreadPool,
    Signal,
    Slot,
)

log = logging.getLogger(__name__)


def unexpected_failure(error: BaseException, doing: str) -> str:
    """Log the traceback of `error`, a bug met while `doing` (e.g. "Quantizing"), and return
    one sentence for the user that says where the details are."""
    log.error("%s failed unexpectedly", doing, exc_info=error)
    return (
        f"{doing} failed unexpectedly ({type(error).__name__}: {error}); "
        "the details are in the log."
    )


class Job(QObject):
    """One call of a function on a pool thread.

    Connect to the signals right after `JobRunner.start` returns: they are emitted from the
    GUI thread's event loop, never before control gets back to it.

    Signals:
        finished(object): the function returned this value.
        failed(object): the function raised this exception (its traceback is attached). With
            nothing connected, the exception is raised again on the GUI thread instead.
        done(): after ``finished`` or ``failed``, whichever it was.
    """

    finished = Signal(object)
    failed = Signal(object)
    done = Signal()

    # Emitted on the pool thread. Their receivers live on the GUI thread, so Qt queues the
    # calls there; the public signals are then emitted from the GUI thread, after the caller
    # had its chance to connect.
    _returned = Signal(object)
    _raised = Signal(object)

    def __init__(
        self, function: Callable[..., Any], args: tuple[Any, ...], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._function = function
        self._args = args
        self._started = False
        self._returned.connect(self._on_returned)
        self._raised.connect(self._on_raised)

    @property
    def started(self) -> bool:
        """The function has begun to run (or already ran)."""
        return self._started

    def run(self) -> None:
        """Call the function; the pool calls this on its own thread."""
        self._started = True
        try:
            value = self._function(*self._args)
        except BaseException as error:  # every failure goes to the GUI thread as a signal
            self._raised.emit(error)
        else:
            self._returned.emit(value)

    @Slot(object)
    def _on_returned(self, value: object) -> None:
        self.finished.emit(value)
        self.done.emit()

    @Slot(object)
    def _on_raised(self, error: BaseException) -> None:
        handled = self.isSignalConnected(QMetaMethod.fromSignal(self.failed))
        self.failed.emit(error)
        self.done.emit()
        if not handled:
            # Nobody asked to hear of it: raised in this slot, on the GUI thread, it reaches
            # sys.excepthook, which logs it and tells the user.
            if not isinstance(error, Exception):  # a SystemExit raised here would end the app
                raise RuntimeError(f"A background job raised {error!r}") from error
            raise error


class JobRunner(QObject):
    """Runs jobs on a thread pool of its own, and can wait for all of them.

    Args:
        max_threads: how many jobs may run at once. With 1 (the default), jobs run one after
            the other in the order they were started, so a read started after a write sees it.
        parent: the usual QObject parent.
    """

    def __init__(self, max_threads: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._jobs: set[Job] = set()

    @property
    def busy(self) -> bool:
        """Some job has not yet delivered its result."""
        return bool(self._jobs)

    def start(self, function: Callable[..., Any], *args: Any) -> Job:
        """Queue ``function(*args)`` to run on the pool; returns its job."""
        # A child of the runner, so Qt (not Python's reference count) decides when it goes:
        # deleteLater, once its signals were delivered and the event loop is back in charge.
        job = Job(function, args, self)
        self._jobs.add(job)
        job.done.connect(functools.partial(self._forget, job))
        self._pool.start(job.run)
        return job

    def _forget(self, job: Job) -> None:
        self._jobs.discard(job)
        job.deleteLater()

    def wait_for_all(self, timeout_ms: int = -1) -> bool:
        """Block until every job has run and delivered its signals; False on timeout.

        For shutdown and tests: the GUI thread should not wait on disk.
        """
        finished = self._pool.waitForDone(timeout_ms)
        # The results sit in the event queue; deliver them now, not at the next loop turn.
        for job in list(self._jobs):
            QCoreApplication.sendPostedEvents(job, QEvent.Type.MetaCall)
        return finished


class SerialService(QObject):
    """A service whose background jobs run one after the other, in the order they were
    started (a read started after a write sees it), on a runner of its own."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = JobRunner(max_threads=1, parent=self)

    @property
    def busy(self) -> bool:
        """A job has not finished yet."""
        return self._runner.busy

    def wait_for_all(self, timeout_ms: int = -1) -> bool:
        """Block until every job is done and its signals delivered; for shutdown and tests."""
        return self._runner.wait_for_all(timeout_ms)
