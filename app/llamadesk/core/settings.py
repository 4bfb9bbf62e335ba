"""The user's settings: one typed record with defaults, saved as JSON.

Unknown keys are ignored and bad values fall back to their defaults, so a settings file
from another version, or edited by hand, never stops the app from starting.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Settings:
    """Args:
    last_model: the model file loaded last time, loaded again at start ("" for none).
    context_length: tokens of context to load models with (0: the model's own, capped).
    threads: CPU threads for llama.cpp (0: one per physical core).
    """

    last_model: str = ""
    context_length: int = 0
    threads: int = 0

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def load_settings(path: Path) -> Settings:
    """Read settings, falling back to defaults for anything missing or malformed."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(raw, dict):
        return Settings()
    defaults = Settings()
    values: dict[str, Any] = {}
    for spec in fields(Settings):
        value = raw.get(spec.name)
        if isinstance(value, type(getattr(defaults, spec.name))):
            values[spec.name] = value
    return Settings(**values)


def save_settings(path: Path, settings: Settings) -> None:
    """Write settings atomically: a crash mid-write leaves the old file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(settings), handle, indent=2)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
