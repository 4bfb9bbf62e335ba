"""Live memory figures: this process, the system, and how much of the model file is in RAM.

A sample of the process and system figures costs tens of microseconds, so it runs on the GUI
thread once a second. Reading how much of the model file is mapped in means parsing the
process's memory map (milliseconds with a big model), so that runs in the background.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import psutil
from PySide6.QtCore import QObject, QTimer, Signal

from llamadesk.services.background import JobRunner, unexpected_failure

HISTORY_SECONDS = 300
MAPPED_EVERY = 5  # samples between two reads of the memory map


@dataclass(frozen=True)
class MemorySample:
    """Bytes, at `time` (seconds since the epoch)."""

    time: float
    process_rss: int
    system_used: int
    system_available: int
    system_total: int


def mapped_bytes(path: Path) -> int:
    """How much of `path` this process has in RAM through its memory map."""
    target = str(path)
    try:
        maps = psutil.Process().memory_maps(grouped=True)
    except (psutil.Error, OSError):
        return 0
    return sum(int(entry.rss) for entry in maps if entry.path == target)


class MemoryMonitor(QObject):
    """Samples once a second and keeps the last five minutes.

    Signals:
        sampled(object): a new `MemorySample`.
        mapped(int): bytes of the model file now in RAM.
        mapped_failed(str): reading that failed (a bug, logged); it is not tried again.
    """

    sampled = Signal(object)
    mapped = Signal(int)
    mapped_failed = Signal(str)

    def __init__(self, parent: QObject | None = None, interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self.history: deque[MemorySample] = deque(maxlen=HISTORY_SECONDS * 1000 // interval_ms)
        self.model_path: Path | None = None
        self._process = psutil.Process()
        self._jobs = JobRunner(parent=self)
        self._ticks = 0
        self._map_broken = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.sample_now)

    def start(self) -> None:
        self.sample_now()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._jobs.wait_for_all()

    def sample_now(self) -> MemorySample:
        system = psutil.virtual_memory()
        sample = MemorySample(
            time=time.time(),
            process_rss=int(self._process.memory_info().rss),
            system_used=int(system.total - system.available),
            system_available=int(system.available),
            system_total=int(system.total),
        )
        self.history.append(sample)
        self.sampled.emit(sample)
        if self._ticks % MAPPED_EVERY == 0:
            self._read_mapped()
        self._ticks += 1
        return sample

    def _read_mapped(self) -> None:
        if self.model_path is None or self._map_broken or self._jobs.busy:
            return
        job = self._jobs.start(mapped_bytes, self.model_path)
        job.finished.connect(self._on_mapped)
        job.failed.connect(self._on_map_failed)

    def _on_map_failed(self, error: BaseException) -> None:
        self._map_broken = True  # one report, not one every few seconds
        self.mapped_failed.emit(
            unexpected_failure(error, "Reading how much of the model is in memory")
        )

    def _on_mapped(self, n_bytes: object) -> None:
        assert isinstance(n_bytes, int)
        self.mapped.emit(n_bytes)
