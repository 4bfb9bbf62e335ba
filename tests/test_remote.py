"""Remote models: llama-cpp-python's own OpenAI-compatible server (which no one here wrote)
run on loopback with the real starter model, and small servers that misbehave on purpose."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from llamadesk.core.engine import ChatMessage, Engine, LoadSettings, SamplingParams
from llamadesk.core.preferences import arena_rows
from llamadesk.core.ratings import Ratings
from llamadesk.core.remote import Capabilities, RemoteServer, short_model_id
from llamadesk.core.store import Store

ALIAS = "smollm2-remote"
ASK = [ChatMessage("user", "Name three colours.")]
SECRET = "sk-not-for-messages-123"
GREEDY = SamplingParams(temperature=0, max_tokens=24, seed=1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(model: Path, alias: str = "") -> Iterator[str]:
    """`python -m llama_cpp.server` with ``model`` (named ``alias``, else by its path, as
    llama-cpp-python's server does) on loopback; its base URL."""
    pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server]")
    port = _free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model),
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "1024", "--n_threads", "1", "--seed", "1",
    ]  # fmt: skip
    if alias:
        command += ["--model_alias", alias]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as server:
        ready = threading.Event()
        log: list[str] = []

        def drain() -> None:  # uvicorn says when it listens; its log must not fill the pipe
            assert server.stderr is not None
            for line in server.stderr:
                log.append(line)
                if "Uvicorn running on" in line:
                    ready.set()
            ready.set()

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        try:
            assert ready.wait(120), "llama_cpp.server did not start"
            assert server.poll() is None, "".join(log[-20:])
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            server.terminate()
            server.wait(30)
            reader.join(30)


@pytest.fixture(scope="module")
def llama_server(real_model: Path) -> Iterator[str]:
    """llama_cpp.server with the starter model, named `ALIAS`; its base URL."""
    with served(real_model, ALIAS) as url:
        yield url


@pytest.fixture(scope="module")
def local_engine(real_model: Path) -> Iterator[Engine]:
    engine = Engine.load(real_model, LoadSettings(n_ctx=1024, n_threads=1))
    yield engine
    engine.close()


def test_probe_lists_the_served_model(llama_server: str) -> None:
    server = RemoteServer(llama_server)
    try:
        capabilities = server.probe()
    finally:
        server.close()
    assert capabilities.models == (ALIAS,)
    assert isinstance(capabilities.logprobs, bool)


def test_remote_answer_equals_the_local_one(llama_server: str, local_engine: Engine) -> None:
    """Greedy decoding of the same file gives the same answer here and on the server."""
    server = RemoteServer(llama_server)
    try:
        stream = server.stream(ALIAS, ASK, GREEDY)
        parts = list(stream.parts())
    finally:
        server.close()
    local = local_engine.stream(ASK, GREEDY)
    local_text = "".join(local)
    assert stream.stats is not None
    assert stream.stats.error == ""
    assert "".join(p.answer for p in parts) == stream.text
    # llama_cpp.server applies its own repeat penalty (1.1) which the request cannot set:
    # the first words agree, the tail may not.
    assert stream.text.split()[:3] == local_text.split()[:3]
    assert stream.stats.completion_tokens == 24 or stream.stats.stop_reason == "eos"
    assert stream.stats.server == llama_server
    assert stream.stats.tokens_per_second > 0


def test_stop_closes_the_request(llama_server: str) -> None:
    server = RemoteServer(llama_server)
    try:
        stream = server.stream(ALIAS, ASK, SamplingParams(max_tokens=400, temperature=1.0))
        for _part in stream.parts():
            stream.cancel()
    finally:
        server.close()
    assert stream.stats is not None
    assert stream.stats.stop_reason == "stopped"
    assert stream.stats.error == ""
    assert stream.text  # what came before Stop is kept
    assert stream.stats.completion_tokens < 20


