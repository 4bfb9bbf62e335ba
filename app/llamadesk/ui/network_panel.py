"""The Network panel: serve the loaded model over OpenAI's API, and use models on servers."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.api_jobs import LogEntry
from llamadesk.core.remote import NO_LOGPROBS
from llamadesk.services.network import ApiService, ConnectionsService
from llamadesk.ui.translations import plural, translate

if TYPE_CHECKING:
    from llamadesk.ui.main_window import MainWindow

DEFAULT_PORT = 8080
LOG_ROWS = 200  # the request log keeps the latest this many


def log_line(entry: LogEntry) -> str:
    """One request in the log: when, who, what, how it ended, and what it cost."""
    moment = time.strftime("%H:%M:%S", time.localtime(entry.at))
    line = f"{moment}  {entry.client}  {entry.path}  {entry.status}"
    if entry.status == 200 and entry.completion_tokens:
        cost = translate("NetworkPanel", "{tokens} tokens, waited {waited:.0f} ms, {total:.1f} s")
        line += "  ·  " + cost.format(
            tokens=entry.completion_tokens, waited=entry.queued_ms, total=entry.total_ms / 1000
        )
    elif entry.note:
        line += f"  ·  {entry.note}"
    return line


class NetworkPanel(QWidget):
    """Signals:
    use_remote(str, str, str): the user picked a model on a server (url, key, model id).
    """

    use_remote = Signal(str, str, str)

    def __init__(
        self, api: ApiService, connections: ConnectionsService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.connections = connections
        layout = QVBoxLayout(self)
        layout.addWidget(self._server_box())
        layout.addWidget(self._connections_box(), 1)
        api.logged.connect(self._on_logged)
        connections.changed.connect(self._show_servers)
        connections.failed.connect(self._on_add_failed)
        self._show_servers()

    # The API server ----------------------------------------------------------------------

    def _server_box(self) -> QGroupBox:
        box = QGroupBox(translate("NetworkPanel", "Serve the loaded model (OpenAI-compatible API)"))
        self.serve_toggle = QPushButton(translate("NetworkPanel", "Start server"))
        self.serve_toggle.setObjectName("serveToggle")
        self.serve_toggle.setCheckable(True)
        self.serve_toggle.toggled.connect(self._on_toggled)
        self.port = QSpinBox()
        self.port.setRange(0, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.port.setToolTip(translate("NetworkPanel", "0 picks any free port"))
        self.others = QCheckBox(
            translate("NetworkPanel", "Let other computers connect (needs an API key)")
        )
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText(translate("NetworkPanel", "optional on this computer"))
        self.address = QLineEdit()
        self.address.setObjectName("serverAddress")
        self.address.setReadOnly(True)
        self.address.setPlaceholderText(translate("NetworkPanel", "not serving"))
        self.copy = QPushButton(translate("NetworkPanel", "Copy"))
        self.copy.setEnabled(False)
        self.copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.address.text()))
        address_row = QHBoxLayout()
        address_row.addWidget(self.address, 1)
        address_row.addWidget(self.copy)
        self.server_note = QLabel("")
        self.server_note.setObjectName("emptyNote")
        self.server_note.setWordWrap(True)
        self.log = QListWidget()
        self.log.setObjectName("requestLog")
        self.log.setMaximumHeight(140)
        form = QFormLayout()
        form.addRow(translate("NetworkPanel", "Port"), self.port)
        form.addRow(translate("NetworkPanel", "API key"), self.api_key)
        form.addRow("", self.others)
        form.addRow(translate("NetworkPanel", "Address"), address_row)
        column = QVBoxLayout(box)
        column.addWidget(self.serve_toggle)
        column.addLayout(form)
        column.addWidget(self.server_note)
        column.addWidget(QLabel(translate("NetworkPanel", "Requests")))
        column.addWidget(self.log)
        return box

    def _on_toggled(self, on: bool) -> None:
        for field in (self.port, self.api_key, self.others):
            field.setEnabled(not on)
        if not on:
            self.api.stop()
            self._show_serving("", "")
            return
        host = "0.0.0.0" if self.others.isChecked() else "127.0.0.1"
        try:
            url = self.api.start(host, self.port.value(), self.api_key.text().strip())
        except (OSError, ValueError) as exc:
            self.serve_toggle.setChecked(False)  # back to off: calls this again
            self.server_note.setText(str(exc))
            return
        note = translate(
            "NetworkPanel",
            "Requests wait their turn behind your chat. Point any OpenAI client here.",
        )
        self._show_serving(url, note)

    def _show_serving(self, url: str, note: str) -> None:
        self.address.setText(url)
        self.copy.setEnabled(bool(url))
        self.serve_toggle.setText(
            translate("NetworkPanel", "Stop server")
            if url
            else translate("NetworkPanel", "Start server")
        )
        self.server_note.setText(note)

    def _on_logged(self, entry: LogEntry) -> None:
        self.log.insertItem(0, log_line(entry))
        while self.log.count() > LOG_ROWS:
            self.log.takeItem(self.log.count() - 1)

    # Connections ----------------------------------------------------------------------------

    def _connections_box(self) -> QGroupBox:
        box = QGroupBox(translate("NetworkPanel", "Connections: models on other servers"))
        self.server_url = QLineEdit()
        self.server_url.setPlaceholderText(translate("NetworkPanel", "http://gpu-box:8080/v1"))
        self.server_key = QLineEdit()
        self.server_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.server_key.setPlaceholderText(
            translate("NetworkPanel", "API key, if the server wants one")
        )
        self.server_key.setToolTip(
            translate(
                "NetworkPanel",
                "Kept in the OS keyring where there is one, else in a file only you may read; "
                "never in the settings",
            )
        )
        self._key_given = False  # the server being added came with a key
        self.add_button = QPushButton(translate("NetworkPanel", "Add server"))
        self.add_button.clicked.connect(self._add)
        self.remote_models = QListWidget()
        self.remote_models.setObjectName("remoteModels")
        self.remote_models.setWordWrap(True)
        self.remote_models.itemActivated.connect(self._use)
        self.use_button = QPushButton(translate("NetworkPanel", "Chat with this model"))
        self.use_button.clicked.connect(lambda: self._use(self.remote_models.currentItem()))
        self.remove_button = QPushButton(translate("NetworkPanel", "Remove server"))
        self.remove_button.clicked.connect(self._remove)
        self.connections_note = QLabel("")
        self.connections_note.setObjectName("emptyNote")
        self.connections_note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(translate("NetworkPanel", "Server"), self.server_url)
        form.addRow(translate("NetworkPanel", "API key"), self.server_key)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.remove_button)
        column = QVBoxLayout(box)
        column.addLayout(form)
        column.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignRight)
        column.addWidget(self.connections_note)
        column.addWidget(self.remote_models, 1)
        column.addLayout(buttons)
        return box

    def _add(self) -> None:
        self._key_given = bool(self.server_key.text().strip())
        self.add_button.setEnabled(False)
        self._note(translate("NetworkPanel", "Asking the server for its models…"))
        self.connections.add(self.server_url.text(), self.server_key.text().strip())

    def _on_add_failed(self, message: str) -> None:
        self._key_given = False
        self.add_button.setEnabled(True)
        self._note(message, error=True)

    def _note(self, text: str, *, error: bool = False) -> None:
        """Say `text` under the server's address; a failure in the error colour, so a
        server that is down does not read like a progress note."""
        self.connections_note.setObjectName("errorText" if error else "emptyNote")
        self.connections_note.style().unpolish(self.connections_note)
        self.connections_note.style().polish(self.connections_note)
        self.connections_note.setText(text)

    def _show_servers(self) -> None:
        self.add_button.setEnabled(True)
        self.remote_models.clear()
        for server in self.connections.servers:
            reference = (
                translate(
                    "NetworkPanel", "can be the reference when you measure a local model's quality"
                )
                if server.logprobs
                else translate("NetworkPanel", "not a quality reference: {why}").format(
                    why=NO_LOGPROBS
                )
            )
            for model in server.models:
                shown = translate("NetworkPanel", "{model}\n    remote · {url}")
                item = QListWidgetItem(shown.format(model=model, url=server.url))
                tip = translate("NetworkPanel", "{model} on {url}; {reference}.")
                item.setToolTip(tip.format(model=model, url=server.url, reference=reference))
                item.setData(Qt.ItemDataRole.UserRole, (server.url, model))
                self.remote_models.addItem(item)
        count = self.remote_models.count()
        self._note(
            plural(
                count,
                translate("NetworkPanel", "{n} remote model: double-click it to chat with it."),
                translate("NetworkPanel", "{n} remote models: double-click one to chat with it."),
            )
            if count
            else translate(
                "NetworkPanel",
                "Add a server (llama-server, vLLM, Ollama…) to chat with its models.",
            )
        )
        if self._key_given:  # just added, with a key: say where it went
            self._key_given = False
            place = translate("NetworkPanel", "Its API key is kept in {place}.")
            note = self.connections_note.text()
            self._note(f"{note} {place.format(place=self.connections.key_place())}")
        self.server_url.clear()
        self.server_key.clear()

    def _use(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        url, model = item.data(Qt.ItemDataRole.UserRole)
        self.use_remote.emit(url, self.connections.key(url), model)

    def _remove(self) -> None:
        item = self.remote_models.currentItem()
        if item is not None:
            self.connections.remove(item.data(Qt.ItemDataRole.UserRole)[0])


def add_network_dock(window: MainWindow) -> NetworkPanel:
    """The Network panel in a dock of `window`, shown by a toolbar toggle. The services
    (the API server, the connections) are the app's; `Services.stop()` stops them."""
    host = window.session.host
    api = window.services.api
    panel = NetworkPanel(api, window.services.connections)
    dock = QDockWidget(translate("MainWindow", "Network"), window)
    dock.setObjectName("networkDock")
    dock.setWidget(panel)
    dock.setMinimumWidth(340)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.hide()
    action = window.toolbar.addAction(translate("MainWindow", "Network"))
    action.setObjectName("networkAction")
    action.setCheckable(True)
    action.setToolTip(
        translate(
            "NetworkPanel", "Serve the model to other programs; chat with models on other servers"
        )
    )
    action.toggled.connect(dock.setVisible)
    dock.visibilityChanged.connect(action.setChecked)
    serving = translate("MainWindow", "Network · serving")
    api.running_changed.connect(lambda on: action.setText(serving if on else dock.windowTitle()))

    def use(url: str, key: str, model: str) -> None:
        if host.busy or window.loader.busy:
            window.banner.show_message(
                translate("NetworkPanel", "The model is busy: wait a moment, then pick it again.")
            )
            return
        host.connect_remote(url, key, model)

    panel.use_remote.connect(use)
    window.model_picker.remote_chosen.connect(
        lambda url, model: use(url, panel.connections.key(url), model)
    )
    panel.connections.changed.connect(window._refresh_models)
    return panel
