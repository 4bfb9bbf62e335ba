"""Chat exports and imports for the window, off the GUI thread.

Each job opens a database connection of its own. The jobs run one at a time, in the order
asked for; every one ends in `exported`, `imported` or `failed`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from llamadesk.core.chat_archive import ArchiveError, ImportResult
from llamadesk.core.chat_import import import_file
from llamadesk.core.chat_render import ChatExport, ChatFormat, HtmlColours, export_chats
from llamadesk.core.model_files import library_lookup
from llamadesk.core.paths import AppPaths
from llamadesk.core.preferences import ExportError
from llamadesk.core.store import Store, StoreError
from llamadesk.services.background import Job, SerialService, unexpected_failure

# What the world can do to an export or import: a bad file, a full disk, a locked database.
_EXPECTED_ERRORS = (ArchiveError, ExportError, StoreError, sqlite3.Error, OSError)


def _export(
    paths: AppPaths,
    kind: ChatFormat,
    out: Path,
    ids: Sequence[int] | None,
    colours: HtmlColours | None,
) -> ChatExport:
    with Store(paths.database) as store:
        return export_chats(store, kind, out, ids, library_lookup(paths.models), colours)


def _import(paths: AppPaths, source: Path) -> tuple[str, ImportResult]:
    with Store(paths.database) as store:
        return import_file(store, source)


def describe_failure(error: object, doing: str, expected: tuple[type, ...] = ()) -> str:
    """A sentence for the user: "<doing> failed. <why>"; an unexpected error is a bug, so
    it is logged with its traceback."""
    if isinstance(error, _EXPECTED_ERRORS + expected):
        return f"{doing} failed. {error}"
    assert isinstance(error, BaseException)  # Job.failed carries the exception
    return unexpected_failure(error, doing)


class ChatTransferService(SerialService):
    """Export and import the chats in the app's data folder.

    Signals:
        exported(ChatExport): the file was written.
        imported(str, ImportResult): the file's format in words, and what was added.
        failed(str): an export or import did not happen (nothing half-done); why.
    """

    exported = Signal(object)
    imported = Signal(str, object)
    failed = Signal(str)

    def __init__(self, paths: AppPaths, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths = paths

    def export(
        self,
        kind: ChatFormat,
        out: Path,
        ids: Sequence[int] | None = None,
        colours: HtmlColours | None = None,
    ) -> Job:
        """Write these conversations (None: all) to ``out`` as ``kind`` (HTML in
        ``colours``, the app's light and dark palette)."""
        job = self._runner.start(_export, self.paths, kind, Path(out), ids, colours)
        job.finished.connect(self.exported)
        job.failed.connect(self._on_export_failed)
        return job

    def import_file(self, source: Path) -> Job:
        """Import the chats in ``source`` (LlamaDesk, ChatGPT or Open WebUI JSON)."""
        job = self._runner.start(_import, self.paths, Path(source))
        job.finished.connect(self._on_imported)
        job.failed.connect(self._on_import_failed)
        return job

    @Slot(object)
    def _on_imported(self, result: tuple[str, ImportResult]) -> None:
        self.imported.emit(*result)

    @Slot(object)
    def _on_export_failed(self, error: object) -> None:
        self.failed.emit(describe_failure(error, "Export"))

    @Slot(object)
    def _on_import_failed(self, error: object) -> None:
        self.failed.emit(describe_failure(error, "Import"))
