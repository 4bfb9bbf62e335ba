"""The message box at the bottom of the chat: Enter sends, Shift+Enter starts a new line."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPlainTextEdit, QPushButton, QWidget

from llamadesk.core.reasoning import EFFORT_CHOICES
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate

# What each thinking choice reads as in the menu ("": the template's own default).
THINKING_LABELS = {
    "": QT_TRANSLATE_NOOP("Composer", "Thinking: model default"),
    "on": QT_TRANSLATE_NOOP("Composer", "Thinking: on"),
    "off": QT_TRANSLATE_NOOP("Composer", "Thinking: off"),
    "low": QT_TRANSLATE_NOOP("Composer", "Reasoning effort: low"),
    "medium": QT_TRANSLATE_NOOP("Composer", "Reasoning effort: medium"),
    "high": QT_TRANSLATE_NOOP("Composer", "Reasoning effort: high"),
}


class Composer(QWidget):
    """Input box plus a button that reads Send, or Stop while an answer is being written.

    A reasoning model whose template has a thinking switch also gets a menu for it.

    Signals:
        send_requested(str): the user sent this (non-empty) text. It stays in the box until
            `sent()` says it was stored, so a failed save loses nothing.
        stop_requested(): the user wants the current answer to stop.
        thinking_changed(str): the user picked a thinking choice ("" for the default).
    """

    send_requested = Signal(str)
    stop_requested = Signal()
    thinking_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("composerEditor")
        self.editor.setPlaceholderText(
            translate("Composer", "Message the model…  (Enter sends, Shift+Enter adds a line)")
        )
        self.editor.setTabChangesFocus(True)
        self.editor.setFixedHeight(76)
        self.editor.installEventFilter(self)
        self.button = QPushButton(translate("Composer", "Send"))
        self.button.setObjectName("sendButton")
        self.button.setMinimumWidth(88)
        self.button.clicked.connect(self._on_button)
        self.thinking = QComboBox()
        self.thinking.setObjectName("thinkingChoice")
        self.thinking.setToolTip(
            translate("Composer", "How much this reasoning model thinks before it answers")
        )
        self.thinking.hide()
        self.thinking.activated.connect(
            lambda index: self.thinking_changed.emit(self.thinking.itemData(index))
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 16)
        layout.setSpacing(8)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.thinking, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignBottom)
        self._generating = False
        self._can_send = True

    def set_generating(self, generating: bool) -> None:
        """While an answer streams, the button stops it and nothing new can be sent."""
        self._generating = generating
        self.button.setText(
            translate("Composer", "Stop") if generating else translate("Composer", "Send")
        )
        self.button.setProperty("stop", generating)
        self.button.style().unpolish(self.button)
        self.button.style().polish(self.button)
        self._update_enabled()

    def set_thinking_choices(self, choices: tuple[str, ...], current: str) -> None:
        """Offer these thinking choices (none: no menu), with `current` picked."""
        self.thinking.clear()
        for choice in ("", *choices):
            label = THINKING_LABELS[choice]
            if not choice and choices == EFFORT_CHOICES:
                label = QT_TRANSLATE_NOOP("Composer", "Reasoning effort: model default")
            self.thinking.addItem(translate("Composer", label), choice)
        self.thinking.setCurrentIndex(max(0, self.thinking.findData(current)))
        self.thinking.setVisible(bool(choices))

    def set_can_send(self, can_send: bool) -> None:
        self._can_send = can_send
        self._update_enabled()

    def _update_enabled(self) -> None:
        self.button.setEnabled(self._generating or self._can_send)

    def _on_button(self) -> None:
        if self._generating:
            self.stop_requested.emit()
        else:
            self._send()

    def _send(self) -> None:
        text = self.editor.toPlainText()
        if self._generating or not self._can_send or not text.strip():
            return
        self.send_requested.emit(text)

    def sent(self) -> None:
        """What was sent is stored: clear the box for the next message."""
        self.editor.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self._send()
                return True
            if event.key() == Qt.Key.Key_Escape and self._generating:
                self.stop_requested.emit()
                return True
        return super().eventFilter(watched, event)
