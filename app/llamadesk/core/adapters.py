"""Adapters trained by `training`: their lineage, and how the app finds and loads them.

An adapter GGUF lies in the app's models folder (or where the user put it), with
``<name>.gguf.lineage.json`` beside it: the base file, the examples, the settings. The model
picker lists it as a model of its own ("MODEL + your preferences (date)"); `resolve_adapter`
turns it back into base + adapter for loading. Kept apart from `training` so that the engine
can read it without the training code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from llamadesk.core.jsonfile import read_json

ADAPTER_LINEAGE_SUFFIX = ".lineage.json"
ADAPTER_MARK = ".lora-"  # in the name of every adapter `training` writes by default


@dataclass(frozen=True)
class AdapterLineage:
    """Where an adapter came from; stored beside it in ``<name>.gguf.lineage.json``."""

    base: str  # the base model's absolute path at the time
    base_size: int
    base_mtime: float
    method: str
    settings: dict[str, Any]
    examples: list[str]  # the ids of the trained examples (preferences.py's row ids)
    held_out: list[list[dict[str, str]]]  # prompts kept back for the duel
    losses: list[float]  # the training loss at each logged step
    seconds: float
    created: str  # ISO 8601, UTC
    llamadesk_version: str

    @property
    def base_name(self) -> str:
        return Path(self.base).name

    def label(self) -> str:
        """How the model picker names base + adapter: "MODEL + your preferences (date)"."""
        day = self.created[:10]
        return f"{Path(self.base).stem} + your preferences ({day})"


def adapter_lineage_path(adapter: Path) -> Path:
    return adapter.with_name(adapter.name + ADAPTER_LINEAGE_SUFFIX)


def read_adapter_lineage(adapter: Path | str) -> AdapterLineage | None:
    """The lineage of the adapter at ``adapter``, or None (not an adapter of ours, unreadable).

    A quantization's lineage has the same suffix; it lacks these fields, so it reads as None.
    """
    data = read_json(adapter_lineage_path(Path(adapter)))
    if not isinstance(data, dict):
        return None
    try:
        lineage = AdapterLineage(**{spec.name: data[spec.name] for spec in fields(AdapterLineage)})
    except KeyError:
        return None
    scalars_ok = isinstance(lineage.base, str) and isinstance(lineage.created, str)
    lists = (lineage.examples, lineage.held_out, lineage.losses)
    lists_ok = all(isinstance(value, list) for value in lists)
    return lineage if scalars_ok and lists_ok and isinstance(lineage.settings, dict) else None


def is_adapter(path: Path) -> bool:
    """Whether ``path`` is an adapter we trained (only such names have a lineage read)."""
    return ADAPTER_MARK in path.name and read_adapter_lineage(path) is not None


def resolve_adapter(path: Path | str) -> tuple[Path, Path | None]:
    """The file to load and the adapter to apply: (base, adapter) for an adapter of ours,
    (path, None) for anything else. The model picker lists adapters as models of their own;
    this is how loading one loads its base."""
    lineage = read_adapter_lineage(path)
    if lineage is None:
        return Path(path), None
    return Path(lineage.base), Path(path)


def adapters_for(model: Path, folders: Sequence[Path] = ()) -> list[tuple[Path, AdapterLineage]]:
    """The adapters trained on ``model`` that lie beside it or in ``folders``, newest first."""
    found: dict[Path, AdapterLineage] = {}
    for folder in (model.parent, *folders):
        for lineage_file in folder.glob(f"*.gguf{ADAPTER_LINEAGE_SUFFIX}"):
            adapter = lineage_file.with_name(lineage_file.name.removesuffix(ADAPTER_LINEAGE_SUFFIX))
            lineage = read_adapter_lineage(adapter)
            if lineage is not None and adapter.is_file() and Path(lineage.base) == model.resolve():
                found[adapter] = lineage
    return sorted(found.items(), key=lambda item: item[1].created, reverse=True)
