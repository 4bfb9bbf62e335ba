"""Chats as a portable JSON document: every answer, rating and setting, and back again.

The document (``FORMAT``, ``VERSION``) holds each conversation with all its messages in the
order they were written, every sibling answer included, with ratings beside the answers they
rate. Messages refer to each other by their place in the conversation's list, not by
database id, so exporting, importing into an empty data folder and exporting again gives
the same document (apart from ``exported``).

A conversation is known by ``source_id``: the one it was imported with, or for one made
here, a name derived from the moment it was created. An import skips every conversation
whose ``source_id`` is already there, so its messages and ratings are never touched twice.
An import is one transaction: a document that fails half-way adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, get_args

from llamadesk import __version__
from llamadesk.core.answer_stats import StopReason
from llamadesk.core.model_files import ModelFile, ModelLookup, known_files, no_lookup, remember
from llamadesk.core.ratings import REASON_TAGS, Ratings
from llamadesk.core.store import ConversationKind, Message, Store

FORMAT = "llamadesk.chats"
VERSION = 1

Document = dict[str, Any]


class ArchiveError(Exception):
    """A document that cannot be imported; the message says why, for the user."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did: conversations and messages added, and those already there."""

    conversations: int
    messages: int
    skipped_conversations: int
    skipped_messages: int

    def describe(self) -> str:
        text = (
            f"Imported {self.conversations} conversation{_s(self.conversations)} "
            f"({self.messages} message{_s(self.messages)})"
        )
        if self.skipped_conversations or self.skipped_messages:
            text += (
                f"; skipped {self.skipped_conversations} already there "
                f"({self.skipped_messages} message{_s(self.skipped_messages)})"
            )
        return text + "."


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def native_source_id(created: float) -> str:
    """The name of a conversation made in this app: from the moment it was created."""
    return "llamadesk:" + hashlib.sha256(repr(created).encode()).hexdigest()[:20]


def all_conversation_ids(store: Store) -> list[int]:
    """Every conversation, chats and compare sessions, oldest first."""
    found = store.db.all("SELECT id FROM conversations ORDER BY created, id")
    return [int(row["id"]) for row in found]


# Export


def export_document(
    store: Store, conversation_ids: Sequence[int] | None = None, lookup: ModelLookup = no_lookup
) -> Document:
    """The document of these conversations (None: all), with what is known of their models.

    ``NotFound`` for an id that names no conversation.
    """
    ids = all_conversation_ids(store) if conversation_ids is None else list(conversation_ids)
    ratings = _AllRatings(store)
    conversations = [_export_conversation(store, ratings, number) for number in ids]
    names = (m.get("model", "") for c in conversations for m in c["messages"])
    models = known_files(store, names, lookup)
    return {
        "format": FORMAT,
        "version": VERSION,
        "app_version": __version__,
        "exported": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "models": {name: model.as_dict() for name, model in models.items()},
        "conversations": conversations,
    }


def _all_messages(store: Store, conversation_id: int) -> list[Message]:
    found = store.db.all(
        "SELECT id FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,)
    )
    return [store.message(row["id"]) for row in found]


class _AllRatings:
    """The rankings and votes of the whole store, read once for every conversation."""

    def __init__(self, store: Store) -> None:
        self.ratings = Ratings(store)
        self.rankings = self.ratings.rankings()
        self.comparisons = self.ratings.comparisons()


def _export_conversation(
    store: Store, all_ratings: _AllRatings, conversation_id: int
) -> dict[str, Any]:
    conversation = store.conversation(conversation_id)
    (row,) = store.db.all("SELECT source_id FROM conversations WHERE id = ?", (conversation_id,))
    source_id = row["source_id"]
    messages = _all_messages(store, conversation_id)
    index = {message.id: place for place, message in enumerate(messages)}
    ratings = all_ratings.ratings
    return {
        "source_id": source_id or native_source_id(conversation.created),
        "title": conversation.title,
        "kind": conversation.kind,
        "system_prompt": conversation.system_prompt,
        "sampling": conversation.sampling,
        "created": conversation.created,
        "updated": conversation.updated,
        "messages": [_export_message(ratings, message, index) for message in messages],
        "rankings": [
            {
                "prompt": index[ranking.prompt_id],
                "kind": ranking.kind,
                "answers": [index[answer] for answer in ranking.answer_ids],
                "ranks": list(ranking.ranks),
                "created": ranking.created,
                "updated": ranking.updated,
            }
            for ranking in all_ratings.rankings
            if ranking.prompt_id in index
        ],
        "comparisons": [
            {
                "a": index[vote.answer_a_id],
                "b": index[vote.answer_b_id],
                "model_a": vote.model_a,
                "model_b": vote.model_b,
                "winner": vote.winner,
                "strength": vote.strength,
                "blind": vote.blind,
                "created": vote.created,
                "updated": vote.updated,
            }
            for vote in all_ratings.comparisons
            if vote.answer_a_id in index
        ],
    }


