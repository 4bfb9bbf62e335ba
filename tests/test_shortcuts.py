"""Keyboard shortcuts: one table, installed on the window, listed in Help, named in tooltips."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QKeySequence

from llamadesk.core.engine import SamplingParams
from llamadesk.core.ratings import Ratings
from llamadesk.ui.shortcuts import BY_NAME, PAGE_COUNT, SHORTCUTS, ShortcutsWindow

REQUIRED = {
    "new_chat", "search_chats", "focus_composer", "stop", "regenerate", "copy_answer",
    "rate_good", "rate_bad", "vote_a", "vote_b", "vote_tie", "page_0", "page_1", "settings",
}  # fmt: skip


def window_actions(window) -> dict[str, list[str]]:
    return {a.text(): [s.toString() for s in a.shortcuts()] for a in window.actions()}


def press(qtbot, window, name: str) -> None:
    sequence = BY_NAME[name].sequences()[0][0]
    qtbot.keyClick(window, sequence.key(), sequence.keyboardModifiers())


def test_the_table_has_every_action_with_keys_and_no_two_share_keys(parts) -> None:
    assert set(BY_NAME) >= REQUIRED
    keys = [
        s.toString() for shortcut in SHORTCUTS if shortcut.installed for s in shortcut.sequences()
    ]
    assert len(keys) == len(set(keys)), "two actions on the same keys would both stop working"
    installed = window_actions(parts.window)
    for name in REQUIRED:
        shortcut = BY_NAME[name]
        assert shortcut.text(), name
        assert installed[shortcut.label], name
    new = BY_NAME["new_chat"].sequences()[0]
    assert new.matches(QKeySequence(QKeySequence.StandardKey.New)) == (
        QKeySequence.SequenceMatch.ExactMatch
    )


def test_each_page_key_goes_to_the_page_it_names(parts) -> None:
    pages = [action.text() for action in parts.window.mode_actions.actions()]
    assert len(pages) == PAGE_COUNT
    for index, page in enumerate(pages):
        assert BY_NAME[f"page_{index}"].label == f"Go to {page}"


def test_keys_work_on_the_window(qtbot, parts) -> None:
    window = parts.window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    before = len(parts.session.conversations(""))
    press(qtbot, window, "new_chat")
    assert len(parts.session.conversations("")) == before + 1
    press(qtbot, window, "page_1")
    assert window.modes.currentWidget() is window.compare_view
    press(qtbot, window, "search_chats")
    assert window.modes.currentIndex() == 0
    qtbot.waitUntil(window.conversation_list.search.hasFocus)


def test_help_window_lists_each_shortcut_and_tooltips_name_the_keys(qtbot, parts) -> None:
    dialog = ShortcutsWindow(parts.window)
    qtbot.addWidget(dialog)
    shown = {dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())}
    assert {BY_NAME[name].label for name in REQUIRED} <= shown
    keys = BY_NAME["new_chat"].text()
    assert keys in parts.window.conversation_list.new_button.toolTip()
    assert BY_NAME["vote_a"].text() in parts.window.compare_view.vote_buttons["model_a"].toolTip()


def test_rate_and_copy_the_last_answer_from_the_keyboard(qtbot, loaded) -> None:
    window = loaded.window
    loaded.session.params = SamplingParams(max_tokens=8, seed=1)
    with qtbot.waitSignal(loaded.session.answer_saved, timeout=30_000) as saved:
        window.composer.send_requested.emit("Hello")
    answer = saved.args[0]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    press(qtbot, window, "rate_good")
    assert Ratings(loaded.store).thumbs(answer.id).value == 1
    press(qtbot, window, "copy_answer")
    assert QGuiApplication.clipboard().text() == answer.content
