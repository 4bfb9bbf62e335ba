"""A long conversation in the window: sending and answering do not read the whole thread
back from the store, and the transcript still shows what the store holds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from llamadesk.core.store import Message, Store
from llamadesk.ui.app import AppParts
from llamadesk.ui.chat_view import INITIAL_WINDOW, ChatView, MessageBubble
from test_chat_gui import send_and_wait

PAIRS = 30  # more messages than a chat shows when it opens


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The conversation ids whose whole thread was read back from a store."""
    seen: list[int] = []
    read = Store.thread

    def counting(store: Store, conversation_id: int) -> list[Message]:
        seen.append(conversation_id)
        return read(store, conversation_id)

    monkeypatch.setattr(Store, "thread", counting)
    return seen


def long_chat(parts: AppParts, title: str = "Long") -> int:
    store = parts.store
    chat = store.create_conversation(title)
    for number in range(PAIRS):
        prompt = store.add_user_message(chat.id, f"Question {number}")
        store.add_answer(
            chat.id,
            prompt.id,
            f"Answer {number}",
            model="m.gguf",
            params={},
            seed=1,
            stats={},
            stop_reason="eos",
        )
    parts.window.conversation_list.selected.emit(chat.id)
    return chat.id


def shown(parts: AppParts) -> list[str]:
    return [bubble.text for bubble in parts.window.chat_view.bubbles]


def stored_tail(parts: AppParts, conversation_id: int, count: int) -> list[str]:
    return [m.content for m in parts.store.thread(conversation_id)][-count:]


def test_sending_in_a_long_chat_does_not_read_the_thread_again(
    qtbot, loaded, script_answers, reads
):
    script_answers("Sure.", "Here is another.")
    chat = long_chat(loaded)
    assert shown(loaded) == stored_tail(loaded, chat, INITIAL_WINDOW)
    reads.clear()

    answer = send_and_wait(qtbot, loaded, "One more?")
    assert reads == []
    with qtbot.waitSignal(loaded.session.answer_saved, timeout=60_000) as again:
        loaded.window.chat_view.regenerate_requested.emit()
    assert reads == []

    # (The test model's vocabulary writes a space before the first word.)
    assert answer.content.strip() == "Sure."
    assert again.args[0].content.strip() == "Here is another."
    assert shown(loaded)[-3:] == ["Answer 29", "One more?", again.args[0].content]
    assert shown(loaded) == stored_tail(loaded, chat, INITIAL_WINDOW + 2)
    assert loaded.window.chat_view.streaming_bubble is None


def test_the_transcript_follows_changes_made_elsewhere(qtbot, loaded, script_answers, reads):
    script_answers("Fine.")
    chat = long_chat(loaded)
    send_and_wait(qtbot, loaded, "Still there?")
    # The data set page deletes the newest pair; the chat is told and reads it again.
    prompt = loaded.store.thread(chat)[-2]
    loaded.store.delete_message(prompt.id)
    loaded.window.dataset.changed.emit()
    assert shown(loaded)[-1] == "Answer 29"
    assert shown(loaded) == stored_tail(loaded, chat, len(shown(loaded)))

    # Sent again after that change: the thread is right, prompt and answer included.
    answer = send_and_wait(qtbot, loaded, "Once more?")
    assert shown(loaded)[-3:] == ["Answer 29", "Once more?", answer.content]
    history = [m.content for m in loaded.store.thread(chat)]
    assert "Still there?" not in history
    assert history[-2:] == ["Once more?", answer.content]


def test_switching_and_deleting_chats_shows_each_chats_own_messages(qtbot, loaded, script_answers):
    script_answers("Noted.")
    first = long_chat(loaded, "First")
    second = long_chat(loaded, "Second")
    noted = send_and_wait(qtbot, loaded, "In the second").content
    assert shown(loaded)[-2:] == ["In the second", noted]

    loaded.window.conversation_list.selected.emit(first)
    assert shown(loaded) == stored_tail(loaded, first, INITIAL_WINDOW)
    assert "In the second" not in shown(loaded)

    loaded.window.conversation_list.delete_requested.emit(first)
    assert loaded.window.current_conversation == second
    assert shown(loaded) == stored_tail(loaded, second, INITIAL_WINDOW)
    assert shown(loaded)[-1] == noted


def message(number: int) -> Message:
    role = "user" if number % 2 == 0 else "assistant"
    return Message(
        id=number + 1,
        conversation_id=1,
        role=role,
        content=f"Message {number}",
        created=0.0,
        parent_id=None if role == "user" else number,
        model="m.gguf" if role == "assistant" else "",
        params={},
        seed=None,
        stats={},
        stop_reason="eos" if role == "assistant" else "",
        selected=role == "assistant",
    )


def test_rows_changed_across_blocks_are_rebuilt_in_order(qtbot):
    view = ChatView()
    qtbot.addWidget(view)
    view.show()
    messages = [message(number) for number in range(3 * INITIAL_WINDOW)]
    view.show_messages(messages)
    view.show_earlier()
    view.show_earlier()
    assert [b.text for b in view.bubbles] == [m.content for m in messages]
    kept = view.bubbles[:INITIAL_WINDOW]

    # An answer in the first block changes: the rows from it down are rebuilt, the
    # emptied blocks go, and the transcript reads in order.
    changed = [
        *messages[: INITIAL_WINDOW - 3],
        replace(messages[INITIAL_WINDOW - 3], content="New"),
    ]
    view.show_messages(changed, same_conversation=True)

    assert [b.text for b in view.bubbles] == [m.content for m in changed]
    assert view.bubbles[: INITIAL_WINDOW - 3] == kept[: INITIAL_WINDOW - 3]
    # The rows taken away go with their bubbles; none is left in view.
    qtbot.waitUntil(
        lambda: [b for b in view.findChildren(MessageBubble) if b.isVisible()] == view.bubbles
    )
