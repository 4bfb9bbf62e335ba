"""The models on disk: the models folder and the Hugging Face cache; import and delete.

Shared by the GUI's library and ``llamadesk models list/import/rm``.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from llamadesk.core.downloads import PARTIAL_DIR, lacks_space, scan_hf_cache
from llamadesk.core.gguf_info import GGUFError, GGUFInfo, read_gguf_info
from llamadesk.core.quantize import UNQUANTIZED_SOURCES, lineage_path, read_lineage


class LibraryError(Exception):
    """An import or delete that cannot be done; the message is for the user."""


@dataclass(frozen=True)
class LibraryModel:
    """A GGUF file on disk.

    Args:
        info: its header, or None when it cannot be read (``problem`` says why).
        origin: where it came from, in words.
        removable: it is in the models folder (the Hugging Face cache is not ours to delete).
    """

    path: Path
    info: GGUFInfo | None
    problem: str
    origin: str
    removable: bool

    @property
    def name(self) -> str:
        return self.path.name


def scan_library(models_dir: Path, hf_cache_dir: Path | None = None) -> list[LibraryModel]:
    """Every GGUF in ``models_dir`` (sorted by name), then those in the Hugging Face cache.

    Args:
        hf_cache_dir: the Hugging Face cache to list; None: its usual place (HF_HUB_CACHE).
    """
    try:
        own = sorted(path for path in models_dir.glob("*.gguf") if path.is_file())
    except OSError:
        own = []
    models = [_describe(path, removable=True) for path in own]
    models += [_describe(path, removable=False) for path in scan_hf_cache(hf_cache_dir)]
    return models


def _describe(path: Path, *, removable: bool) -> LibraryModel:
    try:
        info: GGUFInfo | None = read_gguf_info(path)
        problem = ""
    except GGUFError as error:
        info, problem = None, str(error)
    return LibraryModel(path, info, problem, _origin(path, removable), removable)


def _origin(path: Path, removable: bool) -> str:
    if not removable:
        # .../models--owner--name/snapshots/<commit>/file.gguf
        repo = next((p.name for p in path.parents if p.name.startswith("models--")), "")
        return f"Hugging Face cache ({repo.removeprefix('models--').replace('--', '/')})"
    lineage = read_lineage(path)
    if lineage is not None:
        # Made from an already quantized file: its losses compound, and it says so.
        made = "quantized" if lineage.source_quantization in UNQUANTIZED_SOURCES else "requantized"
        return f"{made} here from {lineage.source_name} ({lineage.source_quantization})"
    if path.is_symlink():
        return f"linked to {path.resolve()}"
    return "models folder"


def import_model(source: Path, models_dir: Path, *, link: bool = False) -> Path:
    """Copy (or symlink) the GGUF at ``source`` into ``models_dir``; returns the new path.

    The file is checked to be a usable GGUF first; a copy appears under its name only once
    complete. A GGUF not named ``*.gguf`` is imported as ``<stem>.gguf``, the name the library,
    the GUI and ``models rm`` look for.

    Raises:
        LibraryError: not a usable GGUF, the name is taken, the disk is too small (checked
            before copying), or the copy failed.
    """
    try:
        info = read_gguf_info(source)
    except GGUFError as error:
        raise LibraryError(str(error)) from error
    dest = models_dir / library_name(source)
    if dest.exists() or dest.is_symlink():
        raise LibraryError(f"A model named {dest.name} is already in the library.")
    models_dir.mkdir(parents=True, exist_ok=True)
    if not link and (shortage := lacks_space(models_dir, info.file_size)):
        raise LibraryError(
            f"Not enough disk space to import {source.name}: {shortage}. Free some space, or "
            "import it as a link, which takes none."
        )
    try:
        if link:
            dest.symlink_to(source.resolve())
        else:
            _copy_atomically(source, dest)
    except OSError as error:
        raise LibraryError(f"Could not import {source.name}: {error.strerror or error}.") from error
    return dest


def library_name(source: Path) -> str:
    """The name ``source`` gets in the models folder: its own, ending in ``.gguf``."""
    return source.name if source.suffix.lower() == ".gguf" else f"{source.stem}.gguf"


def _copy_atomically(source: Path, dest: Path) -> None:
    # Beside the downloads' partial files: a half copy never shows as a model.
    partial = dest.parent / PARTIAL_DIR / f"{secrets.token_hex(8)}.import"
    partial.parent.mkdir(exist_ok=True)
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)


def delete_model(path: Path) -> None:
    """Delete a model of the models folder, and its lineage note if it has one.

    Raises:
        LibraryError: the file could not be deleted.
    """
    try:
        path.unlink()
        lineage_path(path).unlink(missing_ok=True)
    except OSError as error:
        raise LibraryError(f"Could not delete {path.name}: {error.strerror or error}.") from error


def find_model(models_dir: Path, name: str) -> Path | None:
    """The model of the models folder called ``name`` (with or without ".gguf")."""
    wanted = name if name.lower().endswith(".gguf") else f"{name}.gguf"
    path = models_dir / wanted
    if "/" in name or "\\" in name or not (path.is_file() or path.is_symlink()):
        return None
    return path


def format_parameters(count: int) -> str:
    """1_540_000_000 -> "1.5B", 135_000_000 -> "135M", 0 -> "?"."""
    if count >= 999.5e6:  # so that 999.9M reads as 1.0B, not 1000M
        return f"{count / 1e9:.1f}B"
    if count >= 1e6:
        return f"{count / 1e6:.0f}M"
    return f"{count:,}" if count else "?"
