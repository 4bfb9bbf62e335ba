"""Requests for the model thread, from the API server: queued, answered, always ended.

Light on purpose (no HTTP library): the app's model thread imports it at start-up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from llamadesk.core.engine import AnswerStats, Engine, SamplingParams, _StreamingText
from llamadesk.core.openai_api import CompletionRequest, Limits

log = logging.getLogger(__name__)


class QueueFull(Exception):
    """The model has as many requests waiting as the server allows."""


class NoModel(Exception):
    """No model is loaded to answer with."""


@dataclass(frozen=True)
class Started:
    """The model took the job: it waited this long in the queue."""

    queued_ms: float


@dataclass(frozen=True)
class Done:
    """The job ended (finished, stopped, or failed with `stats.error`)."""

    text: str
    reasoning: str
    stats: AnswerStats
    logprobs: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class Chunk:
    """What the answer added: reasoning, answer text, and its tokens' log probabilities
    (None unless the request asked for them)."""

    reasoning: str
    answer: str
    logprobs: list[dict[str, Any]] | None = None


Event = Started | Chunk | Done


@dataclass
class ApiJob:
    """One request for the model thread. `emit` is safe to call from any thread."""

    request: CompletionRequest
    emit: Callable[[Event], None]
    cancel: threading.Event = field(default_factory=threading.Event)
    submitted: float = field(default_factory=time.perf_counter)


class Backend(Protocol):
    """Where jobs run: the CLI's own model thread, or the app's (services/api_bridge.py)."""

    def model_id(self) -> str | None:
        """The served model's id; None while none is loaded."""

    def defaults(self) -> SamplingParams:
        """The sampling settings a request's own values apply on top of."""

    def submit(self, job: ApiJob) -> None:
        """Queue `job` for the model thread, or raise `QueueFull` / `NoModel`."""


def model_id_for(engine: Engine) -> str:
    """The id a model is served under: its file name without the extension."""
    return engine.info.path.stem


def run_job(engine: Engine, job: ApiJob) -> None:
    """Answer one job on the model's thread; always ends with one `Done`."""
    request = job.request
    job.emit(Started((time.perf_counter() - job.submitted) * 1000.0))
    stop = _StreamingText(request.stop)  # holds back what may begin a stop word
    answer: list[str] = []
    matched = False
    stream = engine.stream(
        request.messages,
        request.params,
        job.cancel,
        prompt=request.prompt,
        top_logprobs=request.top_logprobs if request.logprobs else None,
    )
    sent = 0  # log probabilities already sent

    def send(reasoning: str, text: str) -> None:
        nonlocal sent
        found = stream.logprobs
        new = None if found is None else found[sent:]
        sent = sent if found is None else len(found)
        answer.append(text)
        job.emit(Chunk(reasoning, text, new))

    try:
        for reasoning, text in stream.parts():
            shown = ""
            if text and not matched:
                shown, matched = stop.add(text.encode("utf-8"))
                if matched:
                    job.cancel.set()  # stops before the next token
            if reasoning or shown:
                send(reasoning, shown)
        if not matched:
            rest = stop.flush()
            if rest:
                send("", rest)
    except Exception as exc:  # the job must end in Done, whatever happens
        log.exception("An API answer failed")
        stats = AnswerStats(0, 0, 0.0, 0.0, 0.0, "error", 0, error=f"The model failed: {exc}")
        job.emit(Done("".join(answer), stream.reasoning, stats))
        return
    assert stream.stats is not None
    text = "".join(answer) if request.stop else stream.text
    job.emit(Done(text, stream.reasoning, stream.stats, stream.logprobs))


class EngineBackend:
    """A model thread of its own with a bounded FIFO queue (`llamadesk serve`)."""

    def __init__(self, engine: Engine, limits: Limits, defaults: SamplingParams) -> None:
        self._engine = engine
        self._defaults = defaults
        self._jobs: list[ApiJob] = []
        self._limit = limits.max_queue
        self._ready = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="llamadesk-model", daemon=True)
        self._thread.start()

    def model_id(self) -> str | None:
        return model_id_for(self._engine)

    def defaults(self) -> SamplingParams:
        return self._defaults

    def submit(self, job: ApiJob) -> None:
        with self._ready:
            if len(self._jobs) >= self._limit:
                raise QueueFull
            self._jobs.append(job)
            self._ready.notify()

    def close(self) -> None:
        """Cancel what waits or runs, and end the thread (the caller closes the engine)."""
        with self._ready:
            self._closed = True
            for job in self._jobs:
                job.cancel.set()
            self._ready.notify()
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._jobs and not self._closed:
                    self._ready.wait()
                if self._closed:
                    return
                job = self._jobs.pop(0)
            run_job(self._engine, job)


@dataclass(frozen=True)
class LogEntry:
    """One request, for the app's request log."""

    at: float  # time.time()
    client: str
    path: str
    status: int
    completion_tokens: int = 0
    queued_ms: float = 0.0
    total_ms: float = 0.0
    note: str = ""
