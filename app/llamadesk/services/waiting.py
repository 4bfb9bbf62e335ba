"""Run the event loop until a signal says an asynchronous step succeeded or failed.

For the command-line drivers of the GUI (`self-test`, `bench`), which script the real window
step by step; the app itself never waits like this.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEventLoop, QTimer, SignalInstance


class StepFailed(Exception):
    """`failure` fired; the exception's argument is what it carried."""


def wait_for(
    start: Callable[[], None],
    success: SignalInstance,
    failure: SignalInstance,
    timeout_ms: int,
) -> object:
    """Call `start`, run the event loop until `success` fires, return its first argument.

    Raises:
        StepFailed: `failure` fired first.
        TimeoutError: neither fired within `timeout_ms`.
    """
    loop = QEventLoop()
    outcome: list[tuple[bool, object]] = []

    def succeeded(*values: object) -> None:
        outcome.append((True, values[0] if values else None))
        loop.quit()

    def failed(*values: object) -> None:
        outcome.append((False, values[0] if values else None))
        loop.quit()

    success.connect(succeeded)
    failure.connect(failed)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(timeout_ms)
    try:
        start()
        if not outcome:
            loop.exec()
    finally:
        timer.stop()
        success.disconnect(succeeded)
        failure.disconnect(failed)
    if not outcome:
        raise TimeoutError
    ok, value = outcome[0]
    if not ok:
        raise StepFailed(value)
    return value
