"""The model thread's contract, end to end in the window: whatever goes wrong in a load or
an answer, the user reads one sentence, nothing stays busy, and the app carries on."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from llamadesk.core.engine import ChatMessage, Engine, EngineError, LoadSettings, SamplingParams
from llamadesk.core.settings import ModelDefaults
from llamadesk.core.testmodel import write_test_model

TEMPLATES = Path(__file__).parent / "data" / "templates"
SHORT = SamplingParams(temperature=0.0, max_tokens=6, seed=1)


def type_and_send(qtbot, parts, text: str) -> None:
    qtbot.keyClicks(parts.window.composer.editor, text)
    qtbot.keyClick(parts.window.composer.editor, Qt.Key.Key_Return)


def assert_ready_again(parts) -> None:
    """Nothing is left busy: the button says Send, the model takes work."""
    assert not parts.host.busy
    assert not parts.window.loader.busy
    assert not parts.session.generating
    assert parts.window.composer.button.text() == "Send"


def answers_again(qtbot, parts) -> None:
    parts.session.params = SHORT
    with qtbot.waitSignal(parts.session.answer_saved, timeout=60_000) as saved:
        type_and_send(qtbot, parts, "Still there?")
    assert saved.args[0].stop_reason in ("eos", "length")


@pytest.mark.parametrize("bad", [9, math.nan, "hot"], ids=["nine", "nan", "text"])
def test_a_bad_temperature_in_settings_json_still_answers(qtbot, home, make_parts, tiny_model, bad):
    settings = json.loads(home.settings_file.read_text())
    settings["defaults"]["sampling"].update(temperature=bad, max_tokens=5)
    home.settings_file.write_text(json.dumps(settings))  # json writes nan as NaN
    parts = make_parts()
    with qtbot.waitSignal(parts.window.loader.loaded, timeout=60_000):
        parts.window.load_model(tiny_model)
    with qtbot.waitSignal(parts.session.answer_saved, timeout=60_000) as saved:
        type_and_send(qtbot, parts, "Hello")
    answer = saved.args[0]
    assert answer.params["temperature"] == 0.7, "the default stands in for the bad value"
    assert answer.params["max_tokens"] == 5, "the good values beside it are kept"
    assert answer.stats["completion_tokens"] >= 1
    assert_ready_again(parts)
    assert "Temperature" in parts.window.settings.notes[0]


def test_a_bad_setting_given_at_run_time_is_refused_before_anything_is_stored(qtbot, loaded):
    loaded.session.params = SamplingParams(temperature=9.0)
    with qtbot.waitSignal(loaded.session.error) as error:
        type_and_send(qtbot, loaded, "Hello")
    assert error.args[0] == "Temperature must be between 0 and 2, not 9. Change it in Settings."
    assert loaded.window.banner.label.text() == error.args[0]
    assert loaded.store.thread(loaded.window.current_conversation) == []
    assert_ready_again(loaded)


def test_an_exception_in_a_load_fails_it_and_another_model_loads(
    qtbot, parts, tiny_model, monkeypatch
):
    def broken_load(cls, path, settings=None):
        raise KeyError("injected")

    monkeypatch.setattr(Engine, "load", classmethod(broken_load))
    with qtbot.waitSignal(parts.window.loader.failed, timeout=60_000) as failed:
        parts.window.load_model(tiny_model)
    message = failed.args[0]
    assert message == f"Could not load {tiny_model.name}: 'injected' (KeyError)"
    assert parts.window.banner.label.text() == message
    assert parts.host.model is None
    assert not parts.host.busy

    monkeypatch.undo()
    with qtbot.waitSignal(parts.window.loader.loaded, timeout=60_000):
        parts.window.load_model(tiny_model)
    answers_again(qtbot, parts)


@pytest.mark.parametrize("when", ["before", "midway"])
def test_an_exception_while_answering_ends_the_answer_with_a_message(
    qtbot, loaded, tiny_model, monkeypatch, when
):
    real_complete = Engine.complete

    def broken_complete(self, *args, **kwargs):
        if when == "midway":
            yield from list(real_complete(self, *args, **kwargs))[:3]
        raise ZeroDivisionError("injected")

    monkeypatch.setattr(Engine, "complete", broken_complete)
    loaded.session.params = SamplingParams(temperature=0.0, max_tokens=20, seed=1)
    with qtbot.waitSignal(loaded.host.answered, timeout=60_000) as answered:
        type_and_send(qtbot, loaded, "Hello")
    result = answered.args[0]
    message = "The model failed while answering: injected (ZeroDivisionError)"
    assert result.stats.error == message
    assert loaded.window.banner.label.text() == message
    assert_ready_again(loaded)
    thread = loaded.store.thread(loaded.window.current_conversation)
    if when == "midway":  # what was written is kept, marked as failed
        assert thread[-1].content == result.text != ""
        assert thread[-1].stop_reason == "error"
    else:
        assert [m.role for m in thread] == ["user"]

    monkeypatch.undo()
    with qtbot.waitSignal(loaded.window.loader.loaded, timeout=60_000):
        loaded.window.load_model(tiny_model)
    answers_again(qtbot, loaded)


def test_a_template_that_raises_in_the_window_says_so_and_the_chat_goes_on(
    qtbot, parts, tiny_model, tmp_path
):
    broken = write_test_model(
        tmp_path / "broken-template.gguf", chat_template="{% for i in range(10**9) %}{% endfor %}"
    )
    with qtbot.waitSignal(parts.window.loader.loaded, timeout=60_000):
        parts.window.load_model(broken)
    parts.session.params = SHORT
    with qtbot.waitSignal(parts.session.error, timeout=60_000) as error:
        type_and_send(qtbot, parts, "Hello")
    assert error.args[0].startswith("The chat template of broken-template.gguf failed:")
    assert "OverflowError" in error.args[0]
    assert_ready_again(parts)

    with qtbot.waitSignal(parts.window.loader.loaded, timeout=60_000):
        parts.window.load_model(tiny_model)
    answers_again(qtbot, parts)


def test_gemma_2_answers_with_a_system_prompt_in_the_window(qtbot, parts, tmp_path):
    gemma_2 = (TEMPLATES / "google-gemma-2-2b-it.jinja").read_text(encoding="utf-8")
    model = write_test_model(tmp_path / "gemma-2-shaped.gguf", chat_template=gemma_2)
    with qtbot.waitSignal(parts.window.loader.loaded, timeout=60_000):
        parts.window.load_model(model)
    parts.session.default_system_prompt = "Answer in French."
    answers_again(qtbot, parts)
    assert not parts.window.banner.isVisible()


def test_compare_loads_with_the_models_own_settings_and_stays_a_guest(
    qtbot, loaded, tiny_model, monkeypatch
):
    window = loaded.window
    other = window.paths.models / "second-model.gguf"
    shutil.copy(tiny_model, other)
    own = ModelDefaults(load=LoadSettings(n_ctx=512, n_threads=1))
    window.settings = window.settings.with_model_defaults(other.name, own)
    window._refresh_models()
    conversation = window.current_conversation
    view = window.compare_view
    view.forms["B"].select(other)
    view.max_tokens = 4
    view.prompt.setPlainText("Which?")
    loads = []
    loaded.host.loaded.connect(loads.append)
    with qtbot.waitSignal(loaded.compare.ready, timeout=60_000):
        view.run_button.click()

    assert [m.info.path.name for m in loads] == [other.name]
    assert loads[0].settings.n_ctx == 512, "the model's own settings apply in compare too"
    assert window.settings.last_model == str(tiny_model), "the user's model stays the one"
    assert window.current_conversation == conversation
    assert "second-model" in window.model_status.text(), "the status says what is loaded"


def test_compare_asks_before_loading_a_model_that_may_not_fit(
    qtbot, loaded, tiny_model, monkeypatch
):
    from llamadesk.core.memory import SystemMemory
    from llamadesk.ui import load_warning
    from test_load_warning import memory_for_short_context_only

    system = memory_for_short_context_only(tiny_model)
    monkeypatch.setattr(SystemMemory, "probe", classmethod(lambda cls, gpu=None: system))
    asked = []
    monkeypatch.setattr(load_warning, "ask_about_memory", lambda _w, c: asked.append(c) or "cancel")
    other = loaded.window.paths.models / "second-model.gguf"
    shutil.copy(tiny_model, other)
    loaded.window._refresh_models()
    view = loaded.window.compare_view
    view.forms["B"].select(other)
    view.max_tokens = 4
    view.prompt.setPlainText("Which?")
    with qtbot.waitSignal(loaded.compare.failed, timeout=60_000) as failed:
        view.run_button.click()
    assert [check.info.path for check in asked] == [other]
    assert failed.args[0] == "Did not load second-model.gguf: not enough memory."
    assert view.status.text() == failed.args[0]
    assert not loaded.window.banner.isVisible(), "the compare view shows its own failure"
    assert not loaded.compare.running
    assert list(loaded.compare.answers) == ["A"]
    assert_ready_again(loaded)


def test_the_host_checks_parameters_before_they_reach_the_model_thread(loaded):
    history = [ChatMessage("user", "Hi")]
    with pytest.raises(EngineError, match="Seed"):
        loaded.host.generate(history, SamplingParams(seed=2**32))
    with pytest.raises(EngineError, match="Context length"):
        loaded.host.load(loaded.host.model.info.path, LoadSettings(n_ctx=100))
    assert not loaded.host.busy


def test_a_model_that_fails_to_close_still_lets_the_app_quit(qtbot, loaded, monkeypatch, caplog):
    def broken_close(self):
        raise RuntimeError("injected")

    monkeypatch.setattr(Engine, "close", broken_close)
    with caplog.at_level("ERROR", logger="llamadesk.services.model_host"):
        loaded.host.shutdown()
    assert not loaded.host.thread_running()
    (record,) = caplog.records
    assert record.getMessage().startswith("Freeing tiny-f32.gguf failed")
    assert "injected" in record.exc_text


def test_the_real_model_answers_with_temperature_9_in_settings_json(
    qtbot, home, make_parts, real_model
):
    settings = json.loads(home.settings_file.read_text())
    settings["defaults"]["sampling"].update(temperature=9, top_p=math.nan, seed=42)
    home.settings_file.write_text(json.dumps(settings))
    parts = make_parts()
    with qtbot.waitSignal(parts.window.loader.loaded, timeout=120_000):
        parts.window.load_model(real_model)
    with qtbot.waitSignal(parts.session.answer_saved, timeout=120_000) as saved:
        type_and_send(qtbot, parts, "What is the capital of France?")
    answer = saved.args[0]
    assert answer.content.strip()
    assert answer.stop_reason in ("eos", "length")
    assert (answer.params["temperature"], answer.params["top_p"]) == (0.7, 0.95)
    assert answer.seed == 42
    assert_ready_again(parts)
