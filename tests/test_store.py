"""Tests for the chat history store."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conftest import TickingClock
from llamadesk.core import store as store_module
from llamadesk.core.store import (
    AUTO_TITLE_LENGTH,
    DEFAULT_TITLE,
    MIGRATIONS,
    Message,
    NotFound,
    Store,
    StoreError,
)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "llamadesk.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path, clock=TickingClock()) as opened:
        yield opened


@pytest.fixture
def open_store(db_path: Path) -> Iterator[Callable[[], Store]]:
    """Opens more stores on the same file and closes them all at the end."""
    opened: list[Store] = []

    def open_one() -> Store:
        opened.append(Store(db_path, clock=TickingClock()))
        return opened[-1]

    yield open_one
    for each in opened:
        each.close()


def raw_query(path: Path, sql: str) -> list[Any]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


def answer(store: Store, prompt: Message, content: str = "An answer", **overrides: Any) -> Message:
    fields: dict[str, Any] = {
        "model": "tiny.gguf",
        "params": {"temperature": 0.7},
        "seed": 42,
        "stats": {"completion_tokens": 3},
        "stop_reason": "eos",
    }
    fields.update(overrides)
    return store.add_answer(prompt.conversation_id, prompt.id, content, **fields)


# Opening and the schema


def test_creates_the_file_and_its_folder(store: Store, db_path: Path) -> None:
    assert db_path.is_file()
    tables = {name for (name,) in raw_query(db_path, "SELECT name FROM sqlite_master")}
    assert {"conversations", "messages"} <= tables
    assert {"messages_by_conversation", "messages_by_parent"} <= tables


def test_uses_wal(store: Store, db_path: Path) -> None:
    # WAL is stored in the file, so a fresh connection reports it too.
    assert raw_query(db_path, "PRAGMA journal_mode") == [("wal",)]


def test_migrates_an_empty_file_to_the_current_version(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.touch()
    with Store(db_path) as opened:
        assert opened.count_conversations() == 0
    assert raw_query(db_path, "PRAGMA user_version") == [(len(MIGRATIONS),)]


def test_reopening_does_not_migrate_again(db_path: Path) -> None:
    with Store(db_path) as first:
        first.create_conversation("Kept")
    with Store(db_path) as second:
        assert [c.title for c in second.list_conversations()] == ["Kept"]
    assert raw_query(db_path, "PRAGMA user_version") == [(len(MIGRATIONS),)]


def test_a_failing_migration_changes_nothing(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_done(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half (id INTEGER)")
        db.execute("THIS IS NOT SQL")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*MIGRATIONS, half_done])
    with pytest.raises(StoreError, match="Cannot open"):
        Store(db_path)
    # The earlier migrations committed in their own transactions; the broken one left no trace.
    assert raw_query(db_path, "PRAGMA user_version") == [(len(MIGRATIONS),)]
    assert raw_query(db_path, "SELECT name FROM sqlite_master WHERE name = 'half'") == []


def test_refuses_a_database_from_a_newer_version(db_path: Path) -> None:
    Store(db_path).close()
    with closing(sqlite3.connect(db_path)) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="was written by a newer LlamaDesk") as caught:
        Store(db_path)
    assert str(db_path) in str(caught.value)


def test_a_corrupt_file_raises_store_error_naming_it(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is no database, just some garbage bytes" * 100)
    with pytest.raises(StoreError) as caught:
        Store(db_path)
    assert str(db_path) in str(caught.value)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_a_folder_in_the_way_raises_store_error(db_path: Path) -> None:
    db_path.mkdir(parents=True)
    with pytest.raises(StoreError, match="Cannot open"):
        Store(db_path)


def test_close_twice_is_harmless(db_path: Path) -> None:
    opened = Store(db_path)
    opened.close()
    opened.close()


# Conversations


def test_create_and_read_a_conversation(store: Store) -> None:
    created = store.create_conversation("  Plans  ", system_prompt="Be brief.")
    assert created.title == "Plans"
    assert created.system_prompt == "Be brief."
    assert created.created == created.updated
    assert store.conversation(created.id) == created


def test_default_title(store: Store) -> None:
    assert store.create_conversation().title == DEFAULT_TITLE


def test_blank_title_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="title"):
        store.create_conversation("   ")


def test_missing_conversation_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.conversation(123)
    with pytest.raises(NotFound):
        store.rename_conversation(123, "Title")
    with pytest.raises(NotFound):
        store.set_system_prompt(123, "Prompt")
    with pytest.raises(NotFound):
        store.add_user_message(123, "Hello")


def test_not_found_is_a_lookup_error_and_a_store_error(store: Store) -> None:
    with pytest.raises(LookupError):
        store.message(1)
    with pytest.raises(StoreError):
        store.message(1)


def test_rename_and_set_system_prompt(store: Store) -> None:
    conversation = store.create_conversation()
    store.rename_conversation(conversation.id, "  Holiday  ")
    store.set_system_prompt(conversation.id, "You are a travel agent.")
    changed = store.conversation(conversation.id)
    assert changed.title == "Holiday"
    assert changed.system_prompt == "You are a travel agent."


def test_rename_refuses_a_blank_title(store: Store) -> None:
    conversation = store.create_conversation("Kept")
    with pytest.raises(ValueError, match="title"):
        store.rename_conversation(conversation.id, " \n ")
    assert store.conversation(conversation.id).title == "Kept"


def test_list_is_newest_update_first(store: Store) -> None:
    first = store.create_conversation("First")
    second = store.create_conversation("Second")
    assert [c.id for c in store.list_conversations()] == [second.id, first.id]
    store.add_user_message(first.id, "Bump")
    assert [c.id for c in store.list_conversations()] == [first.id, second.id]


def test_count_conversations(store: Store) -> None:
    assert store.count_conversations() == 0
    store.create_conversation()
    store.create_conversation()
    assert store.count_conversations() == 2


def test_search_ignores_case(store: Store) -> None:
    store.create_conversation("Baking Bread")
    store.create_conversation("Äpfel und Birnen")
    store.create_conversation("Taxes")
    assert [c.title for c in store.list_conversations("bread")] == ["Baking Bread"]
    assert [c.title for c in store.list_conversations("äPFEL")] == ["Äpfel und Birnen"]
    assert len(store.list_conversations("  ")) == 3


def test_search_treats_wildcards_literally(store: Store) -> None:
    store.create_conversation("100% sure")
    store.create_conversation("100 times")
    store.create_conversation("snake_case")
    store.create_conversation("snakeXcase")
    store.create_conversation("back\\slash")
    assert [c.title for c in store.list_conversations("100%")] == ["100% sure"]
    assert [c.title for c in store.list_conversations("%")] == ["100% sure"]
    assert [c.title for c in store.list_conversations("e_c")] == ["snake_case"]
    assert [c.title for c in store.list_conversations("\\")] == ["back\\slash"]


def test_delete_conversation_takes_its_messages(store: Store, db_path: Path) -> None:
    doomed = store.create_conversation()
    kept = store.create_conversation()
    answer(store, store.add_user_message(doomed.id, "Goes"))
    store.add_user_message(kept.id, "Stays")
    store.delete_conversation(doomed.id)
    with pytest.raises(NotFound):
        store.conversation(doomed.id)
    assert raw_query(db_path, "SELECT content FROM messages") == [("Stays",)]
    store.delete_conversation(doomed.id)  # already gone: nothing happens


# Messages


def test_user_message_round_trip(store: Store) -> None:
    conversation = store.create_conversation("Titled")
    message = store.add_user_message(conversation.id, "  Hello\nthere  ")
    assert message.role == "user"
    assert message.content == "  Hello\nthere  "
    assert message.parent_id is None
    assert message.conversation_id == conversation.id
    assert message.params == {}
    assert message.stats == {}
    assert message.seed is None
    assert not message.selected
    assert store.message(message.id) == message


def test_user_message_touches_the_conversation(store: Store) -> None:
    conversation = store.create_conversation()
    message = store.add_user_message(conversation.id, "Hi")
    assert store.conversation(conversation.id).updated == message.created > conversation.updated


def test_blank_user_message_is_refused(store: Store) -> None:
    conversation = store.create_conversation()
    with pytest.raises(ValueError, match="text"):
        store.add_user_message(conversation.id, " \n\t ")
    assert store.thread(conversation.id) == []


def test_answer_round_trip(store: Store) -> None:
    conversation = store.create_conversation()
    prompt = store.add_user_message(conversation.id, "Count to three")
    params = {"temperature": 0.2, "stop": ["\n"], "top_k": 40, "grammar": None}
    stats = {"prompt_tokens": 12, "completion_tokens": 5, "ttft_ms": 81.5}
    reply = answer(
        store, prompt, "1 2 3", params=params, seed=None, stats=stats, stop_reason="length"
    )
    assert reply.role == "assistant"
    assert reply.parent_id == prompt.id
    assert reply.model == "tiny.gguf"
    assert reply.params == params
    assert reply.stats == stats
    assert reply.seed is None
    assert reply.stop_reason == "length"
    assert reply.selected
    assert store.message(reply.id) == reply
    assert store.conversation(conversation.id).updated == reply.created


def test_answer_must_reply_to_a_user_message_of_the_conversation(store: Store) -> None:
    conversation = store.create_conversation()
    other = store.create_conversation()
    prompt = store.add_user_message(conversation.id, "Hi")
    reply = answer(store, prompt)
    with pytest.raises(ValueError, match="not a user message"):
        store.add_answer(other.id, prompt.id, "x", **_generation())
    with pytest.raises(ValueError, match="not a user message"):
        store.add_answer(conversation.id, reply.id, "x", **_generation())
    with pytest.raises(NotFound):
        store.add_answer(conversation.id, 999, "x", **_generation())
    assert store.siblings(prompt.id) == [reply]


def test_answer_stats_go_in_as_a_dataclass_and_come_back_as_one(
    store: Store, db_path: Path
) -> None:
    from llamadesk.core.answer_stats import AnswerStats

    stats = AnswerStats(12, 5, 81.5, 240.0, 20.8, "length", 42, reasoning_ms=30.0)
    prompt = store.add_user_message(store.create_conversation().id, "Count to three")
    reply = answer(store, prompt, "1 2 3", stats=stats, stop_reason="length")

    assert reply.answer_stats == stats
    assert store.message(prompt.id).answer_stats is None, "a user message has none"
    # The column holds the same JSON as before the dataclass: scripts and old rows read alike.
    ((stored,),) = raw_query(db_path, f"SELECT stats FROM messages WHERE id = {reply.id}")
    assert json.loads(stored) == stats.as_dict()


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({}, None),
        ({"completion_tokens": 3}, None),  # figures missing
        (
            {
                "prompt_tokens": 1,
                "completion_tokens": "3",  # of the wrong kind
                "ttft_ms": 1,
                "total_ms": 2,
                "tokens_per_second": 3,
                "stop_reason": "eos",
                "seed": 1,
            },
            None,
        ),
        (
            {  # an older record: no reasoning figures, and a key no longer written
                "prompt_tokens": 1,
                "completion_tokens": 3,
                "ttft_ms": 1,
                "total_ms": 2,
                "tokens_per_second": 3,
                "stop_reason": "eos",
                "seed": 1,
                "retired": True,
            },
            "ok",
        ),
    ],
)
def test_stored_stats_read_back_only_when_whole(stored: dict[str, Any], expected: Any) -> None:
    from llamadesk.core.answer_stats import AnswerStats

    stats = AnswerStats.from_dict(stored)
    if expected is None:
        assert stats is None
    else:
        assert stats == AnswerStats(1, 3, 1, 2, 3, "eos", 1)
        assert stats.reasoning_ms == 0.0


def _generation(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "model": "m.gguf",
        "params": {},
        "seed": 1,
        "stats": {},
        "stop_reason": "eos",
    }
    fields.update(overrides)
    return fields


@pytest.mark.parametrize(
    "bad",
    [
        {"params": {"callback": object()}},
        {"params": {"temperature": float("nan")}},
        {"stats": {"when": {1, 2}}},
    ],
)
def test_answer_refuses_values_that_are_not_json(store: Store, bad: dict[str, Any]) -> None:
    prompt = store.add_user_message(store.create_conversation().id, "Hi")
    with pytest.raises(ValueError, match="JSON"):
        store.add_answer(prompt.conversation_id, prompt.id, "x", **_generation(**bad))
    assert store.siblings(prompt.id) == []


def test_answer_refuses_an_unknown_stop_reason(store: Store) -> None:
    prompt = store.add_user_message(store.create_conversation().id, "Hi")
    with pytest.raises(ValueError, match="stop reason"):
        store.add_answer(
            prompt.conversation_id, prompt.id, "x", **_generation(stop_reason="finished")
        )


def test_missing_message_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.message(5)
    with pytest.raises(NotFound):
        store.select_answer(5)


# Siblings, selection and the thread


def test_new_answer_becomes_the_selected_sibling(store: Store) -> None:
    prompt = store.add_user_message(store.create_conversation().id, "Joke?")
    first = answer(store, prompt, "First")
    second = answer(store, prompt, "Second")
    siblings = store.siblings(prompt.id)
    assert [s.content for s in siblings] == ["First", "Second"]
    assert [s.selected for s in siblings] == [False, True]
    assert not store.message(first.id).selected
    assert second.selected


def test_select_answer(store: Store) -> None:
    prompt = store.add_user_message(store.create_conversation().id, "Joke?")
    first = answer(store, prompt, "First")
    answer(store, prompt, "Second")
    store.select_answer(first.id)
    assert [s.selected for s in store.siblings(prompt.id)] == [True, False]
    store.select_answer(first.id)  # already selected: still exactly one
    assert [s.selected for s in store.siblings(prompt.id)] == [True, False]


def test_select_answer_refuses_a_user_message(store: Store) -> None:
    prompt = store.add_user_message(store.create_conversation().id, "Joke?")
    with pytest.raises(ValueError, match="not an answer"):
        store.select_answer(prompt.id)


def test_selection_does_not_reach_other_prompts(store: Store) -> None:
    conversation = store.create_conversation()
    one = store.add_user_message(conversation.id, "One")
    two = store.add_user_message(conversation.id, "Two")
    answer_one = answer(store, one)
    answer(store, two)
    answer(store, two)
    assert store.message(answer_one.id).selected


def test_thread_shows_each_prompt_with_its_selected_answer(store: Store) -> None:
    conversation = store.create_conversation()
    first = store.add_user_message(conversation.id, "First question")
    answer(store, first, "Draft")
    kept = answer(store, first, "Better")
    second = store.add_user_message(conversation.id, "Second question")
    third = store.add_user_message(conversation.id, "Unanswered")
    # An answer to an earlier prompt arriving late must still sit under its prompt.
    late = answer(store, second, "Late")
    store.select_answer(kept.id)
    thread = store.thread(conversation.id)
    assert [m.id for m in thread] == [first.id, kept.id, second.id, late.id, third.id]


def test_thread_of_another_conversation_is_separate(store: Store) -> None:
    mine = store.create_conversation()
    other = store.create_conversation()
    store.add_user_message(other.id, "Elsewhere")
    assert store.thread(mine.id) == []
    assert store.thread(12345) == []


def test_deleting_a_user_message_takes_its_answers(store: Store) -> None:
    conversation = store.create_conversation()
    prompt = store.add_user_message(conversation.id, "Hi")
    first = answer(store, prompt)
    answer(store, prompt)
    store.delete_message(prompt.id)
    assert store.siblings(prompt.id) == []
    with pytest.raises(NotFound):
        store.message(first.id)
    assert store.thread(conversation.id) == []


def test_deleting_the_selected_answer_shows_the_newest_remaining(store: Store) -> None:
    prompt = store.add_user_message(store.create_conversation().id, "Hi")
    first = answer(store, prompt, "First")
    second = answer(store, prompt, "Second")
    third = answer(store, prompt, "Third")
    store.select_answer(second.id)
    store.delete_message(second.id)
    assert [(s.id, s.selected) for s in store.siblings(prompt.id)] == [
        (first.id, False),
        (third.id, True),
    ]


def test_deleting_an_unselected_answer_keeps_the_selection(store: Store) -> None:
    prompt = store.add_user_message(store.create_conversation().id, "Hi")
    first = answer(store, prompt, "First")
    second = answer(store, prompt, "Second")
    store.delete_message(first.id)
    assert store.siblings(prompt.id) == [store.message(second.id)]
    assert store.message(second.id).selected
    store.delete_message(first.id)  # already gone: nothing happens


# Auto-title


def test_first_message_names_a_new_chat(store: Store) -> None:
    conversation = store.create_conversation()
    store.add_user_message(conversation.id, "  How do I\n  bake   bread?\n")
    assert store.conversation(conversation.id).title == "How do I bake bread?"
    store.add_user_message(conversation.id, "And cake?")
    assert store.conversation(conversation.id).title == "How do I bake bread?"


def test_long_first_message_is_cut_with_an_ellipsis(store: Store) -> None:
    conversation = store.create_conversation()
    store.add_user_message(conversation.id, "word " * 40)
    title = store.conversation(conversation.id).title
    assert len(title) <= AUTO_TITLE_LENGTH
    assert title.endswith("…")
    assert title.startswith("word word")
    assert " …" not in title


def test_a_chosen_title_is_kept(store: Store) -> None:
    conversation = store.create_conversation("My title")
    store.add_user_message(conversation.id, "Hello")
    assert store.conversation(conversation.id).title == "My title"


# Durability and several windows


def test_data_survives_reopening(db_path: Path) -> None:
    with Store(db_path) as first:
        conversation = first.create_conversation("Saved", system_prompt="Be kind.")
        prompt = first.add_user_message(conversation.id, "Remember me")
        reply = answer(first, prompt, "I will")
    with Store(db_path) as second:
        assert second.conversation(conversation.id) == replace(conversation, updated=reply.created)
        assert second.thread(conversation.id) == [prompt, reply]


def test_writes_are_on_disk_before_close(store: Store, db_path: Path) -> None:
    conversation = store.create_conversation("Written now")
    store.add_user_message(conversation.id, "Right away")
    # A separate connection sees the rows while the store is still open: nothing is pending.
    assert raw_query(db_path, "SELECT title FROM conversations") == [("Written now",)]
    assert raw_query(db_path, "SELECT content FROM messages") == [("Right away",)]


def test_a_killed_app_loses_nothing_it_wrote(db_path: Path) -> None:
    # os._exit skips close() and every cleanup, like a crash or a kill.
    script = (
        "import os, sys\n"
        "from llamadesk.core.store import Store\n"
        "store = Store(sys.argv[1])\n"
        "conversation = store.create_conversation('Before the crash')\n"
        "store.add_user_message(conversation.id, 'Last words')\n"
        "os._exit(0)\n"
    )
    source_root = Path(store_module.__file__).parents[2]
    environment = {**os.environ, "PYTHONPATH": str(source_root)}
    subprocess.run([sys.executable, "-c", script, str(db_path)], check=True, env=environment)
    with Store(db_path) as reopened:
        (conversation,) = reopened.list_conversations()
        assert conversation.title == "Before the crash"
        assert [m.content for m in reopened.thread(conversation.id)] == ["Last words"]


def test_two_stores_on_one_file_see_each_others_writes(
    open_store: Callable[[], Store],
) -> None:
    window_a = open_store()
    window_b = open_store()
    from_a = window_a.create_conversation("From A")
    assert window_b.conversation(from_a.id).title == "From A"
    prompt = window_b.add_user_message(from_a.id, "Written by B")
    assert window_a.thread(from_a.id) == [prompt]
    window_a.delete_conversation(from_a.id)
    assert window_b.list_conversations() == []
