"""A fake Hugging Face hub on 127.0.0.1 for download, upload tests and benchmarks.

It answers the routes huggingface_hub calls for listing and downloading files, serves real
files from disk, takes uploads the way `HfApi.create_repo` and `HfApi.upload_folder` send
them (huggingface_hub 2.4: POST /api/repos/create, /api/validate-yaml, then per dataset
repository /preupload/{rev} and the ndjson /commit/{rev}; every file is answered "regular",
so no LFS or Xet transfer is asked for) and serves pushed data sets back to `datasets`.
It can inject the faults a real network produces: a dropped connection, a stall, corrupt
bytes, 404/401/403/429 answers. Every request is logged with the number of body bytes
actually sent, so a test can prove that a resumed download fetched only the rest.

Use it as a context manager (or call `stop()`): the server thread and every handler thread
are joined on exit.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

if TYPE_CHECKING:
    import pytest

COMMIT = "c0ffee" + "0" * 34  # the one commit every repository is at
SEND_BLOCK = 64 * 1024

_RESOLVE = re.compile(
    r"^/(?:(?P<kind>datasets)/)?(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<path>.+)$"
)
_INFO = re.compile(
    r"^/api/(?P<kind>models|datasets)/(?P<repo>[^/]+/[^/]+)(?:/revision/(?P<rev>[^/]+))?$"
)
_TREE = re.compile(
    r"^/api/(?P<kind>models|datasets)/(?P<repo>[^/]+/[^/]+)/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?$"
)
_UPLOAD = re.compile(
    r"^/api/datasets/(?P<repo>[^/]+/[^/]+)/(?P<step>preupload|commit|paths-info)/(?P<rev>[^/]+)$"
)
USER = "tester"  # whom every valid token belongs to; they may write under this name only
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


@dataclass(frozen=True)
class HubFile:
    path: Path
    size: int
    sha256: str


@dataclass
class Served:
    """One answered request."""

    method: str
    path: str
    status: int
    range: str | None
    authorization: str | None
    body_bytes: int = 0


@dataclass
class Faults:
    """Knobs a test sets before a request. The `*_after` faults fire once, then reset."""

    drop_after: int | None = None  # close the connection after this many body bytes
    hold_after: int | None = None  # stop sending after this many body bytes...
    hold_seconds: float = 0.0  # ...for this long, or until `FakeHub.release()`
    corrupt: bool = False  # serve bytes that do not match the advertised sha256
    rate: float | None = None  # bytes a second, like a real link (benchmarks)
    ignore_range: bool = False  # answer a Range request with the whole file (some CDNs)
    hang: bool = False  # every file GET: the headers, then silence until the hub stops
    status: int | None = None  # answer every request with this HTTP status
    retry_after: int | None = None  # with status 429: the Retry-After header


@dataclass
class _Repo:
    files: dict[str, HubFile] = field(default_factory=dict)
    token: str | None = None  # gated: a request needs "Authorization: Bearer <token>"
    private: bool = False  # a data set pushed as private: only a valid token reads it
    commits: int = 0


class _Server(ThreadingMixIn, HTTPServer):
    # Handler threads are joined by server_close(), so none outlives the fixture.
    daemon_threads = False
    block_on_close = True


class FakeHub:
    """The loopback hub. `url` is what to pass as `endpoint=` (or HF_ENDPOINT)."""

    def __init__(self) -> None:
        self.faults = Faults()
        self._log: list[Served] = []
        self._in_flight = 0
        self.valid_tokens: set[str] = set()  # accepted by /api/whoami-v2
        self.held = threading.Event()  # set while a hold is in progress
        self.hung = 0  # requests that `Faults.hang` left hanging
        self._stopped = threading.Event()
        self._release = threading.Event()
        self._repos: dict[str, _Repo] = {}
        self._datasets: dict[str, _Repo] = {}  # pushed with upload_folder
        self._uploads = tempfile.TemporaryDirectory(prefix="fake-hub-")
        self._lock = threading.Condition()
        self._server = _Server(("127.0.0.1", 0), _make_handler(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-hub"
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add_file(self, repo_id: str, name: str, source: Path) -> HubFile:
        """Publish `source` as `name` in `repo_id` (created on first use)."""
        digest = hashlib.sha256()
        with source.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
        entry = HubFile(source, source.stat().st_size, digest.hexdigest())
        self._repos.setdefault(repo_id, _Repo()).files[name] = entry
        return entry

    def dataset(self, repo_id: str) -> _Repo | None:
        """The dataset repository `repo_id` as pushed so far, if it exists."""
        return self._datasets.get(repo_id)

    def gate(self, repo_id: str, token: str) -> None:
        """Make `repo_id` gated: only requests carrying `token` may read its files."""
        self._repos.setdefault(repo_id, _Repo()).token = token

    def release(self) -> None:
        """End a hold early (the server resumes sending)."""
        self._release.set()

    def body_bytes(self, method: str = "GET") -> list[int]:
        """Body bytes sent by each request of `method` that served file data, in order."""
        return [s.body_bytes for s in self.log if s.method == method and "/resolve/" in s.path]

    @property
    def log(self) -> list[Served]:
        """The requests answered so far, once every request under way has finished.

        A client can hold the whole answer before the handler thread has counted it.
        """
        with self._lock:
            if not self._lock.wait_for(lambda: self._in_flight == 0, timeout=10):
                raise TimeoutError("a request is still being served")
            return list(self._log)

    def stop(self) -> None:
        self._stopped.set()  # wake the handlers that hang
        self._release.set()  # wake a handler that is holding
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._uploads.cleanup()

    def __enter__(self) -> FakeHub:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # What the handler asks of the hub.

    def _begin(self) -> None:
        with self._lock:
            self._in_flight += 1

    def _record(self, served: Served) -> None:
        with self._lock:
            self._log.append(served)
            self._in_flight -= 1
            self._lock.notify_all()

    def _take(self, name: str) -> int | None:
        """Read a one-shot fault and clear it."""
        with self._lock:
            value: int | None = getattr(self.faults, name)
            setattr(self.faults, name, None)
            return value


def _make_handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(_HubHandler):
        pass

    Handler.hub = hub
    return Handler


class _HubHandler(BaseHTTPRequestHandler):
    hub: FakeHub
    # HTTP/1.0: one request per connection, so no handler thread waits on an idle keep-alive.
    protocol_version = "HTTP/1.0"
    timeout = 10  # a client that vanishes cannot pin a handler thread for long

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def do_GET(self) -> None:
        self._dispatch(head=False)

    def do_POST(self) -> None:
        self._dispatch(head=False)

    def _dispatch(self, *, head: bool) -> None:
        self._served = Served(
            self.command,
            self.path,
            0,
            self.headers.get("Range"),
            self.headers.get("Authorization"),
        )
        self.hub._begin()
        try:
            self._route(head=head)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (a cancel): nothing to answer
        finally:
            self.hub._record(self._served)

    def _route(self, *, head: bool) -> None:
        faults = self.hub.faults
        if faults.status is not None:
            headers = {}
            if faults.retry_after is not None:
                headers["Retry-After"] = str(faults.retry_after)
            return self._error(faults.status, None, "Injected failure", headers)
        url = urlsplit(self.path)
        path = unquote(url.path)
        if self.command == "POST":
            return self._post(path)
        if path == "/api/whoami-v2":
            return self._whoami()
        if match := _RESOLVE.match(path):
            repo = self._repo(match["repo"], match["kind"] or "models")
            return self._resolve(repo, match["repo"], match["path"], head=head)
        if match := _TREE.match(path):
            repo = self._repo(match["repo"], match["kind"])
            return self._tree(repo, match["path"] or "")
        if match := _INFO.match(path):
            repo = self._repo(match["repo"], match["kind"])
            return self._info(repo, match["repo"], blobs="blobs" in parse_qs(url.query))
        return self._error(404, None, "No such route")

    def _post(self, path: str) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if path == "/api/validate-yaml":
            return self._validate_yaml(json.loads(body))
        if not self._signed_in():
            return self._error(401, None, "Invalid credentials in Authorization header")
        if path == "/api/repos/create":
            return self._create(json.loads(body))
        if match := _UPLOAD.match(path):
            repo = self._repo(match["repo"], "datasets")
            if repo is None:
                return None
            if not match["repo"].startswith(f"{USER}/"):
                return self._error(403, None, "You don't have the rights to write to this repo")
            if match["step"] == "preupload":
                return self._preupload(json.loads(body))
            if match["step"] == "commit":
                return self._commit(repo, match["repo"], body)
            return self._json([])  # paths-info: nothing is known remotely
        return self._error(404, None, "No such route")

    # Routes.

    def _signed_in(self) -> bool:
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        return token in self.hub.valid_tokens

    def _whoami(self) -> None:
        if not self._signed_in():
            return self._error(401, None, "Invalid credentials in Authorization header")
        self._json({"name": USER, "auth": {"accessToken": {"displayName": "test-token"}}})

    # Uploads, as huggingface_hub 2.4's create_repo and upload_folder send them.

    def _validate_yaml(self, request: dict[str, object]) -> None:
        content = str(request.get("content", ""))
        if not content.startswith("---\n") or "\n---\n" not in content[3:]:
            return self._json({"errors": [], "warnings": [{"message": "empty or missing yaml"}]})
        try:
            yaml.safe_load(content[4:].split("\n---\n")[0])
        except yaml.YAMLError as error:
            return self._json({"errors": [{"message": str(error)}]}, status=400)
        return self._json({"errors": [], "warnings": []})

    def _create(self, request: dict[str, object]) -> None:
        repo_id = f"{request.get('organization') or USER}/{request['name']}"
        if request.get("type") != "dataset":
            return self._error(400, None, "This fake hub creates dataset repositories only")
        if not repo_id.startswith(f"{USER}/"):
            return self._error(403, None, "You don't have the rights to create a repo here")
        url = f"{self.hub.url}/datasets/{repo_id}"
        with self.hub._lock:
            if repo_id in self.hub._datasets:
                # The Hub says where the existing repository is; create_repo(exist_ok) reads it.
                body = {"error": "You already created this dataset repo", "url": url}
                return self._json(body, status=409)
            self.hub._datasets[repo_id] = _Repo(private=request.get("visibility") == "private")
        self._json({"url": url, "name": repo_id, "id": repo_id})

    def _preupload(self, request: dict[str, list[dict[str, object]]]) -> None:
        files = [
            {"path": entry["path"], "uploadMode": "regular", "shouldIgnore": False, "oid": None}
            for entry in request["files"]
        ]
        self._json({"files": files, "commitOid": COMMIT})

    def _commit(self, repo: _Repo, repo_id: str, body: bytes) -> None:
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            return self._error(400, None, "A commit starts with its header")
        folder = Path(self.hub._uploads.name) / repo_id.replace("/", "--")
        for line in lines[1:]:
            if line["key"] != "file" or line["value"].get("encoding") != "base64":
                return self._error(400, None, f"Not a regular file upload: {line['key']}")
            name = line["value"]["path"]
            data = base64.b64decode(line["value"]["content"])
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            digest = hashlib.sha256(data).hexdigest()
            repo.files[name] = HubFile(target, len(data), digest)
        repo.commits += 1
        oid = hashlib.sha1(f"{repo_id}:{repo.commits}".encode()).hexdigest()
        commit_url = f"{self.hub.url}/datasets/{repo_id}/commit/{oid}"
        self._json({"commitUrl": commit_url, "commitOid": oid, "success": True})

    def _info(self, repo: _Repo | None, repo_id: str, *, blobs: bool) -> None:
        if repo is None:
            return
        siblings = []
        for name, entry in sorted(repo.files.items()):
            sibling: dict[str, object] = {"rfilename": name}
            if blobs:
                lfs = {"sha256": entry.sha256, "size": entry.size, "pointerSize": 134}
                sibling |= {"size": entry.size, "blobId": entry.sha256[:40], "lfs": lfs}
            siblings.append(sibling)
        self._json({"id": repo_id, "sha": COMMIT, "private": repo.private, "siblings": siblings})

    def _tree(self, repo: _Repo | None, folder: str) -> None:
        if repo is None:
            return
        prefix = f"{folder.rstrip('/')}/" if folder else ""
        entries = [
            {
                "type": "file",
                "oid": e.sha256[:40],
                "size": e.size,
                "path": name,
                "lfs": {"oid": e.sha256, "size": e.size, "pointerSize": 134},
            }
            for name, e in sorted(repo.files.items())
            if name.startswith(prefix)
        ]
        self._json(entries)

    def _resolve(self, repo: _Repo | None, repo_id: str, name: str, *, head: bool) -> None:
        if repo is None:
            return
        if repo.token is not None:
            given = self.headers.get("Authorization")
            if given != f"Bearer {repo.token}":
                status = 401 if given is None else 403
                return self._error(status, "GatedRepo", f"Access to model {repo_id} is restricted.")
        entry = repo.files.get(name)
        if entry is None:
            return self._error(404, "EntryNotFound", f"{name} does not exist on main")
        start, end = 0, entry.size - 1
        wanted = None if self.hub.faults.ignore_range else self.headers.get("Range")
        if wanted is not None:
            match = _RANGE.match(wanted)
            if match is None or int(match[1]) >= entry.size:
                return self._error(
                    416, None, "Range not satisfiable", {"Content-Range": f"bytes */{entry.size}"}
                )
            start = int(match[1])
            end = min(int(match[2]), end) if match[2] else end
        self._served.status = 206 if wanted else 200
        self.send_response(self._served.status)
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("ETag", f'"{entry.sha256}"')
        self.send_header("X-Linked-Etag", f'"{entry.sha256}"')
        self.send_header("X-Linked-Size", str(entry.size))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start + 1))
        if wanted:
            self.send_header("Content-Range", f"bytes {start}-{end}/{entry.size}")
        self.end_headers()
        if not head:
            self._send_file(entry, start, end - start + 1)

    # Sending.

    def _send_file(self, entry: HubFile, start: int, count: int) -> None:
        faults = self.hub.faults
        if faults.hang:
            with self.hub._lock:
                self.hub.hung += 1
            self.hub._stopped.wait()
            return
        drop_after = self.hub._take("drop_after")
        hold_after = self.hub._take("hold_after")
        with entry.path.open("rb") as f:
            if drop_after is None and hold_after is None and not faults.corrupt and not faults.rate:
                # The fast path (benchmarks): let the kernel copy the file.
                self._served.body_bytes = self.connection.sendfile(f, start, count)
                return
            f.seek(start)
            started = time.monotonic()
            while (sent := self._served.body_bytes) < count:
                block = f.read(min(SEND_BLOCK, count - sent))
                if faults.corrupt and sent == 0:
                    block = bytes([block[0] ^ 0xFF]) + block[1:]
                if drop_after is not None and sent + len(block) > drop_after:
                    self._send(block[: drop_after - sent])
                    # An abrupt close: the client sees the body end short.
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if hold_after is not None and sent + len(block) > hold_after:
                    cut = hold_after - sent
                    self._send(block[:cut])
                    self._hold()
                    block, hold_after = block[cut:], None
                self._send(block)
                if faults.rate:  # pace: sleep until the bytes sent so far are due
                    due = started + self._served.body_bytes / faults.rate
                    time.sleep(max(0.0, due - time.monotonic()))

    def _send(self, block: bytes) -> None:
        self.wfile.write(block)
        self._served.body_bytes += len(block)

    def _hold(self) -> None:
        self.hub.held.set()
        try:
            self.hub._release.wait(self.hub.faults.hold_seconds)
        finally:
            self.hub.held.clear()
            self.hub._release.clear()

    def _repo(self, repo_id: str, kind: str = "models") -> _Repo | None:
        repo = (self.hub._datasets if kind == "datasets" else self.hub._repos).get(repo_id)
        if repo is not None and repo.private and not self._signed_in():
            repo = None  # the Hub does not tell strangers that a private repository exists
        if repo is None:
            self._error(404, "RepoNotFound", "Repository not found")
        return repo

    def _json(self, payload: object, status: int = 200) -> None:
        body = json.dumps(payload).encode()
        self._served.status = status
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(
        self,
        status: int,
        code: str | None,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        body = json.dumps({"error": message}).encode()
        self._served.status = status
        self.send_response(status)
        self.send_header("X-Repo-Commit", COMMIT)
        if code is not None:
            self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def logged_out_hub(monkeypatch: pytest.MonkeyPatch, folder: Path, token: str) -> Iterator[FakeHub]:
    """A running FakeHub that accepts `token`, chosen with HF_ENDPOINT, with no login of this
    machine's own leaking in (no HF_TOKEN, huggingface_hub's token file moved into `folder`)."""
    import huggingface_hub.constants

    with FakeHub() as server:
        server.valid_tokens.add(token)
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.delenv("HF_TOKEN", raising=False)
        monkeypatch.setattr(huggingface_hub.constants, "HF_TOKEN_PATH", str(folder / "token"))
        yield server
