"""Every inference setting, declared once: label, type, range, step, default and help.

`LoadSettings` and `SamplingParams` take their defaults and their validation from here; the
settings dialog and the compare view build their widgets from it; the command line builds its
flags' checks from it; and `settings.json` is read through it, one value at a time. A range
changed here changes everywhere at once (before, three copies had drifted apart).

Standard library only: the command line imports this to build its parser.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from llamadesk.core.i18n import QT_TRANSLATE_NOOP

T = TypeVar("T", int, float, bool, str)

MAX_CONTEXT = 1 << 20
# llama.cpp pads the context to a multiple of 256; below that its KV cache and the requested
# size disagree ("could not broadcast input array"), so 256 is the shortest it can run.
MIN_CONTEXT = 256
GPU_LAYERS_AUTO = -2
# ggml's type ids (GGML_TYPE_F16, _Q8_0, _Q4_0), as llama.cpp's type_k / type_v take them.
KV_CACHE_TYPES: dict[str, int] = {"f16": 1, "q8_0": 8, "q4_0": 2}
SEED_RANDOM = -1
# Seeds are drawn from 32 bits (os.urandom(4)), so every one of them can be typed back in.
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Option(Generic[T]):
    """One setting.

    Args:
        name: the field's name in `LoadSettings` / `SamplingParams` and in settings.json.
        label: what the user reads beside its widget and in messages.
        default: the value when nothing else is set; its type is the setting's type.
        help: one sentence on what it does (tooltips, `--help`).
        minimum, maximum: the range of numbers, inclusive.
        step: how far one click of a spin box moves.
        decimals: digits shown for a real number.
        specials: values outside the range that mean something, with what they mean.
        choices: the values a text setting can take.
        unit: the unit numbers are counted in, for messages ("tokens").
    """

    name: str
    label: str
    default: T
    help: str
    minimum: float | None = None
    maximum: float | None = None
    step: float = 1
    decimals: int = 0
    specials: tuple[tuple[int, str], ...] = ()
    choices: tuple[str, ...] = ()
    unit: str = ""

    @property
    def kind(self) -> type:
        return type(self.default)

    def coerce(self, value: object) -> object:
        """`value` as this setting's type where JSON blurs it (it writes 2.0 as 2)."""
        if self.kind is float and type(value) is int:
            return float(value)
        return value

    def problem(self, value: object) -> str | None:
        """Why `value` cannot be this setting, as a sentence for the user; None if it can."""
        if self.kind is bool:
            return None if type(value) is bool else f"{self.label} must be on or off."
        if self.kind is str:
            if value in self.choices:
                return None
            return f"{self.label} must be one of {', '.join(self.choices)}, not {value!r}."
        # A JSON true is no count of tokens, though bool is an int to Python.
        if type(value) not in (int, float) or (self.kind is int and type(value) is not int):
            noun = "a whole number" if self.kind is int else "a number"
            return f"{self.label} must be {noun}, not {value!r}."
        assert isinstance(value, (int, float))
        if any(value == special for special, _meaning in self.specials):
            return None
        if math.isfinite(value) and self._in_range(value):
            return None
        return f"{self.label} must be {self.describe_range()}, not {format_number(value)}."

    def _in_range(self, value: float) -> bool:
        low = -math.inf if self.minimum is None else self.minimum
        high = math.inf if self.maximum is None else self.maximum
        return low <= value <= high

    def describe_range(self) -> str:
        """The values allowed, in words: "0 (the model's own) or between 256 and 1048576"."""
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            span = f"between {format_number(low)} and {format_number(high)}"
        elif low is not None:
            span = f"{format_number(low)} or more"
        else:
            span = f"at most {format_number(high or 0)}"
        if self.unit:
            span += f" {self.unit}"
        meanings = [f"{value} ({meaning})" for value, meaning in self.specials]
        return " or ".join([", ".join(meanings), span] if meanings else [span])

    def parse(self, text: str) -> T:
        """The value typed on a command line; raises ValueError with a sentence if it is not
        one this setting takes."""
        value: object
        try:
            value = int(text) if self.kind is int else float(text)
        except ValueError:
            value = text
        problem = self.problem(self.coerce(value))
        if problem:
            raise ValueError(problem)
        return value  # type: ignore[return-value]


