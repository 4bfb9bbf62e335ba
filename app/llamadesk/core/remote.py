"""Models on someone else's OpenAI-compatible server (llama-server, vLLM, Ollama, …).

httpx2 rather than the `openai` client: huggingface-hub already brings it, so the app gets
no new dependency, and reading the server-sent events ourselves lets every fault (a server
that is down, refuses the key, stalls, or sends something else than SSE) end in one sentence
while the answer written so far is kept. `RemoteStream` has `AnswerStream`'s interface, so
the chat, the CLI and storage treat a remote answer as a local one.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import httpx2

from llamadesk.core.engine import (
    AnswerStats,
    ChatMessage,
    LoadSettings,
    SamplingParams,
    StopReason,
)
from llamadesk.core.gguf_info import GGUFInfo
from llamadesk.core.reasoning import Delta, ReasoningFormat, ThinkingChoice
from llamadesk.core.remote_identity import RemoteIdentity, identity_from_entry

CONNECT_TIMEOUT_S = 5.0
# A server that sends nothing for this long while answering is taken to have stalled.
READ_TIMEOUT_S = 60.0


class RemoteError(Exception):
    """A server that could not be used, in one sentence for the user."""


@dataclass(frozen=True)
class Capabilities:
    """What a server offers, probed once when it is added.

    Args:
        models: the ids of its models.
        logprobs: whether /completions returns `top_logprobs` (a quality reference needs them).
        streaming: whether it streams answers as server-sent events (the chat needs that).
        identities: what its models are, where its answers say (see `remote_identity`).
    """

    models: tuple[str, ...]
    logprobs: bool
    streaming: bool = True
    identities: tuple[RemoteIdentity, ...] = ()


NO_LOGPROBS = (
    "it returns no top_logprobs for /v1/completions, so there is nothing to compare a "
    "local model's predictions with"
)
NO_STREAMING = "it does not stream answers (server-sent events), so the chat cannot use it"


class RemoteServer:
    """One server: its base URL (ending in /v1, usually) and optional API key. The key is
    sent in a header only, never logged or put in a message."""

    def __init__(self, base_url: str, api_key: str = "", read_timeout_s: float = READ_TIMEOUT_S):
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        timeout = httpx2.Timeout(read_timeout_s, connect=CONNECT_TIMEOUT_S)
        self._client = httpx2.Client(headers=headers, timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def models(self) -> list[str]:
        """The ids of the models the server offers."""
        return [str(entry["id"]) for entry in self._model_entries()]

    def _model_entries(self) -> list[dict[str, Any]]:
        body = self._json(self._request("GET", "/models"))
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise RemoteError(f"{self.base_url}/models did not list models as OpenAI's API does.")
        return [m for m in data if isinstance(m, dict) and "id" in m]

    def probe(self) -> Capabilities:
        """The models and what they are where the server says, and what the first one
        offers: top log probabilities on /completions (what a quality reference needs) and
        streamed chat answers."""
        entries = self._model_entries()
        models = tuple(str(entry["id"]) for entry in entries)
        if not models:  # nothing to ask: saved as it is, with no models to pick
            return Capabilities((), False)
        try:
            logprobs = bool(self.next_token_logprobs(models[0], "Hi", 2)[0])
        except RemoteError:
            logprobs = False
        path = self._llama_server_model_path() if len(entries) == 1 else ""
        found = (identity_from_entry(entry, path) for entry in entries)
        identities = tuple(identity for identity in found if identity is not None)
        return Capabilities(models, logprobs, self._streams(models[0]), identities)

    def _llama_server_model_path(self) -> str:
        """The GGUF file llama-server runs (its /props, beside /v1), even behind an alias;
        "" from any other server."""
        root = self.base_url.removesuffix("/v1")
        try:
            props = self._client.get(root + "/props")
            path = props.json().get("model_path") if props.status_code == 200 else None
        except (httpx2.HTTPError, ValueError, AttributeError):
            return ""
        return path if isinstance(path, str) else ""

    def _streams(self, model: str) -> bool:
        """Whether a one-token chat answer comes back as server-sent events."""
        body = {
            "model": model,
            "messages": [{"role": "user", "content": "Hi"}],
            "max_tokens": 1,
            "stream": True,
        }
        try:
            response = self.open_stream(body)
        except RemoteError:
            return False
        try:
            return any(line.startswith("data:") for line in response.iter_lines())
        except httpx2.HTTPError:
            return False
        finally:
            response.close()

    def next_token_logprobs(
        self, model: str, prompt: str, top_k: int
    ) -> tuple[dict[str, float], int | None]:
        """The server's `top_k` most likely next tokens after `prompt` (raw text, no chat
        template) as {token text: log probability}, and how many tokens it read the prompt
        as (None where it does not say). An empty dict: it returns no log probabilities."""
        body = {
            "model": model,
            "prompt": prompt,
            "max_tokens": 1,
            "temperature": 0,
            "logprobs": top_k,
        }
        answer = self._json(self._request("POST", "/completions", json=body))
        try:
            choice = answer["choices"][0]
            top = _first_top_logprobs(choice.get("logprobs"))
            usage = answer.get("usage") or {}
            read = usage.get("prompt_tokens")
        except (KeyError, IndexError, TypeError, AttributeError):
            shape = f"{self.base_url}/completions answered in an unknown shape."
            raise RemoteError(shape) from None
        return top, int(read) if isinstance(read, int) else None

    def stream(
        self,
        model: str,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        cancel: threading.Event | None = None,
    ) -> RemoteStream:
        return RemoteStream(self, model, messages, params, cancel)

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        try:
            response = self._client.request(method, self.base_url + path, **kwargs)
        except httpx2.HTTPError as exc:
            raise RemoteError(self.describe(exc)) from None
        self.check(response)
        return response

    def _json(self, response: httpx2.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise RemoteError(f"{self.base_url} did not answer in JSON.") from None

    def check(self, response: httpx2.Response) -> None:
        """Raise `RemoteError` for an error status, with the server's own message."""
        if response.status_code < 400:
            return
        if not response.is_closed:
            response.read()
        status = response.status_code
        if status in (401, 403):
            raise RemoteError(
                f"The server at {self.base_url} refused the API key ({status}): "
                "check the key in Connections."
            )
        message = _error_message(response)
        raise RemoteError(f"The server at {self.base_url} answered {status}: {message}")

    def describe(self, exc: httpx2.HTTPError) -> str:
        """A network failure in one sentence."""
        if isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout):
            return f"Could not reach the server at {self.base_url}: is it running?"
        if isinstance(exc, httpx2.ReadTimeout):
            return f"The server at {self.base_url} stopped sending; the answer so far is kept."
        if isinstance(exc, httpx2.RemoteProtocolError | httpx2.ReadError):
            return f"The server at {self.base_url} closed the connection mid-answer."
        return f"Talking to {self.base_url} failed: {type(exc).__name__}."

    def open_stream(self, body: dict[str, Any]) -> httpx2.Response:
        request = self._client.build_request("POST", self.base_url + "/chat/completions", json=body)
        try:
            response = self._client.send(request, stream=True)
        except httpx2.HTTPError as exc:
            raise RemoteError(self.describe(exc)) from None
        try:
            self.check(response)
            if response.headers.get("content-type", "").startswith("application/json"):
                raise RemoteError(f"The server at {self.base_url} cannot be used: {NO_STREAMING}.")
        except RemoteError:
            response.close()
            raise
        return response


