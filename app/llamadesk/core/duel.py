"""How a tuned model fares against its base, from the user's own blind votes.

The duel uses the same arena as everything else: the tuned model is a model of its own (its
adapter's file name, see `adapters`), and a vote between it and its base is an ordinary
comparison. `duel_result` counts those votes on the prompts training never saw (the lineage's
held-out prompts), so the figure is not flattered by answers the model was trained toward.

A tie counts half a win to each, as in the arena's own leaderboards; the interval is a
percentile bootstrap over the votes, which is honest about how little a dozen votes say.

`TunedDuel` is what the arena needs to run such duels: the adapter, its base, the held-out
prompts and which of them were already duelled, so the next one can be put up; and the latest
measurement of the tuned model against the original (KL, top-1), which says how far training
moved it whatever the votes say.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from llamadesk.core.adapters import AdapterLineage, adapters_in, find_base
from llamadesk.core.evaluate import SavedReport
from llamadesk.core.ratings import Comparison, Ratings
from llamadesk.core.store import Store

BOOTSTRAP_SAMPLES = 2000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class DuelResult:
    """Votes of tuned against base on held-out prompts; scores from the tuned side."""

    wins: int
    losses: int
    ties: int
    win_rate: float  # (wins + ties / 2) / votes; NaN with no votes
    low: float  # the bootstrap interval's ends
    high: float

    @property
    def votes(self) -> int:
        return self.wins + self.losses + self.ties

    def describe(self) -> str:
        if not self.votes:
            return "No blind votes between the tuned model and its base on held-out prompts yet."
        return (
            f"The tuned model won {self.win_rate:.0%} of {self.votes} blind votes on held-out "
            f"prompts ({CONFIDENCE:.0%} interval {self.low:.0%} to {self.high:.0%}; "
            f"{self.wins} wins, {self.losses} losses, {self.ties} ties)."
        )


def duel_result(
    store: Store, adapter: Path, lineage: AdapterLineage, *, seed: int = 0
) -> DuelResult:
    """The blind votes in ``store`` between the adapter's model and its base, on held-out
    prompts."""
    return summarize(
        [score for _prompt, score in _held_out_scores(store, adapter, lineage)], seed=seed
    )


def _held_out_scores(
    store: Store, adapter: Path, lineage: AdapterLineage
) -> list[tuple[str, float]]:
    """(prompt, the tuned side's score) of each blind vote between the two on a held-out
    prompt. The sides are named by file (as `tuned_contenders` labels them)."""
    tuned, base = adapter.name, lineage.base_name
    held = set(held_out_prompts(lineage))
    return [
        (prompt, score)
        for vote in Ratings(store).comparisons()
        if vote.blind  # a vote that knew which side was tuned says less
        and {vote.model_a, vote.model_b} == {tuned, base}
        and (prompt := _prompt_text(store, vote)) in held
        and (score := _tuned_score(vote, tuned)) is not None
    ]


def held_out_prompts(lineage: AdapterLineage) -> list[str]:
    """The held-out prompts' texts (their last user turn), in the lineage's order."""
    return [prompt[-1]["content"] for prompt in lineage.held_out if prompt]


@dataclass(frozen=True)
class TunedDuel:
    """A tuned model, its base and how their duel on the held-out prompts stands.

    ``base`` is the base file where it is now (see `adapters.find_base`); the votes name it
    by the lineage's ``base_name``, which is what `tuned_contenders` labels it.
    """

    adapter: Path
    base: Path
    lineage: AdapterLineage
    result: DuelResult
    duelled: dict[str, int]  # blind votes so far on each held-out prompt
    measured: SavedReport | None = None  # the newest KL measurement of it, if any

    @property
    def label(self) -> str:
        return self.lineage.label()

    @property
    def prompts(self) -> list[str]:
        return held_out_prompts(self.lineage)

    def next_prompt(self) -> str:
        """The held-out prompt with the fewest votes (the first such); "" with none."""
        prompts = self.prompts
        return min(prompts, key=lambda text: self.duelled.get(text, 0)) if prompts else ""

    def progress(self) -> str:
        """How far the duel got, in a sentence."""
        left = sum(1 for text in self.prompts if not self.duelled.get(text))
        return (
            f"{self.result.describe()} {left} of {len(self.prompts)} held-out prompts not "
            f"duelled yet. {self.moved()}"
        )

    def moved(self) -> str:
        """How far training moved the model, as measured (or how to measure it)."""
        if self.measured is None:
            return (
                "How far training moved it is not measured yet: Measure quality… on the "
                "tuned model in the library."
            )
        report = self.measured.report
        return (
            f"Against the original on {self.measured.text_source}: KL {report.kl_divergence:.4f} "
            f"per token, same top token {report.top1_agreement:.1%} of the time "
            f"({report.tokens:,} tokens, {self.measured.date[:10]})."
        )


def tuned_duel(
    store: Store,
    adapter: Path,
    lineage: AdapterLineage,
    base: Path | None = None,
    reports: Sequence[SavedReport] = (),
) -> TunedDuel:
    """The duel of ``adapter`` against its base (found, where ``base`` is not given), with
    the newest of ``reports`` (saved measurements) that measured the adapter's file."""
    scores = _held_out_scores(store, adapter, lineage)
    found = base or find_base(lineage, adapter) or Path(lineage.base)
    # By file name, as the votes name it: a report keeps the path it had when measured.
    measured = [saved for saved in reports if Path(saved.report.model).name == adapter.name]
    return TunedDuel(
        adapter=adapter,
        base=found,
        lineage=lineage,
        result=summarize([score for _prompt, score in scores]),
        duelled=dict(Counter(prompt for prompt, _score in scores)),
        measured=max(measured, key=lambda saved: saved.date, default=None),
    )


def tuned_duels(
    store: Store, folders: Iterable[Path], reports: Sequence[SavedReport] = ()
) -> list[TunedDuel]:
    """The duels of every adapter in ``folders`` whose base is at hand, newest first."""
    duels = []
    for adapter, lineage in adapters_in(folders).items():
        base = find_base(lineage, adapter)
        if base is not None and lineage.held_out:
            duels.append(tuned_duel(store, adapter, lineage, base, reports))
    return sorted(duels, key=lambda duel: duel.lineage.created, reverse=True)


def _prompt_text(store: Store, vote: Comparison) -> str:
    parent = store.message(vote.answer_a_id).parent_id
    return store.message(parent).content if parent is not None else ""


def _tuned_score(vote: Comparison, tuned: str) -> float | None:
    """1 for a tuned win, 0 for a loss, 0.5 for a tie of either kind."""
    if vote.winner in ("tie", "tie (bothbad)"):
        return 0.5
    winner = vote.model_a if vote.winner == "model_a" else vote.model_b
    return 1.0 if winner == tuned else 0.0


def summarize(scores: Sequence[float], *, seed: int = 0) -> DuelResult:
    """Win rate of per-vote scores (1, 0.5, 0) with a percentile bootstrap interval."""
    wins = sum(1 for score in scores if score == 1.0)
    losses = sum(1 for score in scores if score == 0.0)
    ties = len(scores) - wins - losses
    if not scores:
        nan = float("nan")
        return DuelResult(0, 0, 0, nan, nan, nan)
    rate = sum(scores) / len(scores)
    rng = random.Random(seed)
    means = sorted(
        sum(rng.choices(scores, k=len(scores))) / len(scores) for _ in range(BOOTSTRAP_SAMPLES)
    )
    tail = (1 - CONFIDENCE) / 2
    low = means[int(tail * BOOTSTRAP_SAMPLES)]
    high = means[min(int((1 - tail) * BOOTSTRAP_SAMPLES), BOOTSTRAP_SAMPLES - 1)]
    return DuelResult(wins, losses, ties, rate, low, high)
