"""Code in answers: highlighted by language in the theme's colours, a Copy link per block,
long lines kept inside the bubble, and the block being written left alone while it streams."""

from __future__ import annotations

import pytest
from pygments.styles import get_style_by_name
from pygments.token import Keyword
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

from llamadesk.ui import code_blocks
from llamadesk.ui.chat_view import ChatView, MessageBubble, body_font, render_markdown
from llamadesk.ui.code_blocks import COPY_SCHEME, code_of, fenced_blocks
from llamadesk.ui.palette import DARK, LIGHT
from llamadesk.ui.theme import theme_of

CODE = 'def greet(name):\n    return f"Hello {name}"'
ANSWER = f"Here it is:\n\n```python\n{CODE}\n```\n\nCall it with a name."


def keyword_colour(palette) -> str:
    return "#" + get_style_by_name(palette.pygments_style).style_for_token(Keyword)["color"]


def copy_links(html: str) -> list[str]:
    start = f'href="{COPY_SCHEME}:'
    return [part.split('"', 1)[0] for part in html.split(start)[1:]]


@pytest.fixture
def theme(qapp):
    yield theme_of(qapp)
    theme_of(qapp).set_choice("light")


def test_fences_are_found_with_language_and_whether_closed() -> None:
    text = "```python\nx = 1\n```\n\ntext\n\n~~~\nplain\n~~~\n\n```js\nlet a"
    assert fenced_blocks(text) == [("python", True), ("", True), ("js", False)]


@pytest.mark.parametrize(("choice", "palette"), [("light", LIGHT), ("dark", DARK)])
def test_closed_block_is_highlighted_in_the_theme_with_a_copy_link(theme, choice, palette) -> None:
    theme.set_choice(choice)
    html = render_markdown(ANSWER, body_font())
    assert keyword_colour(palette) in html
    assert keyword_colour(DARK if palette is LIGHT else LIGHT) not in html
    links = copy_links(html)
    assert len(links) == 1
    assert code_of(f"{COPY_SCHEME}:{links[0]}") == CODE


def test_the_block_being_written_stays_plain(theme) -> None:
    html = render_markdown(f"Here it is:\n\n```python\n{CODE}", body_font())
    assert keyword_colour(LIGHT) not in html
    assert not copy_links(html)


def test_copy_link_puts_the_code_on_the_clipboard(qapp) -> None:
    html = render_markdown(ANSWER, body_font())
    QGuiApplication.clipboard().clear()
    assert QDesktopServices.openUrl(QUrl(f"{COPY_SCHEME}:{copy_links(html)[0]}"))
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


def test_long_code_lines_stay_inside_the_bubble(qtbot) -> None:
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    view.begin_answer("model")
    view.append_answer(f"```python\nvalue = {'1 + ' * 200}1\n```\n\nDone.")
    bubble = view.streaming_bubble
    assert bubble is not None
    qtbot.waitUntil(lambda: bubble.isVisible())
    assert bubble.width() <= view.viewport().width()
