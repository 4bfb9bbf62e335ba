"""Dialogs for ratings that need more than a click: feedback on an answer, and a ranking."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.ratings import REASON_TAGS, Thumbs
from llamadesk.core.store import Message
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate

ID_ROLE = Qt.ItemDataRole.UserRole


# REASON_TAGS (stored in English) as the boxes say them.
TAG_WORDS = {
    "helpful": QT_TRANSLATE_NOOP("FeedbackDialog", "helpful"),
    "correct": QT_TRANSLATE_NOOP("FeedbackDialog", "correct"),
    "concise": QT_TRANSLATE_NOOP("FeedbackDialog", "concise"),
    "creative": QT_TRANSLATE_NOOP("FeedbackDialog", "creative"),
    "wrong": QT_TRANSLATE_NOOP("FeedbackDialog", "wrong"),
    "unsafe": QT_TRANSLATE_NOOP("FeedbackDialog", "unsafe"),
    "off-topic": QT_TRANSLATE_NOOP("FeedbackDialog", "off-topic"),
    "too long": QT_TRANSLATE_NOOP("FeedbackDialog", "too long"),
    "incomplete": QT_TRANSLATE_NOOP("FeedbackDialog", "incomplete"),
}


class FeedbackDialog(QDialog):
    """Why an answer is good or bad, and on a thumbs-down, a better answer.

    The better answer becomes the chosen answer against the original in the TRL export.
    """

    def __init__(
        self, answer: Message, value: int, thumbs: Thumbs | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.value = value
        self.setWindowTitle(translate("FeedbackDialog", "Feedback on this answer"))
        self.setMinimumWidth(560)
        intro = QLabel(
            translate("FeedbackDialog", "What makes this answer good? Everything here is optional.")
            if value > 0
            else translate(
                "FeedbackDialog", "What makes this answer not good? Everything here is optional."
            )
        )
        intro.setWordWrap(True)
        chosen = set(thumbs.tags) if thumbs else set()
        self.tag_boxes = {
            tag: QCheckBox(translate("FeedbackDialog", TAG_WORDS.get(tag, tag)))
            for tag in REASON_TAGS
        }
        tags = QGridLayout()
        for index, (tag, box) in enumerate(self.tag_boxes.items()):
            box.setChecked(tag in chosen)
            tags.addWidget(box, index // 3, index % 3)
        self.comment = QLineEdit(thumbs.comment if thumbs else "")
        self.comment.setPlaceholderText(translate("FeedbackDialog", "A comment (optional)"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(tags)
        layout.addWidget(self.comment)
        self.rewrite = QPlainTextEdit()
        if value < 0:
            hint = QLabel(
                translate(
                    "FeedbackDialog",
                    "<b>Write a better answer</b> (optional): edit the text below. Your version is "
                    "saved as the preferred answer, the original as the rejected one.",
                )
            )
            hint.setWordWrap(True)
            earlier = thumbs.rewrite if thumbs and thumbs.rewrite else ""
            self.rewrite.setPlainText(earlier or answer.content)
            self._original = answer.content
            layout.addWidget(hint)
            layout.addWidget(self.rewrite, 1)
        else:
            self._original = ""
            self.rewrite.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def tags(self) -> list[str]:
        return [tag for tag, box in self.tag_boxes.items() if box.isChecked()]

    def better_answer(self) -> str:
        """The user's rewrite, or "" when they left the original as it was."""
        text = self.rewrite.toPlainText()
        if self.value > 0 or text.strip() == self._original.strip():
            return ""
        return text


class RankDialog(QDialog):
    """Order all answers to one prompt, best first, by dragging them."""

    def __init__(self, answers: Sequence[Message], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("RankDialog", "Rank the answers"))
        self.setMinimumSize(620, 420)
        intro = QLabel(
            translate(
                "RankDialog",
                "Drag the answers into order, best at the top. Every pair in your order becomes "
                "one preference pair (three answers give three pairs).",
            )
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        for number, answer in enumerate(answers, start=1):
            preview = " ".join(answer.content.split())
            if len(preview) > 280:
                preview = preview[:279] + "…"
            model = answer.model or translate("RankDialog", "unknown model")
            shown = translate("RankDialog", "Answer {number} ({model}): {preview}")
            item = QListWidgetItem(shown.format(number=number, model=model, preview=preview))
            item.setData(ID_ROLE, answer.id)
            self.list.addItem(item)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def order(self) -> list[int]:
        """Answer ids, best first, as the list now stands."""
        return [int(self.list.item(row).data(ID_ROLE)) for row in range(self.list.count())]
