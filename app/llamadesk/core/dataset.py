"""The rated data set at a glance: counts by kind, the preference pairs, the leaderboard.

What the Data set view shows, read in one go by ``read_dataset``. The pairs are the TRL
export's own rows (``preferences.trl_rows``) and the counts are the exports' own lengths, so
the view always shows exactly what an export would write.

Reading is not quick: about 0.7 s for a thousand pairs and 300 votes, of which the TRL rows
take 0.3 s and the leaderboard's bootstrap 0.14 s (``benchmarks/dataset_read.py``), so the
window reads in the background.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, get_args

from llamadesk.core.preferences import arena_rows, kto_rows, trl_rows
from llamadesk.core.ratings import Ratings
from llamadesk.core.store import Store

if TYPE_CHECKING:
    from llamadesk.core.leaderboard import LeaderboardRow

PairSource = Literal["rewrite", "pick", "rank", "compare"]
RatingKind = Literal["thumbs", "ranking", "comparison"]


class RatingRef(NamedTuple):
    """The rating a pair comes from: a thumbs-down with a rewrite (by the answer's id), a
    pick or ranking (by its prompt's id) or an arena vote (by the vote's id)."""

    kind: RatingKind
    id: int


@dataclass(frozen=True)
class PreferencePair:
    """One row of the TRL export, as a table shows it.

    ``id`` is the export row's id; ``prompt`` is the last user message (the export's
    ``prompt`` also holds the turns before it); ``created`` is when the rating was given.
    """

    id: str
    source: PairSource
    rating: RatingRef
    prompt: str
    chosen: str
    rejected: str
    chosen_model: str
    rejected_model: str
    created: datetime


@dataclass(frozen=True)
class DatasetCounts:
    """How many ratings of each kind there are, and how many rows each export would hold.

    ``ties`` counts "tie" votes, ``both_bad`` the "both are bad" ones; ``wins`` the rest.
    """

    thumbs_up: int
    thumbs_down: int
    rewrites: int
    picks: int
    rankings: int
    wins: int
    ties: int
    both_bad: int
    trl_pairs: int
    kto_rows: int
    arena_battles: int

    @property
    def thumbs(self) -> int:
        return self.thumbs_up + self.thumbs_down

    @property
    def votes(self) -> int:
        return self.wins + self.ties + self.both_bad

    @property
    def empty(self) -> bool:
        """Nothing rated yet: every export would be empty."""
        return self.trl_pairs == self.kto_rows == self.arena_battles == 0


@dataclass(frozen=True)
class Dataset:
    """Everything the Data set view shows; pairs oldest first, the leaderboard best first."""

    counts: DatasetCounts
    pairs: tuple[PreferencePair, ...]
    leaderboard: tuple[LeaderboardRow, ...]


def read_dataset(store: Store) -> Dataset:
    """Read the counts, the pairs and the leaderboard from ``store``."""
    pairs = preference_pairs(store)
    from llamadesk.core.leaderboard import leaderboard  # numpy: not needed at the app's start

    return Dataset(count_ratings(store, len(pairs)), tuple(pairs), tuple(leaderboard(store)))


def count_ratings(store: Store, trl_pairs: int | None = None) -> DatasetCounts:
    """Count the ratings in ``store``; pass ``trl_pairs`` if the pairs were just read."""
    ratings = Ratings(store)
    thumbs = ratings.all_thumbs()
    ranking_kinds = Counter(ranking.kind for ranking in ratings.rankings())
    winners = Counter(vote.winner for vote in ratings.comparisons())
    return DatasetCounts(
        thumbs_up=sum(t.value == 1 for t in thumbs),
        thumbs_down=sum(t.value == -1 for t in thumbs),
        rewrites=sum(bool(t.rewrite) for t in thumbs),
        picks=ranking_kinds["pick"],
        rankings=ranking_kinds["rank"],
        wins=winners["model_a"] + winners["model_b"],
        ties=winners["tie"],
        both_bad=winners["tie (bothbad)"],
        trl_pairs=len(trl_rows(store)) if trl_pairs is None else trl_pairs,
        kto_rows=len(kto_rows(store)),
        arena_battles=len(arena_rows(store)),
    )


def preference_pairs(store: Store) -> list[PreferencePair]:
    """Every pair the TRL export would write, oldest first."""
    find = _RatingFinder(Ratings(store))
    return [_pair(row, find(row["id"])) for row in trl_rows(store)]


def delete_pair(store: Store, pair_id: str) -> RatingRef | None:
    """Take back the rating that the pair ``pair_id`` comes from; returns which, if any.

    - a rewrite: the rewrite goes, the thumbs-down (with its tags and comment) stays;
    - a pick or ranking: the whole pick or ranking goes, with every pair it made;
    - a compare vote: the vote goes.

    A pair that is already gone (another window took it back) is not an error.
    """
    ratings = Ratings(store)
    try:
        rating = _RatingFinder(ratings)(pair_id)
    except LookupError:
        return None
    if rating.kind == "thumbs":
        thumbs = ratings.thumbs(rating.id)
        if thumbs is None or not thumbs.rewrite:
            return None
        ratings.set_thumbs(rating.id, thumbs.value, tags=thumbs.tags, comment=thumbs.comment)
    elif rating.kind == "ranking":
        ratings.clear_ranking(rating.id)
    else:
        ratings.delete_comparison(rating.id)
    return rating


class _RatingFinder:
    """Finds the rating behind a pair from the pair's export id.

    The ids are ``preferences``'s: ``rewrite-<answer>``, ``pick-<better>-<worse>``,
    ``rank-<better>-<worse>`` and ``compare-<vote>``. A ranking is known by its prompt, so
    this reads which prompt each ranked answer belongs to, once.
    """

    def __init__(self, ratings: Ratings) -> None:
        self._prompt_of = {
            answer_id: ranking.prompt_id
            for ranking in ratings.rankings()
            for answer_id in ranking.answer_ids
        }

    def __call__(self, pair_id: str) -> RatingRef:
        """The rating; ``LookupError`` for an id that names no rating (any more)."""
        source, _, numbers = pair_id.partition("-")
        try:
            first = int(numbers.split("-")[0])
        except ValueError:
            raise LookupError(f"Not a pair id: {pair_id!r}") from None
        if source == "rewrite":
            return RatingRef("thumbs", first)
        if source == "compare":
            return RatingRef("comparison", first)
        if source in ("pick", "rank") and first in self._prompt_of:
            return RatingRef("ranking", self._prompt_of[first])
        raise LookupError(f"No rating for the pair {pair_id!r}")


def _pair(row: dict[str, Any], rating: RatingRef) -> PreferencePair:
    source = row["source"]
    assert source in get_args(PairSource)  # trl_rows writes only these
    return PreferencePair(
        id=row["id"],
        source=source,
        rating=rating,
        prompt=_last_user_text(row["prompt"]),
        # TRL's rule: chosen and rejected hold only the final assistant turn.
        chosen=row["chosen"][-1]["content"],
        rejected=row["rejected"][-1]["content"],
        chosen_model=row["chosen_model"],
        rejected_model=row["rejected_model"],
        created=datetime.fromisoformat(row["created"]),
    )


def _last_user_text(turns: list[dict[str, str]]) -> str:
    return next((turn["content"] for turn in reversed(turns) if turn["role"] == "user"), "")
