"""Quantizing with llama.cpp in a child process: results that load, lineage, cancel, crashes,
and a clear message for every source or destination that cannot work."""

from __future__ import annotations

import os
import shutil
import threading
from datetime import datetime
from pathlib import Path

import pytest
from llama_cpp import Llama

from llamadesk import __version__
from llamadesk.core.gguf_info import read_gguf_info
from llamadesk.core.quantize import (
    LINEAGE_SUFFIX,
    QuantizeCancelled,
    QuantizeError,
    RequantizeRequired,
    default_dest,
    plan_quantize,
    quantize,
    read_lineage,
)
from llamadesk.core.quantize_child import ABORT_FOR_TEST_ENV
from llamadesk.core.quants import quant_level
from test_cli import assert_user_error, run_cli


@pytest.mark.parametrize("level", ["Q8_0", "Q4_K_M"])
def test_a_tiny_f32_model_becomes_a_smaller_level_that_loads(quantized, tiny_model, level):
    result = quantized[level].result
    assert result.path.name == f"tiny-{level}.gguf"  # "-f32" gives way to the level
    assert read_gguf_info(result.path).quantization == level
    assert result.size == result.path.stat().st_size < tiny_model.stat().st_size
    llama = Llama(str(result.path), n_ctx=64, n_threads=1, verbose=False)
    try:
        llama.eval(llama.tokenize(b"hello world"))
    finally:
        llama.close()


def test_nothing_but_the_results_and_their_lineage_is_left(quantized):
    folder = quantized["Q8_0"].result.path.parent
    assert sorted(path.name for path in folder.iterdir()) == [
        "tiny-Q4_K_M.gguf",
        f"tiny-Q4_K_M.gguf{LINEAGE_SUFFIX}",
        "tiny-Q8_0.gguf",
        f"tiny-Q8_0.gguf{LINEAGE_SUFFIX}",
        "tiny-f32.gguf",
    ]


def test_progress_rises_to_one(quantized):
    seen = quantized["Q4_K_M"].progress
    assert len(seen) > 10  # about one report per tensor
    assert seen == sorted(seen)
    assert seen[0] == 0.0
    assert seen[-1] == 1.0


def test_the_lineage_says_where_a_result_came_from(quantized):
    result = quantized["Q4_K_M"].result
    source = result.path.parent / "tiny-f32.gguf"
    lineage = read_lineage(result.path)
    assert lineage == result.lineage
    assert lineage is not None
    assert lineage.source_name == "tiny-f32.gguf"
    assert lineage.source == str(source.resolve())
    assert lineage.source_size == source.stat().st_size
    assert lineage.source_mtime == source.stat().st_mtime
    assert lineage.source_quantization == "F32"
    assert lineage.level == "Q4_K_M"
    assert lineage.llamadesk_version == __version__
    assert datetime.fromisoformat(lineage.created).tzinfo is not None


def test_a_file_without_lineage_or_with_a_damaged_one_has_none(tmp_path, tiny_model):
    assert read_lineage(tiny_model) is None
    model = tmp_path / "model.gguf"
    for damage in ("{not json", '{"level": 4}', "[]"):
        (tmp_path / f"model.gguf{LINEAGE_SUFFIX}").write_text(damage)
        assert read_lineage(model) is None


def test_cancel_mid_run_leaves_no_file(tmp_path, tiny_model):
    cancel = threading.Event()
    seen: list[float] = []

    def cancel_at_first_report(fraction: float) -> None:
        seen.append(fraction)
        cancel.set()

    with pytest.raises(QuantizeCancelled, match="cancelled"):
        quantize(
            tiny_model,
            "Q8_0",
            tmp_path / "out.gguf",
            progress=cancel_at_first_report,
            cancel=cancel,
        )
    assert seen == [0.0]  # llama.cpp had started on the first tensor
    assert list(tmp_path.iterdir()) == []


