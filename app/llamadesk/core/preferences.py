"""Ratings as training data: JSONL files that TRL and FastChat's tools read as they are.

- ``trl``: preference pairs in TRL's conversational format with an explicit prompt
  (``prompt``, ``chosen``, ``rejected``), for DPOTrainer and RewardTrainer.
- ``kto``: unpaired rated answers (``prompt``, ``completion``, ``label``) for KTOTrainer.
- ``arena``: the Chatbot Arena battle log, ties and both-bad included.

``chosen``, ``rejected`` and ``completion`` hold the final answer only. With
``include_reasoning``, a reasoning model's reasoning comes in columns of its own
(``chosen_reasoning``/``rejected_reasoning``, ``completion_reasoning``, ``reasoning_a``/
``reasoning_b``; "" where there was none).

With ``provenance``, every row also has a ``metadata`` column: a JSON string saying how
each answer was made (model file with its sha256, quantization and chat template hash,
sampling settings, seed, engine). Trainers drop columns they do not know.

TRL decides a file's format from its first row, and the ``datasets`` JSON loader infers
column types from the early rows, so every row of a file has the same keys with the same
types, no nulls and no empty lists: dicts of varying shape (generation parameters) and
tag lists are written as JSON strings.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any, Literal, get_args

from llamadesk import __version__
from llamadesk.core.model_files import ModelFile, engine_version, known_files, no_lookup
from llamadesk.core.ratings import Comparison, Ranking, Ratings, Strength, Thumbs
from llamadesk.core.store import Message, Store

ExportFormat = Literal["trl", "kto", "arena"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)

# The model name written for a better answer the user typed in.
REWRITE_MODEL = "(your rewrite)"

# RewardTrainer's margin: how much higher the chosen answer's reward must be. These are
# Llama 2's "small" margins (Touvron et al. 2023, table 28) for its grades "slightly better"
# (1/3), "better" (2/3) and "significantly better" (1). A vote without a strength, a pick,
# a ranking and a rewrite all say plain "better".
MARGINS: dict[Strength, float] = {"slightly": 1 / 3, "": 2 / 3, "much": 1.0}

Row = dict[str, Any]
# Provenance, as a JSON string: every row has it, of one type, and trainers drop it.
METADATA_COLUMN = "metadata"
REASONING_COLUMNS = frozenset(
    {
        "chosen_reasoning",
        "rejected_reasoning",
        "completion_reasoning",
        "reasoning_a",
        "reasoning_b",
    }
)
ChatTurn = dict[str, str]


class ExportError(Exception):
    """An export file cannot be written."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: ``count`` rows to ``path`` (0: an empty file)."""

    format: ExportFormat
    path: Path
    count: int


@dataclass(frozen=True)
class _Answer:
    """One side of a pair: a stored answer or the user's rewrite."""

    content: str
    model: str
    params: str  # JSON
    reasoning: str = ""
    # How it was made, for the metadata column (see ``_provenance``).
    made: dict[str, Any] = field(default_factory=lambda: {"model": REWRITE_MODEL, "by": "user"})


def _stored(answer: Message, label: str = "") -> _Answer:
    return _Answer(
        answer.content, label or answer.model, _json(answer.params), answer.reasoning, _made(answer)
    )


def _made(answer: Message) -> dict[str, Any]:
    """What the stored answer says of how it was made: model file, settings, seed, speed."""
    seed = answer.seed if answer.seed is not None else answer.stats.get("seed", -1)
    return {
        "model": answer.model,
        "params": answer.params,
        "seed": seed,
        "stop_reason": answer.stop_reason,
        "tokens_per_second": answer.stats.get("tokens_per_second", 0.0),
        "thinking": bool(answer.reasoning),
    }


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _iso(timestamp: float) -> str:
    # Always with microseconds: pyarrow reads whole-second ISO strings as timestamps but
    # fractional ones as text, so a mix would give one file (or chunk) two column types.
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="microseconds")


def _assistant(content: str) -> list[ChatTurn]:
    return [{"role": "assistant", "content": content}]


