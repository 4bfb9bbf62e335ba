"""Jobs on a background thread: results and errors come back as signals on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThread

from llamadesk.services.background import JobRunner


@pytest.fixture
def runner(qtbot) -> Iterator[JobRunner]:
    runner = JobRunner()
    yield runner
    assert runner.wait_for_all(10_000)


def test_the_result_arrives_on_the_gui_thread(qtbot, runner: JobRunner) -> None:
    gui = QThread.currentThread()
    ran_on: list[QThread] = []
    heard_on: list[QThread] = []

    def work(a: int, b: int) -> int:
        ran_on.append(QThread.currentThread())
        return a + b

    job = runner.start(work, 2, 3)
    job.finished.connect(lambda _value: heard_on.append(QThread.currentThread()))
    with qtbot.waitSignal(job.finished) as finished:
        pass
    assert finished.args == [5]
    assert ran_on != [gui]
    assert heard_on == [gui]


def test_an_exception_arrives_as_failed(qtbot, runner: JobRunner) -> None:
    def work() -> None:
        raise ValueError("no good")

    job = runner.start(work)
    with qtbot.waitSignal(job.failed) as failed:
        pass
    error = failed.args[0]
    assert isinstance(error, ValueError)
    assert str(error) == "no good"
    assert error.__traceback__ is not None


def test_signals_connected_after_the_work_ran_still_fire(runner: JobRunner) -> None:
    ran = threading.Event()
    job = runner.start(ran.set)
    assert ran.wait(10)
    runner._pool.waitForDone()  # the function has returned and emitted, nothing delivered yet
    heard: list[object] = []
    job.finished.connect(heard.append)
    runner.wait_for_all()
    assert heard == [None]


def test_jobs_run_one_at_a_time_in_order(runner: JobRunner) -> None:
    order: list[int] = []
    for n in range(8):
        runner.start(order.append, n)
    assert runner.busy
    assert runner.wait_for_all(10_000)
    assert order == list(range(8))
    assert not runner.busy
