"""A queue of hub downloads, run one at a time on a thread of their own.

`DownloadManager` lives on the GUI thread; a `_Worker` moved to a QThread runs each
`DownloadJob`. The jobs' progress callbacks run on that thread and reach the manager as queued
signals, so every public signal is emitted on the GUI thread with plain values.
"""

from __future__ import annotations

import enum
import logging
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThread, Signal, Slot

from llamadesk.core.downloads import (
    DownloadCancelled,
    DownloadError,
    DownloadJob,
    DownloadProgress,
)

log = logging.getLogger(__name__)


class DownloadState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "downloading"
    PAUSED = "paused"
    FAILED = "failed"
    DONE = "done"


@dataclass(frozen=True)
class DownloadStatus:
    """Where one job of the queue stands, for a downloads panel.

    Args:
        key: "repo/filename", the job's identity.
        message: why it failed (for FAILED).
        path: the verified file (for DONE).
    """

    key: str
    repo: str
    filename: str
    state: DownloadState
    done: int = 0
    total: int = 0
    speed: float = 0.0
    message: str = ""
    path: Path | None = None

    @property
    def seconds_left(self) -> float | None:
        return DownloadProgress(self.done, self.total, self.speed).seconds_left


def job_key(repo: str, filename: str) -> str:
    """The key a download of ``filename`` from ``repo`` goes by."""
    return f"{repo}/{filename}"


class _Worker(QObject):
    """Lives on the download thread; `run` blocks it for the length of one job."""

    progress = Signal(str, object)  # key, DownloadProgress
    finished = Signal(str, object)  # key, Path
    failed = Signal(str, str)
    cancelled = Signal(str)

    @Slot(str, object)
    def run(self, key: str, job: DownloadJob) -> None:
        job.on_progress = lambda progress: self.progress.emit(key, progress)
        try:
            path = job.run()
        except DownloadCancelled:
            self.cancelled.emit(key)
        except DownloadError as error:
            self.failed.emit(key, str(error))
        except Exception as error:  # a bug: this file fails, the queue goes on, the log knows
            log.exception("Download of %s failed unexpectedly", key)
            self.failed.emit(
                key,
                f"The download of {job.local_name} failed unexpectedly ({type(error).__name__}: "
                f"{error}); the details are in the log. Try again.",
            )
        else:
            self.finished.emit(key, path)


