"""A streaming answer renders its finished paragraphs once, and looks as if rendered whole."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtWidgets import QWidget

from llamadesk.ui.chat_view import (
    ChatView,
    MessageBubble,
    MessageText,
    body_font,
    settled_length,
)
from llamadesk.ui.palette import current
from llamadesk.ui.style import stylesheet

ANSWER = (
    "Quantization stores each weight in fewer bits.\n\n"
    "```python\nweights = load()\n\nsmall = quantize(weights)\n```\n\n"
    "1. Pick a level.\n\n2. Run it.\n\n"
    "That is all."
)


@pytest.mark.parametrize(
    ("text", "settled"),
    [
        ("", ""),
        ("one paragraph, still growing", ""),
        ("done\n\nnext", "done\n\n"),
        ("done\n\n", ""),  # what starts next is not known yet
        ("- item\n\n  more of the item", ""),  # an indented line continues the list item
        ("intro\n\n```\ncode\n\nstill code\n", "intro\n\n"),  # never inside a fence
        ("```\ncode\n```\n\nafter", "```\ncode\n```\n\n"),
        ("```\n~~~\n\nstill code", ""),  # only a fence like the opening one closes it
    ],
)
def test_settled_length_stops_at_the_last_finished_block(text: str, settled: str) -> None:
    assert text[: settled_length(text)] == settled


def test_streamed_bubble_settles_paragraphs_and_keeps_the_text(qtbot) -> None:
    bubble = MessageBubble("assistant", "model")
    qtbot.addWidget(bubble)

    for start in range(0, len(ANSWER), 7):
        bubble.append(ANSWER[start : start + 7])

    assert bubble.text == ANSWER
    blocks = bubble.findChildren(MessageText)
    assert len(blocks) >= 4  # the settled parts, and the paragraph being written
    assert bubble.tail is not None  # the paragraph being written, as plain text
    assert bubble.tail.text() == "That is all."
    assert not bubble.body.isVisibleTo(bubble)

    bubble.set_text("Replaced.")
    qtbot.waitUntil(lambda: len(bubble.findChildren(MessageText)) == 1)
    assert bubble.text == "Replaced."
    assert bubble.tail is None
    assert bubble.body.isVisibleTo(bubble)


def test_streamed_bubble_is_as_tall_as_the_same_text_rendered_whole(qtbot) -> None:
    streamed, whole = MessageBubble("assistant", "model"), MessageBubble("assistant", "model")
    for bubble in (streamed, whole):
        qtbot.addWidget(bubble)
        bubble.setFixedWidth(600)
    for start in range(0, len(ANSWER), 5):
        streamed.append(ANSWER[start : start + 5])
    whole.set_text(ANSWER)

    assert streamed.heightForWidth(600) == whole.heightForWidth(600)


def test_message_text_answers_size_queries_for_its_current_text(qtbot) -> None:
    label = MessageText()
    qtbot.addWidget(label)
    label.setText("short")
    one_line = label.heightForWidth(400)

    label.setText("a much longer text " * 40)

    assert label.heightForWidth(400) > one_line
    assert label.heightForWidth(400) == label.heightForWidth(400)


class PaintLog(QObject):
    """The rectangles each watched widget was asked to paint, in order."""

    def __init__(self, *widgets: QWidget) -> None:
        super().__init__()
        self.rects: list[QRect] = []
        self.watch(*widgets)

    def watch(self, *widgets: QWidget) -> None:
        for widget in widgets:
            widget.installEventFilter(self)  # once only, however often it is asked

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.rect())  # type: ignore[attr-defined]
        return False


def _shown_pixels(widget: QWidget) -> QImage:
    """What the window shows: its backing store, painted update by update."""
    image = widget.screen().grabWindow(widget.winId()).toImage()
    return image.convertToFormat(QImage.Format.Format_RGB32)


def test_a_streamed_answer_on_screen_is_the_answer_painted_whole(qtbot) -> None:
    # Only what each update changed is painted again (the bubble grows without repainting
    # what is above its new line): the sum of those paints must be the same picture.
    view = ChatView()
    view.setStyleSheet(stylesheet(current()))  # the bubble's border and rounded corners
    qtbot.addWidget(view)
    view.resize(600, 700)
    view.show()
    qtbot.waitExposed(view)
    view.show_messages([])
    view.begin_answer("model")
    answer = ANSWER + " And a last paragraph long enough to wrap over several lines of the bubble."
    paints = PaintLog(*view.widget().findChildren(QWidget), view.widget())

    for start in range(0, len(answer), 6):
        before = len(paints.rects)
        view.append_answer(answer[start : start + 6])
        paints.watch(*view.widget().findChildren(QWidget))  # the new paragraphs' labels
        qtbot.waitUntil(lambda before=before: len(paints.rects) > before)

    fresh = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    assert _shown_pixels(view) == fresh


def test_more_words_on_the_same_line_repaint_that_line_only(qtbot, monkeypatch) -> None:
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(400, 600)
    view.show()
    qtbot.waitExposed(view)
    view.show_messages([])
    view.begin_answer("model")
    view.append_answer("A paragraph long enough to wrap over three or four lines " * 3)
    bubble = view.streaming_bubble
    assert bubble is not None
    tail = bubble.tail
    assert tail is not None
    line = QFontMetrics(body_font()).lineSpacing()
    # Laid out in the bubble (a widget never laid out is 640 by 480).
    qtbot.waitUntil(
        lambda: tail.isVisible() and tail.width() < view.width() and tail.height() >= 3 * line
    )
    asked: list[QRect] = []  # what the tail asks Qt to repaint
    monkeypatch.setattr(
        tail, "update", lambda *area: asked.append(QRect(*area) if area else tail.rect())
    )

    view.append_answer(" a")

    assert len(asked) == 1
    assert asked[0].height() < 2 * line  # the last line, not the paragraph
    assert asked[0].bottom() == tail.height() - 1
