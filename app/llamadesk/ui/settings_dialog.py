"""Inference settings: how a model loads and answers, and what one conversation overrides."""

from __future__ import annotations

from dataclasses import asdict, fields

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.engine import (
    GPU_LAYERS_AUTO,
    KV_CACHE_TYPES,
    MAX_CONTEXT,
    EngineError,
    LoadSettings,
    SamplingParams,
)
from llamadesk.core.gguf_info import GGUFInfo
from llamadesk.core.settings import ModelDefaults, sampling_for

GPU_CHOICES = (("Auto: as many as fit", GPU_LAYERS_AUTO), ("None (CPU)", 0), ("All", -1))


def _spin(low: int, high: int, value: int, special: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    if special:
        box.setSpecialValueText(special)  # shown for the lowest value
    return box


def _real(low: float, high: float, step: float, value: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setDecimals(2)
    box.setValue(value)
    return box


class SamplingForm(QWidget):
    """System prompt and the sampling settings."""

    def __init__(self, values: SamplingParams, system_prompt: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.system_prompt = QPlainTextEdit(system_prompt)
        self.system_prompt.setPlaceholderText("e.g. You are a concise assistant.")
        self.system_prompt.setFixedHeight(64)
        self.temperature = _real(0.0, 5.0, 0.05, values.temperature)
        self.top_p = _real(0.01, 1.0, 0.05, values.top_p)
        self.top_k = _spin(0, 1000, values.top_k, "off")
        self.min_p = _real(0.0, 1.0, 0.01, values.min_p)
        self.repeat_penalty = _real(0.01, 5.0, 0.05, values.repeat_penalty)
        self.max_tokens = _spin(1, MAX_CONTEXT, values.max_tokens)
        self.seed = _spin(-1, 2**31 - 1, values.seed, "random")
        form = QFormLayout(self)
        form.addRow("System prompt", self.system_prompt)
        form.addRow("Temperature (0 = always the likeliest word)", self.temperature)
        form.addRow("Top-p", self.top_p)
        form.addRow("Top-k", self.top_k)
        form.addRow("Min-p", self.min_p)
        form.addRow("Repeat penalty", self.repeat_penalty)
        form.addRow("Max tokens per answer", self.max_tokens)
        form.addRow("Seed", self.seed)

    def values(self) -> SamplingParams:
        return SamplingParams(
            temperature=round(self.temperature.value(), 2),
            top_p=round(self.top_p.value(), 2),
            top_k=self.top_k.value(),
            min_p=round(self.min_p.value(), 2),
            repeat_penalty=round(self.repeat_penalty.value(), 2),
            max_tokens=self.max_tokens.value(),
            seed=self.seed.value(),
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
        self.n_ctx = _spin(0, MAX_CONTEXT, values.n_ctx, "the model's own (up to 4096)")
        self.n_ctx.valueChanged.connect(self._check_context)
        self.context_warning = QLabel()
        self.context_warning.setObjectName("warningText")
        self.context_warning.setWordWrap(True)
        self.n_threads = _spin(0, 512, values.n_threads, "auto (one per core)")
        self.n_batch = _spin(1, 8192, values.n_batch)
        self.gpu = QComboBox()
        for label, value in GPU_CHOICES:
            self.gpu.addItem(label, value)
        self.gpu.addItem("This many layers:", "count")
        self.gpu_count = _spin(1, 999, max(values.n_gpu_layers, 1))
        preset = self.gpu.findData(values.n_gpu_layers)
        self.gpu.setCurrentIndex(preset if preset >= 0 else self.gpu.count() - 1)
        self.flash_attn = QCheckBox("Flash attention (faster, needs less memory)")
        self.flash_attn.setChecked(values.flash_attn)
        self.kv_type = QComboBox()
        for name in KV_CACHE_TYPES:
            self.kv_type.addItem(name, name)
        self.kv_type.setCurrentIndex(self.kv_type.findData(values.kv_cache_type))
        self.use_mmap = QCheckBox("Memory-map the file (loads faster)")
        self.use_mmap.setChecked(values.use_mmap)
        self.use_mlock = QCheckBox("Lock in RAM (never swapped out)")
        self.use_mlock.setChecked(values.use_mlock)
        form = QFormLayout(self)
        form.addRow("Context length (tokens)", self.n_ctx)
        form.addRow("", self.context_warning)
        form.addRow("CPU threads", self.n_threads)
        form.addRow("Batch size", self.n_batch)
        form.addRow("GPU layers", self.gpu)
        form.addRow("", self.gpu_count)
        form.addRow("KV cache type", self.kv_type)
        form.addRow("", self.flash_attn)
        form.addRow("", self.use_mmap)
        form.addRow("", self.use_mlock)
        backend_note = QLabel(backend)
        backend_note.setObjectName("emptyNote")
        backend_note.setWordWrap(True)
        form.addRow("", backend_note)
        self._check_context(self.n_ctx.value())

    def _check_context(self, n_ctx: int) -> None:
        too_long = bool(self.trained and n_ctx > self.trained)
        self.context_warning.setText(
            f"Longer than the {self.trained} tokens this model was trained on: "
            "answers past that point often lose the thread."
            if too_long
            else ""
        )
        self.context_warning.setVisible(too_long)

    def values(self) -> LoadSettings:
        choice = self.gpu.currentData()
        layers = self.gpu_count.value() if choice == "count" else int(choice)
        return LoadSettings(
            n_ctx=self.n_ctx.value(),
            n_threads=self.n_threads.value(),
            n_gpu_layers=layers,
            n_batch=self.n_batch.value(),
            flash_attn=self.flash_attn.isChecked(),
            kv_cache_type=self.kv_type.currentData(),
            use_mmap=self.use_mmap.isChecked(),
            use_mlock=self.use_mlock.isChecked(),
        )


class SettingsDialog(QDialog):
    """Two tabs: the model's defaults, and this conversation's own answers settings.

    After `accept()`, `model_defaults` and `conversation` hold what the user chose; invalid
    values keep the dialog open with the reason shown.
    """

    def __init__(
        self,
        model_name: str,
        defaults: ModelDefaults,
        conversation: tuple[str, dict[str, object]] | None,
        info: GGUFInfo | None,
        backend: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self.defaults = defaults
        self.load_form = LoadForm(defaults.load, info, backend)
        self.model_form = SamplingForm(defaults.sampling, defaults.system_prompt)
        model_tab = QWidget()
        model_layout = QVBoxLayout(model_tab)
        loading = QGroupBox("Loading (applies when the model loads again)")
        QVBoxLayout(loading).addWidget(self.load_form)
        answers = QGroupBox("Answers")
        QVBoxLayout(answers).addWidget(self.model_form)
        model_layout.addWidget(loading)
        model_layout.addWidget(answers)
        self.tabs = QTabWidget()
        self.tabs.addTab(model_tab, f"Model: {model_name}")
        self.chat_form: SamplingForm | None = None
        if conversation is not None:
            system, overrides = conversation
            merged = sampling_for(defaults.sampling, dict(overrides))
            self.chat_form = SamplingForm(merged, system)
            self.tabs.addTab(self.chat_form, "This chat")
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.model_defaults = defaults
        self.conversation: tuple[str, dict[str, object]] | None = conversation

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
