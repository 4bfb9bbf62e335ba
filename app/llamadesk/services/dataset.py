"""The rated data set for the window: read, pairs deleted and exports written off the GUI thread.

Reading a thousand pairs with the leaderboard takes most of a second, and an export can take
seconds, so every job here runs on a background thread with a database connection of its own.
The jobs run one at a time, in the order they were asked for: a refresh asked for after a
delete sees the delete.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from llamadesk.core.dataset import Dataset, RatingRef, delete_pair, read_dataset
from llamadesk.core.preferences import ExportError, ExportFormat, ExportResult, export
from llamadesk.core.store import Store, StoreError
from llamadesk.services.background import Job, SerialService

log = logging.getLogger(__name__)

# What can go wrong with a good program: the disk, the file system, the database file.
_EXPECTED_ERRORS = (ExportError, StoreError, sqlite3.Error, OSError)


def _read(database: Path) -> Dataset:
    with Store(database) as store:
        return read_dataset(store)


def _delete(database: Path, pair_id: str) -> RatingRef | None:
    with Store(database) as store:
        return delete_pair(store, pair_id)


def _export(
    database: Path,
    kind: ExportFormat,
    out: Path,
    since: date | None,
    model: str,
    include_reasoning: bool,
) -> ExportResult:
    with Store(database) as store:
        return export(
            store, kind, out, since=since, model=model, include_reasoning=include_reasoning
        )


def _describe(error: object) -> str:
    """A message for the user; an unexpected error is a bug, so it is logged too."""
    if isinstance(error, _EXPECTED_ERRORS):
        return str(error)
    log.error("Data set job failed", exc_info=error if isinstance(error, Exception) else None)
    return f"Something went wrong: {type(error).__name__}: {error}"


class DatasetService(SerialService):
    """The ratings in the database file ``database``, as a data set.

    Args:
        database: the chat history's SQLite file (``AppPaths.database``).
        parent: the usual QObject parent.

    Signals:
        loaded(Dataset): a fresh read of the counts, the pairs and the leaderboard.
        changed(): ratings changed: a pair was deleted here, or `mark_changed` was called.
        export_done(ExportResult): an export was written (``count`` 0: an empty file).
        export_failed(str): an export could not be written; nothing was left behind.
        failed(str): a read or a delete failed; the message says why.
    """

    loaded = Signal(object)
    changed = Signal()
    export_done = Signal(object)
    export_failed = Signal(str)
    failed = Signal(str)

    def __init__(self, database: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = Path(database)
        self._queued_read: Job | None = None

    def refresh(self) -> None:
        """Read the data set in the background; it arrives as `loaded`."""
        # A read that has not started yet will see every change made so far: one is enough.
        if self._queued_read is not None and not self._queued_read.started:
            return
        job = self._runner.start(_read, self.database)
        job.finished.connect(self.loaded)
        job.failed.connect(self._on_failed)
        job.done.connect(self._on_read_done)
        self._queued_read = job

    def delete_pair(self, pair_id: str) -> None:
        """Take back the rating the pair comes from (see ``core.dataset.delete_pair``).

        `changed` follows when it is done, and then a fresh `loaded` if anyone refreshes.
        """
        job = self._runner.start(_delete, self.database, pair_id)
        job.finished.connect(self._on_deleted)
        job.failed.connect(self._on_failed)

    def export(
        self,
        kind: ExportFormat,
        out: Path,
        *,
        since: date | None = None,
        model: str = "",
        include_reasoning: bool = False,
    ) -> None:
        """Write the ``kind`` export to ``out`` in the background (see ``preferences.export``).

        The answer is `export_done` or `export_failed`.
        """
        job = self._runner.start(
            _export, self.database, kind, Path(out), since, model, include_reasoning
        )
        job.finished.connect(self.export_done)
        job.failed.connect(self._on_export_failed)

    def mark_changed(self) -> None:
        """Say that ratings changed elsewhere (the chat, the compare view)."""
        self.changed.emit()

    @Slot()
    def _on_read_done(self) -> None:
        if self.sender() is self._queued_read:
            self._queued_read = None

    @Slot(object)
    def _on_deleted(self, _rating: RatingRef | None) -> None:
        # Even when nothing was left to delete: then another window took the rating back,
        # and what the page shows is out of date all the same.
        self.changed.emit()

    @Slot(object)
    def _on_failed(self, error: object) -> None:
        self.failed.emit(_describe(error))

    @Slot(object)
    def _on_export_failed(self, error: object) -> None:
        self.export_failed.emit(_describe(error))
