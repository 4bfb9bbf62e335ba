"""The local OpenAI-compatible server, driven by clients no one here wrote: the official
`openai` package and curl, over real HTTP on loopback, with the real starter model."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx2
import openai
import pytest

from llamadesk.core.api_jobs import ApiJob, Done, EngineBackend, QueueFull, run_job
from llamadesk.core.api_server import ApiServer
from llamadesk.core.engine import AnswerStats, ChatMessage, Engine, LoadSettings, SamplingParams
from llamadesk.core.openai_api import Limits

LIMITS = Limits(max_body_bytes=100_000, max_tokens=256, max_queue=4, idle_timeout_s=1.0)
PROMPT = [{"role": "user", "content": "Name three colours."}]


@pytest.fixture(scope="module")
def engine(real_model: Path) -> Iterator[Engine]:
    engine = Engine.load(real_model, LoadSettings(n_ctx=1024, n_threads=1))
    yield engine
    engine.close()


class RecordingBackend(EngineBackend):
    """The CLI's backend, keeping each job so tests can see what reached the model."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, LIMITS, SamplingParams())
        self.jobs: list[ApiJob] = []

    def submit(self, job: ApiJob) -> None:
        self.jobs.append(job)
        super().submit(job)


@pytest.fixture(scope="module")
def served(engine: Engine) -> Iterator[tuple[ApiServer, RecordingBackend]]:
    backend = RecordingBackend(engine)
    server = ApiServer(backend, limits=LIMITS)
    server.start()
    yield server, backend
    server.stop()
    backend.close()


@pytest.fixture
def server(served: tuple[ApiServer, RecordingBackend]) -> ApiServer:
    return served[0]


