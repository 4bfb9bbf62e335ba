"""The memory panel: live figures for the app, the model's parts and the system."""

from __future__ import annotations

from llamadesk.core.memory import format_size
from llamadesk.services.memory_monitor import MemoryMonitor, mapped_bytes
from llamadesk.ui.settings_dialog import SettingsDialog


def test_the_panel_shows_the_models_parts_and_live_figures(qtbot, loaded):
    window = loaded.window
    window.memory_action.trigger()
    assert window.memory_dock.isVisible()
    panel = window.memory_panel
    info = loaded.host.model.info
    assert panel.figures["weights"].text() == f"{format_size(info.file_size)} file"
    assert f"{loaded.host.model.settings.n_ctx:,} tokens" in panel.figures["kv"].text()
    qtbot.waitUntil(lambda: panel.figures["gpu"].text() != "…", timeout=10_000)
    assert "CPU" in panel.figures["gpu"].text()

    with qtbot.waitSignal(window.monitor.mapped, timeout=10_000) as mapped:
        sample = window.monitor.sample_now()
    assert sample.process_rss > 0
    assert panel.figures["process"].text() == format_size(sample.process_rss)
    assert mapped.args[0] > 0, "llama.cpp maps the model file: part of it is in RAM"
    window.monitor.sample_now()
    assert len(panel.chart.samples) >= 2


def test_mapped_bytes_of_a_file_not_mapped_is_zero(tmp_path):
    assert mapped_bytes(tmp_path / "nothing.gguf") == 0


def test_history_keeps_five_minutes(qtbot):
    monitor = MemoryMonitor(interval_ms=1000)
    for _ in range(310):
        monitor.sample_now()
    assert len(monitor.history) == 300
    monitor.stop()


def test_the_toolbar_opens_the_settings(qtbot, loaded, monkeypatch):
    opened = []
    monkeypatch.setattr(SettingsDialog, "exec", lambda dialog: opened.append(dialog) or 0)
    loaded.window.settings_action.trigger()
    assert len(opened) == 1
