"""What the window's start loads: the libraries only some pages need wait for those pages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from llamadesk.core.paths import AppPaths

PROBE = """
import sys
from llamadesk.ui.app import application, build
from llamadesk.core.paths import app_paths
app = application()
parts = build(app_paths().ensure())
parts.window.show()
app.processEvents()
print(" ".join(name for name in ("pyqtgraph", "numpy") if name in sys.modules))
parts.close()
"""


def test_the_window_starts_without_the_chart_and_maths_libraries(home: AppPaths):
    app_dir = Path(__file__).resolve().parent.parent / "app"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(app_dir)}
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []


def test_the_memory_chart_and_the_arena_are_made_when_shown(qtbot, parts):
    window = parts.window
    for _ in range(3):
        window.monitor.sample_now()
    window.memory_action.trigger()
    chart = window.memory_panel.chart
    qtbot.waitUntil(chart.isVisible)
    # Made late, it still shows the minutes sampled before it was.
    assert len(chart.samples) == len(window.monitor.history) >= 3

    window.show_mode(window.arena_page)
    qtbot.waitUntil(window.arena_view.isVisible)