@pytest.fixture
def client(server: ApiServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as client:
        yield client


MODEL = "SmolLM2-135M-Instruct.Q4_1"


def test_models_lists_the_loaded_model(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == [MODEL]


def test_greedy_answer_matches_the_in_app_engine(client: openai.OpenAI, engine: Engine) -> None:
    reply = client.chat.completions.create(
        model=MODEL, messages=PROMPT, temperature=0, max_tokens=24
    )
    params = SamplingParams(temperature=0, max_tokens=24)
    stream = engine.stream([ChatMessage("user", PROMPT[0]["content"])], params)
    local = "".join(stream)
    assert reply.choices[0].message.content == local
    assert reply.usage is not None
    assert reply.usage.completion_tokens == stream.stats.completion_tokens
    assert reply.usage.prompt_tokens == stream.stats.prompt_tokens
    assert reply.choices[0].finish_reason in ("stop", "length")


def test_streamed_answer_with_usage_equals_the_whole_one(client: openai.OpenAI) -> None:
    whole = client.chat.completions.create(
        model=MODEL, messages=PROMPT, temperature=0, max_tokens=16
    )
    chunks = list(
        client.chat.completions.create(
            model=MODEL,
            messages=PROMPT,
            temperature=0,
            max_tokens=16,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices == []  # the usage chunk comes last, alone
    assert chunks[-1].usage == whole.usage
    assert chunks[-2].choices[0].finish_reason == whole.choices[0].finish_reason


def test_seed_and_temperature_are_honoured(client: openai.OpenAI) -> None:
    def ask(seed: int) -> str:
        reply = client.chat.completions.create(
            model=MODEL, messages=PROMPT, temperature=1.5, top_p=1.0, seed=seed, max_tokens=24
        )
        return reply.choices[0].message.content or ""

    assert ask(7) == ask(7)
    assert len({ask(seed) for seed in (1, 2, 3)}) > 1


def test_max_tokens_and_stop(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model=MODEL, messages=PROMPT, temperature=0, max_tokens=3
    )
    assert reply.choices[0].finish_reason == "length"
    assert reply.usage is not None
    assert reply.usage.completion_tokens == 3
    full = (
        client.chat.completions.create(model=MODEL, messages=PROMPT, temperature=0, max_tokens=24)
        .choices[0]
        .message.content
    )
    assert full
    word = full.split()[2]
    stopped = client.chat.completions.create(
        model=MODEL, messages=PROMPT, temperature=0, max_tokens=24, stop=[word]
    )
    assert stopped.choices[0].message.content == full[: full.index(word)]
    assert stopped.choices[0].finish_reason == "stop"


def test_logprobs(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model=MODEL, messages=PROMPT, temperature=0, max_tokens=5, logprobs=True, top_logprobs=3
    )
    content = reply.choices[0].logprobs.content
    assert len(content) == 5
    assert "".join(t.token for t in content) == reply.choices[0].message.content
    for token in content:
        assert token.logprob <= 0
        tops = [t.logprob for t in token.top_logprobs]
        assert len(tops) == 3
        assert tops == sorted(tops, reverse=True)
        # Greedy: the token taken is the likeliest one.
        assert token.top_logprobs[0].token == token.token
        assert token.top_logprobs[0].logprob == pytest.approx(token.logprob)


def test_completions_continue_the_text(client: openai.OpenAI) -> None:
    reply = client.completions.create(
        model=MODEL, prompt="The capital of France is", temperature=0, max_tokens=4
    )
    assert "Paris" in reply.choices[0].text
    assert reply.usage is not None
    assert reply.usage.completion_tokens == 4


def test_curl_streams_server_sent_events(server: ApiServer) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    body = {"model": MODEL, "messages": PROMPT, "max_tokens": 8, "stream": True}
    out = subprocess.run(
        [
            curl,
            "-sN",
            f"{server.base_url}/chat/completions",
            "-H",
            "Content-Type: application/json",
            "-d",
            json.dumps(body),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    events = [line.removeprefix("data: ") for line in out.splitlines() if line]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)


def test_client_going_away_cancels_the_answer(
    served: tuple[ApiServer, RecordingBackend], script_answers
) -> None:
    server, backend = served
    script_answers(" word" * 200)
    body = {"model": MODEL, "messages": PROMPT, "max_tokens": 250, "stream": True}
    with httpx2.stream("POST", f"{server.base_url}/chat/completions", json=body) as reply:
        next(reply.iter_lines())  # the answer has started
    job = backend.jobs[-1]
    assert job.cancel.wait(10), "the answer went on after its client left"


def test_streamed_logprobs_come_with_their_tokens(client: openai.OpenAI) -> None:
    chunks = list(
        client.chat.completions.create(
            model=MODEL, messages=PROMPT, temperature=0, max_tokens=6, stream=True,
            logprobs=True, top_logprobs=2,
        )
    )  # fmt: skip
    texts = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    tokens = [t for c in chunks if c.choices and c.choices[0].logprobs for t in
              c.choices[0].logprobs.content]  # fmt: skip
    assert len(tokens) == 6
    assert "".join(t.token for t in tokens) == "".join(texts)


def test_stopping_the_server_cancels_its_answers(engine: Engine, script_answers) -> None:
    script_answers(" word" * 200)
    backend = RecordingBackend(engine)
    server = ApiServer(backend, limits=LIMITS)
    server.start()
    body = {"model": MODEL, "messages": PROMPT, "max_tokens": 250, "stream": True}
    try:
        with httpx2.stream("POST", f"{server.base_url}/chat/completions", json=body) as reply:
            next(reply.iter_lines())  # the answer has started
            server.stop()  # with the client still connected
            assert backend.jobs[-1].cancel.is_set()
    finally:
        server.stop()
        backend.close()


def test_openai_errors_have_openais_shape(client: openai.OpenAI, server: ApiServer) -> None:
    with pytest.raises(openai.BadRequestError) as bad:
        client.chat.completions.create(model=MODEL, messages=PROMPT, temperature=9)
    assert bad.value.body["param"] is None or isinstance(bad.value.body["message"], str)
    assert "Temperature" in bad.value.body["message"]
    reply = httpx2.post(f"{server.base_url}/chat/completions", content=b"{not json")
    assert reply.status_code == 400
    assert set(reply.json()["error"]) == {"message", "type", "param", "code"}


# Security ---------------------------------------------------------------------------------


def test_no_request_can_name_a_file(client: openai.OpenAI, real_model: Path) -> None:
    for name in (str(real_model), "../models/x.gguf", "/etc/passwd", real_model.name):
        with pytest.raises(openai.NotFoundError) as refused:
            client.chat.completions.create(model=name, messages=PROMPT, max_tokens=2)
        assert refused.value.body["code"] == "model_not_found"


def test_max_tokens_is_capped(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model=MODEL, messages=PROMPT, max_tokens=257)
    assert refused.value.body["param"] == "max_tokens"
    assert "256" in refused.value.body["message"]


def test_body_size_is_capped(server: ApiServer) -> None:
    huge = {"model": MODEL, "messages": [{"role": "user", "content": "x" * 200_000}]}
    reply = httpx2.post(f"{server.base_url}/chat/completions", json=huge)
    assert reply.status_code == 413
    assert "100000 bytes" in reply.json()["error"]["message"]


def test_idle_connections_are_closed(server: ApiServer) -> None:
    for opening in (b"", b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(opening)
            assert sock.recv(100) == b"", "the server kept an idle connection open"


def test_other_addresses_need_a_key(engine: Engine) -> None:
    backend = EngineBackend(engine, LIMITS, SamplingParams())
    try:
        with pytest.raises(ValueError, match="needs an API key"):
            ApiServer(backend, host="0.0.0.0")
    finally:
        backend.close()


def test_cli_refuses_other_addresses_without_a_key(real_model: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "llamadesk", "serve", str(real_model), "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert len(run.stderr.splitlines()) == 1
    assert "--api-key" in run.stderr


def test_api_key_is_required_when_set(engine: Engine) -> None:
    backend = EngineBackend(engine, LIMITS, SamplingParams())
    server = ApiServer(backend, api_key="s3cret", limits=LIMITS)
    server.start()
    try:
        with openai.OpenAI(base_url=server.base_url, api_key="wrong", max_retries=0) as client:
            with pytest.raises(openai.AuthenticationError) as refused:
                client.models.list()
            assert refused.value.body["code"] == "invalid_api_key"
        with openai.OpenAI(base_url=server.base_url, api_key="s3cret", max_retries=0) as client:
            assert [m.id for m in client.models.list()] == [MODEL]
    finally:
        server.stop()
        backend.close()


class HeldBackend:
    """Holds every job without running it, with room for `limit` of them."""

    def __init__(self, limit: int) -> None:
        self.jobs: list[ApiJob] = []
        self.limit = limit
        self.arrived = threading.Semaphore(0)

    def model_id(self) -> str:
        return MODEL

    def defaults(self) -> SamplingParams:
        return SamplingParams()

    def submit(self, job: ApiJob) -> None:
        if len(self.jobs) >= self.limit:
            raise QueueFull
        self.jobs.append(job)
        self.arrived.release()


def test_a_full_queue_answers_429() -> None:
    backend = HeldBackend(limit=1)
    server = ApiServer(backend, limits=LIMITS)
    server.start()
    body = {"model": MODEL, "messages": PROMPT, "stream": True}
    try:
        with httpx2.stream("POST", f"{server.base_url}/chat/completions", json=body) as waiting:
            assert backend.arrived.acquire(timeout=10)
            full = httpx2.post(f"{server.base_url}/chat/completions", json=body)
            assert full.status_code == 429
            assert full.json()["error"]["type"] == "rate_limit_error"
            stats = AnswerStats(1, 0, 0.0, 0.0, 0.0, "eos", 1)
            backend.jobs[0].emit(Done("", "", stats))
            assert waiting.read().endswith(b"data: [DONE]\n\n")
    finally:
        server.stop()


def test_run_job_always_ends_in_done(engine: Engine) -> None:
    """Even a request the engine refuses (here: a prompt over the context) ends in Done."""
    from llamadesk.core.openai_api import CompletionRequest

    events: list[object] = []
    request = CompletionRequest(SamplingParams(max_tokens=4), prompt="word " * 2000)
    run_job(engine, ApiJob(request, events.append))
    assert isinstance(events[-1], Done)
    assert "does not fit" in events[-1].stats.error


def test_reasoning_goes_in_reasoning_content(reasoning_models, script_answers) -> None:
    script_answers("<think>Blue is a colour.</think>Blue.")
    engine = Engine.load(reasoning_models["qwen3"], LoadSettings(n_threads=1))
    backend = EngineBackend(engine, LIMITS, SamplingParams())
    server = ApiServer(backend, limits=LIMITS)
    server.start()
    try:
        url = f"{server.base_url}/chat/completions"
        whole = httpx2.post(url, json={"messages": PROMPT}).json()["choices"][0]["message"]
        assert whole["content"] == "Blue."
        assert whole["reasoning_content"] == "Blue is a colour."
        with httpx2.stream("POST", url, json={"messages": PROMPT, "stream": True}) as reply:
            events = [line[6:] for line in reply.iter_lines() if line.startswith("data: {")]
        deltas = [json.loads(e)["choices"][0]["delta"] for e in events]
        assert "".join(d.get("reasoning_content", "") for d in deltas).strip() == (
            "Blue is a colour."
        )
        assert "".join(d.get("content", "") for d in deltas) == "Blue."
    finally:
        server.stop()
        backend.close()
        engine.close()


def test_cli_serve_prints_its_address_and_stops_on_ctrl_c(real_model: Path) -> None:
    import signal

    command = [sys.executable, "-m", "llamadesk", "serve", str(real_model), "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as serve:
        try:
            line = serve.stdout.readline()
            url = line.split(" at ")[1].split()[0]
            assert url.startswith("http://127.0.0.1:")
            assert url.endswith("/v1")
            with openai.OpenAI(base_url=url, api_key="unused", max_retries=0) as client:
                assert [m.id for m in client.models.list()] == [MODEL]
            serve.send_signal(signal.SIGINT)
            assert serve.wait(timeout=30) == 0
        finally:
            serve.kill()
