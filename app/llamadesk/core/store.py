"""The chat history: conversations and their messages in one SQLite file.

Every write is committed before its method returns, so killing the app loses nothing that was
already stored. Several ``Store`` objects (one per app window) may have the same file open:
WAL lets each read what the others committed.

The schema version lives in ``PRAGMA user_version``; ``MIGRATIONS[n]`` takes a database from
version ``n`` to ``n + 1``. Append to that list to change the schema, never edit an entry.
``core.db`` runs them, owns the connection and turns SQLite's errors into ``StoreError``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, get_args

from llamadesk.core.answer_stats import AnswerStats, StopReason
from llamadesk.core.db import DEFAULT_BUSY_TIMEOUT, Database, Migration
from llamadesk.core.db import StoreError as StoreError  # re-exported: callers import it here

Role = Literal["user", "assistant"]
# "compare" conversations hold the prompts and answers of compare mode; they stay out of the
# chat list so side-by-side tests do not bury the user's chats.
ConversationKind = Literal["chat", "compare"]

DEFAULT_TITLE = "New chat"
AUTO_TITLE_LENGTH = 48


class NotFound(StoreError, LookupError):
    """No conversation or message has the id asked for."""


@dataclass(frozen=True)
class Conversation:
    """One chat. ``updated`` is when a message was last added to it."""

    id: int
    title: str
    system_prompt: str
    created: float
    updated: float
    kind: ConversationKind = "chat"
    # Sampling settings this conversation overrides (SamplingParams field names), if any.
    sampling: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Message:
    """A user message, or one answer to it (``parent_id`` is then the user message's id).

    Answers to the same user message are siblings; ``selected`` marks the one that is shown.
    The generation fields (``model`` to ``stop_reason``) are empty for user messages.
    """

    id: int
    conversation_id: int
    role: Role
    content: str
    created: float
    parent_id: int | None
    model: str
    params: dict[str, Any]
    seed: int | None
    stats: dict[str, Any]
    stop_reason: str
    selected: bool
    # A reasoning model's reasoning, kept apart from the answer in ``content`` ("" if none).
    reasoning: str = ""

    @property
    def answer_stats(self) -> AnswerStats | None:
        """`stats` as the engine measured them; None for a user message (or a record
        without them)."""
        return AnswerStats.from_dict(self.stats)


def _create_chat_tables(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            system_prompt TEXT NOT NULL DEFAULT '',
            created REAL NOT NULL,
            updated REAL NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
            content TEXT NOT NULL,
            created REAL NOT NULL,
            parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
            model TEXT NOT NULL DEFAULT '',
            params TEXT NOT NULL DEFAULT '{}',
            seed INTEGER,
            stats TEXT NOT NULL DEFAULT '{}',
            stop_reason TEXT NOT NULL DEFAULT '',
            selected INTEGER NOT NULL DEFAULT 0,
            CHECK ((role = 'user') = (parent_id IS NULL))
        )
        """
    )
    db.execute("CREATE INDEX messages_by_conversation ON messages(conversation_id)")
    db.execute("CREATE INDEX messages_by_parent ON messages(parent_id)")
    # The thread shows exactly one answer per prompt; let the database hold us to that.
    db.execute("CREATE UNIQUE INDEX one_selected_answer ON messages(parent_id) WHERE selected = 1")


