"""Fenced code blocks in answers: highlighted by Pygments in the theme's colours, with a
"Copy" link under each.

`decorate_code_blocks` works on the QTextDocument that `chat_view.render_markdown` built
from Markdown. Only blocks whose closing fence has arrived are highlighted: the block an
answer is still writing stays plain until it is done, so streaming never pays for a
lexer on every update. Long lines wrap inside the block rather than widening the bubble
(a label cannot scroll a part of its text).

The Copy link carries the block's text in its address (``llamadesk-copy:<text>``); a
handler registered with QDesktopServices puts it on the clipboard, so it works in any
label that opens links, with nothing to look up.
"""

from __future__ import annotations

from functools import cache, lru_cache
from urllib.parse import quote, unquote

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.styles import get_style_by_name
from pygments.token import _TokenType
from pygments.util import ClassNotFound
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QGuiApplication,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from llamadesk.ui.palette import Palette
from llamadesk.ui.translations import translate

COPY_SCHEME = "llamadesk-copy"
_FENCES = ("```", "~~~")


def fenced_blocks(markdown: str) -> list[tuple[str, bool]]:
    """Each fenced code block's language ("" if none) and whether its fence is closed."""
    found: list[tuple[str, bool]] = []
    fence = ""
    for line in markdown.splitlines():
        stripped = line.lstrip(" ")
        marker = stripped[:3]
        if not fence and marker in _FENCES:
            fence = marker
            found.append((stripped[3:].strip().split(" ")[0], False))
        elif fence and marker == fence and not stripped[3:].strip():
            fence = ""
            found[-1] = (found[-1][0], True)
    return found


def decorate_code_blocks(document: QTextDocument, markdown: str, palette: Palette) -> None:
    """Highlight the closed fenced code blocks of `document` (made from `markdown`), in
    `palette`'s code colours, each with a Copy link under it."""
    install_copy_handler()
    fences = fenced_blocks(markdown)
    for (language, closed), blocks in zip(fences, _code_groups(document), strict=False):
        if not closed:
            continue
        text = "\n".join(block.text() for block in blocks)
        start = blocks[0].position()
        for block in blocks:  # wrap long lines: a label cannot scroll part of its text
            cursor = QTextCursor(block)
            block_format = block.blockFormat()
            block_format.setNonBreakableLines(False)
            cursor.setBlockFormat(block_format)
        _highlight(document, start, text, language, palette)
        _add_copy_link(blocks[-1], text, palette)


def _code_groups(document: QTextDocument) -> list[list[QTextBlock]]:
    """The runs of consecutive fenced-code blocks: one run per code block."""
    groups: list[list[QTextBlock]] = []
    previous_was_code = False
    block = document.begin()
    while block.isValid():
        is_code = block.blockFormat().hasProperty(QTextFormat.Property.BlockCodeFence)
        if is_code and not previous_was_code:
            groups.append([])
        if is_code:
            groups[-1].append(block)
        previous_was_code = is_code
        block = block.next()
    return groups


@cache
def _lexer(language: str) -> Lexer:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


def _highlight(
    document: QTextDocument, start: int, text: str, language: str, palette: Palette
) -> None:
    cursor = QTextCursor(document)
    cursor.beginEditBlock()  # one change for the document to process, not one per token
    for begin, end, char_format in _formatted_runs(text, language, palette.pygments_style):
        cursor.setPosition(start + begin)
        cursor.setPosition(start + end, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(char_format)
    cursor.endEditBlock()


@lru_cache(maxsize=128)
def _formatted_runs(
    text: str, language: str, style_name: str
) -> tuple[tuple[int, int, QTextCharFormat], ...]:
    """Where each coloured token of `text` starts and ends, with its format. Cached: a
    block is drawn again when its bubble is (a stored chat reopened, the block settling)."""
    runs = []
    position = 0
    for token, value in _lexer(language).get_tokens(text):
        end = position + len(value)
        char_format = _token_format(style_name, token)
        if char_format is not None and value.strip():
            runs.append((position, end, char_format))
        position = end
    return tuple(runs)


@cache
def _token_format(style_name: str, token: _TokenType) -> QTextCharFormat | None:
    spec = get_style_by_name(style_name).style_for_token(token)
    if not (spec["color"] or spec["bold"] or spec["italic"]):
        return None
    char_format = QTextCharFormat()
    if spec["color"]:
        char_format.setForeground(QColor(f"#{spec['color']}"))
    if spec["bold"]:
        char_format.setFontWeight(QFont.Weight.Bold)
    if spec["italic"]:
        char_format.setFontItalic(True)
    return char_format


def _add_copy_link(last: QTextBlock, text: str, palette: Palette) -> None:
    cursor = QTextCursor(last)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    link_block = QTextBlockFormat()
    link_block.setAlignment(Qt.AlignmentFlag.AlignRight)
    link = QTextCharFormat()
    link.setAnchor(True)
    link.setAnchorHref(copy_href(text))
    link.setForeground(QColor(palette.link_text))
    cursor.insertBlock(link_block, QTextCharFormat())
    cursor.insertText(translate("CodeBlocks", "Copy code"), link)


def copy_href(text: str) -> str:
    return f"{COPY_SCHEME}:{quote(text, safe='')}"


class _CopyHandler(QObject):
    @Slot(QUrl)
    def copy(self, url: QUrl) -> None:
        encoded = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
        QGuiApplication.clipboard().setText(code_of(encoded))


def code_of(href: str) -> str:
    """The code a Copy link carries."""
    return unquote(href.removeprefix(f"{COPY_SCHEME}:"))


_handler: _CopyHandler | None = None


def install_copy_handler() -> None:
    """Let every label that opens links copy code from a Copy link (once per app)."""
    global _handler
    if _handler is None:
        _handler = _CopyHandler(QGuiApplication.instance())
        # The slot's name as str: PySide6 refuses the bytes its stubs ask for.
        QDesktopServices.setUrlHandler(COPY_SCHEME, _handler, "copy")  # type: ignore[arg-type]
