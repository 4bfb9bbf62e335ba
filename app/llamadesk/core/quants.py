"""Quantization levels: what each costs in size and quality, and how to tell them apart by name.

Figures come from llama.cpp's ``tools/quantize/quantize.cpp`` (QUANT_OPTIONS), measured on
Llama-3-8B; see REFERENCE.md section 1. The hub also uses names llama.cpp's table does not have
(`HUB_LEVELS`: MXFP4, unsloth's UD- levels, bartowski's _L levels); LlamaDesk reads and ranks
them but cannot make them, and where no published figure gives their size or quality cost it
says "unknown" rather than guess (MODELS-2026.md section 5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llamadesk.core.i18n import QT_TRANSLATE_NOOP

QUANTIZATION_EXPLAINED = QT_TRANSLATE_NOOP(
    "Quants",
    "A model is billions of numbers (its weights). Quantization stores each weight in fewer "
    "bits, so the file is smaller and answers come faster, at some cost in quality. The size "
    "on disk is about parameters × bits per weight ÷ 8: a 70B model in F16 (16 bits a weight) "
    "is 140 GB, and about 43 GB at Q4_K_M. Q4_K_M is the usual choice; Q8_0 is almost "
    "indistinguishable from the original; below 4 bits quality drops quickly. The quality cost "
    "is given as added perplexity: how much more surprised the model is by ordinary text than "
    "the unquantized original (lower is better).",
)

# llama.cpp states its sizes for Llama-3-8B in GiB ("4.58G" for Q4_K_M); converted to bits
# per weight they match what llama.cpp prints when it loads such a file (4.89 BPW).
_LLAMA3_8B_PARAMETERS = 8.03e9


def _bits_from_llama3_8b_size(size_gib: float) -> float:
    return round(size_gib * (1 << 30) * 8 / _LLAMA3_8B_PARAMETERS, 2)


@dataclass(frozen=True)
class QuantLevel:
    """One way of storing a model's weights.

    Args:
        name: llama.cpp's name, e.g. "Q4_K_M", or the hub's ("UD-Q4_K_XL").
        bits_per_weight: effective bits per weight of a whole file at this level (embeddings
            and sensitive tensors are kept at higher precision, so above the type's own bits);
            None where no published figure gives it.
        added_perplexity: perplexity added over F16 on Llama-3-8B; None where not measured.
        quality: the quality cost in a few plain words.
        legacy: an older format that a K-quant of similar size beats.
        llama_ftype: llama.cpp's LLAMA_FTYPE_* value, for ``llama_model_quantize``; None for
            the hub's own levels, which LlamaDesk cannot make.
        row_multiple: tensor rows must be a multiple of this to be stored at this level.
    """

    name: str
    bits_per_weight: float | None
    added_perplexity: float | None
    quality: str
    legacy: bool
    llama_ftype: int | None
    row_multiple: int

    @property
    def made_here(self) -> bool:
        """Whether llama.cpp's quantizer can make this level (the hub's own levels: no)."""
        return self.llama_ftype is not None

    @property
    def quantized(self) -> bool:
        """False for the unquantized formats (F16, BF16, F32)."""
        return self.name not in _UNQUANTIZED


_UNQUANTIZED = frozenset({"F16", "BF16", "F32"})
_K_ROWS = 256  # K-quants and IQ4_XS pack 256 weights into a super-block
_LEGACY_ROWS = 32  # Q4_0, Q8_0, IQ4_NL... pack 32


def _level(
    name: str,
    bits: float,
    added_perplexity: float | None,
    quality: str,
    llama_ftype: int,
    row_multiple: int,
    *,
    legacy: bool = False,
) -> QuantLevel:
    return QuantLevel(name, bits, added_perplexity, quality, legacy, llama_ftype, row_multiple)


_b = _bits_from_llama3_8b_size
# From lowest to highest quality: the position is the quality rank. The llama_ftype values are
# llama_cpp's constants (tests/test_quants.py checks them), written out so that importing this
# module does not load llama.cpp.
QUANT_LEVELS: tuple[QuantLevel, ...] = (
    _level("Q2_K", _b(2.96), 3.5199, "smallest usable; big quality loss", 10, _K_ROWS),
    _level("Q3_K_S", _b(3.41), 1.6321, "very small; large quality loss", 11, _K_ROWS),
    _level("Q3_K_M", _b(3.74), 0.6569, "small; clear quality loss", 12, _K_ROWS),
    _level("Q3_K_L", _b(4.03), 0.5562, "small; noticeable quality loss", 13, _K_ROWS),
    # The IQ levels have no size @ Llama-3-8B in the table, only their type's bits (4.25 and
    # 4.5); embeddings and the output layer at higher precision add about 0.15 over a file.
    _level("IQ4_XS", 4.40, None, "compact; modest quality loss", 30, _K_ROWS),
    _level("Q4_0", _b(4.34), 0.4685, "modest quality loss", 2, _LEGACY_ROWS, legacy=True),
    _level("Q4_1", _b(4.78), 0.4511, "modest quality loss", 3, _LEGACY_ROWS, legacy=True),
    _level("IQ4_NL", 4.65, None, "small quality loss", 25, _LEGACY_ROWS),
    _level("Q4_K_S", _b(4.37), 0.2689, "small quality loss", 14, _K_ROWS),
    _level("Q4_K_M", _b(4.58), 0.1754, "the usual default; small quality loss", 15, _K_ROWS),
    _level("Q5_0", _b(5.21), 0.1316, "low quality loss", 8, _LEGACY_ROWS, legacy=True),
    _level("Q5_1", _b(5.65), 0.1062, "low quality loss", 9, _LEGACY_ROWS, legacy=True),
    _level("Q5_K_S", _b(5.21), 0.1049, "low quality loss", 16, _K_ROWS),
    _level("Q5_K_M", _b(5.33), 0.0569, "very low quality loss", 17, _K_ROWS),
    _level("Q6_K", _b(6.14), 0.0217, "almost no quality loss", 18, _K_ROWS),
    _level("Q8_0", _b(7.96), 0.0026, "near lossless", 7, _LEGACY_ROWS),
    _level("F16", 16.0, 0.0020, "unquantized (16-bit)", 1, 1),
    _level("BF16", 16.0, -0.0050, "unquantized (16-bit brain float)", 32, 1),
    _level("F32", 32.0, 0.0, "unquantized (32-bit); the original", 0, 1),
)
del _b

_UNKNOWN_QUALITY = "quality cost unknown (no published measurement)"
_BETTER = "a little better than {}; " + _UNKNOWN_QUALITY


def _hub_level(name: str, bits: float | None, quality: str, row_multiple: int) -> QuantLevel:
    return QuantLevel(name, bits, None, quality, False, None, row_multiple)


# Levels the hub uses beyond llama.cpp's table, each with the level it is ranked just above
# (or, for the UD-IQ ones, just below Q2_K: they are smaller still).
HUB_LEVELS: tuple[tuple[QuantLevel, str], ...] = (
    # ggml's block_mxfp4 stores 32 weights in 17 bytes: 4.25 bits. gpt-oss was trained for it
    # (its experts are released in MXFP4), so that model loses nothing against its release;
    # the attention layers stay at higher precision, so a file is a little above 4.25.
    (
        _hub_level(
            "MXFP4",
            4.25,
            "the format gpt-oss is released in; cost against 16-bit unknown",
            32,
        ),
        "Q4_0",
    ),
    # bartowski's _L and _XL levels: the K-quant with embeddings and output weights at Q8_0.
    (_hub_level("Q2_K_L", None, _UNKNOWN_QUALITY, _K_ROWS), "Q2_K"),
    (_hub_level("Q3_K_XL", None, _UNKNOWN_QUALITY, _K_ROWS), "Q3_K_L"),
    (
        _hub_level("Q4_K_L", None, "a little better than Q4_K_M; " + _UNKNOWN_QUALITY, _K_ROWS),
        "Q4_K_M",
    ),
    (
        _hub_level("Q5_K_L", None, "a little better than Q5_K_M; " + _UNKNOWN_QUALITY, _K_ROWS),
        "Q5_K_M",
    ),
    (_hub_level("Q6_K_L", None, _BETTER.format("Q6_K"), _K_ROWS), "Q6_K"),
    # unsloth's "Dynamic 2.0" levels pick a type per layer; no per-level sizes are published.
    *(
        (_hub_level(f"UD-{base}", None, _UNKNOWN_QUALITY, _K_ROWS), above)
        for base, above in (
            ("IQ1_S", ""),
            ("IQ1_M", ""),
            ("IQ2_XXS", ""),
            ("IQ2_M", ""),
            ("IQ3_XXS", ""),
            ("Q2_K_XL", "Q2_K"),
            ("Q3_K_XL", "Q3_K_L"),
            ("Q4_K_XL", "Q4_K_M"),
            ("Q5_K_XL", "Q5_K_M"),
            ("Q6_K_XL", "Q6_K"),
            ("Q8_K_XL", "Q8_0"),
        )
    ),
)

_BY_NAME = {level.name: level for level in QUANT_LEVELS} | {
    level.name: level for level, _ in HUB_LEVELS
}
_RANK: dict[str, float] = {level.name: rank for rank, level in enumerate(QUANT_LEVELS)}
# Half a step above the level each is based on; the smallest UD-IQ levels below everything.
_RANK |= {
    level.name: _RANK[above] + 0.5 if above else -1 + index / 100
    for index, (level, above) in enumerate(HUB_LEVELS)
}
_ALIASES = {"FP16": "F16", "FP32": "F32"}

# A quantization name inside a file name: "Q4_K_M", "IQ4_XS", "Q8_0", "F16", "BF16",
# "UD-Q4_K_XL", "MXFP4"... bounded by the start or end of the name, "-", "." or "_" (so that
# "Qwen2.5" is no match).
_QUANT_IN_NAME = re.compile(
    r"(?:^|(?<=[-._ ]))((?:UD-)?I?Q[1-8](?:_[0-9A-Z]+)*|B?F(?:P)?(?:16|32)|MXFP4)(?=$|[-. ])",
    re.IGNORECASE,
)
_SHARD_SUFFIX = re.compile(r"-\d{5}-of-\d{5}$", re.IGNORECASE)


def quant_level(name: str) -> QuantLevel | None:
    """The level called ``name`` (any case; "FP16" is F16), or None if we do not know it."""
    upper = name.upper()
    return _BY_NAME.get(_ALIASES.get(upper, upper))


def describe_quality_cost(level: QuantLevel) -> str:
    """The quality cost in words and added perplexity: "small quality loss (+0.18 ppl)"."""
    if level.added_perplexity is None:
        return level.quality
    return f"{level.quality} (+{max(level.added_perplexity, 0):.2f} ppl)"


def describe_bits(level: QuantLevel | None) -> str:
    """Bits per weight as a table shows them: "4.89", or "unknown"."""
    if level is None or level.bits_per_weight is None:
        return "unknown"
    return f"{level.bits_per_weight:.2f}"


def known_bits(level: QuantLevel) -> float:
    """The bits per weight of a level that has a figure (all of llama.cpp's own table).

    Raises:
        ValueError: it has none.
    """
    if level.bits_per_weight is None:
        raise ValueError(f"{level.name} has no known bits per weight")
    return level.bits_per_weight


def quality_rank(level: QuantLevel) -> float:
    """0 for the lowest quality level; higher is better."""
    return _RANK[level.name]


def quant_label_from_filename(filename: str) -> str | None:
    """The quantization named in a GGUF file name, upper-cased, known to us or not.

    "Qwen2.5-1.5B-Instruct-Q4_K_M.gguf" gives "Q4_K_M", "model-IQ3_M-00001-of-00002.gguf"
    gives "IQ3_M"; a name without one gives None.
    """
    stem = filename.rsplit("/", 1)[-1]
    if stem.lower().endswith(".gguf"):
        stem = stem[: -len(".gguf")]
    stem = _SHARD_SUFFIX.sub("", stem)
    matches = _QUANT_IN_NAME.findall(stem)
    if not matches:
        return None
    label = str(matches[-1]).upper()  # the level comes last in hub names
    return _ALIASES.get(label, label)


def parse_quant_from_filename(filename: str) -> QuantLevel | None:
    """The known quantization level a GGUF file name names, or None."""
    label = quant_label_from_filename(filename)
    return quant_level(label) if label else None


def estimated_file_size(parameters: int, level: QuantLevel) -> int:
    """Bytes a model of ``parameters`` weights takes at ``level``: parameters * bits / 8.

    Raises:
        ValueError: the level's bits per weight are unknown (see `describe_bits`).
    """
    return round(parameters * known_bits(level) / 8)
