"""The quantization table and reading the level from hub file names."""

from __future__ import annotations

import gguf
import pytest

from llamadesk.core.quants import (
    QUANT_LEVELS,
    QUANTIZATION_EXPLAINED,
    describe_bits,
    describe_quality_cost,
    estimated_file_size,
    parse_quant_from_filename,
    quality_rank,
    quant_label_from_filename,
    quant_level,
)


def test_levels_cover_the_reference_table() -> None:
    names = [level.name for level in QUANT_LEVELS]
    assert len(set(names)) == len(names)
    reference = "Q2_K Q3_K_S Q3_K_M Q3_K_L IQ4_XS Q4_0 Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K Q8_0"
    assert set(reference.split()) | {"F16", "BF16", "F32"} <= set(names)


@pytest.mark.parametrize("level", QUANT_LEVELS, ids=lambda level: level.name)
def test_llama_ftype_is_llama_cpps_constant(level) -> None:
    import llama_cpp

    prefix = "LLAMA_FTYPE_ALL_" if level.name == "F32" else "LLAMA_FTYPE_MOSTLY_"
    assert level.llama_ftype == getattr(llama_cpp, prefix + level.name)


@pytest.mark.parametrize("level", QUANT_LEVELS, ids=lambda level: level.name)
def test_row_multiple_is_the_block_size_of_the_levels_type(level) -> None:
    # Q4_K_M is a mix based on Q4_K, whose blocks hold 256 weights.
    base_type = level.name.removesuffix("_S").removesuffix("_M").removesuffix("_L")
    block_size, _ = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[base_type]]
    assert level.row_multiple == block_size


def test_bits_per_weight_match_llama_cpps_figures() -> None:
    # llama.cpp prints 4.89 BPW for Llama-3-8B in Q4_K_M; Q8_0 is 8.5 bits a weight.
    assert quant_level("Q4_K_M").bits_per_weight == pytest.approx(4.89, abs=0.02)
    assert quant_level("Q8_0").bits_per_weight == pytest.approx(8.5, abs=0.05)
    assert quant_level("F16").bits_per_weight == 16


def test_quality_rank_follows_added_perplexity() -> None:
    measured = [level for level in QUANT_LEVELS if level.added_perplexity is not None]
    quantized = [level for level in measured if level.quantized]
    assert sorted(quantized, key=quality_rank) == sorted(
        quantized, key=lambda level: -level.added_perplexity
    )
    assert quality_rank(quant_level("Q8_0")) > quality_rank(quant_level("Q4_K_M"))


def test_legacy_and_unquantized_flags() -> None:
    assert quant_level("Q4_0").legacy
    assert not quant_level("Q4_K_M").legacy
    assert [level.name for level in QUANT_LEVELS if not level.quantized] == ["F16", "BF16", "F32"]


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("Qwen2.5-1.5B-Instruct-Q4_K_M.gguf", "Q4_K_M"),
        ("model.q4_k_m.gguf", "Q4_K_M"),
        ("Llama-3.2-3B-Instruct-IQ4_XS.gguf", "IQ4_XS"),
        ("qwen2.5-7b-instruct-f16.gguf", "F16"),
        ("Meta-Llama-3.1-70B-Instruct-BF16-00001-of-00002.gguf", "BF16"),
        ("ggml-model-Q8_0.gguf", "Q8_0"),
        ("mistral-7b-instruct-v0.2.Q5_K_S.gguf", "Q5_K_S"),
        ("Q6_K/Qwen2.5-72B-Instruct-Q6_K-00002-of-00003.gguf", "Q6_K"),
        ("gemma-2-2b-it-Q2_K.gguf", "Q2_K"),
        ("phi-4-fp16.gguf", "F16"),
        ("tinyllama-1.1b-chat-v1.0.Q4_0.gguf", "Q4_0"),
    ],
)
def test_parse_quant_from_hub_names(filename: str, expected: str) -> None:
    level = parse_quant_from_filename(filename)
    assert level is not None
    assert level.name == expected


