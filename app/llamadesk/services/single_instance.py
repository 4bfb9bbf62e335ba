"""One running app per data folder: a second start brings the first window forward instead.

The first instance listens on a local socket (a Unix socket, a named pipe on Windows) whose
name derives from the data folder, so two LlamaDesk installs with different LLAMADESK_HOME
folders run side by side, while two over the same database never do.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

RAISE_REQUEST = b"raise\n"
CONNECT_TIMEOUT_MS = 1000


def instance_key(data_folder: Path) -> str:
    """The socket name for the app that keeps its data in ``data_folder``."""
    digest = hashlib.sha256(str(data_folder.expanduser().resolve()).encode("utf-8"))
    return f"llamadesk-{digest.hexdigest()[:16]}"


class SingleInstance(QObject):
    """Claims the right to run for one key, or asks the instance that holds it to come forward.

    Signals:
        raise_requested: another start asked this (first) instance to show its window.
    """

    raise_requested = Signal()

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """True: this is the first instance, now listening. False: one already runs, and was
        asked to come forward; the caller should exit without touching the data."""
        if self._ask_running_instance():
            return False
        server = QLocalServer(self)
        # Only this user may connect (other users' LlamaDesks have other data folders anyway).
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.key):
            # Nobody answered above, so the socket file is a crashed instance's leftover;
            # but a second start racing this one may have just begun listening: ask again.
            if self._ask_running_instance():
                server.deleteLater()
                return False
            QLocalServer.removeServer(self.key)
            if not server.listen(self.key):
                # Running anyway beats not starting; the database copes with two writers.
                server.deleteLater()
                return True
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def release(self) -> None:
        """Stop listening (at exit), so the next start is a first one at once."""
        if self._server is not None:
            self._server.close()

    def _ask_running_instance(self) -> bool:
        """Send the raise request to an instance that listens; False when none does."""
        socket = QLocalSocket()
        socket.connectToServer(self.key)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(RAISE_REQUEST)
        socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(CONNECT_TIMEOUT_MS)
        return True

    def _accept(self) -> None:
        assert self._server is not None
        # The sockets stay the server's children until it goes: a deleteLater() on them
        # crashed PySide 6.11 when their owner was deleted from Python right after (a test
        # does that). There is one per second start, a few hundred bytes each.
        while (connection := self._server.nextPendingConnection()) is not None:
            buffer = bytearray()
            connection.readyRead.connect(lambda c=connection, b=buffer: self._read(c, b))
            if connection.bytesAvailable():
                self._read(connection, buffer)

    def _read(self, connection: QLocalSocket, buffer: bytearray) -> None:
        buffer += bytes(connection.readAll().data())
        if RAISE_REQUEST in buffer:
            buffer.clear()
            connection.disconnectFromServer()
            self.raise_requested.emit()
