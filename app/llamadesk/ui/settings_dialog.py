"""Inference settings: how a model loads and answers, and what one conversation overrides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.engine import EngineError, LoadSettings, SamplingParams
from llamadesk.core.gguf_info import GGUFInfo
from llamadesk.core.options import (
    FLASH_ATTN,
    GPU_LAYERS_AUTO,
    KV_CACHE_TYPE,
    N_BATCH,
    N_CTX,
    N_GPU_LAYERS,
    N_THREADS,
    SAMPLING_OPTIONS,
    USE_MLOCK,
    USE_MMAP,
)
from llamadesk.core.settings import ModelDefaults, sampling_for
from llamadesk.ui.option_widgets import editor_value, make_editor, option_label
from llamadesk.ui.theme import THEME_LABELS
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate

GPU_CHOICES = (
    (QT_TRANSLATE_NOOP("LoadForm", "Auto: as many as fit"), GPU_LAYERS_AUTO),
    (QT_TRANSLATE_NOOP("LoadForm", "None (CPU)"), 0),
    (QT_TRANSLATE_NOOP("LoadForm", "All"), -1),
)


class SamplingForm(QWidget):
    """System prompt and the sampling settings, one editor per declared option."""

    def __init__(self, values: SamplingParams, system_prompt: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.system_prompt = QPlainTextEdit(system_prompt)
        self.system_prompt.setPlaceholderText(
            translate("SamplingForm", "e.g. You are a concise assistant.")
        )
        self.system_prompt.setFixedHeight(64)
        self.editors = {o.name: make_editor(o, getattr(values, o.name)) for o in SAMPLING_OPTIONS}
        form = QFormLayout(self)
        form.addRow(translate("SamplingForm", "System prompt"), self.system_prompt)
        for option in SAMPLING_OPTIONS:
            form.addRow(option_label(option), self.editors[option.name])

    def values(self) -> SamplingParams:
        return SamplingParams(
            **{o.name: editor_value(o, self.editors[o.name]) for o in SAMPLING_OPTIONS}
        )


class LoadForm(QWidget):
    """How the model is loaded; changes apply when it loads again."""

    def __init__(
        self,
        values: LoadSettings,
        info: GGUFInfo | None,
        backend: str,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.trained = info.context_length if info else 0
        n_ctx = make_editor(N_CTX, values.n_ctx)
        assert isinstance(n_ctx, QSpinBox)  # a whole number's editor
        self.n_ctx = n_ctx
        self.n_ctx.valueChanged.connect(self._check_context)
        self.context_warning = QLabel()
        self.context_warning.setObjectName("warningText")
        self.context_warning.setWordWrap(True)
        self.n_threads = make_editor(N_THREADS, values.n_threads)
        self.n_batch = make_editor(N_BATCH, values.n_batch)
        self.gpu = QComboBox()
        for label, value in GPU_CHOICES:
            self.gpu.addItem(translate("LoadForm", label), value)
        self.gpu.addItem(translate("LoadForm", "This many layers:"), "count")
        self.gpu_count = QSpinBox()  # the counts only: the special values are the choices
        self.gpu_count.setRange(int(N_GPU_LAYERS.minimum or 1), int(N_GPU_LAYERS.maximum or 1))
        self.gpu_count.setValue(max(values.n_gpu_layers, 1))
        preset = self.gpu.findData(values.n_gpu_layers)
        self.gpu.setCurrentIndex(preset if preset >= 0 else self.gpu.count() - 1)
        self.flash_attn = make_editor(FLASH_ATTN, values.flash_attn)
        self.kv_type = make_editor(KV_CACHE_TYPE, values.kv_cache_type)
        self.use_mmap = make_editor(USE_MMAP, values.use_mmap)
        self.use_mlock = make_editor(USE_MLOCK, values.use_mlock)
        form = QFormLayout(self)
        form.addRow(
            translate("LoadForm", "{label} (tokens)").format(label=option_label(N_CTX)), self.n_ctx
        )
        form.addRow("", self.context_warning)
        form.addRow(option_label(N_THREADS), self.n_threads)
        form.addRow(option_label(N_BATCH), self.n_batch)
        form.addRow(option_label(N_GPU_LAYERS), self.gpu)
        form.addRow("", self.gpu_count)
        form.addRow(option_label(KV_CACHE_TYPE), self.kv_type)
        form.addRow("", self.flash_attn)
        form.addRow("", self.use_mmap)
        form.addRow("", self.use_mlock)
        backend_note = QLabel(backend)
        backend_note.setObjectName("emptyNote")
        backend_note.setWordWrap(True)
        form.addRow("", backend_note)
        self._check_context(self.n_ctx.value())
        # The count is asked only when "This many layers:" is the choice: a lone "1" under
        # "None (CPU)" reads as one layer on the GPU.
        self._form = form
        self.gpu.currentIndexChanged.connect(self._show_count)
        self._show_count()

    def _show_count(self) -> None:
        self._form.setRowVisible(self.gpu_count, self.gpu.currentData() == "count")

    def _check_context(self, n_ctx: int) -> None:
        too_long = bool(self.trained and n_ctx > self.trained)
        self.context_warning.setText(
            translate(
                "LoadForm",
                "Longer than the {n} tokens this model was trained on: answers past that point "
                "often lose the thread.",
            ).format(n=self.trained)
            if too_long
            else ""
        )
        self.context_warning.setVisible(too_long)

    def values(self) -> LoadSettings:
        choice = self.gpu.currentData()
        layers = self.gpu_count.value() if choice == "count" else int(choice)
        return LoadSettings(
            n_ctx=editor_value(N_CTX, self.n_ctx),
            n_threads=editor_value(N_THREADS, self.n_threads),
            n_gpu_layers=layers,
            n_batch=editor_value(N_BATCH, self.n_batch),
            flash_attn=editor_value(FLASH_ATTN, self.flash_attn),
            kv_cache_type=editor_value(KV_CACHE_TYPE, self.kv_type),
            use_mmap=editor_value(USE_MMAP, self.use_mmap),
            use_mlock=editor_value(USE_MLOCK, self.use_mlock),
        )


class ThemeChoice(QGroupBox):
    """Light, dark or as the system: one radio button each.

    Signals:
        chosen(str): another theme was picked ("system", "light", "dark").
    """

    chosen = Signal(str)

    def __init__(self, theme: str, parent: QWidget | None = None) -> None:
        super().__init__(translate("SettingsDialog", "Theme"), parent)
        self.buttons = QButtonGroup(self)
        layout = QVBoxLayout(self)
        for choice, label in THEME_LABELS.items():
            button = QRadioButton(translate("Theme", label))
            button.setProperty("choice", choice)
            button.setChecked(choice == theme)
            self.buttons.addButton(button)
            layout.addWidget(button)
        if self.buttons.checkedButton() is None:
            self.buttons.buttons()[0].setChecked(True)  # "system": an unknown one falls back
        note = QLabel(
            translate(
                "SettingsDialog",
                "“As the system” follows your desktop’s light or dark setting as it changes. "
                "The View menu’s Theme changes it too.",
            )
        )
        note.setObjectName("emptyNote")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.buttons.buttonToggled.connect(self._on_toggled)

    def choice(self) -> str:
        button = self.buttons.checkedButton()
        return str(button.property("choice")) if button is not None else "system"

    def choose(self, choice: str) -> None:
        for button in self.buttons.buttons():
            if button.property("choice") == choice:
                button.setChecked(True)

    def _on_toggled(self, button: QAbstractButton, checked: bool) -> None:
        if checked:
            self.chosen.emit(str(button.property("choice")))


class SettingsDialog(QDialog):
    """Tabs: the model's defaults, this conversation's own answers settings, and the
    app's appearance (the theme).

    After `accept()`, `model_defaults`, `conversation` and `theme` hold what the user chose;
    invalid values keep the dialog open with the reason shown. `notes` (values in
    settings.json that were invalid and replaced by their defaults) are shown above the tabs.

    Signals:
        theme_chosen(str): another theme was picked ("system", "light", "dark"): show it
            now; it is kept only if the dialog is saved.
    """

    theme_chosen = Signal(str)

    def __init__(
        self,
        model_name: str,
        defaults: ModelDefaults,
        conversation: tuple[str, dict[str, object]] | None,
        info: GGUFInfo | None,
        backend: str,
        parent: QWidget | None = None,
        notes: Sequence[str] = (),
        theme: str = "system",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("SettingsDialog", "Settings"))
        self.setMinimumWidth(560)
        self.defaults = defaults
        self.load_form = LoadForm(defaults.load, info, backend)
        self.model_form = SamplingForm(defaults.sampling, defaults.system_prompt)
        model_tab = QWidget()
        model_layout = QVBoxLayout(model_tab)
        loading = QGroupBox(
            translate("SettingsDialog", "Loading (applies when the model loads again)")
        )
        QVBoxLayout(loading).addWidget(self.load_form)
        answers = QGroupBox(translate("SettingsDialog", "Answers"))
        QVBoxLayout(answers).addWidget(self.model_form)
        model_layout.addWidget(loading)
        model_layout.addWidget(answers)
        self.tabs = QTabWidget()
        self.tabs.addTab(
            model_tab, translate("SettingsDialog", "Model: {model}").format(model=model_name)
        )
        self.chat_form: SamplingForm | None = None
        if conversation is not None:
            system, overrides = conversation
            merged = sampling_for(defaults.sampling, dict(overrides))
            self.chat_form = SamplingForm(merged, system)
            self.tabs.addTab(self.chat_form, translate("SettingsDialog", "This chat"))
        self.theme = theme
        self.theme_choice = self._add_appearance_tab(theme)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.notes = QLabel(
            translate(
                "SettingsDialog",
                "Some saved settings were invalid and were reset to their defaults:",
            )
            + "\n"
            + "\n".join(f"• {note}" for note in notes)
        )
        self.notes.setObjectName("warningText")
        self.notes.setWordWrap(True)
        self.notes.setVisible(bool(notes))
        layout = QVBoxLayout(self)
        layout.addWidget(self.notes)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.model_defaults = defaults
        self.conversation: tuple[str, dict[str, object]] | None = conversation
        self.tabs.currentChanged.connect(self._fit_tab)
        self._fit_tab(self.tabs.currentIndex())

    def _fit_tab(self, index: int) -> None:
        """Size the dialog to the tab shown: the short Appearance tab is not left as tall
        (and as empty) as the model's long form. The width stays the widest tab's."""
        shown, hidden = QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            assert page is not None  # i is below the count
            page.setSizePolicy(shown, shown if i == index else hidden)
        self.tabs.updateGeometry()
        layout = self.layout()
        assert layout is not None  # made in __init__, before the first fit
        layout.activate()  # the new size hints now, also before the dialog shows
        self.adjustSize()

    def _add_appearance_tab(self, theme: str) -> ThemeChoice:
        choice = ThemeChoice(theme)
        choice.chosen.connect(self.theme_chosen)  # shown at once, kept if saved
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(choice)
        layout.addStretch(1)
        self.tabs.addTab(tab, translate("SettingsDialog", "Appearance"))
        return choice

    def accept(self) -> None:
        chosen = ModelDefaults(
            load=self.load_form.values(),
            sampling=self.model_form.values(),
            system_prompt=self.model_form.system_prompt.toPlainText().strip(),
        )
        try:
            chosen.validate()
            if self.chat_form is not None:
                self.chat_form.values().validate()
        except EngineError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.model_defaults = chosen
        self.theme = self.theme_choice.choice()
        if self.chat_form is not None:
            # Against the defaults the tab was filled from, so an untouched chat tab keeps
            # its old overrides and follows changes made to the model's defaults.
            self.conversation = (
                self.chat_form.system_prompt.toPlainText().strip(),
                _differences(self.defaults.sampling, self.chat_form.values()),
            )
        super().accept()


def _differences(defaults: SamplingParams, chosen: SamplingParams) -> dict[str, object]:
    """The settings where `chosen` departs from the defaults: a conversation's overrides."""
    base, mine = asdict(defaults), asdict(chosen)
    return {f.name: mine[f.name] for f in fields(SamplingParams) if mine[f.name] != base[f.name]}
