"""Failures nobody planned for, shown: a banner in the window that points at the log.

`ErrorReporter.install` replaces Python's exception hooks (see `core.logs.ExceptHooks`): an
exception raised in a slot, on the GUI thread or any other, is written to the log with its
traceback, and the window says "Something went wrong: …" with a button that opens the log
folder. The app carries on: Qt has already unwound the slot that raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    QtMsgType,
    QUrl,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtGui import QDesktopServices

from llamadesk.core.logs import ExceptHooks, describe
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate
from llamadesk.ui.widgets import Banner

OPEN_LOG_FOLDER = QT_TRANSLATE_NOOP("ErrorReporter", "Open the log folder")
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
_qt_log = logging.getLogger("llamadesk.qt")


def log_qt_messages() -> Callable[..., None] | None:
    """Send Qt's own warnings to the log too: the windowed app has no stderr to show them.

    Returns the handler this replaces, for ``qInstallMessageHandler`` to put back.
    """
    return qInstallMessageHandler(_on_qt_message)


def _on_qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    _qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


class ErrorReporter(QObject):
    """Shows uncaught exceptions in ``banner``; `report` may be called from any thread."""

    _reported = Signal(str)

    def __init__(self, banner: Banner, log_folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.banner = banner
        self.log_folder = log_folder
        self.hooks: ExceptHooks | None = None
        # Queued when emitted off the GUI thread: the banner is only touched on its own.
        self._reported.connect(self._show)

    def install(self) -> ExceptHooks:
        """Route every uncaught exception here until ``hooks.uninstall()``."""
        self.hooks = ExceptHooks(self.report)
        return self.hooks

    def report(self, error: BaseException) -> None:
        self._reported.emit(describe(error))

    def _show(self, sentence: str) -> None:
        self.banner.show_message(
            translate(
                "ErrorReporter", "Something went wrong: {sentence} The details are in the log."
            ).format(sentence=sentence),
            "error",
            action=(translate("ErrorReporter", OPEN_LOG_FOLDER), self.open_log_folder),
        )

    def open_log_folder(self) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_folder)))
