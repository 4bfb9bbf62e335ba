"""A preference data set as a folder to share: the JSONL files and a Hub data set card.

``prepare_dataset`` reads the rows of the chosen exports (with the ``metadata`` provenance
column), scrubs them if asked, and writes the card; ``write_dataset`` puts the files in a
folder. The card (``README.md``) has the YAML header the Hugging Face Hub reads (licence,
task categories, size category, and ``configs`` naming each file, so ``load_dataset`` finds
them), and a body that says where the data came from: counts by source, the models with
their file sha256, quantization and chat template hash, the sampler settings, the engine,
the date range, how the ratings were collected, and whether the scrub ran.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from llamadesk import __version__
from llamadesk.core.model_files import ModelLookup, known_files, no_lookup
from llamadesk.core.preferences import (
    METADATA_COLUMN,
    ExportError,
    ExportFormat,
    Row,
    arena_rows,
    kto_rows,
    trl_rows,
    write_atomic,
    write_jsonl,
)
from llamadesk.core.scrub import Finding, ScrubReport, scrub_rows
from llamadesk.core.store import Store

CARD_NAME = "README.md"

_ROWS = {"trl": trl_rows, "kto": kto_rows, "arena": arena_rows}
_DESCRIPTIONS = {
    "trl": "preference pairs (`prompt`, `chosen`, `rejected`) for DPO and reward models",
    "kto": "rated answers (`prompt`, `completion`, `label`) for KTO",
    "arena": "Chatbot Arena battles (`model_a`, `model_b`, `winner`, ...)",
}
_TAGS = {"trl": ["dpo", "rlhf", "preference"], "kto": ["kto"], "arena": ["chatbot-arena"]}
# How each kind of rating was given in the app.
_COLLECTED = {
    "thumbs": "a thumbs up or down on an answer in the chat (with optional reason tags)",
    "rewrite": "a thumbs-down with a better answer the user wrote; the rewrite is chosen",
    "pick": "the best of several regenerated answers to one prompt, picked by the user",
    "rank": "a full ranking of several answers to one prompt, by the user",
    "compare": "a side-by-side vote between two models' answers to one prompt "
    "(blind when `blind` is true in the arena file)",
}
# The sampler settings summarised on the card, in this order.
_SAMPLER_KEYS = ("temperature", "top_p", "top_k", "min_p", "repeat_penalty", "max_tokens")


@dataclass(frozen=True)
class PreparedDataset:
    """What a folder export will hold: rows per file and the card, before anything is written."""

    rows: dict[str, list[Row]]  # by kind; kinds without rows are left out (unless all are)
    card: str
    scrub: ScrubReport | None = None
    files: dict[str, str] = field(default_factory=dict)  # kind -> file name
    requested: tuple[str, ...] = ()  # the kinds asked for

    @property
    def counts(self) -> dict[str, int]:
        return {kind: len(rows) for kind, rows in self.rows.items()}


def prepare_dataset(
    store: Store,
    kinds: Sequence[ExportFormat],
    *,
    since: date | None = None,
    model: str = "",
    include_reasoning: bool = False,
    scrub: bool = False,
    license: str = "other",
    name: str = "",
    lookup: ModelLookup = no_lookup,
) -> PreparedDataset:
    """The rows of each export in ``kinds`` with provenance, scrubbed if asked, and the card.

    ``lookup`` finds model files not described yet, so the card can give their sha256.
    """
    models = store.db.all("SELECT DISTINCT model FROM messages WHERE model <> ''")
    known_files(
        store, [row["model"] for row in models], lookup
    )  # the facts the metadata column will carry
    rows: dict[str, list[Row]] = {}
    findings: list[Finding] = []
    for kind in kinds:
        made = _ROWS[kind](
            store, since=since, model=model, include_reasoning=include_reasoning, provenance=True
        )
        if scrub:
            made, found = scrub_rows(made)
            findings.extend(found.findings)
        rows[kind] = made
    report = ScrubReport(tuple(findings)) if scrub else None
    if any(rows.values()):
        # An empty file would be a config that ``load_dataset`` cannot load: leave it out.
        rows = {kind: kind_rows for kind, kind_rows in rows.items() if kind_rows}
    files: dict[str, str] = {kind: f"{kind}.jsonl" for kind in rows}
    card = dataset_card(rows, files, report, license=license, name=name)
    return PreparedDataset(rows, card, report, files, tuple(kinds))


def write_dataset(prepared: PreparedDataset, folder: Path) -> list[Path]:
    """Write the JSONL files and the card into ``folder`` (made if needed); the paths written.

    Each file appears whole or not at all; ``ExportError`` if the folder cannot be written.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"Cannot make the folder {folder}: {error.strerror or error}") from None
    written = []
    for kind, rows in prepared.rows.items():
        path = folder / prepared.files[kind]
        write_jsonl(rows, path)
        written.append(path)
    card = folder / CARD_NAME
    write_atomic(prepared.card.encode("utf-8"), card)
    return [*written, card]


# The card


def size_category(count: int) -> str:
    """The Hub's size category of a data set of ``count`` rows: "n<1K", "1K<n<10K", ..."""
    bounds = [(1_000, "1K"), (10_000, "10K"), (100_000, "100K"), (1_000_000, "1M")]
    lower = ""
    for bound, label in bounds:
        if count < bound:
            return f"{lower}<n<{label}" if lower else f"n<{label}"
        lower = label
    return "1M<n<10M" if count < 10_000_000 else "n>10M"


