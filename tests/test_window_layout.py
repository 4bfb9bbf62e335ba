"""Layout: compare's vote bar under the answers, a readable line length on wide screens, and
the window coming back as it was left."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextDocument
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


def laid_out(splitter: QSplitter) -> bool:
    """Whether the splitter's parts fill it (a page just made is laid out a moment later)."""
    horizontal = splitter.orientation() == Qt.Orientation.Horizontal
    length = splitter.width() if horizontal else splitter.height()
    handles = splitter.handleWidth() * (splitter.count() - 1)
    return splitter.isVisible() and sum(splitter.sizes()) + handles == length


def visit_every_page(qtbot, window) -> dict[str, QSplitter]:
    """Show each page (a lazy one is made so), then the splitters of the window by name."""
    for page in range(window.modes.count()):
        window.show_mode(page)
        qtbot.waitUntil(window.modes.currentWidget().isVisible)
        for splitter in window.modes.currentWidget().findChildren(QSplitter):
            qtbot.waitUntil(lambda splitter=splitter: laid_out(splitter))
    splitters = window.findChildren(QSplitter)
    assert all(s.objectName() for s in splitters), "a splitter without a name is not kept"
    return {s.objectName(): s for s in splitters}


@pytest.mark.parametrize("last_page", ["Chat", "Models"])
def test_every_splitter_comes_back_when_the_window_is_built_again(
    qtbot, make_parts, last_page
) -> None:
    """Those of a page made when first shown too (Models), whether it is the page the
    window opens on or one shown later."""
    window = make_parts().window
    window.resize(window.minimumWidth(), 700)
    wanted: dict[str, list[int]] = {}
    for name, splitter in visit_every_page(qtbot, window).items():
        sizes = splitter.sizes()
        for step in (40, -40):  # whichever way its parts' minimum sizes leave room
            if splitter.sizes() == sizes:
                splitter.setSizes([sizes[0] + step, sizes[1] - step])
        assert splitter.sizes() != sizes, f"{name} moved"
        wanted[name] = splitter.sizes()
    assert {"chatSplitter", "pairsSplitter", "modelsSplitter", "modelsDetailsSplitter"} <= set(
        wanted
    )
    window.show_mode(
        next(i for i, a in enumerate(window.mode_actions.actions()) if a.text() == last_page)
    )
    window.close()

    again = make_parts().window
    assert again.mode_actions.checkedAction().text() == last_page
    found = visit_every_page(qtbot, again)
    assert set(found) == set(wanted)
    for name, sizes in wanted.items():
        qtbot.waitUntil(lambda splitter=found[name], sizes=sizes: splitter.sizes() == sizes)


def line_length(label: QLabel) -> int:
    """How wide the label's longest line is, as shown."""
    document = QTextDocument()
    document.setDefaultFont(label.font())
    if label.textFormat() == Qt.TextFormat.RichText or "<" in label.text():
        document.setHtml(label.text())
    else:
        document.setPlainText(label.text())
    document.setTextWidth(label.contentsRect().width())
    return math.ceil(document.idealWidth())


def paragraphs_too_wide(page: QWidget) -> None:
    too_wide = [
        f"{label.text()[:40]!r}: {line_length(label)} wide"
        for label in page.findChildren(QLabel)
        if label.isVisible() and label.wordWrap() and line_length(label) > READABLE_WIDTH
    ]
    assert not too_wide


def test_every_page_keeps_its_paragraphs_readable_on_a_wide_screen(qtbot, parts) -> None:
    window = parts.window
    window.resize(2560, 1200)
    for page in range(window.modes.count()):
        window.show_mode(page)
        shown = window.modes.currentWidget()
        qtbot.waitUntil(lambda shown=shown: shown.isVisible() and shown.width() > 2000)
        qtbot.waitUntil(lambda shown=shown: paragraphs_too_wide(shown))
