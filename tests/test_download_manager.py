"""The download queue: jobs run one at a time off the GUI thread, pause, resume and cancel."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub_server import FakeHub
from llamadesk.core import downloads
from llamadesk.core.downloads import PARTIAL_DIR, DownloadJob
from llamadesk.services.downloads import DownloadManager, DownloadState

REPO = "tester/queue-GGUF"
MB = 1024 * 1024


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[FakeHub]:
    with FakeHub() as server:
        for name in ("a-Q4_K_M.gguf", "b-Q8_0.gguf"):
            source = tmp_path / name
            source.write_bytes(os.urandom(2 * MB))
            server.add_file(REPO, name, source)
        yield server


@pytest.fixture
def manager(qtbot, hub: FakeHub, tmp_path: Path) -> Iterator[DownloadManager]:
    made = DownloadManager(tmp_path / "models", endpoint=hub.url)
    yield made
    made.shutdown()
    assert not made._thread.isRunning()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_queued_jobs_finish_one_after_the_other(qtbot, manager: DownloadManager, tmp_path: Path):
    finished: list[str] = []
    manager.finished.connect(lambda key, _path: finished.append(key))
    first = manager.add(REPO, "a-Q4_K_M.gguf")
    second = manager.add(REPO, "b-Q8_0.gguf")
    assert [s.state for s in manager.jobs()] == [DownloadState.RUNNING, DownloadState.QUEUED]
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=20_000)
    assert finished == [first, second]
    for name in ("a-Q4_K_M.gguf", "b-Q8_0.gguf"):
        assert sha256(tmp_path / "models" / name) == sha256(tmp_path / name)
    done = manager.status(first)
    assert done is not None
    assert done.state is DownloadState.DONE
    assert done.done == 2 * MB


def test_pause_keeps_the_bytes_and_resume_fetches_the_rest(
    qtbot, manager: DownloadManager, hub: FakeHub, tmp_path: Path, monkeypatch
):
    monkeypatch.setattr(downloads, "PROGRESS_INTERVAL", 0.0)  # report every piece
    hub.faults.hold_after, hub.faults.hold_seconds = MB, 30.0
    key = manager.add(REPO, "a-Q4_K_M.gguf")
    # Not only sent but received: on a busy machine the pause could otherwise come first.
    qtbot.waitUntil(lambda: manager.status(key).done >= MB, timeout=10_000)
    with qtbot.waitSignal(manager.paused, timeout=10_000):
        manager.pause(key)
    hub.release()
    status = manager.status(key)
    assert status is not None
    assert status.state is DownloadState.PAUSED
    with qtbot.waitSignal(manager.finished, timeout=20_000):
        manager.resume(key)
    sent = hub.body_bytes()
    assert sent[-1] < 2 * MB  # the second request fetched only the rest
    assert sha256(tmp_path / "models" / "a-Q4_K_M.gguf") == sha256(tmp_path / "a-Q4_K_M.gguf")


def test_cancel_deletes_the_partial_file(qtbot, manager: DownloadManager, hub: FakeHub, tmp_path):
    hub.faults.hold_after, hub.faults.hold_seconds = MB, 30.0
    key = manager.add(REPO, "a-Q4_K_M.gguf")
    qtbot.waitUntil(hub.held.is_set, timeout=10_000)
    with qtbot.waitSignal(manager.cancelled, timeout=10_000):
        manager.cancel(key)
    hub.release()
    assert manager.jobs() == []
    assert list((tmp_path / "models" / PARTIAL_DIR).iterdir()) == []


def test_a_corrupt_download_fails_with_its_message(qtbot, manager: DownloadManager, hub: FakeHub):
    hub.faults.corrupt = True
    with qtbot.waitSignal(manager.failed, timeout=20_000) as failed:
        manager.add(REPO, "a-Q4_K_M.gguf")
    key, message = failed.args
    assert "checksum mismatch" in message
    status = manager.status(key)
    assert status is not None
    assert status.state is DownloadState.FAILED
    assert status.path is None
    assert not (manager.dest_dir / "a-Q4_K_M.gguf").exists()


def test_an_unexpected_error_fails_that_file_logs_it_and_the_queue_goes_on(
    qtbot, manager: DownloadManager, tmp_path: Path, monkeypatch, caplog
):
    """A bug inside one download (issue 11, defect 2) must not leave it "downloading"."""
    remote = DownloadJob._remote

    def broken_for_a(self: DownloadJob):
        if self.local_name == "a-Q4_K_M.gguf":
            raise RuntimeError("injected fault")
        return remote(self)

    monkeypatch.setattr(DownloadJob, "_remote", broken_for_a)
    failed: list[tuple[str, str]] = []
    manager.failed.connect(lambda key, message: failed.append((key, message)))
    first = manager.add(REPO, "a-Q4_K_M.gguf")
    with qtbot.waitSignal(manager.finished, timeout=20_000) as finished:
        second = manager.add(REPO, "b-Q8_0.gguf")

    assert finished.args[0] == second
    assert sha256(tmp_path / "models" / "b-Q8_0.gguf") == sha256(tmp_path / "b-Q8_0.gguf")
    [(key, message)] = failed
    assert key == first
    assert "a-Q4_K_M.gguf failed unexpectedly (RuntimeError: injected fault)" in message
    assert "details are in the log" in message
    status = manager.status(first)
    assert status is not None
    assert status.state is DownloadState.FAILED
    assert status.message == message
    [record] = [r for r in caplog.records if r.name == "llamadesk.services.downloads"]
    assert record.exc_info is not None
    assert "injected fault" in caplog.text
