"""Remote models in the quant arena: what a remote model is (declared, or read from what its
server says), how it joins the local levels of its model, and how it duels and is measured
against. The end-to-end duel against llama-cpp-python's own server is in
test_arena_remote_real.py."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import quality_report
from llamadesk.core.arena import (
    ArenaLevel,
    ServedBy,
    local_reference,
    model_levels,
    parse_label,
    quality_curve,
    recommend,
    reference_of,
    remote_level,
    run_plan,
)
from llamadesk.core.connections import Connection, Connections
from llamadesk.core.evaluate import SavedReport
from llamadesk.core.gguf_info import read_gguf_info
from llamadesk.core.ratings import Comparison
from llamadesk.core.remote import RemoteServer
from llamadesk.core.remote_identity import RemoteIdentity, infer_identity, level_from_ftype

GPU = "http://gpu-box:8080/v1"


@pytest.mark.parametrize(
    ("model_id", "ftype", "model_path", "expected"),
    [
        # llama-server without an alias: the file name; llama-cpp-python's server: the path.
        ("Qwen3-32B-Q4_K_M.gguf", "", "", ("Qwen3-32B", "Q4_K_M")),
        ("/srv/m/SmolLM2-135M-Instruct.Q4_1.gguf", "", "", ("SmolLM2-135M-Instruct", "Q4_1")),
        ("C:\\models\\gemma-3-4b-it-BF16.gguf", "", "", ("gemma-3-4b-it", "BF16")),
        # llama-server behind an alias: /props names the file, meta.ftype what it holds.
        ("qwen", "Q4_K - Medium", "/m/Qwen3-8B-F16.gguf", ("Qwen3-8B", "Q4_K_M")),
        ("qwen", "Q8_0", "", ("qwen", "Q8_0")),
        # Ollama tags.
        ("qwen3:8b-q4_K_M", "", "", ("qwen3-8b", "Q4_K_M")),
        ("llama3.1:8b-instruct-fp16", "", "", ("llama3.1-8b-instruct", "F16")),
        # vLLM's repository names, and tags without a level: not guessed.
        ("Qwen/Qwen3-8B", "", "", None),
        ("qwen3:8b", "", "", None),
        ("Qwen2.5-7B-Instruct", "", "", None),
    ],
)
def test_what_a_servers_own_words_say_a_model_is(model_id, ftype, model_path, expected):
    found = infer_identity(model_id, ftype, model_path)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (found.model, found.level, found.source) == (*expected, "server")
        assert found.model_id == model_id
        assert not found.reference, "only the user makes a reference"


def test_llama_cpps_file_type_names_are_levels():
    assert level_from_ftype("Q4_K - Medium") == "Q4_K_M"
    assert level_from_ftype("Q3_K - Small") == "Q3_K_S"
    assert level_from_ftype("Q2_K - Medium") == "Q2_K", "llama.cpp's name for plain Q2_K"
    assert level_from_ftype("all F32") == "F32"
    assert level_from_ftype("(guessed) Q8_0") == "Q8_0"
    assert level_from_ftype("IQ4_XS - 4.25 bpw") == "IQ4_XS"
    assert level_from_ftype("MXFP4 MoE") == "MXFP4"
    assert level_from_ftype("unknown, may not work") == ""


def test_identities_are_saved_with_their_server_and_dropped_with_their_model(tmp_path):
    big = RemoteIdentity("big", "Qwen3-32B", "F16", reference=True)
    said = RemoteIdentity("small", "Qwen3-8B", "Q4_K_M", source="server")
    Connections(tmp_path).save([Connection(GPU, ("big", "small"), True, (big, said))])
    (loaded,) = Connections(tmp_path).load()
    assert loaded.identities == (big, said)
    assert loaded.identity("small") == said
    raw = json.loads((tmp_path / "connections.json").read_text(encoding="utf-8"))
    raw[0]["models"] = ["big"]  # the server no longer offers "small"
    raw[0]["identities"].append({"model_id": "big", "level": "Q9_X", "model": "M"})  # no level
    raw[0]["identities"].append("garbage")
    (tmp_path / "connections.json").write_text(json.dumps(raw), encoding="utf-8")
    (loaded,) = Connections(tmp_path).load()
    assert loaded.identities == (big,)


def _levels(files: list[Path], *remotes: tuple[RemoteIdentity, ServedBy]):
    return model_levels((read_gguf_info(path) for path in files), remotes)


def test_a_remote_f16_joins_the_local_file_of_its_model_as_its_reference(tiny_model, quantized):
    """One local Q4_K_M and the F16 on a server: the comparison people want."""
    local = quantized["Q4_K_M"].result.path  # tiny-Q4_K_M.gguf
    served = ServedBy(GPU, "tiny-f16", logprobs=True)
    ((name, levels),) = _levels(
        [local], (RemoteIdentity("tiny-f16", "TINY", "F16"), served)
    ).items()
    assert name == "tiny", "named after the local file, whatever case the user typed"
    assert [level.level for level in levels] == ["F16", "Q4_K_M"]
    remote, here = levels
    assert reference_of(levels) == remote, "the larger level"
    assert remote.served_by == served
    assert remote.label == f"TINY · F16 (remote tiny-f16 at {GPU})"
    assert remote.short == "F16 (remote tiny-f16 at gpu-box:8080)"
    assert parse_label(remote.label) == ("TINY", "F16", "")
    parameters = read_gguf_info(local).parameter_count
    assert remote.file_size == parameters * 2, "an estimate: 16 bits a weight"
    assert remote.memory_needed == 0, "it takes no memory here"
    assert local_reference(levels) == here, "re-scores and quantizing start from the file"


def test_the_user_can_make_a_remote_level_the_reference(tiny_model, quantized):
    """The same Q4_K_M file served remotely: equal bits, so only the user can say it is the
    reference (the duel then asks whether the server changes anything)."""
    local = quantized["Q4_K_M"].result.path
    served = ServedBy(GPU, "tiny-remote")
    plain = RemoteIdentity("tiny-remote", "tiny", "Q4_K_M")
    (levels,) = _levels([local], (plain, served)).values()
    assert reference_of(levels).served_by is None
    here, there = sorted(levels, key=lambda level: level.served_by is not None)
    assert (there.file_size, there.bits_per_weight) == (here.file_size, here.bits_per_weight)
    chosen = RemoteIdentity("tiny-remote", "tiny", "Q4_K_M", reference=True)
    (levels,) = _levels([local], (chosen, served)).values()
    assert reference_of(levels).served_by == served


def test_a_remote_model_of_no_local_model_needs_a_second_level(tiny_model):
    served = ServedBy(GPU, "a")
    one = (RemoteIdentity("a", "Other", "F16"), served)
    assert _levels([tiny_model], one) == {}, "tiny has one level, Other one"
    two = (RemoteIdentity("b", "Other", "Q4_K_M"), ServedBy(GPU, "b"))
    ((name, levels),) = _levels([tiny_model], one, two).items()
    assert name == "Other"
    assert [level.level for level in levels] == ["F16", "Q4_K_M"]
    assert local_reference(levels) is None, "no file to quantize or re-score"
    assert remote_level(RemoteIdentity("c", "Other", "UD-IQ1_S"), served) is None, "no bits"


def test_a_remote_level_is_shown_by_its_ids_last_part_and_its_servers_host():
    served = ServedBy("http://10.0.0.7:8000/v1", "/srv/models/Qwen3-8B-F16.gguf")
    level = ArenaLevel(Path("x"), "Qwen3-8B", "F16", 0, 16.0, served_by=served)
    assert level.short == "F16 (remote Qwen3-8B-F16.gguf at 10.0.0.7:8000)"
    assert level.label == (
        "Qwen3-8B · F16 (remote /srv/models/Qwen3-8B-F16.gguf at http://10.0.0.7:8000/v1)"
    ), "votes and exports keep the whole id and the server's address"


def test_the_duel_plan_says_where_each_level_answers():
    here = ArenaLevel(Path("/m/M-Q4_K_M.gguf"), "M", "Q4_K_M", 10, 4.9, memory_needed=10)
    there = ArenaLevel(Path("m"), "M", "F16", 40, 16.0, served_by=ServedBy(GPU, "m"))
    assert run_plan(here, there, 1000) == (
        f"One level answers on {GPU}, the other on this computer, one after the other."
    )
    assert run_plan(there, there, 0) == f"Both levels answer on {GPU}, one after the other."


def _vote(a: str, b: str, winner) -> Comparison:
    return Comparison(0, 1, 2, a, b, winner, "", True, 0.0, 0.0)


def test_the_curve_counts_duels_and_measurements_against_a_remote_reference():
    here = ArenaLevel(Path("/m/M-Q4_K_M.gguf"), "M", "Q4_K_M", 100, 4.9)
    there = ArenaLevel(Path("m"), "M", "F16", 400, 16.0, served_by=ServedBy(GPU, "m", True))
    votes = [
        _vote(there.label, here.label, "model_a"),
        _vote(here.label, there.label, "model_a"),
        _vote(here.label, there.label, "tie"),
    ]
    report = quality_report(
        model=str(here.path.resolve()),
        reference=f"m on {GPU}",  # as evaluate_remote names a RemoteReference
        reference_level="remote, top-10",
        reference_perplexity=0.0,  # a server gives no perplexity of its own
        kl_divergence=0.05,
    )
    points = quality_curve([there, here], votes, [SavedReport(report, "", "")], resamples=50)
    (low,) = [p for p in points if p.preference is not None]
    assert low.preference is not None
    assert (low.preference.duels, low.preference.share) == (3, pytest.approx(1.5 / 3))
    assert low.quality == report
    assert "duels" in recommend(points).text


class _LlamaServer(BaseHTTPRequestHandler):
    """llama-server's answers, as its source writes them (tools/server/server-context.cpp):
    /v1/models with `meta`, /props with `model_path`, an alias for the id."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/props":
            self._send({"model_alias": "big", "model_path": "/models/Qwen3-32B-F16.gguf"})
            return
        meta = {"n_vocab": 151936, "n_params": 32762123264, "ftype": "F16"}
        self._send(
            {"object": "list", "data": [{"id": "big", "owned_by": "llamacpp", "meta": meta}]}
        )

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if not body.get("stream"):
            top = [{"token": "Hi", "logprob": -0.1, "bytes": []}]
            logprobs = {"content": [{"token": "Hi", "logprob": -0.1, "top_logprobs": top}]}
            self._send({"choices": [{"text": "Hi", "logprobs": logprobs}], "usage": {}})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        done = {"choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": "stop"}]}
        self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
        self.close_connection = True

    def _send(self, answer: object) -> None:
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def llama_server_shape() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LlamaServer)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()
    server.server_close()
    thread.join()