def _export_message(ratings: Ratings, message: Message, index: dict[int, int]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "role": message.role,
        "content": message.content,
        "created": message.created,
    }
    if message.role == "user":
        return entry
    assert message.parent_id is not None  # answers have a prompt
    entry |= {
        "parent": index[message.parent_id],
        "selected": message.selected,
        "model": message.model,
        "params": message.params,
        "seed": message.seed,
        "stats": message.stats,
        "stop_reason": message.stop_reason,
        "reasoning": message.reasoning,
    }
    thumbs = ratings.thumbs(message.id)
    if thumbs is not None:
        entry["thumbs"] = {
            "value": thumbs.value,
            "tags": list(thumbs.tags),
            "comment": thumbs.comment,
            "rewrite": thumbs.rewrite,
            "created": thumbs.created,
            "updated": thumbs.updated,
        }
    return entry


def document_json(document: Document) -> bytes:
    """The document as UTF-8 JSON, indented for people who open it."""
    return (json.dumps(document, ensure_ascii=False, allow_nan=False, indent=1) + "\n").encode()


# Import


def import_document(store: Store, document: Document) -> ImportResult:
    """Add the conversations of ``document`` that are not in ``store`` yet, in one transaction.

    ``ArchiveError`` (and nothing added) for a document that is not one of ours or is broken.
    """
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ArchiveError("This is not a LlamaDesk chat export.")
    if document.get("version") != VERSION:
        raise ArchiveError(
            f"This chat export has version {document.get('version')!r}; "
            f"this LlamaDesk reads version {VERSION}."
        )
    conversations = _list(document, "conversations")
    added = messages = skipped = skipped_messages = 0
    try:
        with store.db.transaction():
            known = _known_sources(store)
            for place, conversation in enumerate(conversations, start=1):
                if not isinstance(conversation, dict):
                    raise ArchiveError(f"Conversation {place} is not an object.")
                count = len(_list(conversation, "messages"))
                source_id = _text(conversation, "source_id")
                if not source_id or source_id in known:
                    skipped, skipped_messages = skipped + 1, skipped_messages + count
                    continue
                try:
                    _import_conversation(store, conversation, source_id)
                except ArchiveError as error:
                    raise ArchiveError(f"Conversation {place}: {error}") from None
                known.add(source_id)
                added, messages = added + 1, messages + count
            for model in _models(document):
                remember(store, model)
    except (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.ProgrammingError) as error:
        # A constraint the schema holds (one shown answer, a known winner, ...) or a value
        # SQLite cannot store: the document is broken, and the transaction rolled back.
        raise ArchiveError(f"The chat export is inconsistent: {error}") from None
    return ImportResult(added, messages, skipped, skipped_messages)


def _known_sources(store: Store) -> set[str]:
    found = store.db.all("SELECT source_id, created FROM conversations")
    return {row["source_id"] or native_source_id(row["created"]) for row in found}


def _models(document: Document) -> Iterable[ModelFile]:
    models = document.get("models", {})
    if not isinstance(models, dict):
        raise ArchiveError("'models' is not an object.")
    for name, facts in models.items():
        if isinstance(facts, dict) and facts.get("sha256"):
            yield ModelFile(
                str(name),
                str(facts.get("sha256", "")),
                facts["size"] if isinstance(facts.get("size"), int) else 0,
                str(facts.get("quantization", "")),
                str(facts.get("template_sha256", "")),
            )


def _import_conversation(store: Store, conversation: dict[str, Any], source_id: str) -> None:
    kind = conversation.get("kind", "chat")
    if kind not in get_args(ConversationKind):
        raise ArchiveError(f"unknown kind {kind!r}.")
    sampling = conversation.get("sampling", {})
    if not isinstance(sampling, dict):
        raise ArchiveError("'sampling' is not an object.")
    title = _text(conversation, "title").strip() or "Imported chat"
    conversation_id = store.db.insert(
        "INSERT INTO conversations (title, system_prompt, created, updated, kind, sampling,"
        " source_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            title,
            _text(conversation, "system_prompt"),
            _number(conversation, "created"),
            _number(conversation, "updated"),
            kind,
            json.dumps(sampling, allow_nan=False),
            source_id,
        ),
    )
    ids: list[int] = []
    for place, message in enumerate(_list(conversation, "messages")):
        if not isinstance(message, dict):
            raise ArchiveError(f"message {place + 1} is not an object.")
        ids.append(_import_message(store, conversation_id, message, ids))
    _import_ratings(store, conversation, ids)


