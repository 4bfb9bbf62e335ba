"""The README's screenshot of a chat with a remote model, the Network panel open and the
app's own API server on.

    python tools/screenshot_network.py MODEL.gguf docs/screenshots

A second OpenAI-compatible server on loopback (LlamaDesk's own, with MODEL.gguf) stands in
for the GPU machine; the app, in a scratch LLAMADESK_HOME, connects to it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shots import open_window, scratch_home, wait

from llamadesk.core.api_jobs import EngineBackend
from llamadesk.core.api_server import ApiServer
from llamadesk.core.engine import Engine, LoadSettings, SamplingParams
from llamadesk.core.openai_api import Limits


def main(model: Path, out: Path) -> None:
    paths = scratch_home()
    engine = Engine.load(model, LoadSettings(n_threads=1))
    backend = EngineBackend(engine, Limits(), SamplingParams())
    remote = ApiServer(backend, api_key="gpu-box-key")
    remote_url = remote.start()
    app, parts = open_window(paths, 1280, 800)
    window = parts.window
    panel = window.network
    window.findChild(type(window.toolbar.actions()[0]), "networkAction").trigger()
    panel.server_url.setText(remote_url)
    panel.server_key.setText("gpu-box-key")
    panel.add_button.click()
    wait(panel.connections.changed)
    panel.remote_models.setCurrentRow(0)
    panel.use_button.click()
    wait(parts.host.loaded)
    parts.session.params = SamplingParams(max_tokens=120, seed=2, temperature=0.3)
    window.composer.send_requested.emit("What are three good uses of a small language model?")
    wait(parts.session.answer_saved)
    panel.port.setValue(8080)
    panel.serve_toggle.setChecked(True)
    app.processEvents()
    out.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out / "network-remote.png"))
    parts.close()
    remote.stop()
    backend.close()
    engine.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
