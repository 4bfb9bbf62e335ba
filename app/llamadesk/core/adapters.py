"""Adapters trained by `training`: their lineage, and how the app finds and loads them.

An adapter GGUF lies in the app's models folder (or where the user put it), with
``<name>.gguf.lineage.json`` beside it: the base file, the examples, the settings. The model
picker lists it as a model of its own ("MODEL + your preferences (date)"); `resolve_adapter`
turns it back into base + adapter for loading. Kept apart from `training` so that the engine
can read it without the training code.

The lineage names the base by its path at training time, and by its size and sha256: a base
that was moved (another models folder, another computer, the starter model in a new
environment) is found again among the known model files by its content, so an adapter stays
usable wherever its base went.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

from llamadesk.core.jsonfile import read_json
from llamadesk.core.model_files import file_sha256
from llamadesk.core.paths import app_paths
from llamadesk.core.starter import starter_model_path

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
    # The base's content, to find it again where it was moved ("" in lineages written before).
    base_sha256: str = ""

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
        lineage = AdapterLineage(
            **{
                spec.name: data[spec.name]
                for spec in fields(AdapterLineage)
                if spec.name in data or spec.default is MISSING
            }
        )
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
    this is how loading one loads its base (found again by its content where it was moved;
    where it is nowhere, its recorded path, which then fails to load with its name)."""
    lineage = read_adapter_lineage(path)
    if lineage is None:
        return Path(path), None
    return find_base(lineage, Path(path)) or Path(lineage.base), Path(path)


def find_base(lineage: AdapterLineage, adapter: Path, folders: Sequence[Path] = ()) -> Path | None:
    """The adapter's base file: at its recorded path, else the model file of the same size
    and sha256 (of the same name, for a lineage without a sha256) beside the adapter, in
    ``folders``, in the app's models folder, or the starter model; None where it is nowhere."""
    recorded = Path(lineage.base)
    if _is_base(lineage, recorded, check_content=False):
        return recorded
    candidates = [adapter.parent, *folders, app_paths().models]
    starter = starter_model_path()
    return next(
        (path for path in _model_files(candidates, starter) if _is_base(lineage, path)), None
    )


def _model_files(folders: Iterable[Path], extra: Path | None) -> Iterator[Path]:
    seen: set[Path] = set()
    for folder in folders:
        for path in sorted(folder.glob("*.gguf")) if folder.is_dir() else ():
            if path.resolve() not in seen:
                seen.add(path.resolve())
                yield path
    if extra is not None and extra.resolve() not in seen:
        yield extra


def _is_base(lineage: AdapterLineage, path: Path, *, check_content: bool = True) -> bool:
    """Whether ``path`` holds the base: its size first (cheap), then its sha256 (a file
    the size of the base is read once). At the recorded path, size suffices: nothing else
    of that size would be there."""
    try:
        if not path.is_file() or path.stat().st_size != lineage.base_size:
            return False
        if not check_content:
            return True
        if lineage.base_sha256:
            stat = path.stat()
            return _sha256(path.resolve(), stat.st_size, stat.st_mtime) == lineage.base_sha256
        return path.name == lineage.base_name
    except OSError:
        return False


@functools.lru_cache(maxsize=64)
def _sha256(path: Path, _size: int, _mtime: float) -> str:
    """`file_sha256`, once per version of a file (size and time are part of the key): the
    Teach page asks again at each preview, and a model of gigabytes takes seconds to read."""
    return file_sha256(path)


def adapters_in(folders: Iterable[Path]) -> dict[Path, AdapterLineage]:
    """Every adapter of ours in ``folders``, with its lineage."""
    found: dict[Path, AdapterLineage] = {}
    for folder in folders:
        for lineage_file in folder.glob(f"*.gguf{ADAPTER_LINEAGE_SUFFIX}"):
            adapter = lineage_file.with_name(lineage_file.name.removesuffix(ADAPTER_LINEAGE_SUFFIX))
            lineage = read_adapter_lineage(adapter)
            if lineage is not None and adapter.is_file():
                found[adapter] = lineage
    return found


def adapters_for(model: Path, folders: Sequence[Path] = ()) -> list[tuple[Path, AdapterLineage]]:
    """The adapters trained on ``model`` (wherever it lay then) that lie beside it or in
    ``folders``, newest first."""
    found = [
        (adapter, lineage)
        for adapter, lineage in adapters_in([model.parent, *folders]).items()
        if Path(lineage.base) == model.resolve() or _is_base(lineage, model)
    ]
    return sorted(found, key=lambda item: item[1].created, reverse=True)
