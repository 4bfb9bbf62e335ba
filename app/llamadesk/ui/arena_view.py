"""The quant arena page: blind duels between two levels of a model, your quality curve, and
where a smaller level's answer goes wrong, token by token. A model tuned on your preferences
duels its original here too, on the prompts its training never saw."""

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

from llamadesk.core.arena import ArenaLevel, CurvePoint, local_reference, reference_of
from llamadesk.core.duel import TunedDuel
from llamadesk.core.engine import SamplingParams
from llamadesk.core.evaluate import SavedReport
from llamadesk.core.memory import SystemMemory
from llamadesk.core.options import SEED, TEMPERATURE
from llamadesk.core.ratings import Strength, Winner
from llamadesk.core.remote import NO_LOGPROBS
from llamadesk.core.remote_evaluate import RemoteReference
from llamadesk.core.rescore import DAMAGED_KL, Rescore
from llamadesk.core.store import Message
from llamadesk.services.arena import AnswerRef, ArenaReader, ArenaSession, ArenaState, RescoreJob
from llamadesk.services.background import JobRunner
from llamadesk.services.compare import SIDES
from llamadesk.services.network import ConnectionsService
from llamadesk.services.quantize_job import EvaluationJob, stored_conversations
from llamadesk.ui.chart_theme import follow_theme, style_plot
from llamadesk.ui.chat_view import describe_stats
from llamadesk.ui.compare_view import VoteBar, answer_panes, clear_answers
from llamadesk.ui.option_widgets import editor_value, make_editor
from llamadesk.ui.palette import blend, current
from llamadesk.ui.quantize_dialog import QuantizeDialog
from llamadesk.ui.remote_identity_dialog import RemoteIdentityDialog
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate

REMOTE_NOT_RESCORED = QT_TRANSLATE_NOOP(
    "RescorePanel",
    "Levels on a server are not re-scored: a server returns only its top few next tokens, "
    "and a re-score compares the two levels' whole predictions at each token. Your largest "
    "file is the reference here.",
)
MAX_TOKENS = 256  # an answer per side: long enough to judge, short enough to duel often
KL_COLOUR_TOP = 1.0  # nats: a token this far off (or more) is coloured fully
_LABEL_TOP = 1.3  # the preference chart's top, where the levels are named


def _mb(size: int) -> str:
    return f"{size / 1e9:.2f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"


