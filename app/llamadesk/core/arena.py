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
from urllib.parse import urlsplit

from llamadesk.core.evaluate import QualityReport, SavedReport
from llamadesk.core.gguf_info import GGUFInfo
from llamadesk.core.memory import COMFORT_SHARE, estimate_memory
from llamadesk.core.quantize import model_stem, read_lineage
from llamadesk.core.quants import estimated_file_size, quant_level
from llamadesk.core.ratings import Comparison, Winner
from llamadesk.core.remote import remote_info, short_model_id
from llamadesk.core.remote_evaluate import RemoteReference
from llamadesk.core.remote_identity import RemoteIdentity
from llamadesk.core.store import Store

DUELS_TO_JUDGE = 20
PLAN_CONTEXT = 4096  # the context the memory figures assume
SAME_MARGIN = 0.2
RESAMPLES = 2000
_Z95 = 1.96
_SMALLEST_GAP = 0.05  # caps the "more duels" estimate (at about 385 duels) near a boundary
_LABEL = re.compile(
    r"^(?P<model>.+) · (?P<level>[A-Z0-9_]+)(?: \(requantized from (?P<source>[A-Z0-9_]+)\))?"
    r"(?: \(remote .+ at \S+\))?$"
)
_REFERENCE_SCORE: dict[Winner, float] = {"tie": 0.5, "tie (bothbad)": 0.5}

Verdict = Literal["too few", "told apart", "same", "undecided"]


@dataclass(frozen=True)
class ServedBy:
    """Where a remote level runs: its server's base URL and its id there, and whether the
    server returns top_logprobs (which a quality measurement against it needs)."""

    url: str
    model_id: str
    logprobs: bool = False


@dataclass(frozen=True)
class ArenaLevel:
    """One file of a model at one quantization level, here or on a server.

    ``requantized_from`` names the level it was made from when that was already quantized
    (its losses compound); "" for a download or a quantization of an unquantized source.
    A remote level (``served_by``) is what the user declared (or its server said) it is;
    its path is its id as answers record it (`remote_info`), its size an estimate.
    """

    path: Path
    model: str
    level: str
    file_size: int
    bits_per_weight: float  # measured: the file's bits over the model's weights
    requantized_from: str = ""
    memory_needed: int = 0  # bytes to run it at `PLAN_CONTEXT` (core.memory's estimate)
    served_by: ServedBy | None = None
    chosen_reference: bool = False  # the user made it the reference of its model

    @property
    def label(self) -> str:
        label = duel_label(self.model, self.level, self.requantized_from)
        served = self.served_by
        return f"{label} (remote {served.model_id} at {served.url})" if served else label

    @property
    def short(self) -> str:
        """The level as a table shows it: ``Q2_K (requantized from Q4_1)``, ``F16 (remote
        Qwen3-8B-F16.gguf at gpu-box:8080)`` (the id's last part and the server's host)."""
        short = duel_label(self.model, self.level, self.requantized_from)
        short = short.removeprefix(f"{self.model} · ")
        served = self.served_by
        if served is None:
            return short
        name = short_model_id(served.model_id)
        return f"{short} (remote {name} at {urlsplit(served.url).netloc or served.url})"


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
    whether they would fit in memory together (a remote level takes none here)."""
    served = [level.served_by for level in (a, b) if level.served_by is not None]
    if served:
        servers = " and ".join(sorted({server.url for server in served}))
        if len(served) == 2:
            return f"Both levels answer on {servers}, one after the other."
        return f"One level answers on {servers}, the other on this computer, one after the other."
    together = a.memory_needed + b.memory_needed
    free = f"{together / 1e9:.1f} GB together, {available_ram / 1e9:.1f} GB free"
    if together <= COMFORT_SHARE * available_ram:
        return f"The two levels answer one after the other, each loaded in turn ({free})."
    return (
        f"The two levels are too big to hold in memory together ({free}): they answer one "
        "after the other, each loaded in turn."
    )


def remote_level(
    identity: RemoteIdentity, served_by: ServedBy, siblings: Sequence[ArenaLevel] = ()
) -> ArenaLevel | None:
    """A model on a server as a level of ``identity.model``, beside ``siblings`` (the local
    levels of that model). A local file of the same level gives its size and bits per weight
    (the same file, most likely); else they are the level's nominal bits, and those over the
    model's weights (0 where no local file tells them). None for a level without a figure."""
    known = quant_level(identity.level)
    if known is None or known.bits_per_weight is None:
        return None
    same = [
        level
        for level in siblings
        if level.served_by is None and level.level == known.name and not level.requantized_from
    ]
    if same:
        size, bits = same[0].file_size, same[0].bits_per_weight
    else:
        size, bits = estimated_file_size(_parameters(siblings), known), known.bits_per_weight
    return ArenaLevel(
        path=remote_info(identity.model_id).path,
        model=identity.model,
        level=known.name,
        file_size=size,
        bits_per_weight=bits,
        served_by=served_by,
        chosen_reference=identity.reference,
    )


