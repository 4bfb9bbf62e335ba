"""Runs a llama.cpp model on a thread of its own, so the window never waits for it.

`ModelHost` lives on the GUI thread and is what the rest of the app talks to. It owns a
QThread and a `_Worker` moved onto it; the worker creates, uses and frees the `Engine`, so
llama.cpp is only ever touched from that one thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThread, Signal, Slot

from llamadesk.core.api_jobs import ApiJob, Done, run_job
from llamadesk.core.engine import (
    AnswerStats,
    AnswerStream,
    ChatMessage,
    Engine,
    EngineError,
    LoadSettings,
    SamplingParams,
    StopReason,
)
from llamadesk.core.gguf_info import GGUFError, GGUFInfo
from llamadesk.core.reasoning import ReasoningFormat, ThinkingChoice
from llamadesk.core.remote import RemoteError, RemoteModel, RemoteStream

# At most this many text updates a second reach the GUI: one per frame at 60 Hz.
MAX_UPDATES_PER_SECOND = 60
# The live speed figures change this often at most: quicker cannot be read, and each
# update costs the GUI thread a relayout that a second llama.cpp thread would feel.
PROGRESS_PER_SECOND = 4

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedModel:
    """What the GUI needs to know about the model in the worker."""

    info: GGUFInfo
    settings: LoadSettings
    # How the model writes reasoning ("none" if it does not) and the thinking settings its
    # chat template takes (() if it has no switch).
    reasoning_format: ReasoningFormat = "none"
    thinking_choices: tuple[ThinkingChoice, ...] = ()
    # The base URL of the server that runs it ("" for this computer); its info.path is then
    # the remote model id, not a file.
    server: str = ""


@dataclass(frozen=True)
class AnswerResult:
    """A finished (or stopped, or failed) answer."""

    request_id: int
    text: str  # the final answer, without the reasoning
    stats: AnswerStats
    params: SamplingParams
    model_file: str
    reasoning: str = ""


def failed_answer(
    request_id: int, params: SamplingParams, model_file: str, message: str, text: str = ""
) -> AnswerResult:
    """The result of an answer that could not be written, with `message` for the user."""
    stats = AnswerStats(0, 0, 0.0, 0.0, 0.0, "error", params.seed, error=message)
    return AnswerResult(request_id, text, stats, params, model_file)


class _Worker(QObject):
    """Lives on the model thread. Every slot here runs there.

    The contract: each `load` ends in exactly one `loaded` or `load_failed`, and each
    `generate` in exactly one `answered`, whatever is raised inside; the host clears its busy
    state on those. An unexpected exception is logged with its traceback and reported as a
    failure in one sentence.
    """

    loaded = Signal(object)  # LoadedModel
    load_failed = Signal(str)
    pieces = Signal(int, str)  # request id, text since the last update
    reasoning = Signal(int, str)  # request id, reasoning since the last update
    progress = Signal(int, float)  # tokens so far, tokens per second
    answered = Signal(object)  # AnswerResult

    def __init__(self) -> None:
        super().__init__()
        self._engine: Engine | RemoteModel | None = None

    @Slot(object, object, bool)
    def load(self, path: Path, settings: LoadSettings, make_demo: bool) -> None:
        try:
            model = self._load(path, settings, make_demo)
        except OSError as exc:
            self.load_failed.emit(f"Could not write the demo model to {path}: {exc.strerror}")
        except (EngineError, GGUFError) as exc:
            self.load_failed.emit(str(exc))
        except Exception as exc:  # the contract: a load always ends in loaded or load_failed
            log.exception("Loading %s failed unexpectedly", path)
            self.load_failed.emit(f"Could not load {path.name}: {_describe(exc)}")
        else:
            self.loaded.emit(model)

    @Slot(str, str, str)
    def connect_remote(self, base_url: str, api_key: str, model_id: str) -> None:
        """Use a model on a server in place of a local one; ends in loaded or load_failed."""
        try:
            remote = RemoteModel.connect(base_url, api_key, model_id)
        except RemoteError as exc:
            self.load_failed.emit(str(exc))
            return
        except Exception as exc:  # the contract: a load always ends in loaded or load_failed
            log.exception("Connecting to %s failed unexpectedly", base_url)
            self.load_failed.emit(f"Could not use {model_id}: {_describe(exc)}")
            return
        if self._engine is not None:
            self._engine.close()
        self._engine = remote
        self.loaded.emit(LoadedModel(remote.info, remote.settings, server=remote.server.base_url))

    @Slot(object)
    def serve(self, job: ApiJob) -> None:
        """Answer one API request (core/api_server.py); it always ends in its `Done`."""
        engine = self._engine
        if job.cancel.is_set() or not isinstance(engine, Engine):
            why = "" if job.cancel.is_set() else "No local model is loaded."
            reason: StopReason = "stopped" if job.cancel.is_set() else "error"
            stats = AnswerStats(0, 0, 0.0, 0.0, 0.0, reason, job.request.params.seed, why)
            job.emit(Done("", "", stats))
            return
        run_job(engine, job)

    def _load(self, path: Path, settings: LoadSettings, make_demo: bool) -> LoadedModel:
        if make_demo and not path.is_file():
            from llamadesk.core.testmodel import write_test_model  # numpy: only when needed

            write_test_model(path)
        engine = Engine.load(path, settings)
        # The old model goes only once the new one works: a bad file keeps the old one usable.
        if self._engine is not None:
            self._engine.close()
        self._engine = engine
        return LoadedModel(
            engine.info, engine.settings, engine.reasoning_format, engine.thinking_choices
        )

    @Slot(int, object, object, object, str)
    def generate(
        self,
        request_id: int,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        cancel: threading.Event,
        thinking: str,
    ) -> None:
        engine = self._engine
        model_file = engine.info.path.name if engine is not None else ""
        try:
            if engine is None:  # the host never asks without a model; answer anyway
                raise EngineError("No model is loaded.")
            result = self._generate(engine, request_id, messages, params, cancel, thinking)
        except EngineError as exc:
            result = failed_answer(request_id, params, model_file, str(exc))
        except Exception as exc:  # the contract: an answer always ends in answered
            result = _unexpected(exc, request_id, params, model_file)
        self.answered.emit(result)

    def _generate(
        self,
        engine: Engine | RemoteModel,
        request_id: int,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        cancel: threading.Event,
        thinking: str,
    ) -> AnswerResult:
        stream = engine.stream(messages, params, cancel, thinking)
        try:
            self._emit_pieces(request_id, stream)
        except Exception as exc:  # what was written so far is kept, with the reason
            return _unexpected(exc, request_id, params, engine.info.path.name, stream.text)
        assert stream.stats is not None
        model_file = engine.info.path.name
        return AnswerResult(
            request_id, stream.text, stream.stats, params, model_file, stream.reasoning
        )

    def _emit_pieces(self, request_id: int, stream: AnswerStream | RemoteStream) -> None:
        interval = 1.0 / MAX_UPDATES_PER_SECOND
        pending: list[str] = []
        thought: list[str] = []
        last_emit = last_progress = 0.0
        for reasoning, answer in stream.parts():
            if reasoning:
                thought.append(reasoning)
            if answer:
                pending.append(answer)
            now = time.perf_counter()
            if now - last_emit >= interval:
                self._emit_text(request_id, thought, pending)
                last_emit = now
            if now - last_progress >= 1.0 / PROGRESS_PER_SECOND:
                self.progress.emit(*stream.progress())
                last_progress = now
        self._emit_text(request_id, thought, pending)

    def _emit_text(self, request_id: int, reasoning: list[str], answer: list[str]) -> None:
        """Send the text gathered since the last update, and start gathering afresh."""
        if reasoning:
            self.reasoning.emit(request_id, "".join(reasoning))
            reasoning.clear()
        if answer:
            self.pieces.emit(request_id, "".join(answer))
            answer.clear()

    @Slot()
    def unload(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None:
            try:
                engine.close()
            except Exception:  # at shutdown there is no one left to tell but the log
                log.exception("Freeing %s failed", engine.info.path.name)


def _unexpected(
    exc: Exception, request_id: int, params: SamplingParams, model_file: str, text: str = ""
) -> AnswerResult:
    log.exception("Answering with %s failed unexpectedly", model_file)
    message = f"The model failed while answering: {_describe(exc)}"
    return failed_answer(request_id, params, model_file, message, text)


def _describe(exc: BaseException) -> str:
    """An unexpected exception in a few words: its message, or at least its kind."""
    return f"{exc} ({type(exc).__name__})" if str(exc) else type(exc).__name__


class ModelHost(QObject):
    """The GUI thread's handle on the model thread.

    Signals:
        loading(str): a model file started loading (its name).
        loaded(LoadedModel): the model is ready; a previous one was freed.
        load_failed(str): the file could not be loaded; the previous model stays.
        pieces(int, str): new text for the answer with that request id.
        reasoning(int, str): new reasoning for the answer with that request id.
        progress(int, float): tokens written so far and tokens per second, while streaming.
        answered(AnswerResult): an answer is complete (finished, stopped or failed).
        busy_changed(bool): the worker started or finished loading or answering.
    """

    loading = Signal(str)
    loaded = Signal(object)
    load_failed = Signal(str)
    pieces = Signal(int, str)
    reasoning = Signal(int, str)
    progress = Signal(int, float)
    answered = Signal(object)
    busy_changed = Signal(bool)

    _load_requested = Signal(object, object, bool)
    _connect_requested = Signal(str, str, str)
    _serve_requested = Signal(object)
    _generate_requested = Signal(int, object, object, object, str)
    _unload_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("llamadesk-model")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._load_requested.connect(self._worker.load)
        self._connect_requested.connect(self._worker.connect_remote)
        self._serve_requested.connect(self._worker.serve)
        self._generate_requested.connect(self._worker.generate)
        self._unload_requested.connect(self._worker.unload)
        self._worker.loaded.connect(self._on_loaded)
        self._worker.load_failed.connect(self._on_load_failed)
        self._worker.pieces.connect(self.pieces)
        self._worker.reasoning.connect(self.reasoning)
        self._worker.progress.connect(self.progress)
        self._worker.answered.connect(self._on_answered)
        self._busy = False
        self._cancel = threading.Event()
        self._next_request = 0
        self.model: LoadedModel | None = None
        self._thread.start()

    @property
    def busy(self) -> bool:
        return self._busy

    def thread_running(self) -> bool:
        return self._thread.isRunning()

    @property
    def model_thread(self) -> QThread:
        """The thread llama.cpp is called from (`llamadesk bench` runs its other paths there
        too, so that all share one OpenMP pool)."""
        return self._thread

    def load(
        self, path: Path, settings: LoadSettings | None = None, *, make_demo: bool = False
    ) -> None:
        """Start loading a model; the answer comes as `loaded` or `load_failed`.

        With `make_demo`, a missing file is first written as the tiny random-weights model.
        """
        if self._busy:
            raise RuntimeError("the model is busy")
        settings = settings or LoadSettings()
        settings.validate()  # here, on the GUI thread: a bad setting never reaches the model
        self._set_busy(True)
        self.loading.emit(Path(path).name)
        self._load_requested.emit(Path(path), settings, make_demo)

    def connect_remote(self, base_url: str, api_key: str, model_id: str) -> None:
        """Use `model_id` on the server at `base_url` as the model; the answer comes as
        `loaded` (its `server` set) or `load_failed`. The key goes to the model thread only."""
        if self._busy:
            raise RuntimeError("the model is busy")
        self._set_busy(True)
        self.loading.emit(model_id)
        self._connect_requested.emit(base_url, api_key, model_id)

    def serve(self, job: ApiJob) -> None:
        """Queue an API request for the model thread; callable from any thread. Qt's queue
        of calls into that thread is first in, first out: the request waits behind the
        chat's answer (and a chat sent meanwhile waits behind it)."""
        self._serve_requested.emit(job)

    def generate(
        self, messages: Sequence[ChatMessage], params: SamplingParams, thinking: str = ""
    ) -> int:
        """Start an answer and return its request id. Needs a loaded model and no busy work.
        `thinking` is one of the model's `thinking_choices` ("" for its template's default).

        Raises:
            EngineError: a sampling value is out of range (checked here, on the GUI thread).
        """
        if self.model is None:
            raise RuntimeError("no model is loaded")
        if self._busy:
            raise RuntimeError("the model is busy")
        params.validate()
        self._next_request += 1
        self._cancel = threading.Event()
        self._set_busy(True)
        self._generate_requested.emit(
            self._next_request, list(messages), params, self._cancel, thinking
        )
        return self._next_request

    def stop(self) -> None:
        """Stop the answer being generated, keeping what was produced. Safe at any time."""
        self._cancel.set()

    def shutdown(self) -> None:
        """Stop any answer, free the model and join the thread; pending results are delivered."""
        if not self._thread.isRunning():
            return
        self.stop()
        self._unload_requested.emit()
        self._thread.quit()
        self._thread.wait()
        # Results the worker queued for us before it stopped (a stopped answer) still count.
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    # The worker's terminal signals. Busy is cleared first (and in a `finally`), so that
    # a listener may start the next job, and one that raises cannot leave the host stuck.

    @Slot(object)
    def _on_loaded(self, model: LoadedModel) -> None:
        self.model = model
        try:
            self._set_busy(False)
        finally:
            self.loaded.emit(model)

    @Slot(str)
    def _on_load_failed(self, message: str) -> None:
        try:
            self._set_busy(False)
        finally:
            self.load_failed.emit(message)

    @Slot(object)
    def _on_answered(self, result: AnswerResult) -> None:
        try:
            self._set_busy(False)
        finally:
            self.answered.emit(result)