class _Source:
    """Reads ratings with the messages around them, each conversation's thread read once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.ratings = Ratings(store)
        self._prompts: dict[int, list[ChatTurn]] = {}
        self._files: dict[str, dict[str, Any]] = {}

    def metadata(self, kind: str, answers: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """A row's provenance: how each answer was made, with its model file's facts."""
        return {
            "rating": kind,
            "engine": engine_version(),
            "app": f"LlamaDesk {__version__}",
            "answers": {side: self._with_file(made) for side, made in answers.items()},
        }

    def _with_file(self, made: dict[str, Any]) -> dict[str, Any]:
        return made if "by" in made else made | {"file": self._file(made["model"])}

    def _file(self, name: str) -> dict[str, Any]:
        if name not in self._files:
            facts = known_files(self.store, [name], no_lookup).get(name, ModelFile(name))
            self._files[name] = facts.as_dict()
        return self._files[name]

    def message(self, message_id: int) -> Message:
        return self.store.message(message_id)

    def prompt(self, prompt_id: int) -> list[ChatTurn]:
        """The messages the model saw when it answered the user message ``prompt_id``.

        The same history the chat session sends: the system prompt if any, then the thread
        (each prompt with its shown answer, failed answers left out) up to this prompt.
        """
        if prompt_id not in self._prompts:
            self._read_prompts(self.message(prompt_id).conversation_id)
        # A copy: rows must not share (and so co-mutate) their message lists.
        return [dict(turn) for turn in self._prompts[prompt_id]]

    def _read_prompts(self, conversation_id: int) -> None:
        conversation = self.store.conversation(conversation_id)
        turns: list[ChatTurn] = []
        if conversation.system_prompt.strip():
            turns.append({"role": "system", "content": conversation.system_prompt})
        for message in self.store.thread(conversation_id):
            if message.role == "assistant" and message.stop_reason == "error":
                continue
            turns.append({"role": message.role, "content": message.content})
            if message.role == "user":
                self._prompts[message.id] = list(turns)


class _Filter:
    """Keeps rows rated at or after ``since`` that involve a model named like ``model``."""

    def __init__(self, since: date | None, model: str) -> None:
        self.since = _timestamp(since) if since is not None else float("-inf")
        self.model = model.strip().casefold()

    def keeps(self, rated: float, models: Iterable[str]) -> bool:
        return rated >= self.since and any(self.model in name.casefold() for name in models)


def _timestamp(moment: date) -> float:
    """Seconds since the epoch; a date means its local midnight, a naive time local time."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time())
    return moment.timestamp()


# Rows are built as (rated, row): the time the rating was last given, for sorting and the
# ``since`` filter, with the row itself.
Dated = tuple[float, Row]


def _oldest_first(
    dated: Iterable[Dated], include_reasoning: bool, provenance: _Source | None = None
) -> list[Row]:
    """The rows, oldest first; without their reasoning columns unless asked for, and with
    the metadata column only when ``provenance`` gives the model files' facts for it."""
    # A stable sort: rows of one rating stay in the order they were made.
    rows = [row for _, row in sorted(dated, key=lambda item: item[0])]
    for row in rows:
        if not include_reasoning:
            for key in REASONING_COLUMNS & row.keys():
                del row[key]
        answers = row.pop(METADATA_COLUMN)
        if provenance is not None:
            row[METADATA_COLUMN] = _json(provenance.metadata(row["source"], answers))
    return rows


# TRL preference pairs


def _pair_row(
    kind: str,
    row_id: str,
    prompt: list[ChatTurn],
    chosen: _Answer,
    rejected: _Answer,
    *,
    rated: float,
    strength: Strength = "",
    tags: tuple[str, ...] = (),
    comment: str = "",
) -> Dated:
    return rated, {
        "prompt": prompt,
        "chosen": _assistant(chosen.content),
        "rejected": _assistant(rejected.content),
        "margin": MARGINS[strength],
        "strength": strength,
        "id": row_id,
        "created": _iso(rated),
        "source": kind,
        "chosen_model": chosen.model,
        "rejected_model": rejected.model,
        "chosen_params": chosen.params,
        "rejected_params": rejected.params,
        "chosen_reasoning": chosen.reasoning,
        "rejected_reasoning": rejected.reasoning,
        "tags": _json(list(tags)),
        "comment": comment,
        "app_version": __version__,
        METADATA_COLUMN: {"chosen": chosen.made, "rejected": rejected.made},
    }


