"""Where the keys of servers are kept: the OS keyring where the `keyring` package finds one,
else a file only its owner may read; never the list of servers."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from keyring.errors import KeyringLocked

from conftest import MemoryKeyring
from llamadesk.core.connections import KEYRING_SERVICE, Connection, Connections

URL = "http://gpu-box:8080/v1"
KEY = "sk-kept-secret-42"


def test_keys_go_to_the_keyring_and_never_to_a_file(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    connections = Connections(tmp_path)
    connections.save([Connection(URL, ("big",), logprobs=True)])
    connections.set_key(URL, KEY)
    assert memory_keyring.passwords == {(KEYRING_SERVICE, URL): KEY}
    assert Connections(tmp_path).key(URL) == KEY  # read back by a new instance, as at start
    for file in tmp_path.iterdir():
        assert KEY not in file.read_text(encoding="utf-8")
    assert not (tmp_path / "connection-keys.json").exists()
    connections.set_key(URL, "")  # the server was removed: its key goes too
    assert memory_keyring.passwords == {}
    assert connections.key(URL) == ""
    connections.set_key(URL, "")  # removing twice is no error


def test_the_user_is_told_the_keyring_keeps_keys(tmp_path: Path, memory_keyring) -> None:
    assert Connections(tmp_path).key_place() == f"the OS keyring ({memory_keyring.name})"


def test_a_key_kept_in_the_file_before_moves_to_the_keyring(tmp_path: Path, memory_keyring) -> None:
    keyring.set_keyring(fail.Keyring())
    Connections(tmp_path).set_key(URL, KEY)  # saved where no keyring was usable
    keyring.set_keyring(memory_keyring)  # then the user set one up
    connections = Connections(tmp_path)
    assert connections.key(URL) == KEY, "still read from the file"
    connections.set_key(URL, KEY)  # as adding the server again does
    assert memory_keyring.passwords == {(KEYRING_SERVICE, URL): KEY}
    assert KEY not in (tmp_path / "connection-keys.json").read_text(encoding="utf-8")


def _private_file_keeps_the_key(tmp_path: Path) -> None:
    connections = Connections(tmp_path)
    connections.save([Connection(URL)])
    connections.set_key(URL, KEY)
    keys = tmp_path / "connection-keys.json"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert KEY not in (tmp_path / "connections.json").read_text(encoding="utf-8")
    assert Connections(tmp_path).key(URL) == KEY
    connections.set_key(URL, "")
    assert connections.key(URL) == ""


def test_on_linux_without_a_secret_service_keys_go_to_a_private_file(tmp_path: Path) -> None:
    """keyring's "fail" backend is what it finds there: the file is used, and said."""
    keyring.set_keyring(fail.Keyring())  # the autouse memory_keyring fixture restores it
    _private_file_keeps_the_key(tmp_path)
    place = Connections(tmp_path).key_place()
    assert place.startswith(f"{tmp_path / 'connection-keys.json'}, which only you may read")
    assert "no OS keyring was found" in place


def test_without_the_keyring_package_keys_go_to_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # import keyring raises ImportError
    _private_file_keeps_the_key(tmp_path)


class LockedKeyring(MemoryKeyring):
    """A keyring the user did not unlock: it refuses every call."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("locked")


def test_a_keyring_that_refuses_leaves_the_key_in_the_private_file(tmp_path: Path) -> None:
    keyring.set_keyring(LockedKeyring())
    _private_file_keeps_the_key(tmp_path)


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
