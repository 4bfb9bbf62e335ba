"""The memory panel's chart (pyqtgraph), in a module of its own: the panel loads it when it
is first shown, not when the window starts."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QWidget

from llamadesk.services.memory_monitor import MemorySample
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
