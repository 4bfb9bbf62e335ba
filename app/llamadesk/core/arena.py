"""The quant arena: blind duels between two quantization levels of one model, and the
quality curve the user's own votes draw.

A duel is an ordinary arena vote (``core.ratings``) whose two labels name the model and the
level (`duel_label`), so duels feed the leaderboard and the exports like any other vote; the
curve finds them again by those labels.

For each level the curve gives the share of duels in which the user preferred the reference
(the best level the user has): a tie, or "both are bad", counts half, as on the leaderboard.
0.5 means the user could not tell the two apart; 1 means the reference won every duel. Its
95% interval comes from a bootstrap over the duels. The verdicts:

- fewer than `DUELS_TO_JUDGE` duels decide nothing;
- "told apart": the whole interval lies above 0.5;
- "the same to you": the whole interval lies below 0.5 + `SAME_MARGIN` (an equivalence test:
  even at the top of the interval the reference would win at most 70% of the time);
- otherwise undecided, with an estimate of how many more duels would decide it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from llamadesk.core.evaluate import QualityReport, SavedReport
from llamadesk.core.gguf_info import GGUFInfo
from llamadesk.core.memory import COMFORT_SHARE, estimate_memory
from llamadesk.core.quantize import model_stem, read_lineage
from llamadesk.core.ratings import Comparison, Winner
from llamadesk.core.store import Store

DUELS_TO_JUDGE = 20
PLAN_CONTEXT = 4096  # the context the memory figures assume
SAME_MARGIN = 0.2
RESAMPLES = 2000
_Z95 = 1.96
_SMALLEST_GAP = 0.05  # caps the "more duels" estimate (at about 385 duels) near a boundary
_LABEL = re.compile(
    r"^(?P<model>.+) · (?P<level>[A-Z0-9_]+)(?: \(requantized from (?P<source>[A-Z0-9_]+)\))?$"
)
_REFERENCE_SCORE: dict[Winner, float] = {"tie": 0.5, "tie (bothbad)": 0.5}

Verdict = Literal["too few", "told apart", "same", "undecided"]


@dataclass(frozen=True)
class ArenaLevel:
    """One file of a model at one quantization level.

    ``requantized_from`` names the level it was made from when that was already quantized
    (its losses compound); "" for a download or a quantization of an unquantized source.
    """

    path: Path
    model: str
    level: str
    file_size: int
    bits_per_weight: float  # measured: the file's bits over the model's weights
    requantized_from: str = ""
    memory_needed: int = 0  # bytes to run it at `PLAN_CONTEXT` (core.memory's estimate)

    @property
    def label(self) -> str:
        return duel_label(self.model, self.level, self.requantized_from)

    @property
    def short(self) -> str:
        """The level as a table shows it: ``Q2_K (requantized from Q4_1)``."""
        return self.label.removeprefix(f"{self.model} · ")


def duel_label(model: str, level: str, requantized_from: str = "") -> str:
    """The name a duel's vote gives one side: ``SmolLM2-135M-Instruct · Q2_K``."""
    tail = f" (requantized from {requantized_from})" if requantized_from else ""
    return f"{model} · {level}{tail}"


def parse_label(label: str) -> tuple[str, str, str] | None:
    """(model, level, requantized_from) of a `duel_label`, or None for another label."""
    found = _LABEL.match(label)
    if found is None:
        return None
    return found["model"], found["level"], found["source"] or ""


def arena_level(info: GGUFInfo) -> ArenaLevel:
    """The file as an arena level; its lineage (if LlamaDesk made it) says if it was
    requantized."""
    lineage = read_lineage(info.path)
    source = lineage.source_quantization if lineage else ""
    requantized = source if source and source not in ("F32", "F16", "BF16") else ""
    return ArenaLevel(
        path=info.path,
        model=model_stem(info.path),
        level=info.quantization,
        file_size=info.file_size,
        bits_per_weight=info.file_size * 8 / max(info.parameter_count, 1),
        requantized_from=requantized,
        memory_needed=estimate_memory(info, min(info.context_length, PLAN_CONTEXT)).needed,
    )


