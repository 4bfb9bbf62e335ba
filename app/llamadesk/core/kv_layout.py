"""Which layers of a model keep a KV cache, and how much: its layer pattern.

The plain formula (REFERENCE.md section 2) assumes every layer attends to the whole context.
Many 2026 models do not (MODELS-2026.md section 5), and llama.cpp (0.3.36) allocates less:

- sliding-window layers (Gemma 3/4, gpt-oss) can keep only the last ``sliding_window`` tokens
  and one batch, rounded up to 256 cells (``llama_kv_cache_iswa``). llama-cpp-python asks
  for a full-size window cache unless ``Llama(swa_full=False)`` is passed (`SWA_FULL`): its
  prompt-prefix reuse would otherwise attend to tokens that left the window. So by default
  these layers take as much as full ones;
- recurrent layers (Mamba-2 in granitehybrid, short convolutions in lfm2, gated delta-net in
  qwen35) keep no KV cache but a small fixed state, whatever the context length;
- Gemma 4's last layers reuse earlier layers' caches (``attention.shared_kv_layers``).

The pattern comes from the GGUF keys llama.cpp itself reads (``src/models/*.cpp``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

_SWA_PADDING = 256  # llama.cpp always pads the sliding-window cache to 256 cells
# What llama-cpp-python 0.3.36 allocates for sliding-window layers unless told otherwise:
# a cache as long as the context (llama_context_default_params().swa_full is true).
SWA_FULL = True
_F32 = 4  # llama.cpp keeps recurrent states in f32
# The swa pattern llama.cpp assumes when the key is absent: one full layer in every n.
_DEFAULT_SWA_PATTERN = {"gemma3": 6, "gpt-oss": 2}
_DEFAULT_FULL_ATTENTION_INTERVAL = 4  # qwen35, qwen35moe, qwen3next


@dataclass(frozen=True)
class KVLayout:
    """How many layers keep which kind of memory.

    Args:
        kv_layers: layers with a KV cache (full or sliding-window attention).
        sliding_layers: how many of those keep only a window of ``sliding_window`` tokens.
        recurrent_layers: layers with a fixed-size state instead of a KV cache.
        recurrent_state_floats: 32-bit floats of state each recurrent layer keeps.
    """

    kv_layers: int
    sliding_window: int = 0
    sliding_layers: int = 0
    recurrent_layers: int = 0
    recurrent_state_floats: int = 0

    @classmethod
    def full(cls, n_layer: int) -> KVLayout:
        """Every layer attends to the whole context: the plain formula."""
        return cls(kv_layers=n_layer)

    @property
    def windowed(self) -> bool:
        """Whether some layers keep only a window (when the engine lets them)."""
        return bool(self.sliding_layers and self.sliding_window)

    def kv_cells(self, n_ctx: int, n_ubatch: int, swa_full: bool = SWA_FULL) -> tuple[int, int]:
        """Cells of the full and of the sliding-window caches for a context of ``n_ctx``."""
        if not self.windowed or swa_full:
            return n_ctx, 0
        window = min(n_ctx, self.sliding_window + n_ubatch)
        return n_ctx, -(-window // _SWA_PADDING) * _SWA_PADDING

    def kv_cache_bytes(
        self,
        per_token_per_layer: int,
        n_ctx: int,
        n_ubatch: int,
        bytes_per_element: float,
        swa_full: bool = SWA_FULL,
    ) -> int:
        """Bytes of all K and V caches; ``per_token_per_layer`` = n_head_kv * (k + v) dims."""
        full_cells, window_cells = self.kv_cells(n_ctx, n_ubatch, swa_full)
        full_layers = self.kv_layers - (self.sliding_layers if window_cells else 0)
        cells = full_layers * full_cells + (self.sliding_layers * window_cells)
        return round(cells * per_token_per_layer * bytes_per_element)

    @property
    def recurrent_state_bytes(self) -> int:
        """Bytes of the recurrent layers' fixed states (one sequence)."""
        return self.recurrent_layers * self.recurrent_state_floats * _F32


