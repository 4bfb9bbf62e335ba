"""OpenAI's Chat Completions contract: requests read and checked, answers and errors shaped.

Pure functions over JSON-like values, shared by the local API server (core/api_server.py)
and nothing else that needs a network. What a request may ask for is bounded here: its
`max_tokens` is capped, and its `model` must be the served model's id, never a file or path.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from llamadesk.core.engine import AnswerStats, ChatMessage, EngineError, Role, SamplingParams
from llamadesk.core.options import MAX_SEED

# OpenAI's "developer" role is its newer name for the system message.
ROLES: dict[str, Role] = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "assistant": "assistant",
}
MAX_STOP_WORDS = 4  # as OpenAI allows
MAX_TOP_LOGPROBS = 20


@dataclass(frozen=True)
class Limits:
    """What one request may cost: its body in bytes, its answer in tokens, and how many
    requests may wait for the model at once."""

    max_body_bytes: int = 1_000_000
    max_tokens: int = 4096
    max_queue: int = 16
    idle_timeout_s: float = 15.0


class ApiError(Exception):
    """A request the server refuses: the HTTP status and OpenAI's error object."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.param = param
        self.code = code

    def body(self) -> dict[str, Any]:
        return error_body(self.message, self.kind, self.param, self.code)


def error_body(
    message: str, kind: str, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    """OpenAI's error shape: {"error": {"message", "type", "param", "code"}}."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


@dataclass(frozen=True)
class CompletionRequest:
    """One request for an answer: a chat (`messages`) or a plain text to continue (`prompt`)."""

    params: SamplingParams
    messages: tuple[ChatMessage, ...] = ()
    prompt: str | None = None
    stream: bool = False
    include_usage: bool = False
    stop: tuple[str, ...] = ()
    logprobs: bool = False
    top_logprobs: int = 0
    model: str = ""
    id: str = field(default_factory=lambda: f"chatcmpl-{uuid.uuid4().hex[:24]}")
    created: int = field(default_factory=lambda: int(time.time()))


def parse_request(
    body: object, *, chat: bool, model_id: str, defaults: SamplingParams, limits: Limits
) -> CompletionRequest:
    """Read a /v1/chat/completions (`chat`) or /v1/completions body, or raise `ApiError`."""
    if not isinstance(body, Mapping):
        raise ApiError(400, "The request body must be a JSON object.")
    model = _model(body, model_id)
    params = _params(body, defaults, limits)
    logprobs, top = _logprobs(body, chat)
    request = CompletionRequest(
        params=params,
        stream=_bool(body, "stream"),
        include_usage=_include_usage(body),
        stop=_stop(body),
        logprobs=logprobs,
        top_logprobs=top,
        model=model,
    )
    if chat:
        return replace(request, messages=_messages(body))
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
        prompt = prompt[0]  # the client libraries send a list of one
    if not isinstance(prompt, str):
        raise ApiError(400, "'prompt' must be a string.", param="prompt")
    return replace(request, prompt=prompt, id=f"cmpl-{request.id.removeprefix('chatcmpl-')}")


def _model(body: Mapping[str, Any], model_id: str) -> str:
    """The served model's id. Any other name is refused before anything reads a file:
    a request cannot make the server open a path."""
    model = body.get("model", "")
    if model in ("", None):
        return model_id
    if model != model_id:
        raise ApiError(
            404,
            f"The model {str(model)[:200]!r} is not served here; this server serves "
            f"{model_id!r} (see GET /v1/models).",
            param="model",
            code="model_not_found",
        )
    return model_id


def _params(body: Mapping[str, Any], defaults: SamplingParams, limits: Limits) -> SamplingParams:
    values: dict[str, Any] = {}
    for name, kind in (("temperature", float), ("top_p", float), ("seed", int)):
        if body.get(name) is not None:
            values[name] = _number(body, name, kind)
    tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if tokens is not None:
        values["max_tokens"] = _number(body, "max_tokens", int, tokens)
        if values["max_tokens"] > limits.max_tokens:
            raise ApiError(
                400,
                f"max_tokens is {values['max_tokens']}; this server allows at most "
                f"{limits.max_tokens}.",
                param="max_tokens",
            )
    if "seed" in values and not 0 <= values["seed"] <= MAX_SEED:
        raise ApiError(400, f"seed must be 0 to {MAX_SEED}.", param="seed")
    params = replace(defaults, **values)
    if "max_tokens" not in values:
        params = replace(params, max_tokens=min(params.max_tokens, limits.max_tokens))
    try:
        params.validate()
    except EngineError as exc:
        raise ApiError(400, str(exc)) from None
    return params


def _number(body: Mapping[str, Any], name: str, kind: type, value: object = None) -> Any:
    value = body.get(name) if value is None else value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError(400, f"'{name}' must be a number.", param=name)
    if kind is int and value != int(value):
        raise ApiError(400, f"'{name}' must be a whole number.", param=name)
    return kind(value)


def _bool(body: Mapping[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ApiError(400, f"'{name}' must be true or false.", param=name)
    return value


def _include_usage(body: Mapping[str, Any]) -> bool:
    options = body.get("stream_options") or {}
    if not isinstance(options, Mapping):
        raise ApiError(400, "'stream_options' must be an object.", param="stream_options")
    return _bool(options, "include_usage")


def _stop(body: Mapping[str, Any]) -> tuple[str, ...]:
    stop = body.get("stop")
    if stop is None:
        return ()
    words = [stop] if isinstance(stop, str) else stop
    if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
        raise ApiError(400, "'stop' must be a string or a list of strings.", param="stop")
    if len(words) > MAX_STOP_WORDS:
        raise ApiError(400, f"'stop' takes at most {MAX_STOP_WORDS} strings.", param="stop")
    return tuple(word for word in words if word)


def _logprobs(body: Mapping[str, Any], chat: bool) -> tuple[bool, int]:
    """Whether to return log probabilities, and how many alternatives per token. Chat asks
    with `logprobs: true` and `top_logprobs: N`; completions with `logprobs: N`."""
    if chat:
        wanted = _bool(body, "logprobs")
        top = body.get("top_logprobs") or 0
    else:
        top = body.get("logprobs") or 0
        wanted = top is not False and body.get("logprobs") is not None
    if isinstance(top, bool) or not isinstance(top, int) or not 0 <= top <= MAX_TOP_LOGPROBS:
        name = "top_logprobs" if chat else "logprobs"
        raise ApiError(400, f"'{name}' must be 0 to {MAX_TOP_LOGPROBS}.", param=name)
    return wanted or top > 0, top


def _messages(body: Mapping[str, Any]) -> tuple[ChatMessage, ...]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "'messages' must be a non-empty list.", param="messages")
    return tuple(_message(message, index) for index, message in enumerate(messages))


def _message(message: object, index: int) -> ChatMessage:
    param = f"messages[{index}]"
    if not isinstance(message, Mapping):
        raise ApiError(400, f"{param} must be an object.", param=param)
    role = ROLES.get(str(message.get("role")))
    if role is None:
        raise ApiError(
            400, f"{param}.role must be system, developer, user or assistant.", param=param
        )
    return ChatMessage(role, _content(message.get("content"), param))


def _content(content: object, param: str) -> str:
    """A message's text: a string, or a list of text parts (the only kind served here)."""
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, Mapping) or part.get("type") != "text":
                raise ApiError(400, f"{param}: only text content is supported.", param=param)
            texts.append(str(part.get("text", "")))
        return "".join(texts)
    raise ApiError(400, f"{param}.content must be a string or a list of parts.", param=param)


