"""A repository's GGUF variants from the hub, with the last answer cached for offline use.

Each listing is kept in ``<cache>/hub/<owner>__<name>.json`` (written atomically). When the hub
cannot be reached the cached list is returned, marked as such, so the variants still show.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from llamadesk.core.catalog import CatalogEntry, RepoFile, Variant, group_variants
from llamadesk.core.downloads import DownloadError, RepoNotFound, list_repo_files
from llamadesk.core.jsonfile import read_json, write_json_atomic
from llamadesk.core.memory import (
    FitVerdict,
    ModelSpec,
    SystemMemory,
    estimate_memory,
    judge_fit,
    recommend,
)
from llamadesk.core.quants import describe_quality_cost, estimated_file_size, quant_level
from llamadesk.core.speed import ModelTraffic

# The levels offered as estimates while the hub is out of reach: the usual choices.
COMMON_LEVELS = ("Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0")


@dataclass(frozen=True)
class RepoListing:
    """A repository's variants and where they came from.

    Args:
        fetched: when the hub gave this list (UTC).
        offline_reason: None for a fresh list; else why the cached one is shown.
    """

    repo: str
    variants: tuple[Variant, ...]
    fetched: datetime
    offline_reason: str | None = None

    @property
    def offline(self) -> bool:
        return self.offline_reason is not None

    def describe_age(self) -> str:
        """ "offline — last known list from 2025-01-31 14:02", or "" for a fresh list."""
        if not self.offline:
            return ""
        when = self.fetched.astimezone().strftime("%Y-%m-%d %H:%M")
        return f"offline — last known list from {when}"


def cache_file(cache_dir: Path, repo: str) -> Path:
    """Where the listing of ``repo`` is cached under the app's cache folder."""
    return cache_dir / "hub" / f"{repo.replace('/', '__')}.json"


def fetch_listing(repo: str, cache_dir: Path, *, endpoint: str | None = None) -> RepoListing:
    """List ``repo``'s variants from the hub, or from the cache if the hub is out of reach.

    Raises:
        DownloadError: the hub said no (not found, gated...), or it is unreachable and no list
            was cached.
    """
    try:
        files = list_repo_files(repo, endpoint=endpoint)
    except DownloadError as error:
        cached = _read_cache(cache_dir, repo) if error.resumable else None
        if cached is None:
            raise
        return RepoListing(repo, cached[1], cached[0], offline_reason=str(error))
    found = [RepoFile(f.path, f.size, f.sha256) for f in files]
    fetched = datetime.now(timezone.utc)
    # The cache only helps offline; a full disk must not hide a good list.
    with contextlib.suppress(OSError):
        _write_cache(cache_dir, repo, found, fetched)
    return RepoListing(repo, tuple(group_variants(repo, found)), fetched)


def listing_failure(error: DownloadError, entry: CatalogEntry | None) -> str:
    """What to tell the user when listing a repository failed with `error`.

    A catalog entry whose repository has gone (removed or renamed on the hub) is not a name the
    user typed wrong: say so, and point to the rest of the catalog.
    """
    if isinstance(error, RepoNotFound) and entry is not None:
        return (
            f"{entry.name} is no longer on Hugging Face: its repository {entry.repo} was "
            "removed or renamed. Pick another model from the catalog."
        )
    return str(error)


def _write_cache(cache_dir: Path, repo: str, files: list[RepoFile], fetched: datetime) -> None:
    path = cache_file(cache_dir, repo)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "repo": repo,
        "fetched": fetched.isoformat(),
        "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in files],
    }
    write_json_atomic(path, document)


def _read_cache(cache_dir: Path, repo: str) -> tuple[datetime, tuple[Variant, ...]] | None:
    """The cached listing, or None if there is none or it is damaged."""
    document: Any = read_json(cache_file(cache_dir, repo))
    try:
        fetched = datetime.fromisoformat(document["fetched"])
        files = [
            RepoFile(str(f["path"]), int(f["size"]), f["sha256"] and str(f["sha256"]))
            for f in document["files"]
        ]
    except (TypeError, KeyError, ValueError):
        return None
    return fetched, tuple(group_variants(repo, files))


def variant_spec(entry: CatalogEntry | None, variant: Variant) -> ModelSpec:
    """What the memory estimate needs for ``variant``.

    Outside the catalog the model's shape is unknown before download, so only the weights
    (the file) are counted: the verdict then leaves out the context's memory.
    """
    if entry is not None:
        return entry.model_spec(variant)
    return ModelSpec(
        file_size=variant.size,
        parameter_count=0,
        quantization=variant.quant_label or "",
        n_layer=0,
        n_embd=0,
        n_head=0,
        n_head_kv=0,
        key_length=0,
        value_length=0,
        n_vocab=0,
    )


def judge_variants(
    entry: CatalogEntry | None, variants: Sequence[Variant], system: SystemMemory, n_ctx: int
) -> tuple[list[FitVerdict], Variant | None]:
    """Each variant's fit verdict at ``n_ctx`` tokens, and the one to recommend (if any)."""
    options = [(variant, variant_spec(entry, variant)) for variant in variants]
    verdicts = [judge_fit(estimate_memory(spec, n_ctx), system) for _, spec in options]
    return verdicts, recommend(options, system, n_ctx)


def quality_cost(variant: Variant) -> str:
    """The quality cost in words and added perplexity: "small quality loss (+0.18 ppl)"."""
    level = variant.level
    if level is None:
        return "unknown level"
    return describe_quality_cost(level)


def estimated_variants(entry: CatalogEntry) -> list[Variant]:
    """What ``entry`` would take at the common levels (and its default one, when its bits per
    weight are known), marked as estimates: parameters x bits per weight / 8."""
    names = dict.fromkeys((*COMMON_LEVELS, entry.default_quant))
    variants = []
    for name in names:
        level = quant_level(name)
        if level is None or level.bits_per_weight is None:
            continue
        size = estimated_file_size(entry.parameters, level)
        file = RepoFile(f"{entry.id}-{level.name}.gguf", size)
        variants.append(Variant(entry.repo, (file,), level.name, level, estimated=True))
    return sorted(variants, key=lambda variant: variant.size)


def variant_traffic(entry: CatalogEntry | None, variant: Variant) -> ModelTraffic:
    """What decoding one token of ``variant`` reads. For a catalog entry, the active share of
    the file and the KV cache of its attention layers; outside the catalog, the file."""
    if entry is None:
        return ModelTraffic(weight_bytes=variant.size, kv_bytes_per_token=0)
    spec = entry.model_spec(variant)
    return ModelTraffic.of_model(
        variant.size * entry.active_parameters / entry.parameters,
        spec.n_head_kv * (spec.key_length + spec.value_length),
        spec.layout,
    )
