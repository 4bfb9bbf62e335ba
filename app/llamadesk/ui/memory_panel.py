"""The memory panel: where this computer's memory goes, live, with the last five minutes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from llamadesk.core.backend import BackendInfo, free_vram_bytes
from llamadesk.core.engine import KV_BYTES_PER_ELEMENT
from llamadesk.core.memory import estimate_memory, format_size
from llamadesk.services.background import JobRunner, unexpected_failure
from llamadesk.services.memory_monitor import MemoryMonitor, MemorySample
from llamadesk.services.model_host import LoadedModel
from llamadesk.ui.translations import translate

if TYPE_CHECKING:
    from llamadesk.ui.memory_chart import MemoryChart


class MemoryPanel(QWidget):
    """Figures for the process, the model's parts and the system, and the chart."""

    def __init__(self, monitor: MemoryMonitor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("memoryPanel")
        self.monitor = monitor
        self.figures = {
            key: QLabel("–")
            for key in ("process", "weights", "mapped", "kv", "compute", "system", "gpu")
        }
        form = QFormLayout()
        form.addRow(translate("MemoryPanel", "This app"), self.figures["process"])
        form.addRow(translate("MemoryPanel", "Model weights"), self.figures["weights"])
        form.addRow(translate("MemoryPanel", "  of which in RAM"), self.figures["mapped"])
        form.addRow(translate("MemoryPanel", "KV cache"), self.figures["kv"])
        form.addRow(translate("MemoryPanel", "Compute buffers"), self.figures["compute"])
        form.addRow(translate("MemoryPanel", "System"), self.figures["system"])
        form.addRow(translate("MemoryPanel", "GPU"), self.figures["gpu"])
        self._chart: MemoryChart | None = None  # made when first shown: see `chart`
        self._layout = QVBoxLayout(self)
        self._layout.addLayout(form)
        self._layout.addStretch(1)
        self._jobs = JobRunner(parent=self)
        monitor.sampled.connect(self._on_sample)
        monitor.mapped.connect(lambda n: self.figures["mapped"].setText(format_size(n)))
        monitor.mapped_failed.connect(lambda message: self._unknown("mapped", message))
        self.show_model(None, None)

    def show_model(self, model: LoadedModel | None, backend: BackendInfo | None) -> None:
        """The loaded model's parts (or dashes), and the GPU's figures where there is one."""
        local = model is not None and not model.server
        self.monitor.model_path = model.info.path if model and local else None
        if model is None or model.server:
            note = (
                translate("MemoryPanel", "runs remotely, on {server}").format(server=model.server)
                if model
                else translate("MemoryPanel", "no model loaded")
            )
            for key in ("weights", "mapped", "kv", "compute"):
                self.figures[key].setText(note)
        else:
            settings = model.settings
            estimate = estimate_memory(
                model.info,
                settings.n_ctx,
                kv_bytes_per_element=KV_BYTES_PER_ELEMENT[settings.kv_cache_type],
                n_batch=settings.n_batch,
            )
            weights = translate("MemoryPanel", "{size} file")
            self.figures["weights"].setText(weights.format(size=format_size(model.info.file_size)))
            self.figures["mapped"].setText("…")
            kv = translate("MemoryPanel", "{size} at {n_ctx:,} tokens")
            self.figures["kv"].setText(
                kv.format(size=format_size(estimate.kv_cache_bytes), n_ctx=settings.n_ctx)
            )
            self.figures["compute"].setText(format_size(estimate.compute_bytes))
        self.figures["gpu"].setText("…")
        # nvidia-smi takes a moment: ask it off the GUI thread.
        job = self._jobs.start(gpu_text, backend)
        job.finished.connect(self.figures["gpu"].setText)
        job.failed.connect(
            lambda error: self._unknown(
                "gpu", unexpected_failure(error, "Reading the GPU's figures")
            )
        )

    def _unknown(self, figure: str, message: str) -> None:
        """A figure that could not be read: say so, and why in its tooltip."""
        self.figures[figure].setText(translate("MemoryPanel", "unknown (see the log)"))
        self.figures[figure].setToolTip(message)

    @property
    def chart(self) -> MemoryChart:
        """The chart of the last minutes, made when first needed: pyqtgraph takes a fifth
        of a second to load, which the window's start need not wait for."""
        if self._chart is None:
            from llamadesk.ui.memory_chart import MemoryChart

            self._chart = MemoryChart()
            self._layout.insertWidget(1, self._chart)
            self._layout.insertWidget(2, self._chart.legend)
        return self._chart

    def showEvent(self, event: QShowEvent) -> None:
        self.chart.show_samples(list(self.monitor.history))
        super().showEvent(event)

    def wait_for_all(self) -> None:
        self._jobs.wait_for_all()

    def _on_sample(self, sample: MemorySample) -> None:
        self.figures["process"].setText(format_size(sample.process_rss))
        system = translate("MemoryPanel", "{used} used, {free} free of {total}")
        self.figures["system"].setText(
            system.format(
                used=format_size(sample.system_used),
                free=format_size(sample.system_available),
                total=format_size(sample.system_total),
            )
        )
        if self.isVisible():
            self.chart.show_samples(list(self.monitor.history))


def gpu_text(backend: BackendInfo | None) -> str:
    """What the GPU line says; asks nvidia-smi on CUDA builds (slow: call off the GUI thread)."""
    if backend is None or not backend.gpu_offload:
        return translate("MemoryPanel", "none (a CPU build of llama.cpp)")
    free = free_vram_bytes() if backend.backend == "CUDA" else None
    if free is None:
        return (
            translate("MemoryPanel", "{backend} (shares system memory)").format(
                backend=backend.backend
            )
            if backend.backend == "Metal"
            else backend.backend
        )
    free_text = translate("MemoryPanel", "{backend}: {size} free")
    return free_text.format(backend=backend.backend, size=format_size(free))
