"""The storage fault matrix: full disk, lock, read-only, damaged file, kill -9 mid-answer.

Each case checks the user gets one clear sentence (a `StoreError`, never a raw sqlite3
error) and that nothing already stored is lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from llamadesk.cli import main
from llamadesk.core import db as db_module
from llamadesk.core import rescue as rescue_module
from llamadesk.core.db import Busy, Damaged, DiskFull, ReadOnly, StoreError, primary_code
from llamadesk.core.paths import HOME_ENV, AppPaths, app_paths
from llamadesk.core.ratings import Ratings
from llamadesk.core.rescue import open_or_rescue
from llamadesk.core.store import LOST_PROMPT, RECOVERED_TITLE, Conversation, Store, repair_links

PAGE = 4096  # SQLite's default page size, which the store keeps


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "llamadesk.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as opened:
        yield opened


def marker(number: int) -> str:
    return f"MESSAGE-{number:04d} "


def chat_of(store: Store, prompts: int) -> Conversation:
    """A conversation of `prompts` prompts with one answer each, every text marked."""
    conversation = store.create_conversation("Kept chat")
    for number in range(prompts):
        prompt = store.add_user_message(conversation.id, marker(2 * number) + "question " * 8)
        store.add_answer(
            conversation.id,
            prompt.id,
            marker(2 * number + 1) + "answer " * 8,
            model="tiny.gguf",
            params={},
            seed=1,
            stats={},
            stop_reason="eos",
        )
    return conversation


def contents(store: Store, conversation_id: int) -> list[str]:
    return [message.content for message in store.thread(conversation_id)]


def fill_to_the_limit(store: Store) -> None:
    """Cap the file at its current size (a real SQLITE_FULL, as on a full disk) and use
    up the room left in its last pages, so that the next new row needs a new page."""
    store.db.execute(f"PRAGMA max_page_count = {store.db.one('PRAGMA page_count')[0]}")
    filler = store.create_conversation("Filler")
    for _ in range(1000):
        try:
            store.add_user_message(filler.id, "filler " * 20)
        except DiskFull:
            return
    pytest.fail("the capped file never filled up")


def lift_the_limit(store: Store) -> None:
    store.db.execute("PRAGMA max_page_count = 1073741823")


# Disk full


def test_a_full_disk_refuses_the_write_with_a_sentence_and_keeps_what_was_stored(
    store: Store,
) -> None:
    conversation = chat_of(store, 5)
    before = contents(store, conversation.id)
    fill_to_the_limit(store)

    with pytest.raises(DiskFull) as caught:
        store.add_user_message(conversation.id, "One more " * 100)

    assert "is full" in str(caught.value)
    assert "Free some space" in str(caught.value)
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    assert contents(store, conversation.id) == before  # nothing lost, nothing half-stored
    lift_the_limit(store)
    store.add_user_message(conversation.id, "One more " * 100)
    assert len(contents(store, conversation.id)) == len(before) + 1


def test_a_full_disk_refuses_a_rating_without_a_trace(store: Store) -> None:
    conversation = chat_of(store, 2)
    answer = store.thread(conversation.id)[1]
    ratings = Ratings(store)
    fill_to_the_limit(store)
    with pytest.raises(DiskFull):
        ratings.set_thumbs(answer.id, -1, comment="Too long " * 600)  # past a page
    assert ratings.thumbs(answer.id) is None


# Locked by another program


def test_another_writer_holding_the_lock_gives_busy_quickly_and_loses_nothing(
    db_path: Path,
) -> None:
    with Store(db_path, busy_timeout=0.02) as store:
        conversation = chat_of(store, 3)
        before = contents(store, conversation.id)
        with closing(sqlite3.connect(db_path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            with pytest.raises(Busy) as caught:
                store.add_user_message(conversation.id, "While locked")
            waited = time.monotonic() - started
            # Reading goes on while the other program writes (WAL).
            assert contents(store, conversation.id) == before
            other.execute("ROLLBACK")
        assert waited < 0.5, f"the write waited {waited:.2f} s for the lock"
        assert "busy" in str(caught.value)
        assert "another LlamaDesk" in str(caught.value)
        store.add_user_message(conversation.id, "After the lock")
        assert contents(store, conversation.id) == [*before, "After the lock"]


def test_opening_does_not_wait_for_another_writer(db_path: Path) -> None:
    Store(db_path).close()
    with closing(sqlite3.connect(db_path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with Store(db_path, busy_timeout=0.02) as store:
            assert store.count_conversations() == 0
        other.execute("ROLLBACK")
    assert time.monotonic() - started < 0.5


# Read-only


def test_a_read_only_database_refuses_writes_with_a_sentence(store: Store) -> None:
    # Tests run as root, where chmod does not stop a write: query_only makes SQLite itself
    # refuse every write with the same SQLITE_READONLY a read-only file gives.
    conversation = chat_of(store, 2)
    before = contents(store, conversation.id)
    store.db.execute("PRAGMA query_only = ON")
    with pytest.raises(ReadOnly) as caught:
        store.add_user_message(conversation.id, "Not written")
    assert "read-only" in str(caught.value)
    assert "writable" in str(caught.value)
    assert contents(store, conversation.id) == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores chmod")
def test_a_read_only_folder_refuses_writes_with_a_sentence(db_path: Path) -> None:
    with Store(db_path) as store:
        conversation = chat_of(store, 1)
    db_path.chmod(0o444)
    db_path.parent.chmod(0o555)
    try:
        with pytest.raises(ReadOnly), Store(db_path) as store:
            store.add_user_message(conversation.id, "Not written")
    finally:
        db_path.parent.chmod(0o755)
        db_path.chmod(0o644)


def test_the_error_code_is_read_from_the_message_when_python_gives_none() -> None:
    # Python 3.10 has no sqlite_errorcode: SQLite's own messages tell the cases apart.
    assert primary_code(sqlite3.OperationalError("database or disk is full")) == 13
    assert primary_code(sqlite3.OperationalError("database is locked")) == 5
    assert primary_code(sqlite3.DatabaseError("file is not a database")) == 26
    assert primary_code(sqlite3.OperationalError("no such table: x")) is None


def test_a_bug_stays_a_bug(store: Store) -> None:
    # Bad SQL is LlamaDesk's fault, not the user's: it must not pass for a disk problem.
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        store.db.execute("SELECT * FROM no_such_table")


# A damaged file


def damage_a_middle_page(path: Path, number: int) -> None:
    """Overwrite the page holding message `number` (a leaf in the middle of the file)."""
    data = bytearray(path.read_bytes())
    (page,) = [
        index
        for index in range(len(data) // PAGE)
        if marker(number).encode() in data[index * PAGE : (index + 1) * PAGE]
    ]
    assert 0 < page < len(data) // PAGE - 1, "the page should be an inner one"
    data[page * PAGE : (page + 1) * PAGE] = bytes(range(256)) * (PAGE // 256)
    path.write_bytes(data)


@pytest.fixture
def damaged(db_path: Path) -> Path:
    """A chat of 100 prompts and answers whose page holding message 100 is garbage."""
    with Store(db_path) as store:
        chat_of(store, 100)
    damage_a_middle_page(db_path, 100)
    return db_path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_damaged_page_is_reported_as_damage_not_a_raw_error(damaged: Path) -> None:
    with Store(damaged) as store:  # the first page is fine: opening works
        with pytest.raises(Damaged, match="is damaged"):
            store.check()
        with pytest.raises(Damaged) as caught:
            store.thread(1)
    assert str(damaged) in str(caught.value)


def test_a_damaged_file_is_kept_aside_untouched_and_the_rest_recovered(damaged: Path) -> None:
    original = digest(damaged)

    store, rescued = open_or_rescue(damaged)

    with store:
        assert rescued is not None
        # Kept in the data folder, under a new name, byte for byte.
        assert rescued.kept.parent == damaged.parent
        assert rescued.kept.name.startswith("llamadesk.damaged-")
        assert digest(rescued.kept) == original
        assert str(rescued.kept) in rescued.message()
        store.check()
        (conversation,) = store.list_conversations()
        recovered = contents(store, conversation.id)
        # Only the damaged page's rows are gone (a 4 KB page holds about 40 of them).
        assert 150 <= len(recovered) < 200
        assert recovered[0].startswith(marker(0))
        assert recovered[-1].startswith(marker(199))
        assert not any(text.startswith(marker(100)) for text in recovered)
        thread = store.thread(conversation.id)
        # Each recovered answer is shown right under its prompt.
        assert all(
            thread[index - 1].id == message.parent_id
            for index, message in enumerate(thread)
            if message.role == "assistant"
        )
        assert store.count_conversations() == 1
        store.add_user_message(conversation.id, "Life goes on")


def test_what_lost_its_prompt_or_chat_gets_a_placeholder_and_lost_ratings_go(
    db_path: Path,
) -> None:
    # What a rescue leaves when a damaged page held a prompt, a chat or a rated answer.
    with Store(db_path) as store:
        chat = chat_of(store, 3)
        other = chat_of(store, 1)
        prompt, answer, _p2, rated = store.thread(chat.id)[:4]
        Ratings(store).set_thumbs(rated.id, 1)
    with closing(sqlite3.connect(db_path, isolation_level=None)) as raw:  # foreign keys off
        raw.execute("DELETE FROM messages WHERE id IN (?, ?)", (prompt.id, rated.id))
        raw.execute("DELETE FROM conversations WHERE id = ?", (other.id,))
        raw.execute("BEGIN")
        repair_links(raw)
        raw.execute("COMMIT")
    with Store(db_path) as store:
        store.check()
        assert store.db.all("PRAGMA foreign_key_check") == []
        thread = store.thread(chat.id)
        assert [m.content for m in thread[:2]] == [LOST_PROMPT, answer.content]
        assert thread[1].parent_id == thread[0].id == prompt.id
        assert store.conversation(other.id).title == RECOVERED_TITLE
        assert len(store.thread(other.id)) == 2
        assert Ratings(store).all_thumbs() == []


def test_a_file_that_is_no_database_is_kept_and_the_app_starts_afresh(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"garbage, not SQLite " * 500)
    store, rescued = open_or_rescue(db_path)
    with store:
        assert rescued is not None
        assert rescued.rows == 0
        assert "nothing could be read" in rescued.message()
        assert rescued.kept.read_bytes() == b"garbage, not SQLite " * 500
        assert store.count_conversations() == 0


@pytest.fixture
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppPaths:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    return app_paths().ensure()


@pytest.mark.parametrize("command", [["export", "trl", "--out", "x.jsonl"], ["leaderboard"]])
def test_the_cli_reports_a_damaged_file_in_one_line(
    app_home: AppPaths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    with Store(app_home.database) as store:
        chat_of(store, 100)
    damage_a_middle_page(app_home.database, 100)
    original = digest(app_home.database)
    if command[0] == "export":
        command[-1] = str(tmp_path / command[-1])

    assert main(command) != 0

    captured = capsys.readouterr()
    assert "No compare votes" not in captured.out
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "is damaged" in lines[0]
    assert digest(app_home.database) == original  # the CLI leaves the file alone


# Killed while an answer streams


CHILD = """
import json, sys
from llamadesk.core.engine import ChatMessage, Engine, LoadSettings, SamplingParams
from llamadesk.core.store import Store

