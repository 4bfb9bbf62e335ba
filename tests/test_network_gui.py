"""The Network panel in the window: serving the loaded model while the user chats, and
chatting with a model on another server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from PySide6.QtGui import QGuiApplication

from llamadesk.core.api_jobs import EngineBackend
from llamadesk.core.api_server import ApiServer
from llamadesk.core.connections import KEYRING_SERVICE
from llamadesk.core.engine import Engine, LoadSettings, SamplingParams
from llamadesk.core.openai_api import Limits


def _serve(qtbot, panel) -> str:
    panel.port.setValue(0)
    panel.serve_toggle.setChecked(True)
    url = panel.address.text()
    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/v1")
    return url


def test_serving_the_loaded_model_while_chatting(qtbot, loaded, tiny_model: Path) -> None:
    window = loaded.window
    panel = window.network
    url = _serve(qtbot, panel)
    panel.copy.click()
    assert QGuiApplication.clipboard().text() == url
    replies: list[str] = []

    def ask() -> None:  # a client program, while the user's answer is being written
        with openai.OpenAI(base_url=url, api_key="unused", max_retries=0) as client:
            reply = client.chat.completions.create(
                model=tiny_model.stem,
                messages=[{"role": "user", "content": "Hi"}],
                max_tokens=8,
            )
            replies.append(reply.choices[0].message.content or "")

    client = threading.Thread(target=ask)
    with qtbot.waitSignal(loaded.session.answer_saved, timeout=60_000):
        window.composer.send_requested.emit("Hello")
        client.start()
    client.join(60)
    assert len(replies) == 1, "the API request was lost"
    qtbot.waitUntil(lambda: panel.log.count() == 1)
    line = panel.log.item(0).text()
    assert "/v1/chat/completions  200" in line
    assert "tokens, waited" in line
    conversation = window.current_conversation
    assert [m.role for m in loaded.session.messages_of(conversation)] == ["user", "assistant"]
    panel.serve_toggle.setChecked(False)
    assert panel.address.text() == ""
    with pytest.raises(openai.APIConnectionError):
        openai.OpenAI(base_url=url, api_key="x", max_retries=0).models.list()


def test_serving_elsewhere_needs_a_key(qtbot, loaded) -> None:
    panel = loaded.window.network
    panel.others.setChecked(True)
    panel.port.setValue(0)
    panel.serve_toggle.setChecked(True)
    assert not panel.serve_toggle.isChecked()
    assert "needs an API key" in panel.server_note.text()
    assert panel.address.text() == ""


@pytest.fixture
def other_server(tiny_model: Path) -> Iterator[str]:
    """A second OpenAI-compatible server, with a key, serving the tiny model."""
    engine = Engine.load(tiny_model, LoadSettings(n_threads=1))
    backend = EngineBackend(engine, Limits(), SamplingParams(max_tokens=8))
    server = ApiServer(backend, api_key="k-123", limits=Limits())
    url = server.start()
    yield url
    server.stop()
    backend.close()
    engine.close()


def test_chatting_with_a_remote_model(
    qtbot, parts, other_server: str, home, memory_keyring
) -> None:
    window = parts.window
    panel = window.network
    panel.server_url.setText(other_server)
    panel.server_key.setText("k-123")
    with qtbot.waitSignal(panel.connections.changed, timeout=30_000):
        panel.add_button.click()
    assert panel.remote_models.count() == 1
    item = panel.remote_models.item(0)
    assert item.text() == f"tiny-f32\n    remote · {other_server}"
    # The key is kept apart from the list, in the keyring, and the panel says so.
    saved = json.loads((home.config / "connections.json").read_text())
    assert saved[0]["url"] == other_server
    assert "k-123" not in json.dumps(saved)
    assert memory_keyring.passwords == {(KEYRING_SERVICE, other_server): "k-123"}
    assert not (home.config / "connection-keys.json").exists()
    note = panel.connections_note.text()
    assert note.endswith(f"Its API key is kept in the OS keyring ({memory_keyring.name}).")
    # Its models are in the model picker too, beside the local ones, marked remote.
    picker = window.model_picker
    index = picker.findText("tiny-f32  (remote)")
    assert index > 0
    with qtbot.waitSignal(parts.host.loaded, timeout=30_000):
        picker.setCurrentIndex(index)
        picker.activated.emit(index)
    assert picker.currentText() == "tiny-f32  (remote)"
    assert "remote, on" in window.model_status.text()
    assert window.memory_panel.figures["weights"].text() == f"runs remotely, on {other_server}"
    with qtbot.waitSignal(parts.session.answer_saved, timeout=60_000) as saved_answer:
        window.composer.send_requested.emit("Hello")
    answer = saved_answer.args[0]
    assert answer.model == "tiny-f32"
    assert answer.params["server"] == other_server
    assert answer.stats["server"] == other_server
    assert window.settings.last_model == ""  # a remote id is never reloaded as a file


def test_the_panel_button_uses_a_remote_model(qtbot, parts, other_server: str) -> None:
    panel = parts.window.network
    panel.server_url.setText(other_server.removesuffix("/v1"))  # /v1 is added to a bare host
    panel.server_key.setText("k-123")
    with qtbot.waitSignal(panel.connections.changed, timeout=30_000):
        panel.add_button.click()
    panel.remote_models.setCurrentRow(0)
    with qtbot.waitSignal(parts.host.loaded, timeout=30_000) as connected:
        panel.use_button.click()
    assert connected.args[0].server == other_server


def test_a_wrong_key_is_said_in_the_panel(qtbot, parts, other_server: str) -> None:
    panel = parts.window.network
    panel.server_url.setText(other_server)
    panel.server_key.setText("wrong")
    with qtbot.waitSignal(panel.connections.failed, timeout=30_000):
        panel.add_button.click()
    assert "refused the API key (401)" in panel.connections_note.text()
    assert panel.connections_note.objectName() == "errorText", "said as an error"
    assert panel.remote_models.count() == 0
    assert panel.add_button.isEnabled()
    with qtbot.waitSignal(panel.connections.failed, timeout=30_000):
        panel.add_button.click()  # the same wrong key, asked again
        assert panel.connections_note.objectName() == "emptyNote", "asking is no error"
    assert panel.connections_note.objectName() == "errorText"


def test_compare_a_local_model_against_a_remote_one(
    qtbot, loaded, other_server: str, tiny_model: Path
) -> None:
    """The comparison people want: the file here against a model on a server, voted on,
    exported with the server named."""
    from PySide6.QtCore import Qt

    from llamadesk.core.preferences import arena_rows

    window = loaded.window
    panel = window.network
    panel.server_url.setText(other_server)
    panel.server_key.setText("k-123")
    with qtbot.waitSignal(panel.connections.changed, timeout=30_000):
        panel.add_button.click()
    view = window.compare_view
    form = view.forms["B"]
    form.model.setCurrentIndex(form.model.findText("tiny-f32  (remote)"))
    window.show_mode(1)
    view.max_tokens = 8
    view.prompt.setPlainText("Which is better?")
    with qtbot.waitSignal(loaded.compare.ready, timeout=60_000):
        view.run_button.click()
    answers = loaded.compare.answers
    assert answers["A"].model == tiny_model.name
    assert "server" not in answers["A"].params
    assert answers["B"].model == "tiny-f32"
    assert answers["B"].params["server"] == other_server
    qtbot.mouseClick(view.vote_buttons["model_b"], Qt.MouseButton.LeftButton)
    (battle,) = arena_rows(loaded.store)
    assert battle["model_b"].startswith(f"tiny-f32 (remote at {other_server}) @ temp")
    assert json.loads(battle["params_b"])["server"] == other_server