def test_cli_chat_with_a_server(llama_server: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "llamadesk", "chat", "--server", llama_server, "--json",
         "--max-tokens", "8", "--temperature", "0", ALIAS, "Name three colours."],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert set(report) == {"answer", "reasoning", "stats"}
    assert report["answer"]
    assert report["stats"]["server"] == llama_server


def test_remote_and_local_answers_are_stored_rated_and_exported(
    qtbot, tmp_path: Path, llama_server: str, real_model: Path
) -> None:
    """The comparison people want: the local file against the same model on a server, as
    two answers to one prompt, voted on and exported with the server named."""
    from llamadesk.services.chat_session import ChatSession
    from llamadesk.services.model_host import ModelHost

    store = Store(tmp_path / "chats.db")
    host = ModelHost()
    session = ChatSession(store, host)
    session.params = GREEDY
    try:
        with qtbot.waitSignal(host.loaded, timeout=60_000):
            host.load(real_model, LoadSettings(n_ctx=1024, n_threads=1))
        conversation = session.new_conversation()
        with qtbot.waitSignal(session.answer_saved, timeout=60_000) as local:
            session.send(conversation.id, "Name three colours.")
        with qtbot.waitSignal(host.loaded, timeout=60_000) as connected:
            host.connect_remote(llama_server, "", ALIAS)
        assert connected.args[0].server == llama_server
        with qtbot.waitSignal(session.answer_saved, timeout=60_000) as remote:
            session.regenerate(conversation.id)
        a, b = local.args[0], remote.args[0]
        assert (a.model, b.model) == (real_model.name, ALIAS)
        assert b.content
        assert b.params["server"] == llama_server
        assert "server" not in a.params
        Ratings(store).vote(a.id, b.id, "model_b", blind=True)
        [row] = arena_rows(store)
        assert (row["model_a"], row["model_b"], row["winner"]) == (
            real_model.name,
            ALIAS,
            "model_b",
        )
        assert json.loads(row["params_b"])["server"] == llama_server
        assert row["conversation_b"][-1]["content"] == b.content
    finally:
        host.shutdown()
        store.close()


# Servers that misbehave ---------------------------------------------------------------------


