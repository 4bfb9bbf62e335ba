"""The memory estimate, checked against what llama.cpp itself says it allocates."""

from __future__ import annotations

import ctypes
from dataclasses import replace
from pathlib import Path

import pytest

from llamadesk.core.gguf_info import read_gguf_info
from llamadesk.core.kv_layout import KVLayout, layout_from_metadata
from llamadesk.core.memory import (
    MIB,
    FitLevel,
    GpuMemory,
    LoggedAllocation,
    MemoryEstimate,
    ModelSpec,
    SystemMemory,
    compute_buffer_bytes,
    estimate_memory,
    format_size,
    judge_fit,
    recommend,
)
from llamadesk.core.quants import quant_level
from llamadesk.core.testmodel import SHAPES, ModelShape, write_test_model

GB = 1_000_000_000


def quantize(source: Path, level_name: str) -> Path:
    import llama_cpp

    level = quant_level(level_name)
    assert level is not None
    target = source.with_name(f"{source.stem}-{level_name.lower()}.gguf")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = level.llama_ftype
    params.nthread = 1
    assert not llama_cpp.llama_model_quantize(
        str(source).encode(), str(target).encode(), ctypes.byref(params)
    )
    return target


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny model in F32 and quantized to three levels, by level name."""
    source = write_test_model(tmp_path_factory.mktemp("memory") / "tiny.gguf")
    return {"F32": source} | {
        level: quantize(source, level) for level in ("Q8_0", "Q4_K_M", "Q4_0")
    }


def llama_allocation(
    path: Path, n_ctx: int, capfd: pytest.CaptureFixture[str], n_batch: int = 512
) -> LoggedAllocation:
    """Load ``path`` in llama.cpp and read what it logged (to stderr, from C)."""
    import llama_cpp

    capfd.readouterr()
    llama = llama_cpp.Llama(
        model_path=str(path), n_ctx=n_ctx, n_batch=n_batch, n_threads=1, verbose=True
    )
    llama.close()
    return LoggedAllocation.from_log(capfd.readouterr().err)


def spec_of(shape: ModelShape) -> ModelSpec:
    """The exact spec of a test shape: all the compute-buffer formula uses."""
    return ModelSpec(
        file_size=0,
        parameter_count=shape.parameter_count,
        quantization="F32",
        n_layer=shape.n_layer,
        n_embd=shape.n_embd,
        n_head=shape.n_head,
        n_head_kv=shape.n_head_kv,
        key_length=shape.head_dim,
        value_length=shape.head_dim,
        n_vocab=shape.n_vocab,
    )


@pytest.mark.parametrize("level", ["F32", "Q8_0", "Q4_K_M", "Q4_0"])
@pytest.mark.parametrize("n_ctx", [512, 2048])
def test_estimate_agrees_with_llama_cpp(
    models: dict[str, Path], level: str, n_ctx: int, capfd: pytest.CaptureFixture[str]
) -> None:
    info = read_gguf_info(models[level])
    assert info.quantization == level
    logged = llama_allocation(info.path, n_ctx, capfd)
    estimate = estimate_memory(info, n_ctx, cpu_repack=logged.repacked_bytes > 0)

    weights = estimate.weights_bytes + estimate.repacked_bytes
    assert weights == pytest.approx(logged.weights_bytes, rel=0.1)
    assert estimate.repacked_bytes == pytest.approx(logged.repacked_bytes, rel=0.1)
    assert estimate.kv_cache_bytes == pytest.approx(logged.kv_cache_bytes, rel=0.1)
    assert estimate.compute_bytes == pytest.approx(logged.compute_bytes, rel=0.1)


def test_this_cpu_repacks_as_expected(
    models: dict[str, Path], capfd: pytest.CaptureFixture[str]
) -> None:
    """The detection of repacking CPUs matches llama.cpp on the machine running the tests."""
    logged = llama_allocation(models["Q4_0"], 512, capfd)
    estimate = estimate_memory(read_gguf_info(models["Q4_0"]), 512)
    assert (estimate.repacked_bytes > 0) == (logged.repacked_bytes > 0)


# Shapes that stress each term: wider and with more heads, a vocabulary big enough for the
# logits to be the largest stage, and grouped-query attention with one KV head.
FIT_SHAPES = {
    "wide": ModelShape(
        1024, n_embd=512, n_layer=2, n_head=8, n_head_kv=4, n_ff=1024, n_ctx_train=4096
    ),
    "big-vocab": replace(SHAPES["tiny"], n_vocab_words=12000),
    "one-kv-head": replace(SHAPES["tiny"], n_head=8, n_head_kv=1, n_ctx_train=4096),
}


@pytest.mark.parametrize("name", FIT_SHAPES)
@pytest.mark.parametrize(("n_ctx", "n_batch"), [(512, 512), (1000, 512), (4096, 256)])
def test_compute_buffer_formula_fits_llama_cpp(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    n_ctx: int,
    n_batch: int,
    capfd: pytest.CaptureFixture[str],
) -> None:
    shape = FIT_SHAPES[name]
    path = tmp_path_factory.getbasetemp() / f"fit-{name}.gguf"
    if not path.exists():
        write_test_model(path, shape)
    logged = llama_allocation(path, n_ctx, capfd, n_batch=n_batch)
    estimate = estimate_memory(spec_of(shape), n_ctx, n_batch=n_batch)
    assert estimate.compute_bytes == pytest.approx(logged.compute_bytes, abs=0.02 * MIB)
    # llama.cpp logs MiB to two decimals.
    assert estimate.kv_cache_bytes == pytest.approx(logged.kv_cache_bytes, abs=0.01 * MIB)


def test_compute_buffer_of_the_1b_shape_matches_the_reference() -> None:
    # REFERENCE.md section 7: a 1.1B Llama at n_ctx 2048 logs a 153.01 MiB compute buffer.
    compute = compute_buffer_bytes(spec_of(SHAPES["1b"]), 2048, 512)
    assert compute / MIB == pytest.approx(153.01, abs=0.02)


def test_repacked_share_of_the_1b_shape_matches_the_reference() -> None:
    # REFERENCE.md section 7: CPU_REPACK 455.06 MiB for a 1.1B Llama in Q4_K_M.
    spec = replace(spec_of(SHAPES["1b"]), quantization="Q4_K_M")
    assert spec.repacked_bytes() / MIB == pytest.approx(455.06, rel=0.05)


def test_the_repacked_copy_is_not_needed_on_top_of_the_file(models: dict[str, Path]) -> None:
    estimate = estimate_memory(read_gguf_info(models["Q4_K_M"]), 512, cpu_repack=True)
    assert estimate.repacked_bytes > 0
    assert estimate.total == estimate.needed + estimate.repacked_bytes
    assert estimate.needed == sum(part.bytes for part in estimate.parts())


def test_no_repacked_copy_where_the_cpu_does_not_repack(models: dict[str, Path]) -> None:
    estimate = estimate_memory(read_gguf_info(models["Q4_K_M"]), 512, cpu_repack=False)
    assert estimate.repacked_bytes == 0
    assert estimate.total == estimate.needed


def test_context_is_rounded_up_like_llama_cpp(models: dict[str, Path]) -> None:
    info = read_gguf_info(models["F32"])
    assert estimate_memory(info, 1000).kv_cache_bytes == info.kv_cache_bytes(1024)
    assert estimate_memory(info, 1024).kv_cache_bytes == info.kv_cache_bytes(1024)


def test_kv_cache_element_size(models: dict[str, Path]) -> None:
    info = read_gguf_info(models["F32"])
    f16 = estimate_memory(info, 2048).kv_cache_bytes
    q8_0 = estimate_memory(info, 2048, kv_bytes_per_element=34 / 32).kv_cache_bytes
    assert q8_0 == round(f16 * 17 / 32)


def test_offloaded_layers_count_as_gpu_memory(models: dict[str, Path]) -> None:
    info = read_gguf_info(models["Q4_K_M"])  # two layers
    cpu = estimate_memory(info, 2048, cpu_repack=True)
    half = estimate_memory(info, 2048, n_gpu_layers=1, cpu_repack=True)
    full = estimate_memory(info, 2048, n_gpu_layers=-1, cpu_repack=True)
    assert cpu.gpu_bytes == 0
    assert half.repacked_bytes == pytest.approx(cpu.repacked_bytes / 2, abs=1)
    assert half.gpu_bytes == pytest.approx(
        (info.file_size + cpu.kv_cache_bytes) / 2 + cpu.compute_bytes, abs=1
    )
    assert full.repacked_bytes == 0
    assert full.ram_needed == full.overhead


def estimate_of(total: int, gpu_bytes: int = 0) -> MemoryEstimate:
    return MemoryEstimate(
        n_ctx=4096,
        weights_bytes=total - 2 * MIB,
        repacked_bytes=0,
        kv_cache_bytes=MIB,
        compute_bytes=MIB,
        overhead=0,
        gpu_bytes=gpu_bytes,
    )


@pytest.mark.parametrize(
    ("need_gb", "level"),
    [(5, FitLevel.FITS), (9, FitLevel.FITS), (9.1, FitLevel.TIGHT), (14.4, FitLevel.TIGHT)],
)
def test_jans_rule_on_a_cpu(need_gb: float, level: FitLevel) -> None:
    system = SystemMemory(total_ram=16 * GB, available_ram=10 * GB)
    assert judge_fit(estimate_of(int(need_gb * GB)), system).level is level


def test_too_big_above_90_percent_of_all_memory() -> None:
    system = SystemMemory(total_ram=16 * GB, available_ram=10 * GB)
    assert judge_fit(estimate_of(int(14.3 * GB)), system).level is FitLevel.TIGHT
    assert judge_fit(estimate_of(int(14.5 * GB)), system).level is FitLevel.TOO_BIG


def test_jans_rule_with_a_gpu() -> None:
    gpu = GpuMemory(total=8 * GB, free=7 * GB)
    system = SystemMemory(total_ram=16 * GB, available_ram=12 * GB, gpu=gpu)
    # Too big: over 90% of RAM and VRAM together (24 GB).
    assert judge_fit(estimate_of(22 * GB), system).level is FitLevel.TOO_BIG
    assert judge_fit(estimate_of(21 * GB, gpu_bytes=7 * GB), system).level is FitLevel.TIGHT
    assert judge_fit(estimate_of(14 * GB, gpu_bytes=6 * GB), system).level is FitLevel.FITS
    assert judge_fit(estimate_of(14 * GB, gpu_bytes=7 * GB), system).level is FitLevel.TIGHT
    # Without a GPU backend, "offloaded" layers stay in RAM.
    no_gpu = replace(system, gpu=None)
    assert judge_fit(estimate_of(14 * GB, gpu_bytes=6 * GB), no_gpu).level is FitLevel.TIGHT


def test_explanation_gives_the_figures(models: dict[str, Path]) -> None:
    estimate = estimate_memory(read_gguf_info(models["Q4_K_M"]), 8192, cpu_repack=True)
    system = SystemMemory(total_ram=int(23.4 * GB), available_ram=21 * GB)
    text = judge_fit(estimate, system).explain()
    assert text.startswith(f"Needs about {format_size(estimate.needed)}: ")
    assert "context (8,192 tokens)" in text
    assert f"shows as {format_size(estimate.total)} in use" in text
    assert "23.4 GB of memory, 21.0 GB free" in text
    assert "fits comfortably" in text
    gpu_system = replace(system, gpu=GpuMemory(8 * GB, 6 * GB))
    assert "8.0 GB, 6.0 GB free" in judge_fit(estimate, gpu_system).explain()


def test_fit_levels_read_as_traffic_lights() -> None:
    assert [level.value for level in FitLevel] == ["green", "yellow", "red"]
    assert FitLevel.TOO_BIG.label == "Too big for this computer"


def test_system_memory_probe() -> None:
    system = SystemMemory.probe()
    assert 0 < system.available_ram <= system.total_ram
    assert system.gpu is None


def variant_spec(level: str, size_gb: float) -> ModelSpec:
    return ModelSpec(
        file_size=int(size_gb * GB),
        parameter_count=8 * GB,
        quantization=level,
        n_layer=32,
        n_embd=4096,
        n_head=32,
        n_head_kv=8,
        key_length=128,
        value_length=128,
        n_vocab=128256,
    )


LLAMA_8B_VARIANTS = [
    ("Q2_K", 3.2),
    ("Q4_K_M", 4.9),
    ("Q6_K", 6.6),
    ("Q8_0", 8.5),
    ("F16", 16.1),
    ("IQ3_M", 3.8),  # a level we do not know: never recommended
]


@pytest.mark.parametrize(
    ("available_gb", "expected"),
    [(30, "Q8_0"), (12, "Q8_0"), (10, "Q6_K"), (8, "Q4_K_M"), (6, "Q2_K"), (3, None)],
)
def test_recommend_the_best_level_that_fits(available_gb: float, expected: str | None) -> None:
    system = SystemMemory(total_ram=32 * GB, available_ram=int(available_gb * GB))
    options = [(name, variant_spec(name, size)) for name, size in LLAMA_8B_VARIANTS]
    assert recommend(options, system, 4096) == expected


def test_recommend_unquantized_only_when_nothing_else_is_offered() -> None:
    system = SystemMemory(total_ram=64 * GB, available_ram=60 * GB)
    options = [("f16", variant_spec("F16", 16.1)), ("f32", variant_spec("F32", 32.1))]
    assert recommend(options, system, 4096) == "f32"


def test_recommend_a_measured_level_over_an_unmeasured_one_above_it() -> None:
    # UD-Q4_K_XL ranks above Q4_K_M but nobody has published what it costs in quality.
    system = SystemMemory(total_ram=32 * GB, available_ram=30 * GB)
    options = [(name, variant_spec(name, size)) for name, size in [("UD-Q4_K_XL", 4.7)]]
    options.append(("Q4_K_M", variant_spec("Q4_K_M", 4.9)))
    assert recommend(options, system, 4096) == "Q4_K_M"


def test_recommend_an_unmeasured_level_when_it_is_all_there_is() -> None:
    system = SystemMemory(total_ram=32 * GB, available_ram=30 * GB)
    assert recommend([("mxfp4", variant_spec("MXFP4", 4.3))], system, 4096) == "mxfp4"


def test_logged_allocation_reads_cpu_and_gpu_lines() -> None:
    log = """
