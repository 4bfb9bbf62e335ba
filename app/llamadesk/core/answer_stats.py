"""What one answer cost, as the engine measures it and the store keeps it (as JSON).

Standard library only: the store reads these back without importing the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, fields
from typing import Any, Literal

StopReason = Literal["eos", "length", "stopped", "error"]

# What each field's annotation accepts from JSON (ints are fine where floats are stored).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "StopReason": (str,),
}


@dataclass(frozen=True)
class AnswerStats:
    """What one answer cost. Times are wall-clock milliseconds.

    ``reasoning_ms`` is how long the model thought: from its first token of reasoning to the
    end of the reasoning (0 without any); ``reasoning_tokens`` the tokens sampled until then.
    """

    prompt_tokens: int
    completion_tokens: int
    ttft_ms: float
    total_ms: float
    tokens_per_second: float
    stop_reason: StopReason
    seed: int
    error: str = ""
    reasoning_ms: float = 0.0
    reasoning_tokens: int = 0
    server: str = ""  # the base URL of the server that wrote it; "" for this computer

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> AnswerStats | None:
        """The stats `as_dict` wrote; None for a record without them (a user message's `{}`)
        or one whose figures are missing or of the wrong kind. Unknown keys are ignored."""
        values: dict[str, Any] = {}
        for field in fields(cls):
            if field.name not in stored:
                if field.default is MISSING and field.default_factory is MISSING:
                    return None  # a required figure
                continue
            value = stored[field.name]
            if isinstance(value, bool) or not isinstance(value, _JSON_TYPES[str(field.type)]):
                return None
            values[field.name] = value
        return cls(**values)