def layout_from_metadata(metadata: Mapping[str, object], arch: str, n_layer: int) -> KVLayout:
    """The layer pattern a GGUF header describes, read as llama.cpp reads it."""
    if n_layer <= 0:
        return KVLayout.full(0)
    recurrent = _recurrent_layers(metadata, arch, n_layer)
    attention = [layer for layer in range(n_layer) if not recurrent[layer]]
    shared = _int(metadata.get(f"{arch}.attention.shared_kv_layers"))
    with_kv = [layer for layer in attention if layer < n_layer - shared]
    window = _int(metadata.get(f"{arch}.attention.sliding_window"))
    sliding = _sliding_layers(metadata, arch, n_layer) if window else [False] * n_layer
    n_recurrent = sum(recurrent)
    return KVLayout(
        kv_layers=len(with_kv),
        sliding_window=window,
        sliding_layers=sum(1 for layer in with_kv if sliding[layer]),
        recurrent_layers=n_recurrent,
        recurrent_state_floats=_state_floats(metadata, arch) if n_recurrent else 0,
    )


def _recurrent_layers(metadata: Mapping[str, object], arch: str, n_layer: int) -> list[bool]:
    explicit = metadata.get(f"{arch}.attention.recurrent_layers")
    if isinstance(explicit, list) and len(explicit) >= n_layer:
        return [bool(flag) for flag in explicit[:n_layer]]
    if arch.startswith(("qwen35", "qwen3next")):
        interval = (
            _int(metadata.get(f"{arch}.full_attention_interval"))
            or _DEFAULT_FULL_ATTENTION_INTERVAL
        )
        return [(layer + 1) % interval != 0 for layer in range(n_layer)]
    # granitehybrid, lfm2, lfm2moe, nemotron_h...: a layer without KV heads is recurrent.
    kv_heads = metadata.get(f"{arch}.attention.head_count_kv")
    if isinstance(kv_heads, list) and len(kv_heads) >= n_layer:
        return [not head_count for head_count in kv_heads[:n_layer]]
    return [False] * n_layer


def _sliding_layers(metadata: Mapping[str, object], arch: str, n_layer: int) -> list[bool]:
    pattern = metadata.get(f"{arch}.attention.sliding_window_pattern")
    if isinstance(pattern, list) and len(pattern) >= n_layer:
        return [bool(flag) for flag in pattern[:n_layer]]
    period = _int(pattern) if pattern is not None else _DEFAULT_SWA_PATTERN.get(arch, 0)
    if not period:
        # lfm2 and others: every attention layer slides once a window is given.
        return [True] * n_layer
    # llama_hparams::set_swa_pattern: the last layer of every period attends fully.
    return [layer % period < period - 1 for layer in range(n_layer)]


def _state_floats(metadata: Mapping[str, object], arch: str) -> int:
    """Floats of one recurrent layer's conv and SSM states (llama_hparams::n_embd_r/_s)."""
    n_embd = _int(metadata.get(f"{arch}.embedding_length"))
    l_cache = _int(metadata.get(f"{arch}.shortconv.l_cache"))
    if l_cache:  # lfm2: a short convolution's last tokens, nothing else
        return n_embd * (l_cache - 1)
    d_conv = _int(metadata.get(f"{arch}.ssm.conv_kernel"))
    d_inner = _int(metadata.get(f"{arch}.ssm.inner_size"))
    d_state = _int(metadata.get(f"{arch}.ssm.state_size"))
    n_group = _int(metadata.get(f"{arch}.ssm.group_count"))
    conv = max(d_conv - 1, 0) * (d_inner + 2 * n_group * d_state)
    return conv + d_state * d_inner


def _int(value: object) -> int:
    if isinstance(value, list):  # per-layer values: the largest is the safe one
        value = max((item for item in value if isinstance(item, (int, float))), default=0)
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0
