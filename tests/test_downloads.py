"""Downloads against a loopback hub: the real huggingface_hub code, faults injected server-side."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import huggingface_hub
import pytest
from huggingface_hub import constants as hf_constants

from hub_server import COMMIT, FakeHub, HubFile
from llamadesk.core import downloads
from llamadesk.core.downloads import (
    AccessDenied,
    AlreadyDownloading,
    ChecksumMismatch,
    ConnectionLost,
    DownloadCancelled,
    DownloadError,
    DownloadJob,
    DownloadProgress,
    FileChanged,
    FileNotOnHub,
    HubServerError,
    HubUnreachable,
    NotEnoughSpace,
    RateLimited,
    RepoFile,
    RepoNotFound,
    Stalled,
    UnsafeFilename,
    current_token,
    list_repo_files,
    safe_local_name,
    save_token,
    scan_hf_cache,
)
from llamadesk.core.paths import HOME_ENV, app_paths

REPO = "tester/tiny-GGUF"
NAME = "tiny-Q4_K_M.gguf"
MB = 1024 * 1024
SIZE = 12 * MB  # above huggingface_hub's 10 MB read chunk, like a real model file


@pytest.fixture(autouse=True)
def isolated_hf_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No token from the environment or the user's huggingface_hub folder leaks in."""
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    monkeypatch.setattr(hf_constants, "HF_TOKEN_PATH", str(tmp_path / "hf" / "token"))
    monkeypatch.setattr(hf_constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "hf" / "stored"))


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Random bytes: the GGUF content does not matter to a download."""
    path = tmp_path_factory.mktemp("hub") / "source.gguf"
    path.write_bytes(os.urandom(SIZE))
    return path


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub() as server:
        yield server


@pytest.fixture
def published(hub: FakeHub, model_file: Path) -> HubFile:
    return hub.add_file(REPO, NAME, model_file)


@pytest.fixture
def models(tmp_path: Path) -> Path:
    return tmp_path / "models"


def make_job(hub: FakeHub, models: Path, **options: object) -> DownloadJob:
    options.setdefault("stall_timeout", 5.0)
    return DownloadJob(REPO, NAME, models, endpoint=hub.url, **options)  # type: ignore[arg-type]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(folder: Path) -> list[str]:
    """Every file under `folder`, relative, so a test can show nothing was left behind."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


# The happy path.


def test_download_completes_verified_with_progress(
    hub: FakeHub, published: HubFile, models: Path
) -> None:
    reports: list[DownloadProgress] = []
    job = make_job(hub, models, sha256=published.sha256, size=published.size)
    job.on_progress = reports.append

    path = job.run()

    assert path == models / NAME
    assert sha256_of(path) == published.sha256
    assert files_in(models) == [NAME]  # no partial file left over
    assert reports[0].done == 0
    assert reports[-1] == DownloadProgress(SIZE, SIZE, reports[-1].speed)
    assert [r.done for r in reports] == sorted(r.done for r in reports)
    assert hub.body_bytes() == [SIZE]


def test_sha256_and_size_come_from_the_hub_when_not_given(
    hub: FakeHub, published: HubFile, models: Path
) -> None:
    job = make_job(hub, models)
    assert sha256_of(job.run()) == published.sha256
    assert (job.sha256, job.size) == (published.sha256, published.size)


def test_downloading_an_existing_file_again_fetches_nothing(
    hub: FakeHub, published: HubFile, models: Path
) -> None:
    make_job(hub, models).run()
    assert make_job(hub, models).run() == models / NAME
    assert hub.body_bytes() == [SIZE]


def test_a_different_file_under_the_name_is_not_overwritten(
    hub: FakeHub, published: HubFile, models: Path
) -> None:
    models.mkdir()
    (models / NAME).write_bytes(b"mine")
    with pytest.raises(DownloadError, match="already in"):
        make_job(hub, models).run()
    assert (models / NAME).read_bytes() == b"mine"


def test_a_split_model_shard_keeps_its_name(hub: FakeHub, model_file: Path, models: Path) -> None:
    shard = "Q8_0/tiny-Q8_0-00001-of-00002.gguf"
    hub.add_file(REPO, shard, model_file)
    path = DownloadJob(REPO, shard, models, endpoint=hub.url).run()
    assert path == models / "tiny-Q8_0-00001-of-00002.gguf"


