"""Predicted decoding speed: memory bandwidth over the bytes read per token.

Producing a token reads every active weight once, and the KV cache of the tokens so far, so on
a CPU it is bound by memory bandwidth (REFERENCE.md section 6):

    tokens/s = bandwidth / (active parameters x bits per weight / 8 + KV cache read)

The bandwidth is measured once per thread count on this computer (`measure_bandwidth`: numpy
copies, best of a few, well under a second) and cached in the data folder. Real answers then
correct the prediction: `SpeedCalibration` keeps, per architecture and quantization, the median
of measured / predicted over the latest answers.
"""

from __future__ import annotations

import os
import platform
import statistics
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from llamadesk.core.gguf_info import GGUFInfo
from llamadesk.core.jsonfile import read_json, write_json_atomic
from llamadesk.core.kv_layout import SWA_FULL, KVLayout

BANDWIDTH_FILE = "bandwidth.json"
# Tokens already in the context when a typical answer is half written: a short prompt and
# a few hundred tokens of answer. The KV read per token grows with it.
TYPICAL_CONTEXT = 512
_BUFFER_BYTES = 48 << 20  # copied from, and as much copied to: more than a CPU cache holds
_REPEATS = 4
_TIME_BUDGET = 0.3  # seconds of copying; at least two rounds are kept whatever it takes
_CALIBRATION_WINDOW = 20  # answers per (architecture, quantization) kept for the median
GPU_UNKNOWN = (
    "The GPU's speed cannot be predicted: llama.cpp does not report its memory bandwidth. "
    "The figure is for the CPU."
)


