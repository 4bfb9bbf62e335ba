"""Inference settings: stored per model and per chat, refused when invalid, used by llama.cpp."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QDialog

from llamadesk.core.engine import LoadSettings, SamplingParams
from llamadesk.core.settings import (
    ModelDefaults,
    Settings,
    load_settings,
    sampling_for,
    save_settings,
)
from llamadesk.ui.settings_dialog import SettingsDialog


def test_settings_round_trip_with_per_model_defaults(tmp_path):
    path = tmp_path / "settings.json"
    mine = ModelDefaults(
        load=LoadSettings(n_ctx=8192, flash_attn=True, kv_cache_type="q8_0"),
        sampling=SamplingParams(temperature=0.2, seed=42),
        system_prompt="Be brief.",
    )
    settings = Settings(last_model="/m/a.gguf").with_model_defaults("a.gguf", mine)
    save_settings(path, settings)
    again = load_settings(path)
    assert again == settings
    assert again.for_model("a.gguf") == mine
    assert again.for_model("other.gguf") == Settings().defaults


def test_a_damaged_settings_file_falls_back_value_by_value(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "last_model": 3,
                "defaults": {"load": {"n_ctx": "big", "n_threads": 2}, "sampling": [1]},
                "per_model": {"x.gguf": "nonsense", "y.gguf": {"system_prompt": "Hi"}},
                "unknown": True,
            }
        )
    )
    settings = load_settings(path)
    assert settings.last_model == ""
    assert settings.defaults.load == LoadSettings(n_threads=2)
    assert settings.defaults.sampling == SamplingParams()
    assert list(settings.per_model) == ["y.gguf"]
    path.write_text("{not json")
    assert load_settings(path) == Settings()


def test_conversation_overrides_apply_and_bad_ones_are_ignored():
    defaults = SamplingParams(temperature=0.7, max_tokens=100)
    assert sampling_for(defaults, {"temperature": 0.1}).temperature == 0.1
    assert sampling_for(defaults, {"temperature": 0.1}).max_tokens == 100
    assert sampling_for(defaults, {"temperature": -4}) == defaults
    assert sampling_for(defaults, {"temperature": "warm"}) == defaults


def fill_dialog(monkeypatch, change):
    def run(dialog: SettingsDialog) -> int:
        change(dialog)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(SettingsDialog, "exec", run)


def test_model_settings_reach_llama_cpp_and_persist(qtbot, loaded, make_parts, monkeypatch):
    def change(dialog: SettingsDialog) -> None:
        dialog.load_form.n_ctx.setValue(512)
        dialog.model_form.editors["temperature"].setValue(0.0)
        dialog.model_form.editors["max_tokens"].setValue(7)
        dialog.model_form.system_prompt.setPlainText("Answer in one word.")

    fill_dialog(monkeypatch, change)
    with qtbot.waitSignal(loaded.host.loaded, timeout=60_000) as reloaded:
        loaded.window.open_settings()
    assert reloaded.args[0].settings.n_ctx == 512, "the model loaded again with the new context"

    with qtbot.waitSignal(loaded.session.answer_saved, timeout=30_000) as saved:
        loaded.window.composer.send_requested.emit("Hello")
    answer = saved.args[0]
    assert answer.stats["completion_tokens"] <= 7
    assert answer.params["temperature"] == 0.0

    name = loaded.host.model.info.path.name
    again = make_parts()
    assert again.window.settings.for_model(name).load.n_ctx == 512
    assert again.window.settings.for_model(name).system_prompt == "Answer in one word."


def test_invalid_values_keep_the_dialog_open_with_the_reason(qtbot, loaded):
    model = loaded.host.model
    dialog = SettingsDialog("tiny", ModelDefaults(), None, model.info, "CPU only")
    qtbot.addWidget(dialog)
    dialog.load_form.kv_type.setCurrentIndex(dialog.load_form.kv_type.findData("q8_0"))
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Rejected.value
    assert "flash attention" in dialog.error.text()
    assert not dialog.error.isHidden()


def test_a_context_longer_than_trained_warns(qtbot, loaded):
    info = loaded.host.model.info
    dialog = SettingsDialog("tiny", ModelDefaults(), None, info, "CPU only")
    qtbot.addWidget(dialog)
    assert dialog.load_form.context_warning.isHidden()
    dialog.load_form.n_ctx.setValue(info.context_length * 2)
    assert not dialog.load_form.context_warning.isHidden()
    assert str(info.context_length) in dialog.load_form.context_warning.text()


def test_a_chat_can_override_the_models_sampling(qtbot, loaded, monkeypatch):
    loaded.session.params = SamplingParams(temperature=0.7, max_tokens=5)
    with qtbot.waitSignal(loaded.session.answer_saved, timeout=30_000):
        loaded.window.composer.send_requested.emit("First")

    def change(dialog: SettingsDialog) -> None:
        assert dialog.chat_form is not None
        dialog.chat_form.editors["temperature"].setValue(0.3)
        dialog.chat_form.system_prompt.setPlainText("Only this chat.")

    fill_dialog(monkeypatch, change)
    loaded.window.open_settings()
    chat = loaded.store.conversation(loaded.window.current_conversation)
    assert chat.sampling == {"temperature": 0.3}
    assert chat.system_prompt == "Only this chat."

    with qtbot.waitSignal(loaded.session.answer_saved, timeout=30_000) as saved:
        loaded.window.composer.send_requested.emit("Second")
    assert saved.args[0].params["temperature"] == 0.3


def write_raw_settings(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_each_bad_value_falls_back_alone_with_a_log_line_and_a_note(tmp_path, caplog):
    path = tmp_path / "settings.json"
    # NaN is what Python's own json writes for float("nan"); json.loads reads it back.
    write_raw_settings(
        path,
        '{"last_model": "/m/a.gguf", "defaults": {"sampling": {"temperature": 9,'
        ' "top_p": NaN, "top_k": "many", "max_tokens": 77, "seed": 4294967295},'
        ' "load": {"n_ctx": 100, "n_threads": 2, "kv_cache_type": "q8_0"}},'
        ' "per_model": {"b.gguf": {"sampling": {"temperature": 1.5, "min_p": -1}}}}',
    )
    with caplog.at_level("WARNING", logger="llamadesk.core.settings"):
        settings = load_settings(path)
    assert settings.last_model == "/m/a.gguf"
    assert settings.defaults.sampling == SamplingParams(max_tokens=77, seed=4294967295)
    assert settings.defaults.load == LoadSettings(n_threads=2)
    assert settings.for_model("b.gguf").sampling == SamplingParams(temperature=1.5)
    notes = settings.notes
    assert len(notes) == 6
    assert any("Temperature must be between 0 and 2, not 9" in note for note in notes)
    assert any("Top-p must be between 0.01 and 1, not nan" in note for note in notes)
    assert any("flash attention" in note for note in notes), "q8_0 needs flash attention"
    assert any("settings of b.gguf" in note and "Min-p" in note for note in notes)
    assert [r.getMessage() for r in caplog.records] == list(notes)


def test_a_file_that_is_not_json_is_noted_not_fatal(tmp_path):
    path = tmp_path / "settings.json"
    write_raw_settings(path, "{not json")
    settings = load_settings(path)
    assert settings == Settings()
    assert "could not be read" in settings.notes[0]


def test_the_settings_dialog_shows_the_notes_until_saved(qtbot, home, make_parts, monkeypatch):
    write_raw_settings(home.settings_file, '{"defaults": {"sampling": {"temperature": 9}}}')
    parts = make_parts()
    shown = []
    fill_dialog(monkeypatch, lambda dialog: shown.append(dialog.notes))
    parts.window.open_settings()
    (note,) = shown
    assert not note.isHidden()
    assert "Temperature must be between 0 and 2, not 9" in note.text()
    saved = json.loads(home.settings_file.read_text())
    assert saved["defaults"]["sampling"]["temperature"] == 0.7, "the file now holds valid values"
    assert parts.window.settings.notes == ()


def test_a_context_below_256_keeps_the_dialog_open_with_the_range(qtbot):
    dialog = SettingsDialog("tiny", ModelDefaults(), None, None, "CPU only")
    qtbot.addWidget(dialog)
    dialog.load_form.n_ctx.setValue(100)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Rejected.value
    assert "between 256 and 1048576 tokens, not 100" in dialog.error.text()


def test_the_chat_follows_the_loaded_models_settings_as_they_change(qtbot, loaded, tiny_model):
    window, session = loaded.window, loaded.session
    own = ModelDefaults(
        sampling=SamplingParams(temperature=0.3, max_tokens=7, seed=5), system_prompt="Be brief."
    )
    with qtbot.waitSignal(window.settings_service.changed) as changed:
        window.settings = window.settings.with_model_defaults(tiny_model.name, own)

    assert changed.args[0].for_model(tiny_model.name) == own
    assert session.params == own.sampling
    assert session.default_system_prompt == "Be brief."

    # Another model's settings, or the last model's name, leave the chat's own alone.
    session.params = SamplingParams(temperature=0.0, max_tokens=3)
    window.settings = window.settings.with_model_defaults("other.gguf", ModelDefaults())
    window.settings = window.settings.with_changes(last_model="elsewhere.gguf")
    assert session.params.max_tokens == 3
