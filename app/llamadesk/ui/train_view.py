""" "Teach this model": train a LoRA adapter on the ratings given on a model.

The page shows what training would use (how many pairs or thumbs, which prompts, which are
held back for the duel) before anything runs, then the run itself: a progress bar, the loss
curve, an ETA and Cancel. Without the training stack it says what the extra adds and how to
get it, and offers nothing to start. Once an adapter exists, "Duel it against the original"
takes the user to the arena's blind duel on the held-out prompts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.adapters import AdapterLineage
from llamadesk.core.memory import format_size
from llamadesk.core.training import (
    MIN_EXAMPLES,
    Method,
    TrainData,
    TrainProgress,
    TrainResult,
    TrainSettings,
    missing_stack,
)
from llamadesk.services.background import JobRunner
from llamadesk.services.train_job import Preview, TrainJob
from llamadesk.ui.palette import current as current_palette
from llamadesk.ui.quantize_dialog import JobDialog
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, plural, translate

METHOD_LABELS: dict[Method, str] = {
    "dpo": QT_TRANSLATE_NOOP(
        "TrainDialog", "Preference pairs (DPO): answers you picked over others"
    ),
    "kto": QT_TRANSLATE_NOOP("TrainDialog", "Thumbs (KTO): answers you liked or disliked"),
}
_PREVIEWED = 50  # prompts listed in the preview


class LossCurve(QWidget):
    """The training loss at each step, as a line scaled to the widget."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.losses: list[float] = []
        self.setMinimumHeight(90)

    def set_losses(self, losses: Sequence[float]) -> None:
        self.losses = [loss for loss in losses if math.isfinite(loss)]
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        if len(self.losses) < 2:
            return
        low, high = min(self.losses), max(self.losses)
        span = (high - low) or 1.0
        width, height = self.width() - 8, self.height() - 8
        points = [
            QPointF(4 + width * i / (len(self.losses) - 1), 4 + height * (high - loss) / span)
            for i, loss in enumerate(self.losses)
        ]
        painter.setPen(QPen(self.palette().highlight().color(), 2))
        painter.drawPolyline(QPolygonF(points))


def describe_data(data: TrainData) -> str:
    """What training would use, in a sentence."""
    rows = len(data.rows)
    if data.method == "dpo":
        text = plural(
            rows,
            translate("TrainDialog", "{n} preference pair rated on this model or its family"),
            translate("TrainDialog", "{n} preference pairs rated on this model or its family"),
        )
    else:
        text = plural(
            rows,
            translate("TrainDialog", "{n} rated answer on this model or its family"),
            translate("TrainDialog", "{n} rated answers on this model or its family"),
        )
    held = len(data.held_out)
    if held:
        text += "; " + plural(
            held,
            translate("TrainDialog", "{n} prompt held back for the duel"),
            translate("TrainDialog", "{n} prompts held back for the duel"),
        )
    text += "."
    needed = MIN_EXAMPLES[data.method]
    if rows < needed:
        short = translate("TrainDialog", "At least {needed} are needed: rate {more} more.")
        text += " " + short.format(needed=needed, more=needed - rows)
    return text


def format_eta(seconds: float) -> str:
    if seconds < 90:
        return translate("TrainDialog", "about {n} s left").format(n=max(round(seconds), 1))
    return translate("TrainDialog", "about {n} min left").format(n=round(seconds / 60))


def adapter_saved_text(result: TrainResult) -> str:
    lineage: AdapterLineage = result.lineage
    return translate(
        "TrainDialog",
        "Saved {name} ({size}). Pick “{label}” in the model menu to chat with it, or duel it "
        "against the original.",
    ).format(name=result.path.name, size=format_size(result.size), label=lineage.label())