class DuelPanel(QWidget):
    """Two levels, one prompt (typed or from your chats), two blind answers, a vote.

    For a tuned model (`set_tuned`) the two are the tuned model and its original, and the
    prompts offered are the held-out ones, the least duelled put up first.
    """

    voted = Signal()

    def __init__(self, arena: ArenaSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arena = arena
        self.levels: list[ArenaLevel] = []
        self._reference: ArenaLevel | None = None  # of the levels offered
        self.tuned: TunedDuel | None = None
        self._asked = ""  # the prompt of the duel on screen
        self.available_ram = 0
        self.max_tokens = MAX_TOKENS
        self.first = QComboBox()
        self.first.setToolTip(
            translate("DuelPanel", "The first level of the duel (the reference, to start with)")
        )
        self.second = QComboBox()
        self.second.setToolTip(translate("DuelPanel", "The level it duels against"))
        for combo in (self.first, self.second):  # a remote level's name is long: room for it
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.temperature = make_editor(TEMPERATURE, TEMPERATURE.default)
        self.seed = make_editor(SEED, 1)
        self.history = QComboBox()
        self.history.setMinimumWidth(200)
        self.history_label = QLabel(translate("DuelPanel", "From your chats"))
        self.history.activated.connect(self._use_history)
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText(
            translate(
                "DuelPanel",
                "A prompt of your own; both levels answer it with the same seed and sampler.",
            )
        )
        self.prompt.setFixedHeight(64)
        self.run_button = QPushButton(translate("DuelPanel", "Duel"))
        self.run_button.setObjectName("primaryButton")
        self.run_button.clicked.connect(self._run)
        self.status = QLabel("")
        self.status.setObjectName("bubbleFooter")
        self.status.setWordWrap(True)
        self.plan = QLabel("")
        self.plan.setObjectName("bubbleFooter")
        self.plan.setWordWrap(True)
        self.panes = answer_panes(translate("DuelPanel", "Answer {side}"))
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
        for widget in (
            QLabel(translate("DuelPanel", "Levels")),
            self.first,
            QLabel(translate("DuelPanel", "vs")),
            self.second,
        ):
            setup.addWidget(widget)
        setup.addStretch(1)
        # The sampler and the prompts on a row of their own: a remote level's long name
        # ("Q4_1 (remote SmolLM2-135M-Instruct.Q4_1.gguf at 127.0.0.1:8080)") needs the first.
        prompts = QHBoxLayout()
        for control in (
            QLabel(translate("DuelPanel", "temp")),
            self.temperature,
            QLabel(translate("DuelPanel", "seed")),
            self.seed,
        ):
            prompts.addWidget(control)
        prompts.addSpacing(12)
        prompts.addWidget(self.history_label)
        prompts.addWidget(self.history, 1)
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
        layout.addLayout(prompts)
        layout.addWidget(self.prompt)
        layout.addLayout(actions)
        layout.addLayout(panes)
        layout.addWidget(self.vote_bar)  # right under the answers it judges, as in Compare
        layout.addStretch(1)

    def set_levels(self, levels: list[ArenaLevel], prompts: list[str], available_ram: int) -> None:
        """Offer ``levels``: the reference against the smallest, to start with, and again
        whenever the reference changes; else the picks stay (a read after a vote)."""
        reference = reference_of(levels) if levels else None
        keep = reference is not None and reference == self._reference
        self.levels, self._reference = levels, reference
        self.tuned = None
        self.available_ram = available_ram
        self.history_label.setText(translate("DuelPanel", "From your chats"))
        for combo in (self.first, self.second):
            combo.setEnabled(True)
            chosen = combo.currentData() if keep else None
            combo.clear()
            for level in levels:
                combo.addItem(level.short, level.label)
            if chosen is not None and combo.findData(chosen) >= 0:
                combo.setCurrentIndex(combo.findData(chosen))
        if reference is not None and self.first.currentIndex() == self.second.currentIndex():
            others = [level for level in levels if level != reference]
            smallest = min(others, key=lambda level: level.bits_per_weight)
            self.first.setCurrentIndex(self.first.findData(reference.label))
            self.second.setCurrentIndex(self.second.findData(smallest.label))
        self._offer_prompts(prompts)

    def set_tuned(self, duel: TunedDuel) -> None:
        """Offer the tuned model against its original, on the held-out prompts; the least
        duelled one is put up (unless a prompt of the user's own is being written)."""
        shown = self.prompt.toPlainText()
        asked = self.tuned.prompts if self.tuned is not None else []
        self.tuned = duel
        self.levels = []
        originals = translate("DuelPanel", "The original"), translate("DuelPanel", "Tuned")
        for combo, name in zip((self.first, self.second), originals, strict=True):
            combo.clear()
            combo.addItem(name)
            combo.setEnabled(False)
        self.history_label.setText(translate("DuelPanel", "Held-out prompts"))
        self._offer_prompts(duel.prompts)
        if not shown.strip() or shown in asked or shown in duel.prompts:
            self.prompt.setPlainText(duel.next_prompt())

    def _offer_prompts(self, prompts: list[str]) -> None:
        self.history.clear()
        self.history.addItem(translate("DuelPanel", "(pick a prompt)"), "")
        for prompt in prompts:
            self.history.addItem(prompt if len(prompt) < 60 else prompt[:59] + "…", prompt)

    def _use_history(self, index: int) -> None:
        prompt = self.history.itemData(index)
        if prompt:
            self.prompt.setPlainText(prompt)

    def _level(self, combo: QComboBox) -> ArenaLevel | None:
        return next((lvl for lvl in self.levels if lvl.label == combo.currentData()), None)

    def _run(self) -> None:
        first, second = self._level(self.first), self._level(self.second)
        if self.tuned is None and (first is None or second is None):
            self.status.setText(
                translate("DuelPanel", "Put two levels of one model in the models folder first.")
            )
            return
        clear_answers(self.panes, self.vote_bar, translate("DuelPanel", "Answer {side}"))
        params = SamplingParams(
            temperature=editor_value(TEMPERATURE, self.temperature),
            seed=editor_value(SEED, self.seed),
            max_tokens=self.max_tokens,
        )
        self._asked = self.prompt.toPlainText()
        if self.tuned is not None:
            self.arena.start_tuned(self._asked, self.tuned, params)
        elif first is not None and second is not None:
            self.arena.start(self._asked, first, second, params, self.available_ram)

    def _on_answer_saved(self, side: str, message: Message) -> None:
        pane = self.panes[side]
        pane.set_footer(describe_stats(message.answer_stats, message.stop_reason))
        pane.set_text(message.content)  # whole: its last paragraph streamed in as plain text

    def _on_ready(self) -> None:
        self.status.setText(translate("DuelPanel", "Both answers are in. Which is better?"))
        self._set_voting(True)

    def _on_running_changed(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        if running:
            self._set_voting(False)

    def _vote(self, winner: Winner, strength: Strength) -> None:
        if self.arena.vote(winner, strength) is None:
            return  # not stored: the status line says why
        self.vote_bar.show_vote(winner)
        for side, shown in self.arena.names.items():
            name = translate("DuelPanel", "Answer {side}: {level}")
            self.panes[side].author.setText(name.format(side=side, level=shown))
        self.status.setText(self._saved_text())
        # The next duel gets a fresh seed, so a prompt asked twice is a new sample.
        seed = self.seed
        assert isinstance(seed, QDoubleSpinBox)  # SEED's editor: QSpinBox stops at 2^31 - 1
        seed.setValue(seed.value() + 1)
        self.voted.emit()

    def _saved_text(self) -> str:
        if self.tuned is None:
            return translate(
                "DuelPanel", "Vote saved; the curve counts it. Change it, or duel again."
            )
        if self._asked in self.tuned.prompts:
            return translate(
                "DuelPanel",
                "Vote saved; the win rate counts it. Change it, or duel the next prompt.",
            )
        # Trained-on (or new) prompts would flatter the tuned model, or say nothing of it.
        return translate(
            "DuelPanel",
            "Vote saved; the win rate counts only held-out prompts, which this was not.",
        )

    def _set_voting(self, enabled: bool) -> None:
        self.vote_bar.set_voting(enabled)


CURVE_COLUMNS = (
    QT_TRANSLATE_NOOP("CurvePanel", "Level"),
    QT_TRANSLATE_NOOP("CurvePanel", "Bits/weight"),
    QT_TRANSLATE_NOOP("CurvePanel", "File"),
    QT_TRANSLATE_NOOP("CurvePanel", "Duels"),
    QT_TRANSLATE_NOOP("CurvePanel", "Preferred reference (95% interval)"),
    QT_TRANSLATE_NOOP("CurvePanel", "Verdict"),
    "KL",
    QT_TRANSLATE_NOOP("CurvePanel", "Top-1"),
)
_VERDICTS = {
    "too few": QT_TRANSLATE_NOOP("CurvePanel", "too few duels"),
    "told apart": QT_TRANSLATE_NOOP("CurvePanel", "you told them apart"),
    "same": QT_TRANSLATE_NOOP("CurvePanel", "you could not tell"),
    "undecided": QT_TRANSLATE_NOOP("CurvePanel", "undecided"),
}


class CurvePanel(QWidget):
    """The chart, the table behind it, and the recommendation."""

    measure_requested = Signal(object, object)  # the ArenaLevel to measure, its reference

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
        self.table.setAccessibleName(
            translate("CurvePanel", "The levels: duels, preference and KL")
        )
        self.table.setHorizontalHeaderLabels([translate("CurvePanel", c) for c in CURVE_COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.measure_button = QPushButton(
            translate("CurvePanel", "Measure KL on your conversations")
        )
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
            (self.preference_plot, translate("CurvePanel", "Preferred reference")),
            (self.kl_plot, translate("CurvePanel", "KL (nats)")),
        ):
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setLabel("left", label)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("left").setWidth(56)
        self.kl_plot.setLabel(
            "bottom", translate("CurvePanel", "Bits per weight (file sizes marked)")
        )
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
            cells += [str(pref.duels), shown, translate("CurvePanel", _VERDICTS[pref.verdict])]
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
            self.measure_status.setText(
                translate("CurvePanel", "Pick a level other than the reference in the table.")
            )
            return
        self.measure_requested.emit(candidates[0].level, reference)


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
        head = translate("TokenView", "KL {kl:.3f} nats\nThe reference's top 5:")
        tip = head.format(kl=kl) + "\n" + tip
        if first:
            tip = (
                translate("TokenView", "The first token where the greedy choices differ.")
                + "\n"
                + tip
            )
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
        self.level.setToolTip(translate("RescorePanel", "The level to score the answer under"))
        self.reference = QLabel("")
        self.run_button = QPushButton(translate("RescorePanel", "Re-score"))
        self.run_button.setObjectName("primaryButton")
        self.run_button.clicked.connect(self._run)
        self.cancel_button = QPushButton(translate("RescorePanel", "Cancel"))
        self.cancel_button.clicked.connect(self.job.cancel)
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(140)
        self.progress.hide()
        self.summary = QLabel(
            translate("RescorePanel", "Pick an answer and the level to score it under.")
        )
        self.summary.setWordWrap(True)
        self.tokens = TokenView()
        self.tokens.setAccessibleName(
            translate("RescorePanel", "The answer, each token coloured by KL")
        )
        legend = QLabel(
            translate(
                "RescorePanel",
                "Each token is coloured by the KL between the two levels' predictions there "
                "(none: uncoloured; red: {top:g} nats or more). Hover a token for the "
                "reference's five likeliest tokens. ▸ marks the first token where the greedy "
                "choices differ.",
            ).format(top=KL_COLOUR_TOP)
        )
        legend.setObjectName("bubbleFooter")
        legend.setWordWrap(True)
        controls = QHBoxLayout()
        for widget in (
            QLabel(translate("RescorePanel", "Answer")),
            self.answer,
            QLabel(translate("RescorePanel", "scored under")),
            self.level,
        ):
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
        self.job.cancelled.connect(
            lambda: self.summary.setText(translate("RescorePanel", "Cancelled."))
        )
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
        # A re-score reads both levels' whole predictions at each token: files only.
        reference = local_reference(levels)
        self.level.clear()
        for level in levels:
            if level != reference and level.served_by is None:
                self.level.addItem(level.short, str(level.path))
        against = translate("RescorePanel", "against {level}")
        self.reference.setText(against.format(level=reference.short) if reference else "")
        self.reference.setToolTip(
            translate("RescorePanel", REMOTE_NOT_RESCORED)
            if any(level.served_by for level in levels)
            else ""
        )
        for combo, picked in ((self.answer, picked_answer), (self.level, picked_level)):
            if picked is not None and combo.findData(picked) >= 0:
                combo.setCurrentIndex(combo.findData(picked))

    def rescore(self, answer: AnswerRef, own: ArenaLevel) -> None:
        """Re-score ``answer`` (written by the level ``own``): under ``own`` when that is
        not the reference, else under the smallest level."""
        if self.job.running:
            self.summary.setText(
                translate("RescorePanel", "A re-score is running: wait for it, or cancel it first.")
            )
            return
        self.answer.setCurrentIndex(self.answer.findData(answer.id))
        index = self.level.findData(str(own.path))
        self.level.setCurrentIndex(index if index >= 0 else self.level.count() - 1)
        self._run()

    def _run(self) -> None:
        answer = next((a for a in self.answers if a.id == self.answer.currentData()), None)
        path = self.level.currentData()
        if answer is None or not path or not self.levels:
            self.summary.setText(
                translate(
                    "RescorePanel",
                    "Pick an answer from your chats and a level below the reference.",
                )
            )
            return
        self.summary.setText(translate("RescorePanel", "Scoring the answer under both levels…"))
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.run_button.setEnabled(False)
        reference = local_reference(self.levels)
        assert reference is not None  # a level to score under is a local file besides it
        self.job.start(answer, Path(path), reference.path, self.folder)

    def _on_finished(self, result: Rescore) -> None:
        first = result.first_divergence
        where = (
            translate("RescorePanel", "never")
            if first is None
            else translate("RescorePanel", "at token {n} of {total}").format(
                n=first + 1, total=len(result.tokens)
            )
        )
        summary = translate(
            "RescorePanel",
            "Mean KL {kl:.3f} nats; {share:.0%} of the tokens are damaged (KL above "
            "{limit:g}); the greedy choices first differ {where}.",
        )
        self.summary.setText(
            summary.format(
                kl=result.mean_kl, share=result.damaged_share, limit=DAMAGED_KL, where=where
            )
        )
        self.tokens.show_rescore(result)

    def _on_done(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.run_button.setEnabled(True)


def _remote_note(levels: list[ArenaLevel]) -> str:
    """What the page says about levels on servers: where they run and what is estimated."""
    if not any(level.served_by for level in levels):
        return ""
    return translate(
        "ArenaView",
        "Levels marked (remote …) answer on their server, as you or the server said they "
        "are; their sizes are your file's of the same level, else estimates from their level.",
    )


def _requantized_note(levels: list[ArenaLevel]) -> str:
    """What the page says about requantized levels: their losses compound, and one larger
    than the reference (Q8_0 made from Q4_1) cannot be better than it, so it is never the
    reference nor recommended."""
    requantized = [lvl for lvl in levels if lvl.requantized_from]
    if not requantized:
        return ""
    note = translate(
        "ArenaView",
        "Levels marked 'requantized from …' were made from an already quantized file, so "
        "their losses add to that file's.",
    )
    reference = reference_of(levels)
    larger = [lvl for lvl in requantized if lvl.file_size > reference.file_size]
    for level in larger:
        note += " " + translate(
            "ArenaView",
            "{level} cannot be better than its source, so {reference} stays the reference: "
            "duels against it show whether you can tell a requantized copy from its source.",
        ).format(level=level.short, reference=reference.short)
    return note


class ArenaView(QWidget):
    """The arena page: a model picker over three tabs (duel, curve, where answers go wrong)."""

    def __init__(
        self,
        arena: ArenaSession,
        reader: ArenaReader,
        rescores: Path,
        parent: QWidget | None = None,
        connections: ConnectionsService | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("arenaView")
        self.arena = arena
        self.reader = reader
        self.connections = connections
        self.state: ArenaState | None = None
        self._to_rescore: AnswerRef | None = None  # asked for from a chat, until the next read
        self._to_duel: Path | None = None  # an adapter to duel (from the Teach page)
        self._tuned: dict[str, TunedDuel] = {}  # by their entry in the model picker
        self.long_runner = JobRunner(parent=self)
        self.evaluation = EvaluationJob(self.long_runner, self)
        self.model = QComboBox()
        self.model.setMinimumWidth(240)
        # Filled after the page is first shown (the read is off the GUI thread): size to
        # the names as they come, or a tuned model's long name is cut.
        self.model.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.model.currentIndexChanged.connect(self._show_model)
        self.make_button = QPushButton(translate("ArenaView", "Make another level…"))
        self.make_button.setToolTip(
            translate(
                "ArenaView",
                "Quantize the reference to a smaller level, or (requantized, labelled so) "
                "a larger one",
            )
        )
        self.make_button.clicked.connect(self.open_quantize)
        self.remote_button = QPushButton(translate("ArenaView", "A model on a server…"))
        self.remote_button.setToolTip(
            translate("ArenaView", "Say which model and level a model on one of your servers is")
        )
        self.remote_button.clicked.connect(self.open_remote_identity)
        self.remote_button.setVisible(connections is not None)
        self.note = QLabel("")
        self.note.setObjectName("bubbleFooter")
        self.note.setWordWrap(True)
        self.duel = DuelPanel(arena)
        self.curve = CurvePanel()
        self.rescore = RescorePanel(self.long_runner, rescores)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.duel, translate("ArenaView", "Blind duel"))
        self.tabs.addTab(self.curve, translate("ArenaView", "Your quality curve"))
        self.tabs.addTab(self.rescore, translate("ArenaView", "Where answers go wrong"))
        top = QHBoxLayout()
        title = QLabel(
            translate("ArenaView", "<b>Quant arena</b>: can you tell the levels of a model apart?")
        )
        for widget in (
            title,
            QLabel(translate("ArenaView", "  Model")),
            self.model,
            self.make_button,
            self.remote_button,
        ):
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

    def tuned(self) -> TunedDuel | None:
        """The tuned model picked, if the picker shows one."""
        return self._tuned.get(self.model.currentText())

    def _on_read(self, state: ArenaState) -> None:
        self.state = state
        chosen = self.model.currentText()
        self.model.blockSignals(True)
        self.model.clear()
        self.model.addItems(sorted(state.models))
        against = translate("ArenaView", "{} vs the original")
        self._tuned = {against.format(duel.label): duel for duel in state.tuned}
        self.model.addItems(list(self._tuned))
        if chosen in state.models or chosen in self._tuned:
            self.model.setCurrentText(chosen)
        missing = self._to_duel is not None and not self._pick_tuned(self._to_duel)
        self.model.blockSignals(False)
        if not state.models and not state.tuned:
            self.note.setText(
                translate(
                    "ArenaView",
                    "The arena needs two levels of one model: download another level, make a "
                    "smaller one from a model you have (Models, Quantize), or say which model a "
                    "model on one of your servers is (A model on a server…).",
                )
            )
        else:
            self.note.setText("")
        self._show_model()
        if missing:
            self.note.setText(
                translate(
                    "ArenaView",
                    "This tuned model cannot duel: its original model was not found, or it "
                    "has no held-out prompts.",
                )
            )
        if self._to_rescore is not None:
            self._rescore_asked(self._to_rescore)

    def duel_tuned(self, adapter: Path) -> None:
        """Show the blind duel of ``adapter``'s tuned model against its original, once the
        arena is read again (it may have just been trained)."""
        self.tabs.setCurrentWidget(self.duel)
        self._to_duel = adapter
        self.refresh()

    def _pick_tuned(self, adapter: Path) -> bool:
        """Pick ``adapter``'s duel in the picker; False where there is none."""
        self._to_duel = None
        for text, duel in self._tuned.items():
            if duel.adapter == adapter:
                self.model.setCurrentText(text)
                return True
        return False

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
                translate(
                    "ArenaView",
                    "{model} has no other level in your models folder to score it against: "
                    "download one, or make one (Models, Quantize).",
                ).format(model=name or translate("ArenaView", "The model of this answer"))
            )
            return
        model, own = found[0]
        self.model.setCurrentText(model)  # shows that model's levels and answers
        self.rescore.rescore(answer, own)

    def _show_model(self) -> None:
        state, name = self.state, self.model.currentText()
        levels = self.levels()
        tuned = self.tuned()
        self.make_button.setEnabled(bool(levels))
        for tab in (self.curve, self.rescore):  # about levels, not a tuned model
            self.tabs.setTabEnabled(self.tabs.indexOf(tab), tuned is None)
        if tuned is not None:
            self.tabs.setCurrentWidget(self.duel)
            self.note.setText(tuned.progress())
            self.duel.set_tuned(tuned)
            return
        if state is None or not levels:
            return
        self.note.setText(" ".join(filter(None, (_requantized_note(levels), _remote_note(levels)))))
        self.duel.set_levels(levels, state.prompts, state.available_ram)
        self.curve.show_curve(state.curves[name], state.recommendations[name].text)
        self.rescore.set_choices(state.answers, levels)

    def open_quantize(self) -> QuantizeDialog | None:
        """The quantize dialog on the reference: smaller levels, or larger requantized ones."""
        levels = self.levels()
        if not levels:
            return None
        source = local_reference(levels)
        if source is None:
            self.note.setText(
                translate(
                    "ArenaView",
                    "Every level of this model is on a server: there is no file to quantize.",
                )
            )
            return None
        dialog = QuantizeDialog(source.path, self.long_runner, SystemMemory.probe, 4096, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.quantized.connect(lambda _path: self.refresh())
        dialog.show()
        return dialog

    def _measure(self, level: ArenaLevel, reference: ArenaLevel) -> None:
        if self.evaluation.running:
            return
        against = self._quality_reference(level, reference)
        if against is None:
            return  # the status line says why
        self.curve.measure_status.setText(
            translate("ArenaView", "Measuring {model} on your conversations…").format(
                model=level.short
            )
        )
        self.curve.measure_progress.setValue(0)
        self.curve.measure_progress.show()
        database = self.reader.database
        self.evaluation.start(
            level.path, against, stored_conversations(database), "your conversations"
        )

    def _quality_reference(
        self, level: ArenaLevel, reference: ArenaLevel
    ) -> Path | RemoteReference | None:
        """What ``level`` is measured against: the reference's file, or the reference on its
        server where that returns top_logprobs; None (and the status says why) otherwise."""
        status = self.curve.measure_status
        if level.served_by is not None:
            status.setText(
                translate(
                    "ArenaView",
                    "{level} is on a server: KL needs its whole prediction at each token, "
                    "which only a file here gives. Measure a local level against it instead.",
                ).format(level=level.short)
            )
            return None
        served = reference.served_by
        if served is None:
            return reference.path
        if not served.logprobs:
            why = translate("ArenaView", "{reference} cannot be measured against: {why}.")
            status.setText(why.format(reference=reference.short, why=NO_LOGPROBS))
            return None
        key = self.arena.compare.remote_key(served.url)
        return RemoteReference(served.url, key, served.model_id)

    def _on_measured(self, saved: SavedReport) -> None:
        report = saved.report
        measured = translate(
            "ArenaView",
            "{level}: KL {kl:.4f}, top-1 {top1:.1%} on {tokens:,} tokens of your conversations.",
        )
        self.curve.measure_status.setText(
            measured.format(
                level=report.level,
                kl=report.kl_divergence,
                top1=report.top1_agreement,
                tokens=report.tokens,
            )
        )
        self.refresh()

    def open_remote_identity(self) -> RemoteIdentityDialog | None:
        """The dialog that says what a model on a server is; saving it reads the arena
        again (through the connections' `changed`)."""
        if self.connections is None:
            return None
        state = self.state
        names = [*state.local_models, *state.models] if state is not None else []
        dialog = RemoteIdentityDialog(self.connections, names, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def shutdown(self) -> None:
        """Cancel a running measurement or re-scoring and wait for every job to end."""
        self.evaluation.cancel()
        self.rescore.job.cancel()
        self.long_runner.wait_for_all()
        self.reader.jobs.wait_for_all()