store = Store(sys.argv[1])
engine = Engine.load(sys.argv[2], LoadSettings(n_ctx=512, n_threads=1))
conversation = store.create_conversation("Streaming")
params = SamplingParams(temperature=0.8, max_tokens=64, seed=3)
for number in range(1000):
    prompt = store.add_user_message(conversation.id, f"Question {number}")
    print(json.dumps({"id": prompt.id, "role": "user", "content": prompt.content}), flush=True)
    stream = engine.stream([ChatMessage("user", prompt.content)], params)
    for piece in stream:
        print("piece", flush=True)
    answer = store.add_answer(
        conversation.id, prompt.id, stream.text, model="tiny.gguf", params={}, seed=3,
        stats={}, stop_reason=stream.stats.stop_reason,
    )
    print(json.dumps({"id": answer.id, "role": "assistant", "content": answer.content}),
          flush=True)
"""


def test_kill_9_while_streaming_loses_nothing_stored(db_path: Path, tiny_model: Path) -> None:
    """A process streaming answers into the store is killed mid-answer, five times; each
    restart finds every message it had reported stored, and a sound file."""
    source_root = Path(db_module.__file__).parents[2]
    environment = {**os.environ, "PYTHONPATH": str(source_root)}
    stored: dict[int, str] = {}
    for _round in range(5):
        with subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db_path), str(tiny_model)],
            stdout=subprocess.PIPE,
            text=True,
            env=environment,
        ) as child:
            assert child.stdout is not None
            answers_this_round, pieces_since = 0, 0
            for line in child.stdout:
                if line.startswith("piece"):
                    pieces_since += 1
                    if answers_this_round >= 2 and pieces_since == 3:
                        child.send_signal(signal.SIGKILL)  # mid-answer
                        break
                    continue
                record = json.loads(line)
                stored[record["id"]] = record["content"]
                answers_this_round += record["role"] == "assistant"
                pieces_since = 0
            assert child.wait(timeout=60) == -signal.SIGKILL
        with Store(db_path) as reopened:
            reopened.check()
            rows = reopened.db.all("SELECT id, content FROM messages")
        # The child may have stored one more before the signal landed; never one less.
        assert stored.items() <= {row["id"]: row["content"] for row in rows}.items()


# The real thing, where the system allows it: a mount namespace of the test's own gives a
# tiny file system that fills up, or a read-only one (root only; skipped elsewhere).


def in_private_mounts(mount: str, script: str, *args: str) -> dict[str, object]:
    """Run `script` in a mount namespace of its own after the shell command `mount`;
    returns the JSON the script printed."""
    source_root = Path(db_module.__file__).parents[2]
    environment = {**os.environ, "PYTHONPATH": str(source_root)}
    command = f'{mount} && exec "$0" -c "$@"'
    done = subprocess.run(
        ["unshare", "--mount", "sh", "-c", command, sys.executable, script, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.fixture
def private_mounts() -> None:
    try:
        allowed = subprocess.run(["unshare", "--mount", "true"], check=False).returncode == 0
    except FileNotFoundError:
        allowed = False
    if not allowed:
        pytest.skip("no private mount namespace here (needs root and util-linux)")


FILL_A_REAL_DISK = """
import json, sys
from llamadesk.core.store import Store, StoreError
path = sys.argv[1]
stored = []
with Store(path) as store:
    conversation = store.create_conversation("Kept")
    try:
        while True:
            stored.append(store.add_user_message(conversation.id, "words " * 100).content)
    except StoreError as exc:
        error = exc
