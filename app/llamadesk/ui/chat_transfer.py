"""Asking where to export chats to, or which file to import, and saying how it went."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QWidget

from llamadesk.core.chat_archive import ImportResult
from llamadesk.core.chat_render import ChatExport, ChatFormat
from llamadesk.services.chat_transfer import ChatTransferService
from llamadesk.ui.palette import HTML_COLOURS
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, plural, translate

# The formats offered, by file name suffix, with the file dialog's filter for each.
FILTERS: dict[ChatFormat, str] = {
    "md": QT_TRANSLATE_NOOP("ChatTransfer", "Markdown (*.md)"),
    "html": QT_TRANSLATE_NOOP("ChatTransfer", "Web page, one file (*.html)"),
    "json": QT_TRANSLATE_NOOP("ChatTransfer", "LlamaDesk JSON, everything kept (*.json)"),
}
IMPORT_FILTER = QT_TRANSLATE_NOOP(
    "ChatTransfer",
    "Chat exports: LlamaDesk, ChatGPT (conversations.json or its ZIP), Open WebUI "
    "(*.json *.zip);;All files (*)",
)

Show = Callable[[str, str], None]  # (message, "info" | "success" | "error")


class ChatTransfer(QObject):
    """The file dialogs for chat export and import, over a ``ChatTransferService``.

    Signals:
        imported(): conversations were added; the chat list should be read again.
    """

    imported = Signal()

    def __init__(self, service: ChatTransferService, window: QWidget, show: Show) -> None:
        super().__init__(window)
        self.service = service
        self._window = window
        self._show = show
        self._folder = Path.home()
        service.exported.connect(self._on_exported)
        service.imported.connect(self._on_imported)
        service.failed.connect(lambda message: self._show(message, "error"))

    def ask_export(self, ids: list[int]) -> None:
        """Ask for a file and a format, then export these conversations ([]: all)."""
        suggested = self._folder / ("llamadesk-chats.md" if not ids else "llamadesk-chat.md")
        name, chosen = QFileDialog.getSaveFileName(
            self._window,
            translate("ChatTransfer", "Export all chats")
            if not ids
            else translate("ChatTransfer", "Export chats"),
            str(suggested),
            ";;".join(translate("ChatTransfer", text) for text in FILTERS.values()),
        )
        if not name:
            return
        path, kind = self._path_and_kind(Path(name), chosen)
        self._folder = path.parent
        self._show(translate("ChatTransfer", "Exporting to {path}…").format(path=path), "info")
        self.service.export(kind, path, ids or None, HTML_COLOURS)

    @staticmethod
    def _path_and_kind(path: Path, chosen_filter: str) -> tuple[Path, ChatFormat]:
        """The format named by the file's suffix, else by the filter (whose suffix is added)."""
        by_suffix = {f".{kind}": kind for kind in FILTERS}
        if path.suffix.lower() in by_suffix:
            return path, by_suffix[path.suffix.lower()]
        kind: ChatFormat = next(
            (k for k, text in FILTERS.items() if translate("ChatTransfer", text) == chosen_filter),
            "md",
        )
        return path.with_name(f"{path.name}.{kind}"), kind

    def ask_import(self) -> None:
        """Ask for a file to import chats from."""
        name, _filter = QFileDialog.getOpenFileName(
            self._window,
            translate("ChatTransfer", "Import chats"),
            str(self._folder),
            translate("ChatTransfer", IMPORT_FILTER),
        )
        if not name:
            return
        path = Path(name)
        self._folder = path.parent
        self._show(translate("ChatTransfer", "Importing {name}…").format(name=path.name), "info")
        self.service.import_file(path)

    @Slot(object)
    def _on_exported(self, result: ChatExport) -> None:
        chats = plural(
            result.conversations,
            translate("ChatTransfer", "{n} chat"),
            translate("ChatTransfer", "{n} chats"),
        )
        messages = plural(
            result.messages,
            translate("ChatTransfer", "{n} message"),
            translate("ChatTransfer", "{n} messages"),
        )
        done = translate("ChatTransfer", "Exported {chats} ({messages}) to {path}.")
        self._show(done.format(chats=chats, messages=messages, path=result.path), "success")

    @Slot(str, object)
    def _on_imported(self, kind: str, result: ImportResult) -> None:
        summary = translate("ChatTransfer", "{kind} export: {summary}")
        self._show(summary.format(kind=kind, summary=result.describe()), "success")
        if result.conversations:
            self.imported.emit()
