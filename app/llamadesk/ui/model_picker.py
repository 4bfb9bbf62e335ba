"""The toolbar's model menu: models in the app's folder, the loaded file, and Open…"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QWidget

from llamadesk.core.adapters import ADAPTER_MARK, read_adapter_lineage

OPEN_FILE = "\0open"  # item data are path strings; this can never be one
DEMO_SUFFIX = "demo-random-weights.gguf"


def display_name(path: Path) -> str:
    if path.name == DEMO_SUFFIX:
        return "Demo model (random weights: it babbles)"
    # Only a file named as training names adapters has its (small) lineage read.
    lineage = read_adapter_lineage(path) if ADAPTER_MARK in path.name else None
    return lineage.label() if lineage is not None else path.stem


class ModelPicker(QComboBox):
    """Signals:
    model_chosen(object): the user picked this model file (a Path).
    open_requested(): the user wants to open a GGUF file from anywhere.
    """

    model_chosen = Signal(object)
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelPicker")
        self.setMinimumWidth(280)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.activated.connect(self._on_activated)
        self._current: Path | None = None
        self.set_models([], None)

    def set_models(self, paths: Sequence[Path], current: Path | None) -> None:
        """List these model files (and `current`, if it lives elsewhere)."""
        self._current = current
        self.blockSignals(True)
        self.clear()
        if current is None:
            self.addItem("No model loaded", None)
        listed = list(paths)
        if current is not None and current not in listed:
            listed.insert(0, current)
        # Item data are strings: QVariants holding Python objects do not compare equal.
        for path in listed:
            self.addItem(display_name(path), str(path))
            self.setItemData(self.count() - 1, str(path), Qt.ItemDataRole.ToolTipRole)
        self.insertSeparator(self.count())
        self.addItem("Open GGUF file…", OPEN_FILE)
        self.setCurrentIndex(max(self._index_of_current(), 0))
        self.blockSignals(False)

    def _index_of_current(self) -> int:
        return self.findData(str(self._current)) if self._current is not None else 0

    def _on_activated(self, index: int) -> None:
        data = self.itemData(index)
        if data == OPEN_FILE:
            # Show the loaded model again until a file is actually opened.
            self.setCurrentIndex(max(self._index_of_current(), 0))
            self.open_requested.emit()
        elif data and Path(data) != self._current:
            self.model_chosen.emit(Path(data))
