"""Check, before anything is opened, that the app may keep its files where it means to."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from llamadesk.core.paths import HOME_ENV, AppPaths


class DataFolderError(Exception):
    """A folder of the app's is missing and cannot be made, or cannot be written in."""


def prepare_folders(paths: AppPaths) -> AppPaths:
    """Create the app's folders that are missing and prove each can be written in.

    Raises:
        DataFolderError: with one sentence that names the folder, the reason and the way out.
    """
    for folder in (paths.data, paths.config, paths.cache, paths.models):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # A write is the only honest test: permissions, read-only mounts, ACLs and full
            # disks all show up here, and not in os.access().
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            raise DataFolderError(_explain(folder, exc)) from exc
    return paths


def _explain(folder: Path, exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "you may not write there"
    elif exc.errno == errno.ENOENT:
        reason = "the folder cannot be created there"
    elif exc.errno == errno.ENOTDIR:
        reason = "a file is in the way of the folder"
    elif exc.errno == errno.ENOSPC:
        reason = "the disk is full"
    else:
        reason = exc.strerror or str(exc)
    home = os.environ.get(HOME_ENV)
    way_out = (
        f"It comes from {HOME_ENV}={home}: point that to a folder you can write in."
        if home
        else f"Fix the folder's permissions, or set {HOME_ENV} to a folder you can write in."
    )
    return f"LlamaDesk cannot keep its files in {folder} ({reason}). {way_out}"