def _first_top_logprobs(logprobs: Any) -> dict[str, float]:
    """The first token's top log probabilities, in either shape servers use: OpenAI's legacy
    completions ({"top_logprobs": [{text: logprob}]}: vLLM, llama-cpp-python) or the chat
    shape ({"content": [{"top_logprobs": [{"token", "logprob"}]}]}: llama-server)."""
    if not isinstance(logprobs, dict):
        return {}
    legacy = logprobs.get("top_logprobs")
    if isinstance(legacy, list) and legacy and isinstance(legacy[0], dict):
        return {str(text): float(value) for text, value in legacy[0].items()}
    content = logprobs.get("content")
    if isinstance(content, list) and content and isinstance(content[0], dict):
        entries = content[0].get("top_logprobs") or []
        return {str(e["token"]): float(e["logprob"]) for e in entries if isinstance(e, dict)}
    return {}


def _error_message(response: httpx2.Response) -> str:
    try:
        error = response.json().get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        message = None
    return str(message or response.reason_phrase or "no reason given")[:300]


class MalformedStream(Exception):
    """The server sent something that is not OpenAI's server-sent events."""


class RemoteStream:
    """A streamed answer from a server, with `AnswerStream`'s interface: iterate `parts()`,
    then read `text`, `reasoning` and `stats`. Errors never raise out of `parts()`: they end
    the answer with `stats.error`, keeping what was written. `cancel()` (any thread) closes
    the request, which is how a server learns to stop."""

    def __init__(
        self,
        server: RemoteServer,
        model: str,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        cancel: threading.Event | None = None,
    ) -> None:
        self._server = server
        self._params = params
        self._cancelled = cancel or threading.Event()
        self._response: httpx2.Response | None = None
        self._answer: list[str] = []
        self._reasoning: list[str] = []
        self._tokens = 0
        self._first: float | None = None
        self._usage: dict[str, Any] = {}
        self._finish: str | None = None
        self._body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": params.temperature,
            "top_p": params.top_p,
            "max_tokens": params.max_tokens,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if params.seed >= 0:
            self._body["seed"] = params.seed
        self.stats: AnswerStats | None = None

    @property
    def text(self) -> str:
        return "".join(self._answer)

    @property
    def reasoning(self) -> str:
        return "".join(self._reasoning).strip()

    def cancel(self) -> None:
        self._cancelled.set()
        response = self._response
        if response is not None:
            response.close()  # unblocks a read that waits for a stalled server

    def progress(self) -> tuple[int, float]:
        first, tokens = self._first, self._tokens
        if first is None or tokens < 2:
            return tokens, 0.0
        elapsed = time.perf_counter() - first
        return tokens, (tokens - 1) / elapsed if elapsed > 0 else 0.0

    def parts(self) -> Iterator[Delta]:
        started = time.perf_counter()
        reason: StopReason = "length"
        error = ""
        try:
            self._response = self._server.open_stream(self._body)
            if self._cancelled.is_set():
                self._response.close()
            yield from self._read(self._response)
            reason = "length" if self._finish == "length" else "eos"
        except RemoteError as exc:
            reason, error = "error", str(exc)
        except httpx2.HTTPError as exc:
            reason, error = "error", self._server.describe(exc)
        except MalformedStream as exc:
            reason, error = "error", f"The server at {self._server.base_url} {exc}"
        except Exception:
            if not self._cancelled.is_set():
                raise
            # Stop closed the response under the read: whatever that raised means "stopped".
        finally:
            if self._response is not None:
                self._response.close()
        if self._cancelled.is_set():
            reason, error = "stopped", ""
        elif reason != "error" and self._finish is None:
            reason = "error"
            error = f"The server at {self._server.base_url} ended the answer without finishing it."
        self.stats = self._stats(started, reason, error)

    def _read(self, response: httpx2.Response) -> Iterator[Delta]:
        for line in response.iter_lines():
            if self._cancelled.is_set():
                return
            if not line or line.startswith(":"):
                continue  # a keep-alive comment
            if not line.startswith("data:"):
                if line.startswith(("event:", "id:", "retry:")):
                    continue
                raise MalformedStream(f"sent a line that is not server-sent events: {line[:80]!r}")
            data = line[5:].strip()
            if data == "[DONE]":
                return
            delta = self._event(data)
            if delta is not None:
                yield delta

    def _event(self, data: str) -> Delta | None:
        try:
            event = json.loads(data)
        except ValueError:
            raise MalformedStream(f"sent an event that is not JSON: {data[:80]!r}") from None
        if not isinstance(event, dict):
            raise MalformedStream("sent an event that is not a JSON object.")
        if "error" in event:
            error = event["error"]
            message = error.get("message") if isinstance(error, dict) else error
            raise RemoteError(f"The server at {self._server.base_url} failed: {message}")
        if isinstance(event.get("usage"), dict):
            self._usage = event["usage"]
        choices = event.get("choices") or []
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            return None
        choice = choices[0]
        if choice.get("finish_reason"):
            self._finish = str(choice["finish_reason"])
        delta = choice.get("delta") or {}
        if not isinstance(delta, dict):
            raise MalformedStream("sent a delta that is not a JSON object.")
        # llama-server and vLLM say reasoning_content; Ollama and some proxies reasoning.
        reasoning = str(delta.get("reasoning_content") or delta.get("reasoning") or "")
        answer = str(delta.get("content") or "")
        if not (reasoning or answer):
            return None
        if self._first is None:
            self._first = time.perf_counter()
        self._tokens += 1  # one event is one token on llama-server, vLLM and Ollama
        self._answer.append(answer)
        self._reasoning.append(reasoning)
        return Delta(reasoning, answer)

    def _stats(self, started: float, reason: StopReason, error: str) -> AnswerStats:
        ended = time.perf_counter()
        first = self._first
        tokens = int(self._usage.get("completion_tokens") or self._tokens)
        generating = ended - first if first is not None else 0.0
        # As the engine measures it: tokens after the first over the time after the first.
        tps = (self._tokens - 1) / generating if self._tokens > 1 and generating > 0 else 0.0
        return AnswerStats(
            prompt_tokens=int(self._usage.get("prompt_tokens") or 0),
            completion_tokens=tokens,
            ttft_ms=((first or ended) - started) * 1000.0,
            total_ms=(ended - started) * 1000.0,
            tokens_per_second=tps,
            stop_reason=reason,
            seed=self._params.seed,
            error=error,
            server=self._server.base_url,
        )


