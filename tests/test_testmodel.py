"""The random-weight GGUF generator: determinism, and that llama.cpp accepts what it writes."""

from __future__ import annotations

import ctypes
import os
from contextlib import closing
from pathlib import Path

import llama_cpp
import pytest
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from llamadesk.core import testmodel
from llamadesk.core.gguf_info import read_gguf_info
from llamadesk.core.quantize import QuantizeError
from llamadesk.core.testmodel import (
    CHAT_TEMPLATE,
    DEFAULT_LEVELS,
    SHAPES,
    ModelShape,
    write_test_model,
    write_test_model_as,
)


def test_same_seed_writes_identical_bytes(tiny_model: Path, tmp_path: Path) -> None:
    again = write_test_model(tmp_path / "again.gguf", seed=0)
    other_seed = write_test_model(tmp_path / "other.gguf", seed=1)

    assert again.read_bytes() == tiny_model.read_bytes()
    assert other_seed.read_bytes() != tiny_model.read_bytes()


def test_leaves_only_the_finished_file(tmp_path: Path) -> None:
    path = write_test_model(tmp_path / "sub" / "model.gguf")

    assert path == tmp_path / "sub" / "model.gguf"
    assert [entry.name for entry in path.parent.iterdir()] == ["model.gguf"]


def test_failed_write_keeps_the_old_file_and_no_partial_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"previous contents")

    def fail(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(testmodel, "_random_tensor", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        write_test_model(path)

    assert path.read_bytes() == b"previous contents"
    assert [entry.name for entry in tmp_path.iterdir()] == ["model.gguf"]


def test_header_describes_the_tiny_shape(tiny_model: Path) -> None:
    shape = SHAPES["tiny"]
    info = read_gguf_info(tiny_model)

    assert info.architecture == "llama"
    assert info.name == testmodel.MODEL_NAME
    assert (info.file_type, info.quantization) == (0, "F32")
    assert info.parameter_count == shape.parameter_count
    assert info.vocab_size == shape.n_vocab == 3 + 256 + shape.n_vocab_words
    assert info.embedding_length == shape.n_embd
    assert info.block_count == shape.n_layer
    assert (info.head_count, info.head_count_kv) == (shape.n_head, shape.n_head_kv)
    assert info.context_length == shape.n_ctx_train
    assert info.chat_template == CHAT_TEMPLATE


def test_f16_stores_matrices_in_half_precision(tmp_path: Path) -> None:
    info = read_gguf_info(write_test_model(tmp_path / "f16.gguf", dtype="F16"))

    assert (info.file_type, info.quantization) == (1, "F16")
    assert 16 < info.bits_per_weight < 17  # the F32 norms and the header add a little


def test_1b_shape_has_tinyllamas_size() -> None:
    shape = SHAPES["1b"]

    assert shape.n_vocab == 32000
    assert shape.parameter_count == 1_100_048_384


def test_chat_template_renders_zephyr_format() -> None:
    formatter = Jinja2ChatFormatter(CHAT_TEMPLATE, eos_token="</s>", bos_token="<s>")
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello"},
    ]

    prompt = formatter(messages=messages).prompt

    assert prompt == "<|system|>\nBe brief.</s>\n<|user|>\nHello</s>\n<|assistant|>\n"


def test_common_words_are_single_tokens(tiny_model: Path) -> None:
    with closing(
        llama_cpp.Llama(model_path=str(tiny_model), vocab_only=True, verbose=False)
    ) as llm:
        tokens = llm.tokenize(b"the local model")
        pieces = [llm.detokenize([token]) for token in tokens[1:]]

    assert tokens[0] == testmodel.BOS_ID
    assert pieces == [b" the", b" local", b" model"]


def test_loads_and_chats_in_llama_cpp(tiny_model: Path) -> None:
    with closing(llama_cpp.Llama(model_path=str(tiny_model), n_ctx=512, verbose=False)) as llm:
        reply = llm.create_chat_completion(
            messages=[{"role": "user", "content": "Hello"}], temperature=0, max_tokens=16
        )

    content = reply["choices"][0]["message"]["content"]
    assert isinstance(content, str)
    assert content.strip()  # random weights babble, but they do say something


def test_quantizes_to_q4_k_m(tiny_model: Path, tmp_path: Path) -> None:
    quantized = tmp_path / "tiny-q4_k_m.gguf"
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M

    result = llama_cpp.llama_model_quantize(
        os.fsencode(tiny_model), os.fsencode(quantized), ctypes.byref(params)
    )

    assert result == 0
    info = read_gguf_info(quantized)
    assert (info.file_type, info.quantization) == (llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M, "Q4_K_M")
    assert info.parameter_count == SHAPES["tiny"].parameter_count
    assert info.bits_per_weight < 8


def test_custom_shape_is_accepted(tmp_path: Path) -> None:
    shape = ModelShape(
        n_vocab_words=10, n_embd=64, n_layer=1, n_head=2, n_head_kv=1, n_ff=128, n_ctx_train=256
    )

    info = read_gguf_info(write_test_model(tmp_path / "custom.gguf", shape))

    assert info.vocab_size == 3 + 256 + 10
    assert info.parameter_count == shape.parameter_count


def test_written_as_a_quantized_level_leaves_only_the_result(tmp_path: Path) -> None:
    stages: list[tuple[str, float]] = []
    out = tmp_path / "tiny-q8.gguf"
    out.write_bytes(b"an older file, replaced")

    path = write_test_model_as(out, "tiny", "q8_0", progress=lambda *step: stages.append(step))

    info = read_gguf_info(path)
    assert (path, info.quantization) == (out, "Q8_0")
    assert info.parameter_count == SHAPES["tiny"].parameter_count
    assert [entry.name for entry in tmp_path.iterdir()] == ["tiny-q8.gguf"]  # no F16, lineage
    assert [stage for stage, _ in stages][:2] == ["writing", "writing"]
    assert stages[-1] == ("quantizing", 1.0)


def test_written_as_f16_without_quantizing(tmp_path: Path) -> None:
    info = read_gguf_info(write_test_model_as(tmp_path / "tiny.gguf", "tiny", "F16"))

    assert info.quantization == "F16"


def test_tiny_shape_stays_f32_unless_asked(tmp_path: Path) -> None:
    assert (DEFAULT_LEVELS["tiny"], DEFAULT_LEVELS["1b"]) == ("F32", "Q4_K_M")
    assert set(DEFAULT_LEVELS) == set(SHAPES)
    info = read_gguf_info(write_test_model_as(tmp_path / "tiny.gguf"))

    assert info.quantization == "F32"


@pytest.mark.parametrize(
    ("shape", "level", "message"),
    [
        ("1b", "F32", "not F32"),
        ("tiny", "BF16", "not BF16"),
        ("tiny", "Q9_Z", "Unknown quantization level 'Q9_Z'"),
    ],
)
def test_levels_not_offered_are_refused_before_writing(
    tmp_path: Path, shape: str, level: str, message: str
) -> None:
    with pytest.raises(QuantizeError, match=message):
        write_test_model_as(tmp_path / "m.gguf", shape, level)

    assert list(tmp_path.iterdir()) == []
