"""The composition root: each service made once, one shutdown that joins every thread."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from llamadesk.core.paths import AppPaths


def test_the_window_is_given_the_services_and_makes_none_of_its_own(parts):
    services, window = parts.services, parts.window
    assert window.session is services.session
    assert window.loader is services.loader
    assert window.monitor is services.monitor
    assert window.dataset is services.dataset
    assert window.settings_service is services.settings
    assert services.loader.settings is services.settings
    assert services.compare.loader is services.loader
    assert window.chat_transfer.service is services.chat_transfer
    assert window.dataset_view.share_service is services.share
    assert window.network.api is services.api
    assert window.network.connections is services.connections
    assert services.compare.remote_key == services.connections.key


def test_close_joins_every_thread_and_closes_the_store(qtbot, home: AppPaths, tiny_model: Path):
    from llamadesk.ui.app import build

    parts = build(home)
    parts.window.start()
    qtbot.waitExposed(parts.window)
    with qtbot.waitSignal(parts.services.loader.loaded, timeout=60_000):
        parts.window.load_model(tiny_model)
    downloads = parts.downloads  # its thread starts when it is first wanted
    monitor = parts.services.monitor
    api = parts.services.api
    url = api.start(port=0)  # the app's API server, as the Network panel starts it

    parts.close()

    assert api.url == ""
    address = urlsplit(url)
    with pytest.raises(ConnectionRefusedError):  # nothing listens there any more
        socket.create_connection((address.hostname, address.port), timeout=1).close()
    assert not parts.host.thread_running()
    assert not downloads._thread.isRunning()
    assert not monitor._timer.isActive()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        parts.store.list_conversations()
    parts.close()  # a second close (the window's own, then the app's) is harmless
