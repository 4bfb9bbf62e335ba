"""How much memory a model needs in llama.cpp, and whether this computer has it.

The estimate follows what llama.cpp (as bundled with llama-cpp-python 0.3) allocates, checked
against its own log lines in tests/test_memory.py and benchmarks/memory_check.py:

- weights: the GGUF file, which llama.cpp memory-maps;
- repacked weights: on x86-64 and ARM64 CPUs llama.cpp copies the layers' Q4_0, Q4_K and
  IQ4_NL matrices into an interleaved layout (its CPU_REPACK buffer) on top of the mapped file
  (counted in the total, not in what must fit: see `MemoryEstimate`);
- KV cache: n_layer * n_ctx * n_head_kv * (key_length + value_length) * bytes per element,
  for the layers that keep one: sliding-window layers keep a window, recurrent layers a small
  fixed state instead (see `kv_layout`);
- compute buffer: the largest working set of one batch (see `compute_buffer_bytes`);
- overhead: llama.cpp's own code, threads and small buffers.
"""

from __future__ import annotations

import enum
import platform
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import psutil

from llamadesk.core.gguf_info import GGUFInfo
from llamadesk.core.i18n import QT_TRANSLATE_NOOP
from llamadesk.core.kv_layout import SWA_FULL, KVLayout
from llamadesk.core.quants import quality_rank, quant_level

T = TypeVar("T")

MIB = 1 << 20
RUNTIME_OVERHEAD = 64 * MIB  # importing llama.cpp alone adds ~35 MiB to the process
COMFORT_SHARE = 0.9  # Jan's rule: plan to use at most 90% of a memory (REFERENCE.md section 2)

_CTX_PADDING = 256  # llama.cpp rounds the context up to a multiple of this
_MAX_UBATCH = 512  # llama-cpp-python's default n_ubatch: the most tokens one graph holds
_F32 = 4
# Q4_0, Q4_K and IQ4_NL, the types llama.cpp repacks, all take 4.5 bits a weight.
_REPACKED_BITS = 4.5
# Share of the layers' weights (all but the embeddings and output matrix, which llama.cpp
# never repacks) stored in a repacked type at each level, from llama.cpp's quantization
# rules: Q4_K_M keeps attn_v and ffn_down at Q6_K in about half the layers, Q4_K_S keeps a
# few at Q5_K, Q3_K_M stores attn_output and some ffn_down at Q4_K. Other levels use none.
_REPACKED_SHARE = {"Q4_0": 1.0, "IQ4_NL": 1.0, "Q4_K_S": 0.96, "Q4_K_M": 0.87, "Q3_K_M": 0.2}
_REPACKING_MACHINES = frozenset({"x86_64", "amd64", "arm64", "aarch64"})


@dataclass(frozen=True)
class ModelSpec:
    """What the memory estimate needs to know about a model.

    Args:
        file_size: bytes of the GGUF file (all its parts).
        parameter_count: number of weights.
        quantization: the level's name, e.g. "Q4_K_M".
        tied_embeddings: the output layer reuses the token embeddings (no output matrix).
        kv_layout: which layers keep a KV cache; None: all ``n_layer``, over the whole context.
    """

    file_size: int
    parameter_count: int
    quantization: str
    n_layer: int
    n_embd: int
    n_head: int
    n_head_kv: int
    key_length: int
    value_length: int
    n_vocab: int
    tied_embeddings: bool = False
    kv_layout: KVLayout | None = None

    @classmethod
    def from_info(cls, info: GGUFInfo) -> ModelSpec:
        """The spec of a model file on disk, from its header."""
        return cls(
            file_size=info.file_size,
            parameter_count=info.parameter_count,
            quantization=info.quantization,
            n_layer=info.block_count,
            n_embd=info.embedding_length,
            n_head=info.head_count,
            n_head_kv=info.head_count_kv,
            key_length=info.key_length,
            value_length=info.value_length,
            n_vocab=info.vocab_size,
            kv_layout=info.kv_layout,
        )

    @property
    def layout(self) -> KVLayout:
        return self.kv_layout or KVLayout.full(self.n_layer)

    def kv_cache_bytes(
        self,
        n_ctx: int,
        bytes_per_element: float = 2,
        n_ubatch: int = _MAX_UBATCH,
        swa_full: bool = SWA_FULL,
    ) -> int:
        """Bytes of the K and V caches for ``n_ctx`` tokens (f16 by default)."""
        per_token_per_layer = self.n_head_kv * (self.key_length + self.value_length)
        return self.layout.kv_cache_bytes(
            per_token_per_layer, n_ctx, n_ubatch, bytes_per_element, swa_full
        )

    def repacked_bytes(self) -> int:
        """Bytes llama.cpp's CPU backend copies into its repacked layout (on such CPUs)."""
        share = _REPACKED_SHARE.get(self.quantization.upper(), 0.0)
        embedding_matrices = 1 if self.tied_embeddings else 2
        layer_weights = self.parameter_count - embedding_matrices * self.n_vocab * self.n_embd
        return round(share * max(layer_weights, 0) * _REPACKED_BITS / 8)


