"""The Models page: the catalog, a repository's variants with their fit for this computer,
the downloads and the library.

Listing a repository, reading headers and copying a file run on a `JobRunner`; downloads on
the `DownloadManager`'s thread. The page never waits on the network or the disk.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.arena import Recommendation, recommendation_for
from llamadesk.core.catalog import (
    SIZE_RANGES,
    CatalogEntry,
    CatalogLoad,
    Variant,
    families,
    recommend_entry,
    search_catalog,
)
from llamadesk.core.downloads import DownloadError
from llamadesk.core.engine import SINGLE_THREAD_PARAMETERS, default_threads
from llamadesk.core.hub_listing import (
    RepoListing,
    estimated_variants,
    fetch_listing,
    judge_variants,
    listing_failure,
    quality_cost,
    variant_traffic,
)
from llamadesk.core.library import (
    LibraryError,
    LibraryModel,
    delete_model,
    format_parameters,
    import_model,
    scan_library,
)
from llamadesk.core.memory import FitLevel, FitVerdict, SystemMemory, format_size
from llamadesk.core.paths import app_paths
from llamadesk.core.quants import QUANTIZATION_EXPLAINED, describe_bits
from llamadesk.core.remote_evaluate import RemoteReference
from llamadesk.core.speed import GPU_UNKNOWN, SpeedContext, load_speed_context
from llamadesk.services.background import JobRunner, unexpected_failure
from llamadesk.services.downloads import DownloadManager
from llamadesk.services.quantize_job import CancellableJob
from llamadesk.ui.library_panel import DownloadsPanel, LibraryPanel
from llamadesk.ui.palette import current, fit_colours
from llamadesk.ui.quality_dialog import QualityDialog
from llamadesk.ui.quantize_dialog import QuantizeDialog
from llamadesk.ui.train_view import TrainDialog
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, plural, translate
from llamadesk.ui.widgets import Banner, confirm

CONTEXT_CHOICES = (2048, 4096, 8192, 16384, 32768, 131072)
DEFAULT_CONTEXT = 4096  # when the settings name none of the choices (0: the model's own)
RECOMMENDED = QT_TRANSLATE_NOOP("ModelsView", "★ Recommended for this computer")
VARIANT_COLUMNS = (
    QT_TRANSLATE_NOOP("VariantsTable", "Quantization"),
    QT_TRANSLATE_NOOP("VariantsTable", "Bits/weight"),
    QT_TRANSLATE_NOOP("VariantsTable", "File size"),
    QT_TRANSLATE_NOOP("VariantsTable", "Quality cost"),
    QT_TRANSLATE_NOOP("VariantsTable", "Fit"),
    QT_TRANSLATE_NOOP("VariantsTable", "Speed"),
    "",
)
_FIT_COLUMN, _SPEED_COLUMN, _MARK_COLUMN = 4, 5, 6
MEASURING = QT_TRANSLATE_NOOP("ModelsView", "measuring this computer…")
DialogT = TypeVar("DialogT", bound=QDialog)


def _error_html(message: str) -> str:
    return f"<span style='color:{current().danger_text}'>{escape(message, quote=False)}</span>"


def _fit_colours(level: FitLevel) -> tuple[str, str]:
    """A fit verdict's background and text colour, in the theme's palette."""
    return fit_colours(current())[level.name.lower()]


_REASONING_TEXT = {
    "tags": QT_TRANSLATE_NOOP("ModelsView", "thinks before answering"),
    "prefilled": QT_TRANSLATE_NOOP("ModelsView", "thinks before answering"),
    "harmony": QT_TRANSLATE_NOOP("ModelsView", "reasons before answering (low/medium/high)"),
    "gemma4": QT_TRANSLATE_NOOP("ModelsView", "can think before answering"),
}


def _parameters_text(entry: CatalogEntry) -> str:
    """ "8.2B", or "30.5B (3.3B active)" for a mixture of experts."""
    text = format_parameters(entry.parameters)
    if entry.mixture_of_experts:
        active = translate("ModelsView", "({n} active)")
        text += " " + active.format(n=format_parameters(entry.active_parameters))
    return text


class CatalogPane(QWidget):
    """Search and filters over the catalog, and a box to open any repository.

    Signals:
        entry_chosen(CatalogEntry): a catalog entry was picked.
        repo_chosen(str): a repository id was typed and opened.
    """

    entry_chosen = Signal(object)
    repo_chosen = Signal(str)

    def __init__(self, entries: tuple[CatalogEntry, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.entries = entries
        self.recommended: CatalogEntry | None = None  # marked in the list
        self.search = QLineEdit()
        self.search.setPlaceholderText(translate("CatalogPane", "Search models"))
        self.search.setClearButtonEnabled(True)
        self.family = QComboBox()
        self.family.addItem(translate("CatalogPane", "All families"), None)
        for family in families(entries):
            self.family.addItem(family, family)
        self.size_filter = QComboBox()
        self.size_filter.addItem(translate("CatalogPane", "All sizes"), None)
        for label, low, high in SIZE_RANGES:
            self.size_filter.addItem(label, (low, high))
        self.list = QListWidget()
        self.list.setObjectName("conversationList")
        self.repo = QLineEdit()
        self.repo.setPlaceholderText(translate("CatalogPane", "owner/name"))
        open_button = QPushButton(translate("CatalogPane", "Open"))
        self.search.textChanged.connect(lambda _text: self.refresh())
        self.family.currentIndexChanged.connect(lambda _index: self.refresh())
        self.size_filter.currentIndexChanged.connect(lambda _index: self.refresh())
        self.list.currentItemChanged.connect(self._on_current)
        self.repo.returnPressed.connect(self._open_repo)
        open_button.clicked.connect(self._open_repo)
        filters = QHBoxLayout()
        filters.addWidget(self.family)
        filters.addWidget(self.size_filter)
        repo_row = QHBoxLayout()
        repo_row.addWidget(self.repo, 1)
        repo_row.addWidget(open_button)
        open_label = QLabel(translate("CatalogPane", "Open any repository"))
        open_label.setObjectName("sectionTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.list, 1)
        layout.addWidget(open_label)
        layout.addLayout(repo_row)
        self.refresh()

    def refresh(self) -> None:
        size = self.size_filter.currentData()
        low, high = size if size else (0, None)
        shown = search_catalog(
            self.entries,
            self.search.text(),
            family=self.family.currentData(),
            min_parameters=low,
            max_parameters=high,
        )
        self.list.clear()
        for entry in shown:
            item = QListWidgetItem(f"{entry.name}\n{entry.family}  ·  {_parameters_text(entry)}")
            item.setData(Qt.ItemDataRole.UserRole, entry)
            item.setToolTip(entry.description)
            if entry == self.recommended:
                item.setText(f"{item.text()}\n{translate('ModelsView', RECOMMENDED)}")
                item.setBackground(QBrush(QColor(_fit_colours(FitLevel.FITS)[0])))
            self.list.addItem(item)

    def set_recommended(self, entry: CatalogEntry | None) -> None:
        if entry != self.recommended:
            self.recommended = entry
            self.refresh()

    def select(self, entry_id: str) -> None:
        """Pick the entry with this id, as a click would."""
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole).id == entry_id:
                self.list.setCurrentRow(row)

    def _on_current(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is not None:
            self.entry_chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def _open_repo(self) -> None:
        text = self.repo.text().strip()
        if text:
            self.list.setCurrentRow(-1)
            self.repo_chosen.emit(text)


class VariantsTable(QTableWidget):
    """A repository's variants with their cost and fit; one row may be the recommended one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(VARIANT_COLUMNS), parent)
        self.variants: list[Variant] = []
        self.verdicts: list[FitVerdict] = []
        self._parameters = 0
        self.setHorizontalHeaderLabels([translate("VariantsTable", c) for c in VARIANT_COLUMNS])
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.setShowGrid(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

    def set_variants(
        self,
        variants: list[Variant],
        verdicts: list[FitVerdict],
        recommended: Variant | None,
        speeds: list[str] | None = None,
        parameters: int = 0,
        mark: str = RECOMMENDED,
    ) -> None:
        """Show ``variants``; ``speeds`` holds each one's predicted speed, in words, and
        ``parameters`` the model's weights where known (for the hub's levels that publish no
        bits per weight, the file's own are shown). ``mark`` says why ``recommended`` is."""
        self.variants, self.verdicts = variants, verdicts
        self._parameters = parameters
        self.setRowCount(len(variants))
        shown_speeds = speeds or [translate("ModelsView", MEASURING)] * len(variants)
        rows = zip(variants, verdicts, shown_speeds, strict=True)
        for row, (variant, verdict, speed) in enumerate(rows):
            self._fill(row, variant, verdict, mark if variant == recommended else "", speed)

    def _fill(self, row: int, variant: Variant, verdict: FitVerdict, mark: str, speed: str) -> None:
        size = format_size(variant.size)
        if variant.split:
            size = translate("VariantsTable", "{size} in {n} parts")
            size = size.format(size=format_size(variant.size), n=len(variant.files))
        cells = (
            variant.quant_label or variant.name,
            self._bits(variant),
            translate("VariantsTable", "≈ {size} (estimate)").format(size=size)
            if variant.estimated
            else size,
            quality_cost(variant),
            translate("Memory", verdict.level.label),
            speed,
            translate("ModelsView", mark),
        )
        items = [QTableWidgetItem(text) for text in cells]
        for column, item in enumerate(items):
            item.setToolTip(verdict.explain())
            self.setItem(row, column, item)
        fit = items[_FIT_COLUMN]
        background, text = _fit_colours(verdict.level)
        fit.setBackground(QBrush(QColor(background)))
        fit.setForeground(QBrush(QColor(text)))
        if mark:
            marked = items[_MARK_COLUMN]
            font = QFont(marked.font())
            font.setBold(True)
            marked.setFont(font)
            marked.setForeground(QBrush(QColor(_fit_colours(FitLevel.FITS)[1])))

    def _bits(self, variant: Variant) -> str:
        level = variant.level
        if level is not None and level.bits_per_weight is None and self._parameters:
            return f"{variant.size * 8 / self._parameters:.2f}"
        return describe_bits(level) if level else "?"

    def selected_row(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        return rows[0].row() if rows else None


class ModelsView(QWidget):
    """The whole Models page.

    Args:
        catalog: the loaded catalog; its problems show in a banner.
        downloads: the download queue (its ``endpoint`` is used for listings too).
        models_dir, cache_dir: the app's models and cache folders.
        hf_cache_dir: the Hugging Face cache to list; None: its usual place.
        system_memory: how to read this computer's memory (tests give fixed figures).

    Signals:
        chat_requested(Path): the user wants to chat with this model file.
        models_changed(): a model was downloaded, imported or deleted.
        duel_requested(Path): the user wants this tuned model (an adapter) to duel its base.
    """

    chat_requested = Signal(object)
    models_changed = Signal()
    duel_requested = Signal(object)

    def __init__(
        self,
        catalog: CatalogLoad,
        downloads: DownloadManager,
        models_dir: Path,
        cache_dir: Path,
        *,
        hf_cache_dir: Path | None = None,
        system_memory: Callable[[], SystemMemory] = SystemMemory.probe,
        n_ctx: int = DEFAULT_CONTEXT,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("modelsView")
        self.downloads = downloads
        self.models_dir = models_dir
        self.cache_dir = cache_dir
        self.hf_cache_dir = hf_cache_dir
        self.system_memory = system_memory
        self.runner = JobRunner(max_threads=2, parent=self)
        # Quantizations and measurements: long, and each heavy on memory, so one at a time
        # and apart from the quick jobs above (a library refresh must not wait behind them).
        self.long_runner = JobRunner(max_threads=1, parent=self)
        self.database: Path | None = None  # the chat history, for "My conversations"
        # Models on servers as quality references, each with whether it can be one.
        self.remote_references: Callable[[], list[tuple[RemoteReference, bool]]] = list
        self._select_after_refresh: Path | None = None
        self.entry: CatalogEntry | None = None
        self.listing: RepoListing | None = None
        # Bandwidth and corrections, read in the background; None until they arrive.
        self.speed: SpeedContext | None = None
        self._wanted_repo = ""  # the repository whose listing should show when it arrives
        # The quant arena's recommendations by model: where the user's own duels name a
        # level, it replaces the catalog's pick for that model's variants.
        self.duel_recommendations: dict[str, Recommendation] = {}
        self._build(catalog, n_ctx)
        self._connect()
        self.refresh_library()

    # Assembly ------------------------------------------------------------------------

    def _build(self, catalog: CatalogLoad, n_ctx: int) -> None:
        self.banner = Banner()
        if catalog.problems:
            self.banner.show_message(" ".join(catalog.problems), "warning")
        self.catalog = CatalogPane(catalog.entries)
        self.title = QLabel(translate("ModelsView", "Pick a model"))
        self.title.setObjectName("pageTitle")
        self.about = QLabel(translate("Quants", QUANTIZATION_EXPLAINED))
        self.about.setObjectName("pageText")
        self.about.setWordWrap(True)
        self.context = QComboBox()
        for tokens in CONTEXT_CHOICES:
            self.context.addItem(translate("ModelsView", "{n:,} tokens").format(n=tokens), tokens)
        index = self.context.findData(n_ctx)
        self.context.setCurrentIndex(
            index if index >= 0 else self.context.findData(DEFAULT_CONTEXT)
        )
        self.catalog.set_recommended(self._recommend())
        self.status = QLabel()
        self.status.setObjectName("pageText")
        self.status.setWordWrap(True)
        self.variants = VariantsTable()
        self.details = QLabel(
            translate(
                "ModelsView", "Hover over a variant, or select it, for how its fit is worked out."
            )
        )
        self.details.setObjectName("pageText")
        self.details.setWordWrap(True)
        self.download_button = QPushButton(translate("ModelsView", "Download"))
        self.download_button.setObjectName("primaryButton")
        self.download_button.setEnabled(False)
        self.downloads_panel = DownloadsPanel(self.downloads)
        self.library = LibraryPanel()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.downloads_panel, translate("ModelsView", "Downloads"))
        self.tabs.addTab(self.library, translate("ModelsView", "Library"))
        self.tabs.setCurrentWidget(self.library)

        context_row = QHBoxLayout()
        context_row.addWidget(QLabel(translate("ModelsView", "Context length")))
        context_row.addWidget(self.context)
        context_row.addWidget(self.status, 1)
        action_row = QHBoxLayout()
        action_row.addWidget(self.details, 1)
        action_row.addWidget(self.download_button, 0, Qt.AlignmentFlag.AlignTop)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(16, 12, 16, 4)
        top_layout.addWidget(self.title)
        top_layout.addWidget(self.about)
        top_layout.addLayout(context_row)
        top_layout.addWidget(self.variants, 1)
        top_layout.addLayout(action_row)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(top)
        right.addWidget(self.tabs)
        right.setSizes([480, 260])
        right.setChildrenCollapsible(False)
        right.setObjectName("modelsDetailsSplitter")  # the window remembers it by name
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.catalog)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 900])
        splitter.setChildrenCollapsible(False)
        splitter.setObjectName("modelsSplitter")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

    def _connect(self) -> None:
        self.catalog.entry_chosen.connect(self.open_entry)
        self.catalog.repo_chosen.connect(self.open_repo)
        self.context.currentIndexChanged.connect(lambda _index: self._show_variants())
        self.variants.itemSelectionChanged.connect(self._on_variant_selected)
        self.variants.doubleClicked.connect(lambda _index: self.download_selected())
        self.download_button.clicked.connect(self.download_selected)
        self.downloads_panel.chat_requested.connect(self.chat_requested)
        self.library.chat_requested.connect(self.chat_requested)
        self.library.import_requested.connect(self._ask_import)
        self.library.delete_requested.connect(self._delete)
        self.library.quantize_requested.connect(self.open_quantize)
        self.library.measure_requested.connect(self.open_quality)
        self.library.train_requested.connect(self.open_train)
        self.downloads.finished.connect(self._on_download_finished)
        self.downloads.failed.connect(self._on_download_failed)
        self.downloads.job_added.connect(
            lambda _key: self.tabs.setCurrentWidget(self.downloads_panel)
        )

    # Variants ------------------------------------------------------------------------

    def open_entry(self, entry: CatalogEntry) -> None:
        """Show a catalog entry and list its variants."""
        self.entry = entry
        self.title.setText(entry.name)
        facts = [
            entry.repo,
            translate("ModelsView", "{n} parameters").format(n=_parameters_text(entry)),
            entry.architecture,
            translate("ModelsView", "up to {n:,} tokens of context").format(n=entry.context_length),
            entry.license,
            *(
                (translate("ModelsView", _REASONING_TEXT[entry.reasoning]),)
                if entry.reasoning != "none"
                else ()
            ),
            *((translate("ModelsView", "reads images"),) if entry.vision else ()),
            *(
                (translate("ModelsView", "gated: needs a Hugging Face login"),)
                if entry.gated
                else ()
            ),
        ]
        note = f"<br><i>{entry.note}</i>" if entry.note else ""
        self.about.setText(
            f"{entry.description}<br><span style='color:{current().text_subtle}'>"
            f"{'  ·  '.join(facts)}{note}</span>"
        )
        self._list(entry.repo)

    def _recommend(self) -> CatalogEntry | None:
        # Estimated from the catalog alone (no listing needed): a moment's arithmetic.
        entries = self.catalog.entries
        return recommend_entry(entries, self.system_memory(), self.context.currentData())

    def show_recommended(self) -> None:
        """Pick the catalog's model for this computer (the filters cleared so it shows)."""
        recommended = self._recommend()
        self.catalog.set_recommended(recommended)
        if recommended is None:
            self.status.setText(
                translate(
                    "ModelsView",
                    "No model in the catalog fits this computer's free memory comfortably.",
                )
            )
            return
        self.catalog.search.clear()
        self.catalog.family.setCurrentIndex(0)
        self.catalog.size_filter.setCurrentIndex(0)
        self.catalog.select(recommended.id)

    def open_repo(self, repo: str) -> None:
        """Show the variants of any repository (outside the catalog)."""
        self.entry = None
        self.title.setText(repo)
        self.about.setText(
            translate(
                "ModelsView",
                "Not in the catalog: the fit counts the file only, not the memory its context "
                "takes, which LlamaDesk learns once the file is here.",
            )
        )
        self._list(repo)

    def _list(self, repo: str) -> None:
        self.listing = None
        self._wanted_repo = repo
        self.variants.set_variants([], [], None)
        self.download_button.setEnabled(False)
        self.status.setText(translate("ModelsView", "Listing {repo}…").format(repo=repo))
        endpoint = self.downloads.endpoint
        job = self.runner.start(lambda: fetch_listing(repo, self.cache_dir, endpoint=endpoint))
        job.finished.connect(self._on_listed)
        job.failed.connect(lambda error: self._on_list_failed(repo, error))
        self._load_speed()

    def _load_speed(self) -> None:
        """Read the bandwidth (measured the first time) and the corrections the answers so far
        teach, in the background: they change as the user chats, so on each listing."""
        paths = app_paths()
        database = self.database or paths.database
        folders = (self.models_dir, *((self.hf_cache_dir,) if self.hf_cache_dir else ()))
        threads = default_threads(SINGLE_THREAD_PARAMETERS)  # one per physical core
        # Once per session the bandwidth is measured again, the better figure kept.
        remeasure = self.speed is None
        job = self.runner.start(
            lambda: load_speed_context(paths.data, database, folders, threads, remeasure=remeasure)
        )
        job.finished.connect(self._on_speed)

    def _on_speed(self, speed: SpeedContext) -> None:
        self.speed = speed
        self._show_variants()

    def _on_listed(self, listing: RepoListing) -> None:
        if listing.repo != self._wanted_repo:
            return  # the user moved on to another model meanwhile
        self.listing = listing
        self._show_variants()

    def _on_list_failed(self, repo: str, error: Exception) -> None:
        if repo != self._wanted_repo:
            return
        if not isinstance(error, DownloadError):
            unexpected = unexpected_failure(error, f"Listing {repo}")
            self.status.setText(_error_html(unexpected))
            return
        message = listing_failure(error, self.entry)
        if self.entry is None or not error.resumable:
            self.status.setText(_error_html(message))
            return
        # The hub is out of reach: what the common levels would take, marked as estimates.
        variants = tuple(estimated_variants(self.entry))
        self.listing = RepoListing(repo, variants, datetime.now(timezone.utc), message)
        self._show_variants()

    def _show_error(self, message: str) -> None:
        self.status.setText(
            f"<span style='color:{current().danger_text}'>{escape(message, quote=False)}</span>"
        )

    def _show_variants(self) -> None:
        listing = self.listing
        if listing is None:
            return
        variants = list(listing.variants)
        verdicts, recommended = judge_variants(
            self.entry, variants, self.system_memory(), self.context.currentData()
        )
        parameters = self.entry.parameters if self.entry else 0
        mark = RECOMMENDED
        from_duels = self._duel_pick(variants)
        if from_duels is not None:
            recommended, mark = from_duels
        self.variants.set_variants(
            variants, verdicts, recommended, self._speeds(variants), parameters, mark
        )
        self.status.setText(self._listing_status(listing, variants, recommended))
        if recommended is not None:
            self.variants.selectRow(variants.index(recommended))

    def set_duel_recommendations(self, recommendations: dict[str, Recommendation]) -> None:
        """The quant arena's latest recommendations, by model (`ArenaState`)."""
        self.duel_recommendations = recommendations
        self._show_variants()

    def _duel_pick(self, variants: list[Variant]) -> tuple[Variant, str] | None:
        """The variant the user's duels recommend for this model, with its mark; None where
        they name no level, or one this repository does not have."""
        names = (variant.files[0].path.rsplit("/", 1)[-1] for variant in variants)
        found = recommendation_for(self.duel_recommendations, names)
        if found is None or found.level is None:
            return None
        wanted = found.level.level
        chosen = [v for v in variants if v.level is not None and v.level.name == wanted]
        return (chosen[0], found.from_your_duels) if chosen else None

    def _speeds(self, variants: list[Variant]) -> list[str] | None:
        """Each variant's predicted speed on this computer, or None while measuring."""
        speed = self.speed
        if speed is None:
            return None
        architecture = self.entry.architecture if self.entry else ""
        return [
            speed.describe(
                variant_traffic(self.entry, variant),
                architecture,
                variant.quant_label or "",
                variant.files[0].path.rsplit("/", 1)[-1],
            )
            for variant in variants
        ]

    def _listing_status(
        self, listing: RepoListing, variants: list[Variant], recommended: Variant | None
    ) -> str:
        if not variants:
            return translate("ModelsView", "This repository has no GGUF files LlamaDesk can use.")
        if variants[0].estimated:
            return translate(
                "ModelsView",
                "<b>Estimates</b>: {reason} Until the real list arrives, sizes are worked out "
                "as parameters × bits per weight ÷ 8, and fit and speed from those.",
            ).format(reason=listing.offline_reason)
        parts = [
            plural(
                len(variants),
                translate("ModelsView", "{n} variant"),
                translate("ModelsView", "{n} variants"),
            )
        ]
        if recommended is None:
            parts.append(
                translate(
                    "ModelsView", "none fits this computer comfortably at this context length"
                )
            )
        if listing.offline:
            parts.append(f"<b>{listing.describe_age()}</b> ({listing.offline_reason})")
        if self.speed is not None and self.system_memory().gpu is not None:
            parts.append(GPU_UNKNOWN)
        return "  ·  ".join(parts)

    def _on_variant_selected(self) -> None:
        row = self.variants.selected_row()
        variant = self.variants.variants[row] if row is not None else None
        self.download_button.setEnabled(variant is not None and not variant.estimated)
        if row is None or variant is None:
            return
        verdict = self.variants.verdicts[row]
        download = translate("ModelsView", "Download {variant}")
        self.download_button.setText(download.format(variant=variant.quant_label or variant.name))
        label = translate("Memory", verdict.level.label)
        self.details.setText(f"<b>{label}.</b> {verdict.explain()}")

    def download_selected(self) -> None:
        """Queue the selected variant's file(s)."""
        row = self.variants.selected_row()
        if row is None:
            return
        variant = self.variants.variants[row]
        if variant.estimated:
            return  # an estimate while offline: there is no such file to fetch
        try:
            for file in variant.files:
                self.downloads.add(variant.repo, file.path, sha256=file.sha256, size=file.size)
        except DownloadError as error:
            self.banner.show_message(str(error))

    def _on_download_finished(self, _key: str, _path: Path) -> None:
        self.refresh_library()
        self.models_changed.emit()

    def _on_download_failed(self, _key: str, message: str) -> None:
        self.banner.show_message(message)

    # Library -------------------------------------------------------------------------

    def refresh_library(self) -> None:
        """Read the models on disk again, in the background."""
        job = self.runner.start(scan_library, self.models_dir, self.hf_cache_dir)
        job.finished.connect(self._on_library)
        job.failed.connect(
            lambda error: self.library.status.setText(
                unexpected_failure(error, "Listing the models on disk")
            )
        )

    def _on_library(self, models: list[LibraryModel]) -> None:
        self.library.set_models(models)
        if self._select_after_refresh is not None:
            self.library.table.select_path(self._select_after_refresh)
            self._select_after_refresh = None
        count = len(models)
        library = translate("ModelsView", "Library ({n})").format(n=count)
        self.tabs.setTabText(self.tabs.indexOf(self.library), library)

    def _ask_import(self) -> None:
        filename, _filter = QFileDialog.getOpenFileName(
            self,
            translate("ModelsView", "Import a GGUF model"),
            str(Path.home()),
            translate("ModelsView", "GGUF models (*.gguf);;All files (*)"),
        )
        if not filename:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            translate("ModelsView", "Import a model"),
            translate(
                "ModelsView",
                "Copy the file into LlamaDesk's models folder, or link to it where it is? "
                "A link takes no space, but the model is gone if the file is moved.",
            ),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        copy = box.addButton(translate("ModelsView", "Copy"), QMessageBox.ButtonRole.AcceptRole)
        link = box.addButton(translate("ModelsView", "Link"), QMessageBox.ButtonRole.AcceptRole)
        box.exec()
        if box.clickedButton() in (copy, link):
            self.import_file(Path(filename), link=box.clickedButton() is link)

    def import_file(self, source: Path, *, link: bool = False) -> None:
        """Check and copy (or link) ``source`` into the models folder, in the background."""
        self.library.status.setText(
            translate("ModelsView", "Importing {name}…").format(name=source.name)
        )
        job = self.runner.start(lambda: import_model(source, self.models_dir, link=link))
        job.finished.connect(self._on_imported)
        job.failed.connect(self._on_import_failed)

    def _on_imported(self, path: Path) -> None:
        self.library.status.setText(
            translate("ModelsView", "Imported {name}.").format(name=path.name)
        )
        self.refresh_library()
        self.models_changed.emit()

    def _on_import_failed(self, error: Exception) -> None:
        self.library.status.setText("")
        if isinstance(error, LibraryError):
            self.banner.show_message(str(error))
        else:
            self.banner.show_message(unexpected_failure(error, "The import"))

    def _delete(self, model: LibraryModel) -> None:
        question = (
            translate(
                "ModelsView", "Delete {name} ({size}) from the disk? This cannot be undone."
            ).format(name=model.name, size=format_size(model.info.file_size))
            if model.info
            else translate(
                "ModelsView", "Delete {name} from the disk? This cannot be undone."
            ).format(name=model.name)
        )
        if not confirm(
            self,
            translate("ModelsView", "Delete the model?"),
            question,
            translate("ModelsView", "Delete"),
        ):
            return
        try:
            delete_model(model.path)
        except LibraryError as error:
            self.banner.show_message(str(error))
        self.refresh_library()
        self.models_changed.emit()

    # Quantize and measure --------------------------------------------------------------

    def open_quantize(self, source: Path) -> QuantizeDialog:
        """Open the dialog that quantizes ``source`` (not modal: the app goes on meanwhile)."""
        dialog = QuantizeDialog(
            source, self.long_runner, self.system_memory, self.context.currentData(), self
        )
        dialog.quantized.connect(self._on_quantized)
        return self._show_dialog(dialog)

    def open_quality(self, model: Path) -> QualityDialog:
        """Open the dialog that measures ``model`` against a reference."""
        database = self.database or app_paths().database
        dialog = QualityDialog(
            model,
            self.library.table.models,
            database,
            self.long_runner,
            self,
            remotes=self.remote_references(),
        )
        return self._show_dialog(dialog)

    def open_train(self, model: Path) -> TrainDialog:
        """Open "Teach this model": train an adapter on the ratings given on ``model``."""
        database = self.database or app_paths().database
        dialog = TrainDialog(model, self.long_runner, database, self)
        dialog.trained.connect(lambda _path: self.refresh_library())
        dialog.trained.connect(lambda _path: self.models_changed.emit())
        dialog.duel_requested.connect(self.duel_requested)
        return self._show_dialog(dialog)

    def _show_dialog(self, dialog: DialogT) -> DialogT:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _on_quantized(self, path: Path) -> None:
        self._select_after_refresh = path
        self.refresh_library()
        self.models_changed.emit()

    def shutdown(self) -> None:
        """Cancel a running quantization or measurement and wait for every job to end."""
        for job in self.findChildren(CancellableJob):
            job.cancel()
        self.long_runner.wait_for_all()
        self.runner.wait_for_all()
