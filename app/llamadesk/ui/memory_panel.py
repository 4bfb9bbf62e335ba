"""The memory panel: where this computer's memory goes, live, with the last five minutes."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from llamadesk.core.backend import BackendInfo, free_vram_bytes
from llamadesk.core.engine import KV_BYTES_PER_ELEMENT
from llamadesk.core.memory import estimate_memory, format_size
from llamadesk.services.background import JobRunner, unexpected_failure
from llamadesk.services.memory_monitor import MemoryMonitor, MemorySample
from llamadesk.services.model_host import LoadedModel
from llamadesk.ui.chart_theme import follow_theme, style_plot
from llamadesk.ui.palette import current
from llamadesk.ui.translations import translate


class MemoryChart(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph ships no types
    """Process and system memory over the last minutes, in GB (pyqtgraph, as the arena's
    curve: Qt's own QGraphicsView underneath, so no QtCharts is needed)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(130)
        self.setMaximumHeight(260)
        self.samples: Sequence[MemorySample] = ()
        plot = self.getPlotItem()
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.showGrid(x=False, y=True, alpha=0.15)
        plot.setLabel("bottom", translate("MemoryChart", "seconds ago"))
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.getAxis("left").setLabel(translate("MemoryChart", "GB"))
        self._lines = {"system": plot.plot(), "process": plot.plot()}
        self.legend = QLabel()
        self.legend.setObjectName("emptyNote")
        follow_theme(self.restyle)

    def restyle(self) -> None:
        """The background, axes, lines and legend in the palette in use."""
        colours = current()
        self.setBackground(colours.window)
        style_plot(self.getPlotItem(), colours)
        self._lines["system"].setPen(pg.mkPen(colours.chart_system, width=2))
        self._lines["process"].setPen(pg.mkPen(colours.chart_process, width=2))
        legend = translate(
            "MemoryChart",
            "<span style='color:{app}'>■</span> this app   "
            "<span style='color:{system}'>■</span> whole system (last 5 minutes)",
        )
        self.legend.setText(legend.format(app=colours.chart_process, system=colours.chart_system))

    def show_samples(self, samples: Sequence[MemorySample]) -> None:
        self.samples = samples
        if not samples:
            return
        now = samples[-1].time
        ago = [sample.time - now for sample in samples]
        self._lines["system"].setData(ago, [s.system_used / 1e9 for s in samples])
        self._lines["process"].setData(ago, [s.process_rss / 1e9 for s in samples])
        # Scaled to what was used, not to all memory: the app's line would hug the floor.
        top = max(max(s.system_used, s.process_rss) for s in samples) * 1.15 / 1e9
        self.getPlotItem().setYRange(0, top, padding=0)


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
        self.chart = MemoryChart()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.chart)
        layout.addWidget(self.chart.legend)
        layout.addStretch(1)
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
