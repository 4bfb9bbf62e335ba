"""Which of your models you prefer: a Bradley-Terry fit over your compare votes.

As Chatbot Arena reports it: ratings on an Elo-like scale (400 points = 10:1 odds of
winning) around 1000, with 95% intervals from a bootstrap over the votes.

- A tie, and "both are bad", counts half a win for each side (FastChat does the same, by
  counting every tie once as a win for A and once as a win for B).
- A vote between two answers with the same model name says nothing about models and is left
  out (give the two settings different labels when voting to rank them).
- A weak Gaussian prior (one standard deviation = 400 points) keeps a model that won or lost
  every vote at a finite rating, which plain maximum likelihood would not; it matters only
  for models with few votes. It also centres the ratings: their mean is exactly 1000.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from llamadesk.core.ratings import Ratings, Winner
from llamadesk.core.store import Store

BASE_RATING = 1000.0
ELO_PER_NAT = 400 / math.log(10)  # a difference of 1 in log-strength, in rating points
PRIOR_PRECISION = (ELO_PER_NAT / 400) ** 2  # 1 / variance, in log-strength units
DEFAULT_RESAMPLES = 200
_MAX_STEP = 2.0  # damps Newton's first steps, far from the optimum
_TOLERANCE = 1e-9

Floats = npt.NDArray[np.float64]
_SCORES: dict[Winner, float] = {"model_a": 1.0, "model_b": 0.0, "tie": 0.5, "tie (bothbad)": 0.5}


class Battle(NamedTuple):
    """One vote: which models met and who won."""

    model_a: str
    model_b: str
    winner: Winner


@dataclass(frozen=True)
class LeaderboardRow:
    """One model's rating with its 95% interval, and its record (ties include both-bad)."""

    model: str
    rating: float
    lower: float
    upper: float
    battles: int
    wins: int
    ties: int
    losses: int


def leaderboard(
    store: Store, *, resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> list[LeaderboardRow]:
    """The leaderboard from every compare vote in ``store``."""
    votes = Ratings(store).comparisons()
    return rate_models(
        [Battle(v.model_a, v.model_b, v.winner) for v in votes], resamples=resamples, seed=seed
    )


def rate_models(
    battles: Iterable[Battle], *, resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> list[LeaderboardRow]:
    """Rate the models in ``battles``, best first; the same seed gives the same intervals."""
    kept = [b for b in battles if b.model_a != b.model_b]
    models = sorted({b.model_a for b in kept} | {b.model_b for b in kept})
    if not models:
        return []
    index = {name: i for i, name in enumerate(models)}
    a = np.array([index[b.model_a] for b in kept])
    b = np.array([index[b.model_b] for b in kept])
    score = np.array([_SCORES[battle.winner] for battle in kept])
    estimate = _fit(a, b, score, np.ones(len(kept)), len(models))
    rng = np.random.default_rng(seed)
    # A resample of the votes is a count of how often each vote was drawn.
    draws = rng.multinomial(len(kept), np.full(len(kept), 1 / len(kept)), size=resamples)
    samples = np.array([_fit(a, b, score, weights, len(models)) for weights in draws])
    lower, upper = np.percentile(samples, [2.5, 97.5], axis=0)
    rows = [
        LeaderboardRow(
            model=name,
            rating=_points(estimate[i]),
            lower=_points(lower[i]),
            upper=_points(upper[i]),
            **_record(name, kept),
        )
        for name, i in index.items()
    ]
    return sorted(rows, key=lambda row: (-row.rating, row.model))


def _points(log_strength: float) -> float:
    return BASE_RATING + ELO_PER_NAT * float(log_strength)


def _record(model: str, battles: Sequence[Battle]) -> dict[str, int]:
    wins = ties = losses = 0
    for battle in battles:
        if model not in (battle.model_a, battle.model_b):
            continue
        if battle.winner in ("tie", "tie (bothbad)"):
            ties += 1
        elif (battle.winner == "model_a") == (battle.model_a == model):
            wins += 1
        else:
            losses += 1
    return {"battles": wins + ties + losses, "wins": wins, "ties": ties, "losses": losses}


def _fit(
    a: npt.NDArray[np.int_], b: npt.NDArray[np.int_], score: Floats, weights: Floats, size: int
) -> Floats:
    """Log-strengths maximising the Bradley-Terry likelihood times the prior (Newton's method).

    ``score`` is A's share of each battle (1, 0.5 or 0); ``weights`` how often it counts.
    """
    games = np.zeros((size, size))
    won = np.zeros((size, size))
    np.add.at(games, (a, b), weights)
    np.add.at(games, (b, a), weights)
    np.add.at(won, (a, b), weights * score)
    np.add.at(won, (b, a), weights * (1 - score))
    strength = np.zeros(size)
    for _ in range(100):
        beats = 1 / (1 + np.exp(strength[None, :] - strength[:, None]))  # P(row beats column)
        gradient = (won - games * beats).sum(axis=1) - PRIOR_PRECISION * strength
        spread = games * beats * (1 - beats)
        # The negated Hessian; the prior makes it positive definite, so the step exists.
        curvature = np.diag(spread.sum(axis=1)) - spread + PRIOR_PRECISION * np.eye(size)
        step = np.clip(np.linalg.solve(curvature, gradient), -_MAX_STEP, _MAX_STEP)
        strength += step
        if np.abs(step).max() < _TOLERANCE:
            break
    return strength
