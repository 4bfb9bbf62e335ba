"""Ratings of answers: thumbs (with a better answer on thumbs-down), rankings and arena votes.

Every rating is committed the moment it is given, can be given again to change it, and can
be taken back. Ratings live in the chat history's database (tables made by the store's
second migration) and go away with the answers they rate.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations, groupby
from typing import Literal, get_args

from llamadesk.core.store import Message, NotFound, Store

ThumbValue = Literal[1, -1]
RankingKind = Literal["pick", "rank"]
# Chatbot Arena's names for the four votes (FastChat logs them exactly so).
Winner = Literal["model_a", "model_b", "tie", "tie (bothbad)"]
Strength = Literal["", "slightly", "much"]

REASON_TAGS: tuple[str, ...] = (
    "helpful",
    "correct",
    "concise",
    "creative",
    "wrong",
    "unsafe",
    "off-topic",
    "too long",
    "incomplete",
)


@dataclass(frozen=True)
class Thumbs:
    """Thumbs up (``value`` 1) or down (-1) on one answer.

    ``tags`` come from ``REASON_TAGS`` in that order; ``rewrite`` is the better answer the
    user wrote, only ever on a thumbs-down ("" when there is none).
    """

    answer_id: int
    value: ThumbValue
    tags: tuple[str, ...]
    comment: str
    rewrite: str
    created: float
    updated: float


@dataclass(frozen=True)
class Ranking:
    """An ordering of answers to one prompt: ``answer_ids`` best first, with their ``ranks``.

    A full ranking ("rank") gives ranks 0, 1, 2, …; a pick of the best ("pick") gives the
    best rank 0 and every other candidate rank 1, since nothing is known among them.
    """

    prompt_id: int
    kind: RankingKind
    answer_ids: tuple[int, ...]
    ranks: tuple[int, ...]
    created: float
    updated: float

    @property
    def best(self) -> int | None:
        """The answer ranked first, if one answer alone holds rank 0."""
        firsts = [a for a, r in zip(self.answer_ids, self.ranks, strict=True) if r == 0]
        return firsts[0] if len(firsts) == 1 else None

    def pairs(self) -> list[tuple[int, int]]:
        """Every (better, worse) pair of answers that the ranks order.

        A ranking of N gives N*(N-1)/2 pairs, a pick of the best among N gives N-1.
        """
        ranked = sorted(zip(self.ranks, self.answer_ids, strict=True))
        return [(a, b) for (rank_a, a), (rank_b, b) in combinations(ranked, 2) if rank_a < rank_b]


@dataclass(frozen=True)
class Comparison:
    """An arena vote between two answers to the same prompt."""

    id: int
    answer_a_id: int
    answer_b_id: int
    model_a: str
    model_b: str
    winner: Winner
    strength: Strength
    blind: bool
    created: float
    updated: float


def _thumbs_from_row(row: sqlite3.Row) -> Thumbs:
    return Thumbs(
        answer_id=row["answer_id"],
        value=row["value"],
        tags=tuple(json.loads(row["tags"])),
        comment=row["comment"],
        rewrite=row["rewrite"],
        created=row["created"],
        updated=row["updated"],
    )


def _comparison_from_row(row: sqlite3.Row) -> Comparison:
    return Comparison(
        id=row["id"],
        answer_a_id=row["answer_a_id"],
        answer_b_id=row["answer_b_id"],
        model_a=row["model_a"],
        model_b=row["model_b"],
        winner=row["winner"],
        strength=row["strength"],
        blind=bool(row["blind"]),
        created=row["created"],
        updated=row["updated"],
    )


def _ranking_from_rows(rows: list[sqlite3.Row]) -> Ranking:
    """One ranking from its joined rows (a single row with NULL answer if it has none)."""
    entries = [row for row in rows if row["answer_id"] is not None]
    return Ranking(
        prompt_id=rows[0]["prompt_id"],
        kind=rows[0]["kind"],
        answer_ids=tuple(entry["answer_id"] for entry in entries),
        ranks=tuple(entry["rank"] for entry in entries),
        created=rows[0]["created"],
        updated=rows[0]["updated"],
    )


def _common_prompt(answers: Sequence[Message]) -> int:
    """The prompt that all these answers reply to; ValueError if they differ."""
    prompts = {answer.parent_id for answer in answers}
    if len(prompts) != 1:
        raise ValueError("Only answers to the same prompt can be ranked or compared")
    (prompt_id,) = prompts
    assert prompt_id is not None  # every answer has a prompt
    return prompt_id


def _sorted_tags(tags: Iterable[str]) -> tuple[str, ...]:
    chosen = set(tags)
    unknown = chosen.difference(REASON_TAGS)
    if unknown:
        raise ValueError(f"Unknown reason tags: {', '.join(sorted(unknown))}")
    return tuple(tag for tag in REASON_TAGS if tag in chosen)


class Ratings:
    """The ratings stored alongside the chat history of ``store``.

    It shares the store's database and transactions (so a rating and the store's own writes
    never interleave half-done); this module exists only to keep ``store.py`` about chats.
    Every method may raise ``StoreError`` as the store's do.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._db = store.db

    def _answer(self, answer_id: int) -> Message:
        answer = self._store.message(answer_id)
        if answer.role != "assistant":
            raise ValueError(f"Message {answer_id} is not an answer")
        return answer

    # Thumbs

    def set_thumbs(
        self,
        answer_id: int,
        value: ThumbValue,
        *,
        tags: Iterable[str] = (),
        comment: str = "",
        rewrite: str = "",
    ) -> Thumbs:
        """Give (or replace) the thumbs rating of an answer.

        ``rewrite`` is a better answer written by the user and needs a thumbs-down. Blank
        text counts as no rewrite.
        """
        if value not in (1, -1):
            raise ValueError(f"A thumbs rating is 1 or -1, not {value!r}")
        tags_json = json.dumps(_sorted_tags(tags))
        if not rewrite.strip():
            rewrite = ""
        if rewrite and value != -1:
            raise ValueError("Only a thumbs-down can carry a better answer")
        now = self._store.clock()
        with self._db.transaction():
            self._answer(answer_id)
            self._db.execute(
                "INSERT INTO thumbs (answer_id, value, tags, comment, rewrite, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (answer_id) DO UPDATE SET value = excluded.value,"
                " tags = excluded.tags, comment = excluded.comment,"
                " rewrite = excluded.rewrite, updated = excluded.updated",
                (answer_id, value, tags_json, comment, rewrite, now, now),
            )
        thumbs = self.thumbs(answer_id)
        assert thumbs is not None  # just written
        return thumbs

    def thumbs(self, answer_id: int) -> Thumbs | None:
        """The thumbs rating of an answer, or None if it has none."""
        row = self._db.one("SELECT * FROM thumbs WHERE answer_id = ?", (answer_id,))
        return None if row is None else _thumbs_from_row(row)

    def all_thumbs(self) -> list[Thumbs]:
        """Every thumbs rating, oldest first."""
        rows = self._db.all("SELECT * FROM thumbs ORDER BY created, answer_id")
        return [_thumbs_from_row(row) for row in rows]

    def clear_thumbs(self, answer_id: int) -> None:
        """Take back the thumbs rating of an answer (and its rewrite); none is fine."""
        self._db.execute("DELETE FROM thumbs WHERE answer_id = ?", (answer_id,))

    # Rankings

    def pick_best(self, best_id: int, among: Sequence[int] | None = None) -> Ranking:
        """Mark ``best_id`` the best of the answers ``among`` (default: all its siblings).

        This replaces any earlier pick or ranking for the prompt.
        """
        if among is None:
            parent_id = self._answer(best_id).parent_id
            assert parent_id is not None  # every answer has a prompt
            among = [answer.id for answer in self._store.siblings(parent_id)]
        if best_id not in among:
            raise ValueError(f"Answer {best_id} is not among the answers picked from")
        return self._save_ranking("pick", {a: 0 if a == best_id else 1 for a in among})

    def rank(self, answer_ids_best_first: Sequence[int]) -> Ranking:
        """Rank answers to one prompt, best first; replaces any earlier pick or ranking."""
        if len(set(answer_ids_best_first)) != len(answer_ids_best_first):
            raise ValueError("A ranking lists each answer once")
        return self._save_ranking("rank", {a: rank for rank, a in enumerate(answer_ids_best_first)})

    def _save_ranking(self, kind: RankingKind, ranks: dict[int, int]) -> Ranking:
        if len(ranks) < 2:
            raise ValueError("A ranking needs at least two different answers")
        now = self._store.clock()
        with self._db.transaction():
            prompt_id = _common_prompt([self._answer(answer_id) for answer_id in ranks])
            self._db.execute(
                "INSERT INTO rankings (prompt_id, kind, created, updated) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (prompt_id) DO UPDATE SET kind = excluded.kind,"
                " updated = excluded.updated",
                (prompt_id, kind, now, now),
            )
            self._db.execute("DELETE FROM ranked_answers WHERE prompt_id = ?", (prompt_id,))
            self._db.executemany(
                "INSERT INTO ranked_answers (prompt_id, answer_id, rank) VALUES (?, ?, ?)",
                [(prompt_id, answer_id, rank) for answer_id, rank in ranks.items()],
            )
        ranking = self.ranking(prompt_id)
        assert ranking is not None  # just written
        return ranking

    def ranking(self, prompt_id: int) -> Ranking | None:
        """The pick or ranking of the answers to a prompt, or None if there is none."""
        found = self._rankings("WHERE prompt_id = ?", (prompt_id,))
        return found[0] if found else None

    def rankings(self) -> list[Ranking]:
        """Every pick and ranking, oldest first."""
        return self._rankings("", ())

    def _rankings(self, where: str, parameters: tuple[int, ...]) -> list[Ranking]:
        # LEFT JOIN: a ranking whose answers were all deleted still shows (with no pairs)
        # until it is cleared.
        rows = self._db.all(
            "SELECT * FROM rankings LEFT JOIN ranked_answers USING (prompt_id)"
            f" {where} ORDER BY created, prompt_id, rank, answer_id",
            parameters,
        )
        return [
            _ranking_from_rows(list(group))
            for _, group in groupby(rows, key=lambda row: row["prompt_id"])
        ]

    def clear_ranking(self, prompt_id: int) -> None:
        """Take back the pick or ranking for a prompt; none is fine."""
        self._db.execute("DELETE FROM rankings WHERE prompt_id = ?", (prompt_id,))

    # Arena votes

    def vote(
        self,
        answer_a_id: int,
        answer_b_id: int,
        winner: Winner,
        *,
        strength: Strength = "",
        blind: bool = False,
        model_a: str | None = None,
        model_b: str | None = None,
    ) -> Comparison:
        """Record (or change) the vote between two answers to the same prompt.

        ``strength`` ("slightly" or "much" better) only goes with a winner, not a tie. The
        model names default to the answers' models; pass labels to tell apart one model run
        with two settings.
        """
        if winner not in get_args(Winner):
            raise ValueError(f"Unknown winner {winner!r}")
        if strength not in get_args(Strength):
            raise ValueError(f"Unknown strength {strength!r}")
        if strength and winner not in ("model_a", "model_b"):
            raise ValueError("A tie has no strength")
        if answer_a_id == answer_b_id:
            raise ValueError("An answer cannot be compared with itself")
        now = self._store.clock()
        with self._db.transaction():
            answer_a, answer_b = self._answer(answer_a_id), self._answer(answer_b_id)
            _common_prompt([answer_a, answer_b])
            labels = (
                answer_a.model if model_a is None else model_a,
                answer_b.model if model_b is None else model_b,
            )
            self._db.execute(
                "INSERT INTO comparisons (answer_a_id, answer_b_id, model_a, model_b, winner,"
                " strength, blind, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (answer_a_id, answer_b_id) DO UPDATE SET"
                " model_a = excluded.model_a, model_b = excluded.model_b,"
                " winner = excluded.winner, strength = excluded.strength,"
                " blind = excluded.blind, updated = excluded.updated",
                (answer_a_id, answer_b_id, *labels, winner, strength, int(blind), now, now),
            )
        comparison = self.comparison_of(answer_a_id, answer_b_id)
        assert comparison is not None  # just written
        return comparison

    def comparison(self, comparison_id: int) -> Comparison:
        """The vote with this id; ``NotFound`` if there is none."""
        row = self._db.one("SELECT * FROM comparisons WHERE id = ?", (comparison_id,))
        if row is None:
            raise NotFound(f"No comparison {comparison_id}")
        return _comparison_from_row(row)

    def comparison_of(self, answer_a_id: int, answer_b_id: int) -> Comparison | None:
        """The vote between answer A and answer B (in that order), or None."""
        row = self._db.one(
            "SELECT * FROM comparisons WHERE answer_a_id = ? AND answer_b_id = ?",
            (answer_a_id, answer_b_id),
        )
        return None if row is None else _comparison_from_row(row)

    def comparisons(self) -> list[Comparison]:
        """Every vote, oldest first."""
        rows = self._db.all("SELECT * FROM comparisons ORDER BY created, id")
        return [_comparison_from_row(row) for row in rows]

    def delete_comparison(self, comparison_id: int) -> None:
        """Take back a vote; one already gone is fine."""
        self._db.execute("DELETE FROM comparisons WHERE id = ?", (comparison_id,))