@pytest.mark.parametrize(
    ("filename", "label"),
    [
        ("Llama-3.2-3B-Instruct-IQ3_M.gguf", "IQ3_M"),
        ("Qwen3-8B-Q4_K_XXL.gguf", "Q4_K_XXL"),
    ],
)
def test_levels_we_do_not_know_keep_their_label(filename: str, label: str) -> None:
    assert quant_label_from_filename(filename) == label
    assert parse_quant_from_filename(filename) is None


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("gpt-oss-20b-mxfp4.gguf", "MXFP4"),
        ("openai_gpt-oss-20b-MXFP4.gguf", "MXFP4"),
        ("Qwen3-8B-UD-Q4_K_XL.gguf", "UD-Q4_K_XL"),
        ("Qwen3-30B-A3B-Instruct-2507-UD-Q4_K_XL.gguf", "UD-Q4_K_XL"),
        ("UD-Q2_K_XL/Qwen3.6-35B-A3B-UD-Q2_K_XL-00001-of-00002.gguf", "UD-Q2_K_XL"),
        ("Qwen3.5-9B-UD-IQ2_XXS.gguf", "UD-IQ2_XXS"),
        ("Qwen3.5-4B-ud-q8_k_xl.gguf", "UD-Q8_K_XL"),
        ("Phi-3.5-mini-instruct-Q6_K_L.gguf", "Q6_K_L"),
        ("google_gemma-4-26B-A4B-it-Q4_K_L.gguf", "Q4_K_L"),
        ("HuggingFaceTB_SmolLM3-3B-Q3_K_XL.gguf", "Q3_K_XL"),
    ],
)
def test_the_hubs_own_levels_parse(filename: str, expected: str) -> None:
    level = parse_quant_from_filename(filename)
    assert level is not None
    assert level.name == expected
    assert not level.made_here  # llama.cpp's quantizer has no such level


def test_hub_levels_say_unknown_where_nothing_is_published() -> None:
    for name in ("UD-Q4_K_XL", "Q4_K_L", "Q6_K_L"):
        level = quant_level(name)
        assert level.bits_per_weight is None
        assert describe_bits(level) == "unknown"
        assert level.added_perplexity is None
        assert "unknown" in describe_quality_cost(level)
        with pytest.raises(ValueError, match="no known bits per weight"):
            estimated_file_size(8_000_000_000, level)
    # MXFP4's bits are its block layout: 32 weights in 16 bytes of 4-bit values and a scale.
    mxfp4 = quant_level("MXFP4")
    block_size, type_size = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType.MXFP4]
    assert mxfp4.bits_per_weight == type_size * 8 / block_size == 4.25
    assert describe_bits(mxfp4) == "4.25"


def test_hub_levels_rank_just_above_the_level_they_build_on() -> None:
    rank = {
        name: quality_rank(quant_level(name))
        for name in (
            "Q2_K",
            "UD-IQ1_S",
            "Q4_K_M",
            "Q4_K_L",
            "UD-Q4_K_XL",
            "Q5_0",
            "Q6_K",
            "Q6_K_L",
            "Q8_0",
            "UD-Q8_K_XL",
            "F16",
        )
    }
    assert rank["UD-IQ1_S"] < rank["Q2_K"]
    assert rank["Q4_K_M"] < rank["Q4_K_L"] == rank["UD-Q4_K_XL"] < rank["Q5_0"]
    assert rank["Q6_K"] < rank["Q6_K_L"] < rank["Q8_0"] < rank["UD-Q8_K_XL"] < rank["F16"]


def test_the_hubs_own_levels_cannot_be_made_here() -> None:
    from llamadesk.core.quantize import QuantizeError, _target_level

    with pytest.raises(QuantizeError, match="Unknown quantization level 'UD-Q4_K_XL'"):
        _target_level("UD-Q4_K_XL")


@pytest.mark.parametrize(
    "filename", ["Qwen2.5-7B-Instruct.gguf", "model.gguf", "Qwen3-4B.gguf", "README.md"]
)
def test_names_without_a_level(filename: str) -> None:
    assert quant_label_from_filename(filename) is None


def test_estimated_file_size() -> None:
    # Llama-3-8B at Q4_K_M is 4.58 GiB in llama.cpp's table; 70B in F16 is 140 GB.
    llama3_8b = estimated_file_size(8_030_000_000, quant_level("Q4_K_M"))
    assert llama3_8b == pytest.approx(4.58 * (1 << 30), rel=0.01)
    assert estimated_file_size(70_000_000_000, quant_level("F16")) == 140_000_000_000


def test_explanation_gives_the_rule_and_an_example() -> None:
    assert "bits per weight" in QUANTIZATION_EXPLAINED
    assert "140 GB" in QUANTIZATION_EXPLAINED