def _create_rating_tables(db: sqlite3.Connection) -> None:
    """Ratings of answers; ``core.ratings`` reads and writes them.

    Every rating row cascades away with the answers it rates, so deleting a message never
    leaves a rating that points nowhere.
    """
    db.execute(
        "ALTER TABLE conversations ADD COLUMN kind TEXT NOT NULL DEFAULT 'chat'"
        " CHECK (kind IN ('chat', 'compare'))"
    )
    # One thumbs rating per answer. A thumbs-down may carry the user's better answer: it is
    # feedback, not model output, so it is kept here rather than as a sibling message that
    # would show up in the thread, in later prompts and among the models.
    db.execute(
        """
        CREATE TABLE thumbs (
            answer_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
            value INTEGER NOT NULL CHECK (value IN (1, -1)),
            tags TEXT NOT NULL DEFAULT '[]',
            comment TEXT NOT NULL DEFAULT '',
            rewrite TEXT NOT NULL DEFAULT '',
            created REAL NOT NULL,
            updated REAL NOT NULL,
            CHECK (rewrite = '' OR value = -1)
        )
        """
    )
    # One ranking per prompt. A pick of the best is a ranking that gives the rest one shared
    # rank; pairs come from the ranks alone, so losing a ranked answer keeps the rest valid.
    db.execute(
        """
        CREATE TABLE rankings (
            prompt_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('pick', 'rank')),
            created REAL NOT NULL,
            updated REAL NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE ranked_answers (
            prompt_id INTEGER NOT NULL REFERENCES rankings(prompt_id) ON DELETE CASCADE,
            answer_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            rank INTEGER NOT NULL CHECK (rank >= 0),
            PRIMARY KEY (prompt_id, answer_id)
        )
        """
    )
    db.execute("CREATE INDEX ranked_answers_by_answer ON ranked_answers(answer_id)")
    # Arena votes. The model names are kept as shown at vote time: one model with two
    # settings may be given two labels.
    db.execute(
        """
        CREATE TABLE comparisons (
            id INTEGER PRIMARY KEY,
            answer_a_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            answer_b_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            model_a TEXT NOT NULL,
            model_b TEXT NOT NULL,
            winner TEXT NOT NULL
                CHECK (winner IN ('model_a', 'model_b', 'tie', 'tie (bothbad)')),
            strength TEXT NOT NULL DEFAULT '' CHECK (strength IN ('', 'slightly', 'much')),
            blind INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL,
            updated REAL NOT NULL,
            UNIQUE (answer_a_id, answer_b_id),
            CHECK (answer_a_id <> answer_b_id),
            CHECK (strength = '' OR winner IN ('model_a', 'model_b'))
        )
        """
    )
    db.execute("CREATE INDEX comparisons_by_answer_b ON comparisons(answer_b_id)")


# Functions rather than SQL scripts: sqlite3's executescript() commits first, which would
# take a migration out of its transaction.
def _add_conversation_sampling(db: sqlite3.Connection) -> None:
    """Per-conversation sampling overrides (temperature, top-p, ...), as a JSON object."""
    db.execute("ALTER TABLE conversations ADD COLUMN sampling TEXT NOT NULL DEFAULT '{}'")


def _add_message_reasoning(db: sqlite3.Connection) -> None:
    """A reasoning model's reasoning, apart from its answer: later turns and exports send
    back only the answer. How long it thought is in ``stats`` (``reasoning_ms``)."""
    db.execute("ALTER TABLE messages ADD COLUMN reasoning TEXT NOT NULL DEFAULT ''")


def _add_archive_provenance(db: sqlite3.Connection) -> None:
    """Where an imported conversation came from, and what is known about model files.

    ``source_id`` names a conversation across exports and imports (``core.chat_archive``),
    so importing the same file twice adds nothing the second time; "" for one made here.
    ``model_files`` records a model file's sha256, quantization and chat template hash,
    keyed by the file name answers store, so exports can say which file wrote an answer.
    """
    db.execute("ALTER TABLE conversations ADD COLUMN source_id TEXT NOT NULL DEFAULT ''")
    db.execute(
        "CREATE UNIQUE INDEX conversations_by_source ON conversations(source_id)"
        " WHERE source_id <> ''"
    )
    db.execute(
        """
        CREATE TABLE model_files (
            name TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL DEFAULT '',
            size INTEGER NOT NULL DEFAULT 0,
            quantization TEXT NOT NULL DEFAULT '',
            template_sha256 TEXT NOT NULL DEFAULT ''
        )
        """
    )


MIGRATIONS: list[Migration] = [
    _create_chat_tables,
    _create_rating_tables,
    _add_conversation_sampling,
    _add_message_reasoning,
    _add_archive_provenance,
]


RECOVERED_TITLE = "Recovered chat"
LOST_PROMPT = "(This message could not be recovered.)"


