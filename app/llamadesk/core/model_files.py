"""What is known about a model file that wrote answers: its sha256, quantization and template.

Answers store only the model file's name. Exports (chat archives, data set cards) say which
exact file that was, so the facts are looked up once, from the file where it still is (the
models folder or the Hugging Face cache), and kept in the ``model_files`` table; an import
brings the facts of the files the exported answers came from.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from llamadesk.core.store import Store

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ModelFile:
    """Facts about one model file; "" (0 for ``size``) where unknown."""

    name: str
    sha256: str = ""
    size: int = 0
    quantization: str = ""
    template_sha256: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# Finds the facts about a file named so; None if no such file is at hand.
ModelLookup = Callable[[str], "ModelFile | None"]


@functools.cache
def engine_version() -> str:
    """The engine that writes answers, with its version: "llama-cpp-python 0.3.36"."""
    try:
        return f"llama-cpp-python {importlib.metadata.version('llama-cpp-python')}"
    except importlib.metadata.PackageNotFoundError:
        return "llama-cpp-python"


def no_lookup(_name: str) -> ModelFile | None:
    return None


def file_sha256(path: Path) -> str:
    """The sha256 of the file at ``path``, read in 1 MiB blocks.

    A file in the Hugging Face cache is a link to a blob named by its sha256: no reading.
    """
    target = path.resolve()
    if target.parent.name == "blobs" and _SHA256.match(target.name):
        return target.name
    digest = hashlib.sha256()
    with target.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def describe_file(path: Path) -> ModelFile:
    """The facts about the GGUF file at ``path``; OSError if it cannot be read."""
    from llamadesk.core.gguf_info import GGUFError, read_gguf_info

    try:
        info = read_gguf_info(path)
        quantization, template = info.quantization, info.chat_template
    except GGUFError:
        quantization, template = "", ""
    template_hash = hashlib.sha256(template.encode()).hexdigest() if template else ""
    return ModelFile(path.name, file_sha256(path), path.stat().st_size, quantization, template_hash)


def folder_lookup(folders: Sequence[Path], extra_files: Iterable[Path] = ()) -> ModelLookup:
    """A lookup that finds a file by name in ``folders`` or among ``extra_files``."""
    extra = {path.name: path for path in extra_files}

    def lookup(name: str) -> ModelFile | None:
        candidates = [folder / name for folder in folders]
        if name in extra:
            candidates.append(extra[name])
        for path in candidates:
            try:
                if path.is_file():
                    return describe_file(path)
            except OSError:
                continue
        return None

    return lookup


def library_lookup(models_dir: Path) -> ModelLookup:
    """Finds files in the models folder and the Hugging Face cache, as the library lists them."""
    from llamadesk.core.downloads import scan_hf_cache

    cached: list[Path] | None = None

    def lookup(name: str) -> ModelFile | None:
        nonlocal cached
        found = folder_lookup([models_dir])(name)
        if found is None:
            if cached is None:  # listing the cache is slow: only when needed, once
                cached = scan_hf_cache()
            found = folder_lookup([], cached)(name)
        return found

    return lookup


def known_files(store: Store, names: Iterable[str], lookup: ModelLookup) -> dict[str, ModelFile]:
    """The facts about each named file: from the table, else from ``lookup`` (then kept)."""
    wanted = sorted({name for name in names if name})
    result: dict[str, ModelFile] = {}
    for name in wanted:
        kept = store.db.all("SELECT * FROM model_files WHERE name = ?", (name,))
        if kept:
            row = kept[0]
            result[name] = ModelFile(
                row["name"], row["sha256"], row["size"], row["quantization"], row["template_sha256"]
            )
            continue
        found = lookup(name)
        if found is not None:
            remember(store, found)
        result[name] = found or ModelFile(name)
    return result


def remember(store: Store, model: ModelFile) -> None:
    """Keep the facts about a file, unless some are already kept (they came first-hand)."""
    store.db.execute(
        "INSERT OR IGNORE INTO model_files (name, sha256, size, quantization, template_sha256)"
        " VALUES (?, ?, ?, ?, ?)",
        (model.name, model.sha256, model.size, model.quantization, model.template_sha256),
    )
