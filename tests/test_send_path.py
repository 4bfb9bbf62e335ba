"""Sending a message: it is stored before the model is asked, and the window shows it (with
the answer's bubble, the conversation list and the Stop button) with the answer's first
text, or soon after if that first text takes long (issue 12: the window's work no longer
competes with the model's first step)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from llamadesk.core.answer_stats import AnswerStats
from llamadesk.core.engine import SamplingParams
from llamadesk.services.model_host import AnswerResult
from llamadesk.ui.app import AppParts


@pytest.fixture
def standin(parts: AppParts, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """A stand-in model on `parts`: the host starts nothing, and the test sends the answer's
    text through the host's own signals. Returns, for each answer asked for, the contents of
    the stored thread at the moment the model was asked."""
    host, store, page = parts.host, parts.store, parts.window.chat
    asked: list[list[str]] = []

    def generate(*_args: object, **_kwargs: object) -> int:
        conversation = page.current_conversation
        assert conversation is not None
        asked.append([message.content for message in store.thread(conversation)])
        return len(asked)

    monkeypatch.setattr(host, "model", SimpleNamespace(info=SimpleNamespace(path=Path("m.gguf"))))
    monkeypatch.setattr(host, "generate", generate)
    return asked


def send(parts: AppParts, text: str) -> None:
    parts.window.composer.editor.setPlainText(text)
    parts.window.composer.send_requested.emit(text)


def answered(request_id: int, text: str, error: str = "") -> AnswerResult:
    stats = AnswerStats(4, 2, 10.0, 100.0, 20.0, "error" if error else "eos", 1, error)
    return AnswerResult(request_id, text, stats, SamplingParams(), "m.gguf")


def shown(parts: AppParts) -> list[str]:
    return [bubble.text for bubble in parts.window.chat_view.bubbles]


def test_the_message_is_stored_before_the_model_is_asked_and_shown_with_the_first_text(
    parts, standin
):
    window = parts.window
    send(parts, "Hello there")

    assert standin == [["Hello there"]], "stored before the model was asked"
    assert window.composer.editor.toPlainText() == ""  # it is stored: the box is free
    # Until the first text, the window's work waits: the model has the cores.
    assert window.chat_view.streaming_bubble is None

    parts.host.pieces.emit(1, "General Kenobi")

    assert shown(parts) == ["Hello there"]
    streaming = window.chat_view.streaming_bubble
    assert streaming is not None
    assert streaming.text == "General Kenobi"
    assert window.composer.button.text() == "Stop"
    assert window.conversation_list.list.currentItem().text() == "Hello there"

    parts.host.pieces.emit(1, ", you are a bold one.")
    assert streaming.text == "General Kenobi, you are a bold one."
    parts.host.answered.emit(answered(1, streaming.text))
    assert shown(parts) == ["Hello there", "General Kenobi, you are a bold one."]
    assert window.composer.button.text() == "Send"


def test_a_slow_first_token_still_shows_the_message_and_stop(qtbot, parts, standin):
    window = parts.window
    send(parts, "Think hard about this")

    qtbot.waitUntil(lambda: window.chat_view.streaming_bubble is not None)
    assert shown(parts) == ["Think hard about this"]
    assert window.composer.button.text() == "Stop"
    assert window.conversation_list.list.currentItem().text() == "Think hard about this"

    parts.host.pieces.emit(1, "Done thinking.")
    assert window.chat_view.streaming_bubble.text == "Done thinking."


def test_reasoning_first_shows_the_answer_with_its_reasoning(parts, standin):
    send(parts, "Why is the sky blue?")
    parts.host.reasoning.emit(1, "Rayleigh scattering")

    streaming = parts.window.chat_view.streaming_bubble
    assert streaming is not None
    assert streaming.reasoning is not None
    assert streaming.reasoning.text == "Rayleigh scattering"
    assert parts.window.composer.button.text() == "Stop"


def test_an_answer_failing_before_its_first_text_shows_the_message_and_the_error(parts, standin):
    window = parts.window
    send(parts, "Will this work?")
    parts.host.answered.emit(answered(1, "", error="The model failed while answering: boom"))

    assert shown(parts) == ["Will this work?"]
    assert window.chat_view.streaming_bubble is None
    assert not window.chat._catch_up_timer.isActive()  # nothing left to show later
    assert "boom" in window.banner.label.text()
    assert window.composer.button.text() == "Send"
    assert not parts.session.generating


def test_sending_again_before_the_first_text_changes_nothing(parts, standin):
    window = parts.window
    send(parts, "First")
    send(parts, "Second, too early")

    assert standin == [["First"]]  # the model was asked once
    assert window.composer.editor.toPlainText() == "Second, too early"  # nothing lost
    assert not window.banner.isVisible()  # and no error for it
    assert [m.content for m in parts.store.thread(window.chat.current_conversation)] == ["First"]


def test_closing_the_window_before_the_first_text_leaves_nothing_to_show_later(parts, standin):
    """The catch-up waits at most FIRST_TEXT_WAIT_MS; a window closed within it must not
    show the thread afterwards, when the store it reads is closed."""
    send(parts, "Hello there")
    timer = parts.window.chat._catch_up_timer
    assert timer.isActive()
    parts.window.close()
    assert not timer.isActive()
    parts.store.close()
    timer.timeout.emit()  # as if it fired anyway: a catch-up now would read the closed store


def test_sending_with_no_model_leaves_no_empty_chat_and_keeps_the_text(parts) -> None:
    window = parts.window
    assert parts.host.model is None
    assert window.chat.current_conversation is None
    window.composer.editor.setPlainText("Hello?")
    window.composer.send_requested.emit("Hello?")
    assert "Load a model first" in window.banner.label.text()
    assert parts.store.list_conversations() == [], "no empty 'New chat' in the sidebar"
    assert window.composer.editor.toPlainText() == "Hello?"