def format_number(value: float) -> str:
    """2.0 as "2", 0.05 as "0.05", 4294967295 in full."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value) if isinstance(value, int) else f"{value:g}"


# How each next token is picked ------------------------------------------------------------

TEMPERATURE = Option(
    "temperature",
    QT_TRANSLATE_NOOP("Options", "Temperature"),
    0.7,
    QT_TRANSLATE_NOOP(
        "Options", "How adventurous the word choice is: 0 always takes the likeliest word."
    ),
    minimum=0.0,
    maximum=2.0,
    step=0.05,
    decimals=2,
)
TOP_P = Option(
    "top_p",
    QT_TRANSLATE_NOOP("Options", "Top-p"),
    0.95,
    QT_TRANSLATE_NOOP(
        "Options", "Pick only among the likeliest words that together make up this share."
    ),
    minimum=0.01,
    maximum=1.0,
    step=0.05,
    decimals=2,
)
TOP_K = Option(
    "top_k",
    QT_TRANSLATE_NOOP("Options", "Top-k"),
    40,
    QT_TRANSLATE_NOOP("Options", "Pick only among this many likeliest words."),
    minimum=1,
    maximum=1000,
    specials=((0, QT_TRANSLATE_NOOP("Options", "off")),),
)
MIN_P = Option(
    "min_p",
    QT_TRANSLATE_NOOP("Options", "Min-p"),
    0.05,
    QT_TRANSLATE_NOOP("Options", "Drop words less likely than this share of the likeliest one."),
    minimum=0.0,
    maximum=1.0,
    step=0.01,
    decimals=2,
)
REPEAT_PENALTY = Option(
    "repeat_penalty",
    QT_TRANSLATE_NOOP("Options", "Repeat penalty"),
    1.1,
    QT_TRANSLATE_NOOP("Options", "Above 1, words already used become less likely."),
    minimum=0.01,
    maximum=5.0,
    step=0.05,
    decimals=2,
)
MAX_TOKENS = Option(
    "max_tokens",
    QT_TRANSLATE_NOOP("Options", "Max tokens per answer"),
    1024,
    QT_TRANSLATE_NOOP("Options", "The answer stops after this many tokens."),
    minimum=1,
    maximum=MAX_CONTEXT,
    unit="tokens",
)
SEED = Option(
    "seed",
    QT_TRANSLATE_NOOP("Options", "Seed"),
    SEED_RANDOM,
    QT_TRANSLATE_NOOP(
        "Options",
        "The same seed, settings and prompt give the same answer; random picks a new one each "
        "time and records it.",
    ),
    minimum=0,
    maximum=MAX_SEED,
    specials=((SEED_RANDOM, QT_TRANSLATE_NOOP("Options", "random")),),
)
SAMPLING_OPTIONS: tuple[Option[Any], ...] = (
    TEMPERATURE,
    TOP_P,
    TOP_K,
    MIN_P,
    REPEAT_PENALTY,
    MAX_TOKENS,
    SEED,
)

# The app itself ---------------------------------------------------------------------------

THEME = Option(
    "theme",
    QT_TRANSLATE_NOOP("Options", "Theme"),
    "system",
    QT_TRANSLATE_NOOP(
        "Options", "Light, dark, or as the system is set (it follows the system's changes live)."
    ),
    choices=("system", "light", "dark"),
)
LANGUAGE = Option(
    "language",
    QT_TRANSLATE_NOOP("Options", "Language"),
    "system",
    QT_TRANSLATE_NOOP(
        "Options", "The language of the app: the system's, or one chosen; used from the next start."
    ),
    choices=("system", "en", "de"),  # a new translation adds its code here
)
# App-level settings: fields of `Settings` itself, not of a model's settings.
APP_OPTIONS: dict[str, Option[Any]] = {THEME.name: THEME, LANGUAGE.name: LANGUAGE}

# How a model is loaded ----------------------------------------------------------------------

N_CTX = Option(
    "n_ctx",
    QT_TRANSLATE_NOOP("Options", "Context length"),
    0,
    QT_TRANSLATE_NOOP(
        "Options",
        "How many tokens of conversation the model can see at once; longer needs more memory.",
    ),
    minimum=MIN_CONTEXT,
    maximum=MAX_CONTEXT,
    specials=((0, QT_TRANSLATE_NOOP("Options", "the model's own, up to 4096")),),
    unit="tokens",
)
N_THREADS = Option(
    "n_threads",
    QT_TRANSLATE_NOOP("Options", "CPU threads"),
    0,
    QT_TRANSLATE_NOOP("Options", "Threads llama.cpp computes with."),
    minimum=1,
    maximum=512,
    specials=((0, QT_TRANSLATE_NOOP("Options", "one per core")),),
)
N_GPU_LAYERS = Option(
    "n_gpu_layers",
    QT_TRANSLATE_NOOP("Options", "GPU layers"),
    0,
    QT_TRANSLATE_NOOP(
        "Options", "Layers computed on the GPU; the rest run on the CPU. CPU builds ignore it."
    ),
    minimum=1,
    maximum=999,
    specials=(
        (GPU_LAYERS_AUTO, QT_TRANSLATE_NOOP("Options", "auto")),
        (-1, QT_TRANSLATE_NOOP("Options", "all")),
        (0, QT_TRANSLATE_NOOP("Options", "none")),
    ),
)
N_BATCH = Option(
    "n_batch",
    QT_TRANSLATE_NOOP("Options", "Batch size"),
    512,
    QT_TRANSLATE_NOOP("Options", "Tokens of the prompt processed in one step."),
    minimum=1,
    maximum=8192,
    unit="tokens",
)
FLASH_ATTN = Option(
    "flash_attn",
    QT_TRANSLATE_NOOP("Options", "Flash attention (faster, needs less memory)"),
    False,
    QT_TRANSLATE_NOOP("Options", "Where the backend has it; a quantized KV cache needs it."),
)
KV_CACHE_TYPE = Option(
    "kv_cache_type",
    QT_TRANSLATE_NOOP("Options", "KV cache type"),
    "f16",
    QT_TRANSLATE_NOOP(
        "Options", "The number format of the context's cache; q8_0 halves its memory."
    ),
    choices=tuple(KV_CACHE_TYPES),
)
USE_MMAP = Option(
    "use_mmap",
    QT_TRANSLATE_NOOP("Options", "Memory-map the file (loads faster)"),
    True,
    QT_TRANSLATE_NOOP(
        "Options",
        "Map the file instead of reading it; its pages are shared with the system's cache.",
    ),
)
USE_MLOCK = Option(
    "use_mlock",
    QT_TRANSLATE_NOOP("Options", "Lock in RAM (never swapped out)"),
    False,
    QT_TRANSLATE_NOOP("Options", "Keeps the model in memory even when the system runs short."),
)
LOAD_OPTIONS: tuple[Option[Any], ...] = (
    N_CTX,
    N_THREADS,
    N_GPU_LAYERS,
    N_BATCH,
    FLASH_ATTN,
    KV_CACHE_TYPE,
    USE_MMAP,
    USE_MLOCK,
)

OPTIONS: dict[str, Option[Any]] = {
    option.name: option for option in (*SAMPLING_OPTIONS, *LOAD_OPTIONS)
}

QUANTIZED_KV_NEEDS_FLASH = "A quantized KV cache (q8_0, q4_0) needs flash attention turned on."


def first_problem(values: object, options: Iterable[Option[Any]]) -> str | None:
    """The first setting of `values` (a dataclass with the options' fields) that is invalid."""
    for option in options:
        problem = option.problem(getattr(values, option.name))
        if problem:
            return problem
    return None
