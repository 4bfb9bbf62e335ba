"""The benchmark's GUI path (see core/bench.py): the real main window, answering offscreen.

Each answer goes the way a user's does: a new conversation, the prompt sent through the
composer's signal, the model thread's pieces (coalesced to 60 updates a second) rendered in the
chat view, the answer stored. Time to first token runs from the send to the first text the chat
view was given; tokens per second from the model's first token to the last text shown.

Each measured run is two answers. The first is timed. During the second, a probe timer asks
the event loop to run every `PROBE_INTERVAL_MS`: how late each tick comes is how long the loop
could not run (busy in a handler, or the GUI thread waiting for a core), which a user feels as
a stall. The probe is kept out of the timed answer because it costs what it measures: its
500 wake-ups a second take a core from llama.cpp's threads when no core is idle (12% fewer
tokens/s at 2 threads on 2 cores); that answer's speed is reported as
``probed_tokens_per_second``.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    Qt,
    QThread,
    QTimer,
    Signal,
    SignalInstance,
    Slot,
)
from PySide6.QtWidgets import QApplication

from llamadesk.core.bench import (
    BenchConfig,
    BenchError,
    LoadedPath,
    Run,
    cpu_ms_per_token,
    decode_rate,
    percentile,
)
from llamadesk.core.paths import AppPaths
from llamadesk.core.settings import ModelDefaults, Settings, save_settings
from llamadesk.core.store import Message
from llamadesk.services.model_host import LoadedModel
from llamadesk.services.waiting import StepFailed, wait_for
from llamadesk.ui.app import AppParts, application, build

PROBE_INTERVAL_MS = 2
STEP_TIMEOUT_MS = 600_000  # a long answer from a big model on a slow machine

T = TypeVar("T")


class ThreadCaller(QObject):
    """Runs functions on a QThread's event loop, for a caller on another thread that waits.

    The bench's other paths answer on the app's model thread through it (core/bench.py's
    `run_bench` says why). The caller blocks: nothing on the GUI thread may be needed by
    the work.
    """

    _call = Signal(object)

    def __init__(self, thread: QThread) -> None:
        super().__init__()
        self.moveToThread(thread)
        thread.finished.connect(self.deleteLater)
        self._call.connect(self._run)  # queued: this object lives on the other thread

    def run(self, work: Callable[[], T]) -> T:
        done: Future[T] = Future()
        self._call.emit((work, done))
        return done.result()

    @Slot(object)
    def _run(self, job: tuple[Callable[[], object], Future[object]]) -> None:
        work, done = job
        try:
            done.set_result(work())
        except BaseException as error:  # handed to the caller, who raises it
            done.set_exception(error)


class StallProbe(QObject):
    """A timer due every ``interval_ms`` that records how late each of its ticks comes."""

    def __init__(self, interval_ms: int) -> None:
        super().__init__()
        self.interval_ms = interval_ms
        self.lateness_ms: list[float] = []
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.lateness_ms = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        # Qt does not queue the ticks it missed: one late tick spans the whole stall.
        self.lateness_ms.append(max(0.0, (now - self._last) * 1000.0 - self.interval_ms))
        self._last = now


@contextmanager
def gui_path(config: BenchConfig) -> Iterator[LoadedPath]:
    """The whole app on a scratch home: the model loads through the window, and is freed,
    with the model thread joined, on exit."""
    with loaded_app(config) as (parts, model):
        probe = StallProbe(PROBE_INTERVAL_MS)
        caller = ThreadCaller(parts.host.model_thread)
        clock = _thread_cpu_clock(caller.run(threading.get_ident))
        yield LoadedPath(
            model.settings,
            lambda: _timed_and_probed(parts, config.prompt, probe, clock),
            caller.run,
        )


@contextmanager
def loaded_app(config: BenchConfig) -> Iterator[tuple[AppParts, LoadedModel]]:
    """The app's parts on a scratch home, its window shown and ``config``'s model loaded
    through it; closed (the model freed, its thread joined) on exit. The benchmarks that
    time the GUI path start from this too."""
    if QApplication.instance() is None:
        # Figures from a real screen would depend on its compositor; the issue asks offscreen.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    application()
    with tempfile.TemporaryDirectory(prefix="llamadesk-bench-") as scratch:
        parts = build(_scratch_home(Path(scratch), config))
        try:
            window, host = parts.window, parts.host
            window.show()
            model = _wait_for(
                lambda: window.load_model(config.model),
                host.loaded,
                host.load_failed,
                "loading the model",
            )
            assert isinstance(model, LoadedModel)
            yield parts, model
        finally:
            parts.close()


def _scratch_home(root: Path, config: BenchConfig) -> AppPaths:
    """Empty folders under ``root`` (never the user's chats) whose settings load and sample
    as ``config`` says: the window reads them as it would the user's."""
    paths = AppPaths(data=root / "data", config=root / "config", cache=root / "cache").ensure()
    defaults = ModelDefaults(load=config.load_settings(), sampling=config.sampling())
    save_settings(paths.settings_file, Settings(defaults=defaults))
    return paths


def _thread_cpu_clock(thread_id: int) -> Callable[[], float] | None:
    """A function that reads that thread's CPU time in seconds (None where the system
    cannot tell one thread's time from another's)."""
    if not hasattr(time, "pthread_getcpuclockid"):
        return None
    clock = time.pthread_getcpuclockid(thread_id)
    return lambda: time.clock_gettime(clock)


def _timed_and_probed(
    parts: AppParts, prompt: str, probe: StallProbe, model_clock: Callable[[], float] | None
) -> Run:
    """One timed answer, with the stalls of another answered under the probe."""
    timed = _answer(parts, prompt, model_clock=model_clock)
    probed = _answer(parts, prompt, probe)
    stalls = {
        "stall_p99_ms": percentile(probe.lateness_ms, 0.99),
        "stall_max_ms": max(probe.lateness_ms, default=0.0),
        "probed_tokens_per_second": probed.tokens_per_second,
    }
    return replace(timed, extra={**timed.extra, **stalls})


def _answer(
    parts: AppParts,
    prompt: str,
    probe: StallProbe | None = None,
    model_clock: Callable[[], float] | None = None,
) -> Run:
    window, session = parts.window, parts.session
    # A new conversation each time: no history, so the prompt's tokens are the other paths'.
    window.conversation_list.new_requested.emit()
    # The window shows it before the prompt is sent, as it has when a user sends: else the
    # previous answer's bubbles, deleted and laid out again, counted in this one's first token.
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
    shown: list[float] = []

    def on_text(_conversation: int, _text: str) -> None:
        shown.append(time.perf_counter())

    # Connected after the window's own slot, so it runs once the chat view has the text.
    session.answer_text.connect(on_text)
    cpu_started = time.process_time()
    model_started = model_clock() if model_clock is not None else 0.0
    started = time.perf_counter()
    if probe is not None:
        probe.start()
    try:
        message = _wait_for(
            lambda: window.composer.send_requested.emit(prompt),
            session.answer_saved,
            session.error,
            "the answer",
        )
    finally:
        if probe is not None:
            probe.stop()
        session.answer_text.disconnect(on_text)
    assert isinstance(message, Message)
    if not shown:
        raise BenchError("The GUI path showed no text: the answer was empty.")
    stats = message.answer_stats
    if stats is None:
        raise BenchError("The GUI path stored the answer without its figures.")
    tokens = stats.completion_tokens
    # The model thread made its first token no earlier than this. Timing the decode from
    # here, not from the first text shown, keeps a late first update (the GUI busy) from
    # shortening the decode time; what remains of the delivery's delay counts against us.
    first_made = started + stats.ttft_ms / 1000.0
    extra = {
        # The engine's own figure on the model thread: apart from the GUI's, it tells a
        # slower decode (the GUI thread taking a core) from a slower delivery.
        "worker_tokens_per_second": float(stats.tokens_per_second),
        "updates": len(shown),
        "cpu_ms_per_token": cpu_ms_per_token(cpu_started, tokens),
    }
    if model_clock is not None:
        model_ms = (model_clock() - model_started) * 1000.0
        extra["compute_thread_cpu_ms_per_token"] = model_ms / max(tokens, 1)
    return Run(
        text=message.content,
        tokens=tokens,
        ttft_ms=(shown[0] - started) * 1000.0,
        tokens_per_second=decode_rate(tokens, first_made, shown[-1]),
        extra=extra,
    )


def _wait_for(
    start: Callable[[], None], success: SignalInstance, failure: SignalInstance, what: str
) -> object:
    """Call `start` and run the event loop until `success` fires; return its argument."""
    try:
        return wait_for(start, success, failure, STEP_TIMEOUT_MS)
    except TimeoutError:
        raise BenchError(f"Timed out waiting for {what} in the GUI path.") from None
    except StepFailed as exc:
        raise BenchError(f"The GUI path failed at {what}: {exc.args[0]}") from None
