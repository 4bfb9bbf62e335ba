"""Failures nobody planned for: logged with their traceback, shown in a banner, survived.

pytest-qt catches exceptions in slots itself (and fails the test); these tests turn that off
(`qt_no_exception_capture`) so the app's own hooks get them, as they do in a real run.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl, qInstallMessageHandler, qWarning
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QPushButton

from llamadesk.core.engine import SamplingParams
from llamadesk.core.logs import close_logging, setup_logging
from llamadesk.core.paths import AppPaths
from llamadesk.ui.app import AppParts
from llamadesk.ui.error_report import OPEN_LOG_FOLDER, ErrorReporter, log_qt_messages


@pytest.fixture
def app_log(home: AppPaths) -> Iterator[Path]:
    path = setup_logging(home)
    assert path == home.data / "logs" / "llamadesk.log"
    yield path
    close_logging()


@pytest.fixture
def reporting(parts: AppParts, app_log: Path) -> Iterator[ErrorReporter]:
    """The window's error reporting, installed as `run_gui` does, removed afterwards."""
    reporter = ErrorReporter(parts.window.banner, app_log.parent, parts.window)
    hooks = reporter.install()
    yield reporter
    hooks.uninstall()


def broken_slot() -> None:
    raise ZeroDivisionError("the slot divided by zero")


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_shown_and_survived(
    qtbot, parts: AppParts, reporting: ErrorReporter, app_log: Path, tiny_model: Path, monkeypatch
):
    banner = parts.window.banner
    trigger = QPushButton("Break")
    qtbot.addWidget(trigger)
    trigger.clicked.connect(broken_slot)

    qtbot.mouseClick(trigger, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(banner.isVisible)
    assert banner.label.text() == (
        "Something went wrong: the slot divided by zero (ZeroDivisionError). "
        "The details are in the log."
    )
    log = app_log.read_text(encoding="utf-8")
    assert "Uncaught exception in MainThread" in log
    assert "Traceback" in log
    assert "in broken_slot" in log
    assert "ZeroDivisionError: the slot divided by zero" in log

    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    assert banner.action.isVisible()
    assert banner.action.text() == OPEN_LOG_FOLDER
    qtbot.mouseClick(banner.action, Qt.MouseButton.LeftButton)
    assert [url.toLocalFile() for url in opened] == [str(app_log.parent)]

    # The app carries on: a model loads and answers.
    with qtbot.waitSignal(parts.host.loaded, timeout=60_000):
        parts.window.load_model(tiny_model)
    parts.session.params = SamplingParams(temperature=0.0, max_tokens=4, seed=0)
    with qtbot.waitSignal(parts.session.answer_saved, timeout=60_000):
        parts.window.composer.send_requested.emit("Still there?")


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_thread_is_logged_and_shown_on_the_gui_thread(
    qtbot, parts: AppParts, reporting: ErrorReporter, app_log: Path
):
    def work() -> None:
        raise OSError("the disk went away")

    thread = threading.Thread(target=work, name="sampler")
    thread.start()
    thread.join()

    qtbot.waitUntil(parts.window.banner.isVisible)
    assert "Something went wrong: the disk went away (OSError)." in parts.window.banner.label.text()
    log = app_log.read_text(encoding="utf-8")
    assert "Uncaught exception in sampler" in log
    assert "OSError: the disk went away" in log


def test_other_messages_in_the_banner_have_no_log_button(parts: AppParts, reporting):
    banner = parts.window.banner
    reporting.report(ValueError("first"))
    parts.window.banner.show_message("The model is busy.", "warning")
    assert banner.label.text() == "The model is busy."
    assert not banner.action.isVisible()


def test_logging_is_set_up_once(home: AppPaths, app_log: Path, tmp_path: Path):
    other = AppPaths(data=tmp_path / "elsewhere", config=tmp_path / "c", cache=tmp_path / "k")
    assert setup_logging(other) == app_log
    assert not (tmp_path / "elsewhere").exists()


def test_qt_warnings_go_to_the_log(qtbot, app_log: Path):
    previous = log_qt_messages()
    try:
        qWarning("a warning from Qt itself")
    finally:
        qInstallMessageHandler(previous)
    assert "WARNING MainThread llamadesk.qt: a warning from Qt itself" in app_log.read_text(
        encoding="utf-8"
    )