def test_a_crash_in_llama_cpp_is_a_clear_error_and_leaves_no_file(
    tmp_path, tiny_model, monkeypatch
):
    monkeypatch.setenv(ABORT_FOR_TEST_ENV, "1")
    with pytest.raises(QuantizeError, match=r"llama.cpp crashed \(SIGABRT\) while quantizing"):
        quantize(tiny_model, "Q8_0", tmp_path / "out.gguf")
    assert list(tmp_path.iterdir()) == []


def test_a_result_that_does_not_load_is_not_kept(tmp_path, tiny_model):
    # The header promises a third layer the file has no tensors for: llama.cpp quantizes
    # the tensors there are, and then cannot load the result.
    data = bytearray(tiny_model.read_bytes())
    key = b"llama.block_count"
    at = data.index(key) + len(key) + 4  # past the key and its value type
    assert data[at : at + 4] == (2).to_bytes(4, "little")
    data[at : at + 4] = (3).to_bytes(4, "little")
    source = tmp_path / "source" / "three-layers.gguf"
    source.parent.mkdir()
    source.write_bytes(data)
    with pytest.raises(QuantizeError, match=r"does not load in llama.cpp: .*'blk.2.\w+.weight'"):
        quantize(source, "Q8_0", tmp_path / "out.gguf")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["source"]


def test_an_already_quantized_source_needs_consent(quantized, tmp_path):
    source = quantized["Q8_0"].result.path
    with pytest.raises(RequantizeRequired, match="compounds the quality losses"):
        quantize(source, "Q4_0", tmp_path / "out.gguf")
    assert plan_quantize(source, "Q4_0", tmp_path / "out.gguf").requantize
    result = quantize(source, "Q4_0", tmp_path / "out.gguf", allow_requantize=True)
    assert read_gguf_info(result.path).quantization == "Q4_0"
    assert read_lineage(result.path).source_quantization == "Q8_0"


@pytest.mark.parametrize(
    ("source_level", "target", "message"),
    [
        ("Q8_0", "Q8_0", "Q8_0 is not smaller than tiny-Q8_0.gguf's own Q8_0"),
        ("Q8_0", "Q9_X", "Unknown quantization level 'Q9_X'"),
    ],
)
def test_a_target_that_is_not_a_smaller_known_level_is_refused(
    quantized, tmp_path, source_level, target, message
):
    with pytest.raises(QuantizeError, match=message):
        quantize(
            quantized[source_level].result.path,
            target,
            tmp_path / "out.gguf",
            allow_requantize=True,
        )
    assert list(tmp_path.iterdir()) == []


def test_a_larger_level_than_a_quantized_source_needs_consent_and_says_what_it_is(
    quantized, tmp_path
):
    source = quantized["Q4_K_M"].result.path
    out = tmp_path / "out.gguf"
    with pytest.raises(RequantizeRequired, match="cannot be better than its source"):
        quantize(source, "Q8_0", out)
    assert list(tmp_path.iterdir()) == []
    plan = plan_quantize(source, "Q8_0", out, allow_requantize=True)
    assert plan.larger
    assert plan.requantize
    result = quantize(source, "Q8_0", out, allow_requantize=True)
    assert read_gguf_info(result.path).quantization == "Q8_0"
    assert read_lineage(result.path).source_quantization == "Q4_K_M"
    assert not plan_quantize(quantized["Q8_0"].result.path, "Q4_0", tmp_path / "x.gguf").larger


def test_cli_makes_a_larger_level_only_with_allow_requantize(quantized, tmp_path):
    source = str(quantized["Q4_K_M"].result.path)
    out = tmp_path / "up.gguf"
    refused = run_cli("models", "quantize", source, "Q8_0", "--out", str(out))
    assert_user_error(refused, "cannot be better than its source", "--allow-requantize")
    assert not out.exists()
    made = run_cli("models", "quantize", source, "Q8_0", "--out", str(out), "--allow-requantize")
    assert made.returncode == 0, made.stderr
    assert read_gguf_info(out).quantization == "Q8_0"