class TrainDialog(JobDialog):
    """Teach one model the ratings given on it.

    Signals:
        trained(Path): an adapter was written (in the models folder).
        duel_requested(Path): the user asked to duel this adapter against its original.
    """

    trained = Signal(object)
    duel_requested = Signal(object)
    job: TrainJob

    def __init__(
        self, model: Path, runner: JobRunner, database: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            translate("TrainDialog", "Teach {model} your preferences").format(model=model.name)
        )
        self.model = model
        self.job = TrainJob(runner, database, self)
        self.data: TrainData | None = None
        self.adapter: Path | None = None  # the newest adapter of this model, to duel
        self._losses: list[float] = []
        self._build()
        self.job.previewed.connect(self._on_previewed)
        self.job.status.connect(self.status.setText)
        self.job.step.connect(self._on_step)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(lambda: self._end("Cancelled; nothing was kept."))
        self.job.done.connect(self._on_done)
        missing = missing_stack()
        if missing:
            self.summary.setText(missing)
            self._update_buttons()
        else:
            self._preview()

    def _build(self) -> None:
        self.method = QComboBox()
        for method, label in METHOD_LABELS.items():
            self.method.addItem(translate("TrainDialog", label), method)
        self.method.currentIndexChanged.connect(lambda _i: self._preview())
        self.summary = QLabel(translate("TrainDialog", "Reading your ratings…"))
        self.summary.setWordWrap(True)
        self.prompts = QListWidget()
        self.prompts.hide()  # until there are prompts to list: an empty box says nothing
        self.duels = QLabel()  # how earlier adapters of this model fared against it
        self.duels.setWordWrap(True)
        self.steps = QSpinBox()
        self.steps.setRange(0, 10_000)
        self.steps.setSpecialValueText(translate("TrainDialog", "Automatic (two passes)"))
        self.learning_rate = QDoubleSpinBox()
        self.learning_rate.setDecimals(6)
        self.learning_rate.setRange(1e-6, 1e-2)
        self.learning_rate.setSingleStep(1e-5)
        self.learning_rate.setValue(TrainSettings.learning_rate)
        self.max_length = QSpinBox()
        self.max_length.setRange(32, 8192)
        self.max_length.setValue(TrainSettings.max_length)
        form = QFormLayout()
        form.addRow(translate("TrainDialog", "Learn from"), self.method)
        form.addRow(translate("TrainDialog", "Steps"), self.steps)
        form.addRow(translate("TrainDialog", "Learning rate"), self.learning_rate)
        form.addRow(translate("TrainDialog", "Longest example (tokens)"), self.max_length)
        self.bar = QProgressBar()
        self.bar.hide()
        self.curve = LossCurve()
        self.curve.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.start_button = QPushButton(translate("TrainDialog", "Teach"))
        self.start_button.setObjectName("primaryButton")
        self.cancel_button = QPushButton(translate("TrainDialog", "Cancel"))
        self.close_button = QPushButton(translate("TrainDialog", "Close"))
        self.duel_button = QPushButton(translate("TrainDialog", "Duel it against the original"))
        self.duel_button.setToolTip(
            translate(
                "TrainDialog",
                "A blind duel in the arena, on the prompts held back from training",
            )
        )
        self.duel_button.clicked.connect(self._duel)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.job.cancel)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.duel_button)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.prompts, 1)
        layout.addWidget(self.duels)
        layout.addWidget(self.bar)
        layout.addWidget(self.curve)
        layout.addStretch(0)  # the room the list takes when it shows; else the buttons stay down
        layout.addLayout(buttons)
        self.resize(620, 520)
        self._update_buttons()

    def _method(self) -> Method:
        method: Method = self.method.currentData()
        return method

    def _preview(self) -> None:
        if self.job.running:
            return
        self.data = None
        self.summary.setText(translate("TrainDialog", "Reading your ratings…"))
        self.job.preview(self.model, self._method())
        self._update_buttons()

    def _on_previewed(self, preview: Preview) -> None:
        data = preview.data
        if data.method != self._method():  # the method changed while reading: read again
            self._preview()
            return
        self.data = data
        self.summary.setText(describe_data(data))
        self.duels.setText(
            "<br>".join(f"<b>{duel.label}</b>: {duel.progress()}" for duel in preview.duels)
        )
        if preview.duels and self.adapter is None:
            self.adapter = preview.duels[0].adapter
        self.prompts.clear()
        for row in data.rows[:_PREVIEWED]:
            self.prompts.addItem(row["prompt"][-1]["content"])
        for prompt in data.held_out[:_PREVIEWED]:
            held = translate("TrainDialog", "(held back for the duel) {prompt}")
            self.prompts.addItem(held.format(prompt=prompt[-1]["content"]))
        self.prompts.setVisible(self.prompts.count() > 0)
        self._update_buttons()

    def settings(self) -> TrainSettings:
        return TrainSettings(
            method=self._method(),
            steps=self.steps.value(),
            learning_rate=self.learning_rate.value(),
            max_length=self.max_length.value(),
        )

    def start(self) -> None:
        self._losses = []
        self.curve.set_losses([])
        self.curve.show()
        self.bar.setRange(0, 0)  # busy until the first step
        self.bar.show()
        self.status.setText(translate("TrainDialog", "Starting…"))
        self.job.start(self.model, self.settings())
        self._update_buttons()

    def _on_step(self, step: TrainProgress) -> None:
        self.bar.setRange(0, step.total)
        self.bar.setValue(step.step)
        self._losses.append(step.loss)
        self.curve.set_losses(self._losses)
        line = (
            translate("TrainDialog", "Step {step} of {total}; {left}")
            if math.isnan(step.loss)
            else translate("TrainDialog", "Step {step} of {total}, loss {loss:.3f}; {left}")
        )
        self.status.setText(
            line.format(step=step.step, total=step.total, loss=step.loss, left=format_eta(step.eta))
        )

    def _on_finished(self, result: TrainResult) -> None:
        self._end(adapter_saved_text(result))
        self.adapter = result.path
        self.trained.emit(result.path)

    def _on_failed(self, message: str) -> None:
        self._end(message)
        self.status.setStyleSheet(f"color: {current_palette().danger_text}")

    def _end(self, text: str) -> None:
        self.bar.hide()
        self.status.setText(text)

    def _on_done(self) -> None:
        self._update_buttons()
        self._close_if_asked()

    def _duel(self) -> None:
        if self.adapter is not None:
            self.duel_requested.emit(self.adapter)
            self.accept()

    def _update_buttons(self) -> None:
        running = self.job.running
        ready = self.data is not None and len(self.data.rows) >= MIN_EXAMPLES[self.data.method]
        self.start_button.setEnabled(ready and not running and not missing_stack())
        self.cancel_button.setVisible(running)  # one way out when idle: Close
        self.duel_button.setEnabled(self.adapter is not None and not running)
        for setting in (self.method, self.steps, self.learning_rate, self.max_length):
            setting.setEnabled(not running)