load_tensors:   CPU_Mapped model buffer size =   629.99 MiB
load_tensors:   CPU_REPACK model buffer size =   455.06 MiB
load_tensors:        CUDA0 model buffer size =  1000.00 MiB
llama_kv_cache:        CPU KV buffer size =    44.00 MiB
llama_kv_cache:      CUDA0 KV buffer size =    10.00 MiB
llama_context:        CPU  output buffer size =     0.12 MiB
sched_reserve:        CPU compute buffer size =   153.01 MiB
~llama_context:        CPU compute buffer size is 153.0098 MiB, matches expectation
"""
    logged = LoggedAllocation.from_log(log)
    assert logged.repacked_bytes == round(455.06 * MIB)
    assert logged.weights_bytes == round((629.99 + 455.06 + 1000) * MIB)
    assert logged.kv_cache_bytes == 54 * MIB
    assert logged.compute_bytes == round(153.01 * MIB)
    assert logged.output_bytes == round(0.12 * MIB)


@pytest.mark.parametrize(
    ("n_bytes", "text"),
    [(4_400_000_000, "4.4 GB"), (512_000_000, "512 MB"), (12_345, "12 KB")],
)
def test_format_size(n_bytes: int, text: str) -> None:
    assert format_size(n_bytes) == text


# Layer patterns of 2026 models (MODELS-2026.md section 5), on test models llama.cpp loads.
PATTERN_SHAPES = {
    "gemma3": SHAPES["gemma3"],  # 10 of 12 layers slide over a 128-token window
    "lfm2": SHAPES["lfm2"],  # 2 attention layers, 6 short-convolution layers
    "moe": replace(
        SHAPES["tiny"], architecture="qwen3moe", n_expert=8, n_expert_used=2, n_ff_exp=256
    ),
}


def pattern_model(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    path = tmp_path_factory.getbasetemp() / f"pattern-{name}.gguf"
    if not path.exists():
        write_test_model(path, PATTERN_SHAPES[name])
    return path


def logged_allocation(
    path: Path, n_ctx: int, capfd: pytest.CaptureFixture[str], **kwargs: object
) -> LoggedAllocation:
    import llama_cpp

    capfd.readouterr()
    llama = llama_cpp.Llama(model_path=str(path), n_ctx=n_ctx, n_threads=1, verbose=True, **kwargs)
    llama.close()
    return LoggedAllocation.from_log(capfd.readouterr().err)


@pytest.mark.parametrize("name", PATTERN_SHAPES)
@pytest.mark.parametrize("n_ctx", [1024, 4096])
def test_layer_pattern_estimate_agrees_with_llama_cpp(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    n_ctx: int,
    capfd: pytest.CaptureFixture[str],
) -> None:
    info = read_gguf_info(pattern_model(tmp_path_factory, name))
    logged = logged_allocation(info.path, n_ctx, capfd)
    estimate = estimate_memory(info, n_ctx)
    assert estimate.kv_cache_bytes == pytest.approx(logged.kv_cache_bytes, abs=0.01 * MIB)
    assert estimate.recurrent_bytes == pytest.approx(logged.recurrent_bytes, abs=0.01 * MIB)
    assert estimate.weights_bytes == pytest.approx(logged.weights_bytes, rel=0.1)


def test_hybrid_layers_keep_no_kv_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    info = read_gguf_info(pattern_model(tmp_path_factory, "lfm2"))
    layout = info.kv_layout
    assert layout is not None
    assert (layout.kv_layers, layout.recurrent_layers) == (2, 6)
    # A quarter of the KV cache the plain formula gives for all 8 layers.
    plain = estimate_memory(replace(ModelSpec.from_info(info), kv_layout=None), 4096)
    assert estimate_memory(info, 4096).kv_cache_bytes * 4 == plain.kv_cache_bytes


@pytest.mark.parametrize("n_ctx", [1024, 4096])
def test_a_window_cache_keeps_the_window_and_a_batch(
    tmp_path_factory: pytest.TempPathFactory, n_ctx: int, capfd: pytest.CaptureFixture[str]
) -> None:
    """With swa_full=False the sliding layers keep 128 + 512 tokens, padded to 768 cells."""
    info = read_gguf_info(pattern_model(tmp_path_factory, "gemma3"))
    logged = logged_allocation(info.path, n_ctx, capfd, swa_full=False)
    estimate = estimate_memory(info, n_ctx, swa_full=False)
    assert estimate.kv_cache_bytes == pytest.approx(logged.kv_cache_bytes, abs=0.01 * MIB)
    full = estimate_memory(info, n_ctx)
    assert estimate.kv_cache_bytes < full.kv_cache_bytes


def test_a_mixture_of_experts_counts_its_active_weights(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    shape = PATTERN_SHAPES["moe"]
    info = read_gguf_info(pattern_model(tmp_path_factory, "moe"))
    experts = shape.n_layer * 3 * shape.n_expert * shape.n_ff_exp * shape.n_embd
    assert info.parameter_count == shape.parameter_count
    assert info.active_parameter_count == info.parameter_count - experts * 6 // 8


def metadata_layout(arch: str, n_layer: int, **keys: object) -> KVLayout:
    return layout_from_metadata(
        {f"{arch}.{key}": value for key, value in keys.items()}, arch, n_layer
    )


def test_layer_patterns_of_models_too_big_to_make_here() -> None:
    """Read from metadata as llama.cpp reads it (src/models/*.cpp); these shapes are not
    made as test models (their tensors need more than the test writer knows)."""
    # qwen35: one full-attention layer in every 4, the rest gated delta-net.
    qwen35 = metadata_layout(
        "qwen35",
        24,
        embedding_length=1024,
        **{"ssm.conv_kernel": 4, "ssm.inner_size": 2048, "ssm.state_size": 128},
        **{"ssm.group_count": 16},
    )
    assert (qwen35.kv_layers, qwen35.recurrent_layers) == (6, 18)
    assert qwen35.recurrent_state_floats == 3 * (2048 + 2 * 16 * 128) + 128 * 2048
    assert metadata_layout("qwen35moe", 40, full_attention_interval=4).kv_layers == 10
    # granitehybrid: a layer with no KV heads is a Mamba-2 layer.
    granite = metadata_layout("granitehybrid", 8, **{"attention.head_count_kv": [0, 0, 0, 4] * 2})
    assert (granite.kv_layers, granite.recurrent_layers) == (2, 6)
    # gpt-oss: every other layer slides, without a pattern key.
    gpt_oss = metadata_layout("gpt-oss", 24, **{"attention.sliding_window": 128})
    assert (gpt_oss.kv_layers, gpt_oss.sliding_layers) == (24, 12)
    # gemma4: a per-layer pattern, and the last layers share earlier layers' caches.
    pattern = [True, True, True, True, False] * 7
    gemma4 = metadata_layout(
        "gemma4",
        35,
        **{"attention.sliding_window": 512, "attention.sliding_window_pattern": pattern},
        **{"attention.shared_kv_layers": 20},
    )
    assert (gemma4.kv_layers, gemma4.sliding_layers) == (15, 12)
    # gemma3 without a window is all full attention.
    assert metadata_layout("gemma3", 26) == KVLayout.full(26)
