"""Take issue 16's screenshots: the Teach dialog mid-run, and a tuned model in a blind duel.

    LLAMADESK_HOME=RUN QT_QPA_PLATFORM=offscreen python tools/screenshot_teach.py \
        docs/screenshots --adapter RUN/data/models/TUNED.gguf

Needs the training stack (``.[train]``) and a home whose store holds ratings on the starter
model (benchmarks/teach_loop.py makes one) and the adapter trained on them. The home is
copied first: the screenshots' answers do not join the run's data. Everything is real: the
duel's answers are the two models' own, and with ``--mid-run`` the dialog trains on the
stored pairs (6 steps of 64 tokens, cancelled at step 3: the shot needs a run in progress,
not a finished one).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from shots import open_window, settle, wait

from llamadesk.core.paths import HOME_ENV, app_paths
from llamadesk.core.starter import starter_model_path
from llamadesk.core.training import TrainProgress

TRAINING_MS = 600_000  # the Teach dialog's steps on a CPU are slow


def teach_mid_run(parts, out: Path) -> None:
    model = starter_model_path()
    assert model is not None, "the starter model is not installed"
    dialog = parts.models.open_train(model)
    wait(dialog.job.previewed, TRAINING_MS)
    dialog.steps.setValue(6)
    dialog.max_length.setValue(64)
    dialog.start()
    wait(
        dialog.job.step,
        TRAINING_MS,
        until=lambda step: isinstance(step, TrainProgress) and step.step > 2,  # mid-run
    )
    settle()
    dialog.grab().save(str(out / "teach-mid-run.png"))
    dialog.job.cancel()
    wait(dialog.job.done, TRAINING_MS)
    dialog.close()


def tuned_duel(parts, out: Path, adapter: Path) -> None:
    window = parts.window
    window.duel_tuned(adapter)
    view = window.arena_view
    wait(view.reader.read, TRAINING_MS)
    duel = view.duel
    duel.max_tokens = 120
    duel.run_button.click()
    wait(view.arena.compare.ready, TRAINING_MS)
    settle()
    window.grab().save(str(out / "arena-tuned-duel.png"))


def main(out: Path, adapter: Path, mid_run: bool) -> None:
    run_home = Path(os.environ[HOME_ENV])
    copy = Path(tempfile.mkdtemp(prefix="llamadesk-teach-shots-")) / "home"
    shutil.copytree(run_home, copy)
    os.environ[HOME_ENV] = str(copy)
    paths = app_paths().ensure()
    _app, parts = open_window(paths, 1280, 820)
    out.mkdir(parents=True, exist_ok=True)
    if mid_run:
        teach_mid_run(parts, out)
    tuned_duel(parts, out, paths.models / adapter.name)
    parts.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--adapter", type=Path, required=True)
    parser.add_argument(
        "--mid-run", action="store_true", help="also the Teach dialog mid-run (trains a while)"
    )
    arguments = parser.parse_args()
    main(arguments.out, arguments.adapter, arguments.mid_run)