def test_probing_llama_server_finds_its_file_behind_an_alias(llama_server_shape):
    server = RemoteServer(llama_server_shape)
    try:
        found = server.probe()
    finally:
        server.close()
    assert found.models == ("big",)
    assert found.logprobs, "llama-server's top_logprobs shape is read"
    assert found.identities == (RemoteIdentity("big", "Qwen3-32B", "F16", source="server"),)


def test_what_the_user_declares_outlives_probing_again(qtbot, tmp_path, llama_server_shape):
    from llamadesk.services.network import ConnectionsService

    connections = ConnectionsService(tmp_path)
    with qtbot.waitSignal(connections.changed, timeout=10_000):
        connections.add(llama_server_shape, "")
    (server,) = connections.servers
    assert server.identity("big") == RemoteIdentity("big", "Qwen3-32B", "F16", source="server")
    declared = RemoteIdentity("big", "Qwen3-32B-Instruct", "BF16", reference=True)
    with qtbot.waitSignal(connections.changed):
        connections.declare(llama_server_shape, "big", declared)
    with qtbot.waitSignal(connections.changed, timeout=10_000):
        connections.add(llama_server_shape, "")  # probed again: the user's word stands
    assert connections.servers[0].identities == (declared,)
    assert Connections(tmp_path).load()[0].identities == (declared,)
    with qtbot.waitSignal(connections.changed):
        connections.declare(llama_server_shape, "big", None)
    assert connections.servers[0].identities == ()
    qtbot.waitUntil(lambda: not connections.busy)
    with qtbot.waitSignal(connections.destroyed):
        connections.deleteLater()


