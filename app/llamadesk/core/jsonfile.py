"""Small JSON files beside the app's data: written atomically, read tolerantly.

A crash mid-write leaves the old file (or none), never half a file; a file that is missing,
corrupt or from another version reads as "nothing there" instead of an error, because these
files only ever hold things the app can do without (lineage notes, measurements).
"""

from __future__ import annotations

import json
import os
import secrets
import typing
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def write_json_atomic(path: Path, value: object) -> None:
    """Write ``value`` as JSON to ``path``: the whole file appears or nothing changes.

    Raises:
        OSError: the folder is missing or not writable, or the disk is full.
    """
    data = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=1).encode("utf-8")
    # A unique name in the same folder, so the final rename never crosses file systems.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with temporary.open("xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_json(path: Path) -> Any | None:
    """The JSON value in ``path``; None if the file is missing, unreadable or not JSON."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None


def dataclass_from_json(cls: type[T], data: object) -> T | None:
    """An instance of the flat dataclass ``cls`` (str, int, float and bool fields) made from
    a JSON object, or None if a field is missing or has the wrong type. Extra keys are ignored.
    """
    assert is_dataclass(cls)
    if not isinstance(data, dict):
        return None
    hints = typing.get_type_hints(cls)
    values: dict[str, object] = {}
    for spec in fields(cls):
        value = data.get(spec.name)
        expected = hints[spec.name]
        if expected is float and type(value) is int:  # JSON writes 2.0 as 2 in some tools
            value = float(value)
        # bool is an int to isinstance; a JSON true is no count of tokens.
        if not isinstance(value, expected) or (expected is not bool and type(value) is bool):
            return None
        values[spec.name] = value
    return cls(**values)
