"""The transcript: one bubble per message, Markdown rendered, kept scrolled to the newest text.

Each message is its own widget, so a streaming answer re-renders only its own bubble, never
the whole conversation: long chats stay as quick as short ones.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.answer_stats import AnswerStats
from llamadesk.core.store import Message
from llamadesk.services.ratings import ShownAnswer
from llamadesk.ui.accessibility import describe_message, describe_streaming
from llamadesk.ui.code_blocks import code_block, split_fences
from llamadesk.ui.palette import current
from llamadesk.ui.shortcuts import with_keys
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate

GOOD_TIP = QT_TRANSLATE_NOOP("AnswerRating", "This answer is good (click again to undo)")
BAD_TIP = QT_TRANSLATE_NOOP("AnswerRating", "This answer is bad (click again to undo)")
INITIAL_WINDOW = 24  # messages shown when a conversation opens; more on request
BODY_PIXEL_SIZE = 14


def body_font() -> QFont:
    """The message text's font: the system's family at a comfortable reading size."""
    font = QGuiApplication.font()
    font.setPixelSize(BODY_PIXEL_SIZE)
    return font


STOP_REASON_WORDS = {
    "eos": QT_TRANSLATE_NOOP("ChatView", "finished"),
    "length": QT_TRANSLATE_NOOP("ChatView", "hit the length limit"),
    "stopped": QT_TRANSLATE_NOOP("ChatView", "stopped by you"),
    "error": QT_TRANSLATE_NOOP("ChatView", "failed"),
}


def describe_stats(stats: AnswerStats | None, stop_reason: str) -> str:
    """One line under an answer: speed, latency, tokens, why it ended."""
    parts: list[str] = []
    if stats is not None:
        if stats.tokens_per_second > 0:
            speed = translate("ChatView", "{speed:.1f} tokens/s")
            parts.append(speed.format(speed=stats.tokens_per_second))
        parts.append(
            translate("ChatView", "{ttft:.0f} ms to first token").format(ttft=stats.ttft_ms)
        )
        if stats.prompt_tokens or not stats.server:
            tokens = translate("ChatView", "{prompt} in / {completion} out")
        else:  # a server that does not count the prompt (llama-cpp-python's, when streaming)
            tokens = translate("ChatView", "{completion} out")
        parts.append(tokens.format(prompt=stats.prompt_tokens, completion=stats.completion_tokens))
    if stop_reason:
        parts.append(translate("ChatView", STOP_REASON_WORDS.get(stop_reason, stop_reason)))
    return "  ·  ".join(parts)


def render_markdown(text: str, font: QFont) -> str:
    """Markdown to the HTML a label shows, with code blocks set on a tinted background.

    Qt's own Markdown reader does the parsing; it marks code blocks (fenced ones are
    `CodeBlock`s of their own in a bubble: here, indented ones), which a label would
    otherwise show as bare monospace lines, and as wide as their longest line.
    """
    document = QTextDocument()
    document.setDefaultFont(font)  # else the HTML carries Qt's default size, not ours
    document.setMarkdown(text, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    block = document.begin()
    while block.isValid():
        block_format = block.blockFormat()
        if block_format.hasProperty(QTextFormat.Property.BlockCodeFence) or (
            block_format.nonBreakableLines()
        ):
            cursor = QTextCursor(block)
            block_format.setBackground(QColor(current().code_background))
            block_format.setNonBreakableLines(False)  # wrap: a label cannot scroll a part
            cursor.setBlockFormat(block_format)
        block = block.next()
    return document.toHtml()


_FENCES = ("```", "~~~")


def settled_length(text: str) -> int:
    """How much of a Markdown text still being written is complete: everything up to its
    last blank line that is outside a fenced code block and followed by a new block (a line
    that does not start with a space: an indented one may continue a list item).

    More text cannot change how that part renders (bar rare reference-style links), so a
    streaming answer renders it once and re-renders only the rest on each update.
    """
    settled = position = 0
    fence = ""
    blank_before = False
    for line in text.splitlines(keepends=True):
        marker = line.lstrip(" ")[:3]
        if not fence and blank_before and not line[:1].isspace():
            settled = position
        if marker in _FENCES and (not fence or marker == fence):
            fence = "" if fence else marker
        blank_before = not fence and not line.strip()
        position += len(line)
    return settled


class MessageText(QLabel):
    """A message's rich text, wrapped, with its size queries cached until the text changes.

    Qt's layouts ask a label its height at several widths on every pass (three here), and a
    plain QLabel lays its whole text out again for each: in a long answer, most of what a
    streaming update cost, for the bubble being written and every bubble beside it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._heights: dict[int, int] = {}
        self._hints: dict[str, QSize] = {}
        self.setObjectName("bubbleBody")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setOpenExternalLinks(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def setText(self, text: str) -> None:
        self._forget_sizes()
        super().setText(text)

    def heightForWidth(self, width: int) -> int:
        if width not in self._heights:
            self._heights[width] = super().heightForWidth(width)
        return self._heights[width]

    def sizeHint(self) -> QSize:
        if "hint" not in self._hints:
            self._hints["hint"] = super().sizeHint()
        return self._hints["hint"]

    def minimumSizeHint(self) -> QSize:
        if "minimum" not in self._hints:
            self._hints["minimum"] = super().minimumSizeHint()
        return self._hints["minimum"]

    def changeEvent(self, event: QEvent) -> None:
        # A new font or style sheet changes the sizes too.
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._forget_sizes()
        super().changeEvent(event)

    def _forget_sizes(self) -> None:
        self._heights.clear()
        self._hints.clear()


def fill_background(widget: QWidget, painter: QPainter, rect: QRect) -> None:
    """Fill `rect` with the widget's background (the style sheet puts its colour in the
    palette; a plain fill costs a fraction of drawing the style sheet's background)."""
    painter.fillRect(rect, widget.palette().window())


class OpaqueWidget(QWidget):
    """A widget that paints its whole rectangle with its style sheet's background.

    Qt then paints nothing beneath it: without this, every repaint of the transcript also
    filled the same pixels for each of the seven widgets it sits in (main window, splitter,
    pages, scroll area...), most of the time a streaming update cost.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        fill_background(self, painter, event.rect())
        painter.end()


class StreamingTail(QWidget):
    """The paragraph of a streaming answer still being written, as plain text.

    A label asks its parents for a new layout on every new text, though most updates add a
    few words to the line being written: in a shown window that layout was most of what an
    update cost. This widget asks for one only when its height changes (a new line), and
    otherwise repaints itself alone. Its paragraph becomes Markdown once it is complete.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bubbleBody")  # the style sheet's text colour
        self._document = QTextDocument(self)
        self._document.setDocumentMargin(0)  # as a label's
        self._document.setDefaultFont(body_font())
        self._text = ""
        self._height = 0
        self._heights: dict[int, int] = {}  # height by width, for the current text
        # It paints its whole rectangle (its style sheet's background, as the bubble's), so
        # an update repaints it alone, not the bubble and window behind it.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        if text.startswith(self._text) and self._text:
            # More of the same paragraph: only its last line is laid out again.
            changed = len(self._text)
            cursor = QTextCursor(self._document)
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(text[changed:])
        else:
            changed = 0
            self._document.setPlainText(text)
        self._text = text
        self._heights.clear()
        height = self.heightForWidth(max(self.width(), 1))
        if height != self._height:
            self._height = height
            self.updateGeometry()
        # Appending can move words of the line it continues, never of a line above it.
        top = self._line_top(changed) if self.width() > 0 else 0
        self.update(0, top, self.width(), self.height() - top)

    def _line_top(self, position: int) -> int:
        """Where the line holding that character starts, in pixels from the top."""
        self._set_width(self.width())
        block = self._document.findBlock(position)
        if not block.isValid():  # past the end: the last line
            block = self._document.lastBlock()
        line = block.layout().lineForTextPosition(position - block.position())
        top = self._document.documentLayout().blockBoundingRect(block).top()
        return math.floor(top + (line.y() if line.isValid() else 0.0))

    def _set_width(self, width: int) -> None:
        # Setting the width lays the whole document out again, even when it is the same.
        if self._document.textWidth() != width:
            self._document.setTextWidth(width)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if width not in self._heights:
            self._set_width(width)
            self._heights[width] = math.ceil(self._document.size().height())
        return self._heights[width]

    def sizeHint(self) -> QSize:
        return QSize(math.ceil(self._document.idealWidth()), self._height)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self._height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._height = self.heightForWidth(event.size().width())
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        fill_background(self, painter, event.rect())
        self._set_width(self.width())
        context = QAbstractTextDocumentLayout.PaintContext()
        context.clip = QRectF(event.rect())
        context.palette.setColor(QPalette.ColorRole.Text, self.palette().windowText().color())
        self._document.documentLayout().draw(painter, context)
        painter.end()


REASONING_MAX_HEIGHT = 240  # pixels; longer reasoning scrolls inside its section


def thought_for(seconds: float) -> str:
    """The heading of a finished reasoning section."""
    if seconds < 1:
        return translate("ChatView", "Thought for less than a second")
    return translate("ChatView", "Thought for {seconds:.0f} s").format(seconds=seconds)


class ReasoningSection(QWidget):
    """A reasoning model's reasoning: a heading ("Thinking…", then "Thought for N s") that
    opens and closes the text below it; closed at first.

    Streamed reasoning is appended to a plain-text box, which lays out only the new text,
    not all the reasoning, whether the section is open or not.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = _link_button("")
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(self._on_toggled)
        self.body = QTextEdit()
        self.body.setObjectName("reasoningBody")
        self.body.setAccessibleName(translate("ReasoningSection", "Reasoning"))
        self.body.setReadOnly(True)
        self.body.setAcceptRichText(False)
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        self.body.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.body.document().documentLayout().documentSizeChanged.connect(self._fit)
        self.body.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.body)
        self._heading = translate("ReasoningSection", "Thinking…")
        self._update_toggle()

    @property
    def text(self) -> str:
        return self.body.toPlainText()

    @property
    def is_open(self) -> bool:
        return self.toggle.isChecked()

    def set_open(self, shown: bool) -> None:
        self.toggle.setChecked(shown)

    def append(self, text: str) -> None:
        cursor = self.body.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)

    def set_text(self, text: str) -> None:
        self.body.setPlainText(text)

    def set_heading(self, heading: str) -> None:
        self._heading = heading
        self._update_toggle()

    def _on_toggled(self, shown: bool) -> None:
        self.body.setVisible(shown)
        self._update_toggle()

    def _fit(self) -> None:
        """As tall as the reasoning, up to REASONING_MAX_HEIGHT (then it scrolls)."""
        margins = self.body.contentsMargins()
        height = self.body.document().size().height() + margins.top() + margins.bottom()
        self.body.setFixedHeight(min(int(height) + 1, REASONING_MAX_HEIGHT))

    def _update_toggle(self) -> None:
        self.toggle.setText(f"{'▾' if self.is_open else '▸'} {self._heading}")


BUBBLE_EDGE = 14  # pixels: the style sheet's border radius (12) and border, and a spare one


class CachedColumn(QVBoxLayout):
    """A column that remembers its height at each width until something in it changes
    (Qt then invalidates it).

    Qt asks a column's height at two to five widths on every layout pass above it, and a
    box layout remembers one width only; each miss asks every widget in it again. Used for
    the column of finished messages and for each bubble: without it, an answer gaining a
    line asked every bubble of the chat again, and adding a message every label in every
    bubble, so both cost more the more messages were shown.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._heights: dict[int, int] = {}

    def heightForWidth(self, width: int) -> int:
        if width not in self._heights:
            self._heights[width] = super().heightForWidth(width)
        return self._heights[width]

    def invalidate(self) -> None:
        self._heights.clear()
        super().invalidate()


class MessageBubble(QFrame):
    """One message: who said it, the text as Markdown, and its actions.

    While an answer streams in (`append`), its complete paragraphs and code blocks become
    text labels of their own, rendered once as Markdown; the paragraph being written shows
    as plain text (`StreamingTail`), so an update costs the same in a long answer as in a
    short one, and lays nothing out again unless a line was added.
    """

    def __init__(self, role: str, author: str, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.role = role
        self.setObjectName("userBubble" if role == "user" else "assistantBubble")
        self._text = text
        self._settled = 0  # length of the text rendered into self._blocks
        self._blocks: list[QWidget] = []  # labels of prose, and code blocks
        self.author = QLabel(author)
        self.author.setObjectName("bubbleAuthor")
        self.body = MessageText()  # all the text, unless it streams in
        self.tail: StreamingTail | None = None  # while streaming: the text not settled
        # Spacing 0: split into labels, paragraphs stand as far apart as in one label.
        self._text_column = QVBoxLayout()
        self._text_column.setSpacing(0)
        self._text_column.addWidget(self.body)
        self.footer = QLabel()
        self.footer.setObjectName("bubbleFooter")
        self.footer.setWordWrap(True)  # a long footer (in German) wraps, not widens the page
        self.copy_button = _link_button(translate("MessageBubble", "Copy"))
        self.copy_button.clicked.connect(self.copy)
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(self.footer, 1)
        actions.addWidget(self.copy_button)
        self.action_bar = actions
        self.rating: AnswerRating | None = None
        self.reasoning: ReasoningSection | None = None
        self._thinking_since: float | None = None  # while reasoning streams in
        layout = CachedColumn(self)
        layout.setContentsMargins(14, 10, 14, 8)
        layout.setSpacing(4)
        layout.addWidget(self.author)
        layout.addLayout(self._text_column)
        layout.addLayout(actions)
        self._render()

    @property
    def text(self) -> str:
        return self._text

    def append(self, text: str) -> None:
        """Add streamed text: complete paragraphs are settled, the rest rendered again."""
        self._end_thinking()
        self._text += text
        settled = settled_length(self._text[self._settled :])
        if settled:
            self._add_block(self._text[self._settled : self._settled + settled])
            self._settled += settled
        self._streaming_tail().set_text(self._text[self._settled :])

    def set_text(self, text: str) -> None:
        for block in [*self._blocks, *([self.tail] if self.tail else [])]:
            block.hide()  # deleteLater waits for the event loop; don't show ghosts
            block.deleteLater()
        self._blocks.clear()
        self.tail = None
        self.body.show()
        self._settled = 0
        self._text = text
        self._render()

    def set_footer(self, text: str) -> None:
        self.footer.setText(text)

    def append_reasoning(self, text: str) -> None:
        """Add streamed reasoning, shown under "Thinking…" until the answer begins."""
        section = self._reasoning_section()
        if self._thinking_since is None and not section.text:
            self._thinking_since = time.monotonic()
        section.append(text)

    def set_reasoning(self, text: str, seconds: float) -> None:
        """Show a stored answer's reasoning, closed, under "Thought for N s"."""
        section = self._reasoning_section()
        section.set_text(text)
        section.set_heading(thought_for(seconds))

    def show_stored_reasoning(self, message: Message) -> None:
        """Show a stored answer's reasoning and how long it took, or no section."""
        if not message.reasoning:
            self.clear_reasoning()
            return
        stats = message.answer_stats
        self.set_reasoning(message.reasoning, stats.reasoning_ms / 1000 if stats else 0.0)

    def clear_reasoning(self) -> None:
        """Drop the reasoning section, for a bubble that shows a new answer."""
        if self.reasoning is not None:
            self.reasoning.hide()  # deleteLater waits for the event loop; don't show ghosts
            self.reasoning.deleteLater()
            self.reasoning, self._thinking_since = None, None

    def _reasoning_section(self) -> ReasoningSection:
        if self.reasoning is None:
            self.reasoning = ReasoningSection()
            column = self.layout()
            assert isinstance(column, QVBoxLayout)  # a bubble is one column
            column.insertWidget(1, self.reasoning)  # under the author, above the text
        return self.reasoning

    def _end_thinking(self) -> None:
        """The answer began: the reasoning before it is done."""
        if self._thinking_since is not None and self.reasoning is not None:
            self.reasoning.set_heading(thought_for(time.monotonic() - self._thinking_since))
            self._thinking_since = None

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self._text)

    def _streaming_tail(self) -> StreamingTail:
        """The plain-text widget that shows the paragraph being written, in place of the
        label (which showed "…" until the first text)."""
        if self.tail is None:
            self.tail = StreamingTail()
            self._text_column.addWidget(self.tail)
            self.body.hide()
            # The bubble grows a line at a time: repaint what is new (resizeEvent), not
            # every paragraph above it again.
            self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        return self.tail

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self.testAttribute(Qt.WidgetAttribute.WA_StaticContents):
            return
        old, new = event.oldSize(), event.size()
        if old.width() != new.width() or not old.isValid():
            self.update()  # the right edge and its corners moved
        else:
            # Qt repaints only the area below the old size: its bottom edge and rounded
            # corners, now inside the bubble, are drawn again here.
            edge = min(old.height(), new.height()) - BUBBLE_EDGE
            self.update(0, edge, new.width(), new.height() - edge)

    def _add_block(self, text: str) -> None:
        """Show `text` in blocks of its own: labels for its prose, and a `CodeBlock` (which
        scrolls its long lines) for each fenced code block."""
        for part in split_fences(text):
            block = _prose(part) if isinstance(part, str) else code_block(part)
            self._text_column.insertWidget(len(self._blocks), block)
            self._blocks.append(block)

    def _render(self) -> None:
        if "```" in self._text or "~~~" in self._text:
            self.body.hide()  # code blocks are widgets of their own
            self._add_block(self._text)
            return
        # An empty label collapses to nothing; show an ellipsis while waiting.
        self.body.setText(render_markdown(self._text, body_font()) if self._text else "…")


def _prose(text: str) -> MessageText:
    label = MessageText()
    label.setText(render_markdown(text, body_font()))
    # As short as its text at the width it gets: a label's own minimum is its height at a
    # quarter of its width for a line or two, and a bubble of short paragraphs between code
    # blocks added those up into a transcript taller than its messages.
    policy = label.sizePolicy()  # keeps its height-for-width
    policy.setVerticalPolicy(QSizePolicy.Policy.Preferred)
    label.setSizePolicy(policy)
    return label


class AnswerRating(QWidget):
    """The rating controls under a stored answer.

    Good / Bad store a thumb at once (a second click takes it back); "Why…" asks for tags,
    a comment and, on Bad, a better answer. With several answers to one prompt: step
    between them, mark the best, or rank them all.

    Signals:
        thumbs(int, int): answer id, +1 or -1.
        feedback(int, int): answer id and the thumb to explain.
        step(int, int): answer id, -1 for the previous sibling, +1 for the next.
        best(int): mark (or unmark) this answer as the best of its siblings.
        rank(int): rank all answers to this prompt id.
    """

    thumbs = Signal(int, int)
    feedback = Signal(int, int)
    step = Signal(int, int)
    best = Signal(int)
    rank = Signal(int)

    def __init__(self, shown: ShownAnswer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        answer_id = shown.message.id
        value = shown.thumbs.value if shown.thumbs else 0
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.setSpacing(6)
        good_tip = with_keys(translate("AnswerRating", GOOD_TIP), "rate_good")
        bad_tip = with_keys(translate("AnswerRating", BAD_TIP), "rate_bad")
        self.good = self._pill(translate("AnswerRating", "Good"), value > 0, good_tip)
        self.bad = self._pill(translate("AnswerRating", "Bad"), value < 0, bad_tip)
        self.good.clicked.connect(lambda: self.thumbs.emit(answer_id, 1))
        self.bad.clicked.connect(lambda: self.thumbs.emit(answer_id, -1))
        self.why = _link_button(
            translate("AnswerRating", "Why…")
            if value >= 0
            else translate("AnswerRating", "Why… / better answer")
        )
        self.why.clicked.connect(lambda: self.feedback.emit(answer_id, value or 1))
        layout.addWidget(self.good)
        layout.addWidget(self.bad)
        layout.addWidget(self.why)
        if shown.thumbs and (shown.thumbs.tags or shown.thumbs.rewrite):
            # The tags are stored in English; rating_dialogs.TAG_WORDS marks them for lupdate.
            notes = [translate("FeedbackDialog", tag) for tag in shown.thumbs.tags] + (
                [translate("AnswerRating", "rewritten")] if shown.thumbs.rewrite else []
            )
            tags = QLabel(", ".join(notes))
            tags.setObjectName("bubbleFooter")
            layout.addWidget(tags)
        layout.addStretch(1)
        count = len(shown.sibling_ids)
        if count > 1:
            position = shown.position
            self.previous = _link_button("‹")
            self.previous.setEnabled(position > 0)
            self.previous.setAccessibleName(translate("AnswerRating", "Previous answer"))
            self.previous.clicked.connect(lambda: self.step.emit(answer_id, -1))
            self.counter = QLabel(f"{position + 1} / {count}")
            self.counter.setObjectName("bubbleFooter")
            self.next = _link_button("›")
            self.next.setEnabled(position < count - 1)
            self.next.setAccessibleName(translate("AnswerRating", "Next answer"))
            self.next.clicked.connect(lambda: self.step.emit(answer_id, 1))
            self.best_button = self._pill(
                translate("AnswerRating", "★ Best"),
                shown.is_best,
                translate("AnswerRating", "The best of the answers to this prompt"),
            )
            self.best_button.clicked.connect(lambda: self.best.emit(answer_id))
            prompt_id = shown.message.parent_id or 0
            self.rank_button = _link_button(translate("AnswerRating", "Rank…"))
            self.rank_button.clicked.connect(lambda: self.rank.emit(prompt_id))
            for widget in (self.previous, self.counter, self.next, self.best_button):
                layout.addWidget(widget)
            layout.addWidget(self.rank_button)

    @staticmethod
    def _pill(text: str, checked: bool, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("pill")
        button.setCheckable(True)
        button.setChecked(checked)
        button.setToolTip(tip)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        # A pill shows what is stored, not the click: a rating the store refuses must not
        # look given. A stored change redraws the controls anyway.
        button.clicked.connect(lambda: button.setChecked(checked))
        return button


def _link_button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName("linkButton")
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class ChatView(QScrollArea):
    """All bubbles of one conversation.

    Signals:
        regenerate_requested(): the user wants another answer to the last prompt.
        save_again_requested(): the user wants the answer that was not saved stored now.
        thumbs_requested(int, int), feedback_requested(int, int), sibling_requested(int, int),
        best_requested(int), rank_requested(int): an `AnswerRating` asked (see there).
        rescore_requested(int): re-score this stored answer in the quant arena.
    """

    regenerate_requested = Signal()
    save_again_requested = Signal()
    thumbs_requested = Signal(int, int)
    feedback_requested = Signal(int, int)
    sibling_requested = Signal(int, int)
    best_requested = Signal(int)
    rank_requested = Signal(int)
    rescore_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = OpaqueWidget()
        content.setObjectName("chatContent")
        outer = QVBoxLayout(content)
        outer.setContentsMargins(24, 16, 24, 16)
        outer.setSpacing(12)
        # Finished messages sit in a widget of their own, the answer being written in
        # another: as it grows, Qt lays out two items, not every bubble of a long chat.
        self._outer = outer
        self._history = History()
        streaming = QWidget()
        # As the answer grows, only what is new below it is painted (see MessageBubble).
        for grows in (content, streaming):
            grows.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self._streaming_column = QVBoxLayout(streaming)
        self._streaming_column.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._history)
        outer.addWidget(streaming)
        outer.addStretch(1)
        self.setWidget(content)
        # One row per message on view: what it showed (to tell whether it changed), its
        # layout in the column, and its bubble.
        self._rows: list[tuple[RowKey | None, QHBoxLayout, MessageBubble]] = []
        self._first = 0  # index of the first message on view
        self._all_messages: list[Message] = []
        self._rating: Callable[[Message], ShownAnswer] | None = None
        self._streaming: MessageBubble | None = None
        self._streaming_row: QHBoxLayout | None = None
        self._earlier = _link_button(translate("ChatView", "Show earlier messages"))
        self._earlier.clicked.connect(self.show_earlier)
        self._earlier.hide()
        outer.insertWidget(0, self._earlier, 0, Qt.AlignmentFlag.AlignHCenter)
        self.save_again_button: QPushButton | None = None  # on an answer not saved
        self._regenerate = _link_button(translate("ChatView", "↻ Regenerate"))
        self._regenerate.clicked.connect(self.regenerate_requested)
        self._regenerate.setToolTip(
            with_keys(translate("ChatView", "Write another answer"), "regenerate")
        )
        self._stick_to_bottom = True
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range_changed)
        bar.valueChanged.connect(self._on_scrolled)

    @property
    def bubbles(self) -> list[MessageBubble]:
        """The bubbles of the messages on view, in order (not the one being written)."""
        return [bubble for _key, _row, bubble in self._rows]

    @property
    def streaming_bubble(self) -> MessageBubble | None:
        return self._streaming

    def show_messages(
        self,
        messages: Sequence[Message],
        rating: Callable[[Message], ShownAnswer] | None = None,
        *,
        same_conversation: bool = False,
        ratings_changed: bool = True,
    ) -> None:
        """Show these messages; `rating` gives an answer's rating controls (asked only for
        the answers on view).

        With `same_conversation`, bubbles that did not change are kept and only the rest is
        rebuilt: sending a message to a 200-message chat re-renders one bubble, not 200.
        Without `ratings_changed`, the ratings of the bubbles kept are taken as they were
        (asked only for new bubbles). A newly opened conversation shows its last
        INITIAL_WINDOW messages; "Show earlier" brings the rest.
        """
        self._remove_streaming()
        if not same_conversation:
            self._first = max(0, len(messages) - INITIAL_WINDOW)
            self._stick_to_bottom = True
        self._first = min(self._first, len(messages))
        visible = list(messages[self._first :])

        def shown_of(message: Message) -> ShownAnswer | None:
            return rating(message) if rating is not None and message.role == "assistant" else None

        kept = self._unchanged_rows(visible, shown_of if ratings_changed else None)
        self._remove_rows_from(kept)
        for message in visible[kept:]:
            self._add_message(message, shown_of(message))
        earlier = translate("ChatView", "Show {n} earlier messages")
        self._earlier.setText(earlier.format(n=min(self._first, INITIAL_WINDOW)))
        self._earlier.setVisible(self._first > 0)
        self._all_messages, self._rating = list(messages), rating
        self._place_regenerate()
        if self._stick_to_bottom:
            self._scroll_to_bottom()

    def show_earlier(self) -> None:
        """Bring INITIAL_WINDOW more of the conversation's earlier messages into view."""
        self._first = max(0, self._first - INITIAL_WINDOW)
        self._stick_to_bottom = False
        self._remove_rows_from(0)
        self.show_messages(self._all_messages, self._rating, same_conversation=True)

    def _unchanged_rows(
        self, visible: list[Message], shown_of: Callable[[Message], ShownAnswer | None] | None
    ) -> int:
        """How many rows, from the top, show their message as it is now; with no
        `shown_of`, each row's rating is taken as unchanged."""
        kept = 0
        for message, (key, _row, _bubble) in zip(visible, self._rows, strict=False):
            if key is None or key != _key(message, shown_of(message) if shown_of else key[3]):
                break
            kept += 1
        return kept

    def _add_message(self, message: Message, shown: ShownAnswer | None) -> None:
        bubble = self._add_bubble(message.role, _author(message), message.content)
        describe_message(bubble, message)
        bubble.show_stored_reasoning(message)
        if message.role == "assistant":
            bubble.set_footer(describe_stats(message.answer_stats, message.stop_reason))
            rescore = _link_button(translate("ChatView", "Where would a smaller level go wrong?…"))
            rescore.clicked.connect(lambda: self.rescore_requested.emit(message.id))
            bubble.action_bar.insertWidget(1, rescore)
            if shown is not None:
                self._add_rating(bubble, shown)
        self._rows[-1] = (_key(message, shown), self._rows[-1][1], bubble)

    def begin_answer(self, author: str) -> None:
        """Add an empty assistant bubble that `append_answer` will fill."""
        self._park_regenerate()
        self._streaming = self._add_bubble("assistant", author, "", self._streaming_column)
        self._streaming.set_footer(translate("ChatView", "writing…"))
        describe_streaming(self._streaming)
        self._streaming_row = self._rows.pop()[1]

    def show_unsaved(self, author: str, text: str) -> None:
        """Show an answer the store refused, below the stored ones, with "Save again"."""
        self.begin_answer(author)
        assert self._streaming is not None
        self._streaming.set_text(text)
        self._streaming.set_footer(translate("ChatView", "not saved"))
        button = _link_button(translate("ChatView", "Save again"))
        button.clicked.connect(self.save_again_requested)
        self._streaming.action_bar.insertWidget(1, button)
        self.save_again_button = button

    def append_answer(self, text: str) -> None:
        if self._streaming is not None:
            self._streaming.append(text)

    def append_reasoning(self, text: str) -> None:
        if self._streaming is not None:
            self._streaming.append_reasoning(text)

    def set_live_status(self, text: str) -> None:
        if self._streaming is not None:
            self._streaming.set_footer(text)

    def _add_bubble(
        self, role: str, author: str, text: str, column: QVBoxLayout | None = None
    ) -> MessageBubble:
        bubble = MessageBubble(role, author, text)
        # Its share of the row by stretch alone, whatever its text: a long line or a code
        # block would otherwise widen the bubble and the whole transcript with it, and
        # every bubble shown was laid out again at the new width.
        bubble.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        if role == "user":
            row.addStretch(1)
            row.addWidget(bubble, 4)
        else:
            row.addWidget(bubble, 6)
            row.addStretch(1)
        if column is None:
            self._history.add_row(row)
        else:
            column.insertLayout(max(column.count() - 1, 0), row)
        self._rows.append((None, row, bubble))
        return bubble

    def _add_rating(self, bubble: MessageBubble, shown: ShownAnswer) -> None:
        rating = AnswerRating(shown)
        rating.thumbs.connect(self.thumbs_requested)
        rating.feedback.connect(self.feedback_requested)
        rating.step.connect(self.sibling_requested)
        rating.best.connect(self.best_requested)
        rating.rank.connect(self.rank_requested)
        bubble.rating = rating
        column = bubble.layout()
        assert column is not None
        column.addWidget(rating)

    def _place_regenerate(self) -> None:
        last = self._rows[-1][2] if self._rows else None
        if last is not None and last.role == "assistant":
            last.action_bar.insertWidget(1, self._regenerate)
        else:
            self._park_regenerate()

    def _park_regenerate(self) -> None:
        """Take the regenerate button off its bubble (which may go), hidden on the view.
        Not `setParent(None)`: making it a window took 4.5 ms with 216 bubbles shown."""
        self._regenerate.setParent(self)

    def _remove_streaming(self) -> None:
        if self._streaming_row is not None:
            _discard_row(self._streaming_column, self._streaming_row)
        self._streaming, self._streaming_row = None, None

    def _remove_rows_from(self, index: int) -> None:
        self._park_regenerate()
        if index == 0 and self._rows:
            # All of it: drop the whole history widget at once. Removing bubbles one by one
            # from a shown widget lays out the rest after each removal (seconds, for 40).
            fresh = History()
            self._outer.replaceWidget(self._history, fresh)
            self._history.hide()
            self._history.deleteLater()
            self._history = fresh
        else:
            for _key, row, _bubble in reversed(self._rows[index:]):
                self._history.remove_last_row(row)
        del self._rows[index:]

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._stick_to_bottom = value >= bar.maximum() - 8

    def _on_range_changed(self, _minimum: int, _maximum: int) -> None:
        if self._stick_to_bottom:
            self._scroll_to_bottom()

    def _scroll_to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())


