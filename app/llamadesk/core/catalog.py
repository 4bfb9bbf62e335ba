"""The curated model catalog, and a repository's GGUF files grouped into downloadable variants.

The catalog lives in ``resources/catalog.json``. Loading it never fails: a broken entry is
left out with a message naming it and its bad field, and an unreadable file gives an empty
catalog and one message, so the rest of the app keeps working.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from llamadesk.core.engine import EngineError, SamplingParams
from llamadesk.core.kv_layout import KVLayout
from llamadesk.core.memory import (
    FitLevel,
    ModelSpec,
    SystemMemory,
    estimate_memory,
    judge_fit,
    recommend,
)
from llamadesk.core.quants import (
    QuantLevel,
    estimated_file_size,
    quant_label_from_filename,
    quant_level,
)

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
_SAMPLING_KEYS = frozenset({"temperature", "top_p", "top_k", "min_p", "repeat_penalty"})

# How a model shows its reasoning (MODELS-2026.md section 4): not at all; <think>...</think>;
# a template that pre-fills "<think>" so only "</think>" appears; gpt-oss's harmony channels;
# Gemma 4's thought channel.
REASONING_FORMATS = ("none", "tags", "prefilled", "harmony", "gemma4")
# How sure the facts of an entry are: seen on a hub page; likely; unverified.
CONFIDENCE_LEVELS = ("confirmed", "likely", "unverified")

# Size classes for filtering, by parameter count: (label, at least, below).
SIZE_RANGES: tuple[tuple[str, int, int], ...] = (
    ("Tiny (under 2B)", 0, 2_000_000_000),
    ("Small (2B to 5B)", 2_000_000_000, 5_000_000_000),
    ("Medium (5B to 10B)", 5_000_000_000, 10_000_000_000),
    ("Large (10B and up)", 10_000_000_000, 1 << 62),
)


@dataclass(frozen=True)
class ModelDimensions:
    """The architecture figures the memory estimate needs before a file is downloaded.

    Args:
        kv_layers: layers that keep a KV cache (hybrid models: the attention layers; Gemma 4:
            those that do not share another's); 0 means all ``layers``.
        sliding_window, sliding_layers: how many of those layers keep only a window of
            ``sliding_window`` tokens (Gemma 3/4, gpt-oss); 0 for none.
    """

    layers: int
    embedding: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    tied_embeddings: bool = False
    kv_layers: int = 0
    sliding_window: int = 0
    sliding_layers: int = 0

    def kv_layout(self) -> KVLayout:
        """The layer pattern, for the KV cache estimate. The recurrent layers' small fixed
        state is left out here: its size needs the file's header (a few MB at most)."""
        return KVLayout(
            kv_layers=self.kv_layers or self.layers,
            sliding_window=self.sliding_window,
            sliding_layers=self.sliding_layers,
        )


@dataclass(frozen=True)
class CatalogEntry:
    """One curated model.

    Args:
        id: a short unique slug, e.g. "qwen2.5-1.5b-instruct".
        repo: the Hugging Face repository holding its GGUF files ("owner/name").
        parameters: number of weights: what must fit in memory.
        active_parameters: weights read for each token (mixture-of-experts models read only
            the experts they route to): what sets the speed.
        architecture: llama.cpp's architecture name ("llama", "qwen3", "gemma3"...).
        default_quant: the level to offer first, e.g. "Q4_K_M".
        reasoning: one of REASONING_FORMATS.
        vision: the repository has an mmproj file for image input.
        gated: the repository asks for a login and the licence's acceptance.
        confidence: one of CONFIDENCE_LEVELS; ``note`` says what is unverified.
        mirrors: other repositories with the same files.
        sampling: the makers' recommended sampling, where they give one.
    """

    id: str
    name: str
    family: str
    repo: str
    parameters: int
    architecture: str
    context_length: int
    license: str
    description: str
    default_quant: str
    dimensions: ModelDimensions
    active_parameters: int = 0
    reasoning: str = "none"
    vision: bool = False
    gated: bool = False
    confidence: str = "confirmed"
    note: str = ""
    mirrors: tuple[str, ...] = ()
    sampling: SamplingParams | None = None

    @property
    def mixture_of_experts(self) -> bool:
        return self.active_parameters < self.parameters

    def matches(self, text: str) -> bool:
        """Whether every word of ``text`` appears in the entry's names or description."""
        haystack = " ".join(
            (self.id, self.name, self.family, self.repo, self.architecture, self.description)
        ).lower()
        return all(word in haystack for word in text.lower().split())

    def model_spec(self, variant: Variant) -> ModelSpec:
        """What the memory estimate needs to judge ``variant`` of this model."""
        dims = self.dimensions
        return ModelSpec(
            file_size=variant.size,
            parameter_count=self.parameters,
            quantization=variant.quant_label or "",
            n_layer=dims.layers,
            n_embd=dims.embedding,
            n_head=dims.heads,
            n_head_kv=dims.kv_heads,
            key_length=dims.head_dim,
            value_length=dims.head_dim,
            n_vocab=dims.vocab,
            tied_embeddings=dims.tied_embeddings,
            kv_layout=dims.kv_layout(),
        )


@dataclass(frozen=True)
class CatalogLoad:
    """The entries that loaded, and one message for each problem met on the way."""

    entries: tuple[CatalogEntry, ...]
    problems: tuple[str, ...]


def default_catalog_path() -> Path:
    return Path(str(resources.files("llamadesk") / "resources" / "catalog.json"))


def load_catalog(path: Path | None = None) -> CatalogLoad:
    """Read and check the catalog at ``path`` (the bundled one by default)."""
    path = path or default_catalog_path()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return CatalogLoad((), (f"The model catalog {path} cannot be read: {exc.strerror}.",))
    except UnicodeDecodeError:
        return CatalogLoad((), (f"The model catalog {path} is not UTF-8 text.",))
    except json.JSONDecodeError as exc:
        return CatalogLoad(
            (),
            (
                f"The model catalog {path} is not valid JSON "
                f"(line {exc.lineno}, column {exc.colno}: {exc.msg}).",
            ),
        )
    models = document.get("models") if isinstance(document, dict) else None
    if not isinstance(models, list):
        return CatalogLoad((), (f'The model catalog {path} has no list of "models".',))
    return _load_entries(models)


def _load_entries(models: list[Any]) -> CatalogLoad:
    entries: list[CatalogEntry] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(models, start=1):
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        where = f"Model catalog entry {number} of {len(models)}"
        if isinstance(raw_id, str):
            where += f" ('{raw_id}')"
        try:
            entry = _parse_entry(raw)
            if entry.id in seen:
                raise _Invalid("id", "is used by an earlier entry too")
        except _Invalid as problem:
            problems.append(f"{where}: '{problem.field}' {problem.reason}; the entry is left out.")
            continue
        seen.add(entry.id)
        entries.append(entry)
    return CatalogLoad(tuple(entries), tuple(problems))


class _Invalid(Exception):
    """A field of a catalog entry that cannot be used."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _parse_entry(raw: object) -> CatalogEntry:
    if not isinstance(raw, dict):
        raise _Invalid("entry", f"must be an object, not {_shown(raw)}")
    parameters = _count(raw, "parameters")
    active = _count(raw, "active_parameters")
    if active > parameters:
        raise _Invalid("active_parameters", f"must not exceed 'parameters' ({parameters:,})")
    return CatalogEntry(
        id=_text(raw, "id", _ID, "a lower-case slug like 'qwen2.5-1.5b-instruct'"),
        name=_text(raw, "name"),
        family=_text(raw, "family"),
        repo=_text(raw, "repo", _REPO_ID, "a Hugging Face repository id, 'owner/name'"),
        parameters=parameters,
        architecture=_text(raw, "architecture"),
        context_length=_count(raw, "context_length"),
        license=_text(raw, "license"),
        description=_text(raw, "description"),
        default_quant=_quant_name(raw, "default_quant"),
        dimensions=_dimensions(raw.get("dimensions"), "dimensions"),
        active_parameters=active,
        reasoning=_choice(raw, "reasoning", REASONING_FORMATS),
        vision=_flag(raw, "vision"),
        gated=_flag(raw, "gated"),
        confidence=_choice(raw, "confidence", CONFIDENCE_LEVELS),
        note=_optional_text(raw, "note"),
        mirrors=_mirrors(raw.get("mirrors", []), "mirrors"),
        sampling=_sampling(raw.get("sampling"), "sampling"),
    )


def _choice(raw: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = raw.get(key)
    if value not in allowed:
        raise _Invalid(key, f"must be one of {', '.join(allowed)}, not {_shown(value)}")
    return str(value)


def _flag(raw: Mapping[str, Any], key: str) -> bool:
    value = raw.get(key)
    if not isinstance(value, bool):
        raise _Invalid(key, f"must be true or false, not {_shown(value)}")
    return value


def _optional_text(raw: Mapping[str, Any], key: str) -> str:
    return _text(raw, key) if key in raw else ""


def _mirrors(raw: object, field: str) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise _Invalid(field, f"must be a list, not {_shown(raw)}")
    return tuple(
        _text({field: repo}, field, _REPO_ID, "a list of Hugging Face repository ids")
        for repo in raw
    )


def _text(
    raw: Mapping[str, Any], key: str, pattern: re.Pattern[str] | None = None, like: str = ""
) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(key, f"must be a non-empty text, not {_shown(value)}")
    if "\n" in value:
        raise _Invalid(key, "must be a single line")
    if pattern is not None and not pattern.match(value):
        raise _Invalid(key, f"must be {like}, not {value!r}")
    return value


def _quant_name(raw: Mapping[str, Any], key: str) -> str:
    name = _text(raw, key)
    if quant_level(name) is None:
        raise _Invalid(key, f"names no quantization level we know ({name!r})")
    return name


def _count(raw: Mapping[str, Any], key: str, field: str = "") -> int:
    value = raw.get(key)
    # bool is an int in Python, but `true` is no count.
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise _Invalid(field or key, f"must be a whole number above 0, not {_shown(value)}")
    return value


def _dimensions(raw: object, field: str) -> ModelDimensions:
    if not isinstance(raw, dict):
        raise _Invalid(field, f"must be an object, not {_shown(raw)}")
    counts = {
        spec.name: _count(raw, spec.name, f"{field}.{spec.name}")
        for spec in fields(ModelDimensions)
        if spec.name not in _OPTIONAL_DIMENSIONS
    }
    optional = {
        name: _count(raw, name, f"{field}.{name}") if name in raw else 0
        for name in _OPTIONAL_DIMENSIONS - {"tied_embeddings"}
    }
    tied = raw.get("tied_embeddings", False)
    if not isinstance(tied, bool):
        raise _Invalid(f"{field}.tied_embeddings", f"must be true or false, not {_shown(tied)}")
    dims = ModelDimensions(**counts, **optional, tied_embeddings=tied)
    if dims.kv_layers > dims.layers:
        raise _Invalid(f"{field}.kv_layers", f"must not exceed the {dims.layers} layers")
    if dims.sliding_layers > (dims.kv_layers or dims.layers):
        raise _Invalid(f"{field}.sliding_layers", "must not exceed the layers with a KV cache")
    if bool(dims.sliding_window) != bool(dims.sliding_layers):
        raise _Invalid(f"{field}.sliding_window", "and 'sliding_layers' come together")
    return dims


_OPTIONAL_DIMENSIONS = frozenset(
    {"tied_embeddings", "kv_layers", "sliding_window", "sliding_layers"}
)


def _sampling(raw: object, field: str) -> SamplingParams | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _Invalid(field, f"must be an object, not {_shown(raw)}")
    unknown = sorted(set(raw) - _SAMPLING_KEYS)
    if unknown:
        raise _Invalid(f"{field}.{unknown[0]}", f"is not one of {sorted(_SAMPLING_KEYS)}")
    for key, value in raw.items():
        number_types = (int,) if key == "top_k" else (int, float)
        if not isinstance(value, number_types) or isinstance(value, bool):
            raise _Invalid(f"{field}.{key}", f"must be a number, not {_shown(value)}")
    params = SamplingParams(**raw)
    try:
        params.validate()
    except EngineError as exc:
        raise _Invalid(field, f"is out of range ({str(exc).rstrip('.')})") from None
    return params


def _shown(value: object) -> str:
    return "nothing" if value is None else json.dumps(value)


def families(entries: Iterable[CatalogEntry]) -> list[str]:
    """The model families present, sorted, for a filter menu."""
    return sorted({entry.family for entry in entries})


def search_catalog(
    entries: Iterable[CatalogEntry],
    text: str = "",
    *,
    family: str | None = None,
    min_parameters: int = 0,
    max_parameters: int | None = None,
) -> list[CatalogEntry]:
    """Entries matching all of: every word of ``text``, the family, the size range.

    Sizes are in parameters; ``max_parameters`` is exclusive, like the ranges of SIZE_RANGES.
    """
    return [
        entry
        for entry in entries
        if entry.matches(text)
        and (family is None or entry.family == family)
        and entry.parameters >= min_parameters
        and (max_parameters is None or entry.parameters < max_parameters)
    ]


@dataclass(frozen=True)
class RepoFile:
    """A file in a hub repository, as its listing gives it. ``sha256`` is None for non-LFS files."""

    path: str
    size: int
    sha256: str | None = None


@dataclass(frozen=True)
class Variant:
    """One downloadable form of a model: a GGUF file, or all the shards of a split one.

    Args:
        files: the file, or the shards in order ("-00001-of-00003" first).
        quant_label: the quantization the name gives ("Q4_K_M", "IQ3_M"...), if any.
        level: that quantization, when it is one we know.
        estimated: not a real file but what one at this level would take (parameters x bits
            per weight / 8), shown while the hub cannot be reached; it cannot be downloaded.
    """

    repo: str
    files: tuple[RepoFile, ...]
    quant_label: str | None
    level: QuantLevel | None
    estimated: bool = False

    @property
    def name(self) -> str:
        """The file name without folder, shard number or extension."""
        return _variant_name(self.files[0].path)

    @property
    def size(self) -> int:
        return sum(file.size for file in self.files)

    @property
    def split(self) -> bool:
        return len(self.files) > 1


_GGUF_SUFFIX = ".gguf"
_SHARD = re.compile(r"^(?P<stem>.+)-(?P<index>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)
# Files beside the model that are not chat models themselves: vision projectors.
_NOT_A_MODEL = re.compile(r"(^|[-_.])mmproj([-_.]|$)", re.IGNORECASE)


def safe_repo_path(path: str) -> bool:
    """Whether a path from a hub listing stays inside the folder it is downloaded into.

    Refused: absolute paths, drive letters, ".." or "." parts, empty parts, backslashes and
    control characters.
    """
    if not path or path.startswith("/") or "\\" in path or ":" in path:
        return False
    if any(ord(char) < 0x20 or char == "\x7f" for char in path):
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def group_variants(repo: str, files: Iterable[RepoFile]) -> list[Variant]:
    """The GGUF variants among a repository's files, smallest first.

    Split files become one variant when all their shards are listed; incomplete sets, unsafe
    paths (see `safe_repo_path`) and vision projectors ("mmproj") are left out.
    """
    singles: list[tuple[RepoFile, ...]] = []
    shard_sets: dict[tuple[str, int], dict[int, RepoFile]] = {}
    for file in files:
        basename = file.path.rsplit("/", 1)[-1]
        if not safe_repo_path(file.path) or not basename.lower().endswith(_GGUF_SUFFIX):
            continue
        if _NOT_A_MODEL.search(basename):
            continue
        shard = _SHARD.match(file.path)
        if shard is None:
            singles.append((file,))
            continue
        key = (shard["stem"], int(shard["count"]))
        shard_sets.setdefault(key, {})[int(shard["index"])] = file
    groups = singles + [
        tuple(shards[index] for index in range(1, count + 1))
        for (_, count), shards in shard_sets.items()
        if set(shards) == set(range(1, count + 1))
    ]
    variants = [_variant(repo, group) for group in groups]
    return sorted(variants, key=lambda variant: (variant.size, variant.name))


def _variant(repo: str, files: tuple[RepoFile, ...]) -> Variant:
    label = quant_label_from_filename(files[0].path)
    return Variant(repo, files, label, quant_level(label) if label else None)


def _variant_name(path: str) -> str:
    basename = path.rsplit("/", 1)[-1]
    shard = _SHARD.match(basename)
    return shard["stem"] if shard else basename[: -len(_GGUF_SUFFIX)]


def recommend_variant(
    entry: CatalogEntry,
    variants: Sequence[Variant],
    system: SystemMemory,
    n_ctx: int,
    *,
    n_gpu_layers: int = 0,
) -> Variant | None:
    """The variant of ``entry`` to mark "Recommended for this computer", if any fits."""
    options = [(variant, entry.model_spec(variant)) for variant in variants]
    return recommend(options, system, n_ctx, n_gpu_layers=n_gpu_layers)


# Decoding reads every weight once per token, so speed is memory bandwidth / weight bytes:
# at a laptop's ~50 GB/s, 5 GB of weights (an 8B model at Q4_K_M) still gives ~10 tokens/s.
# Larger models fit many computers but answer too slowly to suggest to a newcomer.
SUGGESTED_MAX_WEIGHTS = 5_000_000_000


def recommend_entry(
    entries: Iterable[CatalogEntry], system: SystemMemory, n_ctx: int
) -> CatalogEntry | None:
    """The model to suggest for this computer: the largest entry whose default level fits
    comfortably at ``n_ctx`` and is small enough to answer briskly. File sizes are estimated
    as parameters x bits per weight / 8: the real ones need the hub, and this shows first."""
    return max(
        (entry for entry in entries if _suits(entry, system, n_ctx)),
        key=lambda entry: entry.parameters,
        default=None,
    )


def _suits(entry: CatalogEntry, system: SystemMemory, n_ctx: int) -> bool:
    level = quant_level(entry.default_quant)
    if level is None:
        return False
    variant = _estimated_variant(entry, level)
    if variant.size > SUGGESTED_MAX_WEIGHTS:
        return False
    spec = entry.model_spec(variant)
    return judge_fit(estimate_memory(spec, n_ctx), system).level is FitLevel.FITS


def _estimated_variant(entry: CatalogEntry, level: QuantLevel) -> Variant:
    size = estimated_file_size(entry.parameters, level)
    return Variant(
        entry.repo, (RepoFile(f"{entry.id}-{level.name}.gguf", size),), level.name, level
    )