class DownloadManager(QObject):
    """Downloads hub files into ``dest_dir``, one after the other.

    Args:
        dest_dir: the models folder.
        endpoint: the hub's address; None uses HF_ENDPOINT or huggingface.co (tests set it).

    Signals:
        job_added(str): a job was queued (its key).
        progress(str, object, object, float): key, bytes done, bytes in all, bytes a second.
        finished(str, object): key and the verified file's Path.
        failed(str, str): key and a message that says what to do.
        paused(str): the job stopped; its bytes are kept for `resume`.
        cancelled(str): the job was removed and its partial data deleted.
        queue_changed(): any job changed state; `jobs()` has the new picture.
    """

    job_added = Signal(str)
    progress = Signal(str, object, object, float)
    finished = Signal(str, object)
    failed = Signal(str, str)
    paused = Signal(str)
    cancelled = Signal(str)
    queue_changed = Signal()

    _run_requested = Signal(str, object)

    def __init__(
        self, dest_dir: Path, endpoint: str | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.dest_dir = Path(dest_dir)
        self.endpoint = endpoint
        self._jobs: dict[str, DownloadJob] = {}
        self._status: dict[str, DownloadStatus] = {}
        self._queue: deque[str] = deque()
        self._running: str | None = None
        # What to do once the running job reports back from a cancel: pause or remove it.
        self._stopping: dict[str, DownloadState | None] = {}
        self._thread = QThread()
        self._thread.setObjectName("llamadesk-downloads")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._run_requested.connect(self._worker.run)
        self._worker.progress.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self._on_cancelled)
        self._thread.start()

    def jobs(self) -> list[DownloadStatus]:
        """Every job the manager knows, in the order they were added."""
        return list(self._status.values())

    def status(self, key: str) -> DownloadStatus | None:
        return self._status.get(key)

    def add(
        self, repo: str, filename: str, *, sha256: str | None = None, size: int | None = None
    ) -> str:
        """Queue a download and return its key; a job already known is resumed instead.

        Raises:
            DownloadError: the repository id or file name is unusable (nothing is queued).
        """
        key = job_key(repo, filename)
        if key in self._jobs and self._status[key].state is not DownloadState.DONE:
            self.resume(key)
            return key
        self.dest_dir.mkdir(parents=True, exist_ok=True)
        self._jobs[key] = DownloadJob(
            repo, filename, self.dest_dir, sha256=sha256, size=size, endpoint=self.endpoint
        )
        self._status[key] = DownloadStatus(
            key, repo, filename, DownloadState.QUEUED, total=size or 0
        )
        self._queue.append(key)
        self.job_added.emit(key)
        self._changed()
        return key

    def pause(self, key: str) -> None:
        """Stop a job, keeping its bytes; `resume` continues from them."""
        self._stop(key, DownloadState.PAUSED)

    def resume(self, key: str) -> None:
        """Queue a paused or failed job again; it continues from the bytes kept."""
        status = self._status.get(key)
        if status is None or status.state not in (DownloadState.PAUSED, DownloadState.FAILED):
            return
        self._jobs[key] = self._jobs[key].retry()
        self._set(key, state=DownloadState.QUEUED, message="")
        self._queue.append(key)
        self._changed()

    def cancel(self, key: str) -> None:
        """Remove a job and delete the bytes it kept (a finished file stays)."""
        self._stop(key, None)

    def shutdown(self) -> None:
        """Stop the running job (its bytes are kept for next time) and join the thread."""
        if not self._thread.isRunning():
            return
        self._queue.clear()
        if self._running is not None:
            self._jobs[self._running].cancel()
        self._thread.quit()
        self._thread.wait()
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)

    def _stop(self, key: str, then: DownloadState | None) -> None:
        if key not in self._status:
            return
        if key == self._running:
            self._stopping[key] = then
            self._jobs[key].cancel()  # the worker answers with `cancelled`
            return
        if key in self._queue:
            self._queue.remove(key)
        self._settle(key, then)

    def _settle(self, key: str, then: DownloadState | None) -> None:
        """A stopped job becomes paused, or is forgotten with its partial data."""
        if then is DownloadState.PAUSED:
            self._set(key, state=DownloadState.PAUSED, speed=0.0)
            self.paused.emit(key)
        elif self._status[key].state is not DownloadState.DONE:
            self._jobs.pop(key).remove_partial()
            del self._status[key]
            self.cancelled.emit(key)
        else:  # removing a finished job from the list leaves its file alone
            del self._jobs[key], self._status[key]
        self._changed()

    def _start_next(self) -> None:
        if self._running is not None or not self._queue:
            return
        key = self._queue.popleft()
        self._running = key
        job = self._jobs[key]
        self._set(key, state=DownloadState.RUNNING, done=job.partial_bytes())
        self._run_requested.emit(key, job)

    def _changed(self) -> None:
        self._start_next()
        self.queue_changed.emit()

    def _set(self, key: str, **changes: Any) -> None:
        self._status[key] = replace(self._status[key], **changes)

    @Slot(str, object)
    def _on_progress(self, key: str, progress: DownloadProgress) -> None:
        if key not in self._status:
            return
        self._set(key, done=progress.done, total=progress.total, speed=progress.speed)
        self.progress.emit(key, progress.done, progress.total, progress.speed)

    @Slot(str, object)
    def _on_finished(self, key: str, path: Path) -> None:
        self._running = None
        total = self._status[key].total or path.stat().st_size
        self._set(key, state=DownloadState.DONE, done=total, total=total, speed=0.0, path=path)
        self.finished.emit(key, path)
        self._changed()

    @Slot(str, str)
    def _on_failed(self, key: str, message: str) -> None:
        self._running = None
        self._stopping.pop(key, None)
        self._set(key, state=DownloadState.FAILED, speed=0.0, message=message)
        self.failed.emit(key, message)
        self._changed()

    @Slot(str)
    def _on_cancelled(self, key: str) -> None:
        self._running = None
        # No entry: shutdown cancelled it; the bytes stay for the next start.
        then = self._stopping.pop(key, DownloadState.PAUSED)
        self._settle(key, then)
