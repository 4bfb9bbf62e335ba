"""Before a model loads: the memory check, and the question asked when it may not fit."""

from __future__ import annotations

import pytest

from llamadesk.core.engine import LoadSettings
from llamadesk.core.gguf_info import GGUFError, read_gguf_info
from llamadesk.core.load_check import check_load
from llamadesk.core.memory import COMFORT_SHARE, SystemMemory, estimate_memory
from llamadesk.ui import load_warning

GB = 1024**3


def memory_for_short_context_only(tiny_model) -> SystemMemory:
    """Free memory enough for a 512-token context but not for the model's 2048."""
    info = read_gguf_info(tiny_model)
    short, full = (estimate_memory(info, n).needed for n in (512, info.context_length))
    assert short < full
    return SystemMemory(total_ram=64 * GB, available_ram=int((short + full) / 2 / COMFORT_SHARE))


def test_plenty_of_memory_fits(tiny_model):
    check = check_load(tiny_model, LoadSettings(), SystemMemory(64 * GB, 32 * GB))
    assert check.fits
    assert check.fitting_context == check.info.context_length


def test_the_longest_context_that_fits_is_offered(tiny_model):
    check = check_load(tiny_model, LoadSettings(), memory_for_short_context_only(tiny_model))
    assert not check.fits
    assert 512 <= check.fitting_context < check.info.context_length
    assert "free" in check.verdict.explain()


def test_nothing_fits_in_almost_no_memory(tiny_model):
    check = check_load(tiny_model, LoadSettings(), SystemMemory(64 * 1024**2, 1024**2))
    assert not check.fits
    assert check.fitting_context == 0


def test_a_bad_file_is_reported_not_judged(tmp_path):
    with pytest.raises(GGUFError):
        check_load(tmp_path / "missing.gguf", LoadSettings())


@pytest.fixture
def short_memory(monkeypatch, tiny_model):
    system = memory_for_short_context_only(tiny_model)
    monkeypatch.setattr(SystemMemory, "probe", classmethod(lambda cls, gpu=None: system))


def answer_with(monkeypatch, choice):
    asked = []

    def ask(_parent, check):
        asked.append(check)
        return choice

    monkeypatch.setattr(load_warning, "ask_about_memory", ask)
    return asked


def test_cancel_keeps_the_model_out_and_says_why(
    qtbot, parts, tiny_model, short_memory, monkeypatch
):
    asked = answer_with(monkeypatch, "cancel")
    parts.window.load_model(tiny_model)
    qtbot.waitUntil(lambda: bool(asked), timeout=30_000)
    assert parts.host.model is None
    assert not parts.host.busy
    assert "not enough memory" in parts.window.banner.label.text()


def test_a_shorter_context_loads_when_asked(qtbot, parts, tiny_model, short_memory, monkeypatch):
    asked = answer_with(monkeypatch, "shorter")
    with qtbot.waitSignal(parts.host.loaded, timeout=60_000) as loaded:
        parts.window.load_model(tiny_model)
    (check,) = asked
    assert loaded.args[0].settings.n_ctx == check.fitting_context


def test_load_anyway_uses_the_settings_asked_for(
    qtbot, parts, tiny_model, short_memory, monkeypatch
):
    answer_with(monkeypatch, "anyway")
    with qtbot.waitSignal(parts.host.loaded, timeout=60_000) as loaded:
        parts.window.load_model(tiny_model)
    assert loaded.args[0].settings.n_ctx == loaded.args[0].info.context_length


def test_no_question_when_it_fits(qtbot, parts, tiny_model, monkeypatch):
    asked = answer_with(monkeypatch, "cancel")
    with qtbot.waitSignal(parts.host.loaded, timeout=60_000):
        parts.window.load_model(tiny_model)
    assert asked == []
