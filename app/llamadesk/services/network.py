"""The app on the network: its API server (other programs use the loaded model) and the
servers it connects to (models too big for this computer)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from llamadesk.core.api_jobs import ApiJob, Done, Event, NoModel, QueueFull, Started
from llamadesk.core.connections import Connection, Connections, normalize_url
from llamadesk.core.engine import SamplingParams
from llamadesk.core.openai_api import Limits
from llamadesk.core.remote import NO_STREAMING, Capabilities, RemoteServer
from llamadesk.core.remote_evaluate import RemoteReference
from llamadesk.core.remote_identity import RemoteIdentity
from llamadesk.services.background import JobRunner, unexpected_failure
from llamadesk.services.model_host import ModelHost

if TYPE_CHECKING:
    from llamadesk.core.api_server import ApiServer


class HostBackend:
    """The API server's way to the app's model thread: requests join the chat's FIFO there
    (ModelHost.serve); at most `limit` wait at once, the rest get 429."""

    def __init__(self, host: ModelHost, defaults: Callable[[], SamplingParams], limit: int) -> None:
        self._host = host
        self._defaults = defaults
        self._limit = limit
        self._waiting = 0
        self._lock = threading.Lock()

    def model_id(self) -> str | None:
        model = self._host.model  # read on the server's thread: one attribute, replaced whole
        if model is None or model.server:
            return None  # a remote model is not served on: the app is its client
        return model.info.path.stem

    def defaults(self) -> SamplingParams:
        return self._defaults()

    def submit(self, job: ApiJob) -> None:
        if self.model_id() is None:
            raise NoModel
        with self._lock:
            if self._waiting >= self._limit:
                raise QueueFull
            self._waiting += 1
        left = threading.Event()
        emit = job.emit

        def counted(event: Event) -> None:  # on the model thread: the job left the queue
            if isinstance(event, Started | Done) and not left.is_set():
                left.set()
                with self._lock:
                    self._waiting -= 1
            emit(event)

        job.emit = counted
        self._host.serve(job)


class ApiService(QObject):
    """The API server over the loaded model.

    Signals:
        logged(LogEntry): a request was answered or refused (emitted from the server thread;
            delivered on the GUI thread).
        running_changed(bool): the server started or stopped.
    """

    logged = Signal(object)
    running_changed = Signal(bool)

    def __init__(
        self,
        host: ModelHost,
        defaults: Callable[[], SamplingParams],
        limits: Limits | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.limits = limits or Limits()
        self._backend = HostBackend(host, defaults, self.limits.max_queue)
        self._server: ApiServer | None = None

    @property
    def url(self) -> str:
        return self._server.base_url if self._server is not None else ""

    def start(self, host: str = "127.0.0.1", port: int = 0, api_key: str = "") -> str:
        """Listen (binding is immediate) and return the base URL; raises ValueError for a
        non-loopback host without a key, OSError (in a sentence) for a port in use."""
        from llamadesk.core.api_server import ApiServer  # uvicorn: only once it is wanted

        self.stop()
        server = ApiServer(self._backend, host, port, api_key, self.limits, self.logged.emit)
        url = server.start()
        self._server = server
        self.running_changed.emit(True)
        return url

    def stop(self) -> None:
        """Stop listening; answers in progress are cancelled (their clients leave)."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()
            self.running_changed.emit(False)


def probe(url: str, key: str) -> Capabilities:
    """On a pool thread: what the server at `url` offers."""
    server = RemoteServer(url, key)
    try:
        return server.probe()
    finally:
        server.close()


class ConnectionsService(QObject):
    """The servers the user added, probed once when added.

    Signals:
        changed(): the list of servers or their models changed.
        failed(str): adding a server failed, in one sentence.
    """

    changed = Signal()
    failed = Signal(str)

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = Connections(folder)
        self._jobs = JobRunner(parent=self)
        self.servers: list[Connection] = self._store.load()

    def key(self, url: str) -> str:
        return self._store.key(url)

    def key_place(self) -> str:
        """Where the keys are kept, in words (`Connections.key_place`)."""
        return self._store.key_place()

    def add(self, url: str, key: str) -> None:
        """Probe the server; on success it is saved with its models (`changed`)."""
        from llamadesk.core.remote import RemoteError

        try:
            url = normalize_url(url)
        except ValueError as exc:
            self.failed.emit(str(exc))
            return
        job = self._jobs.start(probe, url, key)
        job.finished.connect(lambda found: self._added(url, key, found))
        job.failed.connect(
            lambda exc: self.failed.emit(
                str(exc) if isinstance(exc, RemoteError) else unexpected_failure(exc, "Probing")
            )
        )

    def _added(self, url: str, key: str, found: Capabilities) -> None:
        if not found.streaming:
            self.failed.emit(f"The server at {url} cannot be used: {NO_STREAMING}.")
            return
        self._store.set_key(url, key)
        before = next((c for c in self.servers if c.url == url), Connection(url))
        # What the user declared stands; the server's own words fill in the rest.
        declared = [i for i in before.identities if i.source == "declared"]
        said = [i for i in found.identities if before.identity(i.model_id) not in declared]
        identities = tuple(i for i in (*declared, *said) if i.model_id in found.models)
        others = [c for c in self.servers if c.url != url]
        self.servers = [*others, Connection(url, found.models, found.logprobs, identities)]
        self._store.save(self.servers)
        self.changed.emit()

    def declare(self, url: str, model_id: str, identity: RemoteIdentity | None) -> None:
        """Say what ``model_id`` on the server at ``url`` is, or (None) forget what was
        known of it; saved at once (`changed`)."""

        def restated(server: Connection) -> Connection:
            kept = tuple(i for i in server.identities if i.model_id != model_id)
            return replace(server, identities=kept + ((identity,) if identity else ()))

        self.servers = [restated(s) if s.url == url else s for s in self.servers]
        self._store.save(self.servers)
        self.changed.emit()

    def references(self) -> list[tuple[RemoteReference, bool]]:
        """Each remote model as a quality reference, and whether it can be one (its server
        returns top_logprobs). Reads the keyring: call on a user's action, not in a loop."""
        return [
            (RemoteReference(server.url, self.key(server.url), model), server.logprobs)
            for server in self.servers
            for model in server.models
        ]

    def remove(self, url: str) -> None:
        self.servers = [c for c in self.servers if c.url != url]
        self._store.save(self.servers)
        self._store.set_key(url, "")
        self.changed.emit()

    @property
    def busy(self) -> bool:
        """A server is being probed."""
        return self._jobs.busy

    def wait_for_all(self) -> None:
        self._jobs.wait_for_all()
