"""The user's settings: typed records with defaults, saved as JSON.

Inference settings exist at two levels: the defaults for every model, and per model file
(a 1B model and a 14B one rarely want the same context or threads). A conversation can in
turn override the sampling settings; the store keeps those with the conversation.

Unknown keys are ignored and bad values fall back to their defaults, so a settings file from
another version, or edited by hand, never stops the app from starting.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from llamadesk.core.engine import EngineError, LoadSettings, SamplingParams
from llamadesk.core.jsonfile import read_json, write_json_atomic

T = TypeVar("T")


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
    """

    last_model: str = ""
    defaults: ModelDefaults = field(default_factory=ModelDefaults)
    per_model: dict[str, ModelDefaults] = field(default_factory=dict)

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def for_model(self, model_file: str) -> ModelDefaults:
        return self.per_model.get(model_file, self.defaults)

    def with_model_defaults(self, model_file: str, defaults: ModelDefaults) -> Settings:
        return replace(self, per_model={**self.per_model, model_file: defaults})


def sampling_for(defaults: SamplingParams, overrides: dict[str, Any]) -> SamplingParams:
    """`defaults` with a conversation's overrides applied; bad overrides are ignored."""
    try:
        merged = _from_dict(SamplingParams, {**asdict(defaults), **overrides})
        merged.validate()
    except EngineError:
        return defaults
    return merged


def load_settings(path: Path) -> Settings:
    """Read settings, falling back to defaults for anything missing or malformed."""
    raw = read_json(path)
    if not isinstance(raw, dict):
        return Settings()
    settings = _from_dict(Settings, raw)
    per_model = raw.get("per_model")
    if isinstance(per_model, dict):
        settings = replace(
            settings,
            per_model={
                str(name): _from_dict(ModelDefaults, value)
                for name, value in per_model.items()
                if isinstance(value, dict)
            },
        )
    return settings


def _from_dict(cls: type[T], raw: dict[str, Any]) -> T:
    """Build dataclass `cls` from `raw`, keeping only values of the default's type."""
    defaults = cls()
    values: dict[str, Any] = {}
    for spec in fields(defaults):  # type: ignore[arg-type]
        default, value = getattr(defaults, spec.name), raw.get(spec.name)
        if is_dataclass(default) and isinstance(value, dict):
            values[spec.name] = _from_dict(type(default), value)
        elif type(value) is type(default):
            values[spec.name] = value
        elif isinstance(default, float) and type(value) is int:  # JSON writes 1.0 as 1
            values[spec.name] = float(value)
    return cls(**values)


def save_settings(path: Path, settings: Settings) -> None:
    """Write settings atomically: a crash mid-write leaves the old file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, asdict(settings))
