"""One declaration per setting: validation, defaults, widgets and CLI flags all read it."""

from __future__ import annotations

import math
from dataclasses import fields

import pytest

from llamadesk.core.engine import EngineError, LoadSettings, SamplingParams
from llamadesk.core.options import LOAD_OPTIONS, MAX_SEED, OPTIONS, SAMPLING_OPTIONS, Option
from llamadesk.ui.compare_view import ContenderForm
from llamadesk.ui.option_widgets import editor_value, make_editor
from llamadesk.ui.settings_dialog import LoadForm, SamplingForm


def test_every_field_is_declared_once_with_its_default():
    for cls, options in ((SamplingParams, SAMPLING_OPTIONS), (LoadSettings, LOAD_OPTIONS)):
        assert [f.name for f in fields(cls)] == [o.name for o in options]
        defaults = cls()
        for option in options:
            assert getattr(defaults, option.name) == option.default
            assert option.problem(option.default) is None, option.name
            assert option.label
            assert option.help


def invalid_values(option: Option) -> list[object]:
    """A wrong value of every kind this option can be given."""
    if option.kind is bool:
        return [1, "yes", None]
    if option.kind is str:
        return ["f32", 8, None]
    wrong = ["warm", None, True, [1]]
    assert option.minimum is not None
    assert option.maximum is not None
    low = min([option.minimum, *(value for value, _ in option.specials)])
    wrong += [low - 1, option.maximum + 1]
    if option.kind is float:
        wrong += [math.nan, math.inf, -math.inf]
    else:
        wrong += [option.minimum + 0.5]
    return wrong


@pytest.mark.parametrize("option", OPTIONS.values(), ids=list(OPTIONS))
def test_every_kind_of_invalid_value_is_refused_with_the_settings_name(option):
    cls = SamplingParams if option in SAMPLING_OPTIONS else LoadSettings
    for value in invalid_values(option):
        problem = option.problem(value)
        assert problem is not None, f"{option.name}={value!r} was accepted"
        assert problem.startswith(option.label)
        with pytest.raises(EngineError, match=option.label.split(" (")[0]):
            cls(**{option.name: value}).validate()


def test_seeds_reach_two_to_the_32_and_temperature_has_one_range():
    seed = OPTIONS["seed"]
    assert seed.problem(MAX_SEED) is None
    assert seed.problem(MAX_SEED + 1) is not None
    assert seed.problem(-1) is None, "-1: a random seed"
    temperature = OPTIONS["temperature"]
    assert temperature.problem(2.0) is None
    assert temperature.problem(2.01) == "Temperature must be between 0 and 2, not 2.01."


def test_a_context_below_256_is_refused_with_the_whole_range():
    n_ctx = OPTIONS["n_ctx"]
    assert n_ctx.problem(0) is None, "0: the model's own"
    assert n_ctx.problem(256) is None
    for value in (-5, 1, 255):
        message = n_ctx.problem(value)
        assert message == (
            "Context length must be 0 (the model's own, up to 4096) or between 256 and "
            f"1048576 tokens, not {value}."
        )


def test_the_editors_take_their_ranges_from_the_declaration(qtbot):
    form = SamplingForm(SamplingParams(seed=MAX_SEED, temperature=2.0), "")
    qtbot.addWidget(form)
    assert form.values() == SamplingParams(seed=MAX_SEED, temperature=2.0)
    form.editors["temperature"].setValue(9.0)
    form.editors["seed"].setValue(-1)
    assert form.values().temperature == 2.0, "the spin box stops at the declared maximum"
    assert form.editors["seed"].text() == "random"
    load = LoadForm(LoadSettings(n_ctx=8192, n_batch=64), None, "CPU")
    qtbot.addWidget(load)
    assert load.values() == LoadSettings(n_ctx=8192, n_batch=64)
    for option in OPTIONS.values():
        editor = make_editor(option, option.default)
        qtbot.addWidget(editor)
        assert editor_value(option, editor) == option.default
        assert editor.toolTip() == option.help


def test_the_compare_controls_use_the_same_ranges(qtbot):
    form = ContenderForm("A", MAX_SEED)
    qtbot.addWidget(form)
    assert form.temperature.maximum() == OPTIONS["temperature"].maximum
    assert editor_value(OPTIONS["seed"], form.seed) == MAX_SEED, "a 32-bit seed can be typed in"
