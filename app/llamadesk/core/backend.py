"""What this build of llama.cpp can do: CPU features, GPU backend, and how many layers fit.

llama-cpp-python is built for one backend (CPU, CUDA, Metal, Vulkan) when it is installed;
the README says how to choose. Everything here works, and answers honestly, on a CPU build.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

from llamadesk.core.gguf_info import GGUFInfo

GPU_BACKENDS = ("CUDA", "Metal", "Vulkan", "SYCL", "HIP")
# Kept free on the GPU for llama.cpp's compute buffers and the driver.
GPU_RESERVE_BYTES = 768 * 1024 * 1024


@dataclass(frozen=True)
class BackendInfo:
    """Args:
    gpu_offload: this build can put layers on a GPU.
    backend: "CPU", or the GPU backend it was built with.
    cpu_features: the instruction sets llama.cpp uses here (AVX2, NEON, ...).
    mmap / mlock: whether the model file can be memory-mapped / locked in RAM.
    """

    gpu_offload: bool
    backend: str
    cpu_features: tuple[str, ...]
    mmap: bool
    mlock: bool

    def describe(self) -> str:
        features = ", ".join(self.cpu_features) or "none reported"
        where = f"{self.backend} (GPU offload)" if self.gpu_offload else "CPU only"
        return f"llama.cpp build: {where}; CPU features: {features}"


@cache
def backend_info() -> BackendInfo:
    """Ask the loaded llama.cpp library (imports it: call off the GUI thread)."""
    import llama_cpp

    system = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace")
    offload = bool(llama_cpp.llama_supports_gpu_offload())
    return BackendInfo(
        gpu_offload=offload,
        backend=_backend_name(system) if offload else "CPU",
        cpu_features=parse_cpu_features(system),
        mmap=bool(llama_cpp.llama_supports_mmap()),
        mlock=bool(llama_cpp.llama_supports_mlock()),
    )


def parse_cpu_features(system_info: str) -> tuple[str, ...]:
    """The features llama.cpp reports as on ("AVX2 = 1 | ..." in its system info)."""
    return tuple(
        name for name, on in re.findall(r"([A-Z][A-Z0-9_]+) = (\d)", system_info) if on == "1"
    )


def _backend_name(system_info: str) -> str:
    for name in GPU_BACKENDS:
        if name.upper() in system_info.upper():
            return name
    return "GPU"


def free_vram_bytes() -> int | None:
    """Free memory of the first NVIDIA GPU, from nvidia-smi; None where it is not known."""
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return None
    try:
        output = subprocess.run(
            [tool, "--query-gpu=memory.free", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
        return int(output.split()[0]) * 1024 * 1024
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def auto_gpu_layers(info: GGUFInfo, n_ctx: int, backend: BackendInfo, free_vram: int | None) -> int:
    """How many layers "GPU layers: auto" offloads: -1 for all, 0 for none.

    CPU builds offload nothing. Metal shares the computer's memory, so everything goes.
    Elsewhere each layer costs its share of the weights plus its KV cache, and layers are
    added while they fit the GPU's free memory (less a reserve for compute buffers).
    """
    if not backend.gpu_offload:
        return 0
    if backend.backend == "Metal":
        return -1
    if free_vram is None or info.block_count <= 0:
        return 0
    per_layer = info.file_size / info.block_count + info.kv_cache_bytes(n_ctx) / info.block_count
    fitting = int(max(0, free_vram - GPU_RESERVE_BYTES) // per_layer)
    return -1 if fitting >= info.block_count else fitting
