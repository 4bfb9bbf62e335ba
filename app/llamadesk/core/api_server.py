"""The local OpenAI-compatible API server: other programs chat with the loaded model.

Built on Starlette, served by uvicorn: the stack llama-cpp-python's own server uses (its
`[server]` extra brings both), well kept, small (no FastAPI, no pydantic models: the
contract is checked in core/openai_api.py), and asyncio-based, so one server thread holds
any number of waiting clients while the model runs on its own thread. uvicorn runs on a
thread of its own (`ApiServer.start`); requests reach the model through a `Backend`, which
queues them (FIFO, bounded) for the model's thread. Tokens come back through the event loop.

Security: loopback by default, an API key for any other address (checked by the caller
that picks the host, and here on every request when one is set), the body and `max_tokens`
capped, a full queue answers 429, requests name no file (openai_api checks `model`), and
connections that send nothing are closed after `Limits.idle_timeout_s`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import h11
import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from llamadesk.core.api_jobs import (
    ApiJob,
    Backend,
    Chunk,
    Done,
    Event,
    LogEntry,
    NoModel,
    QueueFull,
    Started,
)
from llamadesk.core.openai_api import (
    ApiError,
    CompletionRequest,
    Limits,
    answer_body,
    chunk,
    error_body,
    finish_reason,
    models_body,
    parse_request,
    sse,
    usage_chunk,
)

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """Whether `host` is this computer only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _IdleTimeoutProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, which times out idle keep-alive connections but not a
    connection that never sends a whole request: this one closes those too."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_idle_timeout()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY):  # the request is not whole yet
            self._arm_idle_timeout()

    def _arm_idle_timeout(self) -> None:
        self._unset_keepalive_if_required()
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )


