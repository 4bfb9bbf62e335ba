"""pyqtgraph charts in the palette's colours, restyled when the theme changes.

pyqtgraph paints with its own pens, not Qt's palette or the stylesheet: each chart sets its
background, axes and lines from `palette.current()` in a `restyle` method, which
`follow_theme` calls now and again whenever another palette is in use.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

from llamadesk.ui.palette import Palette
from llamadesk.ui.theme import theme_of


def style_plot(plot: pg.PlotItem, colours: Palette) -> None:
    """The axes, ticks, grid lines and axis labels of `plot` in `colours`."""
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(colours.text_subtle))  # the grid too, at the grid's alpha
        axis.setTextPen(pg.mkPen(colours.text_muted))


def follow_theme(restyle: Callable[[], object]) -> None:
    """Call `restyle` now and each time the theme changes. Pass a widget's bound method:
    Qt drops the connection when the widget is deleted."""
    restyle()
    app = QApplication.instance()
    if isinstance(app, QApplication):
        theme_of(app).changed.connect(restyle)
