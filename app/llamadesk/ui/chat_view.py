"""The transcript: one bubble per message, Markdown rendered, kept scrolled to the newest text.

Each message is its own widget, so a streaming answer re-renders only its own bubble, never
the whole conversation: long chats stay as quick as short ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QTextCursor, QTextDocument, QTextFormat
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.store import Message
from llamadesk.services.ratings import ShownAnswer

CODE_BACKGROUND = QColor("#f3f4f8")
BODY_PIXEL_SIZE = 14


def body_font() -> QFont:
    """The message text's font: the system's family at a comfortable reading size."""
    font = QGuiApplication.font()
    font.setPixelSize(BODY_PIXEL_SIZE)
    return font


STOP_REASON_WORDS = {
    "eos": "finished",
    "length": "hit the length limit",
    "stopped": "stopped by you",
    "error": "failed",
}


def describe_stats(stats: dict[str, object], stop_reason: str) -> str:
    """One line under an answer: speed, latency, tokens, why it ended."""
    parts: list[str] = []
    tps = stats.get("tokens_per_second")
    if isinstance(tps, (int, float)) and tps > 0:
        parts.append(f"{tps:.1f} tokens/s")
    ttft = stats.get("ttft_ms")
    if isinstance(ttft, (int, float)):
        parts.append(f"{ttft:.0f} ms to first token")
    tokens_in, tokens_out = stats.get("prompt_tokens"), stats.get("completion_tokens")
    if isinstance(tokens_in, int) and isinstance(tokens_out, int):
        parts.append(f"{tokens_in} in / {tokens_out} out")
    if stop_reason:
        parts.append(STOP_REASON_WORDS.get(stop_reason, stop_reason))
    return "  ·  ".join(parts)


def render_markdown(text: str, font: QFont) -> str:
    """Markdown to the HTML a label shows, with code blocks set on a tinted background.

    Qt's own Markdown reader does the parsing; it marks fenced and indented code blocks,
    which a label would otherwise show as bare monospace lines.
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
            block_format.setBackground(CODE_BACKGROUND)
            cursor.setBlockFormat(block_format)
        block = block.next()
    return document.toHtml()