def test_a_source_that_is_not_a_model_is_refused(tmp_path):
    notes = tmp_path / "notes.gguf"
    notes.write_text("hello")
    with pytest.raises(QuantizeError, match=r"notes\.gguf"):
        quantize(notes, "Q4_K_M")


def test_too_little_disk_space_is_refused_before_work_starts(tmp_path, tiny_model, monkeypatch):
    real = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: real._replace(free=10_000_000))
    with pytest.raises(QuantizeError, match=r"Not enough disk space .* 0\.01 GB is free"):
        quantize(tiny_model, "Q4_K_M", tmp_path / "out.gguf")
    assert list(tmp_path.iterdir()) == []


def test_an_output_folder_that_cannot_exist_is_refused(tmp_path, tiny_model):
    (tmp_path / "some_file").write_text("")
    with pytest.raises(QuantizeError, match="some_file is not a folder"):
        quantize(tiny_model, "Q4_K_M", tmp_path / "some_file" / "out.gguf")
    with pytest.raises(QuantizeError, match="missing does not exist"):
        quantize(tiny_model, "Q4_K_M", tmp_path / "missing" / "out.gguf")


def test_an_existing_output_file_is_not_overwritten(tmp_path, tiny_model):
    (tmp_path / "out.gguf").write_text("keep me")
    with pytest.raises(QuantizeError, match="already exists"):
        quantize(tiny_model, "Q4_K_M", tmp_path / "out.gguf")
    assert (tmp_path / "out.gguf").read_text() == "keep me"


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write in any folder"
)
def test_an_unwritable_output_folder_is_refused(tmp_path, tiny_model):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    try:
        with pytest.raises(QuantizeError, match="permission denied"):
            quantize(tiny_model, "Q4_K_M", folder / "out.gguf")
    finally:
        folder.chmod(0o700)


def test_a_plan_shows_the_expected_size_before_anything_runs(tiny_model, tmp_path):
    plan = plan_quantize(tiny_model, "q4_k_m", tmp_path / "out.gguf")
    assert plan.level.name == "Q4_K_M"
    assert not plan.requantize
    actual_parameters = read_gguf_info(tiny_model).parameter_count
    assert plan.expected_size == round(actual_parameters * plan.level.bits_per_weight / 8)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tiny-f32.gguf", "tiny-Q4_K_M.gguf"),
        ("Llama-3-8B-Instruct-F16.gguf", "Llama-3-8B-Instruct-Q4_K_M.gguf"),
        ("Qwen2.5-1.5B-Instruct-fp16.gguf", "Qwen2.5-1.5B-Instruct-Q4_K_M.gguf"),
        ("mistral_q8_0.gguf", "mistral-Q4_K_M.gguf"),
        ("model.BF16.gguf", "model-Q4_K_M.gguf"),
        ("plain.gguf", "plain-Q4_K_M.gguf"),
        ("F16.gguf", "F16-Q4_K_M.gguf"),
    ],
)
def test_the_default_name_replaces_the_level_in_the_source_name(name, expected):
    level = quant_level("Q4_K_M")
    assert level is not None
    assert default_dest(Path("/models") / name, level) == Path("/models") / expected


def test_cli_quantizes_with_progress_on_stderr(tmp_path, tiny_model):
    out = tmp_path / "small.gguf"
    result = run_cli("models", "quantize", str(tiny_model), "q8_0", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"Wrote {out}" in result.stdout
    assert "Quantizing tiny-f32.gguf to Q8_0: 100%" in result.stderr
    assert read_gguf_info(out).quantization == "Q8_0"


def test_cli_asks_for_consent_to_requantize(quantized, tmp_path):
    source = quantized["Q8_0"].result.path
    result = run_cli("models", "quantize", str(source), "Q4_K_M", "--out", str(tmp_path / "x"))
    assert_user_error(result, "compounds the quality losses", "--allow-requantize")