with Store(path) as again:
    kept = [message.content for message in again.thread(conversation.id)]
print(json.dumps({"error": type(error).__name__, "message": str(error),
                  "stored": len(stored), "kept": kept == stored}))
"""


@pytest.mark.usefixtures("private_mounts")
def test_a_real_full_disk_refuses_with_a_sentence_and_keeps_what_was_stored(
    tmp_path: Path,
) -> None:
    disk = tmp_path / "small-disk"
    disk.mkdir()
    result = in_private_mounts(
        f"mount -t tmpfs -o size=256k tmpfs {disk}", FILL_A_REAL_DISK, str(disk / "h.sqlite3")
    )
    assert result["error"] == "DiskFull"
    assert "is full" in str(result["message"])
    assert isinstance(result["stored"], int)
    assert result["stored"] > 0
    assert result["kept"] is True  # every message stored before the disk filled


OPEN_READ_ONLY = """
import json, sys
from llamadesk.core.store import Store, StoreError
try:
    Store(sys.argv[1]).close()
    print(json.dumps({"error": None}))
except StoreError as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
"""


@pytest.mark.usefixtures("private_mounts")
def test_a_real_read_only_file_system_gives_a_sentence(db_path: Path) -> None:
    with Store(db_path) as store:
        chat_of(store, 2)
    folder = db_path.parent
    result = in_private_mounts(
        f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder}",
        OPEN_READ_ONLY,
        str(db_path),
    )
    assert result["error"] == "ReadOnly"
    assert "writable" in str(result["message"])
    with Store(db_path) as store:  # and nothing was lost
        assert len(store.thread(1)) == 4


def test_a_rescue_that_fails_still_says_where_the_damaged_file_is(
    damaged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = digest(damaged)

    def disk_full(_source: Path, _target: Path) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(rescue_module, "_copy_readable", disk_full)
    with pytest.raises(StoreError, match="kept, untouched, at") as caught:
        open_or_rescue(damaged)
    (kept,) = damaged.parent.glob("llamadesk.damaged-*.sqlite3")
    assert str(kept) in str(caught.value)
    assert digest(kept) == original
    with Store(damaged) as fresh:  # the next start begins afresh
        assert fresh.count_conversations() == 0