class RemoteModel:
    """A model on a server, standing where an `Engine` stands on the model thread: it
    streams answers, and `info` describes it (no file: its path is the model id)."""

    reasoning_format: ReasoningFormat = "none"  # the server splits reasoning itself
    thinking_choices: tuple[ThinkingChoice, ...] = ()

    def __init__(self, server: RemoteServer, model_id: str) -> None:
        self.server = server
        self.model_id = model_id
        self.info = remote_info(model_id)
        self.settings = LoadSettings()

    @classmethod
    def connect(cls, base_url: str, api_key: str, model_id: str) -> RemoteModel:
        """Check that the server offers `model_id`, or raise `RemoteError`."""
        server = RemoteServer(base_url, api_key)
        try:
            offered = server.models()
        except RemoteError:
            server.close()
            raise
        if model_id not in offered:
            server.close()
            raise RemoteError(f"The server at {server.base_url} no longer offers {model_id}.")
        return cls(server, model_id)

    def stream(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        cancel: threading.Event | None = None,
        thinking: str = "",
    ) -> RemoteStream:
        params.validate()
        return self.server.stream(self.model_id, messages, params, cancel)

    def close(self) -> None:
        self.server.close()


def short_model_id(model_id: str) -> str:
    """A remote model's id as a picker shows it: its last part, so llama-cpp-python's server,
    which names a model by the path of its file, shows ``SmolLM2-135M-Instruct.Q4_1.gguf``
    rather than the whole path (Ollama's ``qwen3:8b`` and the like stay as they are)."""
    return PurePosixPath(model_id.replace("\\", "/")).name or model_id


def remote_info(model_id: str) -> GGUFInfo:
    """What the app knows of a remote model: its id, as the "file name" answers record
    (a '/' in an id such as vLLM's 'Qwen/Qwen3-8B' is %-escaped to stay one name)."""
    return GGUFInfo(
        path=Path(quote(model_id, safe=":@+ ")),
        file_size=0,
        architecture="remote",
        name=model_id,
        parameter_count=0,
        file_type=None,
        quantization="remote",
        context_length=0,
        block_count=0,
        embedding_length=0,
        head_count=0,
        head_count_kv=0,
        key_length=0,
        value_length=0,
        vocab_size=0,
        chat_template="",
        kv_layout=None,
        active_parameter_count=0,
    )
