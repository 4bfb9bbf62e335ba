"""Hub downloads: list a repository's GGUF files, download one verified and resumable.

huggingface_hub does the talking to the hub: its shared HTTP client (TLS verified, honours
HF_HUB_OFFLINE and proxies), its metadata call and its error types. We keep the partial file
ourselves because `hf_hub_download` no longer resumes across calls: since huggingface_hub 1.18 it
writes each attempt to a new temporary file and deletes it on failure (huggingface_hub#4306,
#4196), and the app must resume after a pause, a crash or a restart.

A download goes to ``<dest_dir>/.downloads/<sha256>.incomplete`` and is moved to
``<dest_dir>/<name>`` with ``os.replace`` only once the size and sha256 of the bytes on disk
match the hub's: the bytes on disk, not those received, as only they will load. While it writes,
a job holds an OS lock on ``<sha256>.lock`` beside the partial file (`core.oslock`), so a second
LlamaDesk (another window, or the CLI beside the app) never appends to the same file: it is told
that the file is already being downloaded.

A server that stops sending fails the download within about half a minute: each read waits at
most STALL_TIMEOUT (15 s) and a stall is retried STALL_RETRIES (1) time, so 2 x 15 s plus a 1 s
pause. Connections that drop but bring new bytes are retried for longer (RETRIES).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, ClassVar

from huggingface_hub import (
    HfApi,
    get_hf_file_metadata,
    get_session,
    get_token,
    hf_hub_url,
    hf_raise_for_status,
    login,
    scan_cache_dir,
)
from huggingface_hub.errors import (
    CacheNotFound,
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    HFValidationError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
)

# Documented public exports that huggingface_hub.utils loads lazily, which mypy reads as private.
# `httpx` is the library's own HTTP module (httpx in 1.x, httpx2 in 2.x), so the errors we catch
# are the ones its client raises, whichever major version is installed.
from huggingface_hub.utils import build_hf_headers, httpx  # type: ignore[attr-defined]
from huggingface_hub.utils import validate_repo_id as _hf_validate_repo_id  # type: ignore[attr-defined]

from llamadesk.core.oslock import LockHeld, exclusive_lock

if TYPE_CHECKING:
    from hashlib import _Hash

PARTIAL_DIR = ".downloads"
DISK_MARGIN = 64 * 1024 * 1024  # left free after a download, so the system keeps working
STALL_TIMEOUT = 15.0  # seconds without a byte (or to connect) before a read counts as stalled
RETRIES = 5  # attempts in a row that bring no new byte before giving up
# Retries of a read that stalled: a silent server rarely wakes up, so give up after
# (STALL_RETRIES + 1) x STALL_TIMEOUT + 1 s, about 31 s, instead of RETRIES x 30 s.
STALL_RETRIES = 1
PROGRESS_INTERVAL = 0.1  # seconds between progress reports
SPEED_WINDOW = 3.0  # seconds of history behind the reported speed
_HASH_BLOCK = 8 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_FORBIDDEN_CHARS = set('\\:<>"|?*')


class DownloadError(Exception):
    """A download problem the user can act on; the message says what to do.

    `resumable` tells whether starting the download again may succeed with the data kept so far.
    """

    resumable: ClassVar[bool] = False


class DownloadCancelled(Exception):
    """The download was cancelled (or paused); its data so far is kept for a resume."""


class UnsafeFilename(DownloadError):
    """The hub named a file that could escape the models folder or is not a GGUF."""


class RepoNotFound(DownloadError):
    """No such repository (or a private one, which the hub does not reveal)."""


class AccessDenied(DownloadError):
    """A gated or private repository needs an accepted licence and a token."""


class FileNotOnHub(DownloadError):
    """The repository has no such file (any more)."""


class FileChanged(DownloadError):
    """The file on the hub is not the one listed (new upload since the listing)."""


class RateLimited(DownloadError):
    """The hub asked us to slow down (HTTP 429)."""

    resumable = True

    def __init__(self, message: str, retry_after: int | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class HubUnreachable(DownloadError):
    """Offline, DNS failure, connection refused, or HF_HUB_OFFLINE set."""

    resumable = True


class Stalled(DownloadError):
    """The server stopped sending for longer than the stall timeout."""

    resumable = True


class ConnectionLost(DownloadError):
    """The connection kept dropping mid-file."""

    resumable = True


class HubServerError(DownloadError):
    """The hub answered with an unexpected HTTP error (5xx and the like)."""

    resumable = True


class NotEnoughSpace(DownloadError):
    """The disk cannot hold the file (checked before starting, or it filled while writing)."""

    resumable = True


class ChecksumMismatch(DownloadError):
    """The downloaded bytes are not the file the hub advertised; they were deleted."""

    resumable = True


class AlreadyDownloading(DownloadError):
    """Another LlamaDesk (a second window, or the CLI) is downloading this very file."""

    resumable = True


@dataclass(frozen=True)
class RepoFile:
    """A file in a hub repository: its path there, size in bytes and LFS sha256."""

    path: str
    size: int
    sha256: str | None


@dataclass(frozen=True)
class DownloadProgress:
    """Where a download stands: `done` of `total` bytes, at `speed` bytes a second."""

    done: int
    total: int
    speed: float

    @property
    def seconds_left(self) -> float | None:
        """Estimated time to finish, or None while the speed is unknown."""
        if self.speed <= 0:
            return None
        return (self.total - self.done) / self.speed


ProgressCallback = Callable[[DownloadProgress], None]


def safe_local_name(repo_path: str) -> str:
    """The local file name for a GGUF at `repo_path` in a repository, or UnsafeFilename.

    Folders in the repository path are allowed (``Q4_K_M/model-00001-of-00002.gguf``) but only
    the last part names the local file, so nothing can land outside the models folder.
    """
    problem = _path_problem(repo_path)
    if problem is not None:
        raise UnsafeFilename(
            f"The hub listed a file with an unsafe name ({repo_path!r}: {problem}); "
            "LlamaDesk did not download it."
        )
    return repo_path.rsplit("/", 1)[-1]


def _path_problem(repo_path: str) -> str | None:
    """Why `repo_path` is unsafe as a download, or None."""
    if not repo_path:
        return "empty name"
    if any(ord(c) < 32 or ord(c) == 127 for c in repo_path):
        return "control character"
    if repo_path.startswith("/"):
        return "absolute path"
    if any(c in _FORBIDDEN_CHARS for c in repo_path):
        return "backslash, drive letter or character Windows forbids"
    parts = repo_path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "empty, '.' or '..' path part"
    name = parts[-1]
    if not name.lower().endswith(".gguf"):
        return "not a .gguf file"
    if name.startswith("."):
        return "hidden file"
    if _WINDOWS_RESERVED.match(name):
        return "name reserved on Windows"
    if len(name.encode()) > 255:
        return "name too long"
    return None


def list_repo_files(
    repo_id: str,
    *,
    token: str | None = None,
    endpoint: str | None = None,
    timeout: float = STALL_TIMEOUT,
) -> list[RepoFile]:
    """The GGUF files of `repo_id` with their size and sha256, in the hub's order.

    One request (`model_info` with file metadata), so it fails fast, unlike the paginated tree
    listing, which retries for a while and has no timeout. Files with unsafe names are left out.

    Args:
        token: a hub token; None uses the one huggingface_hub has stored, if any.
        endpoint: the hub's address; None uses HF_ENDPOINT or huggingface.co.
    """
    _validate_repo_id(repo_id)
    try:
        info = HfApi(endpoint=endpoint, token=token).model_info(
            repo_id, files_metadata=True, timeout=timeout
        )
    except Exception as error:
        raise _explain(error, repo_id, None) from error
    files = []
    for sibling in info.siblings or []:
        lfs = sibling.lfs
        size = lfs.size if lfs is not None else sibling.size
        if size is None or _path_problem(sibling.rfilename) is not None:
            continue
        files.append(RepoFile(sibling.rfilename, size, lfs.sha256 if lfs is not None else None))
    return files


@dataclass(frozen=True)
class _Remote:
    """What the hub says about the file right now."""

    url: str  # pinned to the commit, so a resume fetches the same bytes
    sha256: str
    size: int


class _Partial:
    """The growing ``.incomplete`` file and how many bytes it holds."""

    def __init__(self, file: BinaryIO, done: int, total: int) -> None:
        self.file = file
        self.done = done
        self.total = total

    def write(self, piece: bytes) -> None:
        if self.done + len(piece) > self.total:
            raise _Overrun
        self.file.write(piece)
        self.done += len(piece)

    def restart(self) -> None:
        """Drop what was kept (the server ignored our Range header)."""
        self.file.seek(0)
        self.file.truncate()
        self.done = 0


class _Overrun(Exception):
    """The server sent more bytes than the file has."""


class _SpeedMeter:
    """Throttled progress reports with the speed over the last few seconds."""

    def __init__(self, callback: ProgressCallback | None, total: int) -> None:
        self._callback = callback
        self._total = total
        self._samples: deque[tuple[float, int]] = deque()
        self._last = 0.0

    def report(self, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if self._callback is None or (not force and now - self._last < PROGRESS_INTERVAL):
            return
        self._last = now
        self._samples.append((now, done))
        while now - self._samples[0][0] > SPEED_WINDOW:
            self._samples.popleft()
        start_time, start_done = self._samples[0]
        elapsed = now - start_time
        speed = (done - start_done) / elapsed if elapsed > 0 else 0.0
        self._callback(DownloadProgress(done, self._total, speed))


class DownloadJob:
    """Download one file from a hub repository into `dest_dir`, verified.

    `run()` does the work on the calling thread (call it from a worker thread) and returns the
    final path. `cancel()` may be called from any thread, before or during `run()`: the run stops
    within one network read and raises DownloadCancelled, keeping the data for a resume. A job runs
    once; to pause use `cancel()`, to resume run `retry()` (or, after a restart, a new job for the
    same file): it continues from the kept bytes. Progress goes to `on_progress` on the thread
    that runs the job, at most every PROGRESS_INTERVAL seconds.

    Args:
        filename: the file's path in the repository (checked by `safe_local_name`).
        sha256, size: what the listing said; None takes the hub's word (its HEAD answer).
        token: a hub token; None uses the one huggingface_hub has stored, if any.
        endpoint: the hub's address; None uses HF_ENDPOINT or huggingface.co.
        stall_timeout: seconds without data (or to connect) before a read counts as stalled.
        retries: attempts in a row that bring no new byte before a dropped connection is final.
        stall_retries: the same for reads that stalled (a silent server rarely wakes up).
    """

    def __init__(
        self,
        repo_id: str,
        filename: str,
        dest_dir: Path,
        *,
        sha256: str | None = None,
        size: int | None = None,
        token: str | None = None,
        endpoint: str | None = None,
        on_progress: ProgressCallback | None = None,
        stall_timeout: float = STALL_TIMEOUT,
        retries: int = RETRIES,
        stall_retries: int = STALL_RETRIES,
    ) -> None:
        self.local_name = safe_local_name(filename)
        _validate_repo_id(repo_id)
        if sha256 is not None and not _SHA256.match(sha256.lower()):
            raise DownloadError(f"{sha256!r} is not a sha256 checksum.")
        self.repo_id = repo_id
        self.filename = filename
        self.dest_dir = Path(dest_dir)
        self.sha256 = sha256.lower() if sha256 is not None else None
        self.size = size
        self.token = token
        self.endpoint = endpoint
        self.on_progress = on_progress
        self.stall_timeout = stall_timeout
        self.retries = retries
        self.stall_retries = stall_retries
        self._cancelled = threading.Event()
        self._started = False
        self._socket_lock = threading.Lock()
        self._socket: socket.socket | None = None

    @property
    def final_path(self) -> Path:
        return self.dest_dir / self.local_name

    def partial_path(self, sha256: str) -> Path:
        return self.dest_dir / PARTIAL_DIR / f"{sha256}.incomplete"

    def partial_bytes(self) -> int:
        """Bytes kept from earlier attempts (0 if the sha256 is not known yet)."""
        if self.sha256 is None:
            return 0
        return _size_or_zero(self.partial_path(self.sha256))

    def remove_partial(self) -> None:
        """Forget the kept data (the user removed the job). Not while the job runs."""
        if self.sha256 is not None:
            self.partial_path(self.sha256).unlink(missing_ok=True)

    def retry(self) -> DownloadJob:
        """A new job for the same file; it continues from the data this one kept."""
        return DownloadJob(
            self.repo_id,
            self.filename,
            self.dest_dir,
            sha256=self.sha256,
            size=self.size,
            token=self.token,
            endpoint=self.endpoint,
            on_progress=self.on_progress,
            stall_timeout=self.stall_timeout,
            retries=self.retries,
            stall_retries=self.stall_retries,
        )

    def cancel(self) -> None:
        """Stop the download soon, keeping its data. Safe from any thread, at any time."""
        self._cancelled.set()
        with self._socket_lock:
            if self._socket is not None:
                # Wakes a read blocked on a silent server at once, instead of at the timeout.
                # The plain-socket method, so a TLS socket's state is left to its own thread.
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(self._socket, socket.SHUT_RDWR)

    def run(self) -> Path:
        """Download, verify and move the file into place; return its final path.

        Raises:
            DownloadCancelled: `cancel()` was called.
            DownloadError: (a subclass of it) anything the user can act on.
        """
        if self._started:
            raise RuntimeError("A DownloadJob runs once; use retry() to resume it.")
        self._started = True
        try:
            return self._run()
        except (DownloadError, DownloadCancelled):
            raise
        except Exception as error:
            if self._cancelled.is_set():
                raise DownloadCancelled(self.local_name) from error
            raise _explain(error, self.repo_id, self.local_name) from error

    def _run(self) -> Path:
        self._check_cancelled()
        remote = self._remote()
        self.sha256, self.size = remote.sha256, remote.size
        partial_path = self.partial_path(remote.sha256)
        with self._exclusive(partial_path):
            # Checked under the lock: another LlamaDesk may have just finished this file.
            if self.final_path.exists():
                return self._adopt_existing(remote)
            self._complete(partial_path, remote)
            self._verify_on_disk(partial_path, remote)
            os.replace(partial_path, self.final_path)
        _fsync_dir(self.dest_dir)
        return self.final_path

    @contextlib.contextmanager
    def _exclusive(self, partial_path: Path) -> Iterator[None]:
        """Hold the OS lock beside the partial file, or raise AlreadyDownloading."""
        partial_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with exclusive_lock(partial_path.with_suffix(".lock")):
                yield
        except LockHeld:
            raise AlreadyDownloading(
                f"{self.local_name} is already being downloaded by another LlamaDesk (another "
                "window, or `llamadesk models download`): wait for it to finish."
            ) from None

    def _complete(self, path: Path, remote: _Remote) -> None:
        """Fetch what the partial file at `path` lacks, and put it on disk."""
        kept = _size_or_zero(path)
        if kept > remote.size:  # not ours to trust: start over
            path.unlink()
            kept = 0
        self._check_space(remote.size - kept)
        try:
            with path.open("ab") as file:
                self._transfer(remote, _Partial(file, kept, remote.size))
                file.flush()
                # On disk before the rename, so a crash never leaves a hollow file under the name.
                os.fsync(file.fileno())
        except _Overrun:
            raise self._corrupt(path) from None

    def _verify_on_disk(self, path: Path, remote: _Remote) -> None:
        """The size and sha256 of the bytes on disk must be the hub's, or the file goes."""
        if (
            _size_or_zero(path) != remote.size
            or _hash_file(path, check=self._check_cancelled).hexdigest() != remote.sha256
        ):
            raise self._corrupt(path)

    def _remote(self) -> _Remote:
        """Ask the hub (HEAD) for the file's commit, sha256 and size; check them."""
        url = hf_hub_url(self.repo_id, self.filename, endpoint=self.endpoint)
        meta = get_hf_file_metadata(url, token=self.token, timeout=self.stall_timeout)
        etag = (meta.etag or "").lower()
        if not _SHA256.match(etag) or meta.size is None:
            raise DownloadError(
                f"The hub gives no sha256 for {self.local_name}, so LlamaDesk cannot verify it "
                "and did not download it."
            )
        if (self.sha256 is not None and etag != self.sha256) or (
            self.size is not None and meta.size != self.size
        ):
            raise FileChanged(
                f"{self.local_name} changed on the hub since the list was loaded: "
                "refresh the list and download it again."
            )
        pinned = hf_hub_url(
            self.repo_id, self.filename, revision=meta.commit_hash, endpoint=self.endpoint
        )
        return _Remote(pinned, etag, meta.size)

    def _adopt_existing(self, remote: _Remote) -> Path:
        """The final name is taken: fine if it is this very file, else refuse to overwrite."""
        path = self.final_path
        if path.stat().st_size == remote.size and _hash_file(path).hexdigest() == remote.sha256:
            return path
        raise DownloadError(
            f"A different file named {self.local_name} is already in {self.dest_dir}; "
            "rename or delete it, then download again."
        )

    def _check_space(self, remaining: int) -> None:
        shortage = lacks_space(self.dest_dir, remaining)
        if shortage:
            raise NotEnoughSpace(
                f"Not enough disk space for {self.local_name}: {shortage}. "
                "Free some space and try again."
            )

    def _transfer(self, remote: _Remote, partial: _Partial) -> None:
        """Fetch the missing bytes, reconnecting after drops until `retries` bring nothing."""
        meter = _SpeedMeter(self.on_progress, remote.size)
        meter.report(partial.done, force=True)
        failures = 0
        while partial.done < remote.size:
            before = partial.done
            error: Exception | None = None
            try:
                self._fetch(remote.url, partial, meter)
            except (httpx.TransportError, HfHubHTTPError) as problem:
                if not _is_transient(problem):
                    raise
                error = problem
            self._check_cancelled()
            failures = 0 if partial.done > before else failures + 1
            stalled = isinstance(error, httpx.TimeoutException)
            if failures > (min(self.stall_retries, self.retries) if stalled else self.retries):
                raise error or ConnectionLost(
                    f"The server keeps ending {self.local_name} early; try again later."
                )
            if failures and self._cancelled.wait(min(2.0 ** (failures - 1), 8.0)):
                self._check_cancelled()
        meter.report(partial.done, force=True)

    def _fetch(self, url: str, partial: _Partial, meter: _SpeedMeter) -> None:
        """One GET from where the partial file ends, appending what arrives."""
        headers = build_hf_headers(token=self.token)
        headers["Accept-Encoding"] = "identity"  # byte ranges must mean file bytes
        if partial.done:
            headers["Range"] = f"bytes={partial.done}-"
        timeout = httpx.Timeout(self.stall_timeout)
        with get_session().stream("GET", url, headers=headers, timeout=timeout) as response:
            hf_raise_for_status(response)
            if partial.done and response.status_code == 200:
                partial.restart()  # the server sent the whole file instead of the rest
            with self._interruptible(response):
                for piece in response.iter_raw():
                    self._check_cancelled()
                    partial.write(piece)
                    meter.report(partial.done)

    @contextlib.contextmanager
    def _interruptible(self, response: httpx.Response) -> Iterator[None]:
        """Let `cancel()` shut the response's socket while we read from it."""
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        with self._socket_lock:
            self._socket = sock if isinstance(sock, socket.socket) else None
        try:
            if self._cancelled.is_set():  # cancelled between the check and the registration
                raise DownloadCancelled(self.local_name)
            yield
        finally:
            with self._socket_lock:
                self._socket = None

    def _check_cancelled(self) -> None:
        if self._cancelled.is_set():
            raise DownloadCancelled(self.local_name)

    def _corrupt(self, path: Path) -> ChecksumMismatch:
        """Delete the bad partial file at `path`; the error that says so."""
        path.unlink(missing_ok=True)
        return ChecksumMismatch(
            f"The download of {self.local_name} is corrupt (checksum mismatch); "
            "it was deleted — try again."
        )


