"""How much does a quantization cost on the user's own text? Measure a library model against
a reference (usually its source) and show, and keep, the result."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.evaluate import QualityReport, SavedReport, load_reports
from llamadesk.core.library import LibraryModel
from llamadesk.core.quantize import read_lineage
from llamadesk.core.remote import NO_LOGPROBS
from llamadesk.core.remote_evaluate import RemoteReference
from llamadesk.services.background import JobRunner
from llamadesk.services.quantize_job import (
    EvaluationJob,
    TextSource,
    file_text,
    stored_conversations,
)
from llamadesk.ui.palette import current
from llamadesk.ui.quantize_dialog import JobDialog
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate

HISTORY_COLUMNS = (
    QT_TRANSLATE_NOOP("QualityDialog", "Date"),
    QT_TRANSLATE_NOOP("QualityDialog", "Against"),
    QT_TRANSLATE_NOOP("QualityDialog", "Text"),
    QT_TRANSLATE_NOOP("QualityDialog", "KL divergence"),
    QT_TRANSLATE_NOOP("QualityDialog", "Top-1"),
    QT_TRANSLATE_NOOP("QualityDialog", "Perplexity"),
)
_PROGRESS_STEPS = 1000
# KL divergence (nats per token) below which two models are hard to tell apart, and above
# which the differences show often; llama.cpp's published Q8_0 figures sit near 0.001 and
# Q2_K's near 0.5 on Llama-3-8B.
_CLOSE_KL = 0.01
_FAR_KL = 0.1
_CLOSE_TOP1 = 0.9  # and they must mostly pick the same token to be "hard to tell apart"


TOP_K_NOTE = QT_TRANSLATE_NOOP(
    "QualityDialog",
    "Against a model on a server, KL divergence is a top-k estimate: the server returns only "
    "its most likely next tokens, so both predictions are compared on those tokens plus one "
    "bucket for all the others (the tail). That can only hide differences: the true KL "
    "divergence is at least this. The reference's perplexity is unknown.",
)
# How the texts measured on are saved with a report (in English, the stored data's
# language) and named in the user's where shown; a file's is "file <name>".
YOUR_CONVERSATIONS = QT_TRANSLATE_NOOP("QualityDialog", "your conversations")
PASTED_TEXT = QT_TRANSLATE_NOOP("QualityDialog", "pasted text")


def is_remote(report: QualityReport) -> bool:
    """Whether ``report`` was measured against a model on a server."""
    return report.reference_level.startswith("remote")


def reference_name(report: QualityReport) -> str:
    """The reference as the user knows it: a file's name, or a model on a server."""
    return report.reference if is_remote(report) else Path(report.reference).name


def interpret(report: QualityReport) -> str:
    """What the figures mean for the user, in a sentence (two against a server)."""
    if report.kl_divergence < _CLOSE_KL and report.top1_agreement >= _CLOSE_TOP1:
        verdict = translate("QualityDialog", "hard to tell apart")
    elif report.kl_divergence < _FAR_KL:
        verdict = translate("QualityDialog", "close, with small differences")
    else:
        verdict = translate("QualityDialog", "noticeably different")
    meaning = translate(
        "QualityDialog",
        "On this text the two are {verdict}: they pick the same next token {agreement:.0%} of "
        "the time (lower KL divergence is better; 0 and 100% mean identical predictions).",
    ).format(verdict=verdict, agreement=report.top1_agreement)
    note = translate("QualityDialog", TOP_K_NOTE)
    return f"{meaning} {note}" if is_remote(report) else meaning


def result_rows(report: QualityReport) -> list[tuple[str, str]]:
    """The figures of ``report`` as (what, value) rows for a small table."""
    return [
        (
            translate("QualityDialog", "Perplexity of {model}").format(
                model=Path(report.model).name
            ),
            f"{report.perplexity:.3f}",
        ),
        (
            translate("QualityDialog", "Perplexity of {model}").format(
                model=reference_name(report)
            ),
            translate("QualityDialog", "unknown (top-k only)")
            if is_remote(report)
            else f"{report.reference_perplexity:.3f}",
        ),
        (
            translate("QualityDialog", "Mean KL divergence ({level} estimate)").format(
                level=report.reference_level
            )
            if is_remote(report)
            else translate("QualityDialog", "Mean KL divergence"),
            f"{report.kl_divergence:.4f}",
        ),
        (translate("QualityDialog", "Top-1 agreement"), f"{report.top1_agreement:.1%}"),
        (translate("QualityDialog", "Tokens measured"), f"{report.tokens:,}"),
    ]