def test_the_arena_page_says_what_a_remote_reference_cannot_do(qtbot, home, make_parts, quantized):
    """A server without top_logprobs as the reference: the duel is offered, KL is not, and
    re-scoring keeps to the files; forgetting the model takes it out of the arena."""
    from llamadesk.ui.arena_view import REMOTE_NOT_RESCORED

    local = quantized["Q4_K_M"].result.path
    (home.models / local.name).symlink_to(local)
    declared = RemoteIdentity("tiny-f16", "tiny", "F16")
    Connections(home.config).save([Connection(GPU, ("tiny-f16",), False, (declared,))])
    parts = make_parts()
    window, view = parts.window, parts.window.arena_view
    window.show_mode(window.arena_page)
    qtbot.waitUntil(lambda: bool(view.state and view.state.models), timeout=30_000)
    assert view.duel.first.currentText() == "F16 (remote tiny-f16 at gpu-box:8080)"
    assert view.duel.second.currentText() == "Q4_K_M"

    view.tabs.setCurrentWidget(view.curve)
    view.curve.table.selectRow(0)  # Q4_K_M, the smaller
    view.curve.measure_button.click()
    assert view.curve.measure_status.text() == (
        "F16 (remote tiny-f16 at gpu-box:8080) cannot be measured against: it returns no "
        "top_logprobs for /v1/completions, so there is nothing to compare a local model's "
        "predictions with."
    )
    assert not view.evaluation.running

    rescore = view.rescore
    assert rescore.level.count() == 0, "no file besides the reference file"
    assert rescore.reference.text() == "against Q4_K_M"
    assert rescore.reference.toolTip() == REMOTE_NOT_RESCORED

    dialog = view.open_remote_identity()
    assert dialog is not None
    assert (dialog.model.currentText(), dialog.level.currentData()) == ("tiny", "F16")
    assert "It can duel, but not measure KL: it returns no top_logprobs" in dialog.note.text()
    dialog.forget_button.click()
    dialog.close()
    assert Connections(home.config).load()[0].identities == ()
    qtbot.waitUntil(lambda: not view.state.models, timeout=30_000)
    assert "A model on a server…" in view.note.text()
