"""The quant arena page: blind duels between two levels of a model, your quality curve, and
where a smaller level's answer goes wrong, token by token."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.arena import ArenaLevel, CurvePoint, reference_of
from llamadesk.core.engine import SamplingParams
from llamadesk.core.evaluate import SavedReport
from llamadesk.core.memory import SystemMemory
from llamadesk.core.options import SEED, TEMPERATURE
from llamadesk.core.ratings import Strength, Winner
from llamadesk.core.rescore import DAMAGED_KL, Rescore
from llamadesk.core.store import Message
from llamadesk.services.arena import AnswerRef, ArenaReader, ArenaSession, ArenaState, RescoreJob
from llamadesk.services.background import JobRunner
from llamadesk.services.compare import SIDES
from llamadesk.services.quantize_job import EvaluationJob, stored_conversations
from llamadesk.ui.chart_theme import follow_theme, style_plot
from llamadesk.ui.chat_view import MessageBubble, describe_stats
from llamadesk.ui.compare_view import VoteBar
from llamadesk.ui.option_widgets import editor_value, make_editor
from llamadesk.ui.palette import blend, current
from llamadesk.ui.quantize_dialog import QuantizeDialog

MAX_TOKENS = 256  # an answer per side: long enough to judge, short enough to duel often
KL_COLOUR_TOP = 1.0  # nats: a token this far off (or more) is coloured fully
_LABEL_TOP = 1.3  # the preference chart's top, where the levels are named


def _mb(size: int) -> str:
    return f"{size / 1e9:.2f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"


class DuelPanel(QWidget):
    """Two levels, one prompt (typed or from your chats), two blind answers, a vote."""

    voted = Signal()

    def __init__(self, arena: ArenaSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arena = arena
        self.levels: list[ArenaLevel] = []
        self.available_ram = 0
        self.max_tokens = MAX_TOKENS
        self.first = QComboBox()
        self.first.setToolTip("The first level of the duel (the reference, to start with)")
        self.second = QComboBox()
        self.second.setToolTip("The level it duels against")
        self.temperature = make_editor(TEMPERATURE, TEMPERATURE.default)
        self.seed = make_editor(SEED, 1)
        self.history = QComboBox()
        self.history.setMinimumWidth(200)
        self.history.activated.connect(self._use_history)
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText(
            "A prompt of your own; both levels answer it with the same seed and sampler."
        )
        self.prompt.setFixedHeight(64)
        self.run_button = QPushButton("Duel")
        self.run_button.setObjectName("primaryButton")
        self.run_button.clicked.connect(self._run)
        self.status = QLabel("")
        self.status.setObjectName("bubbleFooter")
        self.status.setWordWrap(True)
        self.plan = QLabel("")
        self.plan.setObjectName("bubbleFooter")
        self.plan.setWordWrap(True)
        self.panes = {side: MessageBubble("assistant", f"Answer {side}") for side in SIDES}
        self.vote_bar = VoteBar()
        self.vote_bar.voted.connect(self._vote)
        self.vote_buttons = self.vote_bar.buttons
        self.strength = self.vote_bar.strength
        self._layout_parts()
        compare = arena.compare
        compare.text.connect(lambda side, text: self.panes[side].append(text))
        compare.answer_saved.connect(self._on_answer_saved)
        compare.status.connect(self.status.setText)
        compare.failed.connect(self.status.setText)
        compare.ready.connect(self._on_ready)
        compare.running_changed.connect(self._on_running_changed)
        arena.plan.connect(self.plan.setText)
        self._set_voting(False)

    def _layout_parts(self) -> None:
        setup = QHBoxLayout()
        for widget in (QLabel("Levels"), self.first, QLabel("vs"), self.second):
            setup.addWidget(widget)
        setup.addSpacing(12)
        for control in (QLabel("temp"), self.temperature, QLabel("seed"), self.seed):
            setup.addWidget(control)
        setup.addStretch(1)
        setup.addWidget(QLabel("From your chats"))
        setup.addWidget(self.history)
        actions = QHBoxLayout()
        actions.addWidget(self.plan, 1)
        actions.addWidget(self.status, 1)
        actions.addWidget(self.run_button)
        panes = QHBoxLayout()
        panes.setSpacing(12)
        for side in SIDES:
            panes.addWidget(self.panes[side], 1, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(setup)
        layout.addWidget(self.prompt)
        layout.addLayout(actions)
        layout.addLayout(panes, 1)
        layout.addWidget(self.vote_bar)

    def set_levels(self, levels: list[ArenaLevel], prompts: list[str], available_ram: int) -> None:
        """Offer ``levels``: the reference against the smallest, to start with."""
        self.levels = levels
        self.available_ram = available_ram
        for combo in (self.first, self.second):
            chosen = combo.currentData()
            combo.clear()
            for level in levels:
                combo.addItem(level.short, str(level.path))
            if chosen is not None and combo.findData(chosen) >= 0:
                combo.setCurrentIndex(combo.findData(chosen))
        if levels and self.first.currentIndex() == self.second.currentIndex():
            self.first.setCurrentIndex(self.first.findData(str(reference_of(levels).path)))
            self.second.setCurrentIndex(len(levels) - 1)
        self.history.clear()
        self.history.addItem("(pick a prompt)", "")
        for prompt in prompts:
            self.history.addItem(prompt if len(prompt) < 60 else prompt[:59] + "…", prompt)

    def _use_history(self, index: int) -> None:
        prompt = self.history.itemData(index)
        if prompt:
            self.prompt.setPlainText(prompt)

    def _level(self, combo: QComboBox) -> ArenaLevel | None:
        return next((lvl for lvl in self.levels if str(lvl.path) == combo.currentData()), None)

    def _run(self) -> None:
        first, second = self._level(self.first), self._level(self.second)
        if first is None or second is None:
            self.status.setText("Put two levels of one model in the models folder first.")
            return
        for side in SIDES:
            pane = self.panes[side]
            pane.author.setText(f"Answer {side}")
            pane.set_footer("")
            pane.set_text("")
            pane.clear_reasoning()
        for button in self.vote_buttons.values():
            button.setChecked(False)
        params = SamplingParams(
            temperature=editor_value(TEMPERATURE, self.temperature),
            seed=editor_value(SEED, self.seed),
            max_tokens=self.max_tokens,
        )
        self.arena.start(self.prompt.toPlainText(), first, second, params, self.available_ram)

    def _on_answer_saved(self, side: str, message: Message) -> None:
        pane = self.panes[side]
        pane.set_footer(describe_stats(message.answer_stats, message.stop_reason))
        pane.set_text(message.content)  # whole: its last paragraph streamed in as plain text

    def _on_ready(self) -> None:
        self.status.setText("Both answers are in. Which is better?")
        self._set_voting(True)

    def _on_running_changed(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        if running:
            self._set_voting(False)

    def _vote(self, winner: Winner, strength: Strength) -> None:
        if self.arena.vote(winner, strength) is None:
            return  # not stored: the status line says why
        self.vote_bar.show_vote(winner)
        for side, level in self.arena.levels.items():
            self.panes[side].author.setText(f"Answer {side}: {level.short}")
        self.status.setText("Vote saved; the curve counts it. Change it, or duel again.")
        # The next duel gets a fresh seed, so a prompt asked twice is a new sample.
        seed = self.seed
        assert isinstance(seed, QDoubleSpinBox)  # SEED's editor: QSpinBox stops at 2^31 - 1
        seed.setValue(seed.value() + 1)
        self.voted.emit()

    def _set_voting(self, enabled: bool) -> None:
        self.vote_bar.set_voting(enabled)


CURVE_COLUMNS = (
    "Level",
    "Bits/weight",
    "File",
    "Duels",
    "Preferred reference (95% interval)",
    "Verdict",
    "KL",
    "Top-1",
)
_VERDICTS = {
    "too few": "too few duels",
    "told apart": "you told them apart",
    "same": "you could not tell",
    "undecided": "undecided",
}


class CurvePanel(QWidget):
    """The chart, the table behind it, and the recommendation."""

    measure_requested = Signal(object, object)  # level path, reference path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[CurvePoint] = []
        self.recommendation = QLabel("")
        self.recommendation.setObjectName("recommendation")
        self.recommendation.setWordWrap(True)
        self.recommendation.setStyleSheet("font-size: 14px; font-weight: 600;")
        self.chart = pg.GraphicsLayoutWidget()
        self.chart.setMinimumHeight(300)
        self.preference_plot = self.chart.addPlot(row=0, col=0)
        self.kl_plot = self.chart.addPlot(row=1, col=0)
        self.kl_plot.setXLink(self.preference_plot)
        self._style_plots()
        follow_theme(self.restyle)
        self.table = QTableWidget(0, len(CURVE_COLUMNS))
        self.table.setAccessibleName("The levels: duels, preference and KL")
        self.table.setHorizontalHeaderLabels(CURVE_COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.measure_button = QPushButton("Measure KL on your conversations")
        self.measure_button.clicked.connect(self._measure)
        self.measure_status = QLabel("")
        self.measure_status.setObjectName("bubbleFooter")
        self.measure_progress = QProgressBar()
        self.measure_progress.setRange(0, 1000)
        self.measure_progress.setFixedWidth(160)
        self.measure_progress.hide()
        measure = QHBoxLayout()
        measure.addWidget(self.measure_status, 1)
        measure.addWidget(self.measure_progress)
        measure.addWidget(self.measure_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.recommendation)
        layout.addWidget(self.chart, 3)
        layout.addWidget(self.table, 2)
        layout.addLayout(measure)

    def _style_plots(self) -> None:
        for plot, label in (
            (self.preference_plot, "Preferred reference"),
            (self.kl_plot, "KL (nats)"),
        ):
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setLabel("left", label)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("left").setWidth(56)
        self.kl_plot.setLabel("bottom", "Bits per weight (file sizes marked)")
        # Room above 100% for the levels' names and sizes.
        self.preference_plot.setYRange(0, _LABEL_TOP, padding=0.02)
        ticks = [(share, f"{share:.0%}") for share in (0, 0.25, 0.5, 0.75, 1)]
        self.preference_plot.getAxis("left").setTicks([ticks])

    def restyle(self) -> None:
        """The chart in the palette in use: its background, axes, and the curves drawn anew."""
        colours = current()
        self.chart.setBackground(colours.window)
        for plot in (self.preference_plot, self.kl_plot):
            style_plot(plot, colours)
        self._draw(self.points)

    def show_curve(self, points: list[CurvePoint], recommendation: str) -> None:
        self.points = points
        self.recommendation.setText(recommendation)
        self._draw(points)
        self._fill_table(points)

    def _draw(self, points: list[CurvePoint]) -> None:
        self.preference_plot.clear()
        self.kl_plot.clear()
        colours = current()
        grey = pg.mkPen(colours.chart_guide, style=Qt.PenStyle.DashLine)
        # 0.5: you could not tell them apart.
        self.preference_plot.addItem(pg.InfiniteLine(0.5, angle=0, pen=grey))
        judged = [p for p in points if p.preference is not None and p.preference.duels]
        if judged:
            x = [p.level.bits_per_weight for p in judged]
            share = [p.preference.share for p in judged if p.preference]
            lower = [p.preference.share - p.preference.lower for p in judged if p.preference]
            upper = [p.preference.upper - p.preference.share for p in judged if p.preference]
            colour = pg.mkPen(colours.chart_preference, width=2)
            self.preference_plot.addItem(
                pg.ErrorBarItem(
                    x=np.array(x),
                    y=np.array(share),
                    top=np.array(upper),
                    bottom=np.array(lower),
                    beam=0.03,
                    pen=colour,
                )
            )
            self.preference_plot.plot(
                x,
                share,
                pen=colour,
                symbol="o",
                symbolBrush=colours.chart_preference,
                connect=_same_side(judged, points),
            )
        measured = [p for p in points if p.quality is not None]
        if measured:
            self.kl_plot.plot(
                [p.level.bits_per_weight for p in measured],
                [p.quality.kl_divergence for p in measured if p.quality],
                pen=pg.mkPen(colours.chart_kl, width=2),
                symbol="s",
                symbolBrush=colours.chart_kl,
                connect=_same_side(measured, points),
            )
        for index, point in enumerate(points):
            self._mark(point, _LABEL_TOP - 0.1 * (index % 2))  # staggered: levels sit close
        bits = [p.level.bits_per_weight for p in points]
        if bits:
            self.preference_plot.setXRange(min(bits) - 0.15, max(bits) + 0.15, padding=0)

    def _mark(self, point: CurvePoint, height: float) -> None:
        """A dashed line at the level's bits per weight, named with its file size."""
        level, colours = point.level, current()
        line = pg.InfiniteLine(
            level.bits_per_weight,
            angle=90,
            pen=pg.mkPen(colours.chart_marker, style=Qt.PenStyle.DotLine),
        )
        self.preference_plot.addItem(line)
        name = f"{level.level} · {_mb(level.file_size)}"
        if point.preference is None:
            name += " (reference)"
        text = pg.TextItem(name, color=colours.text_muted, anchor=(0.5, 0))
        text.setPos(level.bits_per_weight, height)
        self.preference_plot.addItem(text)

    def _fill_table(self, points: list[CurvePoint]) -> None:
        self.table.setRowCount(len(points))
        for row, point in enumerate(points):
            for column, value in enumerate(self._cells(point)):
                self.table.setItem(row, column, QTableWidgetItem(value))

    @staticmethod
    def _cells(point: CurvePoint) -> list[str]:
        level, pref, quality = point.level, point.preference, point.quality
        cells = [level.short, f"{level.bits_per_weight:.2f}", _mb(level.file_size)]
        if pref is None:
            cells += ["", "reference", ""]
        else:
            shown = f"{pref.share:.0%} ({pref.lower:.0%}–{pref.upper:.0%})" if pref.duels else ""
            cells += [str(pref.duels), shown, _VERDICTS[pref.verdict]]
        if quality is None:
            cells += ["", ""]
        else:
            cells += [f"{quality.kl_divergence:.4f}", f"{quality.top1_agreement:.1%}"]
        return cells

    def _measure(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        unmeasured = [p for p in self.points if p.preference is not None and p.quality is None]
        chosen = [self.points[rows[0].row()]] if rows else unmeasured[:1]
        candidates = [p for p in chosen if p.preference is not None]
        reference = next((p.level for p in self.points if p.preference is None), None)
        if not candidates or reference is None:
            self.measure_status.setText("Pick a level other than the reference in the table.")
            return
        self.measure_requested.emit(candidates[0].level.path, reference.path)


def _same_side(shown: list[CurvePoint], points: list[CurvePoint]) -> np.ndarray:
    """Which neighbours in ``shown`` the curve joins: those on the same side of the
    reference. A level larger than the reference (requantized from it) is a point of its
    own: no line runs through the reference to it."""
    reference = next(p.level.bits_per_weight for p in points if p.preference is None)
    above = np.array([p.level.bits_per_weight > reference for p in shown])
    # pyqtgraph reads one flag a point: point i joins point i + 1 (the last flag unused).
    return np.append(above[:-1] == above[1:], True)


class TokenView(QTextBrowser):
    """An answer with each token coloured by KL; hovering shows the reference's top 5."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: Rescore | None = None
        follow_theme(self.restyle)

    def restyle(self) -> None:
        """The tokens coloured anew, from the palette in use."""
        if self.result is not None:
            self.show_rescore(self.result)

    def show_rescore(self, result: Rescore) -> None:
        self.result = result
        first = result.first_divergence
        parts = [
            self._span(token.text, token.kl, token.alternatives, index == first)
            for index, token in enumerate(result.tokens)
        ]
        self.setHtml(f"<div style='line-height: 150%; font-size: 14px'>{''.join(parts)}</div>")

    @staticmethod
    def _span(
        text: str, kl: float, alternatives: tuple[tuple[str, float], ...], first: bool
    ) -> str:
        strength = min(kl / KL_COLOUR_TOP, 1.0)
        colours = current()
        colour = blend(colours.window, colours.kl_hot, strength)
        tip = "\n".join(f"{alt!r}  {p:.1%}" for alt, p in alternatives)
        tip = f"KL {kl:.3f} nats\nThe reference's top 5:\n{tip}"
        if first:
            tip = "The first token where the greedy choices differ.\n" + tip
        if first:  # the marker after the token's leading space, next to its word
            word = text.lstrip()
            text = text[: len(text) - len(word)] + "▸" + word
        shown = html.escape(text).replace("\n", "<br>")
        style = f"background-color: {colour};"
        if first:
            style += " font-weight: 700;"
        # Qt's HTML reader knows &quot; in an attribute but not &#x27;: quote with ".
        title = html.escape(tip, quote=False).replace('"', "&quot;")
        return f'<span title="{title}" style="{style}">{shown}</span>'


class RescorePanel(QWidget):
    """Pick an answer from your chats and a level; see where it goes wrong."""

    def __init__(self, runner: JobRunner, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.job = RescoreJob(runner, self)
        self.answers: list[AnswerRef] = []
        self.levels: list[ArenaLevel] = []
        self.pinned: AnswerRef | None = None  # asked for from a chat: offered even if old
        self.answer = QComboBox()
        self.answer.setMinimumWidth(320)
        self.level = QComboBox()
        self.level.setToolTip("The level to score the answer under")
        self.reference = QLabel("")
        self.run_button = QPushButton("Re-score")
        self.run_button.setObjectName("primaryButton")
        self.run_button.clicked.connect(self._run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.job.cancel)
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(140)
        self.progress.hide()
        self.summary = QLabel("Pick an answer and the level to score it under.")
        self.summary.setWordWrap(True)
        self.tokens = TokenView()
        self.tokens.setAccessibleName("The answer, each token coloured by KL")
        legend = QLabel(
            f"Each token is coloured by the KL between the two levels' predictions there "
            f"(none: uncoloured; red: {KL_COLOUR_TOP:g} nats or more). Hover a token for the "
            "reference's five likeliest tokens. ▸ marks the first token where the greedy "
            "choices differ."
        )
        legend.setObjectName("bubbleFooter")
        legend.setWordWrap(True)
        controls = QHBoxLayout()
        for widget in (QLabel("Answer"), self.answer, QLabel("scored under"), self.level):
            controls.addWidget(widget)
        controls.addWidget(self.reference, 1)
        controls.addWidget(self.progress)
        controls.addWidget(self.cancel_button)
        controls.addWidget(self.run_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(self.tokens, 1)
        layout.addWidget(legend)
        self.job.progress.connect(lambda f: self.progress.setValue(int(f * 1000)))
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self.summary.setText)
        self.job.cancelled.connect(lambda: self.summary.setText("Cancelled."))
        self.job.done.connect(self._on_done)

    def set_choices(self, answers: list[AnswerRef], levels: list[ArenaLevel]) -> None:
        """Offer ``answers`` and ``levels``, keeping the picks that are still there (a read
        after a vote or a re-score must not undo them)."""
        pinned = self.pinned
        if pinned is not None:
            answers = [pinned, *(answer for answer in answers if answer.id != pinned.id)]
        self.answers, self.levels = answers, levels
        picked_answer, picked_level = self.answer.currentData(), self.level.currentData()
        self.answer.clear()
        for answer in answers:
            snippet = " ".join(answer.text.split())[:50]
            self.answer.addItem(f"{snippet}… ({answer.model})", answer.id)
        reference = reference_of(levels) if levels else None
        self.level.clear()
        for level in levels:
            if level != reference:
                self.level.addItem(level.short, str(level.path))
        self.reference.setText(f"against {reference.short}" if reference else "")
        for combo, picked in ((self.answer, picked_answer), (self.level, picked_level)):
            if picked is not None and combo.findData(picked) >= 0:
                combo.setCurrentIndex(combo.findData(picked))

    def rescore(self, answer: AnswerRef, own: ArenaLevel) -> None:
        """Re-score ``answer`` (written by the level ``own``): under ``own`` when that is
        not the reference, else under the smallest level."""
        if self.job.running:
            self.summary.setText("A re-score is running: wait for it, or cancel it first.")
            return
        self.answer.setCurrentIndex(self.answer.findData(answer.id))
        index = self.level.findData(str(own.path))
        self.level.setCurrentIndex(index if index >= 0 else self.level.count() - 1)
        self._run()

    def _run(self) -> None:
        answer = next((a for a in self.answers if a.id == self.answer.currentData()), None)
        path = self.level.currentData()
        if answer is None or not path or not self.levels:
            self.summary.setText("Pick an answer from your chats and a level below the reference.")
            return
        self.summary.setText("Scoring the answer under both levels…")
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.run_button.setEnabled(False)
        self.job.start(answer, Path(path), reference_of(self.levels).path, self.folder)

    def _on_finished(self, result: Rescore) -> None:
        first = result.first_divergence
        where = "never" if first is None else f"at token {first + 1} of {len(result.tokens)}"
        self.summary.setText(
            f"Mean KL {result.mean_kl:.3f} nats; {result.damaged_share:.0%} of the tokens are "
            f"damaged (KL above {DAMAGED_KL:g}); the greedy choices first differ {where}."
        )
        self.tokens.show_rescore(result)

    def _on_done(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.run_button.setEnabled(True)


def _requantized_note(levels: list[ArenaLevel]) -> str:
    """What the page says about requantized levels: their losses compound, and one larger
    than the reference (Q8_0 made from Q4_1) cannot be better than it, so it is never the
    reference nor recommended."""
    requantized = [lvl for lvl in levels if lvl.requantized_from]
    if not requantized:
        return ""
    note = (
        "Levels marked 'requantized from …' were made from an already quantized file, so "
        "their losses add to that file's."
    )
    reference = reference_of(levels)
    larger = [lvl for lvl in requantized if lvl.file_size > reference.file_size]
    for level in larger:
        note += (
            f" {level.short} cannot be better than its source, so {reference.short} stays "
            "the reference: duels against it show whether you can tell a requantized copy "
            "from its source."
        )
    return note


class ArenaView(QWidget):
    """The arena page: a model picker over three tabs (duel, curve, where answers go wrong)."""

    def __init__(
        self,
        arena: ArenaSession,
        reader: ArenaReader,
        rescores: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("arenaView")
        self.arena = arena
        self.reader = reader
        self.state: ArenaState | None = None
        self._to_rescore: AnswerRef | None = None  # asked for from a chat, until the next read
        self.long_runner = JobRunner(parent=self)
        self.evaluation = EvaluationJob(self.long_runner, self)
        self.model = QComboBox()
        self.model.setMinimumWidth(240)
        self.model.currentIndexChanged.connect(self._show_model)
        self.make_button = QPushButton("Make another level…")
        self.make_button.setToolTip(
            "Quantize the reference to a smaller level, or (requantized, labelled so) a larger one"
        )
        self.make_button.clicked.connect(self.open_quantize)
        self.note = QLabel("")
        self.note.setObjectName("bubbleFooter")
        self.note.setWordWrap(True)
        self.duel = DuelPanel(arena)
        self.curve = CurvePanel()
        self.rescore = RescorePanel(self.long_runner, rescores)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.duel, "Blind duel")
        self.tabs.addTab(self.curve, "Your quality curve")
        self.tabs.addTab(self.rescore, "Where answers go wrong")
        top = QHBoxLayout()
        title = QLabel("<b>Quant arena</b>: can you tell the levels of a model apart?")
        for widget in (title, QLabel("  Model"), self.model, self.make_button):
            top.addWidget(widget)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.tabs, 1)
        reader.read.connect(self._on_read)
        reader.failed.connect(self.note.setText)
        self.duel.voted.connect(reader.refresh)
        self.curve.measure_requested.connect(self._measure)
        self.evaluation.progress.connect(
            lambda f: self.curve.measure_progress.setValue(int(f * 1000))
        )
        self.evaluation.finished.connect(self._on_measured)
        self.evaluation.failed.connect(self.curve.measure_status.setText)
        self.evaluation.done.connect(self.curve.measure_progress.hide)

    def refresh(self) -> None:
        """Read the levels, votes and measurements again (off the GUI thread)."""
        self.reader.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        # New chats, votes on other pages or new files since the last read.
        super().showEvent(event)
        self.refresh()

    def levels(self) -> list[ArenaLevel]:
        if self.state is None:
            return []
        return self.state.models.get(self.model.currentText(), [])

    def _on_read(self, state: ArenaState) -> None:
        self.state = state
        chosen = self.model.currentText()
        self.model.blockSignals(True)
        self.model.clear()
        self.model.addItems(sorted(state.models))
        if chosen in state.models:
            self.model.setCurrentText(chosen)
        self.model.blockSignals(False)
        if not state.models:
            self.note.setText(
                "The arena needs two levels of one model in your models folder: download "
                "another level, or make a smaller one from a model you have (Models, Quantize)."
            )
        else:
            self.note.setText("")
        self._show_model()
        if self._to_rescore is not None:
            self._rescore_asked(self._to_rescore)

    def rescore_answer(self, answer: AnswerRef) -> None:
        """Show "Where answers go wrong" for ``answer`` (from any chat) and re-score it
        against its model's reference, once the levels are read again."""
        self.tabs.setCurrentWidget(self.rescore)
        self.rescore.pinned = answer
        self._to_rescore = answer
        self.refresh()

    def _rescore_asked(self, answer: AnswerRef) -> None:
        self._to_rescore = None
        assert self.state is not None
        name = Path(answer.model).name
        found = [
            (model, level)
            for model, levels in self.state.models.items()
            for level in levels
            if level.path.name == name
        ]
        if not found:
            self.rescore.summary.setText(
                f"{name or 'The model of this answer'} has no other level in your models "
                "folder to score it against: download one, or make one (Models, Quantize)."
            )
            return
        model, own = found[0]
        self.model.setCurrentText(model)  # shows that model's levels and answers
        self.rescore.rescore(answer, own)

    def _show_model(self) -> None:
        state, name = self.state, self.model.currentText()
        levels = self.levels()
        self.make_button.setEnabled(bool(levels))
        if state is None or not levels:
            return
        self.note.setText(_requantized_note(levels))
        self.duel.set_levels(levels, state.prompts, state.available_ram)
        self.curve.show_curve(state.curves[name], state.recommendations[name].text)
        self.rescore.set_choices(state.answers, levels)

    def open_quantize(self) -> QuantizeDialog | None:
        """The quantize dialog on the reference: smaller levels, or larger requantized ones."""
        levels = self.levels()
        if not levels:
            return None
        source = reference_of(levels).path
        dialog = QuantizeDialog(source, self.long_runner, SystemMemory.probe, 4096, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.quantized.connect(lambda _path: self.refresh())
        dialog.show()
        return dialog

    def _measure(self, model: Path, reference: Path) -> None:
        if self.evaluation.running:
            return
        self.curve.measure_status.setText(f"Measuring {model.name} on your conversations…")
        self.curve.measure_progress.setValue(0)
        self.curve.measure_progress.show()
        database = self.reader.database
        self.evaluation.start(
            model, reference, stored_conversations(database), "your conversations"
        )

    def _on_measured(self, saved: SavedReport) -> None:
        report = saved.report
        self.curve.measure_status.setText(
            f"{report.level}: KL {report.kl_divergence:.4f}, top-1 {report.top1_agreement:.1%} "
            f"on {report.tokens:,} tokens of your conversations."
        )
        self.refresh()

    def shutdown(self) -> None:
        """Cancel a running measurement or re-scoring and wait for every job to end."""
        self.evaluation.cancel()
        self.rescore.job.cancel()
        self.long_runner.wait_for_all()
        self.reader.jobs.wait_for_all()
