"""The arena across this computer and a server, end to end: llama-cpp-python's own server
(which no one here wrote) serves the real starter model on loopback, named by its path as it
does by default; the app reads what the model is from that, the user makes it the
reference, and a blind duel against the local file is voted on, exported and measured."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from PySide6.QtCore import Qt

from llamadesk.core.preferences import export
from llamadesk.core.ratings import Ratings
from llamadesk.core.remote_identity import RemoteIdentity
from llamadesk.services import quantize_job
from test_preferences import load_json  # noqa: F401  # a fixture
from test_remote import served

pytestmark = pytest.mark.slow
MODEL = "SmolLM2-135M-Instruct"


@pytest.fixture(scope="module")
def path_named_server(real_model: Path) -> Iterator[str]:
    """llama_cpp.server without --model_alias: its /v1/models names the model by its path."""
    with served(real_model) as url:
        yield url


def _add_server(qtbot, window, url: str) -> None:
    connections = window.services.connections
    with qtbot.waitSignal(connections.changed, timeout=60_000):
        connections.add(url, "")


def _store_a_chat(parts, model: str) -> None:
    """One conversation of the user's: the text the curve measures KL on."""
    store = parts.store
    conversation = store.create_conversation()
    prompt = store.add_user_message(conversation.id, "Explain the water cycle.")
    store.add_answer(
        conversation.id,
        prompt.id,
        "Water evaporates from the sea, rises, cools into clouds and falls again as rain.",
        model=model,
        params={},
        seed=1,
        stats={},
        stop_reason="eos",
    )


def test_a_duel_against_the_same_model_on_a_server_made_the_reference(
    qtbot,
    parts,
    real_model: Path,
    path_named_server: str,
    tmp_path: Path,
    monkeypatch,
    load_json,  # noqa: F811
) -> None:
    url = path_named_server
    (parts.paths.models / real_model.name).symlink_to(real_model)
    _store_a_chat(parts, real_model.name)
    window = parts.window
    _add_server(qtbot, window, url)
    (server,) = window.services.connections.servers
    said = RemoteIdentity(str(real_model), MODEL, "Q4_1", source="server")
    assert server.identities == (said,), "read from the path the server names it by"
    assert server.logprobs

    view = window.arena_view
    window.show_mode(window.arena_page)
    qtbot.waitUntil(lambda: bool(view.state and view.state.models), timeout=30_000)
    assert view.model.currentText() == MODEL
    host = url.removeprefix("http://").removesuffix("/v1")
    remote_short = f"Q4_1 (remote {real_model.name} at {host})"
    shorts = {view.duel.first.itemText(i) for i in range(view.duel.first.count())}
    assert shorts == {"Q4_1", remote_short}
    assert view.duel.first.currentText() == "Q4_1", "equal levels: the file, until told"

    dialog = view.open_remote_identity()
    assert dialog is not None
    assert dialog.model.currentText() == MODEL
    assert dialog.level.currentData() == "Q4_1"
    assert "The server's answers say so" in dialog.note.text()
    assert "it returns top_logprobs" in dialog.note.text()
    dialog.reference.setChecked(True)
    with qtbot.waitSignal(window.services.connections.changed):
        dialog.save_button.click()
    dialog.close()
    qtbot.waitUntil(lambda: view.duel.first.currentText() == remote_short, timeout=30_000)
    assert view.duel.second.currentText() == "Q4_1"
    assert "answer on their server" in view.note.text()

    view.duel.max_tokens = 12
    view.duel.prompt.setPlainText("Name a colour.")
    with qtbot.waitSignal(view.arena.compare.ready, timeout=120_000):
        view.duel.run_button.click()
    assert view.duel.plan.text() == (
        f"One level answers on {url}, the other on this computer, one after the other."
    )
    sides = view.arena.levels
    (remote_side,) = [side for side, level in sides.items() if level.served_by is not None]
    (local_side,) = [side for side in sides if side != remote_side]
    answers = view.arena.compare.answers
    assert unquote(answers[remote_side].model) == str(real_model)
    assert answers[remote_side].params["server"] == url
    assert answers[local_side].model == real_model.name
    assert "server" not in answers[local_side].params
    assert answers["A"].seed == answers["B"].seed

    winner = "model_a" if remote_side == "A" else "model_b"
    qtbot.mouseClick(view.duel.vote_buttons[winner], Qt.MouseButton.LeftButton)
    remote_label = f"{MODEL} · Q4_1 (remote {real_model} at {url})"
    (vote,) = Ratings(parts.store).comparisons()
    assert {vote.model_a, vote.model_b} == {f"{MODEL} · Q4_1", remote_label}
    assert vote.blind
    out = tmp_path / "arena.jsonl"
    export(parts.store, "arena", out)
    assert len(load_json(out)) == 1, "read as Chatbot Arena's battles are"
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (row["winner"], row[f"model_{remote_side.lower()}"]) == (winner, remote_label)
    assert json.loads(row[f"params_{remote_side.lower()}"])["server"] == url
    assert "server" not in json.loads(row[f"params_{local_side.lower()}"])
    assert row["conversation_" + remote_side.lower()][-1]["content"] == (
        answers[remote_side].content
    )

    def local_point():
        points = view.state.curves[MODEL]
        (point,) = [p for p in points if p.preference is not None]
        return point

    qtbot.waitUntil(lambda: local_point().preference.duels == 1, timeout=30_000)
    assert local_point().preference.share == 1.0
    assert local_point().level.served_by is None

    # KL and top-1 of the local file against the reference on the server, from the curve.
    monkeypatch.setattr(quantize_job, "REMOTE_EVALUATION_TOKENS", 8)
    table = view.curve.table
    row_of_local = view.state.curves[MODEL].index(local_point())
    table.selectRow(row_of_local)
    view.curve.measure_button.click()
    qtbot.waitUntil(lambda: table.item(row_of_local, 6).text() != "", timeout=120_000)
    quality = local_point().quality
    assert quality is not None
    assert quality.reference == f"{real_model} on {url}"
    assert 5 <= quality.tokens <= 8, "at most the tokens asked for"
    assert quality.kl_divergence < 0.01, "the same file, here and there"
    assert quality.top1_agreement >= (quality.tokens - 1) / quality.tokens
    assert f"KL {quality.kl_divergence:.4f}" in view.curve.measure_status.text()
    view.long_runner.wait_for_all()