def _is_transient(error: Exception) -> bool:
    """Worth reconnecting for: a drop, a timeout or a server hiccup, not a refusal."""
    if isinstance(error, HfHubHTTPError):
        return error.response is not None and error.response.status_code >= 500
    return True


def _hash_file(path: Path, check: Callable[[], None] | None = None) -> _Hash:
    """The sha256 of the file at `path`; `check` is called between blocks (to cancel)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_HASH_BLOCK):
            digest.update(block)
            if check is not None:
                check()
    return digest


def _size_or_zero(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def lacks_space(folder: Path, size: int) -> str:
    """What is missing to write `size` bytes into `folder` and leave DISK_MARGIN free, in
    words ("it needs 5.06 GB free in … but only 1.20 GB is free"); "" when it fits."""
    free = shutil.disk_usage(folder).free
    if free >= size + DISK_MARGIN:
        return ""
    return f"it needs {_gb(size + DISK_MARGIN)} free in {folder} but only {_gb(free)} is free"


def _gb(size: int) -> str:
    return f"{size / 1e9:.2f} GB"


def _validate_repo_id(repo_id: str) -> None:
    try:
        _hf_validate_repo_id(repo_id)
    except HFValidationError:
        raise RepoNotFound(
            f"{repo_id!r} is not a Hugging Face repository name: use owner/name, "
            "for example Qwen/Qwen2.5-1.5B-Instruct-GGUF."
        ) from None


def _explain(error: Exception, repo_id: str, name: str | None) -> Exception:
    """The DownloadError that tells the user what `error` means; unknown errors pass through."""
    what = name or repo_id
    if isinstance(error, OfflineModeIsEnabled):
        return HubUnreachable(
            "Hugging Face is switched off on this computer (HF_HUB_OFFLINE is set); "
            "unset it to download models."
        )
    if isinstance(error, GatedRepoError):
        return _access_denied(repo_id)
    if isinstance(error, RepositoryNotFoundError):
        return RepoNotFound(
            f"The repository {repo_id} was not found on Hugging Face: check the name. "
            "If it is private, add an access token."
        )
    if isinstance(error, EntryNotFoundError):
        return FileNotOnHub(
            f"{repo_id} has no file {name}: refresh the list of files and pick another."
        )
    if isinstance(error, HfHubHTTPError):
        return _explain_status(error, repo_id, what)
    if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout)):
        return HubUnreachable(
            "Cannot reach Hugging Face: check your internet connection, then try again "
            "(the data downloaded so far is kept)."
        )
    if isinstance(error, httpx.TimeoutException):
        return Stalled(
            f"The server stopped sending {what}: try again later; "
            "the data downloaded so far is kept."
        )
    if isinstance(error, httpx.TransportError):
        return ConnectionLost(
            f"The connection dropped while downloading {what}: try again; "
            "the data downloaded so far is kept."
        )
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return NotEnoughSpace(
            f"The disk filled up while downloading {what}: free some space and try again; "
            "the data downloaded so far is kept."
        )
    if isinstance(error, OSError):
        return DownloadError(f"Could not save {what}: {error.strerror or error}.")
    return error


def _explain_status(error: HfHubHTTPError, repo_id: str, what: str) -> DownloadError:
    status = error.response.status_code if error.response is not None else 0
    if status in (401, 403):
        return _access_denied(repo_id)
    if status == 429:
        retry_after = _retry_after(error)
        wait = f"about {retry_after} seconds" if retry_after else "a few minutes"
        return RateLimited(
            f"Hugging Face is limiting requests from this computer: wait {wait}, then try again.",
            retry_after,
        )
    return HubServerError(f"Hugging Face answered {status} for {what}: try again later.")


def _access_denied(repo_id: str) -> AccessDenied:
    return AccessDenied(
        f"{repo_id} is gated or private: accept its licence on huggingface.co/{repo_id} "
        "and add an access token (huggingface.co/settings/tokens) in LlamaDesk."
    )


def _retry_after(error: HfHubHTTPError) -> int | None:
    value = error.response.headers.get("Retry-After") if error.response is not None else None
    return int(value) if value is not None and value.isdigit() else None


def save_token(token: str) -> None:
    """Check `token` with the hub and store it with huggingface_hub's own token handling.

    The token lives where huggingface_hub keeps it (HF_HOME), never in LlamaDesk's database or
    logs; later downloads use it when no token is passed.
    """
    try:
        login(token=token.strip(), add_to_git_credential=False)
    except HfHubHTTPError as error:
        if error.response is not None and error.response.status_code == 401:
            raise AccessDenied(
                "Hugging Face refused this token: copy it again from "
                "huggingface.co/settings/tokens."
            ) from error
        raise _explain(error, "", None) from error
    except ValueError as error:  # an organisation token
        raise DownloadError(str(error)) from error
    except httpx.TransportError as error:
        raise _explain(error, "", None) from error


def current_token() -> str | None:
    """The token huggingface_hub would send (HF_TOKEN, then the stored one), if any."""
    return get_token()


def scan_hf_cache(cache_dir: Path | None = None) -> list[Path]:
    """GGUF files in the Hugging Face cache (HF_HUB_CACHE by default), one per blob.

    A missing or unreadable cache gives an empty list.
    """
    try:
        info = scan_cache_dir(cache_dir)
    except (CacheNotFound, OSError):
        return []
    by_blob: dict[Path, Path] = {}
    for repo in info.repos:
        if repo.repo_type != "model":
            continue
        for revision in sorted(repo.revisions, key=lambda r: r.last_modified):
            for file in revision.files:
                if file.file_name.lower().endswith(".gguf"):
                    by_blob[file.blob_path] = file.file_path  # the newest revision wins
    return sorted(by_blob.values())