def run_plan(a: ArenaLevel, b: ArenaLevel, available_ram: int) -> str:
    """How a duel between ``a`` and ``b`` runs, in a sentence: the model thread holds one
    model at a time, so the levels always answer one after the other, and the sentence says
    whether they would fit in memory together."""
    together = a.memory_needed + b.memory_needed
    free = f"{together / 1e9:.1f} GB together, {available_ram / 1e9:.1f} GB free"
    if together <= COMFORT_SHARE * available_ram:
        return f"The two levels answer one after the other, each loaded in turn ({free})."
    return (
        f"The two levels are too big to hold in memory together ({free}): they answer one "
        "after the other, each loaded in turn."
    )


def model_levels(infos: Iterable[GGUFInfo]) -> dict[str, list[ArenaLevel]]:
    """The library's files grouped by model, largest level first, models with at least two
    levels only. Files are levels of one model when they share architecture, parameter
    count and vocabulary (so their answers and predictions can be compared)."""
    groups: dict[tuple[str, int, int], list[ArenaLevel]] = {}
    for info in infos:
        key = (info.architecture, info.parameter_count, info.vocab_size)
        groups.setdefault(key, []).append(arena_level(info))
    models: dict[str, list[ArenaLevel]] = {}
    for levels in groups.values():
        if len({level.label for level in levels}) < 2:
            continue
        ordered = sorted(levels, key=lambda level: -level.bits_per_weight)
        models[reference_of(ordered).model] = ordered
    return models


def reference_of(levels: Sequence[ArenaLevel]) -> ArenaLevel:
    """The level the others are measured against: the largest one not requantized (a level
    made from an already quantized file is never better than that file), else the largest."""
    originals = [level for level in levels if not level.requantized_from] or list(levels)
    return max(originals, key=lambda level: level.bits_per_weight)


@dataclass(frozen=True)
class Preference:
    """How often the user preferred the reference over one level, in ``duels`` duels."""

    duels: int
    share: float  # ties count half
    lower: float  # the bootstrap 95% interval of ``share``
    upper: float

    @property
    def verdict(self) -> Verdict:
        if self.duels < DUELS_TO_JUDGE:
            return "too few"
        if self.lower > 0.5:
            return "told apart"
        if self.upper <= 0.5 + SAME_MARGIN:
            return "same"
        return "undecided"

    def more_duels(self) -> int:
        """About how many more duels would give a verdict (0 when there is one).

        Worst case for the spread (a duel's score varies by at most 0.5) and the nearest
        boundary: enough duels for the interval's half-width, 1.96 x 0.5 / sqrt(n), to fit
        between the share and that boundary.
        """
        if self.verdict in ("told apart", "same"):
            return 0
        if self.share <= 0.5:
            gap = 0.5 + SAME_MARGIN - self.share
        else:
            gap = min(self.share - 0.5, 0.5 + SAME_MARGIN - self.share)
        wanted = math.ceil((_Z95 * 0.5 / max(gap, _SMALLEST_GAP)) ** 2)
        return max(wanted - self.duels, DUELS_TO_JUDGE - self.duels, 1)


def reference_scores(
    votes: Iterable[Comparison], reference_label: str, level_label: str
) -> list[float]:
    """The reference's share of each duel between the two labels: 1 won, 0.5 tie, 0 lost."""
    scores: list[float] = []
    for vote in votes:
        sides = (vote.model_a, vote.model_b)
        if sides == (reference_label, level_label):
            scores.append(_REFERENCE_SCORE.get(vote.winner, float(vote.winner == "model_a")))
        elif sides == (level_label, reference_label):
            scores.append(_REFERENCE_SCORE.get(vote.winner, float(vote.winner == "model_b")))
    return scores


def preference(scores: Sequence[float], *, resamples: int = RESAMPLES, seed: int = 0) -> Preference:
    """The mean of ``scores`` with a percentile bootstrap 95% interval (the same seed gives
    the same interval); no duels give share 0.5 and the interval 0 to 1."""
    import numpy as np  # here: loading numpy slows the app's start

    if not scores:
        return Preference(0, 0.5, 0.0, 1.0)
    values = np.asarray(scores, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(resamples, len(values)))].mean(axis=1)
    lower, upper = np.percentile(means, [2.5, 97.5])
    return Preference(len(values), float(values.mean()), float(lower), float(upper))


@dataclass(frozen=True)
class CurvePoint:
    """One level on the quality curve. The reference itself has no preference."""

    level: ArenaLevel
    preference: Preference | None
    quality: QualityReport | None  # the latest measurement against the reference, if any


