"""The status bar's model line and speed line, and the toolbar's busy bar."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from llamadesk.core.remote import short_model_id
from llamadesk.core.store import Message
from llamadesk.services.model_host import LoadedModel, ModelHost
from llamadesk.services.model_loader import ModelLoader
from llamadesk.ui.model_picker import display_name
from llamadesk.ui.translations import translate


class ModelStatus:
    """Says which model is loaded or loading, and how fast the last answer came."""

    def __init__(self, host: ModelHost, loader: ModelLoader, status_bar: QStatusBar) -> None:
        self.host = host
        self.busy = QProgressBar()
        self.busy.setObjectName("busy")
        self.busy.setRange(0, 0)
        self.busy.setFixedWidth(90)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.model_status = QLabel(translate("MainWindow", "No model loaded"))
        self.speed_status = QLabel("")
        status_bar.addPermanentWidget(self.speed_status)
        status_bar.addPermanentWidget(self.model_status)
        loader.checking.connect(
            lambda name: self.model_status.setText(
                translate("MainWindow", "Checking {name}…").format(name=name)
            )
        )
        host.loading.connect(
            lambda name: self.model_status.setText(
                translate("MainWindow", "Loading {name}…").format(name=name)
            )
        )
        host.busy_changed.connect(self.busy.setVisible)

    def show_model(self, model: LoadedModel) -> None:
        info = model.info
        if model.server:
            shown = translate("MainWindow", "{name}  ·  remote, on {server}")
            shown = shown.format(name=short_model_id(info.name), server=model.server)
        else:
            shown = translate("MainWindow", "{name}  ·  {quantization}  ·  ctx {n_ctx}").format(
                name=display_name(info.path),
                quantization=info.quantization,
                n_ctx=model.settings.n_ctx,
            )
        self.model_status.setText(shown)

    def show_current(self) -> None:
        """After a failed load: the model still loaded, if any."""
        model = self.host.model
        self.model_status.setText(
            display_name(model.info.path) if model else translate("MainWindow", "No model loaded")
        )

    def show_progress(self, tokens: int, tokens_per_second: float) -> str:
        """Show an answer's progress; returns the line, for the answer's own status."""
        line = translate("MainWindow", "{tokens} tokens  ·  {speed:.1f} tokens/s")
        line = line.format(tokens=tokens, speed=tokens_per_second)
        self.speed_status.setText(line)
        return line

    def show_answer_speed(self, message: Message) -> None:
        stats = message.answer_stats
        if stats is None:
            return
        speed = translate("MainWindow", "{speed:.1f} tokens/s  ·  {ttft:.0f} ms to first token")
        self.speed_status.setText(speed.format(speed=stats.tokens_per_second, ttft=stats.ttft_ms))
