"""The chat window end to end: real widgets, the real model thread, real llama.cpp."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from llama_cpp import Llama
from PySide6.QtCore import Qt

from llamadesk.core.engine import SamplingParams
from llamadesk.core.paths import AppPaths
from llamadesk.core.store import Store
from llamadesk.ui import widgets
from llamadesk.ui.app import AppParts

GREEDY = SamplingParams(temperature=0.0, top_k=40, top_p=0.95, min_p=0.05, seed=7, max_tokens=160)


def type_and_send(qtbot, parts: AppParts, text: str) -> None:
    editor = parts.window.composer.editor
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def send_and_wait(qtbot, parts: AppParts, text: str, timeout: int = 60_000):
    with qtbot.waitSignal(parts.session.answer_saved, timeout=timeout) as saved:
        type_and_send(qtbot, parts, text)
    return saved.args[0]


def test_answer_streams_in_several_updates_and_matches_llama_cpp(qtbot, loaded, tiny_model):
    loaded.session.params = GREEDY
    updates: list[str] = []
    loaded.session.answer_text.connect(lambda _cid, text: updates.append(text))

    answer = send_and_wait(qtbot, loaded, "Tell me about local models.")

    assert len(updates) > 1, "the answer should stream, not arrive in one piece"
    assert "".join(updates) == answer.content
    direct = Llama(
        model_path=str(tiny_model), n_ctx=loaded.host.model.settings.n_ctx, verbose=False
    )
    try:
        expected = direct.create_chat_completion(
            messages=[{"role": "user", "content": "Tell me about local models."}],
            temperature=0.0,
            top_k=GREEDY.top_k,
            top_p=GREEDY.top_p,
            min_p=GREEDY.min_p,
            repeat_penalty=GREEDY.repeat_penalty,
            max_tokens=GREEDY.max_tokens,
            seed=GREEDY.seed,
        )["choices"][0]["message"]["content"]
    finally:
        direct.close()
    assert answer.content == expected
    assert answer.stop_reason in ("eos", "length")
    assert answer.stats["completion_tokens"] > 0
    assert answer.stats["prompt_tokens"] > 0
    shown = loaded.window.chat_view.bubbles
    assert [b.role for b in shown] == ["user", "assistant"]
    assert shown[-1].text == answer.content
    assert "tokens/s" in loaded.window.speed_status.text()


def test_stop_mid_answer_keeps_the_partial_answer(qtbot, loaded):
    loaded.session.params = SamplingParams(temperature=0.0, max_tokens=1500, seed=1)
    window = loaded.window
    with qtbot.waitSignal(loaded.session.answer_text, timeout=30_000):
        type_and_send(qtbot, loaded, "Write a very long story.")
    assert window.composer.button.text() == "Stop"

    with qtbot.waitSignal(loaded.session.answer_saved, timeout=30_000) as saved:
        qtbot.mouseClick(window.composer.button, Qt.MouseButton.LeftButton)

    answer = saved.args[0]
    assert answer.stop_reason == "stopped"
    assert answer.content
    assert answer.stats["completion_tokens"] < 1500
    # The GUI is usable at once: Send is back and a new message goes out.
    assert window.composer.button.text() == "Send"
    assert window.composer.button.isEnabled()
    loaded.session.params = SamplingParams(temperature=0.0, max_tokens=8, seed=1)
    send_and_wait(qtbot, loaded, "Again?")
    thread = loaded.store.thread(window.current_conversation)
    assert next(m.stop_reason for m in thread if m.role == "assistant") == "stopped"


def test_escape_stops_the_answer(qtbot, loaded):
    loaded.session.params = SamplingParams(temperature=0.0, max_tokens=1500, seed=1)
    with qtbot.waitSignal(loaded.session.answer_text, timeout=30_000):
        type_and_send(qtbot, loaded, "Go on forever.")
    with qtbot.waitSignal(loaded.session.answer_saved, timeout=30_000) as saved:
        qtbot.keyClick(loaded.window.composer.editor, Qt.Key.Key_Escape)
    assert saved.args[0].stop_reason == "stopped"


def test_empty_message_is_not_sent(qtbot, loaded):
    editor = loaded.window.composer.editor
    qtbot.keyClicks(editor, "   ")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert not loaded.session.generating
    conversation = loaded.window.current_conversation
    assert conversation is None or loaded.store.thread(conversation) == []


def test_cannot_send_while_an_answer_streams(qtbot, loaded):
    loaded.session.params = SamplingParams(temperature=0.0, max_tokens=600, seed=3)
    with qtbot.waitSignal(loaded.session.answer_text, timeout=30_000):
        type_and_send(qtbot, loaded, "First")
    with qtbot.waitSignal(loaded.session.answer_saved, timeout=60_000):
        type_and_send(qtbot, loaded, "Second, too early")
        loaded.session.stop()
    users = [m for m in loaded.store.thread(loaded.window.current_conversation) if m.role == "user"]
    assert [m.content for m in users] == ["First"]


def test_regenerate_keeps_both_answers_as_siblings(qtbot, loaded):
    loaded.session.params = SamplingParams(temperature=0.9, max_tokens=12, seed=-1)
    first = send_and_wait(qtbot, loaded, "Say something.")
    with qtbot.waitSignal(loaded.session.answer_saved, timeout=30_000) as second:
        loaded.window.chat_view.regenerate_requested.emit()
    siblings = loaded.store.siblings(first.parent_id)
    assert [s.id for s in siblings] == [first.id, second.args[0].id]
    assert loaded.window.chat_view.bubbles[-1].text == second.args[0].content
    assert len(loaded.window.chat_view.bubbles) == 2


def test_a_second_window_shows_the_earlier_conversation(qtbot, loaded, make_parts):
    loaded.session.params = SamplingParams(temperature=0.0, max_tokens=12, seed=0)
    answer = send_and_wait(qtbot, loaded, "Remember this conversation")

    second = make_parts()
    titles = [
        second.window.conversation_list.list.item(i).text()
        for i in range(second.window.conversation_list.list.count())
    ]
    assert titles == ["Remember this conversation"]
    texts = [b.text for b in second.window.chat_view.bubbles]
    assert texts == ["Remember this conversation", answer.content]


def test_closing_while_streaming_saves_the_partial_answer_and_joins_the_thread(
    qtbot, loaded, home: AppPaths
):
    loaded.session.params = SamplingParams(temperature=0.0, max_tokens=1500, seed=1)
    with qtbot.waitSignal(loaded.session.answer_text, timeout=30_000):
        type_and_send(qtbot, loaded, "A long answer, please.")

    loaded.window.close()

    assert not loaded.host.thread_running()
    with Store(home.database) as store:
        (conversation,) = store.list_conversations()
        messages = store.thread(conversation.id)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[-1].stop_reason == "stopped"
    assert messages[-1].content


@pytest.mark.parametrize("damage", ["truncated", "not_gguf", "missing"])
def test_a_bad_model_file_shows_a_message_and_keeps_the_previous_model(
    qtbot, loaded, tiny_model, tmp_path, damage
):
    bad = tmp_path / f"bad model ({damage}).gguf"
    if damage == "truncated":
        data = tiny_model.read_bytes()
        bad.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "not_gguf":
        bad.write_text("this is not a model\n")
    with qtbot.waitSignal(loaded.host.load_failed, timeout=30_000) as failed:
        loaded.window.load_model(bad)

    message = failed.args[0]
    assert bad.name in message
    assert "Traceback" not in message
    assert loaded.window.banner.isVisible()
    assert loaded.window.banner.label.text() == message
    assert loaded.host.model.info.path == tiny_model
    loaded.session.params = SamplingParams(temperature=0.0, max_tokens=6, seed=0)
    assert send_and_wait(qtbot, loaded, "Still there?").model == tiny_model.name


def test_conversations_can_be_renamed_searched_and_deleted(qtbot, loaded, monkeypatch):
    loaded.session.params = SamplingParams(temperature=0.0, max_tokens=4, seed=0)
    send_and_wait(qtbot, loaded, "About llamas")
    qtbot.mouseClick(loaded.window.conversation_list.new_button, Qt.MouseButton.LeftButton)
    send_and_wait(qtbot, loaded, "About 100% of alpacas")
    sidebar = loaded.window.conversation_list

    def titles() -> list[str]:
        return [sidebar.list.item(i).text() for i in range(sidebar.list.count())]

    assert titles() == ["About 100% of alpacas", "About llamas"]
    sidebar.search.setText("100%")
    assert titles() == ["About 100% of alpacas"]
    sidebar.search.clear()

    llamas = loaded.store.list_conversations("llamas")[0].id
    sidebar.rename_requested.emit(llamas, "Llama facts")
    assert "Llama facts" in titles()

    asked: list[str] = []

    def answer(reply: bool):
        def fake_confirm(_parent, _title, text, _action) -> bool:
            asked.append(text)
            return reply

        return fake_confirm

    monkeypatch.setattr(widgets, "confirm", answer(False))
    sidebar.ask_delete(llamas, "Llama facts")
    assert "Llama facts" in titles()
    monkeypatch.setattr(widgets, "confirm", answer(True))
    sidebar.ask_delete(llamas, "Llama facts")
    assert len(asked) == 2
    assert "Llama facts" in asked[0]
    assert titles() == ["About 100% of alpacas"]
    assert loaded.store.thread(llamas) == []


def test_model_picker_lists_the_models_folder(qtbot, parts, tiny_model):
    target = parts.window.paths.models / "copied-model.gguf"
    shutil.copy(tiny_model, target)
    with qtbot.waitSignal(parts.host.loaded, timeout=60_000):
        parts.window.load_model(target)
    picker = parts.window.model_picker
    items = [picker.itemText(i) for i in range(picker.count())]
    assert "copied-model" in items
    assert picker.currentText() == "copied-model"
    assert items[-1] == "Open GGUF file…"


def test_the_last_model_loads_again_at_start(qtbot, loaded, make_parts, tiny_model):
    second = make_parts()
    with qtbot.waitSignal(second.host.loaded, timeout=60_000) as reloaded:
        second.window.start()
    assert reloaded.args[0].info.path == Path(tiny_model)


def test_the_chat_keeps_qts_own_thread_actions_and_connect(qtbot, parts: AppParts):
    from PySide6.QtCore import QObject, QThread

    from llamadesk.services import model_host, model_loader
    from llamadesk.ui.chat_view import MessageBubble

    # A Qt method hidden by an attribute of the same name breaks Qt's own use of it.
    assert isinstance(parts.session.thread(), QThread)
    bubble = MessageBubble("assistant", "Model", "Hi")
    qtbot.addWidget(bubble)
    assert bubble.actions() == []
    for cls in (model_host.ModelHost, model_host._Worker, model_loader.ModelLoader):
        assert cls.connect is QObject.connect, cls  # a remote model is connect_remote()