# Answers ------------------------------------------------------------------------------------


def finish_reason(stats: AnswerStats) -> str:
    """OpenAI's finish_reason: "length" at max_tokens, else "stop" (the end of the answer,
    or one of the request's stop words)."""
    return "length" if stats.stop_reason == "length" else "stop"


def usage(stats: AnswerStats) -> dict[str, int]:
    return {
        "prompt_tokens": stats.prompt_tokens,
        "completion_tokens": stats.completion_tokens,
        "total_tokens": stats.prompt_tokens + stats.completion_tokens,
    }


def _head(request: CompletionRequest, chat: bool) -> dict[str, Any]:
    kind = "chat.completion" if chat else "text_completion"
    return {"id": request.id, "object": kind, "created": request.created, "model": request.model}


def answer_body(
    request: CompletionRequest,
    text: str,
    reasoning: str,
    stats: AnswerStats,
    finish: str,
    logprobs: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """The whole answer, for a request that did not ask to stream."""
    chat = request.prompt is None
    choice: dict[str, Any] = {"index": 0, "finish_reason": finish, "logprobs": None}
    if chat:
        message: dict[str, Any] = {"role": "assistant", "content": text}
        if reasoning:
            message["reasoning_content"] = reasoning  # where llama-server puts it
        choice["message"] = message
        if logprobs is not None:
            choice["logprobs"] = {"content": logprobs}
    else:
        choice["text"] = text
        if logprobs is not None:
            choice["logprobs"] = completion_logprobs(logprobs)
    return {**_head(request, chat), "choices": [choice], "usage": usage(stats)}


def chunk(
    request: CompletionRequest,
    *,
    answer: str = "",
    reasoning: str = "",
    finish: str | None = None,
    role: bool = False,
    logprobs: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One server-sent event of a streamed answer."""
    chat = request.prompt is None
    choice: dict[str, Any] = {"index": 0, "finish_reason": finish, "logprobs": None}
    if chat:
        delta: dict[str, Any] = {"role": "assistant"} if role else {}
        if answer:
            delta["content"] = answer
        if reasoning:
            delta["reasoning_content"] = reasoning
        choice["delta"] = delta
        if logprobs:
            choice["logprobs"] = {"content": logprobs}
    else:
        choice["text"] = answer
        if logprobs:
            choice["logprobs"] = completion_logprobs(logprobs)
    head = _head(request, chat)
    if chat:
        head["object"] = "chat.completion.chunk"
    return {**head, "choices": [choice]}


def usage_chunk(request: CompletionRequest, stats: AnswerStats) -> dict[str, Any]:
    """The last event when the client asked for `stream_options.include_usage`."""
    chat = request.prompt is None
    head = _head(request, chat)
    if chat:
        head["object"] = "chat.completion.chunk"
    return {**head, "choices": [], "usage": usage(stats)}


def completion_logprobs(tokens: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The legacy completions' logprobs shape, from chat's per-token entries."""
    return {
        "tokens": [t["token"] for t in tokens],
        "token_logprobs": [t["logprob"] for t in tokens],
        "top_logprobs": [{a["token"]: a["logprob"] for a in t["top_logprobs"]} for t in tokens],
        "text_offset": [],
    }


def sse(event: Mapping[str, Any] | str) -> bytes:
    """One server-sent event: a JSON object, or the final "[DONE]"."""
    data = event if isinstance(event, str) else json.dumps(event, ensure_ascii=False)
    return f"data: {data}\n\n".encode()


def models_body(model_id: str, created: int) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": model_id, "object": "model", "created": created, "owned_by": "llamadesk"}],
    }
