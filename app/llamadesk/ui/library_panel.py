"""The Models page's lower half: the downloads under way and the models on disk."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.adapters import is_adapter
from llamadesk.core.library import LibraryModel, format_parameters
from llamadesk.core.memory import format_size
from llamadesk.services.downloads import DownloadManager, DownloadState, DownloadStatus
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate

_PROGRESS_STEPS = 1000  # QProgressBar holds an int: show per-mille, not bytes


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return translate("LibraryPanel", "time left unknown")
    if seconds < 60:
        return translate("LibraryPanel", "{n:.0f} s left").format(n=seconds)
    if seconds < 3600:
        return translate("LibraryPanel", "{n:.0f} min left").format(n=seconds / 60)
    return translate("LibraryPanel", "{n:.1f} h left").format(n=seconds / 3600)


# What a waiting download's line calls its state.
_STATE_WORDS = {
    DownloadState.QUEUED: QT_TRANSLATE_NOOP("LibraryPanel", "queued"),
    DownloadState.PAUSED: QT_TRANSLATE_NOOP("LibraryPanel", "paused"),
}


def describe_download(status: DownloadStatus) -> str:
    """One line: bytes, speed and time left, or what went wrong."""
    if status.state is DownloadState.FAILED:
        return status.message
    done, total = format_size(status.done), format_size(status.total) if status.total else "?"
    if status.state is DownloadState.RUNNING:
        speed = (
            f"{format_size(round(status.speed))}/s"
            if status.speed
            else translate("LibraryPanel", "starting")
        )
        line = translate("LibraryPanel", "{done} of {total}  ·  {speed}  ·  {left}")
        return line.format(done=done, total=total, speed=speed, left=_duration(status.seconds_left))
    if status.state is DownloadState.DONE:
        return translate("LibraryPanel", "{total}  ·  verified (sha256) and ready").format(
            total=total
        )
    state = translate("LibraryPanel", _STATE_WORDS.get(status.state, status.state.value))
    return translate("LibraryPanel", "{done} of {total}  ·  {state}").format(
        done=done, total=total, state=state
    )


class DownloadRow(QFrame):
    """One job: its name, a progress bar, a status line and the buttons that fit its state.

    Signals:
        chat_requested(Path): "Chat now" on a finished download.
    """

    chat_requested = Signal(object)

    def __init__(self, manager: DownloadManager, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("downloadRow")
        self.manager = manager
        self.key = key
        self.name = QLabel()
        self.name.setObjectName("sectionTitle")
        self.bar = QProgressBar()
        self.bar.setRange(0, _PROGRESS_STEPS)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        self.line = QLabel()
        self.line.setObjectName("pageText")
        self.line.setWordWrap(True)
        self.pause_button = QPushButton(translate("DownloadRow", "Pause"))
        self.resume_button = QPushButton(translate("DownloadRow", "Resume"))
        self.cancel_button = QPushButton(translate("DownloadRow", "Cancel"))
        self.chat_button = QPushButton(translate("DownloadRow", "Chat now"))
        self.chat_button.setObjectName("primaryButton")
        self.pause_button.clicked.connect(lambda: manager.pause(key))
        self.resume_button.clicked.connect(lambda: manager.resume(key))
        self.cancel_button.clicked.connect(lambda: manager.cancel(key))
        self.chat_button.clicked.connect(self._chat)
        top = QHBoxLayout()
        top.addWidget(self.name, 1)
        for button in (self.pause_button, self.resume_button, self.cancel_button, self.chat_button):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addWidget(self.line)
        self.update_status()

    def update_status(self) -> None:
        status = self.manager.status(self.key)
        if status is None:
            return
        self.name.setText(status.filename.rsplit("/", 1)[-1])
        if status.total:
            self.bar.setValue(round(_PROGRESS_STEPS * status.done / status.total))
        self.line.setText(describe_download(status))
        self.setProperty("failed", status.state is DownloadState.FAILED)
        state = status.state
        self.pause_button.setVisible(state in (DownloadState.RUNNING, DownloadState.QUEUED))
        self.resume_button.setVisible(state in (DownloadState.PAUSED, DownloadState.FAILED))
        self.resume_button.setText(
            translate("DownloadRow", "Try again")
            if state is DownloadState.FAILED
            else translate("DownloadRow", "Resume")
        )
        self.cancel_button.setVisible(state is not DownloadState.DONE)
        self.chat_button.setVisible(state is DownloadState.DONE)

    def _chat(self) -> None:
        status = self.manager.status(self.key)
        if status is not None and status.path is not None:
            self.chat_requested.emit(status.path)


class DownloadsPanel(QScrollArea):
    """Every job of the download manager, newest last.

    Signals:
        chat_requested(Path): a finished download's "Chat now".
    """

    chat_requested = Signal(object)

    def __init__(self, manager: DownloadManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self.rows: dict[str, DownloadRow] = {}
        self.empty = QLabel(
            translate("DownloadsPanel", "No downloads yet: pick a model above and press Download.")
        )
        self.empty.setObjectName("pageText")
        content = QWidget()
        self._layout = QVBoxLayout(content)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.addWidget(self.empty)
        self._layout.addStretch(1)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        manager.queue_changed.connect(self._sync)
        manager.progress.connect(lambda key, *_: self._update(key))

    def _sync(self) -> None:
        keys = {status.key for status in self.manager.jobs()}
        for key in list(self.rows):
            if key not in keys:
                self.rows.pop(key).deleteLater()
        for key in keys - set(self.rows):
            row = DownloadRow(self.manager, key)
            row.chat_requested.connect(self.chat_requested)
            self.rows[key] = row
            self._layout.insertWidget(self._layout.count() - 1, row)
        for key in self.rows:
            self._update(key)
        self.empty.setVisible(not self.rows)

    def _update(self, key: str) -> None:
        row = self.rows.get(key)
        if row is not None:
            row.update_status()


LIBRARY_COLUMNS = (
    QT_TRANSLATE_NOOP("LibraryTable", "Model"),
    QT_TRANSLATE_NOOP("LibraryTable", "Architecture"),
    QT_TRANSLATE_NOOP("LibraryTable", "Parameters"),
    QT_TRANSLATE_NOOP("LibraryTable", "Quantization"),
    QT_TRANSLATE_NOOP("LibraryTable", "Context"),
    QT_TRANSLATE_NOOP("LibraryTable", "Size"),
    QT_TRANSLATE_NOOP("LibraryTable", "From"),
)


class LibraryTable(QTableWidget):
    """The models on disk, with what their headers say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(LIBRARY_COLUMNS), parent)
        self.models: list[LibraryModel] = []
        self.setHorizontalHeaderLabels([translate("LibraryTable", c) for c in LIBRARY_COLUMNS])
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(len(LIBRARY_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

    def set_models(self, models: list[LibraryModel]) -> None:
        self.models = models
        self.setRowCount(len(models))
        for row, model in enumerate(models):
            for column, text in enumerate(_library_cells(model)):
                item = QTableWidgetItem(text)
                item.setToolTip(model.problem or str(model.path))
                self.setItem(row, column, item)

    def selected_model(self) -> LibraryModel | None:
        rows = self.selectionModel().selectedRows()
        return self.models[rows[0].row()] if rows else None

    def select_path(self, path: Path) -> None:
        for row, model in enumerate(self.models):
            if model.path == path:
                self.selectRow(row)


def _library_cells(model: LibraryModel) -> tuple[str, ...]:
    info = model.info
    if info is None:
        return (model.name, "unreadable", "", "", "", "", model.problem)
    return (
        model.name,
        info.architecture,
        format_parameters(info.parameter_count),
        info.quantization,
        f"{info.context_length:,}" if info.context_length else "?",
        format_size(info.file_size),
        model.origin,
    )


class LibraryPanel(QWidget):
    """The library table and its buttons.

    Signals:
        chat_requested(Path), import_requested(), delete_requested(LibraryModel),
        quantize_requested(Path), measure_requested(Path), train_requested(Path).
    """

    chat_requested = Signal(object)
    import_requested = Signal()
    delete_requested = Signal(object)
    quantize_requested = Signal(object)
    measure_requested = Signal(object)
    train_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = LibraryTable()
        self.table.setAccessibleName(translate("LibraryPanel", "Models on this computer"))
        self.chat_button = QPushButton(translate("LibraryPanel", "Chat with it"))
        self.chat_button.setObjectName("primaryButton")
        self.import_button = QPushButton(translate("LibraryPanel", "Import GGUF…"))
        self.delete_button = QPushButton(translate("LibraryPanel", "Delete…"))
        self.quantize_button = QPushButton(translate("LibraryPanel", "Quantize…"))
        self.quantize_button.setToolTip(
            translate("LibraryPanel", "Make a smaller quantization of this model")
        )
        self.measure_button = QPushButton(translate("LibraryPanel", "Measure quality…"))
        self.measure_button.setToolTip(
            translate(
                "LibraryPanel",
                "Compare this model's predictions with another's (usually its source) on a text",
            )
        )
        self.status = QLabel()
        self.status.setObjectName("pageText")
        self.chat_button.clicked.connect(self._chat)
        self.import_button.clicked.connect(self.import_requested)
        self.delete_button.clicked.connect(self._delete)
        self.quantize_button.clicked.connect(lambda: self._emit_path(self.quantize_requested))
        self.measure_button.clicked.connect(lambda: self._emit_path(self.measure_requested))
        self.train_button = QPushButton(translate("LibraryPanel", "Teach…"))
        self.train_button.setToolTip(
            translate("LibraryPanel", "Teach this model your preferences from your ratings")
        )
        self.train_button.clicked.connect(lambda: self._emit_path(self.train_requested))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self._chat())
        buttons = QHBoxLayout()
        buttons.addWidget(self.chat_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.quantize_button)
        buttons.addWidget(self.measure_button)
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.status, 1, Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def set_models(self, models: list[LibraryModel]) -> None:
        selected = self.table.selected_model()
        self.table.set_models(models)
        if selected is not None:
            self.table.select_path(selected.path)
        self._update_buttons()

    def _update_buttons(self) -> None:
        model = self.table.selected_model()
        readable = model is not None and model.info is not None
        # An adapter chats and is measured as its base with it applied; it is not a base.
        base = readable and model is not None and not is_adapter(model.path)
        self.chat_button.setEnabled(readable)
        self.quantize_button.setEnabled(base)
        self.measure_button.setEnabled(readable)
        self.train_button.setEnabled(base)
        self.delete_button.setEnabled(model is not None and model.removable)

    def _chat(self) -> None:
        self._emit_path(self.chat_requested)

    def _emit_path(self, signal: SignalInstance) -> None:
        """Emit ``signal`` with the selected model's path, if it is a readable model."""
        model = self.table.selected_model()
        if model is not None and model.info is not None:
            signal.emit(model.path)

    def _delete(self) -> None:
        model = self.table.selected_model()
        if model is not None and model.removable:
            self.delete_requested.emit(model)
