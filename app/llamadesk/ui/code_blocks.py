"""Fenced code blocks in answers: each its own widget, highlighted by Pygments in the
theme's colours, with its language and a Copy button above it.

A message's Markdown is cut at its fences (`split_fences`): the prose between them is shown
by labels, each code block by a `CodeBlock`, whose text does not wrap: a long line scrolls
inside the block, not across the window (a label cannot scroll a part of its text).

Only finished text is cut so: a streaming answer settles a code block once its closing
fence and a paragraph after it have arrived, and the block being written stays plain text
until then, so streaming never pays for a lexer on every update.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.styles import get_style_by_name
from pygments.token import _TokenType
from pygments.util import ClassNotFound
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from llamadesk.ui.palette import Palette, current
from llamadesk.ui.translations import translate

CODE_PIXEL_SIZE = 13
# Width a code block asks for at most: wider code scrolls, and a bubble with a long line
# keeps the width its prose gives it.
CODE_HINT_WIDTH = 560

# An opening fence: three or more backticks or tildes, then an info string (its first word
# is the language). A backtick fence's info string has no backtick (else it is inline code).
_OPENING = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}(?=[^`]*$)|~{3,})(?P<info>.*)$")


@dataclass(frozen=True)
class Fence:
    """A fenced code block: its code, its language ("" if none), and whether its closing
    fence has arrived (an answer cut short leaves the last one open)."""

    code: str
    language: str
    closed: bool


def split_fences(markdown: str) -> list[str | Fence]:
    """`markdown` cut into its prose (str, without blank edges) and its fenced code blocks,
    in order; prose that is only blank lines is left out."""
    parts: list[str | Fence] = []
    prose: list[str] = []
    lines = markdown.splitlines()
    at = 0
    while at < len(lines):
        opening = _OPENING.match(lines[at])
        if opening is None:
            prose.append(lines[at])
            at += 1
            continue
        _add_prose(parts, prose)
        prose = []
        fence, indent = opening["fence"], len(opening["indent"])
        code: list[str] = []
        at += 1
        while at < len(lines) and not _closes(lines[at], fence):
            code.append(_dedent(lines[at], indent))
            at += 1
        language = (opening["info"].split() or [""])[0]
        parts.append(Fence("\n".join(code), language, closed=at < len(lines)))
        at += 1  # past the closing fence
    _add_prose(parts, prose)
    return parts


def _add_prose(parts: list[str | Fence], lines: list[str]) -> None:
    text = "\n".join(lines).strip("\n")
    if text.strip():
        parts.append(text)


def _closes(line: str, fence: str) -> bool:
    """Whether `line` closes a block opened by `fence`: the same character, at least as
    many, and nothing after them."""
    stripped = line.strip()
    return len(stripped) >= len(fence) and stripped == fence[0] * len(stripped)


def _dedent(line: str, indent: int) -> str:
    """A code line less the opening fence's indentation (as CommonMark takes it off)."""
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, indent) :]


def code_font() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPixelSize(CODE_PIXEL_SIZE)
    return font


class CodeText(QTextEdit):
    """The code itself: read-only, selectable, not wrapped, as tall as its lines (and the
    scroll bar under them when a line is wider than the block)."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeText")
        self.setAccessibleName(translate("CodeBlock", "Code"))
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setLineWrapMode(QTextEdit.LineWrapMode.NoWrap)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.document().setDefaultFont(code_font())
        self.document().setDocumentMargin(8)
        self.setPlainText(code)
        # The scroll bar comes and goes with the block's width: the height follows it.
        self.horizontalScrollBar().rangeChanged.connect(lambda _low, _high: self._fit())
        self._fit()

    def sizeHint(self) -> QSize:
        width = math.ceil(self.document().idealWidth()) + 2 * self.frameWidth()
        return QSize(min(width, CODE_HINT_WIDTH), self.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(64, self.height())

    def _fit(self) -> None:
        height = math.ceil(self.document().size().height()) + 2 * self.frameWidth()
        scroll_bar = self.horizontalScrollBar()
        if scroll_bar.maximum() > 0:
            height += scroll_bar.sizeHint().height()
        self.setFixedHeight(height)


class CodeBlock(QFrame):
    """One fenced code block: its language and a Copy button, then the code, highlighted
    (once its closing fence has arrived) in the palette's code colours."""

    def __init__(self, fence: Fence, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeBlock")
        self.code = fence.code
        self.language = QLabel(fence.language)
        self.language.setObjectName("codeLanguage")
        self.copy_button = QPushButton(translate("CodeBlock", "Copy code"))
        self.copy_button.setObjectName("linkButton")
        self.copy_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.copy_button.clicked.connect(self.copy)
        self.text = CodeText(fence.code)
        if fence.closed:
            _highlight(self.text.document(), 0, fence.code, fence.language, palette)
        header = QHBoxLayout()
        header.setContentsMargins(10, 2, 2, 0)
        header.addWidget(self.language, 1)
        header.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.text)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code)


def code_block(fence: Fence) -> CodeBlock:
    """A code block in the colours of the palette in use."""
    return CodeBlock(fence, current())


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
