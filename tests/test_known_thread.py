"""KnownThread: the open conversation's thread kept in memory, the store still the truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from llamadesk.core.known_thread import KnownThread
from llamadesk.core.store import Message, Store


class CountingStore(Store):
    """A store that counts how often a whole thread is read back."""

    reads = 0

    def thread(self, conversation_id: int) -> list[Message]:
        self.reads += 1
        return super().thread(conversation_id)


@pytest.fixture
def store(tmp_path: Path):
    with CountingStore(tmp_path / "history.db") as store:
        yield store


def add_answer(store: Store, prompt: Message, text: str) -> Message:
    return store.add_answer(
        prompt.conversation_id,
        prompt.id,
        text,
        model="m.gguf",
        params={},
        seed=1,
        stats={},
        stop_reason="eos",
    )


def test_messages_stored_through_it_need_no_new_read(store):
    chat = store.create_conversation()
    known = KnownThread(store)
    assert known.thread(chat.id) == []
    assert store.reads == 1
    prompt = known.store_message(lambda: store.add_user_message(chat.id, "Hello"))
    first = known.store_message(lambda: add_answer(store, prompt, "Hi"))
    second_prompt = known.store_message(lambda: store.add_user_message(chat.id, "And?"))
    # Another answer to the first prompt takes the place of the one shown.
    again = known.store_message(lambda: add_answer(store, prompt, "Hi again"))

    assert known.thread(chat.id) == [prompt, again, second_prompt]
    assert store.reads == 1
    assert store.thread(chat.id) == [prompt, again, second_prompt]
    assert first not in known.thread(chat.id)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda store, answers: store.select_answer(answers[0].id), id="select"),
        pytest.param(lambda store, answers: store.delete_message(answers[1].id), id="delete"),
        pytest.param(
            lambda store, answers: add_answer(store, store.message(answers[0].parent_id), "New"),
            id="answer stored elsewhere",
        ),
    ],
)
def test_a_change_made_elsewhere_is_read_again(store, change):
    chat = store.create_conversation()
    prompt = store.add_user_message(chat.id, "Hello")
    answers = [add_answer(store, prompt, "One"), add_answer(store, prompt, "Two")]
    known = KnownThread(store)
    known.thread(chat.id)

    change(store, answers)

    assert known.thread(chat.id) == store.thread(chat.id)


def test_a_change_by_another_connection_is_read_again(store, tmp_path):
    chat = store.create_conversation()
    known = KnownThread(store)
    prompt = known.store_message(lambda: store.add_user_message(chat.id, "Hello"))
    with Store(tmp_path / "history.db") as other:  # another window on the same file
        reply = add_answer(other, prompt, "From the other window")

    assert known.thread(chat.id) == [prompt, reply]


def test_a_message_stored_after_a_change_elsewhere_is_not_patched_in(store):
    chat = store.create_conversation()
    prompt = store.add_user_message(chat.id, "Hello")
    known = KnownThread(store)
    known.thread(chat.id)
    store.add_user_message(chat.id, "Written elsewhere")
    reads = store.reads

    mine = known.store_message(lambda: store.add_user_message(chat.id, "Mine"))

    assert [m.content for m in known.thread(chat.id)] == ["Hello", "Written elsewhere", "Mine"]
    assert store.reads == reads + 1
    assert known.thread(chat.id)[-1] == mine
    assert prompt in known.thread(chat.id)


def test_each_conversation_is_read_when_asked_for(store):
    one, two = store.create_conversation(), store.create_conversation()
    known = KnownThread(store)
    first = store.add_user_message(one.id, "In one")
    second = store.add_user_message(two.id, "In two")
    assert known.thread(one.id) == [first]
    assert known.thread(two.id) == [second]
    # A message of another conversation leaves the one held as it was, and correct.
    third = known.store_message(lambda: store.add_user_message(one.id, "One more"))
    assert known.thread(two.id) == [second]
    assert known.thread(one.id) == [first, third]