def compute_buffer_bytes(model: ModelSpec, n_ctx: int, n_ubatch: int) -> int:
    """Bytes of llama.cpp's compute buffer for a batch of ``n_ubatch`` tokens.

    llama.cpp reuses memory between the stages of its graph, so the buffer is the larger of
    two working sets, in 32-bit floats per token of the batch:

    - attention: each head's scores over the context, and the mask: n_ctx * (n_head + 1);
      with the layer's activations, 5 * n_embd, and its new keys and values;
    - output: the logits over the vocabulary, n_vocab + 3 * n_embd.

    Fitted to llama.cpp's logs on llama shapes 256 to 2048 wide, with 4 to 32 heads and
    vocabularies of 1k to 32k tokens (tests/test_memory.py, benchmarks/memory_check.py):
    within 0.02 MiB where attention is the larger; the output stage is up to 6% over, and
    some 256-token contexts up to 12%. The feed-forward stage, 3 * n_ff + 6 * n_embd, is
    left out: it is the largest only for a narrow vocabulary with a wide feed-forward at a
    short context, which is rare in real models (and GGUFInfo has no n_ff).
    """
    new_keys_values = model.n_head_kv * (model.key_length + model.value_length)
    attention = n_ctx * (model.n_head + 1) + 5 * model.n_embd + new_keys_values
    output = model.n_vocab + 3 * model.n_embd
    return n_ubatch * _F32 * max(attention, output)


