"""Layout: compare's vote bar under the answers, a readable line length on wide screens, and
the window coming back as it was left."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from llamadesk.ui.window_layout import READABLE_WIDTH, ReadableWidth


def top_in_window(widget, window) -> int:
    return widget.mapTo(window, QPoint(0, 0)).y()


@pytest.mark.parametrize("page", ["compare", "arena"])
def test_vote_bar_sits_right_under_the_answers(qtbot, parts, page: str) -> None:
    window = parts.window
    window.resize(1200, 1000)
    if page == "compare":
        window.show_mode(1)
        view = window.compare_view
    else:
        window.show_mode(window.arena_page)
        view = window.arena_view.duel
    qtbot.waitUntil(view.isVisible)
    pane = view.panes["A"]
    below_answers = top_in_window(pane, window) + pane.height()
    votes = top_in_window(view.vote_buttons["model_a"], window)
    assert 0 <= votes - below_answers < 40
    assert window.height() - votes > 300, "not at the bottom edge of a tall window"


def test_chat_keeps_a_readable_width_on_a_wide_screen(qtbot, parts) -> None:
    window = parts.window
    window.conversation_list.new_requested.emit()  # the chat, not the welcome page
    window.resize(2400, 900)
    content = window.chat_view.widget()
    qtbot.waitUntil(lambda: content.width() > 1500)
    margins = content.layout().contentsMargins()
    assert content.width() - margins.left() - margins.right() <= READABLE_WIDTH
    assert abs(margins.left() - margins.right()) <= 1, "centred"
    composer = window.composer.layout().contentsMargins()
    assert window.composer.width() - composer.left() - composer.right() <= READABLE_WIDTH


def test_window_comes_back_with_its_size_splitter_and_page(qtbot, make_parts) -> None:
    first = make_parts()
    window = first.window
    # The test screen is 800 pixels square and the window at least 1079 wide: Qt keeps a
    # restored window on its screen, so here only the height can show the size came back.
    window.resize(window.minimumWidth(), 700)
    splitter = window.modes.widget(0)
    assert isinstance(splitter, QSplitter)
    splitter.setSizes([330, 670])
    sizes = splitter.sizes()
    window.show_mode(2)
    assert window.height() == 700, "not the height a new window has"
    window.close()

    again = make_parts().window
    assert again.height() == 700
    assert again.modes.currentIndex() == 2
    again.show_mode(0)
    qtbot.waitUntil(lambda: again.modes.widget(0).sizes() == sizes)


def test_content_wider_than_the_view_gets_no_margins_that_widen_it_more(qtbot) -> None:
    area = QScrollArea()
    area.setWidgetResizable(True)
    content = QWidget()
    layout = QVBoxLayout(content)
    layout.setContentsMargins(10, 10, 10, 10)
    sides = layout.contentsMargins()
    wide = QLabel("x" * 200)  # one line that cannot wrap: wider than the view
    layout.addWidget(wide)
    area.setWidget(content)
    ReadableWidth(content, layout, 100)
    qtbot.addWidget(area)
    area.resize(300, 200)
    area.show()
    qtbot.waitExposed(area)
    for _ in range(20):  # each resize posts the next: a feedback loop would keep growing
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    assert layout.contentsMargins() == sides
    assert content.width() == layout.minimumSize().width() < area.width() * 10
