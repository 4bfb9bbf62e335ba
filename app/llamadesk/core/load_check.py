"""Before a model loads: will it fit, and if not, what context would?

llama.cpp asked for more memory than there is either fails deep inside a load or, worse,
makes the system swap until it crawls. Checking the estimate first lets the app say so with
figures, and offer a shorter context that does fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from llamadesk.core.adapters import resolve_adapter
from llamadesk.core.engine import KV_BYTES_PER_ELEMENT, LoadSettings, resolve_context
from llamadesk.core.gguf_info import GGUFInfo, read_gguf_info
from llamadesk.core.memory import FitLevel, FitVerdict, SystemMemory, estimate_memory, judge_fit

# Shorter than this, a chat model is of little use; don't offer it.
SMALLEST_USEFUL_CONTEXT = 512
CONTEXT_STEP = 256


@dataclass(frozen=True)
class LoadCheck:
    """The verdict for the settings asked for, and the longest context that would fit."""

    info: GGUFInfo
    verdict: FitVerdict
    fitting_context: int  # 0 when not even SMALLEST_USEFUL_CONTEXT fits

    @property
    def fits(self) -> bool:
        return self.verdict.level is FitLevel.FITS


def check_load(path: Path, settings: LoadSettings, system: SystemMemory | None = None) -> LoadCheck:
    """Judge loading `path` with `settings` on this computer (reads the header: off the GUI
    thread). Raises `GGUFError` for a file that cannot be loaded at all."""
    # An adapter is judged by its base: it adds a few MB to it.
    info = read_gguf_info(resolve_adapter(path)[0])
    system = system or SystemMemory.probe()
    verdict = _verdict(info, settings, resolve_context(settings, info), system)
    return LoadCheck(info, verdict, _fitting_context(info, settings, system))


def memory_refusal(check: LoadCheck) -> str:
    """Why a model far too big for this computer should not be loaded; "" when it may be.

    For a caller that cannot ask (the CLI): a tight fit is left to the user's risk, but a model
    that needs more memory than the computer has would page for minutes, then fail vaguely.
    """
    if check.verdict.level is not FitLevel.TOO_BIG:
        return ""
    hint = (
        f" A context of {check.fitting_context:,} tokens would fit (--ctx {check.fitting_context})."
        if check.fitting_context
        else " Pick a smaller model or a smaller quantization."
    )
    return (
        f"{check.info.path.name} needs more memory than this computer has. "
        f"{check.verdict.explain()}{hint}"
    )


def _verdict(
    info: GGUFInfo, settings: LoadSettings, n_ctx: int, system: SystemMemory
) -> FitVerdict:
    estimate = estimate_memory(
        info,
        n_ctx,
        n_gpu_layers=settings.n_gpu_layers if system.gpu else 0,
        kv_bytes_per_element=KV_BYTES_PER_ELEMENT[settings.kv_cache_type],
        n_batch=settings.n_batch,
    )
    return judge_fit(estimate, system)


def _fitting_context(info: GGUFInfo, settings: LoadSettings, system: SystemMemory) -> int:
    """The longest context (in steps of 256, up to the model's own) that fits comfortably."""
    longest = max(info.context_length, SMALLEST_USEFUL_CONTEXT)
    low, high, best = SMALLEST_USEFUL_CONTEXT // CONTEXT_STEP, longest // CONTEXT_STEP, 0
    while low <= high:  # memory grows with the context, so bisect
        middle = (low + high) // 2
        if _verdict(info, settings, middle * CONTEXT_STEP, system).level is FitLevel.FITS:
            best, low = middle * CONTEXT_STEP, middle + 1
        else:
            high = middle - 1
    return best
