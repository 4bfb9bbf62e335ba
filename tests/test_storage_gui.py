"""The chat window when the chat history cannot be written: nothing typed or answered is
lost, the user reads why, and the window never sticks on "Stop" nor freezes on a lock."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from contextlib import closing

from PySide6.QtCore import Qt

from llamadesk.core.engine import SamplingParams
from llamadesk.core.paths import AppPaths
from llamadesk.core.ratings import Ratings
from llamadesk.core.store import Store
from llamadesk.ui.app import AppParts
from test_db_faults import chat_of, damage_a_middle_page, fill_to_the_limit, lift_the_limit

LONG_MESSAGE = "Please keep this whole message. " * 200  # past a page: it needs a new one


def press_send(qtbot, parts: AppParts, text: str) -> float:
    """Put `text` in the box and press Enter; returns how long the GUI thread was held."""
    editor = parts.window.composer.editor
    editor.setPlainText(text)
    started = time.monotonic()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    return time.monotonic() - started


def stored_messages(parts: AppParts) -> list[str]:
    return [row["content"] for row in parts.store.db.all("SELECT content FROM messages")]


def assert_not_sent(parts: AppParts, text: str, reason: str) -> None:
    window = parts.window
    assert window.composer.editor.toPlainText() == text  # nothing typed is lost
    assert window.banner.isVisible()
    assert "not sent" in window.banner.label.text()
    assert reason in window.banner.label.text()
    assert window.composer.button.text() == "Send"
    assert window.composer.button.isEnabled()
    assert not parts.session.generating


def answer_onto_a_filling_disk(qtbot, parts: AppParts) -> str:
    """Send a prompt; the disk fills while the answer is written. Returns the answer."""
    parts.session.params = SamplingParams(temperature=0.0, max_tokens=24, seed=1)
    session = parts.session
    session.answer_started.connect(lambda _c, _p: fill_to_the_limit(parts.store))
    with qtbot.waitSignal(
        session.generating_changed, timeout=60_000, check_params_cb=lambda on: not on
    ):
        press_send(qtbot, parts, "Fill the disk")
    unsaved = session.unsaved
    assert unsaved is not None
    assert unsaved.result.text
    return unsaved.result.text


def test_a_full_disk_keeps_the_typed_message_in_the_box(qtbot, loaded):
    before = stored_messages(loaded)
    fill_to_the_limit(loaded.store)

    press_send(qtbot, loaded, LONG_MESSAGE)

    assert_not_sent(loaded, LONG_MESSAGE, "is full")
    assert LONG_MESSAGE not in stored_messages(loaded)
    assert stored_messages(loaded)[: len(before)] == before
    lift_the_limit(loaded.store)
    with qtbot.waitSignal(
        loaded.session.generating_changed, timeout=60_000, check_params_cb=lambda on: not on
    ):
        press_send(qtbot, loaded, LONG_MESSAGE)
        assert loaded.window.composer.editor.toPlainText() == ""
        assert LONG_MESSAGE in stored_messages(loaded)


def test_a_lock_held_by_another_program_neither_freezes_nor_loses_the_message(
    qtbot, loaded, home: AppPaths
):
    with closing(sqlite3.connect(home.database, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # held until we let go, as a 9 s lock would be
        held = press_send(qtbot, loaded, "Written while locked")
        assert_not_sent(loaded, "Written while locked", "another LlamaDesk")
        other.execute("ROLLBACK")
    assert held < 0.5, f"the GUI thread waited {held:.2f} s on the lock"
    with qtbot.waitSignal(loaded.session.answer_saved, timeout=60_000):
        press_send(qtbot, loaded, "Written while locked")
    assert "Written while locked" in stored_messages(loaded)


def test_a_read_only_database_keeps_the_typed_message_in_the_box(qtbot, loaded):
    loaded.store.db.execute("PRAGMA query_only = ON")  # SQLITE_READONLY, even for root
    press_send(qtbot, loaded, "Not writable")
    assert_not_sent(loaded, "Not writable", "read-only")
    assert "Not writable" not in stored_messages(loaded)


def test_a_disk_filling_while_streaming_keeps_the_answer_on_screen_to_save_again(qtbot, loaded):
    session, window = loaded.session, loaded.window
    text = answer_onto_a_filling_disk(qtbot, loaded)

    assert text not in stored_messages(loaded)
    shown = window.chat_view.streaming_bubble
    assert shown is not None
    assert shown.text == text  # still on screen
    assert shown.footer.text() == "not saved"
    assert "could not be saved" in window.banner.label.text()
    assert window.composer.button.text() == "Send"  # not stuck on "Stop"
    # Nothing new goes in before the answer is saved: the prompt stays in the box.
    press_send(qtbot, loaded, "Next question")
    assert window.composer.editor.toPlainText() == "Next question"

    lift_the_limit(loaded.store)
    with qtbot.waitSignal(session.answer_saved) as saved:
        window.chat_view.save_again_button.click()
    assert saved.args[0].content == text
    assert session.unsaved is None
    assert window.chat_view.streaming_bubble is None
    assert window.chat_view.bubbles[-1].text == text
    assert stored_messages(loaded)[-1] == text


def test_a_damaged_history_is_kept_and_reported_and_the_window_starts(
    qtbot, make_parts, home: AppPaths
):
    with Store(home.database) as store:
        chat_of(store, 100)
    damage_a_middle_page(home.database, 100)
    original = hashlib.sha256(home.database.read_bytes()).hexdigest()

    parts = make_parts()

    assert parts.rescued is not None  # run_gui also puts it in a dialog that stays
    banner = parts.window.banner
    assert banner.isVisible()
    assert "damaged" in banner.label.text()
    (kept,) = home.database.parent.glob("llamadesk.damaged-*.sqlite3")
    assert str(kept) in banner.label.text()
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == original
    assert [c.title for c in parts.session.conversations()] == ["Kept chat"]
    assert len(parts.window.chat_view.bubbles) > 0


def test_a_rating_the_store_refuses_is_reported_and_does_not_look_given(qtbot, loaded):
    loaded.session.params = SamplingParams(temperature=0.0, max_tokens=12, seed=1)
    with qtbot.waitSignal(loaded.session.answer_saved, timeout=60_000) as saved:
        press_send(qtbot, loaded, "Rate me")
    loaded.store.db.execute("PRAGMA query_only = ON")
    rating = loaded.window.chat_view.bubbles[-1].rating
    assert rating is not None

    rating.good.click()

    banner = loaded.window.banner.label.text()
    assert "rating was not saved" in banner
    assert "read-only" in banner
    assert Ratings(loaded.store).thumbs(saved.args[0].id) is None
    assert not loaded.window.chat_view.bubbles[-1].rating.good.isChecked()


def test_a_compare_answer_the_store_refuses_ends_the_comparison_with_a_sentence(qtbot, loaded):
    compare, view = loaded.compare, loaded.window.compare_view
    loaded.window.show_mode(1)
    view.max_tokens = 12
    view.prompt.setPlainText("Which is better?")

    def fill_once(running: bool) -> None:  # the disk fills while the answers are written
        if running:
            compare.running_changed.disconnect(fill_once)
            fill_to_the_limit(loaded.store)

    compare.running_changed.connect(fill_once)
    with qtbot.waitSignal(compare.failed, timeout=60_000) as failed:
        view.run_button.click()
    assert "could not be saved" in failed.args[0]
    assert "is full" in failed.args[0]
    assert view.status.text() == failed.args[0]
    assert not compare.running  # not stuck: another comparison can start
    assert view.run_button.isEnabled()
    lift_the_limit(loaded.store)
    with qtbot.waitSignal(compare.ready, timeout=60_000):
        view.run_button.click()


def test_closing_the_window_stores_an_answer_that_was_not_saved_if_it_now_can(qtbot, loaded):
    text = answer_onto_a_filling_disk(qtbot, loaded)
    lift_the_limit(loaded.store)  # the user freed some space, then quits

    loaded.window.close()

    assert loaded.session.unsaved is None
    assert stored_messages(loaded)[-1] == text