def measure_bandwidth(threads: int = 1, *, buffer_bytes: int = _BUFFER_BYTES) -> float:
    """Bytes per second this computer's memory moves, with ``threads`` threads copying at once.

    Each thread copies its own buffer (numpy releases the GIL while it copies); a copy reads
    and writes every byte, so it counts twice. The best of a few rounds is kept: other
    programs only ever slow a round down.
    """
    import numpy as np

    threads = max(1, threads)
    share = max(buffer_bytes // threads, 1 << 20)
    # Written, so that every page is real memory (a fresh zero page would read from cache).
    sources = [np.ones(share, dtype=np.uint8) for _ in range(threads)]
    targets = [np.empty(share, dtype=np.uint8) for _ in range(threads)]
    best = float("inf")
    began = time.perf_counter()
    for round_number in range(_REPEATS):
        if round_number >= 2 and time.perf_counter() - began > _TIME_BUDGET:
            break
        barrier = threading.Barrier(threads + 1)

        def copy(index: int, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            np.copyto(targets[index], sources[index])

        workers = [threading.Thread(target=copy, args=(i,)) for i in range(threads)]
        for worker in workers:
            worker.start()
        started = time.perf_counter()
        barrier.wait()
        for worker in workers:
            worker.join()
        best = min(best, time.perf_counter() - started)
    return 2 * share * threads / best


def machine_key() -> str:
    """What the cached figure belongs to: a copied data folder on another computer re-measures."""
    return f"{platform.node()}|{platform.machine()}|{os.cpu_count()}"


def cached_bandwidth(data_dir: Path, threads: int) -> float | None:
    """The bandwidth measured earlier on this computer with ``threads`` threads, if any."""
    document = read_json(data_dir / BANDWIDTH_FILE)
    if not isinstance(document, dict) or document.get("machine") != machine_key():
        return None
    figures = document.get("bytes_per_second")
    value = figures.get(str(threads)) if isinstance(figures, dict) else None
    return float(value) if isinstance(value, (int, float)) and value > 0 else None


def bandwidth(data_dir: Path, threads: int, *, remeasure: bool = False) -> float:
    """The cached bandwidth for ``threads`` threads, measured (and cached) when there is none.

    With ``remeasure`` it is measured again and the better figure kept: a measurement taken
    while other programs were busy is too low, and must not stay so for good.
    Takes a fraction of a second when it measures: call it off the GUI thread.
    """
    known = cached_bandwidth(data_dir, threads)
    if known is not None and not remeasure:
        return known
    measured = max(measure_bandwidth(threads), known or 0.0)
    document = read_json(data_dir / BANDWIDTH_FILE)
    figures: dict[str, float] = {}
    if isinstance(document, dict) and document.get("machine") == machine_key():
        old = document.get("bytes_per_second")
        figures = dict(old) if isinstance(old, dict) else {}
    figures[str(threads)] = measured
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(
            data_dir / BANDWIDTH_FILE, {"machine": machine_key(), "bytes_per_second": figures}
        )
    except OSError:
        pass  # the figure still serves this time; the next start measures again
    return measured


@dataclass(frozen=True)
class ModelTraffic:
    """What one decoded token reads: the active weights, and the KV cache per token of context.

    Args:
        weight_bytes: bytes of the weights read per token (mixtures of experts: the active
            experts only).
        kv_bytes_per_token: bytes of K and V per token in the context, over all full layers.
        layout: which layers keep a cache (sliding-window layers read at most a window).
    """

    weight_bytes: float
    kv_bytes_per_token: float
    layout: KVLayout | None = None

    def bytes_per_token(self, n_past: int = TYPICAL_CONTEXT) -> float:
        """Bytes read to produce one token with ``n_past`` tokens already in the context."""
        return self.weight_bytes + self.kv_read(n_past)

    def kv_read(self, n_past: int, swa_full: bool = SWA_FULL) -> float:
        """Bytes of K and V read per token. A full-size window cache is read whole: llama.cpp
        masks the tokens outside the window rather than skipping them."""
        layout = self.layout
        if layout is None or not layout.kv_layers or swa_full:
            return self.kv_bytes_per_token * n_past
        per_layer = self.kv_bytes_per_token / layout.kv_layers
        full_layers = layout.kv_layers - layout.sliding_layers
        window = min(n_past, layout.sliding_window) if layout.sliding_window else n_past
        return per_layer * (full_layers * n_past + layout.sliding_layers * window)

    @classmethod
    def of_model(
        cls,
        weight_bytes: float,
        kv_dims_per_layer: int,
        layout: KVLayout,
        bytes_per_element: float = 2,
    ) -> ModelTraffic:
        """From the weights read and n_head_kv * (key + value length) of each KV layer."""
        kv_per_token = kv_dims_per_layer * layout.kv_layers * bytes_per_element
        return cls(weight_bytes, kv_per_token, layout)

    @classmethod
    def of_file(cls, info: GGUFInfo) -> ModelTraffic:
        """The traffic of a model on disk: its file, scaled to the active share of weights."""
        active_share = (
            info.active_parameter_count / info.parameter_count if info.parameter_count else 1.0
        )
        return cls.of_model(
            info.file_size * active_share,
            info.head_count_kv * (info.key_length + info.value_length),
            info.kv_layout or KVLayout.full(info.block_count),
        )


def predict_tokens_per_second(
    traffic: ModelTraffic, bandwidth_bytes_per_second: float, n_past: int = TYPICAL_CONTEXT
) -> float:
    """The decode speed memory bandwidth allows, before any correction."""
    return bandwidth_bytes_per_second / traffic.bytes_per_token(n_past)


@dataclass(frozen=True)
class SpeedSample:
    """One answer's measured speed, with what was predicted for its model then."""

    architecture: str
    quantization: str
    model: str  # the model file's name, as the chat history keeps it
    measured: float
    predicted: float


class SpeedCalibration:
    """Corrections learnt from real answers, per (architecture, quantization).

    The correction is the median of measured / predicted over the latest answers: one slow
    answer (another program busy meanwhile) moves it little. A model whose architecture and
    quantization have not run yet (most of the catalog) gets the correction of its
    quantization, or else of all answers on this computer: what its memory and threads
    achieve against the copy that measured its bandwidth.
    """

    def __init__(self, samples: Iterable[SpeedSample] = ()) -> None:
        self._ratios: dict[tuple[str, str], list[float]] = {}
        self._measured: dict[str, list[float]] = {}
        for sample in samples:
            self.add(sample)

    def add(self, sample: SpeedSample) -> None:
        if sample.measured <= 0 or sample.predicted <= 0:
            return
        architecture, quantization = _key(sample.architecture, sample.quantization)
        for key in ((architecture, quantization), ("", quantization), ("", "")):
            _keep_latest(self._ratios.setdefault(key, []), sample.measured / sample.predicted)
        _keep_latest(self._measured.setdefault(sample.model, []), sample.measured)

    def ratio(self, architecture: str, quantization: str) -> float | None:
        """Measured / predicted for such models here (or the nearest kind that has run), or
        None before any answer."""
        architecture, quantization = _key(architecture, quantization)
        for key in ((architecture, quantization), ("", quantization), ("", "")):
            ratios = self._ratios.get(key)
            if ratios:
                return statistics.median(ratios)
        return None

    def corrected(self, predicted: float, architecture: str, quantization: str) -> float:
        """``predicted`` corrected by what answers of such models measured (if any)."""
        ratio = self.ratio(architecture, quantization)
        return predicted * ratio if ratio is not None else predicted

    def measured(self, model: str) -> float | None:
        """The median speed this model file's answers reached, if it has run."""
        speeds = self._measured.get(model)
        return statistics.median(speeds) if speeds else None


def in_folders(*folders: Path) -> Callable[[str], Path | None]:
    """A ``locate`` for `calibration_from_answers`: the first of ``folders`` holding the file."""

    def locate(name: str) -> Path | None:
        return next((f / name for f in folders if (f / name).is_file()), None)

    return locate


def _keep_latest(values: list[float], value: float) -> None:
    values.append(value)
    del values[:-_CALIBRATION_WINDOW]


def _key(architecture: str, quantization: str) -> tuple[str, str]:
    return architecture.lower(), quantization.upper()


def describe_speed(predicted: float, measured: float | None = None) -> str:
    """ "about 24 tokens/s on this computer", with the measured speed once the model has run."""
    text = f"about {_rounded(predicted)} tokens/s on this computer"
    if measured is not None:
        text += f" (measured {_rounded(measured)})"
    return text


def _rounded(speed: float) -> str:
    # Two significant figures: the prediction is not more precise than that.
    if speed >= 10:
        return f"{round(speed, -1 if speed >= 100 else 0):.0f}"
    return f"{speed:.1f}"


def calibration_from_answers(
    answers: Iterable[tuple[str, float]],
    bandwidth_bytes_per_second: float,
    locate: Callable[[str], Path | None],
) -> SpeedCalibration:
    """The corrections the answers of the chat history teach: each answer's speed against the
    prediction for its model file.

    The history names a model by its file name; ``locate`` finds that file (in the models
    folder, say), or gives None. Files that are gone or unreadable are skipped. Reads each
    file's header once: call it off the GUI thread.
    """
    from llamadesk.core.gguf_info import GGUFError, read_gguf_info

    headers: dict[str, GGUFInfo | None] = {}
    calibration = SpeedCalibration()
    for model, measured in answers:
        if model not in headers:
            path = locate(model)
            try:
                headers[model] = read_gguf_info(path) if path is not None else None
            except GGUFError:
                headers[model] = None
        info = headers[model]
        if info is None:
            continue
        predicted = predict_tokens_per_second(
            ModelTraffic.of_file(info), bandwidth_bytes_per_second
        )
        calibration.add(
            SpeedSample(info.architecture, info.quantization, model, measured, predicted)
        )
    return calibration


@dataclass(frozen=True)
class SpeedContext:
    """What predicting a speed on this computer needs: its bandwidth, and the corrections."""

    bandwidth: float  # bytes per second, with ``threads`` threads
    threads: int
    calibration: SpeedCalibration

    def describe(
        self, traffic: ModelTraffic, architecture: str, quantization: str, model: str = ""
    ) -> str:
        """ "about N tokens/s on this computer", corrected, with the measured speed of
        ``model`` (a file name) once it has run."""
        predicted = predict_tokens_per_second(traffic, self.bandwidth)
        corrected = self.calibration.corrected(predicted, architecture, quantization)
        return describe_speed(corrected, self.calibration.measured(model) if model else None)


def load_speed_context(
    data_dir: Path,
    database: Path,
    model_folders: Iterable[Path],
    threads: int,
    *,
    remeasure: bool = False,
) -> SpeedContext:
    """The bandwidth (measured on first use, or again with ``remeasure``) and the
    corrections the chat history teaches.

    Reads files and may measure for a fraction of a second: run it off the GUI thread.
    """
    from llamadesk.core.store import Store, StoreError

    per_second = bandwidth(data_dir, threads, remeasure=remeasure)
    answers: list[tuple[str, float]] = []
    if database.exists():
        try:
            with Store(database) as store:
                answers = store.answer_speeds()
        except StoreError:
            pass  # no history to learn from: the plain predictions stand
    locate = in_folders(*model_folders)
    return SpeedContext(per_second, threads, calibration_from_answers(answers, per_second, locate))