def repair_links(db: sqlite3.Connection) -> None:
    """Make a partly recovered history whole again (see ``core.rescue``).

    Answers whose prompt was lost get a placeholder prompt, messages whose conversation was
    lost a placeholder conversation, so they still show. Ratings of lost answers go.
    """
    db.execute(
        "INSERT INTO messages (id, conversation_id, role, content, created)"
        " SELECT parent_id, min(conversation_id), 'user', ?, min(created) FROM messages"
        " WHERE parent_id NOT IN (SELECT id FROM messages) GROUP BY parent_id",
        (LOST_PROMPT,),
    )
    db.execute(
        "INSERT INTO conversations (id, title, created, updated)"
        " SELECT conversation_id, ?, min(created), max(created) FROM messages"
        " WHERE conversation_id NOT IN (SELECT id FROM conversations) GROUP BY conversation_id",
        (RECOVERED_TITLE,),
    )
    # A prompt whose shown answer was lost shows its newest remaining one.
    db.execute(
        "UPDATE messages SET selected = 1 WHERE id IN (SELECT max(id) FROM messages"
        " WHERE parent_id IS NOT NULL GROUP BY parent_id HAVING max(selected) = 0)"
    )
    # Deleting one row can orphan another (a ranking's entries): repeat until none is left.
    while problems := db.execute("PRAGMA foreign_key_check").fetchall():
        for table, rowid, _parent, _key in problems:
            db.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))


def auto_title(text: str) -> str:
    """A one-line title made from the start of ``text``, cut with an ellipsis if too long."""
    line = " ".join(text.split())
    if len(line) <= AUTO_TITLE_LENGTH:
        return line
    return line[: AUTO_TITLE_LENGTH - 1].rstrip() + "…"


def _to_json(value: Mapping[str, Any], field: str) -> str:
    try:
        # Strict JSON (no NaN): the column should be readable by any JSON tool.
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{field} must hold only JSON values: {error}") from error


def _conversation_from_row(row: sqlite3.Row) -> Conversation:
    return Conversation(
        id=row["id"],
        title=row["title"],
        system_prompt=row["system_prompt"],
        created=row["created"],
        updated=row["updated"],
        kind=row["kind"],
        sampling=json.loads(row["sampling"]),
    )


def _message_from_row(row: sqlite3.Row) -> Message:
    return Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        role=row["role"],
        content=row["content"],
        created=row["created"],
        parent_id=row["parent_id"],
        model=row["model"],
        params=json.loads(row["params"]),
        seed=row["seed"],
        stats=json.loads(row["stats"]),
        stop_reason=row["stop_reason"],
        selected=bool(row["selected"]),
        reasoning=row["reasoning"],
    )


