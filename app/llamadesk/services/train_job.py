"""Teach a model the user's preferences off the GUI thread, with a real Cancel.

`PreviewJob` reads what training would use (the store belongs to the worker's thread);
`TrainJob` runs `training.train`, whose child process the cancel kills.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from llamadesk.core.adapters import adapters_for
from llamadesk.core.duel import TunedDuel, tuned_duel
from llamadesk.core.evaluate import load_reports
from llamadesk.core.paths import app_paths
from llamadesk.core.store import Store, StoreError
from llamadesk.core.training import (
    Method,
    TrainCancelled,
    TrainData,
    TrainError,
    TrainProgress,
    TrainSettings,
    train,
    training_data,
)
from llamadesk.services.background import Job, JobRunner, unexpected_failure


@dataclass(frozen=True)
class Preview:
    """What training would use, and how the adapters already trained fare in the duel."""

    data: TrainData
    duels: list[TunedDuel]  # the adapters of this model, newest first


def read_preview(database: Path, model: Path, method: Method) -> Preview:
    """`Preview` from the store at ``database``, opened on the calling (worker) thread."""
    try:
        with Store(database) as store:
            reports = load_reports()
            duels = [
                tuned_duel(store, adapter, lineage, model, reports)
                for adapter, lineage in adapters_for(model, [app_paths().models])
            ]
            return Preview(training_data(store, model, method), duels)
    except StoreError as error:
        raise TrainError(f"Your ratings cannot be read: {error}") from error


def read_training_data(database: Path, model: Path, method: Method) -> TrainData:
    """`training_data` from the store at ``database``, opened on the calling (worker) thread."""
    try:
        with Store(database) as store:
            return training_data(store, model, method)
    except StoreError as error:
        raise TrainError(f"Your ratings cannot be read: {error}") from error


class TrainJob(QObject):
    """Preview and training on a worker thread; one at a time.

    Signals:
        previewed(object): the `Preview` a preview found.
        status(str): what training does now ("Loading the model", ...).
        step(object): a `TrainProgress`, after each step.
        finished(object): the `TrainResult`.
        failed(str): one sentence for the user; nothing was left behind.
        cancelled(): ``cancel()`` took effect.
        done(): after any of the four above.
    """

    previewed = Signal(object)
    status = Signal(str)
    step = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()

    # Emitted on the worker, queued to the GUI thread.
    _status = Signal(str)
    _step = Signal(object)

    def __init__(self, runner: JobRunner, database: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._database = database
        self._cancel = threading.Event()
        self._job: Job | None = None
        self._status.connect(self.status)
        self._step.connect(self.step)

    @property
    def running(self) -> bool:
        return self._job is not None

    def preview(self, model: Path, method: Method) -> None:
        """Read the examples rated on ``model`` and its adapters' duels; ``previewed`` carries
        them."""
        self._start(lambda: read_preview(self._database, model, method), preview=True)

    def start(self, model: Path, settings: TrainSettings, out: Path | None = None) -> None:
        """Read the examples again (the user may have rated more), then train."""

        def work() -> object:
            data = read_training_data(self._database, model, settings.method)
            return train(
                model,
                data,
                settings,
                out,
                progress=self._step.emit,
                status=self._status.emit,
                cancel=self._cancel,
            )

        self._start(work, preview=False)

    def cancel(self) -> None:
        """Kill the training child; ``cancelled`` follows within about 0.1 s."""
        self._cancel.set()

    def wait(self) -> None:
        """Block until the worker has ended (a window closing)."""
        self._runner.wait_for_all()

    def _start(self, work: object, *, preview: bool) -> None:
        if self.running:
            raise RuntimeError("training is already running")
        self._cancel.clear()
        self._job = self._runner.start(work)  # type: ignore[arg-type]
        self._job.finished.connect(self._on_previewed if preview else self._on_finished)
        self._job.failed.connect(self._on_failed)

    @Slot(object)
    def _on_previewed(self, data: object) -> None:
        self._job = None
        self.previewed.emit(data)
        self.done.emit()

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        self._job = None
        self.finished.emit(result)
        self.done.emit()

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self._job = None
        if isinstance(error, TrainCancelled):
            self.cancelled.emit()
        elif isinstance(error, TrainError):
            self.failed.emit(str(error))
        else:
            self.failed.emit(unexpected_failure(error, "Training"))
        self.done.emit()


__all__ = ["Preview", "TrainJob", "TrainProgress", "read_preview", "read_training_data"]