def reports_for(model: Path, reports: list[SavedReport]) -> list[SavedReport]:
    """The saved measurements of ``model``, newest first."""
    wanted = str(model.resolve())
    return [saved for saved in reversed(reports) if saved.report.model == wanted]


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(24)
    table.setShowGrid(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: Sequence[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            table.setItem(row, column, QTableWidgetItem(text))


class QualityDialog(JobDialog):
    """Measure one library model against a reference, on a text the user picks.

    Args:
        model: the model to measure.
        library: the models on disk, to pick the reference from.
        database: the chat database, for "My conversations".
        runner: where the measurement runs (the caller waits for it at shutdown).
        remotes: models on servers, each with whether it can be a reference (its server
            returns top_logprobs); those that cannot are named with the reason.

    Signals:
        measured(SavedReport): a measurement finished and was saved.
    """

    measured = Signal(object)

    job: EvaluationJob

    def __init__(
        self,
        model: Path,
        library: list[LibraryModel],
        database: Path,
        runner: JobRunner,
        parent: QWidget | None = None,
        remotes: Sequence[tuple[RemoteReference, bool]] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            translate("QualityDialog", "Measure the quality of {model}").format(model=model.name)
        )
        self.model = model
        self.database = database
        self.text_file: Path | None = None
        self._refused = ""  # why some remote models are not offered as references
        self.job = EvaluationJob(runner, self)
        self._build()
        self._fill_references(library)
        self._fill_remotes(remotes)
        self.job.progress.connect(
            lambda fraction: self.bar.setValue(round(fraction * _PROGRESS_STEPS))
        )
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(lambda message: self._on_stopped(message, error=True))
        self.job.cancelled.connect(lambda: self._on_stopped("Cancelled.", error=False))
        self._show_history()
        self._update_buttons()

    # Assembly ------------------------------------------------------------------------

    def _build(self) -> None:
        intro = QLabel(
            translate(
                "QualityDialog",
                "How far do <b>{model}</b>'s predictions stray from another model's on your "
                "kind of text? Compare a quantization with its source to see what the smaller "
                "file costs.",
            ).format(model=self.model.name)
        )
        intro.setWordWrap(True)
        self.reference = QComboBox()
        self.reference.currentIndexChanged.connect(lambda _index: self._show_reference_note())
        self.reference_note = QLabel()
        self.reference_note.setObjectName("pageText")
        self.reference_note.setWordWrap(True)
        self.conversations = QRadioButton(translate("QualityDialog", "My conversations"))
        self.from_file = QRadioButton(translate("QualityDialog", "A file…"))
        self.pasted = QRadioButton(translate("QualityDialog", "Paste text"))
        self.sources = QButtonGroup(self)
        for button in (self.conversations, self.from_file, self.pasted):
            self.sources.addButton(button)
        self.conversations.setChecked(True)
        self.file_label = QLabel()
        self.file_label.setObjectName("pageText")
        self.paste = QPlainTextEdit()
        self.paste.setPlaceholderText(
            translate("QualityDialog", "Paste a text of a few paragraphs or more here.")
        )
        self.paste.setMaximumHeight(110)
        self.bar = QProgressBar()
        self.bar.setRange(0, _PROGRESS_STEPS)
        self.bar.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.results = _table(
            (translate("QualityDialog", "Measure"), translate("QualityDialog", "Value"))
        )
        self.results.horizontalHeader().hide()
        self.results.hide()
        self.meaning = QLabel()
        self.meaning.setWordWrap(True)
        self.meaning.setObjectName("pageText")
        self.history = _table(tuple(translate("QualityDialog", c) for c in HISTORY_COLUMNS))
        self.run_button = QPushButton(translate("QualityDialog", "Run"))
        self.run_button.setObjectName("primaryButton")
        self.cancel_button = QPushButton(translate("QualityDialog", "Cancel"))
        self.close_button = QPushButton(translate("QualityDialog", "Close"))

        form = QGridLayout()
        form.addWidget(QLabel(translate("QualityDialog", "Compare with")), 0, 0)
        form.addWidget(self.reference, 0, 1, 1, 3)
        form.addWidget(QLabel(translate("QualityDialog", "On")), 1, 0)
        form.addWidget(self.conversations, 1, 1)
        form.addWidget(self.from_file, 1, 2)
        form.addWidget(self.pasted, 1, 3)
        form.addWidget(self.file_label, 2, 1, 1, 3)
        form.addWidget(self.reference_note, 3, 1, 1, 3)
        form.setColumnStretch(3, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        earlier = QLabel(translate("QualityDialog", "Measurements of this model"))
        earlier.setObjectName("sectionTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.paste)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)
        layout.addWidget(self.results)
        layout.addWidget(self.meaning)
        layout.addWidget(earlier)
        layout.addWidget(self.history, 1)
        self.resize(760, 600)

        self.from_file.clicked.connect(self._pick_file)
        self.sources.buttonToggled.connect(lambda *_: self._update_buttons())
        self.paste.textChanged.connect(self._update_buttons)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.job.cancel)
        self.close_button.clicked.connect(self.reject)

    def _fill_references(self, library: list[LibraryModel]) -> None:
        """Its lineage source first (when still on disk), then the other models, then
        itself (a check: the figures must say "identical")."""
        lineage = read_lineage(self.model)
        source = Path(lineage.source) if lineage is not None else None
        if source is not None and source.is_file():
            self.reference.addItem(
                translate("QualityDialog", "{model} (its source)").format(model=source.name),
                source,
            )
        for model in library:
            if model.info is not None and model.path not in (self.model, source):
                self.reference.addItem(f"{model.name} ({model.info.quantization})", model.path)
        itself = translate("QualityDialog", "{model} (itself: a check)")
        self.reference.addItem(itself.format(model=self.model.name), self.model)

    def _fill_remotes(self, remotes: Sequence[tuple[RemoteReference, bool]]) -> None:
        """The remote models that can be references, and why the others cannot."""
        refused = []
        for reference, usable in remotes:
            if usable:
                remote = translate("QualityDialog", "{model} (remote)")
                self.reference.addItem(remote.format(model=reference.name), reference)
            else:
                refused.append(reference.name)
        refused_note = translate("QualityDialog", "Not offered as references: {models}: {why}.")
        self._refused = (
            refused_note.format(models=", ".join(refused), why=NO_LOGPROBS) if refused else ""
        )
        self._show_reference_note()

    def _show_reference_note(self) -> None:
        remote = isinstance(self.reference.currentData(), RemoteReference)
        notes = [translate("QualityDialog", TOP_K_NOTE)] if remote else []
        notes += [self._refused] if self._refused else []
        self.reference_note.setText("\n".join(notes))
        self.reference_note.setVisible(bool(notes))

    # Running -------------------------------------------------------------------------

    def _pick_file(self) -> None:
        filename, _filter = QFileDialog.getOpenFileName(
            self,
            translate("QualityDialog", "Measure on a text file"),
            str(Path.home()),
            translate("QualityDialog", "Text (*.txt *.md);;All files (*)"),
        )
        if filename:
            self.set_text_file(Path(filename))

    def set_text_file(self, path: Path) -> None:
        """Measure on the text of ``path``."""
        self.text_file = path
        self.from_file.setChecked(True)
        self.file_label.setText(str(path))

    def _text(self) -> tuple[TextSource, str] | None:
        """The chosen text (read on the worker) and its description, or None if incomplete."""
        if self.conversations.isChecked():
            return stored_conversations(self.database), YOUR_CONVERSATIONS
        if self.from_file.isChecked():
            path = self.text_file
            return (file_text(path), f"file {path.name}") if path is not None else None
        pasted = self.paste.toPlainText()
        return ((lambda: pasted), PASTED_TEXT) if pasted.strip() else None

    def _update_buttons(self) -> None:
        running = self.job.running
        self.paste.setVisible(self.pasted.isChecked())
        self.file_label.setVisible(self.from_file.isChecked())
        self.run_button.setVisible(not running)
        self.run_button.setEnabled(not running and self._text() is not None)
        self.cancel_button.setVisible(running)
        for widget in (self.reference, self.conversations, self.from_file, self.pasted):
            widget.setEnabled(not running)

    def run(self) -> None:
        """Start the measurement with the chosen reference and text."""
        text = self._text()
        if text is None or self.job.running:
            return
        self.job.start(self.model, self.reference.currentData(), *text)
        self.bar.setValue(0)
        self.bar.show()
        self.status.setStyleSheet("")
        remote = isinstance(self.reference.currentData(), RemoteReference)
        self.status.setText(
            translate("QualityDialog", "Measuring… (one request to the server per token)")
            if remote
            else translate("QualityDialog", "Measuring… (both models are loaded at once)")
        )
        self._update_buttons()

    def _on_finished(self, saved: SavedReport) -> None:
        self.bar.hide()
        measured = translate("QualityDialog", "Measured on {text} in {seconds:.1f} s.")
        self.status.setText(
            measured.format(
                text=translate("QualityDialog", saved.text_source), seconds=saved.report.seconds
            )
        )
        self.show_report(saved.report)
        self._show_history()
        self._update_buttons()
        self.measured.emit(saved)
        self._close_if_asked()

    def _on_stopped(self, message: str, *, error: bool) -> None:
        self.bar.hide()
        self.status.setText(message)
        self.status.setStyleSheet(f"color: {current().danger_text}" if error else "")
        self._update_buttons()
        self._close_if_asked()

    # Results -------------------------------------------------------------------------

    def show_report(self, report: QualityReport) -> None:
        """Show ``report``'s figures and what they mean."""
        _fill(self.results, list(result_rows(report)))
        self.results.show()
        self.results.setFixedHeight(
            self.results.verticalHeader().length() + 2 * self.results.frameWidth()
        )
        self.meaning.setText(interpret(report))

    def _show_history(self) -> None:
        rows = [
            (
                saved.date.replace("T", " ")[:16],
                reference_name(saved.report),
                translate("QualityDialog", saved.text_source),
                f"{saved.report.kl_divergence:.4f}",
                f"{saved.report.top1_agreement:.1%}",
                translate("QualityDialog", "{model:.2f} vs {reference:.2f}").format(
                    model=saved.report.perplexity, reference=saved.report.reference_perplexity
                ),
            )
            for saved in reports_for(self.model, load_reports())
        ]
        _fill(self.history, rows)