def dataset_card(
    rows: dict[str, list[Row]],
    files: dict[str, str],
    scrub: ScrubReport | None,
    *,
    license: str = "other",
    name: str = "",
) -> str:
    """The README.md of a data set holding these rows (with their metadata column)."""
    header = {
        "license": license,
        "task_categories": ["text-generation"],
        "tags": ["llamadesk", *(tag for kind in rows for tag in _TAGS[kind])],
        "size_categories": [size_category(max((len(r) for r in rows.values()), default=0))],
        "configs": [
            {
                "config_name": kind,
                **({"default": True} if place == 0 else {}),
                "data_files": [{"split": "train", "path": files[kind]}],
            }
            for place, kind in enumerate(rows)
        ],
    }
    if name:
        header["pretty_name"] = name
    return f"---\n{_yaml(header)}---\n\n{_body(rows, files, scrub, name)}"


def _body(
    rows: dict[str, list[Row]], files: dict[str, str], scrub: ScrubReport | None, name: str
) -> str:
    all_rows = [row for kind_rows in rows.values() for row in kind_rows]
    provenance = [json.loads(row[METADATA_COLUMN]) for row in all_rows]
    answers = [a for p in provenance for a in p["answers"].values() if "file" in a]
    lines = [
        f"# {name or 'Preference data from LlamaDesk'}",
        "",
        f"Ratings of answers from language models run locally with LlamaDesk {__version__}: "
        "people rated the answers as they chatted. Every row has a `metadata` column "
        "(a JSON string) with its provenance: for each answer the model file and its "
        "sha256, quantization, chat template hash, sampling settings and seed. "
        "Trainers ignore it.",
        "",
        "## Files",
        "",
        "| Config | File | Rows | What |",
        "|---|---|---|---|",
        *(
            f"| `{kind}` | `{files[kind]}` | {len(kind_rows)} | {_DESCRIPTIONS[kind]} |"
            for kind, kind_rows in rows.items()
        ),
        "",
        "## Counts by source",
        "",
        *_counts(rows),
        "",
        "## How the ratings were collected",
        "",
        *(
            f"- `{source}`: {_COLLECTED[source]}"
            for source in sorted({row["source"] for row in all_rows})
            if source in _COLLECTED
        ),
        "",
        "## Models",
        "",
        *_models(answers),
        "",
        "## Sampler settings",
        "",
        *_samplers(answers),
        "",
        "## Engine and dates",
        "",
        f"- Engine: {', '.join(sorted({p['engine'] for p in provenance})) or 'none'}",
        f"- Written by: LlamaDesk {__version__}",
        f"- Ratings given: {_date_range(row['created'] for row in all_rows)}",
        "",
        "## Privacy scrub",
        "",
        _scrub_line(scrub),
        "",
    ]
    return "\n".join(lines)


def _counts(rows: dict[str, list[Row]]) -> list[str]:
    lines = []
    for kind, kind_rows in rows.items():
        by_source = Counter(row["source"] for row in kind_rows)
        parts = ", ".join(f"{source} {count}" for source, count in sorted(by_source.items()))
        lines.append(f"- `{kind}`: {len(kind_rows)} rows" + (f" ({parts})" if parts else ""))
    return lines


def _models(answers: list[dict[str, Any]]) -> list[str]:
    files = {a["file"]["name"]: a["file"] for a in answers}
    if not files:
        return ["No model answers in this data set."]
    lines = [
        "| Model file | sha256 | Quantization | Chat template sha256 | Answers |",
        "|---|---|---|---|---|",
    ]
    uses = Counter(a["file"]["name"] for a in answers)
    for name, facts in sorted(files.items()):
        lines.append(
            f"| `{name}` | `{facts['sha256'] or 'unknown'}` | {facts['quantization'] or '?'} "
            f"| `{facts['template_sha256'] or 'unknown'}` | {uses[name]} |"
        )
    return lines


def _samplers(answers: list[dict[str, Any]]) -> list[str]:
    lines = []
    for key in _SAMPLER_KEYS:
        values = sorted({a["params"][key] for a in answers if key in a.get("params", {})})
        if values:
            shown = f"{values[0]:g}" if len(values) == 1 else f"{values[0]:g} to {values[-1]:g}"
            lines.append(f"- `{key}`: {shown}")
    seeds = {a["seed"] for a in answers if a.get("seed", -1) >= 0}
    if seeds:
        lines.append(f"- seeds: {len(seeds)} distinct, recorded per answer in `metadata`")
    return lines or ["No sampler settings recorded."]


def _date_range(stamps: Iterable[str]) -> str:
    days = sorted(stamp[:10] for stamp in stamps)
    if not days:
        return "none"
    return days[0] if days[0] == days[-1] else f"{days[0]} to {days[-1]}"


def _scrub_line(scrub: ScrubReport | None) -> str:
    if scrub is None:
        return (
            "The scrub for emails, phone numbers, paths with user names and API keys "
            "did not run on this data set."
        )
    return (
        "A scrub for emails, phone numbers, paths with user names and API keys ran before "
        f"export and replaced: {scrub.describe()}."
    )


def _yaml(value: Any, indent: int = 0) -> str:
    """Block-style YAML for dicts, lists, strings, numbers and booleans.

    Strings are written JSON-quoted, which YAML reads as the same string.
    """
    pad = " " * indent
    out = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                out.append(f"{pad}{key}:\n{_yaml(item, indent + 2)}")
            else:
                out.append(f"{pad}{key}: {_scalar(item)}\n")
    else:
        for item in value:
            if isinstance(item, (dict, list)):
                nested = _yaml(item, indent + 2)
                out.append(f"{pad}- {nested[indent + 2 :]}")
            else:
                out.append(f"{pad}- {_scalar(item)}\n")
    return "".join(out)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)
