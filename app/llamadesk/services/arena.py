"""The quant arena for the window: duels, the quality curve, and re-scored answers.

- `ArenaSession` runs blind duels through a `CompareSession` of its own (the same loader,
  memory check and storage as compare mode): two levels of one model, or a model tuned on
  your preferences and its base, the same prompt, seed and sampler, on sides drawn at
  random. The vote is an arena vote tagged with both levels (or both files).
- `ArenaReader` reads, off the GUI thread, the library's levels, the stored votes and
  measurements, and the user's prompts, and computes each model's quality curve.
- `RescoreJob` re-scores one answer against a reference level off the GUI thread, with
  progress and Cancel, and keeps the result.
"""

from __future__ import annotations

import logging
import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from llamadesk.core.adapters import is_adapter
from llamadesk.core.arena import (
    ArenaLevel,
    CurvePoint,
    Recommendation,
    ServedBy,
    history_prompts,
    model_levels,
    quality_curve,
    recommend,
    run_plan,
)
from llamadesk.core.connections import Connections
from llamadesk.core.duel import TunedDuel, tuned_duels
from llamadesk.core.engine import SamplingParams
from llamadesk.core.evaluate import EvaluationCancelled, EvaluationError, load_reports
from llamadesk.core.gguf_info import GGUFError, GGUFInfo, read_gguf_info
from llamadesk.core.memory import SystemMemory
from llamadesk.core.quantize import model_stem
from llamadesk.core.ratings import Comparison, Ratings, Strength, Winner
from llamadesk.core.remote_identity import RemoteIdentity
from llamadesk.core.rescore import Rescore, load_rescore, rescore, rescore_path, save_rescore
from llamadesk.core.store import Store, StoreError
from llamadesk.services.background import JobRunner, unexpected_failure
from llamadesk.services.compare import SIDES, CompareSession, Contender
from llamadesk.services.quantize_job import CancellableJob

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerRef:
    """An answer the user may re-score: its text and the prompt it replied to."""

    id: int
    model: str
    prompt: str
    text: str


@dataclass(frozen=True)
class ArenaState:
    """Everything the arena page shows, read in one go."""

    models: dict[str, list[ArenaLevel]]
    curves: dict[str, list[CurvePoint]]
    recommendations: dict[str, Recommendation]
    prompts: list[str]
    answers: list[AnswerRef]
    available_ram: int
    local_models: list[str]  # every file's model (its name without the level), once
    tuned: list[TunedDuel] = field(default_factory=list)  # adapters to duel with their base


def read_state(
    models_dir: Path, database: Path, reports: Path | None = None, config: Path | None = None
) -> ArenaState:
    """Read the arena's state (blocks on the disk: for a worker thread). The remote models
    identified in the connections saved in ``config`` join their local levels."""
    infos = _headers(models_dir)
    models = model_levels(infos, _remote_levels(config))
    with Store(database) as store:
        votes = Ratings(store).comparisons()
        prompts = history_prompts(store)
        answers = _recent_answers(store)
        saved = load_reports(reports)
        tuned = tuned_duels(store, [models_dir], saved)
    curves = {name: quality_curve(levels, votes, saved) for name, levels in models.items()}
    return ArenaState(
        models=models,
        curves=curves,
        recommendations={name: recommend(points) for name, points in curves.items()},
        prompts=prompts,
        answers=answers,
        available_ram=SystemMemory.probe().available_ram,
        local_models=sorted({model_stem(info.path) for info in infos}),
        tuned=tuned,
    )


def _remote_levels(config: Path | None) -> list[tuple[RemoteIdentity, ServedBy]]:
    servers = Connections(config).load() if config is not None else []
    return [
        (identity, ServedBy(server.url, identity.model_id, server.logprobs))
        for server in servers
        for identity in server.identities
    ]


def _headers(models_dir: Path) -> list[GGUFInfo]:
    infos = []
    for path in sorted(models_dir.glob("*.gguf")):
        if is_adapter(path):
            continue  # a LoRA, not a level: it duels its base (`ArenaState.tuned`)
        try:
            infos.append(read_gguf_info(path))
        except GGUFError:
            continue  # the library lists unreadable files and says why; no duel for them
    return infos


def _recent_answers(store: Store, limit: int = 50) -> list[AnswerRef]:
    found: list[AnswerRef] = []
    for conversation in store.list_conversations():
        prompt = ""
        for message in store.thread(conversation.id):
            if message.role == "user":
                prompt = message.content
            elif message.content.strip():
                found.append(AnswerRef(message.id, message.model, prompt, message.content))
                if len(found) >= limit:
                    return found
    return found


