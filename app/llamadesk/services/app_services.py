"""Every long-lived service of a running app, made once: `make_services` is where they are
built and wired to each other, `Services.close()` where they all stop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from llamadesk.core.paths import AppPaths
from llamadesk.core.rescue import Rescue, open_or_rescue
from llamadesk.core.store import Store
from llamadesk.services.chat_session import ChatSession
from llamadesk.services.chat_transfer import ChatTransferService
from llamadesk.services.compare import CompareSession
from llamadesk.services.dataset import DatasetService
from llamadesk.services.memory_monitor import MemoryMonitor
from llamadesk.services.model_host import ModelHost
from llamadesk.services.model_loader import ModelLoader
from llamadesk.services.network import ApiService, ConnectionsService
from llamadesk.services.ratings import RatingsService
from llamadesk.services.settings_service import SettingsService
from llamadesk.services.share import ShareService

if TYPE_CHECKING:
    from llamadesk.services.downloads import DownloadManager


@dataclass
class Services:
    """The app's services; the window and its pages are given these, never make their own.

    The download queue is made the first time it is wanted: it brings in the Hugging Face
    client, which costs half a second at start for a page many sessions never open.
    """

    paths: AppPaths
    store: Store
    host: ModelHost
    settings: SettingsService
    loader: ModelLoader
    session: ChatSession
    ratings: RatingsService
    compare: CompareSession
    monitor: MemoryMonitor
    dataset: DatasetService
    chat_transfer: ChatTransferService
    share: ShareService
    api: ApiService  # the app's own OpenAI-compatible server over the loaded model
    connections: ConnectionsService  # the servers whose models the user added
    rescued: Rescue | None = None  # the damaged history this start kept aside, if any
    _downloads: DownloadManager | None = None

    @property
    def downloads(self) -> DownloadManager:
        if self._downloads is None:
            from llamadesk.services.downloads import DownloadManager

            self._downloads = DownloadManager(self.paths.models)
        return self._downloads

    def stop(self) -> None:
        """Stop all work and join every thread; the store stays open. Safe to repeat."""
        self.api.stop()  # first: API requests in progress are cancelled, not waited for
        self.connections.wait_for_all()
        # Stops a streaming answer and joins the model thread; the partial answer is saved
        # through the usual answered signal, delivered before shutdown returns.
        self.host.shutdown()
        self.session.save_again()  # a last try for an answer the store refused
        self.monitor.stop()
        self.loader.wait_for_all()
        self.dataset.wait_for_all()  # a running export or delete finishes, never half-done
        self.chat_transfer.wait_for_all()  # an import commits whole or not at all
        self.share.wait_for_all()  # a push ends (or fails) whole
        if self._downloads is not None:
            self._downloads.shutdown()  # keeps a running download's bytes for next time

    def close(self) -> None:
        """Stop everything, then close the store: the one shutdown."""
        self.stop()
        self.store.close()


def make_services(paths: AppPaths, busy_timeout: float) -> Services:
    """Open the store in `paths` (a damaged one is kept aside and what can be read of it
    recovered) and make each service once over it."""
    paths.ensure()
    store, rescued = open_or_rescue(paths.database, busy_timeout=busy_timeout)
    host = ModelHost()
    settings = SettingsService(paths.settings_file)
    loader = ModelLoader(host, settings)
    session = ChatSession(store, host)
    ratings = RatingsService(store)
    compare = CompareSession(store, host, ratings, loader)
    monitor = MemoryMonitor()
    dataset = DatasetService(paths.database)
    ratings.changed.connect(dataset.mark_changed)
    api = ApiService(host, lambda: session.params)
    connections = ConnectionsService(paths.config)
    compare.remote_key = connections.key
    return Services(
        paths,
        store,
        host,
        settings,
        loader,
        session,
        ratings,
        compare,
        monitor,
        dataset,
        ChatTransferService(paths),
        ShareService(paths),
        api,
        connections,
        rescued,
    )
