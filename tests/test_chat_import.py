"""Importing ChatGPT's conversations.json and Open WebUI's export: trees become chats."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from llamadesk.core.chat_archive import ArchiveError
from llamadesk.core.chat_import import import_file, read_import_file
from llamadesk.core.store import Store

DATA = Path(__file__).parent / "data"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "chats.sqlite3") as opened:
        yield opened


def shown(store: Store, conversation_id: int) -> list[tuple[str, str]]:
    return [(m.role, m.content) for m in store.thread(conversation_id)]


def test_chatgpt_branches_follow_the_mapping_tree(store: Store) -> None:
    kind, result = import_file(store, DATA / "chatgpt_conversations.json")
    assert kind == "ChatGPT"
    # Pirate maths: its shown line, the line of the edited prompt, and the Hello chat.
    assert (result.conversations, result.messages) == (3, 12)
    by_title = {c.title: c for c in store.list_conversations()}
    assert set(by_title) == {"Pirate maths", "Pirate maths (branch 2)", "Hello"}
    main = by_title["Pirate maths"]
    # The custom instructions are the system prompt; the tool call and its output are left
    # out; the code before the answer did not become an answer.
    assert main.system_prompt == "Answer like a pirate."
    assert shown(store, main.id) == [
        ("user", "What is 2+2?"),
        ("assistant", "4, matey."),
        ("user", "And <b>3+3</b>?"),
        ("assistant", "6, arr."),
    ]
    thread = store.thread(main.id)
    # A regenerated answer is a sibling; the one on the shown path is selected.
    assert [a.content for a in store.siblings(thread[0].id)] == ["4, matey.", "Four!"]
    answer = thread[3]
    assert answer.reasoning == "Add three and three."  # ChatGPT's "thoughts"
    assert (answer.model, answer.stop_reason) == ("o3", "length")
    assert answer.created == 1700000014.0
    branch = by_title["Pirate maths (branch 2)"]
    assert shown(store, branch.id)[2:] == [("user", "And 5+5?"), ("assistant", "10.")]


def test_importing_the_same_chatgpt_file_twice_adds_nothing(store: Store) -> None:
    import_file(store, DATA / "chatgpt_conversations.json")
    _, again = import_file(store, DATA / "chatgpt_conversations.json")
    assert (again.conversations, again.skipped_conversations) == (0, 3)
    assert store.count_conversations() == 3


def test_chatgpts_zip_as_downloaded_imports_too(store: Store, tmp_path: Path) -> None:
    export = tmp_path / "chatgpt-export.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("chat.html", "<html></html>")
        archive.write(DATA / "chatgpt_conversations.json", "conversations.json")
    kind, result = import_file(store, export)
    assert (kind, result.conversations) == ("ChatGPT", 3)
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("user.json", "{}")
    with pytest.raises(ArchiveError, match=r"holds no conversations\.json"):
        import_file(store, empty)


def test_open_webui_export(store: Store) -> None:
    kind, result = import_file(store, DATA / "open_webui_export.json")
    assert kind == "Open WebUI"
    assert (result.conversations, result.messages) == (1, 5)
    (chat,) = store.list_conversations()
    assert (chat.title, chat.system_prompt, chat.created) == (
        "Capital cities",
        "Be short.",
        1710000000,
    )
    assert shown(store, chat.id) == [
        ("user", "Capital of France?"),
        ("assistant", "It is Paris."),
        ("user", "And Italy?"),
        ("assistant", "Rome."),
    ]
    first = store.thread(chat.id)[0]
    assert [(a.model, a.selected) for a in store.siblings(first.id)] == [
        ("llama3.2:3b", False),
        ("qwen2.5:7b", True),
    ]


def test_a_file_of_no_known_format_says_so(store: Store, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('[{"mapping": "not an object"}]')
    with pytest.raises(ArchiveError, match="no 'mapping' object"):
        read_import_file(other)
    other.write_text("[1, 2]")
    with pytest.raises(ArchiveError, match="not a chat export LlamaDesk knows"):
        import_file(store, other)
    with pytest.raises(ArchiveError, match="Cannot read"):
        import_file(store, tmp_path / "missing.json")
    assert store.count_conversations() == 0