class MessageBubble(QFrame):
    """One message: who said it, the text as Markdown, and its actions."""

    def __init__(self, role: str, author: str, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.role = role
        self.setObjectName("userBubble" if role == "user" else "assistantBubble")
        self._text = text
        self.author = QLabel(author)
        self.author.setObjectName("bubbleAuthor")
        self.body = QLabel()
        self.body.setObjectName("bubbleBody")
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setWordWrap(True)
        self.body.setOpenExternalLinks(True)
        self.body.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.footer = QLabel()
        self.footer.setObjectName("bubbleFooter")
        self.copy_button = _link_button("Copy")
        self.copy_button.clicked.connect(self.copy)
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(self.footer, 1)
        actions.addWidget(self.copy_button)
        self.actions = actions
        self.rating: AnswerRating | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 8)
        layout.setSpacing(4)
        layout.addWidget(self.author)
        layout.addWidget(self.body)
        layout.addLayout(actions)
        self._render()

    @property
    def text(self) -> str:
        return self._text

    def append(self, text: str) -> None:
        self._text += text
        self._render()

    def set_text(self, text: str) -> None:
        self._text = text
        self._render()

    def set_footer(self, text: str) -> None:
        self.footer.setText(text)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self._text)

    def _render(self) -> None:
        # An empty label collapses to nothing; show an ellipsis while waiting.
        self.body.setText(render_markdown(self._text, body_font()) if self._text else "…")


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
        self.good = self._pill("Good", value > 0, "This answer is good (click again to undo)")
        self.bad = self._pill("Bad", value < 0, "This answer is bad (click again to undo)")
        self.good.clicked.connect(lambda: self.thumbs.emit(answer_id, 1))
        self.bad.clicked.connect(lambda: self.thumbs.emit(answer_id, -1))
        self.why = _link_button("Why…" if value >= 0 else "Why… / better answer")
        self.why.clicked.connect(lambda: self.feedback.emit(answer_id, value or 1))
        layout.addWidget(self.good)
        layout.addWidget(self.bad)
        layout.addWidget(self.why)
        if shown.thumbs and (shown.thumbs.tags or shown.thumbs.rewrite):
            notes = list(shown.thumbs.tags) + (["rewritten"] if shown.thumbs.rewrite else [])
            tags = QLabel(", ".join(notes))
            tags.setObjectName("bubbleFooter")
            layout.addWidget(tags)
        layout.addStretch(1)
        count = len(shown.sibling_ids)
        if count > 1:
            position = shown.position
            self.previous = _link_button("‹")
            self.previous.setEnabled(position > 0)
            self.previous.clicked.connect(lambda: self.step.emit(answer_id, -1))
            self.counter = QLabel(f"{position + 1} / {count}")
            self.counter.setObjectName("bubbleFooter")
            self.next = _link_button("›")
            self.next.setEnabled(position < count - 1)
            self.next.clicked.connect(lambda: self.step.emit(answer_id, 1))
            self.best_button = self._pill(
                "★ Best", shown.is_best, "The best of the answers to this prompt"
            )
            self.best_button.clicked.connect(lambda: self.best.emit(answer_id))
            prompt_id = shown.message.parent_id or 0
            self.rank_button = _link_button("Rank…")
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
        thumbs_requested(int, int), feedback_requested(int, int), sibling_requested(int, int),
        best_requested(int), rank_requested(int): an `AnswerRating` asked (see there).
    """

    regenerate_requested = Signal()
    thumbs_requested = Signal(int, int)
    feedback_requested = Signal(int, int)
    sibling_requested = Signal(int, int)
    best_requested = Signal(int)
    rank_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        content.setObjectName("chatContent")
        self._column = QVBoxLayout(content)
        self._column.setContentsMargins(24, 16, 24, 16)
        self._column.setSpacing(12)
        self._column.addStretch(1)
        self.setWidget(content)
        self._bubbles: list[MessageBubble] = []
        self._streaming: MessageBubble | None = None
        self._regenerate = _link_button("↻ Regenerate")
        self._regenerate.clicked.connect(self.regenerate_requested)
        self._stick_to_bottom = True
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range_changed)
        bar.valueChanged.connect(self._on_scrolled)

    @property
    def bubbles(self) -> list[MessageBubble]:
        return list(self._bubbles)

    @property
    def streaming_bubble(self) -> MessageBubble | None:
        return self._streaming

    def show_messages(
        self, messages: Sequence[Message], shown: Mapping[int, ShownAnswer] | None = None
    ) -> None:
        """Replace the transcript with these messages; `shown` adds answers' rating controls."""
        self._clear()
        for message in messages:
            bubble = self._add_bubble(message.role, _author(message), message.content)
            if message.role == "assistant":
                bubble.set_footer(describe_stats(message.stats, message.stop_reason))
                if shown and message.id in shown:
                    self._add_rating(bubble, shown[message.id])
        self._place_regenerate()
        self._stick_to_bottom = True
        self._scroll_to_bottom()

    def begin_answer(self, author: str) -> None:
        """Add an empty assistant bubble that `append_answer` will fill."""
        self._regenerate.setParent(None)
        self._streaming = self._add_bubble("assistant", author, "")
        self._streaming.set_footer("writing…")

    def append_answer(self, text: str) -> None:
        if self._streaming is not None:
            self._streaming.append(text)

    def set_live_status(self, text: str) -> None:
        if self._streaming is not None:
            self._streaming.set_footer(text)

    def _add_bubble(self, role: str, author: str, text: str) -> MessageBubble:
        bubble = MessageBubble(role, author, text)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        if role == "user":
            row.addStretch(1)
            row.addWidget(bubble, 4)
        else:
            row.addWidget(bubble, 6)
            row.addStretch(1)
        self._column.insertLayout(self._column.count() - 1, row)
        self._bubbles.append(bubble)
        return bubble

    def _add_rating(self, bubble: MessageBubble, shown: ShownAnswer) -> None:
        rating = AnswerRating(shown)
        rating.thumbs.connect(self.thumbs_requested)
        rating.feedback.connect(self.feedback_requested)
        rating.step.connect(self.sibling_requested)
        rating.best.connect(self.best_requested)
        rating.rank.connect(self.rank_requested)
        bubble.rating = rating
        bubble.layout().addWidget(rating)

    def _place_regenerate(self) -> None:
        last = self._bubbles[-1] if self._bubbles else None
        if last is not None and last.role == "assistant":
            last.actions.insertWidget(1, self._regenerate)
        else:
            self._regenerate.setParent(None)

    def _clear(self) -> None:
        self._regenerate.setParent(None)
        self._streaming = None
        self._bubbles.clear()
        while self._column.count() > 1:
            item = self._column.takeAt(0)
            row = item.layout()
            if row is None:
                continue
            while row.count():
                widget = row.takeAt(0).widget()
                if widget is not None:
                    widget.hide()  # deleteLater waits for the event loop; don't show ghosts
                    widget.deleteLater()
            row.deleteLater()

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._stick_to_bottom = value >= bar.maximum() - 8

    def _on_range_changed(self, _minimum: int, _maximum: int) -> None:
        if self._stick_to_bottom:
            self._scroll_to_bottom()

    def _scroll_to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())


def _author(message: Message) -> str:
    if message.role == "user":
        return "You"
    return message.model.removesuffix(".gguf") or "Assistant"
