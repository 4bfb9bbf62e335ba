"""Time from process start to the main window shown, and resident memory then.

    python benchmarks/startup.py [--conversations 1000] [--runs 5]

Each run is a fresh process (offscreen Qt) on a scratch LLAMADESK_HOME; with
--conversations N that home is first filled with N stored conversations.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The launch time comes from the parent: psutil's create_time counts from the boot time
# in whole seconds, which put every figure up to a second late (1.08 s for a bare start).
PROBE = """
import sys, time, psutil
from PySide6.QtCore import QTimer
from llamadesk.core.paths import app_paths
from llamadesk.ui.app import application, build
app = application()
parts = build(app_paths().ensure())
def shown():
    process = psutil.Process()
    cpu = process.cpu_times()
    print(time.time() - float(sys.argv[1]), process.memory_info().rss, cpu.user + cpu.system)
    app.quit()
QTimer.singleShot(0, shown)
parts.window.start()
app.exec()
parts.close()
"""


def fill(home: Path, conversations: int) -> None:
    os.environ["LLAMADESK_HOME"] = str(home)
    from llamadesk.core.paths import app_paths
    from llamadesk.core.store import Store

    with Store(app_paths().ensure().database) as store:
        for number in range(conversations):
            conversation = store.create_conversation()
            prompt = store.add_user_message(conversation.id, f"Question number {number}?")
            store.add_answer(
                conversation.id,
                prompt.id,
                "An answer " * 40,
                model="m.gguf",
                params={},
                seed=1,
                stats={},
                stop_reason="eos",
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        fill(Path(home), args.conversations)
        env = {**os.environ, "LLAMADESK_HOME": home, "QT_QPA_PLATFORM": "offscreen"}
        results = []
        for _ in range(args.runs):
            launched = str(time.time())
            out = subprocess.run(
                [sys.executable, "-c", PROBE, launched],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            results.append((float(out[0]), int(out[1]), float(out[2])))
    seconds = [r[0] for r in results]
    print(
        json.dumps(
            {
                "conversations": args.conversations,
                "load_average_1m": round(os.getloadavg()[0], 2),
                "window_shown_s_median": round(statistics.median(seconds), 3),
                "window_shown_s_min": round(min(seconds), 3),
                "rss_mb_median": round(statistics.median(r[1] for r in results) / 1e6, 1),
                # CPU time to the window shown: close to the wall time an idle machine needs,
                # whatever the load (the start is single-threaded but for brief Qt helpers).
                "cpu_s_median": round(statistics.median(r[2] for r in results), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