def model_levels(
    infos: Iterable[GGUFInfo], remotes: Iterable[tuple[RemoteIdentity, ServedBy]] = ()
) -> dict[str, list[ArenaLevel]]:
    """The library's files and the remote models the user (or their server) identified,
    grouped by model, largest level first; models with at least two levels only. Files are
    levels of one model when they share architecture, parameter count and vocabulary (so
    their answers and predictions can be compared); a remote model joins the files whose
    name (without the level) is its declared model's, in any case."""
    groups: dict[tuple[str, int, int], list[ArenaLevel]] = {}
    for info in infos:
        key = (info.architecture, info.parameter_count, info.vocab_size)
        groups.setdefault(key, []).append(arena_level(info))
    named = {level.model.casefold(): levels for levels in groups.values() for level in levels}
    for identity, served_by in remotes:
        levels = named.setdefault(identity.model.casefold(), [])
        level = remote_level(identity, served_by, levels)
        if level is not None:
            levels.append(level)
    return _by_model(list(groups.values()) + [g for g in named.values() if _all_remote(g)])


def _parameters(levels: Sequence[ArenaLevel]) -> int:
    """The model's weights, from a local file among ``levels`` (0 if none is local)."""
    files = [level for level in levels if level.served_by is None]
    return round(files[0].file_size * 8 / files[0].bits_per_weight) if files else 0


def _all_remote(levels: Sequence[ArenaLevel]) -> bool:
    return bool(levels) and all(level.served_by is not None for level in levels)


def _by_model(groups: Iterable[list[ArenaLevel]]) -> dict[str, list[ArenaLevel]]:
    """The groups of at least two levels, by their reference's model, largest level first."""
    models: dict[str, list[ArenaLevel]] = {}
    for levels in groups:
        if len({level.label for level in levels}) < 2:
            continue
        ordered = sorted(levels, key=lambda level: -level.bits_per_weight)
        models[(local_reference(ordered) or reference_of(ordered)).model] = ordered
    return models


def reference_of(levels: Sequence[ArenaLevel]) -> ArenaLevel:
    """The level the others are measured against: the one the user chose, else the largest
    one not requantized (a level made from an already quantized file is never better than
    that file), else the largest."""
    chosen = [level for level in levels if level.chosen_reference]
    originals = chosen or [level for level in levels if not level.requantized_from]
    return max(originals or levels, key=lambda level: level.bits_per_weight)


def local_reference(levels: Sequence[ArenaLevel]) -> ArenaLevel | None:
    """`reference_of` the local files only: what a re-score or a new quantization starts
    from (both need the file); None when every level is remote."""
    files = [level for level in levels if level.served_by is None]
    return reference_of(files) if files else None


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
        measured = _latest_report(reports, level, reference)
        points.append(CurvePoint(level, preference(scores, resamples=resamples), measured))
    return points


def report_name(level: ArenaLevel) -> str:
    """How a quality report names ``level``: its file's full path, or its model on its
    server (`RemoteReference.name`)."""
    served = level.served_by
    if served is not None:
        return RemoteReference(served.url, "", served.model_id).name
    return str(level.path.resolve())


def _latest_report(
    reports: Sequence[SavedReport], model: ArenaLevel, reference: ArenaLevel
) -> QualityReport | None:
    wanted = (report_name(model), report_name(reference))
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
