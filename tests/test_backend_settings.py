"""Load settings reach llama.cpp, bad ones are refused, and GPU auto-offload is sized right."""

from __future__ import annotations

import llama_cpp
import pytest

from llamadesk.core.backend import (
    GPU_RESERVE_BYTES,
    BackendInfo,
    auto_gpu_layers,
    backend_info,
    parse_cpu_features,
)
from llamadesk.core.engine import (
    GPU_LAYERS_AUTO,
    KV_CACHE_TYPES,
    Engine,
    EngineError,
    LoadSettings,
)
from llamadesk.core.gguf_info import read_gguf_info

CUDA = BackendInfo(gpu_offload=True, backend="CUDA", cpu_features=(), mmap=True, mlock=True)
METAL = BackendInfo(gpu_offload=True, backend="Metal", cpu_features=(), mmap=True, mlock=True)
CPU = BackendInfo(gpu_offload=False, backend="CPU", cpu_features=(), mmap=True, mlock=True)


def test_every_load_setting_reaches_llama_cpp(tiny_model):
    settings = LoadSettings(
        n_ctx=768, n_threads=1, n_batch=64, flash_attn=True, kv_cache_type="q8_0", use_mlock=True
    )
    engine = Engine.load(tiny_model, settings)
    try:
        params = engine.llama.context_params
        assert engine.n_ctx == 768
        assert params.n_batch == 64
        assert params.n_threads == 1
        assert params.type_k == params.type_v == llama_cpp.GGML_TYPE_Q8_0
        assert params.flash_attn_type == llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED
        assert engine.settings == settings
    finally:
        engine.close()


def test_kv_cache_type_ids_are_ggmls():
    assert KV_CACHE_TYPES == {
        "f16": llama_cpp.GGML_TYPE_F16,
        "q8_0": llama_cpp.GGML_TYPE_Q8_0,
        "q4_0": llama_cpp.GGML_TYPE_Q4_0,
    }


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (LoadSettings(n_batch=0), "Batch size"),
        (LoadSettings(kv_cache_type="q8_0"), "needs flash attention"),
        (LoadSettings(kv_cache_type="bf17"), "KV cache type"),  # type: ignore[arg-type]
        (LoadSettings(n_gpu_layers=-3), "GPU layers"),
        (LoadSettings(n_ctx=-1), "Context length"),
    ],
)
def test_bad_load_settings_are_refused_with_a_reason(tiny_model, settings, message):
    with pytest.raises(EngineError, match=message):
        Engine.load(tiny_model, settings)


def test_auto_gpu_layers_on_a_cpu_build_offloads_nothing(tiny_model):
    engine = Engine.load(tiny_model, LoadSettings(n_gpu_layers=GPU_LAYERS_AUTO, n_threads=1))
    try:
        assert engine.settings.n_gpu_layers == (0 if not backend_info().gpu_offload else -1)
    finally:
        engine.close()


def test_auto_gpu_layers_fills_the_free_memory_layer_by_layer(tiny_model):
    info = read_gguf_info(tiny_model)
    per_layer = info.file_size / info.block_count + info.kv_cache_bytes(512) / info.block_count
    one_layer = GPU_RESERVE_BYTES + int(per_layer * 1.5)
    assert auto_gpu_layers(info, 512, CUDA, one_layer) == 1
    assert auto_gpu_layers(info, 512, CUDA, GPU_RESERVE_BYTES // 2) == 0
    assert auto_gpu_layers(info, 512, CUDA, 10 * 1024**3) == -1
    assert auto_gpu_layers(info, 512, CUDA, None) == 0, "unknown free memory: stay on the CPU"
    assert auto_gpu_layers(info, 512, METAL, None) == -1, "Metal shares the system's memory"
    assert auto_gpu_layers(info, 512, CPU, 10 * 1024**3) == 0


def test_cpu_features_are_read_from_llama_cpps_report():
    report = "CPU : SSE3 = 1 | AVX = 1 | AVX512 = 0 | NEON = 0 | REPACK = 1 |"
    assert parse_cpu_features(report) == ("SSE3", "AVX", "REPACK")
    assert "CPU" in backend_info().describe() or backend_info().gpu_offload
