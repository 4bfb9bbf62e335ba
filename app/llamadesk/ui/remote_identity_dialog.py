"""Say what a model on a server is ("qwen3-32b on the GPU machine is Qwen3-32B at F16"), so
the quant arena can duel it against your local levels of that model."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.quants import HUB_LEVELS, QUANT_LEVELS, QuantLevel
from llamadesk.core.remote import NO_LOGPROBS
from llamadesk.core.remote_identity import RemoteIdentity
from llamadesk.services.network import ConnectionsService
from llamadesk.ui.translations import translate


def declarable_levels() -> list[QuantLevel]:
    """The levels a remote model can be declared at: those with known bits per weight (the
    arena's curve places levels by them), largest first."""
    levels = [*QUANT_LEVELS, *(level for level, _base in HUB_LEVELS)]
    known = [level for level in levels if level.bits_per_weight is not None]
    return sorted(known, key=lambda level: -(level.bits_per_weight or 0.0))


class RemoteIdentityDialog(QDialog):
    """Pick a model on one of your servers and say which model and level it is; saved in the
    connections (`ConnectionsService.declare`), which refreshes the arena."""

    def __init__(
        self,
        connections: ConnectionsService,
        models: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("RemoteIdentityDialog", "A model on a server, in the arena"))
        self.connections = connections
        self.remote = QComboBox()
        self.remote.setAccessibleName(translate("RemoteIdentityDialog", "Model on a server"))
        for server in connections.servers:
            for model_id in server.models:
                self.remote.addItem(f"{model_id}  ({server.url})", f"{server.url}\n{model_id}")
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setAccessibleName(translate("RemoteIdentityDialog", "Which model it is"))
        self.model.addItems(sorted(set(models), key=str.casefold))
        self.level = QComboBox()
        self.level.setAccessibleName(translate("RemoteIdentityDialog", "Its quantization level"))
        shown = translate("RemoteIdentityDialog", "{level}  ({bits:.2f} bits/weight)")
        for level in declarable_levels():
            self.level.addItem(
                shown.format(level=level.name, bits=level.bits_per_weight), level.name
            )
        self.reference = QCheckBox(
            translate(
                "RemoteIdentityDialog", "The reference: the level the others are judged against"
            )
        )
        self.note = QLabel("")
        self.note.setObjectName("emptyNote")
        self.note.setWordWrap(True)
        self.save_button = QPushButton(translate("RemoteIdentityDialog", "Save"))
        self.save_button.setObjectName("primaryButton")
        self.save_button.clicked.connect(self.save)
        self.forget_button = QPushButton(translate("RemoteIdentityDialog", "Forget"))
        self.forget_button.setToolTip(
            translate("RemoteIdentityDialog", "Take this model out of the arena")
        )
        self.forget_button.clicked.connect(self.forget)
        close = QPushButton(translate("RemoteIdentityDialog", "Close"))
        close.clicked.connect(self.accept)
        self._layout(close)
        self.remote.currentIndexChanged.connect(self._show_identity)
        self._show_identity()

    def _layout(self, close: QPushButton) -> None:
        intro = QLabel(
            translate(
                "RemoteIdentityDialog",
                "A server names its models as its owner likes. Say which model this is (as "
                "your files name it, without the level) and at which level it runs, and it "
                "duels your local levels of that model in the arena.",
            )
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow(translate("RemoteIdentityDialog", "On the server"), self.remote)
        form.addRow(translate("RemoteIdentityDialog", "Is the model"), self.model)
        form.addRow(translate("RemoteIdentityDialog", "At level"), self.level)
        form.addRow("", self.reference)
        buttons = QHBoxLayout()
        buttons.addWidget(self.forget_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)

    def _chosen(self) -> tuple[str, str] | None:
        data = self.remote.currentData()
        if not data:
            return None
        url, model_id = str(data).split("\n", 1)
        return url, model_id

    def _show_identity(self) -> None:
        chosen = self._chosen()
        for widget in (self.save_button, self.forget_button, self.model, self.level):
            widget.setEnabled(chosen is not None)
        if chosen is None:
            self.note.setText(
                translate("RemoteIdentityDialog", "Add a server first: Network → Connections.")
            )
            return
        url, model_id = chosen
        server = next(s for s in self.connections.servers if s.url == url)
        known = server.identity(model_id)
        if known is not None:
            self.model.setEditText(known.model)
            self.level.setCurrentIndex(max(self.level.findData(known.level), 0))
            self.reference.setChecked(known.reference)
        said = (
            translate("RemoteIdentityDialog", "The server's answers say so; correct them if not.")
            if known is not None and known.source == "server"
            else ""
        )
        measure = (
            translate(
                "RemoteIdentityDialog",
                "As the reference, it can also measure your levels' KL and top-1 (it returns "
                "top_logprobs).",
            )
            if server.logprobs
            else translate(
                "RemoteIdentityDialog", "It can duel, but not measure KL: {why}."
            ).format(why=NO_LOGPROBS)
        )
        self.note.setText(f"{said} {measure}".strip())

    def save(self) -> None:
        chosen, model = self._chosen(), self.model.currentText().strip()
        if chosen is None or not model:
            self.note.setText(translate("RemoteIdentityDialog", "Say which model it is first."))
            return
        url, model_id = chosen
        identity = RemoteIdentity(
            model_id, model, str(self.level.currentData()), self.reference.isChecked()
        )
        self.connections.declare(url, model_id, identity)
        self.note.setText(
            translate(
                "RemoteIdentityDialog", "Saved: the arena pairs it with your files of {model}."
            ).format(model=model)
        )

    def forget(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self.connections.declare(*chosen, None)
            self.note.setText(
                translate("RemoteIdentityDialog", "Forgotten: it is out of the arena.")
            )