class ApiServer:
    """The HTTP server on a thread of its own. `start()` returns once it accepts requests."""

    def __init__(
        self,
        backend: Backend,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = "",
        limits: Limits | None = None,
        on_log: Callable[[LogEntry], None] | None = None,
    ) -> None:
        if not is_loopback(host) and not api_key:
            raise ValueError(f"Serving on {host} needs an API key: other computers could use it.")
        self.backend = backend
        self.host = host
        self.api_key = api_key
        self.limits = limits or Limits()
        self._on_log = on_log
        self._requested_port = port
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._created = int(time.time())

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"

    def start(self) -> str:
        """Bind and serve; the base URL. Raises OSError (in a sentence) if the port is taken."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._requested_port))
        except OSError as exc:
            sock.close()
            raise OSError(
                f"Could not listen on {self.host}:{self._requested_port}: {exc.strerror}"
            ) from exc
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app(),
            http=_IdleTimeoutProtocol,
            timeout_keep_alive=max(1, round(self.limits.idle_timeout_s)),
            log_config=None,
            access_log=False,  # our own log never holds headers (the API key)
            lifespan="off",
        )
        started = threading.Event()
        server = _Server(config, started)
        self._server = server
        self._thread = threading.Thread(
            target=self._serve, args=(server, sock, started), name="llamadesk-api", daemon=True
        )
        self._thread.start()
        started.wait()
        if not server.started:
            raise OSError(f"The API server could not start on {self.host}:{self.port}.")
        return self.base_url

    def _serve(self, server: uvicorn.Server, sock: socket.socket, started: threading.Event) -> None:
        try:
            server.run(sockets=[sock])
        except BaseException:  # uvicorn exits on failure; the thread must not take the app
            log.exception("The API server stopped")
        finally:
            sock.close()
            started.set()

    def stop(self) -> None:
        """Stop accepting, end open requests (cancelling their answers) and join the thread."""
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._server.force_exit = True
        # Its event loop ends by cancelling the open requests' tasks: their `finally`
        # cancels their answers (tests/test_api_server.py checks it).
        self._thread.join()
        self._server = None

    # The application ---------------------------------------------------------------------

    def app(self) -> Starlette:
        routes = [
            Route("/v1/models", self._models, methods=["GET"]),
            Route("/v1/chat/completions", self._chat, methods=["POST"]),
            Route("/v1/completions", self._completions, methods=["POST"]),
        ]
        return Starlette(
            routes=routes,
            exception_handlers={HTTPException: self._http_error, Exception: self._crash},
        )

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        kind = "not_found_error" if exc.status_code == 404 else "invalid_request_error"
        message = f"{request.method} {request.url.path}: {exc.detail}"
        return JSONResponse(error_body(message, kind), status_code=exc.status_code)

    async def _crash(self, request: Request, exc: Exception) -> Response:
        log.error("The API server failed on %s", request.url.path, exc_info=exc)
        return JSONResponse(error_body("The server failed: see its log.", "server_error"), 500)

    async def _models(self, request: Request) -> Response:
        try:
            self._check_key(request)
            model_id = self._model_id()
        except ApiError as exc:
            return self._refuse(request, exc)
        return JSONResponse(models_body(model_id, self._created))

    async def _chat(self, request: Request) -> Response:
        return await self._answer(request, chat=True)

    async def _completions(self, request: Request) -> Response:
        return await self._answer(request, chat=False)

    async def _answer(self, request: Request, chat: bool) -> Response:
        try:
            self._check_key(request)
            body = await self._read_json(request)
            parsed = parse_request(
                body,
                chat=chat,
                model_id=self._model_id(),
                defaults=self.backend.defaults(),
                limits=self.limits,
            )
            run = _Run(parsed, asyncio.get_running_loop())
            self._submit(run.job)
        except ApiError as exc:
            return self._refuse(request, exc)
        except ClientDisconnect:
            return Response(status_code=400)
        if parsed.stream:
            events = self._stream(run, request)
            return StreamingResponse(events, media_type="text/event-stream")
        return await self._whole(run, request)

    def _submit(self, job: ApiJob) -> None:
        try:
            self.backend.submit(job)
        except QueueFull:
            raise ApiError(
                429,
                f"The model has {self.limits.max_queue} requests waiting; try again shortly.",
                kind="rate_limit_error",
                code="queue_full",
            ) from None
        except NoModel:
            raise self._no_model() from None

    def _model_id(self) -> str:
        model_id = self.backend.model_id()
        if model_id is None:
            raise self._no_model()
        return model_id

    @staticmethod
    def _no_model() -> ApiError:
        return ApiError(
            503,
            "No local model is loaded: load one in LlamaDesk (models it uses on other servers "
            "are not served on).",
            kind="server_error",
        )

    def _check_key(self, request: Request) -> None:
        if not self.api_key:
            return
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), self.api_key.encode()):
            raise ApiError(
                401,
                "Missing or wrong API key: send it as 'Authorization: Bearer KEY'.",
                code="invalid_api_key",
            )

    async def _read_json(self, request: Request) -> object:
        limit = self.limits.max_body_bytes
        too_big = ApiError(413, f"The request body is over {limit} bytes.")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_big
        body = bytearray()
        async for piece in request.stream():
            body += piece
            if len(body) > limit:
                raise too_big
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "The request body is not valid JSON.") from None

    def _refuse(self, request: Request, exc: ApiError) -> Response:
        self._log(request, exc.status, note=exc.message)
        return JSONResponse(exc.body(), status_code=exc.status)

    async def _stream(self, run: _Run, request: Request) -> AsyncIterator[bytes]:
        """The answer as server-sent events. A client that goes away cancels the answer:
        Starlette cancels this generator, and the `finally` tells the model thread."""
        parsed = run.request
        try:
            first = True
            while True:
                event = await run.events.get()
                if isinstance(event, Started):
                    run.queued_ms = event.queued_ms
                elif isinstance(event, Chunk):
                    yield sse(
                        chunk(
                            parsed,
                            answer=event.answer,
                            reasoning=event.reasoning,
                            role=first and parsed.prompt is None,
                            logprobs=event.logprobs,
                        )
                    )
                    first = False
                else:
                    for data in self._last_events(parsed, event):
                        yield data
                    self._log_done(request, run, event)
                    return
        finally:
            run.job.cancel.set()

    def _last_events(self, parsed: CompletionRequest, done: Done) -> list[bytes]:
        stats = done.stats
        if stats.error and not (done.text or done.reasoning):
            return [sse(error_body(stats.error, "server_error")), sse("[DONE]")]
        events = [sse(chunk(parsed, finish=finish_reason(stats)))]
        if parsed.include_usage:
            events.append(sse(usage_chunk(parsed, stats)))
        return [*events, sse("[DONE]")]

    async def _whole(self, run: _Run, request: Request) -> Response:
        """The answer in one JSON body; a client that goes away cancels it."""
        gone = asyncio.ensure_future(_disconnected(request))
        try:
            while True:
                getter = asyncio.ensure_future(run.events.get())
                await asyncio.wait({getter, gone}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    run.job.cancel.set()
                    self._log(request, 499, note="The client went away; the answer was cancelled.")
                    return Response(status_code=499)
                event = getter.result()
                if isinstance(event, Started):
                    run.queued_ms = event.queued_ms
                elif isinstance(event, Done):
                    break
        finally:  # also when the server stops under it
            gone.cancel()
            run.job.cancel.set()
        self._log_done(request, run, event)
        stats = event.stats
        if stats.error and not event.text:
            return JSONResponse(error_body(stats.error, "server_error"), status_code=500)
        body = answer_body(
            run.request, event.text, event.reasoning, stats, finish_reason(stats), event.logprobs
        )
        return JSONResponse(body)

    def _log_done(self, request: Request, run: _Run, done: Done) -> None:
        self._log(
            request,
            500 if done.stats.error and not done.text else 200,
            completion_tokens=done.stats.completion_tokens,
            queued_ms=run.queued_ms,
            total_ms=(time.perf_counter() - run.job.submitted) * 1000.0,
            note=done.stats.error,
        )

    def _log(self, request: Request, status: int, **details: Any) -> None:
        client = request.client.host if request.client else ""
        entry = LogEntry(time.time(), client, request.url.path, status, **details)
        log.info("%s %s %s", client, request.url.path, status)
        if self._on_log is not None:
            self._on_log(entry)


class _Run:
    """One request's side of a job: its events arrive on the server's event loop."""

    def __init__(self, request: CompletionRequest, loop: asyncio.AbstractEventLoop) -> None:
        self.request = request
        self.events: asyncio.Queue[Event] = asyncio.Queue()
        self.queued_ms = 0.0
        self._loop = loop
        self.job = ApiJob(request, self._emit)

    def _emit(self, event: Event) -> None:
        """Called on the model thread."""
        with contextlib.suppress(RuntimeError):  # the server has stopped: no one is listening
            self._loop.call_soon_threadsafe(self.events.put_nowait, event)


async def _disconnected(request: Request) -> None:
    """Returns when the client closes its connection."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


class _Server(uvicorn.Server):
    """uvicorn's server, which says when it accepts requests (or failed to)."""

    def __init__(self, config: uvicorn.Config, started: threading.Event) -> None:
        super().__init__(config)
        self._started = started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._started.set()
