"""Make a smaller quantization of a library model: pick a level, see what it costs, run it.

Everything the user needs to decide (size, quality cost, fit on this computer, free disk) is
shown for the picked level before anything runs; `plan_quantize` catches what cannot work
(an unsupported source, too little disk, an unwritable folder) at the same moment.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.gguf_info import GGUFError, read_gguf_info
from llamadesk.core.memory import ModelSpec, SystemMemory, estimate_memory, format_size, judge_fit
from llamadesk.core.quantize import QuantizeError, QuantizePlan, QuantizeResult, plan_quantize
from llamadesk.core.quants import (
    QUANT_LEVELS,
    QuantLevel,
    describe_bits,
    describe_quality_cost,
    known_bits,
    quant_level,
)
from llamadesk.services.background import JobRunner
from llamadesk.services.quantize_job import QuantizeJob
from llamadesk.ui.palette import current
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate

LEVEL_COLUMNS = (
    QT_TRANSLATE_NOOP("QuantizeDialog", "Level"),
    QT_TRANSLATE_NOOP("QuantizeDialog", "Bits/weight"),
    QT_TRANSLATE_NOOP("QuantizeDialog", "Quality cost"),
)
PREFERRED_LEVEL = "Q4_K_M"  # the usual best trade-off; picked first when it is offered
_PROGRESS_STEPS = 1000  # QProgressBar holds an int: per-mille


def smaller_levels(source_level: QuantLevel) -> list[QuantLevel]:
    """The levels with fewer bits per weight than ``source_level``, best quality first."""
    if source_level.bits_per_weight is None:
        return []
    source_bits = source_level.bits_per_weight
    smaller = [level for level in QUANT_LEVELS if known_bits(level) < source_bits]
    return sorted(smaller, key=lambda level: -known_bits(level))


def larger_levels(source_level: QuantLevel) -> list[QuantLevel]:
    """The quantized levels LlamaDesk can make with more bits per weight than a quantized
    ``source_level``, smallest first: requantized copies that cannot be better than their
    source, offered because they are all a user with only that file can duel against."""
    if not source_level.quantized or source_level.bits_per_weight is None:
        return []
    source_bits = source_level.bits_per_weight
    larger = [
        level
        for level in QUANT_LEVELS
        if level.quantized and level.made_here and known_bits(level) > source_bits
    ]
    return sorted(larger, key=known_bits)


def requantized_note(source: str) -> str:
    """How a level larger than its quantized source is labelled everywhere."""
    return translate(
        "QuantizeDialog", "requantized from {source}: it cannot be better than its source"
    ).format(source=source)


def describe_plan(plan: QuantizePlan, system: SystemMemory, n_ctx: int) -> str:
    """What the result will be, as rich text: size, bits, quality cost, fit, free disk."""
    spec = dataclasses.replace(
        ModelSpec.from_info(plan.source),
        file_size=plan.expected_size,
        quantization=plan.level.name,
    )
    verdict = judge_fit(estimate_memory(spec, n_ctx), system)
    free = shutil.disk_usage(plan.dest.parent).free
    rows = (
        (translate("QuantizeDialog", "Saved as"), plan.dest.name),
        (
            translate("QuantizeDialog", "Expected size"),
            translate("QuantizeDialog", "about {size}").format(
                size=format_size(plan.expected_size)
            ),
        ),
        (translate("QuantizeDialog", "Bits per weight"), describe_bits(plan.level)),
        (
            translate("QuantizeDialog", "Quality cost"),
            requantized_note(plan.source.quantization)
            if plan.larger
            else describe_quality_cost(plan.level),
        ),
        (
            translate("QuantizeDialog", "On this computer"),
            translate("QuantizeDialog", "<b>{verdict}</b> at {n_ctx:,} tokens of context").format(
                verdict=translate("Memory", verdict.level.label), n_ctx=n_ctx
            ),
        ),
        (
            translate("QuantizeDialog", "Free disk"),
            translate("QuantizeDialog", "{size} in {folder}").format(
                size=format_size(free), folder=plan.dest.parent
            ),
        ),
    )
    cells = "".join(
        f"<tr><td><b>{name}</b>&nbsp;&nbsp;</td><td>{value}</td></tr>" for name, value in rows
    )
    return f"<table>{cells}</table>"


class Cancellable(Protocol):
    """What `JobDialog` needs of its job."""

    @property
    def running(self) -> bool: ...

    def cancel(self) -> None: ...


class JobDialog(QDialog):
    """A dialog that runs one cancellable job: closing it while the job runs cancels the job,
    and the dialog closes once the cancel has landed (so no worker outlives its dialog).

    Subclasses set ``job`` and ``status`` and call `_close_if_asked` when the job is done.
    """

    job: Cancellable
    status: QLabel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._closing = False

    def _close_if_asked(self) -> None:
        if self._closing:
            super().reject()

    def reject(self) -> None:
        """Close; while the job runs, cancel it first and close once it has stopped."""
        if self.job.running:
            self._closing = True
            self.status.setText(translate("JobDialog", "Cancelling…"))
            self.job.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.job.running:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)


class QuantizeDialog(JobDialog):
    """Quantize one library model.

    Args:
        source: the model file.
        runner: where the quantization runs (the caller waits for it at shutdown).
        system_memory: how to read this computer's memory, for the fit verdict.
        n_ctx: the context length the fit is judged at.

    Signals:
        quantized(Path): a new model was written and is ready.
    """

    quantized = Signal(object)

    job: QuantizeJob

    def __init__(
        self,
        source: Path,
        runner: JobRunner,
        system_memory: Callable[[], SystemMemory],
        n_ctx: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            translate("QuantizeDialog", "Quantize {model}").format(model=source.name)
        )
        self.source = source
        self.system_memory = system_memory
        self.n_ctx = n_ctx
        self.plan: QuantizePlan | None = None
        self.job = QuantizeJob(runner, self)
        self._build()
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(lambda message: self._on_stopped(message))
        self.job.cancelled.connect(
            lambda: self._on_stopped("Cancelled; nothing was written.", error=False)
        )
        self._fill_levels()

    def _build(self) -> None:
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.levels = QTableWidget(0, len(LEVEL_COLUMNS))
        self.levels.setHorizontalHeaderLabels(
            [translate("QuantizeDialog", c) for c in LEVEL_COLUMNS]
        )
        self.levels.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.levels.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.levels.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.levels.verticalHeader().hide()
        self.levels.setShowGrid(False)
        header = self.levels.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.details = QLabel()
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setObjectName("errorText")
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setObjectName("warningText")
        self.consent = QCheckBox(
            translate("QuantizeDialog", "I understand; quantize the quantized file anyway")
        )
        self.bar = QProgressBar()
        self.bar.setRange(0, _PROGRESS_STEPS)
        self.bar.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.start_button = QPushButton(translate("QuantizeDialog", "Start"))
        self.start_button.setObjectName("primaryButton")
        self.cancel_button = QPushButton(translate("QuantizeDialog", "Cancel"))
        self.close_button = QPushButton(translate("QuantizeDialog", "Close"))
        self.levels.itemSelectionChanged.connect(self._on_level)
        self.consent.toggled.connect(lambda _on: self._update_buttons())
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.job.cancel)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.levels, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.error)
        layout.addWidget(self.warning)
        layout.addWidget(self.consent)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)
        self.resize(620, 560)

    def _fill_levels(self) -> None:
        try:
            info = read_gguf_info(self.source)
        except GGUFError as error:
            self._show_error(str(error))
            return
        source_level = quant_level(info.quantization)
        intro = translate(
            "QuantizeDialog",
            "<b>{model}</b> is stored as {quantization} ({size}). Pick a level: the result is "
            "written beside it, and the original is kept.",
        )
        self.intro.setText(
            intro.format(
                model=self.source.name,
                quantization=info.quantization,
                size=format_size(info.file_size),
            )
        )
        if source_level is None:
            self._show_error(
                translate(
                    "QuantizeDialog",
                    "LlamaDesk cannot quantize from {quantization}; use an F32, F16, BF16 or "
                    "Q8_0 file.",
                ).format(quantization=info.quantization)
            )
            return
        larger = larger_levels(source_level)
        offered = smaller_levels(source_level) + larger
        self.levels.setRowCount(len(offered))
        for row, level in enumerate(offered):
            cost = (
                requantized_note(source_level.name)
                if level in larger
                else describe_quality_cost(level)
            )
            cells = (level.name, describe_bits(level), cost)
            for column, text in enumerate(cells):
                self.levels.setItem(row, column, QTableWidgetItem(text))
        names = [level.name for level in offered]
        if offered:
            self.levels.selectRow(names.index(PREFERRED_LEVEL) if PREFERRED_LEVEL in names else 0)
        else:
            self._show_error(
                translate(
                    "QuantizeDialog",
                    "{quantization} is already the smallest level LlamaDesk knows.",
                ).format(quantization=info.quantization)
            )

    def select_level(self, name: str) -> None:
        """Pick the level called ``name`` in the table."""
        for row in range(self.levels.rowCount()):
            if self._level_name(row) == name:
                self.levels.selectRow(row)

    def _level_name(self, row: int) -> str:
        item = self.levels.item(row, 0)
        return item.text() if item is not None else ""

    def _on_level(self) -> None:
        rows = self.levels.selectionModel().selectedRows()
        self.plan = None
        self.error.clear()
        if rows:
            try:
                # A larger level is planned here; the consent box still gates the start.
                self.plan = plan_quantize(
                    self.source, self._level_name(rows[0].row()), allow_requantize=True
                )
            except QuantizeError as error:
                self.error.setText(str(error))
        plan = self.plan
        self.details.setText(
            describe_plan(plan, self.system_memory(), self.n_ctx) if plan is not None else ""
        )
        requantize = plan is not None and plan.requantize
        self.warning.setText(self._requantize_warning(plan) if plan is not None else "")
        self.warning.setVisible(requantize)
        self.consent.setVisible(requantize)
        self.consent.setChecked(False)
        self._update_buttons()

    def _requantize_warning(self, plan: QuantizePlan) -> str:
        source = plan.source.quantization
        if plan.larger:
            return translate(
                "QuantizeDialog",
                "{level} is larger than {model}'s own {source}: {note}; it only holds the "
                "{source} weights in more bits. The arena labels it so and never measures other "
                "levels against it.",
            ).format(
                level=plan.level.name,
                model=self.source.name,
                source=source,
                note=requantized_note(source),
            )
        if plan.requantize:
            return translate(
                "QuantizeDialog",
                "{model} is already quantized ({source}): quantizing it again compounds the "
                "quality losses. Quantize from an F16 or F32 file if you have one.",
            ).format(model=self.source.name, source=source)
        return ""

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.levels.setEnabled(False)
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.job.running
        plan = self.plan
        ready = plan is not None and (not plan.requantize or self.consent.isChecked())
        self.start_button.setVisible(not running)
        self.start_button.setEnabled(ready and not running)
        self.cancel_button.setVisible(running)
        self.levels.setEnabled(not running and self.levels.rowCount() > 0)
        self.consent.setEnabled(not running)

    def start(self) -> None:
        """Run the planned quantization."""
        plan = self.plan
        if plan is None or (plan.requantize and not self.consent.isChecked()):
            return
        self.job.start(self.source, plan.level.name, allow_requantize=plan.requantize)
        self.bar.setValue(0)
        self.bar.show()
        self.status.setStyleSheet("")
        self.status.setText(
            translate("QuantizeDialog", "Quantizing to {level}…").format(level=plan.level.name)
        )
        self._update_buttons()

    def _on_progress(self, fraction: float) -> None:
        self.bar.setValue(round(fraction * _PROGRESS_STEPS))

    def _on_finished(self, result: QuantizeResult) -> None:
        self.bar.setValue(_PROGRESS_STEPS)
        done = translate(
            "QuantizeDialog", "Done: {name}, {size}, in {seconds:.1f} s. It is in the library."
        )
        self.status.setText(
            done.format(
                name=result.path.name, size=format_size(result.size), seconds=result.seconds
            )
        )
        self.plan = None  # its file now exists; pick a level again for another run
        self._update_buttons()
        self.quantized.emit(result.path)
        self._close_if_asked()

    def _on_stopped(self, message: str, *, error: bool = True) -> None:
        self.bar.hide()
        self.status.setText(message)
        self.status.setStyleSheet(f"color: {current().danger_text}" if error else "")
        self._update_buttons()
        self._close_if_asked()
