"""The failure contract for background work (issue 11): a fault injected into each worker ends
in exactly one terminal signal with a sentence for the user and the traceback in the log, and
nothing stays busy. A job nobody listens to raises again on the GUI thread, for the excepthook.

Downloads have theirs in test_download_manager.py; the model thread is tested elsewhere.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import pytest

from llamadesk.services import dataset as dataset_service
from llamadesk.services import memory_monitor, quantize_job
from llamadesk.services.background import JobRunner
from llamadesk.services.dataset import DatasetService
from llamadesk.services.memory_monitor import MemoryMonitor
from llamadesk.services.quantize_job import EvaluationJob, QuantizeJob, file_text
from llamadesk.ui import memory_panel
from llamadesk.ui.memory_panel import MemoryPanel

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class InjectedFault(Exception):
    """A bug, as far as the code under test can tell."""


def raise_fault(*_args: object, **_kwargs: object) -> object:
    raise InjectedFault("injected")


@pytest.fixture
def excepthook(monkeypatch: pytest.MonkeyPatch) -> list[ExcInfo]:
    """What reaches sys.excepthook (where the app logs it and shows its banner)."""
    caught: list[ExcInfo] = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: caught.append(info))
    return caught


@pytest.fixture
def runner(qtbot) -> JobRunner:
    return JobRunner()


def logged_traceback(caplog: pytest.LogCaptureFixture) -> logging.LogRecord:
    [record] = [r for r in caplog.records if r.exc_info is not None]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], InjectedFault)
    return record


# The JobRunner's own rule.


def test_a_job_nobody_listens_to_raises_on_the_gui_thread(
    qtbot, runner: JobRunner, excepthook: list[ExcInfo]
) -> None:
    job = runner.start(raise_fault)
    with qtbot.waitSignal(job.done, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: bool(excepthook), timeout=5_000)
    [(kind, error, _tb)] = excepthook
    assert kind is InjectedFault
    assert str(error) == "injected"
    assert not runner.busy


def test_a_job_with_a_failure_handler_does_not_raise_again(
    qtbot, runner: JobRunner, excepthook: list[ExcInfo]
) -> None:
    heard: list[object] = []
    job = runner.start(raise_fault)
    job.failed.connect(heard.append)
    with qtbot.waitSignal(job.done, timeout=10_000):
        pass
    assert [type(error) for error in heard] == [InjectedFault]
    assert excepthook == []
    assert not runner.busy


def test_even_a_system_exit_ends_the_job_and_not_the_app(
    qtbot, runner: JobRunner, excepthook: list[ExcInfo]
) -> None:
    def exits() -> None:
        raise SystemExit(3)

    job = runner.start(exits)
    with qtbot.waitSignal(job.done, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: bool(excepthook), timeout=5_000)
    [(kind, error, _tb)] = excepthook
    assert kind is RuntimeError
    assert isinstance(error.__cause__, SystemExit)
    assert not runner.busy


# Quantize and evaluate: the dialogs hear `failed` with a sentence.


@pytest.mark.parametrize(
    ("kind", "target", "start", "doing"),
    [
        (
            QuantizeJob,
            "quantize",
            lambda job, tmp: job.start(tmp / "model.gguf", "Q4_K_M"),
            "Quantizing",
        ),
        (
            EvaluationJob,
            "evaluate",
            lambda job, tmp: job.start(
                tmp / "a.gguf", tmp / "b.gguf", file_text(tmp / "text.txt"), "a file"
            ),
            "The measurement",
        ),
    ],
)
def test_a_bug_in_a_long_job_fails_it_with_a_sentence_and_a_logged_traceback(
    qtbot,
    runner: JobRunner,
    excepthook: list[ExcInfo],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    kind: type[quantize_job.CancellableJob],
    target: str,
    start: Callable[[quantize_job.CancellableJob, Path], None],
    doing: str,
) -> None:
    monkeypatch.setattr(quantize_job, target, raise_fault)
    (tmp_path / "text.txt").write_text("some text", encoding="utf-8")
    job = kind(runner)
    ended: list[str] = []
    for signal in ("finished", "cancelled", "done"):
        getattr(job, signal).connect(lambda *_args, name=signal: ended.append(name))
    with qtbot.waitSignal(job.failed, timeout=10_000) as failed:
        start(job, tmp_path)
    qtbot.waitUntil(lambda: "done" in ended, timeout=5_000)

    assert failed.args == [
        f"{doing} failed unexpectedly (InjectedFault: injected); the details are in the log."
    ]
    assert ended == ["done"]  # failed, then done: one terminal signal
    assert not job.running
    assert not runner.busy
    logged_traceback(caplog)
    assert excepthook == []  # handled: the dialog shows it


# Export: the data set page hears `export_failed`.


def test_a_bug_in_an_export_fails_it_with_a_message(
    qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(dataset_service, "export", raise_fault)
    service = DatasetService(tmp_path / "chats.sqlite3")
    with qtbot.waitSignal(service.export_failed, timeout=10_000) as failed:
        service.export("trl", tmp_path / "out.jsonl")
    assert "InjectedFault: injected" in failed.args[0]
    service.wait_for_all()
    assert not service.busy
    logged_traceback(caplog)
    assert not (tmp_path / "out.jsonl").exists()


# Memory sampling: the figure says "unknown", the log says why, sampling goes on.


def test_a_bug_while_reading_the_memory_map_is_reported_once_and_sampling_goes_on(
    qtbot,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    excepthook: list[ExcInfo],
) -> None:
    calls: list[Path] = []

    def broken(path: Path) -> int:
        calls.append(path)
        raise InjectedFault("injected")

    monkeypatch.setattr(memory_monitor, "mapped_bytes", broken)
    monitor = MemoryMonitor()
    panel = MemoryPanel(monitor)
    qtbot.addWidget(panel)
    monitor.model_path = tmp_path / "model.gguf"
    with qtbot.waitSignal(monitor.mapped_failed, timeout=10_000) as failed:
        monitor.sample_now()
    assert "InjectedFault: injected" in failed.args[0]
    assert panel.figures["mapped"].text() == "unknown (see the log)"
    assert panel.figures["mapped"].toolTip() == failed.args[0]
    logged_traceback(caplog)

    for _ in range(memory_monitor.MAPPED_EVERY * 2):
        sample = monitor.sample_now()  # the process and system figures keep coming
    assert panel.figures["process"].text() != "–"
    assert sample.process_rss > 0
    monitor.stop()
    assert calls == [tmp_path / "model.gguf"]  # not retried every few seconds
    assert excepthook == []
    panel.wait_for_all()


def test_a_bug_while_reading_the_gpu_shows_unknown(
    qtbot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(memory_panel, "gpu_text", raise_fault)
    monitor = MemoryMonitor()
    panel = MemoryPanel(monitor)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.figures["gpu"].text() != "…", timeout=10_000)
    assert panel.figures["gpu"].text() == "unknown (see the log)"
    assert "Reading the GPU's figures failed unexpectedly" in panel.figures["gpu"].toolTip()
    logged_traceback(caplog)
    panel.wait_for_all()
    monitor.stop()
