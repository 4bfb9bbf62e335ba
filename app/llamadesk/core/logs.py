"""The app's log: one rotating file in the data folder, and hooks that put every uncaught
exception in it.

The windowed app has no terminal (and the packaged one no stderr at all), so this file is
the one trace a failure nobody planned for leaves. `setup_logging` runs once at start, for
the GUI and the command line alike.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from llamadesk.core.paths import AppPaths

LOG_FILENAME = "llamadesk.log"
MAX_BYTES = 1_000_000
BACKUPS = 3  # llamadesk.log.1 to .3: 4 MB at most, a few weeks of ordinary use
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"

log = logging.getLogger("llamadesk")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def log_folder(paths: AppPaths) -> Path:
    return paths.data / "logs"


def log_file(paths: AppPaths) -> Path:
    return log_folder(paths) / LOG_FILENAME


def setup_logging(paths: AppPaths) -> Path | None:
    """Send the app's log records to ``logs/llamadesk.log``; returns that file.

    Called again, it changes nothing (the first call's file stays). Returns None, and logs
    nowhere, when the folder cannot be written: the app then says so itself, and a log must
    never be the reason it does not start.
    """
    existing = _our_handler()
    if existing is not None:
        return Path(existing.baseFilename)
    path = log_file(paths)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.set_name(LOG_FILENAME)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def _our_handler() -> RotatingFileHandler | None:
    for handler in logging.getLogger().handlers:
        if isinstance(handler, RotatingFileHandler) and handler.get_name() == LOG_FILENAME:
            return handler
    return None


def describe(error: BaseException) -> str:
    """One sentence for the user: the exception's own first line, and its kind."""
    lines = str(error).strip().splitlines()
    first = lines[0] if lines else ""
    kind = type(error).__name__
    return f"{first} ({kind})." if first else f"{kind}."


class ExceptHooks:
    """Log every uncaught exception, on any thread, then tell ``report`` about it.

    Replaces ``sys.excepthook`` (the main thread, and Qt slots, which PySide hands there) and
    ``threading.excepthook`` until `uninstall`. ``report`` may be called on any thread.
    Ctrl+C is left to Python's own hook.
    """

    def __init__(self, report: Callable[[BaseException], None]) -> None:
        self._report = report
        self._previous_sys = sys.excepthook
        self._previous_threading = threading.excepthook
        sys.excepthook = self._on_exception
        threading.excepthook = self._on_thread_exception

    def uninstall(self) -> None:
        sys.excepthook = self._previous_sys
        threading.excepthook = self._previous_threading

    def _on_exception(
        self,
        kind: type[BaseException],
        error: BaseException,
        traceback: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous_sys(kind, error, traceback)
            return
        self._handle((kind, error, traceback), threading.current_thread().name)

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return  # what Python's own hook ignores too
        thread = args.thread.name if args.thread is not None else "a thread"
        self._handle((args.exc_type, args.exc_value, args.exc_traceback), thread)

    def _handle(self, exc_info: ExcInfo, thread: str) -> None:
        log.error("Uncaught exception in %s", thread, exc_info=exc_info)
        try:
            self._report(exc_info[1])
        except Exception:  # the hook itself must never raise: nothing would catch it
            log.exception("Could not report the exception above")


def close_logging() -> None:
    """Detach and close the log file `setup_logging` opened (tests; a fresh start)."""
    handler = _our_handler()
    if handler is not None:
        logging.getLogger().removeHandler(handler)
        handler.close()