class Store:
    """The chat history in the SQLite file at ``path``.

    Writes of one statement commit on their own; writes of several statements go through
    ``db.transaction()`` so they land together or not at all. ``clock`` gives the
    timestamps and exists so tests can control time. ``busy_timeout`` is how long a write
    waits for another program's lock (short on the GUI thread, see ``core.db``).

    Every method may raise ``StoreError`` (with a sentence for the user) when the disk is
    full, the file is read-only, locked or damaged.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        self.path = Path(path)
        self.clock = clock
        # MIGRATIONS is looked up now, not at import, so tests can add to it.
        self.db = Database(
            self.path, MIGRATIONS, busy_timeout=busy_timeout, functions={"casefold": str.casefold}
        )

    def version(self) -> tuple[int, int]:
        """Changes whenever anything in the file changes (see ``Database.version``)."""
        return self.db.version()

    def check(self) -> None:
        """Read the whole file; ``Damaged`` if a page of it is corrupt."""
        self.db.check()

    def close(self) -> None:
        """Close the database; closing twice is harmless."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Conversations

    def create_conversation(
        self,
        title: str = DEFAULT_TITLE,
        system_prompt: str = "",
        *,
        kind: ConversationKind = "chat",
    ) -> Conversation:
        """Start an empty conversation; a "compare" one is left out of the chat list."""
        title = title.strip()
        if not title:
            raise ValueError("A conversation needs a title")
        if kind not in get_args(ConversationKind):
            raise ValueError(f"Unknown conversation kind {kind!r}")
        now = self.clock()
        conversation_id = self.db.insert(
            "INSERT INTO conversations (title, system_prompt, created, updated, kind)"
            " VALUES (?, ?, ?, ?, ?)",
            (title, system_prompt, now, now, kind),
        )
        return self.conversation(conversation_id)

    def conversation(self, conversation_id: int) -> Conversation:
        """The conversation with this id; ``NotFound`` if there is none."""
        row = self.db.one("SELECT * FROM conversations WHERE id = ?", (conversation_id,))
        if row is None:
            raise NotFound(f"No conversation {conversation_id}")
        return _conversation_from_row(row)

    def list_conversations(self, search: str = "") -> list[Conversation]:
        """Chats, most recently updated first, whose title contains ``search``.

        The match ignores case (Unicode-aware) and treats every character literally.
        """
        needle = search.strip().casefold()
        # instr() rather than LIKE: no wildcards to escape, and LIKE ignores only ASCII case.
        rows = self.db.all(
            "SELECT * FROM conversations WHERE kind = 'chat' AND instr(casefold(title), ?) > 0"
            " ORDER BY updated DESC, id DESC",
            (needle,),
        )
        return [_conversation_from_row(row) for row in rows]

    def count_conversations(self) -> int:
        """How many chats there are (compare conversations are not counted)."""
        (count,) = self.db.all("SELECT count(*) FROM conversations WHERE kind = 'chat'")[0]
        assert isinstance(count, int)
        return count

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        """Give a conversation a new (non-blank) title."""
        title = title.strip()
        if not title:
            raise ValueError("A conversation needs a title")
        self._update_conversation(conversation_id, "title", title)

    def set_system_prompt(self, conversation_id: int, text: str) -> None:
        """Replace a conversation's system prompt."""
        self._update_conversation(conversation_id, "system_prompt", text)

    def set_conversation_sampling(self, conversation_id: int, overrides: dict[str, Any]) -> None:
        """Replace the sampling settings a conversation overrides ({} for none)."""
        self._update_conversation(conversation_id, "sampling", _to_json(overrides, "sampling"))

    def _update_conversation(
        self,
        conversation_id: int,
        column: Literal["title", "system_prompt", "sampling"],
        value: str,
    ) -> None:
        cursor = self.db.execute(
            f"UPDATE conversations SET {column} = ? WHERE id = ?", (value, conversation_id)
        )
        if cursor.rowcount == 0:
            raise NotFound(f"No conversation {conversation_id}")

    def delete_conversation(self, conversation_id: int) -> None:
        """Delete a conversation and all its messages.

        Deleting one that is already gone is not an error: another window may have done it.
        """
        self.db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    # Messages

    def message(self, message_id: int) -> Message:
        """The message with this id; ``NotFound`` if there is none."""
        row = self.db.one("SELECT * FROM messages WHERE id = ?", (message_id,))
        if row is None:
            raise NotFound(f"No message {message_id}")
        return _message_from_row(row)

    def add_user_message(self, conversation_id: int, content: str) -> Message:
        """Append what the user wrote; names the conversation after it if still untitled."""
        if not content.strip():
            raise ValueError("A message needs some text")
        now = self.clock()
        with self.db.transaction():
            title = self.conversation(conversation_id).title
            if title == DEFAULT_TITLE:
                title = auto_title(content)
            message_id = self.db.insert(
                "INSERT INTO messages (conversation_id, role, content, created)"
                " VALUES (?, 'user', ?, ?)",
                (conversation_id, content, now),
            )
            self.db.execute(
                "UPDATE conversations SET title = ?, updated = ? WHERE id = ?",
                (title, now, conversation_id),
            )
        return self.message(message_id)

    def add_answer(
        self,
        conversation_id: int,
        parent_id: int,
        content: str,
        *,
        model: str,
        params: dict[str, Any],
        seed: int | None,
        stats: AnswerStats | Mapping[str, Any],
        stop_reason: StopReason,
        reasoning: str = "",
    ) -> Message:
        """Store an answer to the user message ``parent_id`` and make it the one shown.
        ``content`` is the final answer; a reasoning model's reasoning goes in ``reasoning``."""
        if stop_reason not in get_args(StopReason):
            raise ValueError(f"Unknown stop reason {stop_reason!r}")
        params_json = _to_json(params, "params")
        stats_json = _to_json(stats.as_dict() if isinstance(stats, AnswerStats) else stats, "stats")
        now = self.clock()
        with self.db.transaction():
            parent = self.message(parent_id)
            if parent.role != "user" or parent.conversation_id != conversation_id:
                raise ValueError(
                    f"Message {parent_id} is not a user message of conversation {conversation_id}"
                )
            self.db.execute("UPDATE messages SET selected = 0 WHERE parent_id = ?", (parent_id,))
            answer_id = self.db.insert(
                "INSERT INTO messages (conversation_id, role, content, created, parent_id, model,"
                " params, seed, stats, stop_reason, selected, reasoning)"
                " VALUES (?, 'assistant', ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
                (
                    conversation_id,
                    content,
                    now,
                    parent_id,
                    model,
                    params_json,
                    seed,
                    stats_json,
                    stop_reason,
                    reasoning,
                ),
            )
            self.db.execute(
                "UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id)
            )
        return self.message(answer_id)

    def siblings(self, user_message_id: int) -> list[Message]:
        """All answers to one user message, oldest first."""
        rows = self.db.all(
            "SELECT * FROM messages WHERE parent_id = ? ORDER BY id", (user_message_id,)
        )
        return [_message_from_row(row) for row in rows]

    def select_answer(self, answer_id: int) -> None:
        """Make this answer the one shown for its user message."""
        with self.db.transaction():
            answer = self.message(answer_id)
            if answer.parent_id is None:
                raise ValueError(f"Message {answer_id} is not an answer")
            # Clear first: the unique index allows only one selected answer at any moment.
            self.db.execute(
                "UPDATE messages SET selected = 0 WHERE parent_id = ?", (answer.parent_id,)
            )
            self.db.execute("UPDATE messages SET selected = 1 WHERE id = ?", (answer_id,))

    def thread(self, conversation_id: int) -> list[Message]:
        """The conversation as shown: each user message, then its selected answer if any.

        An unknown conversation has an empty thread.
        """
        # An answer sorts right after its user message: it shares the parent's first key and
        # has a larger id.
        rows = self.db.all(
            "SELECT * FROM messages WHERE conversation_id = ? AND (role = 'user' OR selected)"
            " ORDER BY coalesce(parent_id, id), id",
            (conversation_id,),
        )
        return [_message_from_row(row) for row in rows]

    def delete_message(self, message_id: int) -> None:
        """Delete a message; a user message takes its answers with it.

        If the shown answer goes, the newest remaining sibling is shown instead, so the prompt
        keeps an answer while it has one. Deleting a message that is already gone does nothing.
        """
        with self.db.transaction():
            row = self.db.one(
                "SELECT parent_id, selected FROM messages WHERE id = ?", (message_id,)
            )
            if row is None:
                return
            self.db.execute("DELETE FROM messages WHERE id = ?", (message_id,))
            if row["selected"]:
                self.db.execute(
                    "UPDATE messages SET selected = 1"
                    " WHERE id = (SELECT max(id) FROM messages WHERE parent_id = ?)",
                    (row["parent_id"],),
                )

    def answer_speeds(self, limit: int = 1000) -> list[tuple[str, float]]:
        """(model file, decode tokens/s) of the latest answers that measured a speed, oldest
        first: what speed predictions are corrected from."""
        rows = self.db.all(
            "SELECT model, json_extract(stats, '$.tokens_per_second') AS speed FROM messages"
            " WHERE role = 'assistant' AND model != '' AND speed > 0"
            " ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [(str(row["model"]), float(row["speed"])) for row in reversed(rows)]