def quality_curve(
    levels: Sequence[ArenaLevel],
    votes: Sequence[Comparison],
    reports: Sequence[SavedReport],
    *,
    resamples: int = RESAMPLES,
) -> list[CurvePoint]:
    """Each level with its duels against the reference and its measured KL, smallest first."""
    reference = reference_of(levels)
    points = []
    for level in sorted(levels, key=lambda level: level.bits_per_weight):
        if level == reference:
            points.append(CurvePoint(level, None, None))
            continue
        scores = reference_scores(votes, reference.label, level.label)
        measured = _latest_report(reports, level.path, reference.path)
        points.append(CurvePoint(level, preference(scores, resamples=resamples), measured))
    return points


def _latest_report(
    reports: Sequence[SavedReport], model: Path, reference: Path
) -> QualityReport | None:
    wanted = (str(model.resolve()), str(reference.resolve()))
    found = [s.report for s in reports if (s.report.model, s.report.reference) == wanted]
    return found[-1] if found else None


@dataclass(frozen=True)
class Recommendation:
    """What the votes say, in words; ``level`` is the level recommended, if the votes name
    one (the Models page shows it in place of the catalog's guess from memory alone), judged
    against ``reference`` in ``duels`` duels."""

    text: str
    level: ArenaLevel | None
    reference: ArenaLevel | None = None
    duels: int = 0

    @property
    def from_your_duels(self) -> str:
        """The recommendation as the Models page marks it; "" when the votes name no level."""
        if self.level is None or self.reference is None:
            return ""
        if self.level == self.reference:
            return f"From your duels: {self.level.short} — you told every smaller level apart"
        return (
            f"From your duels: {self.level.short} — you could not tell it apart from "
            f"{self.reference.short} in {self.duels} duels"
        )


def recommendation_for(
    recommendations: Mapping[str, Recommendation], file_names: Iterable[str]
) -> Recommendation | None:
    """The votes' recommendation for the model these files (a repository's levels) hold,
    where the votes name a level; models are matched by file name without the level."""
    stems = {model_stem(Path(name)).casefold() for name in file_names}
    for model, found in recommendations.items():
        if found.level is not None and model.casefold() in stems:
            return found
    return None


def recommend(points: Sequence[CurvePoint]) -> Recommendation:
    """The smallest level the user could not tell apart from the reference, or what is
    missing before one can be named. ``points`` as `quality_curve` gives them."""
    (reference,) = [p.level for p in points if p.preference is None]
    ref = reference.short
    # A level made from a smaller file can come out larger (small models keep some tensors
    # at high precision): it is on the curve but never recommended over the reference.
    judged = [
        (p.level, p.preference)
        for p in points
        if p.preference is not None and p.level.file_size < reference.file_size
    ]
    if not judged:
        return Recommendation(f"{ref} is the smallest level: make a smaller one to duel.", None)
    same = [(level, pref) for level, pref in judged if pref.verdict == "same"]
    if same:
        level, pref = same[0]  # smallest first
        return Recommendation(
            f"{level.short} is the smallest level you could not tell apart from {ref} in "
            f"{pref.duels} duels: you preferred {ref} in {pref.share:.0%} of them (95% "
            f"interval {pref.lower:.0%} to {pref.upper:.0%}), and it is "
            f"{_size(reference.file_size - level.file_size)} smaller.",
            level,
            reference,
            pref.duels,
        )
    open_ = [(level, pref) for level, pref in judged if pref.verdict in ("too few", "undecided")]
    if open_:
        level, pref = min(open_, key=lambda item: item[1].more_duels())
        return Recommendation(
            f"Not enough duels yet: about {pref.more_duels()} more between {level.short} and "
            f"{ref} would tell whether you can tell them apart ({pref.duels} so far).",
            None,
        )
    return Recommendation(
        f"You told every smaller level apart from {ref}: keep {ref}.",
        reference,
        reference,
        sum(pref.duels for _level, pref in judged),
    )


def _size(size: int) -> str:
    return f"{size / 1e9:.2f} GB" if size >= 1e8 else f"{size / 1e6:.0f} MB"


def history_prompts(store: Store, limit: int = 50) -> list[str]:
    """The user's own prompts from their chats, newest conversation first, each once."""
    prompts: list[str] = []
    for conversation in store.list_conversations():
        for message in store.thread(conversation.id):
            text = message.content.strip()
            if message.role == "user" and text and text not in prompts:
                prompts.append(text)
                if len(prompts) >= limit:
                    return prompts
    return prompts