def _rewrite_pairs(source: _Source, keep: _Filter, thumbs: Thumbs) -> Iterator[Dated]:
    original = source.message(thumbs.answer_id)
    if not thumbs.rewrite or not keep.keeps(thumbs.updated, (original.model,)):
        return
    assert original.parent_id is not None  # thumbs rate answers only
    yield _pair_row(
        "rewrite",
        f"rewrite-{original.id}",
        source.prompt(original.parent_id),
        _Answer(thumbs.rewrite, REWRITE_MODEL, "{}"),
        _stored(original),
        rated=thumbs.updated,
        tags=thumbs.tags,
        comment=thumbs.comment,
    )


def _ranking_pairs(source: _Source, keep: _Filter, ranking: Ranking) -> Iterator[Dated]:
    for better_id, worse_id in ranking.pairs():
        better, worse = source.message(better_id), source.message(worse_id)
        if keep.keeps(ranking.updated, (better.model, worse.model)):
            yield _pair_row(
                ranking.kind,
                f"{ranking.kind}-{better_id}-{worse_id}",
                source.prompt(ranking.prompt_id),
                _stored(better),
                _stored(worse),
                rated=ranking.updated,
            )


def _comparison_pair(source: _Source, keep: _Filter, vote: Comparison) -> Iterator[Dated]:
    # A tie says neither answer is better, so it makes no pair.
    if vote.winner not in ("model_a", "model_b"):
        return
    if not keep.keeps(vote.updated, (vote.model_a, vote.model_b)):
        return
    a, b = source.message(vote.answer_a_id), source.message(vote.answer_b_id)
    chosen, rejected = _stored(a, vote.model_a), _stored(b, vote.model_b)
    if vote.winner == "model_b":
        chosen, rejected = rejected, chosen
    assert a.parent_id is not None  # votes are between answers
    yield _pair_row(
        "compare",
        f"compare-{vote.id}",
        source.prompt(a.parent_id),
        chosen,
        rejected,
        rated=vote.updated,
        strength=vote.strength,
    )


def trl_rows(
    store: Store,
    *,
    since: date | None = None,
    model: str = "",
    include_reasoning: bool = False,
    provenance: bool = False,
) -> list[Row]:
    """Preference pairs from rewrites, picks, rankings and non-tie votes, oldest first.

    ``created`` is when the rating was last given or changed; ``since`` and ``model`` (a
    part of either answer's model name, any case) keep only some. Every row has a float
    ``margin`` when any kept vote was given a strength (see ``MARGINS``); otherwise no row
    has one, and RewardTrainer trains without margins.
    """
    source, keep = _Source(store), _Filter(since, model)
    dated: list[Dated] = []
    for thumbs in source.ratings.all_thumbs():
        dated.extend(_rewrite_pairs(source, keep, thumbs))
    for ranking in source.ratings.rankings():
        dated.extend(_ranking_pairs(source, keep, ranking))
    for vote in source.ratings.comparisons():
        dated.extend(_comparison_pair(source, keep, vote))
    rows = _oldest_first(dated, include_reasoning, source if provenance else None)
    if not any(row["strength"] for row in rows):
        for row in rows:
            del row["margin"]
    return rows


# KTO unpaired rows


def _kto_row(
    kind: str,
    answer_id: int,
    prompt: list[ChatTurn],
    completion: _Answer,
    thumbs: Thumbs,
    *,
    label: bool,
    described: bool,
) -> Dated:
    return thumbs.updated, {
        "prompt": prompt,
        "completion": _assistant(completion.content),
        "label": label,
        "id": f"{kind}-{answer_id}",
        "created": _iso(thumbs.updated),
        "source": kind,
        "model": completion.model,
        "params": completion.params,
        "completion_reasoning": completion.reasoning,
        "tags": _json(list(thumbs.tags) if described else []),
        "comment": thumbs.comment if described else "",
        "app_version": __version__,
        METADATA_COLUMN: {"completion": completion.made},
    }


def _thumbs_rows(source: _Source, keep: _Filter, thumbs: Thumbs) -> Iterator[Dated]:
    answer = source.message(thumbs.answer_id)
    if not keep.keeps(thumbs.updated, (answer.model,)):
        return
    assert answer.parent_id is not None  # thumbs rate answers only
    prompt = source.prompt(answer.parent_id)
    yield _kto_row(
        "thumbs",
        answer.id,
        prompt,
        _stored(answer),
        thumbs,
        label=thumbs.value == 1,
        described=True,
    )
    # The user's better answer is a desirable completion in its own right. The thumbs-down
    # tags and comment describe the original, so they are not repeated with it.
    if thumbs.rewrite:
        rewrite = _Answer(thumbs.rewrite, REWRITE_MODEL, "{}")
        yield _kto_row("rewrite", answer.id, prompt, rewrite, thumbs, label=True, described=False)


