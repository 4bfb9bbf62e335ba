"""The README's screenshot of the quant arena with a model on a server: the starter model's
Q4_1 served by llama-cpp-python's own server (standing in for the GPU machine), made the
reference, duels a Q2_K made from it on this computer.

    QT_QPA_PLATFORM=offscreen python tools/screenshot_arena_remote.py docs/screenshots

The server names the model by its file's path, as it does without --model_alias; the app
reads model and level from that. The models folder holds the same Q4_1 and the Q2_K; the
script then says, as the user would in "A model on a server…", that the server's Q4_1 is the
reference. Both answers are the models' own; the vote is the script's (for the reference).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from screenshot_arena import starter
from shots import open_window, scratch_home, settle, wait

from llamadesk.core.quantize import quantize

PROMPT = "Give me three tips for sleeping well."


def serve(model: Path) -> tuple[subprocess.Popen[str], str]:
    """llama_cpp.server with ``model`` on a free loopback port, once it listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
        "--port", str(port), "--n_ctx", "1024", "--n_threads", "1",
    ]  # fmt: skip
    server = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert server.stderr is not None
    for line in server.stderr:
        if "Uvicorn running on" in line:
            break
    else:
        raise SystemExit("llama_cpp.server did not start")
    # Its log goes on (llama.cpp's timings per request): read, so the pipe never fills.
    threading.Thread(target=server.stderr.read, daemon=True).start()
    return server, f"http://127.0.0.1:{port}/v1"


def main(out: Path) -> None:
    paths = scratch_home("llamadesk-arena-remote-")
    work = Path(tempfile.mkdtemp(prefix="llamadesk-levels-"))
    source = work / starter().name
    shutil.copyfile(starter(), source)
    made = quantize(source, "Q2_K", allow_requantize=True).path
    for file in (source, made, made.with_name(made.name + ".lineage.json")):
        shutil.copyfile(file, paths.models / file.name)
    server, url = serve(starter())
    try:
        _app, parts = open_window(paths, 1280, 820)
        window = parts.window
        connections = window.services.connections
        connections.add(url, "")
        wait(connections.changed)
        (said,) = connections.servers[0].identities  # SmolLM2-135M-Instruct at Q4_1
        connections.declare(url, said.model_id, replace(said, reference=True))
        view = window.arena_view
        window.show_mode(window.arena_page)
        wait(view.reader.read)
        duel = view.duel
        duel.max_tokens = 90
        duel.prompt.setPlainText(PROMPT)
        duel.run_button.click()
        wait(view.arena.compare.ready)
        reference = next(side for side, lvl in view.arena.levels.items() if lvl.served_by)
        duel.vote_buttons["model_a" if reference == "A" else "model_b"].click()
        settle(rounds=5)
        out.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out / "arena-remote.png"))
        parts.close()
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
