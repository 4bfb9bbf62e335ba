"""What the screenshot scripts share: a scratch home, the main window at a size, and ways to
run the event loop until a shot can be taken (a signal came, a condition holds, time passed).

The scripts run from tools/, so each imports this as ``from shots import ...``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication

from llamadesk.core.paths import HOME_ENV, AppPaths, app_paths
from llamadesk.ui.app import AppParts, application, build


def scratch_home(prefix: str = "llamadesk-shots-") -> AppPaths:
    """The app's folders in a fresh temporary home, unless the caller's environment names one."""
    os.environ.setdefault(HOME_ENV, tempfile.mkdtemp(prefix=prefix))
    return app_paths().ensure()


def open_window(paths: AppPaths, width: int, height: int) -> tuple[QApplication, AppParts]:
    """The application and its parts, the main window started at ``width`` x ``height``."""
    app = application()
    parts = build(paths)
    parts.window.resize(width, height)
    parts.window.start()
    return app, parts


def chat_with_starter(parts: AppParts) -> None:
    """Load the starter model through the first screen's button (exit if it is missing)."""
    if parts.window.starter is None:
        sys.exit('The starter model is not installed: pip install -e ".[starter]"')
    parts.window.start_starter()
    wait(parts.host.loaded)


def compare_voted(parts: AppParts, max_tokens: int) -> None:
    """The Compare page after both answers to one prompt came and B got "slightly better"."""
    parts.window.show_mode(1)
    view = parts.window.compare_view
    view.max_tokens = max_tokens
    view.prompt.setPlainText("Give me three tips for sleeping well.")
    view.run_button.click()
    wait(parts.compare.ready)
    view.strength.setCurrentIndex(1)
    view.vote_buttons["model_b"].click()


def wait(
    signal: SignalInstance,
    timeout_ms: int = 120_000,
    until: Callable[..., bool] = lambda *_args: True,
) -> None:
    """Run the event loop until ``signal`` carries what ``until`` accepts (or time is up)."""
    loop = QEventLoop()

    def check(*args: object) -> None:
        if until(*args):
            loop.quit()

    signal.connect(check)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(check)


def wait_until(condition: Callable[[], object], timeout_ms: int = 20_000) -> None:
    """Run the event loop until ``condition()`` is true (checked every 20 ms) or time is up."""
    loop = QEventLoop()

    def poll() -> None:
        if condition():
            loop.quit()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(20)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    timer.stop()


def settle(milliseconds: int = 0, rounds: int = 3) -> None:
    """Let queued work (layouts, repaints, deferred calls) run ``rounds`` times, after
    ``milliseconds`` of event loop for what waits on a timer, so a grab shows the end state."""
    if milliseconds:
        loop = QEventLoop()
        QTimer.singleShot(milliseconds, loop.quit)
        loop.exec()
    for _ in range(rounds):
        QCoreApplication.processEvents()