def kto_rows(
    store: Store,
    *,
    since: date | None = None,
    model: str = "",
    include_reasoning: bool = False,
    provenance: bool = False,
) -> list[Row]:
    """One row per thumbs rating (label True for up) and one per rewrite (True), oldest first.

    The ``model`` filter looks at the rated answer's model; a rewrite goes with its original.
    """
    source, keep = _Source(store), _Filter(since, model)
    dated: list[Dated] = []
    for thumbs in source.ratings.all_thumbs():
        dated.extend(_thumbs_rows(source, keep, thumbs))
    return _oldest_first(dated, include_reasoning, source if provenance else None)


# Arena battle log


def _battle_row(source: _Source, vote: Comparison) -> Dated:
    a, b = source.message(vote.answer_a_id), source.message(vote.answer_b_id)
    assert a.parent_id is not None  # votes are between answers
    prompt = source.prompt(a.parent_id)
    return vote.updated, {
        "model_a": vote.model_a,
        "model_b": vote.model_b,
        "winner": vote.winner,
        "conversation_a": [*prompt, *_assistant(a.content)],
        "conversation_b": [*prompt, *_assistant(b.content)],
        "tstamp": vote.updated,
        "strength": vote.strength,
        "blind": vote.blind,
        "id": f"compare-{vote.id}",
        "created": _iso(vote.updated),
        "source": "compare",
        "params_a": _json(a.params),
        "params_b": _json(b.params),
        "reasoning_a": a.reasoning,
        "reasoning_b": b.reasoning,
        "tags": "[]",
        "app_version": __version__,
        METADATA_COLUMN: {"model_a": _made(a), "model_b": _made(b)},
    }


def arena_rows(
    store: Store,
    *,
    since: date | None = None,
    model: str = "",
    include_reasoning: bool = False,
    provenance: bool = False,
) -> list[Row]:
    """Every vote as a battle, ties and both-bad included, oldest first."""
    source, keep = _Source(store), _Filter(since, model)
    battles = (
        _battle_row(source, vote)
        for vote in source.ratings.comparisons()
        if keep.keeps(vote.updated, (vote.model_a, vote.model_b))
    )
    return _oldest_first(battles, include_reasoning, source if provenance else None)


# Writing


_ROW_MAKERS = {"trl": trl_rows, "kto": kto_rows, "arena": arena_rows}


def export(
    store: Store,
    kind: ExportFormat,
    out: Path | str,
    *,
    since: date | None = None,
    model: str = "",
    include_reasoning: bool = False,
    provenance: bool = False,
) -> ExportResult:
    """Write the ``kind`` export of the ratings in ``store`` to ``out`` as JSONL.

    No matching ratings give an empty file and a count of 0. ``ExportError`` if the file
    cannot be written; ``out`` is then left as it was.
    """
    rows = _ROW_MAKERS[kind](
        store, since=since, model=model, include_reasoning=include_reasoning, provenance=provenance
    )
    path = Path(out)
    write_jsonl(rows, path)
    return ExportResult(kind, path, len(rows))


def write_jsonl(rows: Iterable[Row], path: Path) -> None:
    """Write one JSON object per line, atomically: the whole file appears or nothing does."""
    text = "".join(json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n" for row in rows)
    # Encoded before the file exists: only the OS can fail from here on.
    write_atomic(text.encode("utf-8"), path)


def write_atomic(data: bytes, path: Path) -> None:
    """Write ``data`` to ``path``: the whole file appears or nothing does (``ExportError``)."""
    if not path.name:
        raise ExportError(f"Cannot write {path}: it names no file")
    # A unique name in the same folder, so the final rename never crosses file systems.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        # os.open rather than tempfile: the file gets the usual permissions (umask), not 0600.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise ExportError(f"Cannot write {path}: {error.strerror or error}") from error
    try:
        with open(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ExportError(f"Cannot write {path}: {error.strerror or error}") from error
