"""A streaming answer renders its finished paragraphs once, and looks as if rendered whole."""

from __future__ import annotations

import pytest

from llamadesk.ui.chat_view import MessageBubble, MessageText, settled_length

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
