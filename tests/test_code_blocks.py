"""Code in answers: highlighted by language in the theme's colours, a Copy button per block,
long lines scrolling inside the block, and the block being written left alone while it
streams."""

from __future__ import annotations

import pytest
from pygments.styles import get_style_by_name
from pygments.token import Keyword
from PySide6.QtGui import QGuiApplication, QTextCursor

from llamadesk.ui import code_blocks
from llamadesk.ui.chat_view import ChatView, MessageBubble, MessageText
from llamadesk.ui.code_blocks import CodeBlock, Fence, split_fences
from llamadesk.ui.palette import DARK, LIGHT
from llamadesk.ui.theme import theme_of

CODE = 'def greet(name):\n    return f"Hello {name}"'
ANSWER = f"Here it is:\n\n```python\n{CODE}\n```\n\nCall it with a name."
LONG_LINE = f"value = {'1 + ' * 200}1"


def keyword_colour(palette) -> str:
    return "#" + get_style_by_name(palette.pygments_style).style_for_token(Keyword)["color"]


def colour_at(block: CodeBlock, position: int) -> str:
    cursor = QTextCursor(block.text.document())
    cursor.setPosition(position + 1)  # the format of the character before the cursor
    return cursor.charFormat().foreground().color().name()


@pytest.fixture
def theme(qapp):
    yield theme_of(qapp)
    theme_of(qapp).set_choice("light")


def test_markdown_is_cut_at_its_fences() -> None:
    text = (
        "Intro\n\n```python\nx = 1\n\n  y = 2\n```\n\ntext\n\n"
        "  ~~~\n  plain\n  ```\n  ~~~\n\n"
        "Inline ```not a fence``` here.\n\n````js\nlet a"
    )
    assert split_fences(text) == [
        "Intro",
        Fence("x = 1\n\n  y = 2", "python", closed=True),
        "text",
        Fence("plain\n```", "", closed=True),  # the opening fence's indent taken off
        "Inline ```not a fence``` here.",
        Fence("let a", "js", closed=False),
    ]


@pytest.mark.parametrize(("choice", "palette"), [("light", LIGHT), ("dark", DARK)])
def test_closed_block_is_highlighted_in_the_theme(qtbot, theme, choice, palette) -> None:
    theme.set_choice(choice)
    bubble = MessageBubble("assistant", "model", ANSWER)
    qtbot.addWidget(bubble)
    (block,) = bubble.findChildren(CodeBlock)
    assert block.text.toPlainText() == CODE
    assert block.language.text() == "python"
    assert colour_at(block, CODE.index("def")) == keyword_colour(palette)
    shown = [label for label in bubble.findChildren(MessageText) if label.isVisibleTo(bubble)]
    assert len(shown) == 2
    assert "Here it is" in shown[0].text()
    assert "Call it" in shown[1].text()


def test_a_block_left_open_is_shown_plain(qtbot, theme) -> None:
    bubble = MessageBubble("assistant", "model", f"Here it is:\n\n```python\n{CODE}")
    qtbot.addWidget(bubble)
    (block,) = bubble.findChildren(CodeBlock)
    assert block.text.toPlainText() == CODE
    assert colour_at(block, CODE.index("def")) != keyword_colour(LIGHT)


def test_copy_button_puts_the_code_on_the_clipboard(qtbot) -> None:
    bubble = MessageBubble("assistant", "model", ANSWER)
    qtbot.addWidget(bubble)
    QGuiApplication.clipboard().clear()
    bubble.findChild(CodeBlock).copy_button.click()
    assert QGuiApplication.clipboard().text() == CODE


def test_streaming_highlights_each_block_a_few_times_not_on_every_update(
    qtbot, monkeypatch
) -> None:
    calls: list[str] = []
    original = code_blocks._highlight
    monkeypatch.setattr(
        code_blocks,
        "_highlight",
        lambda document, start, text, *rest: (
            calls.append(text),
            original(document, start, text, *rest),
        ),
    )
    code = "x = 1  # set\ny = x * 2\nprint(x, y)"
    answer = "\n\n".join(f"Step {i}:\n\n```python\n{code}\n```" for i in range(4))
    bubble = MessageBubble("assistant", "model")
    qtbot.addWidget(bubble)
    updates = 0
    for at in range(0, len(answer), 3):
        bubble.append(answer[at : at + 3])
        updates += 1
    assert updates > 60
    # A block settles (and is highlighted) once a paragraph follows it; the last one is still
    # the plain-text tail of the answer being written.
    streamed = len(calls)
    assert 3 <= streamed <= 3 * 4, "each block is highlighted once it is closed, not before"
    bubble.set_text(answer)  # the answer is stored: the chat shows it whole
    assert len(calls) - streamed == 4


@pytest.mark.parametrize("streamed", [True, False])
def test_a_long_code_line_scrolls_inside_its_block(qtbot, streamed) -> None:
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    answer = f"Try this:\n\n```python\n{LONG_LINE}\nshort = 2\n```\n\nDone."
    if streamed:
        view.begin_answer("model")
        view.append_answer(answer)
    else:
        view.show_unsaved("model", answer)  # rendered whole, as a stored answer is
    bubble = view.streaming_bubble
    assert bubble is not None
    qtbot.waitUntil(lambda: bubble.findChild(CodeBlock) is not None)
    block = bubble.findChild(CodeBlock)
    qtbot.waitUntil(block.isVisible)
    scroll_bar = block.text.horizontalScrollBar()
    qtbot.waitUntil(lambda: scroll_bar.maximum() > 0)
    # Not wrapped: one line each, the long one wider than the block, which scrolls it.
    assert block.text.document().blockCount() == 2
    assert block.text.document().idealWidth() > block.text.viewport().width()
    assert scroll_bar.isVisible()
    assert bubble.width() <= view.viewport().width()
    assert view.horizontalScrollBar().maximum() == 0
    # Both lines and the scroll bar under them are shown: nothing to scroll up and down.
    assert block.text.verticalScrollBar().maximum() == 0


def test_a_bubble_with_code_asks_for_no_more_height_than_it_needs(qtbot) -> None:
    """The transcript is at least as tall as its bubbles' minimum heights: a bubble whose
    minimum is taller than its text makes a short chat scroll."""
    sentence = "A sentence of about seventy characters, on one line in a wide bubble."
    steps = [f"{sentence}\n\n```python\nx = {i}\n```" for i in range(3)]
    bubble = MessageBubble("assistant", "model", "\n\n".join([*steps, sentence]))
    qtbot.addWidget(bubble)
    bubble.resize(760, 400)
    bubble.show()
    qtbot.waitUntil(bubble.isVisible)
    assert bubble.minimumSizeHint().height() <= bubble.heightForWidth(760)