RowKey = tuple[int, str, str, ShownAnswer | None]


def _key(message: Message, shown: ShownAnswer | None) -> RowKey:
    """Everything a message's bubble shows: equal keys need no new bubble."""
    return (message.id, message.content, message.stop_reason, shown)


ROWS_PER_BLOCK = INITIAL_WINDOW


class History(QWidget):
    """The finished messages, one row each, in blocks of ROWS_PER_BLOCK rows, each block a
    widget of its own.

    Adding a message lays out its block again, and Qt asks the other blocks their height,
    which each remembers (`CachedColumn`): the cost of a new message does not grow with the
    number of messages shown, as it did with every row in one column (three times higher
    at 216 messages shown than at 24).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._column = _column(self)
        self._column.addStretch(1)
        self._blocks: list[tuple[QWidget, CachedColumn]] = []

    def add_row(self, row: QHBoxLayout) -> None:
        if not self._blocks or self._blocks[-1][1].count() >= ROWS_PER_BLOCK:
            block = QWidget()
            self._blocks.append((block, _column(block)))
            self._column.insertWidget(self._column.count() - 1, block)  # before the stretch
        self._blocks[-1][1].addLayout(row)

    def remove_last_row(self, row: QHBoxLayout) -> None:
        """Take away `row`, which must be the last one; its bubble goes too."""
        block, column = self._blocks[-1]
        _discard_row(column, row)
        if column.count() == 0:
            self._column.removeWidget(block)
            block.hide()
            block.deleteLater()
            self._blocks.pop()


def _column(widget: QWidget) -> CachedColumn:
    column = CachedColumn(widget)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(12)
    return column


def _discard_row(column: QVBoxLayout, row: QHBoxLayout) -> None:
    column.removeItem(row)
    while row.count():
        item = row.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.hide()  # deleteLater waits for the event loop; don't show ghosts
            widget.deleteLater()
    row.deleteLater()


def _author(message: Message) -> str:
    if message.role == "user":
        return translate("ChatView", "You")
    return message.model.removesuffix(".gguf") or translate("ChatView", "Assistant")