@dataclass(frozen=True)
class MemoryPart:
    """One line of an estimate's breakdown."""

    label: str
    bytes: int


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a model takes once loaded, by part. ``gpu_bytes`` of them are on the GPU.

    ``total`` is everything llama.cpp allocates, what the process's resident memory grows to
    once every buffer is in use. ``needed`` leaves out the repacked copy: the file's pages it
    was copied from are never read again, and the system drops such cached pages of a file
    when it needs the memory, so what must fit is about the file, not the file and the copy.
    """

    n_ctx: int
    weights_bytes: int
    repacked_bytes: int
    kv_cache_bytes: int
    compute_bytes: int
    overhead: int
    gpu_bytes: int = 0
    recurrent_bytes: int = 0

    @property
    def needed(self) -> int:
        """Bytes that must fit in memory (RAM and GPU) for the model to run."""
        return sum(part.bytes for part in self.parts())

    @property
    def total(self) -> int:
        """Bytes llama.cpp allocates: ``needed`` and the repacked copy."""
        return self.needed + self.repacked_bytes

    @property
    def ram_needed(self) -> int:
        """The part of ``needed`` in ordinary memory."""
        return self.needed - self.gpu_bytes

    def parts(self) -> list[MemoryPart]:
        """The breakdown of ``needed``, empty parts left out."""
        parts = [
            MemoryPart("weights", self.weights_bytes),
            MemoryPart(f"context ({self.n_ctx:,} tokens)", self.kv_cache_bytes),
            MemoryPart("recurrent state", self.recurrent_bytes),
            MemoryPart("working memory", self.compute_bytes),
            MemoryPart("runtime", self.overhead),
        ]
        return [part for part in parts if part.bytes > 0]


def estimate_memory(
    model: GGUFInfo | ModelSpec,
    n_ctx: int,
    *,
    n_gpu_layers: int = 0,
    kv_bytes_per_element: float = 2,
    n_batch: int = 512,
    cpu_repack: bool | None = None,
    swa_full: bool = SWA_FULL,
) -> MemoryEstimate:
    """What loading ``model`` with a context of ``n_ctx`` tokens will take.

    Args:
        n_gpu_layers: layers offloaded to a GPU (-1: all); their weights, KV cache and the
            compute buffer then count as GPU memory.
        kv_bytes_per_element: 2 for the default f16 cache, about 1.06 for q8_0.
        n_batch: prompt tokens processed at once (llama-cpp-python's n_batch).
        cpu_repack: whether the CPU repacks 4-bit weights; None detects it.
        swa_full: sliding-window layers keep the whole context (llama-cpp-python's default)
            rather than their window (``Llama(swa_full=False)``).
    """
    spec = model if isinstance(model, ModelSpec) else ModelSpec.from_info(model)
    allocated_ctx = -(-n_ctx // _CTX_PADDING) * _CTX_PADDING
    n_ubatch = min(n_batch, n_ctx, _MAX_UBATCH)
    gpu_share = _gpu_share(n_gpu_layers, spec.n_layer)
    if cpu_repack is None:
        cpu_repack = platform.machine().lower() in _REPACKING_MACHINES
    repacked = round(spec.repacked_bytes() * (1 - gpu_share)) if cpu_repack else 0
    kv_cache = spec.kv_cache_bytes(allocated_ctx, kv_bytes_per_element, n_ubatch, swa_full)
    compute = compute_buffer_bytes(spec, allocated_ctx, n_ubatch)
    gpu_bytes = round(gpu_share * (spec.file_size + kv_cache)) + (compute if gpu_share else 0)
    return MemoryEstimate(
        n_ctx=n_ctx,
        weights_bytes=spec.file_size,
        repacked_bytes=repacked,
        kv_cache_bytes=kv_cache,
        compute_bytes=compute,
        overhead=RUNTIME_OVERHEAD,
        gpu_bytes=gpu_bytes,
        recurrent_bytes=spec.layout.recurrent_state_bytes,
    )


def _gpu_share(n_gpu_layers: int, n_layer: int) -> float:
    if n_gpu_layers == 0 or n_layer == 0:
        return 0.0
    if n_gpu_layers < 0:
        return 1.0
    return min(n_gpu_layers, n_layer) / n_layer


@dataclass(frozen=True)
class GpuMemory:
    """A GPU's memory, as its backend reports it."""

    total: int
    free: int


@dataclass(frozen=True)
class SystemMemory:
    """This computer's memory. ``gpu`` is None without a GPU backend (CPU builds)."""

    total_ram: int
    available_ram: int
    gpu: GpuMemory | None = None

    @classmethod
    def probe(cls, gpu: GpuMemory | None = None) -> SystemMemory:
        """The RAM figures now, with ``gpu`` from whichever backend can report them."""
        virtual = psutil.virtual_memory()
        return cls(total_ram=int(virtual.total), available_ram=int(virtual.available), gpu=gpu)


class FitLevel(enum.Enum):
    """Jan's three verdicts (REFERENCE.md section 2), as traffic-light colours."""

    FITS = "green"
    TIGHT = "yellow"
    TOO_BIG = "red"

    @property
    def label(self) -> str:
        return _FIT_LABELS[self]


_FIT_LABELS = {
    FitLevel.FITS: QT_TRANSLATE_NOOP("Memory", "Fits comfortably"),
    FitLevel.TIGHT: QT_TRANSLATE_NOOP("Memory", "Tight fit"),
    FitLevel.TOO_BIG: QT_TRANSLATE_NOOP("Memory", "Too big for this computer"),
}
_FIT_ADVICE = {
    FitLevel.FITS: "It fits comfortably in the free memory.",
    FitLevel.TIGHT: (
        "It fits in this computer's memory, but not comfortably in what is free now: close "
        "other programs, or choose a shorter context or a smaller quantization."
    ),
    FitLevel.TOO_BIG: (
        "That is more than 90% of all this computer's memory: choose a smaller quantization, "
        "a shorter context or a smaller model."
    ),
}


@dataclass(frozen=True)
class FitVerdict:
    """Whether an estimate fits a computer's memory, and why."""

    level: FitLevel
    estimate: MemoryEstimate
    system: SystemMemory

    def explain(self) -> str:
        """One paragraph with the figures, for a tooltip or a details pane."""
        estimate, system = self.estimate, self.system
        parts = " + ".join(f"{format_size(p.bytes)} {p.label}" for p in estimate.parts())
        sentences = [f"Needs about {format_size(estimate.needed)}: {parts}."]
        if estimate.repacked_bytes:
            sentences.append(
                f"Once loaded it shows as {format_size(estimate.total)} in use: llama.cpp "
                f"keeps a {format_size(estimate.repacked_bytes)} copy of the 4-bit weights "
                "in a faster layout, and the file's pages it copied stay cached until the "
                "memory is wanted."
            )
        sentences.append(
            f"This computer has {format_size(system.total_ram)} of memory, "
            f"{format_size(system.available_ram)} free."
        )
        if system.gpu is not None:
            sentences.append(
                f"{format_size(estimate.gpu_bytes)} of it go to the GPU, which has "
                f"{format_size(system.gpu.total)}, {format_size(system.gpu.free)} free."
            )
        sentences.append(_FIT_ADVICE[self.level])
        return " ".join(sentences)


def judge_fit(estimate: MemoryEstimate, system: SystemMemory) -> FitVerdict:
    """Jan's rule: too big above 90% of RAM + VRAM; fits within 90% of what is free."""
    gpu = system.gpu
    capacity = system.total_ram + (gpu.total if gpu else 0)
    # Without a GPU backend, offloaded layers stay in RAM: llama.cpp ignores n_gpu_layers.
    ram_needed = estimate.ram_needed if gpu else estimate.needed
    if estimate.needed > COMFORT_SHARE * capacity:
        level = FitLevel.TOO_BIG
    elif ram_needed <= COMFORT_SHARE * system.available_ram and (
        gpu is None or estimate.gpu_bytes <= COMFORT_SHARE * gpu.free
    ):
        level = FitLevel.FITS
    else:
        level = FitLevel.TIGHT
    return FitVerdict(level, estimate, system)


def recommend(
    options: Iterable[tuple[T, ModelSpec]],
    system: SystemMemory,
    n_ctx: int,
    *,
    n_gpu_layers: int = 0,
) -> T | None:
    """The option of highest quality that fits comfortably, or None.

    Unquantized levels are recommended only when nothing quantized is offered: Q8_0 is as
    good in practice at half the memory, and twice as fast on a CPU, whose speed is bound by
    the bytes read per token. Options at a level we do not know are never recommended, and
    a hub level whose quality cost nobody has published (UD-Q4_K_XL) only when no measured
    level fits: "recommended" should not rest on a guess.
    """
    known = [
        (level, thing, spec)
        for thing, spec in options
        if (level := quant_level(spec.quantization)) is not None
    ]
    if any(level.quantized for level, _, _ in known):
        known = [entry for entry in known if entry[0].quantized]
    fitting = [
        (level.added_perplexity is not None, quality_rank(level), thing)
        for level, thing, spec in known
        if judge_fit(estimate_memory(spec, n_ctx, n_gpu_layers=n_gpu_layers), system).level
        is FitLevel.FITS
    ]
    if not fitting:
        return None
    return max(fitting, key=lambda ranked: ranked[:2])[2]


def format_size(n_bytes: int) -> str:
    """A size in the units people see on disks: "4.4 GB", "512 MB", "12 KB"."""
    if n_bytes >= 1e9:
        return f"{n_bytes / 1e9:.1f} GB"
    if n_bytes >= 1e6:
        return f"{n_bytes / 1e6:.0f} MB"
    return f"{n_bytes / 1e3:.0f} KB"


_LOGGED_BUFFER = re.compile(r"(\S+)\s+(model|KV|RS|compute|output) buffer size =\s+([\d.]+) MiB")


@dataclass(frozen=True)
class LoggedAllocation:
    """What llama.cpp says it allocated when it loaded a model (with ``verbose=True``).

    Args:
        model_buffers: weight buffers by name: "CPU_Mapped", "CPU_REPACK", "CUDA0"...
    """

    model_buffers: Mapping[str, int]
    kv_cache_bytes: int
    compute_bytes: int
    output_bytes: int
    recurrent_bytes: int = 0  # "RS buffer": recurrent layers' states

    @property
    def weights_bytes(self) -> int:
        """All weight buffers: the mapped file and any repacked copy."""
        return sum(self.model_buffers.values())

    @property
    def repacked_bytes(self) -> int:
        return self.model_buffers.get("CPU_REPACK", 0)

    @classmethod
    def from_log(cls, log: str) -> LoggedAllocation:
        """Read the buffer sizes from the log of one model load (llama.cpp prints MiB)."""
        model_buffers: dict[str, int] = {}
        totals = {"KV": 0, "RS": 0, "compute": 0, "output": 0}
        for name, kind, mib in _LOGGED_BUFFER.findall(log):
            size = round(float(mib) * MIB)
            if kind == "model":
                model_buffers[name] = model_buffers.get(name, 0) + size
            else:
                totals[kind] += size
        return cls(model_buffers, totals["KV"], totals["compute"], totals["output"], totals["RS"])
