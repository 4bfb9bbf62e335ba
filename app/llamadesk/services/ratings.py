"""Ratings as the window gives them: each one stored at once, and announced.

The chat view, the compare view and the data set view all change ratings; `changed` lets
each of them refresh when another one did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from llamadesk.core.ratings import Comparison, Ranking, Ratings, Strength, Thumbs, Winner
from llamadesk.core.store import Message, Store, StoreError

T = TypeVar("T")


@dataclass(frozen=True)
class ShownAnswer:
    """An answer as the chat shows it: where it sits among its siblings and its ratings."""

    message: Message
    sibling_ids: tuple[int, ...]
    thumbs: Thumbs | None
    is_best: bool

    @property
    def position(self) -> int:
        return self.sibling_ids.index(self.message.id)


class RatingsService(QObject):
    """Signals:
    changed(): some rating was given, changed or taken back.
    error(str): a rating could not be stored (disk full, read-only...); nothing changed.
    """

    changed = Signal()
    error = Signal(str)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.ratings = Ratings(store)

    def shown(self, answer: Message) -> ShownAnswer:
        assert answer.parent_id is not None, "only answers have siblings"
        siblings = tuple(m.id for m in self.store.siblings(answer.parent_id))
        ranking = self.ratings.ranking(answer.parent_id)
        best = ranking is not None and ranking.best == answer.id
        return ShownAnswer(answer, siblings, self.ratings.thumbs(answer.id), best)

    def toggle_thumbs(self, answer_id: int, value: int) -> Thumbs | None:
        """Give a thumb; giving the same one again takes it back. Returns what stands now
        (None also when the store refused it)."""
        current = self.ratings.thumbs(answer_id)
        if current is not None and current.value == value:
            return self._stored(lambda: self.ratings.clear_thumbs(answer_id))
        return self._stored(lambda: self.ratings.set_thumbs(answer_id, 1 if value > 0 else -1))

    def give_feedback(
        self, answer_id: int, value: int, tags: Iterable[str], comment: str, rewrite: str
    ) -> Thumbs | None:
        return self._stored(
            lambda: self.ratings.set_thumbs(
                answer_id, 1 if value > 0 else -1, tags=tags, comment=comment, rewrite=rewrite
            )
        )

    def toggle_best(self, answer_id: int) -> Ranking | None:
        """Mark an answer the best of its siblings; marking the best again takes it back."""
        answer = self.store.message(answer_id)
        assert answer.parent_id is not None
        prompt_id = answer.parent_id
        ranking = self.ratings.ranking(prompt_id)
        if ranking is not None and ranking.best == answer_id:
            return self._stored(lambda: self.ratings.clear_ranking(prompt_id))
        return self._stored(lambda: self.ratings.pick_best(answer_id))

    def rank(self, answer_ids_best_first: Sequence[int]) -> Ranking | None:
        return self._stored(lambda: self.ratings.rank(answer_ids_best_first))

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
        """Record a compare vote; a store failure is raised (`CompareSession` reports it)."""
        comparison = self.ratings.vote(
            answer_a_id,
            answer_b_id,
            winner,
            strength=strength,
            blind=blind,
            model_a=model_a,
            model_b=model_b,
        )
        self.changed.emit()
        return comparison

    def _stored(self, write: Callable[[], T]) -> T | None:
        """Run one rating write and announce it; if the store refuses, say why instead."""
        try:
            result = write()
        except StoreError as exc:
            self.error.emit(f"The rating was not saved. {exc}")
            return None
        self.changed.emit()
        return result
