"""The toolbar's model menu: models in the app's folder, the loaded file, and Open…"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QWidget

from llamadesk.core.adapters import ADAPTER_MARK, read_adapter_lineage
from llamadesk.core.remote import short_model_id
from llamadesk.ui.translations import translate

OPEN_FILE = "\0open"  # item data are path strings; this can never be one
REMOTE = "\0remote\n"  # nor this: the start of a remote model's data, "<REMOTE>url\nid"
RemoteModel = tuple[str, str]  # a server's base URL and a model id on it
DEMO_SUFFIX = "demo-random-weights.gguf"


def display_name(path: Path) -> str:
    if path.name == DEMO_SUFFIX:
        return translate("ModelPicker", "Demo model (random weights: it babbles)")
    # Only a file named as training names adapters has its (small) lineage read.
    lineage = read_adapter_lineage(path) if ADAPTER_MARK in path.name else None
    return lineage.label() if lineage is not None else path.stem


class ModelPicker(QComboBox):
    """Signals:
    model_chosen(object): the user picked this model file (a Path).
    remote_chosen(str, str): the user picked a model on a server (its URL, the model id).
    open_requested(): the user wants to open a GGUF file from anywhere.
    """

    model_chosen = Signal(object)
    remote_chosen = Signal(str, str)
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelPicker")
        self.setMinimumWidth(280)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.activated.connect(self._on_activated)
        self._current: Path | RemoteModel | None = None
        self.set_models([], None)

    def set_models(
        self,
        paths: Sequence[Path],
        current: Path | RemoteModel | None,
        remote: Sequence[RemoteModel] = (),
    ) -> None:
        """List these model files (and `current`, if it lives elsewhere), then the models
        on the user's servers, marked remote."""
        self._current = current
        if isinstance(current, tuple):
            remote = [current, *(r for r in remote if r != current)]
            current = None
        self.blockSignals(True)
        self.clear()
        if current is None:
            self.addItem(translate("ModelPicker", "No model loaded"), None)
        listed = list(paths)
        if current is not None and current not in listed:
            listed.insert(0, current)
        # Item data are strings: QVariants holding Python objects do not compare equal.
        for path in listed:
            self.addItem(display_name(path), str(path))
            self.setItemData(self.count() - 1, str(path), Qt.ItemDataRole.ToolTipRole)
        for url, model in remote:
            remote_name = translate("ModelPicker", "{model}  (remote)").format(
                model=short_model_id(model)
            )
            self.addItem(remote_name, f"{REMOTE}{url}\n{model}")
            where = translate("ModelPicker", "{model} on {url}").format(model=model, url=url)
            self.setItemData(self.count() - 1, where, Qt.ItemDataRole.ToolTipRole)
        self.insertSeparator(self.count())
        self.addItem(translate("ModelPicker", "Open GGUF file…"), OPEN_FILE)
        self.setCurrentIndex(max(self._index_of_current(), 0))
        self.blockSignals(False)

    def _index_of_current(self) -> int:
        current = self._current
        if isinstance(current, tuple):
            return self.findData(f"{REMOTE}{current[0]}\n{current[1]}")
        return self.findData(str(current)) if current is not None else 0

    def _on_activated(self, index: int) -> None:
        data = self.itemData(index)
        if data == OPEN_FILE:
            # Show the loaded model again until a file is actually opened.
            self.setCurrentIndex(max(self._index_of_current(), 0))
            self.open_requested.emit()
        elif data and data.startswith(REMOTE):
            url, model = data.removeprefix(REMOTE).split("\n", 1)
            if (url, model) != self._current:
                self.remote_chosen.emit(url, model)
        elif data and Path(data) != self._current:
            self.model_chosen.emit(Path(data))