class _Faulty(BaseHTTPRequestHandler):
    """/v1/models lists "m"; chat answers by the mode in the server's `mode`."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: object) -> None:
        pass

    def do_GET(self) -> None:
        models = [] if self.server.mode == "empty" else [{"id": "m"}]  # type: ignore[attr-defined]
        self._send(200, json.dumps({"object": "list", "data": models}).encode())

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        mode = self.server.mode  # type: ignore[attr-defined]
        if mode in ("plain", "nostream"):  # a JSON answer, without logprobs; "nostream"
            # ignores "stream": true, as some proxies do
            if mode == "plain" and json.loads(body).get("stream"):
                self._stream(mode)
                return
            answer = {
                "choices": [
                    {
                        "index": 0,
                        "text": "Hello",
                        "finish_reason": "length",
                        "message": {"role": "assistant", "content": "Hello"},
                    }
                ]
            }
            self._send(200, json.dumps(answer).encode())
            return
        if mode == "401":
            self._send(401, b'{"error": {"message": "Invalid API key"}}')
            return
        self._stream(mode)

    def _stream(self, mode: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        event = {"choices": [{"index": 0, "delta": {"content": "Hello"}, "finish_reason": None}]}
        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
        self.wfile.flush()
        if mode == "hang":
            self.server.release.wait(30)  # type: ignore[attr-defined]
        elif mode == "malformed":
            self.wfile.write(b"data: {this is not json\n\n")
        elif mode == "plain":
            end = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
        self.close_connection = True

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def faulty() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Faulty)
    server.daemon_threads = True
    server.release = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    yield server
    server.release.set()  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()
    thread.join()


def _ask(url: str, read_timeout_s: float = 60.0) -> tuple[str, str]:
    server = RemoteServer(url, SECRET, read_timeout_s=read_timeout_s)
    try:
        stream = server.stream("m", ASK, GREEDY)
        for _part in stream.parts():
            pass
    finally:
        server.close()
    assert stream.stats is not None
    assert stream.stats.stop_reason == "error"
    return stream.text, stream.stats.error


def test_a_server_that_is_down() -> None:
    text, error = _ask(f"http://127.0.0.1:{_free_port()}/v1")
    assert text == ""
    assert error.startswith("Could not reach the server at http://127.0.0.1:")
    assert error.endswith("is it running?")


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("401", "refused the API key (401): check the key in Connections."),
        ("hang", "stopped sending; the answer so far is kept."),
        ("malformed", "sent an event that is not JSON: '{this is not json'"),
        ("nostream", "does not stream answers (server-sent events), so the chat cannot use it."),
    ],
)
def test_a_faulty_server_gets_one_sentence(
    faulty: ThreadingHTTPServer, mode: str, message: str
) -> None:
    faulty.mode = mode  # type: ignore[attr-defined]
    text, error = _ask(f"http://127.0.0.1:{faulty.server_port}/v1", read_timeout_s=1.0)
    assert error.endswith(message)
    assert SECRET not in error
    # What came before the fault is kept.
    assert text == ("" if mode in ("401", "nostream") else "Hello")


def test_a_fault_mid_answer_keeps_the_chat(qtbot, tmp_path: Path, faulty) -> None:
    """In the app: the answer so far is stored with the reason, and earlier messages stay."""
    from llamadesk.services.chat_session import ChatSession
    from llamadesk.services.model_host import ModelHost

    faulty.mode = "malformed"
    store = Store(tmp_path / "chats.db")
    host = ModelHost()
    session = ChatSession(store, host)
    try:
        with qtbot.waitSignal(host.loaded, timeout=10_000):
            host.connect_remote(f"http://127.0.0.1:{faulty.server_port}/v1", "", "m")
        conversation = session.new_conversation()
        errors: list[str] = []
        session.error.connect(errors.append)
        with qtbot.waitSignal(session.answer_saved, timeout=10_000):
            session.send(conversation.id, "Hi")
        thread = store.thread(conversation.id)
        assert [m.content for m in thread] == ["Hi", "Hello"]
        assert thread[1].stop_reason == "error"
        [error] = errors
        assert "sent an event that is not JSON" in error
    finally:
        host.shutdown()
        store.close()


# Quality against a remote reference ------------------------------------------------------

QUALITY_TEXT = (
    "The river ran past the old mill, and the miller's daughter counted the boats that "
    "went down to the sea each morning before school."
)


def test_probe_finds_logprobs_and_streaming(llama_server: str) -> None:
    server = RemoteServer(llama_server)
    try:
        capabilities = server.probe()
    finally:
        server.close()
    assert capabilities.logprobs  # llama_cpp.server returns top_logprobs on /v1/completions
    assert capabilities.streaming


def test_the_same_model_on_a_server_measures_as_identical(
    llama_server: str, real_model: Path
) -> None:
    """The local file against itself served by llama_cpp.server: KL ~ 0, top-1 ~ 100%."""
    from llamadesk.core.remote_evaluate import RemoteReference, evaluate_remote

    fractions: list[float] = []
    report = evaluate_remote(
        real_model,
        RemoteReference(llama_server, "", ALIAS),
        QUALITY_TEXT,
        max_tokens=12,
        top_k=5,
        n_threads=1,
        progress=fractions.append,
    )
    assert report.tokens == 12
    assert report.kl_divergence < 0.01
    assert report.top1_agreement >= 11 / 12
    assert report.reference == f"{ALIAS} on {llama_server}"
    assert report.reference_level == "remote, top-5"
    assert 1.0 < report.perplexity < 1000.0
    assert fractions[-1] == 1.0


def test_a_model_with_another_vocabulary_is_refused(llama_server: str, tmp_path: Path) -> None:
    from llamadesk.core.evaluate import EvaluationError
    from llamadesk.core.remote_evaluate import RemoteReference, evaluate_remote
    from llamadesk.core.testmodel import write_test_model

    other = write_test_model(tmp_path / "tiny.gguf")
    with pytest.raises(EvaluationError, match="pick the same model on the server"):
        evaluate_remote(other, RemoteReference(llama_server, "", ALIAS), QUALITY_TEXT, max_tokens=4)


def test_a_server_without_logprobs_is_no_reference(faulty, tmp_path: Path) -> None:
    """The probe says so, and a measurement started anyway ends in one sentence."""
    from llamadesk.core.evaluate import EvaluationError
    from llamadesk.core.remote_evaluate import RemoteReference, evaluate_remote
    from llamadesk.core.testmodel import write_test_model

    faulty.mode = "plain"
    url = f"http://127.0.0.1:{faulty.server_port}/v1"
    server = RemoteServer(url)
    try:
        capabilities = server.probe()
    finally:
        server.close()
    assert capabilities == Capabilities(("m",), logprobs=False, streaming=True)
    model = write_test_model(tmp_path / "tiny.gguf")
    with pytest.raises(EvaluationError) as raised:
        evaluate_remote(model, RemoteReference(url, "", "m"), QUALITY_TEXT, max_tokens=4)
    assert str(raised.value) == (
        f"m on {url} cannot be a reference: it returns no top_logprobs for /v1/completions, "
        "so there is nothing to compare a local model's predictions with."
    )


def test_a_server_that_cannot_stream_is_said_so_when_added(qtbot, faulty, tmp_path) -> None:
    from llamadesk.core.connections import Connection
    from llamadesk.services.network import ConnectionsService

    faulty.mode = "nostream"
    url = f"http://127.0.0.1:{faulty.server_port}/v1"
    connections = ConnectionsService(tmp_path)
    with qtbot.waitSignal(connections.failed, timeout=10_000) as failed:
        connections.add(url, "")
    assert failed.args[0] == (
        f"The server at {url} cannot be used: it does not "
        "stream answers (server-sent events), so the chat cannot use it."
    )
    assert connections.servers == []
    faulty.mode = "empty"  # no models: nothing to probe, saved as it is
    with qtbot.waitSignal(connections.changed, timeout=10_000):
        connections.add(url, "")
    assert connections.servers == [Connection(url)]
    qtbot.waitUntil(lambda: not connections.busy)
    with qtbot.waitSignal(connections.destroyed):  # as the app's does, at the end
        connections.deleteLater()


def _quality_dialog(qtbot, home, model: Path, remotes):
    from llamadesk.services.background import JobRunner
    from llamadesk.ui.quality_dialog import QualityDialog

    runner = JobRunner()
    dialog = QualityDialog(model, [], home.database, runner, remotes=remotes)
    qtbot.addWidget(dialog)
    dialog.reference.setCurrentIndex(dialog.reference.count() - 1)  # the last remote
    dialog.pasted.click()
    dialog.paste.setPlainText(QUALITY_TEXT)
    return dialog, runner


def test_quality_dialog_measures_against_a_remote_reference(
    qtbot, home, llama_server: str, real_model: Path, monkeypatch
) -> None:
    """In the dialog: the remote model is offered, the one without logprobs is named with
    the reason, and the result says it is a top-k estimate."""
    from llamadesk.core.evaluate import load_reports
    from llamadesk.core.remote_evaluate import RemoteReference
    from llamadesk.services import quantize_job

    monkeypatch.setattr(quantize_job, "REMOTE_EVALUATION_TOKENS", 6)
    remotes = [
        (RemoteReference("http://gpu-box:8080/v1", "", "big"), False),
        (RemoteReference(llama_server, "", ALIAS), True),
    ]
    dialog, runner = _quality_dialog(qtbot, home, real_model, remotes)
    assert dialog.reference.currentText() == f"{ALIAS} on {llama_server} (remote)"
    note = dialog.reference_note.text()
    assert "top-k estimate" in note
    assert (
        "Not offered as references: big on http://gpu-box:8080/v1: it returns no top_logprobs"
        in note
    )
    with qtbot.waitSignal(dialog.job.finished, timeout=120_000):
        dialog.run_button.click()
    values = {
        dialog.results.item(row, 0).text(): dialog.results.item(row, 1).text()
        for row in range(dialog.results.rowCount())
    }
    assert values[f"Perplexity of {ALIAS} on {llama_server}"] == "unknown (top-k only)"
    assert float(values["Mean KL divergence (remote, top-10 estimate)"]) < 0.01
    assert values["Tokens measured"] == "6"
    assert "the true KL divergence is at least this" in dialog.meaning.text()
    (saved,) = load_reports()
    assert saved.report.reference == f"{ALIAS} on {llama_server}"
    assert dialog.history.item(0, 1).text() == f"{ALIAS} on {llama_server}"
    runner.wait_for_all()


def test_quality_against_a_remote_reference_can_be_cancelled(
    qtbot, home, llama_server: str, real_model: Path
) -> None:
    """Cancel lands between two requests (each is one token): the job ends as cancelled."""
    from llamadesk.core.remote_evaluate import RemoteReference

    remotes = [(RemoteReference(llama_server, "", ALIAS), True)]
    dialog, runner = _quality_dialog(qtbot, home, real_model, remotes)
    with qtbot.waitSignal(dialog.job.progress, timeout=60_000):
        dialog.run_button.click()
    with qtbot.waitSignal(dialog.job.cancelled, timeout=30_000):
        dialog.cancel_button.click()
    assert dialog.status.text() == "Cancelled."
    assert dialog.run_button.isVisibleTo(dialog)
    runner.wait_for_all()


def test_cli_eval_against_a_server(llama_server: str, real_model: Path, tmp_path: Path) -> None:
    text = tmp_path / "text.txt"
    text.write_text(QUALITY_TEXT, encoding="utf-8")
    command = [
        sys.executable, "-m", "llamadesk", "eval", str(real_model), "--against-server",
        llama_server, "--text", str(text), "--max-tokens", "5", "--threads", "1",
    ]  # fmt: skip
    run = subprocess.run(
        [*command, "--model-id", ALIAS, "--top-k", "4", "--json"],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["reference"] == f"{ALIAS} on {llama_server}"
    assert report["reference_level"] == "remote, top-4"
    assert report["tokens"] == 5
    assert report["kl_divergence"] < 0.01
    missing = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0
    assert "--against-server needs --model-id" in missing.stderr


def test_cli_chat_with_a_server_says_which_flags_it_ignores(faulty, capsys) -> None:
    from llamadesk.cli import main

    faulty.mode = "plain"
    url = f"http://127.0.0.1:{faulty.server_port}/v1"
    local_only = ["--threads", "2", "--ctx", "512", "--thinking", "on", "--no-memory-check"]
    assert main(["chat", "--server", url, *local_only, "m", "Hi"]) == 0
    out, err = capsys.readouterr()
    assert out == "Hello\n"
    assert err == (
        "llamadesk: --threads, --ctx, --thinking, --no-memory-check only apply to a local "
        "model; the server decides these, so they are ignored.\n"
    )
    assert main(["chat", "--server", url, "--max-tokens", "8", "m", "Hi"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("model_id", "shown"),
    [
        ("/srv/models/SmolLM2-135M-Instruct.Q4_1.gguf", "SmolLM2-135M-Instruct.Q4_1.gguf"),
        ("C:\\models\\qwen3-8b-Q4_K_M.gguf", "qwen3-8b-Q4_K_M.gguf"),
        ("qwen3:8b-q4_K_M", "qwen3:8b-q4_K_M"),
        ("Qwen/Qwen3-8B", "Qwen3-8B"),
    ],
)
def test_a_remote_model_is_shown_by_the_last_part_of_its_id(model_id: str, shown: str) -> None:
    assert short_model_id(model_id) == shown
