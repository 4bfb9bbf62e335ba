"""The servers the user added ("Connections"): their URLs and models, and their API keys.

The list lives in `connections.json` in the config folder. Keys never go there: they go to
the OS keyring where the `keyring` package finds a usable one (not its "fail" backend, which
is what it finds on a Linux desktop without a Secret Service), else to
`connection-keys.json`, a file only its owner may read. Neither is ever logged.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from llamadesk.core.remote_identity import RemoteIdentity, from_json

KEYRING_SERVICE = "LlamaDesk connections"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Connection:
    """A server: its base URL, what it offered when last probed, and what its models are
    (declared by the user, or read from the server's answers) where that is known."""

    url: str
    models: tuple[str, ...] = ()
    logprobs: bool = False
    identities: tuple[RemoteIdentity, ...] = ()

    def identity(self, model_id: str) -> RemoteIdentity | None:
        return next((i for i in self.identities if i.model_id == model_id), None)


def normalize_url(url: str) -> str:
    """The base URL as the API wants it: no trailing slash, /v1 added to a bare host."""
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValueError("A server's address starts with http:// or https://.")
    host_part = url.split("://", 1)[1]
    return url if "/" in host_part else f"{url}/v1"


class Connections:
    """The saved servers in `folder` (the app's config folder)."""

    def __init__(self, folder: Path) -> None:
        self._list = folder / "connections.json"
        self._keys = folder / "connection-keys.json"

    def load(self) -> list[Connection]:
        try:
            raw = json.loads(self._list.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        items = raw if isinstance(raw, list) else []
        return [_connection(item) for item in items if isinstance(item, dict) and _has_url(item)]

    def save(self, connections: list[Connection]) -> None:
        data = [asdict(c) for c in connections]
        self._list.parent.mkdir(parents=True, exist_ok=True)
        self._list.write_text(json.dumps(data, indent=2), encoding="utf-8")

    def key_place(self) -> str:
        """Where keys are kept, for the user: "the OS keyring (macOS Keychain)", or the
        private file and why."""
        keyring = _keyring()
        if keyring is not None:
            return f"the OS keyring ({keyring.get_keyring().name})"
        return (
            f"{self._keys}, which only you may read: no OS keyring was found (on Linux, "
            "a Secret Service such as GNOME Keyring or KWallet)"
        )

    def key(self, url: str) -> str:
        keyring = _keyring()
        if keyring is not None:
            try:
                found = keyring.get_password(KEYRING_SERVICE, url)
            except keyring.errors.KeyringError as exc:  # locked, or its service went away
                log.warning("The OS keyring could not be read (%s)", type(exc).__name__)
            else:
                if found:
                    return str(found)
        return str(self._read_keys().get(url, ""))  # kept there when no keyring took it

    def set_key(self, url: str, key: str) -> None:
        keyring = _keyring()
        if keyring is not None:
            try:
                if key:
                    keyring.set_password(KEYRING_SERVICE, url, key)
                elif keyring.get_password(KEYRING_SERVICE, url) is not None:
                    keyring.delete_password(KEYRING_SERVICE, url)  # a removed server's key goes
            except keyring.errors.KeyringError as exc:
                log.warning(
                    "The OS keyring refused the key (%s): kept in %s",
                    type(exc).__name__,
                    self._keys.name,
                )
            else:
                if self._keys.exists():
                    self._write_key(url, "")  # no copy stays behind in the file
                return
        self._write_key(url, key)

    def _write_key(self, url: str, key: str) -> None:
        keys = self._read_keys()
        keys.pop(url, None)
        if key:
            keys[url] = key
        self._keys.parent.mkdir(parents=True, exist_ok=True)
        # Created readable by its owner only, before the key is written into it.
        fd = os.open(self._keys, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(keys, out)

    def _read_keys(self) -> dict[str, Any]:
        try:
            keys = json.loads(self._keys.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return keys if isinstance(keys, dict) else {}


def _has_url(item: dict[str, Any]) -> bool:
    return isinstance(item.get("url"), str)


def _connection(item: dict[str, Any]) -> Connection:
    """One saved server; identities of models it no longer offers are dropped."""
    models = tuple(str(m) for m in item.get("models", []))
    listed = item.get("identities")
    identities = (from_json(raw) for raw in (listed if isinstance(listed, list) else []))
    kept = tuple(i for i in identities if i is not None and i.model_id in models)
    return Connection(item["url"], models, bool(item.get("logprobs")), kept)


def _keyring() -> Any:
    """The keyring module where it is installed and finds a real backend; else None."""
    try:
        import keyring  # type: ignore[import-not-found,unused-ignore]
        import keyring.errors  # type: ignore[import-not-found,unused-ignore]
        from keyring.backends import fail  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return None if isinstance(keyring.get_keyring(), fail.Keyring) else keyring
