"""The download queue: jobs run one at a time off the GUI thread, pause, resume and cancel."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub_server import FakeHub
from llamadesk.core.downloads import PARTIAL_DIR
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
    qtbot, manager: DownloadManager, hub: FakeHub, tmp_path: Path
):
    hub.faults.hold_after, hub.faults.hold_seconds = MB, 30.0
    key = manager.add(REPO, "a-Q4_K_M.gguf")
    qtbot.waitUntil(hub.held.is_set, timeout=10_000)
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