class ArenaReader(QObject):
    """Reads the `ArenaState` off the GUI thread, one read at a time.

    Signals:
        read(ArenaState): a fresh read.
        failed(str): the read failed; the message says why.
    """

    read = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        models_dir: Path,
        database: Path,
        parent: QObject | None = None,
        config: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.models_dir = models_dir
        self.database = database
        self.config = config  # where the connections (and what their models are) are saved
        self.jobs = JobRunner(parent=self)

    def refresh(self) -> None:
        job = self.jobs.start(read_state, self.models_dir, self.database, None, self.config)
        job.finished.connect(self.read)
        job.failed.connect(self._on_failed)

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, StoreError | sqlite3.Error | OSError):
            self.failed.emit(f"The arena could not be read: {error}")
        else:
            self.failed.emit(unexpected_failure(error, "Reading the arena"))


TUNED_PLAN = (
    "The tuned model is the original with your adapter applied: the two answer one after "
    "the other, with the same seed and sampler, on sides drawn at random."
)
ORIGINAL, TUNED = "the original", "tuned on your preferences"


class ArenaSession(QObject):
    """Blind duels between two levels of one model, or a tuned model and its base.

    Signals:
        plan(str): how the duel runs (one level after the other, and why), for the user.
    The answers, the vote's readiness and failures come from `compare`'s own signals.
    """

    plan = Signal(str)

    def __init__(
        self,
        compare: CompareSession,
        rng: random.Random | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.compare = compare
        self._rng = rng or random.Random()
        self._levels: dict[str, ArenaLevel] = {}
        self._names: dict[str, str] = {}

    @classmethod
    def beside(cls, compare: CompareSession, parent: QObject | None = None) -> ArenaSession:
        """An arena with a compare session of its own, on the same model thread and loader
        as ``compare`` (so compare mode's view never shows a duel)."""
        own = CompareSession(compare.store, compare.host, compare.ratings, compare.loader, parent)
        own.remote_key = lambda url: compare.remote_key(url)  # the keys of the user's servers
        return cls(own, parent=parent)

    @property
    def levels(self) -> dict[str, ArenaLevel]:
        """The level behind each side ("A", "B") of the current level duel."""
        return dict(self._levels)

    @property
    def names(self) -> dict[str, str]:
        """What each side ("A", "B") of the current duel is, as the vote reveals it."""
        return dict(self._names)

    def start(
        self,
        prompt: str,
        first: ArenaLevel,
        second: ArenaLevel,
        params: SamplingParams,
        available_ram: int,
    ) -> bool:
        """Duel ``first`` and ``second`` on ``prompt``, sides drawn at random; False (with
        the compare session's `failed`) when it cannot start now."""
        if first.label == second.label:
            self.compare.failed.emit("Pick two different levels for a duel.")
            return False
        pair = [first, second]
        self._rng.shuffle(pair)
        contenders = [
            Contender(level.path, params, level.label, _remote(level.served_by)) for level in pair
        ]
        if not self.compare.start(prompt, *contenders, blind=True):
            return False
        self._levels = dict(zip(SIDES, pair, strict=True))
        self._names = {side: level.short for side, level in self._levels.items()}
        self.plan.emit(run_plan(first, second, available_ram))
        return True

    def start_tuned(self, prompt: str, duel: TunedDuel, params: SamplingParams) -> bool:
        """Duel the tuned model against its base on ``prompt``, sides drawn at random;
        False (with the compare session's `failed`) when it cannot start now.

        The sides are labelled by file, the adapter's and the base's as its lineage names
        it, which is what `duel.duel_result` counts."""
        pair = [
            (Contender(duel.base, params, duel.lineage.base_name), ORIGINAL),
            (Contender(duel.adapter, params, duel.adapter.name), TUNED),
        ]
        self._rng.shuffle(pair)
        if not self.compare.start(prompt, *(contender for contender, _name in pair), blind=True):
            return False
        self._levels = {}
        self._names = {side: name for side, (_contender, name) in zip(SIDES, pair, strict=True)}
        self.plan.emit(TUNED_PLAN)
        return True

    def vote(self, winner: Winner, strength: Strength = "") -> Comparison | None:
        """Record (or change) the vote; None where the store refused it (compare mode's
        `failed` then says why)."""
        return self.compare.vote(winner, strength)


def _remote(served_by: ServedBy | None) -> tuple[str, str] | None:
    return (served_by.url, served_by.model_id) if served_by is not None else None


class RescoreJob(CancellableJob):
    """Re-score one answer against a reference on a worker; ``finished`` carries the
    `Rescore`. The result is kept, and an answer scored before by the same pair is read back
    instead of run again."""

    _cancelled_error = EvaluationCancelled
    _user_error = EvaluationError
    _doing = "Re-scoring"

    def start(self, answer: AnswerRef, model: Path, reference: Path, folder: Path) -> None:
        target = rescore_path(answer.id, model, reference, folder)

        def work() -> Rescore:
            kept = load_rescore(target)
            if kept is not None:
                return kept
            result = rescore(
                model,
                reference,
                answer.text,
                chat_prompt=answer.prompt,
                progress=self._report,
                cancel=self._cancel,
            )
            try:
                save_rescore(result, target)
            except OSError as error:
                raise EvaluationError(
                    f"The result could not be kept in {target.parent}: {error.strerror or error}"
                ) from error
            return result

        self._start(work)