# Interruptions: what was received is never fetched again.


def test_dropped_connection_resumes_within_the_same_run(
    hub: FakeHub, published: HubFile, models: Path
) -> None:
    hub.faults.drop_after = 5 * MB + 12_345  # not on a chunk boundary

    path = make_job(hub, models).run()

    assert sha256_of(path) == published.sha256
    first, second = hub.body_bytes()
    assert first == 5 * MB + 12_345
    assert second == SIZE - first  # only the rest, not the whole file
    assert hub.log[-1].range == f"bytes={first}-"


def test_a_new_job_resumes_after_a_restart(
    hub: FakeHub, published: HubFile, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(downloads, "PROGRESS_INTERVAL", 0.0)  # report every piece
    job = make_job(hub, models, sha256=published.sha256)

    def quit_after_7_mb(report: DownloadProgress) -> None:
        if report.done >= 7 * MB:
            job.cancel()

    job.on_progress = quit_after_7_mb
    with pytest.raises(DownloadCancelled):
        job.run()
    kept = job.partial_bytes()
    assert kept >= 7 * MB
    assert not (models / NAME).exists()

    # A new job, as after an app restart, finds the partial file by its sha256.
    path = make_job(hub, models, sha256=published.sha256).run()

    assert sha256_of(path) == published.sha256
    assert hub.body_bytes()[-1] == SIZE - kept


def test_a_server_that_ignores_range_restarts_the_file_cleanly(
    hub: FakeHub, published: HubFile, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(downloads, "PROGRESS_INTERVAL", 0.0)
    job = make_job(hub, models)
    job.on_progress = lambda report: job.cancel() if report.done >= 3 * MB else None
    with pytest.raises(DownloadCancelled):
        job.run()
    hub.faults.ignore_range = True  # the whole file comes back, not the rest

    path = job.retry().run()

    assert sha256_of(path) == published.sha256
    assert hub.log[-1].range is not None
    assert hub.body_bytes()[-1] == SIZE


def test_connection_lost_for_good_is_explained(
    hub: FakeHub, published: HubFile, models: Path
) -> None:
    hub.faults.drop_after = 0  # headers, then the connection closes
    with pytest.raises(ConnectionLost, match="data downloaded so far is kept") as caught:
        make_job(hub, models, retries=0).run()
    assert caught.value.resumable
    assert not (models / NAME).exists()


def test_cancel_from_another_thread_is_prompt_and_resume_fetches_the_rest(
    hub: FakeHub, published: HubFile, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(downloads, "PROGRESS_INTERVAL", 0.0)  # report every piece
    hub.faults.hold_after, hub.faults.hold_seconds = 6 * MB, 60.0  # then the server goes silent
    got_six_mb = threading.Event()
    outcome: list[BaseException] = []

    def progress(report: DownloadProgress) -> None:
        if report.done >= 6 * MB:
            got_six_mb.set()

    job = make_job(hub, models, on_progress=progress, stall_timeout=60.0)

    def work() -> None:
        try:
            job.run()
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    assert got_six_mb.wait(10)
    started = time.monotonic()
    job.cancel()  # the worker is blocked reading from a silent server
    worker.join(10)
    took = time.monotonic() - started

    assert not worker.is_alive()
    assert isinstance(outcome[0], DownloadCancelled)
    assert took < 2.0, f"cancel took {took:.1f} s"
    assert not (models / NAME).exists()
    assert job.partial_bytes() == 6 * MB

    hub.release()
    path = job.retry().run()
    assert sha256_of(path) == published.sha256
    assert hub.body_bytes()[-1] == SIZE - 6 * MB


def test_cancel_before_run_downloads_nothing(
    hub: FakeHub, published: HubFile, models: Path
) -> None:
    job = make_job(hub, models)
    job.cancel()
    with pytest.raises(DownloadCancelled):
        job.run()
    assert hub.log == []


def test_a_job_runs_once(hub: FakeHub, published: HubFile, models: Path) -> None:
    job = make_job(hub, models)
    job.run()
    with pytest.raises(RuntimeError, match="retry"):
        job.run()


def test_stalled_server_times_out_with_its_message(
    hub: FakeHub, published: HubFile, models: Path
) -> None:
    hub.faults.hold_after, hub.faults.hold_seconds = 0, 30.0  # headers, then silence
    job = make_job(hub, models, stall_timeout=0.3, retries=0)
    started = time.monotonic()
    with pytest.raises(Stalled, match="stopped sending"):
        job.run()
    assert time.monotonic() - started < 5
    assert not (models / NAME).exists()


# A wrong checksum.


def test_wrong_checksum_is_rejected_and_deleted(
    hub: FakeHub, published: HubFile, models: Path
) -> None:
    hub.faults.corrupt = True
    with pytest.raises(ChecksumMismatch, match=r"corrupt \(checksum mismatch\); it was deleted"):
        make_job(hub, models).run()
    assert files_in(models) == []


def test_a_file_changed_on_the_hub_is_refused_before_downloading(
    hub: FakeHub, published: HubFile, models: Path
) -> None:
    with pytest.raises(FileChanged, match="refresh the list"):
        make_job(hub, models, sha256="0" * 64).run()
    assert hub.body_bytes() == []


# Hub errors: each says what to do, and nothing is written.


def test_unknown_repository(hub: FakeHub, published: HubFile, models: Path) -> None:
    job = DownloadJob("tester/nope", NAME, models, endpoint=hub.url)
    with pytest.raises(RepoNotFound, match="check the name"):
        job.run()
    assert not models.exists()


def test_unknown_file(hub: FakeHub, published: HubFile, models: Path) -> None:
    job = DownloadJob(REPO, "other-Q2_K.gguf", models, endpoint=hub.url)
    with pytest.raises(FileNotOnHub, match=r"has no file other-Q2_K\.gguf"):
        job.run()
    assert not models.exists()


@pytest.mark.parametrize(("token", "status"), [(None, 401), ("wrong", 403)])
def test_gated_repository_needs_licence_and_token(
    hub: FakeHub, published: HubFile, models: Path, token: str | None, status: int
) -> None:
    hub.gate(REPO, "hf_secret")
    with pytest.raises(AccessDenied, match=r"accept its licence.*add an access token"):
        make_job(hub, models, token=token).run()
    assert hub.log[-1].status == status
    assert not models.exists()


def test_gated_repository_downloads_with_the_token(
    hub: FakeHub, published: HubFile, models: Path
) -> None:
    hub.gate(REPO, "hf_secret")
    assert sha256_of(make_job(hub, models, token="hf_secret").run()) == published.sha256
    assert {s.authorization for s in hub.log} == {"Bearer hf_secret"}


def test_rate_limit_says_how_long_to_wait(hub: FakeHub, published: HubFile, models: Path) -> None:
    hub.faults.status, hub.faults.retry_after = 429, 42
    with pytest.raises(RateLimited, match="wait about 42 seconds") as caught:
        make_job(hub, models).run()
    assert caught.value.retry_after == 42
    assert len(hub.log) == 1  # told at once, not after silent retries


def test_server_error(hub: FakeHub, published: HubFile, models: Path) -> None:
    hub.faults.status = 503
    with pytest.raises(HubServerError, match="answered 503"):
        make_job(hub, models).run()


def test_connection_refused_means_unreachable(models: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    job = DownloadJob(REPO, NAME, models, endpoint=f"http://127.0.0.1:{port}")
    with pytest.raises(HubUnreachable, match="check your internet connection"):
        job.run()


def test_offline_mode_is_explained(
    hub: FakeHub, published: HubFile, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(HubUnreachable, match="HF_HUB_OFFLINE"):
        make_job(hub, models).run()
    assert hub.log == []


# Local safety: names and disk space.


@pytest.mark.parametrize(
    "name",
    [
        "../evil.gguf",
        "/etc/passwd",
        "a\\b.gguf",
        "C:evil.gguf",
        "ok/../../evil.gguf",
        "",
        "evil\x00.gguf",
        "evil\n.gguf",
        "folder//x.gguf",
        "model.bin",
        ".hidden.gguf",
        "CON.gguf",
    ],
)
def test_hostile_filename_is_refused_before_any_request(
    hub: FakeHub, models: Path, name: str
) -> None:
    with pytest.raises(UnsafeFilename, match="unsafe name"):
        DownloadJob(REPO, name, models, endpoint=hub.url)
    assert hub.log == []


def test_safe_names_keep_the_last_part() -> None:
    assert safe_local_name("Q4_K_M/m-Q4_K_M-00001-of-00002.gguf") == "m-Q4_K_M-00001-of-00002.gguf"
    assert safe_local_name("m.GGUF") == "m.GGUF"


def test_not_enough_disk_refuses_before_any_byte(
    hub: FakeHub, published: HubFile, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = downloads.shutil.disk_usage

    def tiny_disk(path: os.PathLike[str] | str) -> object:
        return real(path)._replace(free=5 * MB)

    monkeypatch.setattr(downloads.shutil, "disk_usage", tiny_disk)
    with pytest.raises(NotEnoughSpace, match=r"Not enough disk space .* Free some space"):
        make_job(hub, models).run()
    assert hub.body_bytes() == []
    assert files_in(models) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_disk_full_while_writing_is_explained(
    hub: FakeHub, published: HubFile, models: Path
) -> None:
    job = make_job(hub, models, sha256=published.sha256)
    partial = job.partial_path(published.sha256)
    partial.parent.mkdir(parents=True)
    partial.symlink_to("/dev/full")  # every write fails with ENOSPC
    with pytest.raises(NotEnoughSpace, match="disk filled up"):
        job.run()
    assert not (models / NAME).exists()


def test_bad_repository_name(models: Path) -> None:
    with pytest.raises(RepoNotFound, match="use owner/name"):
        DownloadJob("not a repo!", NAME, models)


# Listing.


def test_list_repo_files_gives_gguf_files_with_size_and_sha256(
    hub: FakeHub, tmp_path: Path
) -> None:
    made = {}
    for name, size in [("a-Q4_K_M.gguf", 3000), ("Q8_0/a-Q8_0-00001-of-00002.gguf", 2000)]:
        source = tmp_path / f"{size}.bin"
        source.write_bytes(os.urandom(size))
        made[name] = hub.add_file(REPO, name, source)
    (tmp_path / "readme").write_text("hello")
    hub.add_file(REPO, "README.md", tmp_path / "readme")

    files = list_repo_files(REPO, endpoint=hub.url)

    assert sorted(files, key=lambda f: f.path) == sorted(
        (RepoFile(name, e.size, e.sha256) for name, e in made.items()), key=lambda f: f.path
    )


def test_list_repo_files_of_an_unknown_repository(hub: FakeHub) -> None:
    with pytest.raises(RepoNotFound, match="check the name"):
        list_repo_files("tester/nope", endpoint=hub.url)


def test_list_repo_files_rate_limited(hub: FakeHub) -> None:
    hub.faults.status = 429
    with pytest.raises(RateLimited, match="wait a few minutes"):
        list_repo_files(REPO, endpoint=hub.url)


# Tokens: stored by huggingface_hub, not by us.


def test_save_token_checks_it_and_stores_it_with_huggingface_hub(
    hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(huggingface_hub.hf_api.api, "endpoint", hub.url)  # login's whoami
    hub.valid_tokens.add("hf_good")
    assert current_token() is None

    with pytest.raises(AccessDenied, match="refused this token"):
        save_token("hf_bad")
    assert current_token() is None

    save_token("hf_good\n")
    assert current_token() == "hf_good"
    assert Path(hf_constants.HF_TOKEN_PATH).read_text() == "hf_good"


# The Hugging Face cache.


def test_scan_hf_cache_lists_gguf_snapshots(tmp_path: Path) -> None:
    repo = tmp_path / "cache" / "models--tester--tiny-GGUF"
    snapshot = repo / "snapshots" / COMMIT
    snapshot.mkdir(parents=True)
    (repo / "blobs").mkdir()
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(COMMIT)
    for name, blob in [("m-Q4_K_M.gguf", "a" * 64), ("config.json", "b" * 40)]:
        (repo / "blobs" / blob).write_bytes(b"x")
        (snapshot / name).symlink_to(f"../../blobs/{blob}")

    assert scan_hf_cache(tmp_path / "cache") == [snapshot / "m-Q4_K_M.gguf"]


def test_scan_hf_cache_without_a_cache(tmp_path: Path) -> None:
    assert scan_hf_cache(tmp_path / "missing") == []


# Two LlamaDesks at once (issue 11, defect 4): an OS lock, and the bytes on disk verified.


def _run_in_thread(job: DownloadJob) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(job.run())
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    return thread, outcome


def test_a_second_job_for_the_same_file_is_refused_while_the_first_runs(
    hub: FakeHub, published: HubFile, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(downloads, "PROGRESS_INTERVAL", 0.0)  # report every piece
    hub.faults.hold_after, hub.faults.hold_seconds = 3 * MB, 30.0
    got_three_mb = threading.Event()
    first = make_job(hub, models, on_progress=lambda p: p.done >= 3 * MB and got_three_mb.set())
    thread, outcome = _run_in_thread(first)
    assert got_three_mb.wait(10)  # the first job now waits on a silent server
    partial = first.partial_path(published.sha256)
    kept = partial.stat().st_size

    with pytest.raises(AlreadyDownloading, match="already being downloaded by another LlamaDesk"):
        make_job(hub, models).run()

    assert partial.stat().st_size == kept  # the second job wrote nothing into it
    hub.release()
    thread.join(20)
    assert outcome == [models / NAME]
    assert sha256_of(models / NAME) == published.sha256
    assert len(hub.body_bytes()) == 1  # the refused job fetched nothing
    assert files_in(models) == [NAME]  # the lock file went with the job


def test_a_download_in_another_process_is_refused_with_a_clear_message(
    hub: FakeHub, published: HubFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two app instances, or the CLI beside the app: the lock holds across processes."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    models = app_paths().ensure().models  # the folder the CLI downloads into
    hub.faults.hold_after, hub.faults.hold_seconds = 3 * MB, 30.0
    thread, outcome = _run_in_thread(make_job(hub, models))
    assert hub.held.wait(10)
    other = subprocess.run(
        [sys.executable, "-m", "llamadesk", "models", "download", REPO, NAME],
        env=os.environ | {"HF_ENDPOINT": hub.url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    hub.release()
    thread.join(20)

    assert other.returncode != 0
    assert "already being downloaded by another LlamaDesk" in other.stderr
    assert "Traceback" not in other.stderr
    assert outcome == [models / NAME]
    assert sha256_of(models / NAME) == published.sha256


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda f, first: (f.seek(0), f.write(bytes([first ^ 0xFF]))), id="a-byte"),
        pytest.param(lambda f, first: (f.seek(0, os.SEEK_END), f.write(b"x")), id="appended"),
    ],
)
def test_a_partial_file_changed_on_disk_before_the_rename_is_rejected(
    hub: FakeHub,
    published: HubFile,
    models: Path,
    monkeypatch: pytest.MonkeyPatch,
    tamper: Callable[[BinaryIO, int], object],
) -> None:
    """What another writer does to the file is caught, even when the stream itself was good."""
    first_byte = published.path.read_bytes()[0]
    job = make_job(hub, models)
    transfer = DownloadJob._transfer

    def transfer_then_tamper(self: DownloadJob, remote: object, partial: object) -> None:
        transfer(self, remote, partial)  # type: ignore[arg-type]
        with job.partial_path(published.sha256).open("r+b") as other_writer:
            tamper(other_writer, first_byte)

    monkeypatch.setattr(DownloadJob, "_transfer", transfer_then_tamper)
    with pytest.raises(ChecksumMismatch, match="it was deleted"):
        job.run()
    assert files_in(models) == []  # neither a bad model nor the bad partial file


def test_a_stalled_server_is_given_up_on_after_one_retry(
    hub: FakeHub, published: HubFile, models: Path
) -> None:
    """A hung server once took 6 tries x 30 s; now (STALL_RETRIES + 1) x STALL_TIMEOUT + 1 s."""
    hub.faults.hang = True  # headers, then silence, on every request
    job = make_job(hub, models, stall_timeout=0.3)  # the default retries for drops stay
    started = time.monotonic()
    with pytest.raises(Stalled, match="stopped sending"):
        job.run()
    took = time.monotonic() - started

    assert hub.hung == downloads.STALL_RETRIES + 1 == 2
    assert took < 2 * 0.3 + 1.0 + 2.0, f"gave up after {took:.1f} s"
    # The defaults the message in the module docstring promises: about half a minute.
    assert (downloads.STALL_RETRIES + 1) * downloads.STALL_TIMEOUT + 1 <= 45
