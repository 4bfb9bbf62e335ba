"""Accessibility: every control of the main window, on every page, has a name a screen
reader can say, and each message says who wrote it, when, and what."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from llamadesk.core.engine import SamplingParams
from llamadesk.ui.accessibility import needs_name, readable_name


def unnamed(root: QWidget) -> set[str]:
    """The controls on view without a name (hidden ones are out of a screen reader's reach)."""
    return {
        f"{type(w).__name__} {w.objectName()!r} in {type(w.parentWidget()).__name__}"
        for w in [root, *root.findChildren(QWidget)]
        if w.isVisible() and needs_name(w)
    }


def test_a_nameless_control_is_caught(qapp) -> None:
    from PySide6.QtWidgets import QLineEdit, QPushButton

    assert needs_name(QLineEdit())
    assert needs_name(QPushButton("✕"))
    assert not needs_name(QPushButton("Send"))


def test_every_control_on_every_page_has_a_name(qtbot, loaded) -> None:
    window = loaded.window
    loaded.session.params = SamplingParams(max_tokens=8, seed=1)
    with qtbot.waitSignal(loaded.session.answer_saved, timeout=30_000):
        window.composer.send_requested.emit("Hello")
    window.banner.show_message("Something to dismiss")
    missing: set[str] = set()
    for page in range(window.modes.count()):
        window.show_mode(page)
        qtbot.waitUntil(window.modes.currentWidget().isVisible)
        missing |= unnamed(window)
        for tabs in window.modes.currentWidget().findChildren(QTabWidget):  # the arena's
            for tab in range(tabs.count()):
                tabs.setCurrentIndex(tab)
                missing |= unnamed(window)
    assert not missing


def test_each_message_is_named_by_author_and_time_and_described_by_its_text(qtbot, loaded) -> None:
    window = loaded.window
    loaded.session.params = SamplingParams(max_tokens=8, seed=1)
    with qtbot.waitSignal(loaded.session.answer_saved, timeout=30_000) as saved:
        window.composer.send_requested.emit("Hello there")
    question, answer = window.chat_view.bubbles[-2:]
    assert readable_name(question).startswith("You, ")
    assert question.accessibleDescription() == "Hello there"
    assert readable_name(answer).startswith("Answer from ")
    assert answer.accessibleDescription() == saved.args[0].content
    assert any(ch.isdigit() for ch in readable_name(answer)), "the time is said"
