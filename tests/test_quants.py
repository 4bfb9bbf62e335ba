"""The quantization table and reading the level from hub file names."""

from __future__ import annotations

import gguf
import pytest

from llamadesk.core.quants import (
    QUANT_LEVELS,
    QUANTIZATION_EXPLAINED,
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
        ("Phi-3.5-mini-instruct-Q6_K_L.gguf", "Q6_K_L"),
        ("Qwen3-8B-UD-Q4_K_XL.gguf", "Q4_K_XL"),
    ],
)
def test_levels_we_do_not_know_keep_their_label(filename: str, label: str) -> None:
    assert quant_label_from_filename(filename) == label
    assert parse_quant_from_filename(filename) is None


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
