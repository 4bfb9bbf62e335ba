"""Where the keys of servers are kept: the OS keyring where the `keyring` package finds one,
else a file only its owner may read; never the list of servers."""

from __future__ import annotations

import stat
import sys
import types
from pathlib import Path

import pytest

from llamadesk.core.connections import KEYRING_SERVICE, Connection, Connections

URL = "http://gpu-box:8080/v1"
KEY = "sk-kept-secret-42"


class MemoryBackend:
    """A keyring backend that keeps passwords in a dict, as the OS's would."""

    priority = 1

    def __init__(self) -> None:
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.passwords.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.passwords[(service, user)] = password

    def delete_password(self, service: str, user: str) -> None:
        del self.passwords[(service, user)]


def _stand_in_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryBackend:
    """A stand-in `keyring` module with the package's functions, for a machine without it."""
    backend = MemoryBackend()
    fail = types.ModuleType("keyring.backends.fail")
    fail.Keyring = type("Keyring", (), {})  # type: ignore[attr-defined]
    backends = types.ModuleType("keyring.backends")
    backends.fail = fail  # type: ignore[attr-defined]
    module = types.ModuleType("keyring")
    module.backends = backends  # type: ignore[attr-defined]
    module.get_keyring = lambda: backend  # type: ignore[attr-defined]
    for name in ("get_password", "set_password", "delete_password"):
        setattr(module, name, getattr(backend, name))
    for name, value in (("keyring", module), ("keyring.backends", backends)):
        monkeypatch.setitem(sys.modules, name, value)
    monkeypatch.setitem(sys.modules, "keyring.backends.fail", fail)
    return backend


@pytest.fixture(params=["keyring package", "stand-in module"])
def keyring_backend(request, monkeypatch: pytest.MonkeyPatch):
    if request.param == "keyring package":
        keyring = pytest.importorskip("keyring", reason="the keyring package is not installed")
        from keyring.backend import KeyringBackend

        class Backend(MemoryBackend, KeyringBackend):
            pass

        previous = keyring.get_keyring()
        backend = Backend()
        keyring.set_keyring(backend)
        yield backend
        keyring.set_keyring(previous)
    else:
        yield _stand_in_keyring(monkeypatch)


def test_keys_go_to_the_keyring_and_never_to_a_file(tmp_path: Path, keyring_backend) -> None:
    connections = Connections(tmp_path)
    connections.save([Connection(URL, ("big",), logprobs=True)])
    connections.set_key(URL, KEY)
    assert keyring_backend.passwords == {(KEYRING_SERVICE, URL): KEY}
    assert Connections(tmp_path).key(URL) == KEY  # read back by a new instance, as at start
    for file in tmp_path.iterdir():
        assert KEY not in file.read_text(encoding="utf-8")
    assert not (tmp_path / "connection-keys.json").exists()
    connections.set_key(URL, "")  # the server was removed: its key goes too
    assert keyring_backend.passwords == {}
    assert connections.key(URL) == ""
    connections.set_key(URL, "")  # removing twice is no error


def test_without_a_keyring_keys_go_to_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # import keyring raises ImportError
    connections = Connections(tmp_path)
    connections.save([Connection(URL)])
    connections.set_key(URL, KEY)
    keys = tmp_path / "connection-keys.json"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert KEY not in (tmp_path / "connections.json").read_text(encoding="utf-8")
    assert Connections(tmp_path).key(URL) == KEY
    connections.set_key(URL, "")
    assert connections.key(URL) == ""


def test_the_network_panel_says_which_servers_can_be_quality_references(
    qtbot, tmp_path: Path
) -> None:
    from llamadesk.core.engine import SamplingParams
    from llamadesk.services.model_host import ModelHost
    from llamadesk.services.network import ApiService, ConnectionsService
    from llamadesk.ui.network_panel import NetworkPanel

    Connections(tmp_path).save(
        [Connection(URL, ("big",), logprobs=True), Connection("http://o:1/v1", ("small",))]
    )
    host = ModelHost()
    try:
        panel = NetworkPanel(ApiService(host, SamplingParams), ConnectionsService(tmp_path))
        qtbot.addWidget(panel)
        tips = [panel.remote_models.item(row).toolTip() for row in range(2)]
        assert tips == [
            f"big on {URL}; can be the reference when you measure a local model's quality.",
            "small on http://o:1/v1; not a quality reference: it returns no top_logprobs for "
            "/v1/completions, so there is nothing to compare a local model's predictions with.",
        ]
    finally:
        host.shutdown()