def _import_message(
    store: Store, conversation_id: int, message: dict[str, Any], earlier: list[int]
) -> int:
    role, content, created = (
        message.get("role"),
        _text(message, "content"),
        _number(message, "created"),
    )
    if role == "user":
        return store.db.insert(
            "INSERT INTO messages (conversation_id, role, content, created)"
            " VALUES (?, 'user', ?, ?)",
            (conversation_id, content, created),
        )
    if role != "assistant":
        raise ArchiveError(f"unknown role {role!r}.")
    parent = _index(message, "parent", earlier)
    stop_reason = message.get("stop_reason", "eos")
    if stop_reason not in get_args(StopReason):
        raise ArchiveError(f"unknown stop reason {stop_reason!r}.")
    seed = message.get("seed")
    if seed is not None and not isinstance(seed, int):
        raise ArchiveError("'seed' is not a whole number.")
    answer_id = store.db.insert(
        "INSERT INTO messages (conversation_id, role, content, created, parent_id, model, params,"
        " seed, stats, stop_reason, selected, reasoning)"
        " VALUES (?, 'assistant', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            conversation_id,
            content,
            created,
            parent,
            _text(message, "model"),
            _object_json(message, "params"),
            seed,
            _object_json(message, "stats"),
            stop_reason,
            int(bool(message.get("selected", False))),
            _text(message, "reasoning"),
        ),
    )
    thumbs = message.get("thumbs")
    if thumbs is not None:
        _import_thumbs(store, answer_id, thumbs)
    return answer_id


def _import_thumbs(store: Store, answer_id: int, thumbs: object) -> None:
    if not isinstance(thumbs, dict) or thumbs.get("value") not in (1, -1):
        raise ArchiveError("a thumbs rating is not 1 or -1.")
    tags = thumbs.get("tags", [])
    if not isinstance(tags, list) or not set(tags) <= set(REASON_TAGS):
        raise ArchiveError(f"unknown reason tags {tags!r}.")
    store.db.execute(
        "INSERT INTO thumbs (answer_id, value, tags, comment, rewrite, created, updated)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            answer_id,
            thumbs["value"],
            json.dumps(tags),
            _text(thumbs, "comment"),
            _text(thumbs, "rewrite"),
            _number(thumbs, "created"),
            _number(thumbs, "updated"),
        ),
    )


def _import_ratings(store: Store, conversation: dict[str, Any], ids: list[int]) -> None:
    for ranking in _list(conversation, "rankings", required=False):
        prompt_id = _index(ranking, "prompt", ids)
        store.db.execute(
            "INSERT INTO rankings (prompt_id, kind, created, updated) VALUES (?, ?, ?, ?)",
            (
                prompt_id,
                ranking.get("kind"),
                _number(ranking, "created"),
                _number(ranking, "updated"),
            ),
        )
        answers, ranks = _list(ranking, "answers"), _list(ranking, "ranks")
        if len(answers) != len(ranks):
            raise ArchiveError("a ranking has as many ranks as answers.")
        for place, rank in zip(answers, ranks, strict=True):
            store.db.execute(
                "INSERT INTO ranked_answers (prompt_id, answer_id, rank) VALUES (?, ?, ?)",
                (prompt_id, _at(place, ids), rank),
            )
    for vote in _list(conversation, "comparisons", required=False):
        store.db.execute(
            "INSERT INTO comparisons (answer_a_id, answer_b_id, model_a, model_b, winner,"
            " strength, blind, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _index(vote, "a", ids),
                _index(vote, "b", ids),
                _text(vote, "model_a"),
                _text(vote, "model_b"),
                vote.get("winner"),
                _text(vote, "strength"),
                int(bool(vote.get("blind", False))),
                _number(vote, "created"),
                _number(vote, "updated"),
            ),
        )


# Reading fields, each failure one sentence.


def _list(entry: dict[str, Any], key: str, *, required: bool = True) -> list[Any]:
    value = entry.get(key, None if required else [])
    if not isinstance(value, list):
        raise ArchiveError(f"'{key}' is missing or not a list.")
    return value


def _text(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise ArchiveError(f"'{key}' is not text.")
    return value


def _number(entry: dict[str, Any], key: str) -> float:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArchiveError(f"'{key}' is missing or not a number.")
    return float(value)


def _object_json(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key, {})
    if not isinstance(value, dict):
        raise ArchiveError(f"'{key}' is not an object.")
    return json.dumps(value, allow_nan=False)


def _index(entry: object, key: str, ids: list[int]) -> int:
    if not isinstance(entry, dict):
        raise ArchiveError("a rating is not an object.")
    return _at(entry.get(key), ids)


def _at(place: object, ids: list[int]) -> int:
    if isinstance(place, bool) or not isinstance(place, int) or not 0 <= place < len(ids):
        raise ArchiveError(f"refers to message {place!r}, which comes later or does not exist.")
    return ids[place]
