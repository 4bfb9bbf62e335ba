"""The Data set page: what your ratings add up to, the pairs they make, and your leaderboard.

Everything shown comes from `DatasetService`, which reads in the background; this page only
displays what it reports and asks it to delete or export.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.dataset import Dataset, DatasetCounts, PreferencePair, RatingRef
from llamadesk.core.preferences import ExportFormat, ExportResult
from llamadesk.services.dataset import DatasetService
from llamadesk.services.share import ShareService
from llamadesk.ui import widgets
from llamadesk.ui.share_dialog import ShareDialog
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, plural, translate

if TYPE_CHECKING:  # the leaderboard module brings numpy; the page shows rows it is handed
    from llamadesk.core.leaderboard import LeaderboardRow

# Marked for translation here, translated where shown (the language is set after import).
EMPTY_MESSAGE = QT_TRANSLATE_NOOP("DatasetView", "Nothing to export yet — rate some answers first.")

EXPLANATION = QT_TRANSLATE_NOOP(
    "DatasetView",
    "When you pick the better of two answers, you make the data that RLHF runs on: "
    "preference pairs (a chosen and a rejected answer to one prompt) train reward models "
    "and DPO, and your Good and Bad ratings train KTO. Export them and train with TRL as they are.",
)

LEADERBOARD_EXPLANATION = QT_TRANSLATE_NOOP(
    "DatasetView",
    "Your models ranked by your arena votes: a Bradley–Terry fit, as Chatbot Arena computes "
    "it (1000 is average; 400 points apart means 10:1 odds of winning). A tie counts half a "
    "win each; the 95% intervals come from resampling the votes.",
)

NO_VOTES = QT_TRANSLATE_NOOP(
    "DatasetView", "No arena votes yet: compare two models and vote for the better answer."
)

SOURCE_NAMES = {
    "rewrite": QT_TRANSLATE_NOOP("DatasetView", "Your rewrite"),
    "pick": QT_TRANSLATE_NOOP("DatasetView", "Best pick"),
    "rank": QT_TRANSLATE_NOOP("DatasetView", "Ranking"),
    "compare": QT_TRANSLATE_NOOP("DatasetView", "Arena vote"),
}

# Menu text of each export, and the message after it ({n}: how many rows).
EXPORTS: dict[ExportFormat, tuple[str, str]] = {
    "trl": (
        QT_TRANSLATE_NOOP("DatasetView", "TRL preference (DPO/reward)…"),
        QT_TRANSLATE_NOOP("DatasetView", "Wrote {n} preference pairs to {path}."),
    ),
    "kto": (
        QT_TRANSLATE_NOOP("DatasetView", "KTO (thumbs)…"),
        QT_TRANSLATE_NOOP("DatasetView", "Wrote {n} rated answers to {path}."),
    ),
    "arena": (
        QT_TRANSLATE_NOOP("DatasetView", "Arena battle log…"),
        QT_TRANSLATE_NOOP("DatasetView", "Wrote {n} battles to {path}."),
    ),
}

# A cell shows the start of a text; the details pane and the tooltip show all of it.
CELL_CHARACTERS = 200
TOOLTIP_CHARACTERS = 1500


def describe_counts(counts: DatasetCounts) -> str:
    """One line of counts, e.g. "37 preference pairs · 52 thumbs (40 good / 12 bad) · …".

    Words, not thumb emoji: the chat's buttons say Good and Bad, and not every desktop has an
    emoji font.
    """
    if counts.empty:
        return translate("DatasetView", EMPTY_MESSAGE)
    thumbs = plural(
        counts.thumbs,
        translate("DatasetView", "{n} thumb ({good} good / {bad} bad)"),
        translate("DatasetView", "{n} thumbs ({good} good / {bad} bad)"),
        good=counts.thumbs_up,
        bad=counts.thumbs_down,
    )
    votes = plural(
        counts.votes,
        translate("DatasetView", "{n} arena vote"),
        translate("DatasetView", "{n} arena votes"),
    )
    draws = (
        [
            plural(
                counts.ties,
                translate("DatasetView", "{n} tie"),
                translate("DatasetView", "{n} ties"),
            )
        ]
        if counts.ties
        else []
    )
    if counts.both_bad:
        draws.append(translate("DatasetView", "{n} both bad").format(n=counts.both_bad))
    if draws:
        votes += f" ({', '.join(draws)})"
    return " · ".join(
        [
            plural(
                counts.trl_pairs,
                translate("DatasetView", "{n} preference pair"),
                translate("DatasetView", "{n} preference pairs"),
            ),
            thumbs,
            plural(
                counts.rewrites,
                translate("DatasetView", "{n} rewrite"),
                translate("DatasetView", "{n} rewrites"),
            ),
            plural(
                counts.picks,
                translate("DatasetView", "{n} best pick"),
                translate("DatasetView", "{n} best picks"),
            ),
            plural(
                counts.rankings,
                translate("DatasetView", "{n} ranking"),
                translate("DatasetView", "{n} rankings"),
            ),
            votes,
        ]
    )


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= CELL_CHARACTERS else line[: CELL_CHARACTERS - 1] + "…"


def _tooltip(text: str) -> str:
    # Rich text, so Qt wraps a long tooltip instead of drawing one line across the screen.
    if len(text) > TOOLTIP_CHARACTERS:
        text = text[: TOOLTIP_CHARACTERS - 1] + "…"
    return f"<p>{html.escape(text).replace(chr(10), '<br>')}</p>"


def _model_name(name: str) -> str:
    return name.removesuffix(".gguf")


class PairTableModel(QAbstractTableModel):
    """The preference pairs, newest first, one per row."""

    HEADERS = (
        QT_TRANSLATE_NOOP("PairTableModel", "Source"),
        QT_TRANSLATE_NOOP("PairTableModel", "Prompt"),
        QT_TRANSLATE_NOOP("PairTableModel", "Chosen"),
        QT_TRANSLATE_NOOP("PairTableModel", "Rejected"),
        QT_TRANSLATE_NOOP("PairTableModel", "Models"),
        QT_TRANSLATE_NOOP("PairTableModel", "Date"),
    )
    HEADER_TIPS = (
        QT_TRANSLATE_NOOP("PairTableModel", "Which rating made the pair"),
        QT_TRANSLATE_NOOP("PairTableModel", "The last thing you said before the answers"),
        QT_TRANSLATE_NOOP("PairTableModel", "The better answer"),
        QT_TRANSLATE_NOOP("PairTableModel", "The worse answer"),
        QT_TRANSLATE_NOOP(
            "PairTableModel", "The chosen answer's model vs the rejected answer's model"
        ),
        QT_TRANSLATE_NOOP("PairTableModel", "When you rated (your local time)"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pairs: list[PreferencePair] = []

    def set_pairs(self, pairs: Sequence[PreferencePair]) -> None:
        self.beginResetModel()
        self._pairs = sorted(pairs, key=lambda pair: pair.created, reverse=True)
        self.endResetModel()

    def pair(self, row: int) -> PreferencePair:
        return self._pairs[row]

    def pairs(self) -> list[PreferencePair]:
        return list(self._pairs)

    def row_of(self, pair_id: str) -> int | None:
        return next((row for row, pair in enumerate(self._pairs) if pair.id == pair_id), None)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._pairs)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return translate("PairTableModel", self.HEADERS[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            return translate("PairTableModel", self.HEADER_TIPS[section])
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid():
            return None
        texts = self._texts(self._pairs[index.row()])
        if role == Qt.ItemDataRole.DisplayRole:
            return _one_line(texts[index.column()])
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(texts[index.column()])
        return None

    @staticmethod
    def _texts(pair: PreferencePair) -> tuple[str, ...]:
        return (
            translate("DatasetView", SOURCE_NAMES[pair.source]),
            pair.prompt,
            pair.chosen,
            pair.rejected,
            f"{_model_name(pair.chosen_model)} vs {_model_name(pair.rejected_model)}",
            pair.created.astimezone().strftime("%Y-%m-%d %H:%M"),
        )


class PairDetails(QFrame):
    """Both answers of one pair in full, side by side, under the prompt."""

    PLACEHOLDER = QT_TRANSLATE_NOOP(
        "PairDetails", "Select a pair to read its prompt and both answers in full."
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pairDetails")
        self.prompt = QLabel(translate("PairDetails", self.PLACEHOLDER))
        self.prompt.setObjectName("pairPrompt")
        self.prompt.setWordWrap(True)
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chosen_title, self.chosen = self._answer_box("chosenTitle")
        self.rejected_title, self.rejected = self._answer_box("rejectedTitle")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setHorizontalSpacing(12)
        layout.addWidget(self.prompt, 0, 0, 1, 2)
        layout.addWidget(self.chosen_title, 1, 0)
        layout.addWidget(self.rejected_title, 1, 1)
        layout.addWidget(self.chosen, 2, 0)
        layout.addWidget(self.rejected, 2, 1)
        layout.setRowStretch(2, 1)
        self.setMinimumHeight(170)  # a few lines of each answer, however small the window
        self.show_pair(None)

    @staticmethod
    def _answer_box(title_name: str) -> tuple[QLabel, QPlainTextEdit]:
        title = QLabel()
        title.setObjectName(title_name)
        text = QPlainTextEdit()
        text.setObjectName("answerText")
        text.setReadOnly(True)
        return title, text

    def show_pair(self, pair: PreferencePair | None, placeholder: str = PLACEHOLDER) -> None:
        """Show ``pair``, or with None the ``placeholder`` text and no answers."""
        boxes = (self.chosen_title, self.rejected_title, self.chosen, self.rejected)
        for widget in boxes:
            widget.setVisible(pair is not None)
        if pair is None:
            self.prompt.setText(translate("PairDetails", placeholder))
            return
        prompt = translate("PairDetails", "<b>Prompt:</b> {prompt}")
        self.prompt.setText(prompt.format(prompt=html.escape(pair.prompt)))
        chosen = translate("PairDetails", "✓ Chosen · {model}")
        self.chosen_title.setText(chosen.format(model=html.escape(_model_name(pair.chosen_model))))
        rejected = translate("PairDetails", "✗ Rejected · {model}")
        self.rejected_title.setText(
            rejected.format(model=html.escape(_model_name(pair.rejected_model)))
        )
        self.chosen.setPlainText(pair.chosen)
        self.rejected.setPlainText(pair.rejected)


class LeaderboardTable(QTableWidget):
    """One row per model, best first: rating, 95% interval, battles, wins / ties / losses."""

    HEADERS = (
        QT_TRANSLATE_NOOP("LeaderboardTable", "Model"),
        QT_TRANSLATE_NOOP("LeaderboardTable", "Rating"),
        QT_TRANSLATE_NOOP("LeaderboardTable", "95% interval"),
        QT_TRANSLATE_NOOP("LeaderboardTable", "Battles"),
        QT_TRANSLATE_NOOP("LeaderboardTable", "W / T / L"),
    )
    # As tall as its rows, up to this many: the pairs above get the rest of the page.
    MAX_VISIBLE_ROWS = 6

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setObjectName("leaderboard")
        self.setHorizontalHeaderLabels([translate("LeaderboardTable", h) for h in self.HEADERS])
        first = self.horizontalHeaderItem(0)
        assert first is not None  # made by setHorizontalHeaderLabels
        first.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setShowGrid(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(self.HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def set_rows(self, rows: Sequence[LeaderboardRow]) -> None:
        self.setRowCount(len(rows))
        for row, entry in enumerate(rows):
            cells = (
                _model_name(entry.model),
                f"{entry.rating:.0f}",
                f"{entry.lower:.0f} – {entry.upper:.0f}",
                str(entry.battles),
                f"{entry.wins} / {entry.ties} / {entry.losses}",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                else:
                    item.setToolTip(entry.model)
                self.setItem(row, column, item)
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        rows = min(max(self.rowCount(), 1), self.MAX_VISIBLE_ROWS)
        height = (
            self.horizontalHeader().sizeHint().height()
            + rows * self.verticalHeader().defaultSectionSize()
            + 2 * self.frameWidth()
        )
        return QSize(super().sizeHint().width(), height)

    def models(self) -> list[str]:
        """The model names shown, top first."""
        items = (self.item(row, 0) for row in range(self.rowCount()))
        return [item.toolTip() for item in items if item is not None]


class DatasetView(QWidget):
    """The Data set page.

    Args:
        service: where the data set is read, changed and exported.
        parent: the usual widget parent.

    ``export_actions`` holds one QAction per export format (text ending in "…"): the main
    window can put the same actions into its menu bar.
    """

    def __init__(
        self,
        service: DatasetService,
        parent: QWidget | None = None,
        share: ShareService | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("datasetView")
        self.service = service
        self.share_service = share
        self._stale = True  # read on the first show, not at start-up
        self._export_folder = Path.home()
        self.export_actions = {kind: self._export_action(kind) for kind in EXPORTS}
        self.include_reasoning = QCheckBox(translate("DatasetView", "Include reasoning"))
        self.include_reasoning.setToolTip(
            translate(
                "DatasetView",
                "Add reasoning models' reasoning in columns of its own; the answers never hold it",
            )
        )
        self._build()
        service.loaded.connect(self._show_dataset)
        service.changed.connect(self._on_changed)
        service.failed.connect(self._show_error)
        service.export_done.connect(self._on_export_done)
        service.export_failed.connect(self._on_export_failed)

    # Assembly ------------------------------------------------------------------------

    def _export_action(self, kind: ExportFormat) -> QAction:
        action = QAction(translate("DatasetView", EXPORTS[kind][0]), self)
        action.triggered.connect(lambda: self.ask_export(kind))
        return action

    def _build(self) -> None:
        title = QLabel(translate("DatasetView", "Data set"))
        title.setObjectName("pageTitle")
        explain = QLabel(translate("DatasetView", EXPLANATION))
        explain.setObjectName("pageText")
        explain.setWordWrap(True)
        self.counts_label = QLabel(translate("DatasetView", "Reading your ratings…"))
        self.counts_label.setObjectName("datasetCounts")
        self.counts_label.setWordWrap(True)
        self.banner = widgets.Banner()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(explain)
        layout.addWidget(self.counts_label)
        layout.addLayout(self._export_bar())
        layout.addWidget(self.banner)
        layout.addWidget(self._pairs_section(), 1)
        layout.addWidget(self._leaderboard_section())

    def _export_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setSpacing(8)
        label = QLabel(translate("DatasetView", "Export as JSONL:"))
        label.setObjectName("sectionTitle")
        bar.addWidget(label)
        for action in self.export_actions.values():
            button = QToolButton()
            button.setObjectName("exportButton")
            button.setDefaultAction(action)
            bar.addWidget(button)
        bar.addWidget(self.include_reasoning)
        bar.addStretch(1)
        self.share_button = QPushButton(translate("DatasetView", "Share…"))
        self.share_button.setObjectName("shareButton")
        self.share_button.setToolTip(
            translate(
                "DatasetView",
                "Save the data set as a folder with its card, or share it on Hugging Face",
            )
        )
        self.share_button.clicked.connect(self.open_share)
        self.share_button.setVisible(self.share_service is not None)
        bar.addWidget(self.share_button)
        return bar

    def open_share(self) -> ShareDialog:
        """Open the share dialog (card preview, scrub, save or push)."""
        assert self.share_service is not None  # the button shows only with one
        dialog = ShareDialog(self.share_service, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _pairs_section(self) -> QWidget:
        self.pair_model = PairTableModel(self)
        self.pairs_table = QTableView()
        self.pairs_table.setObjectName("pairsTable")
        self.pairs_table.setModel(self.pair_model)
        self.pairs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pairs_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.pairs_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pairs_table.setWordWrap(False)
        self.pairs_table.setShowGrid(False)
        self.pairs_table.setAlternatingRowColors(True)
        self.pairs_table.verticalHeader().hide()
        self._size_columns(self.pairs_table.horizontalHeader())
        self.pairs_table.selectionModel().selectionChanged.connect(self._on_selection)
        self.delete_button = QPushButton(translate("DatasetView", "Delete pair…"))
        self.delete_button.setEnabled(False)
        self.delete_button.setToolTip(
            translate("DatasetView", "Take back the rating that made this pair")
        )
        self.delete_button.clicked.connect(self.ask_delete)
        heading = QHBoxLayout()
        pairs_title = QLabel(translate("DatasetView", "Preference pairs, newest first"))
        pairs_title.setObjectName("sectionTitle")
        heading.addWidget(pairs_title)
        heading.addStretch(1)
        heading.addWidget(self.delete_button)
        self.details = PairDetails()
        table_and_details = QSplitter(Qt.Orientation.Vertical)
        table_and_details.setChildrenCollapsible(False)
        table_and_details.setObjectName("pairsSplitter")  # the window remembers it by name
        table_and_details.addWidget(self.pairs_table)
        table_and_details.addWidget(self.details)
        table_and_details.setStretchFactor(0, 1)
        table_and_details.setStretchFactor(1, 1)
        section = QWidget()
        layout = QVBoxLayout(section)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(heading)
        layout.addWidget(table_and_details, 1)
        return section

    @staticmethod
    def _size_columns(header: QHeaderView) -> None:
        # The texts share the room; source and date take just what they need.
        modes = QHeaderView.ResizeMode
        for column, name in enumerate(PairTableModel.HEADERS):
            fits = name in ("Source", "Date")
            header.setSectionResizeMode(column, modes.ResizeToContents if fits else modes.Stretch)

    def _leaderboard_section(self) -> QWidget:
        title = QLabel(translate("DatasetView", "Leaderboard"))
        title.setObjectName("sectionTitle")
        self.leaderboard_note = QLabel(translate("DatasetView", LEADERBOARD_EXPLANATION))
        self.leaderboard_note.setObjectName("pageNote")
        self.leaderboard_note.setWordWrap(True)
        self.leaderboard_table = LeaderboardTable()
        section = QWidget()
        layout = QVBoxLayout(section)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.leaderboard_note)
        layout.addWidget(self.leaderboard_table, 1)
        return section

    # Reading -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read everything again (in the background; the page updates when it arrives)."""
        self._stale = False
        self.service.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _on_changed(self) -> None:
        # While hidden, only note it: reading costs time the chat may need.
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def _show_dataset(self, dataset: Dataset) -> None:
        selected = self.selected_pair()
        self.counts_label.setText(describe_counts(dataset.counts))
        self._set_export_tips(dataset.counts)
        self.pair_model.set_pairs(dataset.pairs)
        row = self.pair_model.row_of(selected.id) if selected else None
        if row is not None:
            self.pairs_table.selectRow(row)
        else:
            self._show_details()
        self.leaderboard_table.set_rows(dataset.leaderboard)
        self.leaderboard_table.setVisible(bool(dataset.leaderboard))
        note = LEADERBOARD_EXPLANATION if dataset.leaderboard else NO_VOTES
        self.leaderboard_note.setText(translate("DatasetView", note))

    def _set_export_tips(self, counts: DatasetCounts) -> None:
        rows = {"trl": counts.trl_pairs, "kto": counts.kto_rows, "arena": counts.arena_battles}
        for kind, action in self.export_actions.items():
            tip = plural(
                rows[kind],
                translate("DatasetView", "Write {n} row to a JSONL file you choose"),
                translate("DatasetView", "Write {n} rows to a JSONL file you choose"),
            )
            action.setToolTip(tip)

    # Pairs ---------------------------------------------------------------------------

    def selected_pair(self) -> PreferencePair | None:
        rows = self.pairs_table.selectionModel().selectedRows()
        return self.pair_model.pair(rows[0].row()) if rows else None

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_details()

    def _show_details(self) -> None:
        pair = self.selected_pair()
        self.delete_button.setEnabled(pair is not None)
        if self.pair_model.rowCount() == 0:
            self.details.show_pair(
                None,
                translate(
                    "DatasetView",
                    "No preference pairs yet. Pairs come from a better answer you write for a "
                    "Bad one, a pick of the best of several answers, a ranking, or an arena vote.",
                ),
            )
        else:
            self.details.show_pair(pair)

    def ask_delete(self) -> None:
        """Delete the selected pair's rating, after the user confirms."""
        pair = self.selected_pair()
        if pair is None:
            return
        question = self._delete_question(pair)
        if widgets.confirm(
            self,
            translate("DatasetView", "Delete pair"),
            question,
            translate("DatasetView", "Delete"),
        ):
            self.service.delete_pair(pair.id)

    def _delete_question(self, pair: PreferencePair) -> str:
        if pair.source == "rewrite":
            return translate(
                "DatasetView",
                "Delete the better answer you wrote? Your Bad rating of the original answer "
                "stays, with its reasons.",
            )
        if pair.source == "compare":
            return translate(
                "DatasetView", "Delete this arena vote? It also leaves the leaderboard."
            )
        siblings = self._pairs_of(pair.rating)
        if pair.source == "pick":
            return plural(
                siblings,
                translate(
                    "DatasetView",
                    "This removes your whole pick of the best answer to this prompt: {n} pair "
                    "in all. The answers themselves stay.",
                ),
                translate(
                    "DatasetView",
                    "This removes your whole pick of the best answer to this prompt: {n} pairs "
                    "in all. The answers themselves stay.",
                ),
            )
        return plural(
            siblings,
            translate(
                "DatasetView",
                "This removes your whole ranking of the answers to this prompt: {n} pair in "
                "all. The answers themselves stay.",
            ),
            translate(
                "DatasetView",
                "This removes your whole ranking of the answers to this prompt: {n} pairs in "
                "all. The answers themselves stay.",
            ),
        )

    def _pairs_of(self, rating: RatingRef) -> int:
        return sum(pair.rating == rating for pair in self.pair_model.pairs())

    # Exports -------------------------------------------------------------------------

    def ask_export(self, kind: ExportFormat) -> None:
        """Ask where to save the ``kind`` export, then write it in the background."""
        name, _filter = QFileDialog.getSaveFileName(
            self,
            translate("DatasetView", "Export {format}").format(
                format=translate("DatasetView", EXPORTS[kind][0]).removesuffix("…")
            ),
            str(self._export_folder / f"llamadesk-{kind}.jsonl"),
            translate("DatasetView", "JSON Lines (*.jsonl);;All files (*)"),
        )
        if not name:
            return
        path = Path(name)
        self._export_folder = path.parent
        self._set_exporting(True)
        self.banner.show_message(
            translate("DatasetView", "Exporting to {path}…").format(path=path), "info"
        )
        self.service.export(kind, path, include_reasoning=self.include_reasoning.isChecked())

    def _set_exporting(self, exporting: bool) -> None:
        for action in self.export_actions.values():
            action.setEnabled(not exporting)

    def _on_export_done(self, result: ExportResult) -> None:
        self._set_exporting(False)
        if result.count == 0:
            empty = translate("DatasetView", "Wrote an empty file to {path}.")
            text = f"{translate('DatasetView', EMPTY_MESSAGE)} {empty.format(path=result.path)}"
            self.banner.show_message(text, "warning")
            return
        done = translate("DatasetView", EXPORTS[result.format][1])
        self.banner.show_message(done.format(n=result.count, path=result.path), "success")

    def _on_export_failed(self, message: str) -> None:
        self._set_exporting(False)
        self._show_error(translate("DatasetView", "Export failed. {error}").format(error=message))

    def _show_error(self, message: str) -> None:
        self.banner.show_message(message, "error")
