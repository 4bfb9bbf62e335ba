"""The user's settings: typed records with defaults, saved as JSON.

Inference settings exist at two levels: the defaults for every model, and per model file
(a 1B model and a 14B one rarely want the same context or threads). A conversation can in
turn override the sampling settings; the store keeps those with the conversation.

Unknown keys are ignored and each bad value falls back to its own default (with a log line
and a note the settings dialog shows), so a settings file from another version, or edited by
hand, never stops the app from starting nor loses the values that are fine.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from llamadesk.core.engine import LoadSettings, SamplingParams
from llamadesk.core.jsonfile import read_json, write_json_atomic
from llamadesk.core.options import (
    APP_OPTIONS,
    LANGUAGE,
    OPTIONS,
    QUANTIZED_KV_NEEDS_FLASH,
    THEME,
    format_number,
)

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelDefaults:
    """How a model is loaded and answers, unless a conversation says otherwise."""

    load: LoadSettings = field(default_factory=LoadSettings)
    sampling: SamplingParams = field(default_factory=SamplingParams)
    system_prompt: str = ""
    # A reasoning model's thinking: one of its template's choices (on/off, or low/medium/
    # high for gpt-oss), or "" for the template's own default. Models ignore other values.
    thinking: str = ""

    def validate(self) -> None:
        """Raise `EngineError` with the reason if any value is out of range."""
        self.load.validate()
        self.sampling.validate()


@dataclass(frozen=True)
class Settings:
    """Args:
    last_model: the model file loaded last time, loaded again at start ("" for none).
    defaults: inference settings for models without their own.
    per_model: inference settings of particular model files, by file name.
    notes: what was wrong in the file these settings were read from, one sentence per
        value replaced by its default (not saved).
    theme: "system", "light" or "dark".
    language: "system" or a language code ("en", "de"), applied when the app starts.
    """

    last_model: str = ""
    theme: str = THEME.default
    language: str = LANGUAGE.default
    defaults: ModelDefaults = field(default_factory=ModelDefaults)
    per_model: dict[str, ModelDefaults] = field(default_factory=dict)
    notes: tuple[str, ...] = field(default=(), compare=False)

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def for_model(self, model_file: str) -> ModelDefaults:
        return self.per_model.get(model_file, self.defaults)

    def with_model_defaults(self, model_file: str, defaults: ModelDefaults) -> Settings:
        return replace(self, per_model={**self.per_model, model_file: defaults})


def sampling_for(defaults: SamplingParams, overrides: dict[str, Any]) -> SamplingParams:
    """`defaults` with a conversation's overrides applied; each bad override is ignored."""
    valid: dict[str, Any] = {}
    for name, value in overrides.items():
        option = OPTIONS.get(name)
        if option is None or not hasattr(defaults, name):
            continue
        problem = option.problem(option.coerce(value))
        if problem:
            log.warning("A chat's own setting is ignored: %s", problem)
        else:
            valid[name] = option.coerce(value)
    return replace(defaults, **valid)


def load_settings(path: Path) -> Settings:
    """Read settings; anything missing or malformed falls back to its default, and each value
    replaced is logged and listed in `Settings.notes`."""
    raw = read_json(path)
    notes: list[str] = []
    if raw is None and path.exists():
        notes.append(f"{path.name} could not be read as JSON; all settings are the defaults.")
        log.warning("%s", notes[-1])
    if not isinstance(raw, dict):
        return Settings(notes=tuple(notes))
    settings = _from_dict(Settings, raw, notes, "settings")
    per_model = raw.get("per_model")
    if isinstance(per_model, dict):
        settings = replace(
            settings,
            per_model={
                str(name): _from_dict(ModelDefaults, value, notes, f"settings of {name}")
                for name, value in per_model.items()
                if isinstance(value, dict)
            },
        )
    return replace(settings, notes=tuple(notes))


def _from_dict(cls: type[T], raw: dict[str, Any], notes: list[str], where: str) -> T:
    """Build dataclass `cls` from `raw`. A value that is missing takes its default; one that
    is invalid too, with a sentence for it added to `notes` and logged."""
    defaults = cls()
    values: dict[str, Any] = {}
    for spec in fields(defaults):  # type: ignore[arg-type]
        name = spec.name
        if name not in raw or name in ("per_model", "notes"):  # per_model: read by the caller
            continue
        default, value = getattr(defaults, name), raw[name]
        if is_dataclass(default) and isinstance(value, dict):
            values[name] = _from_dict(type(default), value, notes, where)
            continue
        problem = _problem(name, default, value)
        if problem is None:
            values[name] = OPTIONS[name].coerce(value) if name in OPTIONS else value
        else:
            _note(notes, where, problem, default)
    made = cls(**values)
    if isinstance(made, LoadSettings) and made.kv_cache_type != "f16" and not made.flash_attn:
        made = replace(made, kv_cache_type=LoadSettings().kv_cache_type)
        _note(notes, where, QUANTIZED_KV_NEEDS_FLASH, made.kv_cache_type)
    return made


def _problem(name: str, default: object, value: object) -> str | None:
    option = OPTIONS.get(name) or APP_OPTIONS.get(name)
    if option is not None:
        return option.problem(option.coerce(value))
    if type(value) is not type(default):
        return f"{name} should be {type(default).__name__}, not {value!r}."
    return None


def _note(notes: list[str], where: str, problem: str, default: object) -> None:
    shown = format_number(default) if isinstance(default, float) else repr(default)
    notes.append(f"In the {where}: {problem} Using the default, {shown}, instead.")
    log.warning("%s", notes[-1])


def save_settings(path: Path, settings: Settings) -> None:
    """Write settings atomically: a crash mid-write leaves the old file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    values = asdict(settings)
    del values["notes"]  # about the file read, not a setting
    write_json_atomic(path, values)
