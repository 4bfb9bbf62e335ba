"""`llamadesk self-test`: the whole app, end to end, in under a minute.

Opens the real main window, loads the starter model (or, where it is not installed, writes
and loads the random-weight demo model) on the model thread, sends a message, waits for the
streamed answer, checks that the answer was stored (read back through a second connection),
and saves a screenshot. Exits 0 only if every step worked.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QApplication

from llamadesk.core.data_folder import DataFolderError, prepare_folders
from llamadesk.core.engine import SamplingParams
from llamadesk.core.paths import HOME_ENV, app_paths
from llamadesk.core.preferences import EXPORT_FORMATS, export
from llamadesk.core.ratings import Ratings
from llamadesk.core.store import Message, Store
from llamadesk.services.model_host import LoadedModel
from llamadesk.services.waiting import StepFailed, wait_for
from llamadesk.ui.app import AppParts, application, build
from llamadesk.ui.palette import current
from llamadesk.ui.theme import theme_of
from llamadesk.ui.translations import install_language, language_in_use

STEP_TIMEOUT_MS = 180_000  # the real starter model on a busy 2-core machine: ~2 tokens/s
PROMPT = "Hello! What can you tell me about quantization?"


class SelfTestFailed(Exception):
    pass


def _wait_for(
    start: Callable[[], None], what: str, success: SignalInstance, failure: SignalInstance
) -> object:
    """Call `start` and run the event loop until `success` fires; return its argument."""
    try:
        return wait_for(start, success, failure, STEP_TIMEOUT_MS)
    except TimeoutError:
        raise SelfTestFailed(f"timed out waiting for {what}") from None
    except StepFailed as exc:
        raise SelfTestFailed(f"{what} failed: {exc.args[0]}") from None


def run_self_test(out: Path | None, *, theme: str | None = None, lang: str | None = None) -> int:
    """Run every step, print one line per step, return 0 when all passed; `theme` and
    `lang` (a language code) replace the system's for this run."""
    with tempfile.TemporaryDirectory(prefix="llamadesk-selftest-") as scratch:
        if not os.environ.get(HOME_ENV):
            # Use a scratch home so the self-test never touches the user's own chats.
            os.environ[HOME_ENV] = scratch
        try:
            report = _run_steps(out, theme, lang)
        except (SelfTestFailed, DataFolderError) as exc:
            print(f"self-test FAILED: {exc}", file=sys.stderr)
            return 1
    print(f"self-test passed: {json.dumps(report)}")
    return 0


def _step(name: str, started: float) -> None:
    print(f"  ok  {name} ({time.perf_counter() - started:.2f} s)", flush=True)


def _run_steps(out: Path | None, theme: str | None, lang: str | None) -> dict[str, object]:
    started = time.perf_counter()
    app = application()
    if lang:
        install_language(app, lang)
    paths = prepare_folders(app_paths())
    parts = build(paths)
    if theme:
        theme_of(app).set_choice(theme)
    window, session, host = parts.window, parts.session, parts.host
    try:
        window.start()
        _step("window shown", started)

        if window.starter is None:
            print("  --  the starter model is not installed: using the random-weight demo model")
        load = window.start_starter if window.starter is not None else window.load_demo
        model = _wait_for(load, "loading the model", host.loaded, host.load_failed)
        assert isinstance(model, LoadedModel)
        info = model.info
        _step(f"{info.path.name} loaded ({info.parameter_count:,} parameters)", started)

        # A short answer: its streaming and storing are the point.
        session.params = SamplingParams(max_tokens=64, seed=0)
        updates: list[str] = []
        session.answer_text.connect(lambda _cid, text: updates.append(text))
        saved = _wait_for(
            lambda: window.composer.send_requested.emit(PROMPT),
            "the answer",
            session.answer_saved,
            session.error,
        )
        assert isinstance(saved, Message)
        answer_text = saved.content
        if not answer_text:
            raise SelfTestFailed("the answer arrived empty")
        _step(f"answer streamed in {len(updates)} updates", started)

        with Store(paths.database) as check:
            conversations = check.list_conversations()
            thread = check.thread(conversations[0].id) if conversations else []
        stored = [(m.role, m.content) for m in thread]
        if stored[-2:] != [("user", PROMPT), ("assistant", answer_text)]:
            raise SelfTestFailed("the conversation was not stored as shown")
        _step("conversation stored", started)

        _rate_and_compare(parts, saved)
        _step("thumbs rating and compare vote stored", started)

        report: dict[str, object] = {
            "model": model.info.path.name,
            "updates": len(updates),
            "answer_chars": len(answer_text),
            "stats": saved.stats,
            "seconds": round(time.perf_counter() - started, 2),
            "theme": "dark" if current().dark else "light",
            "language": language_in_use(),
        }
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            # The chat page was hidden during the comparison: let it lay out its bubbles
            # (posted layout requests) before the picture, or they show collapsed.
            QApplication.sendPostedEvents()
            QApplication.processEvents()
            if not window.grab().save(str(out / "self-test.png")):
                raise SelfTestFailed(f"could not save the screenshot in {out}")
            (out / "self-test.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
            with Store(paths.database) as store:
                for kind in EXPORT_FORMATS:
                    export(store, kind, out / f"export-{kind}.jsonl")
            _step(f"screenshot saved to {out / 'self-test.png'}", started)
        return report
    finally:
        parts.close()


def _rate_and_compare(parts: AppParts, answer: Message) -> None:
    """Give the answer a thumb, run one comparison, vote; check both were stored."""
    window = parts.window
    rating = window.chat_view.bubbles[-1].rating
    if rating is None:
        raise SelfTestFailed("the stored answer has no rating controls")
    rating.good.click()
    window.show_mode(1)
    view = window.compare_view
    view.max_tokens = 32
    view.prompt.setPlainText(PROMPT)
    _wait_for(view.run_button.click, "the comparison", parts.compare.ready, parts.compare.failed)
    view.vote_buttons["model_a"].click()
    window.show_mode(0)
    with Store(parts.store.path) as check:
        ratings = Ratings(check)
        thumbs = ratings.thumbs(answer.id)
        votes = ratings.comparisons()
    if thumbs is None or thumbs.value != 1:
        raise SelfTestFailed("the thumbs rating was not stored")
    if [vote.winner for vote in votes] != ["model_a"]:
        raise SelfTestFailed("the compare vote was not stored")
