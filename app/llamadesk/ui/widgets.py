"""Small widgets shared by the window's parts."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class LazyPage(QWidget):
    """A page whose content is made the first time it is shown (or asked for)."""

    def __init__(self, make: Callable[[], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._make = make
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.content: QWidget | None = None

    def showEvent(self, event: QShowEvent) -> None:
        if self.content is None:
            self.content = self._make()
            self._layout.addWidget(self.content)
        super().showEvent(event)


def confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Ask before something that cannot be undone; the safe answer is the default."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Cancel, parent
    )
    go = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is go


class Banner(QFrame):
    """A dismissable message strip above the chat, for errors the user should read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("✕")
        close.setObjectName("bannerClose")
        close.setFixedSize(24, 24)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 8, 8)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self.show()


class EmptyState(QWidget):
    """What a first start shows: how to get a model, in two obvious buttons.

    Signals:
        open_requested(): "Open a GGUF file".
        demo_requested(): "Try the demo model".
    """

    open_requested = Signal()
    demo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        title = QLabel("Chat with a language model on your own computer")
        title.setObjectName("emptyTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        explain = QLabel(
            "A model is a file of parameters (a GGUF file) plus the code that runs it: "
            "LlamaDesk runs it with llama.cpp, privately, with no internet needed.<br>"
            "Open a GGUF file you already have, or try the tiny demo model first."
        )
        explain.setObjectName("emptyText")
        explain.setAlignment(Qt.AlignmentFlag.AlignCenter)
        explain.setWordWrap(True)
        self.open_button = QPushButton("Open a GGUF file…")
        self.open_button.setObjectName("primaryButton")
        self.open_button.clicked.connect(self.open_requested)
        self.demo_button = QPushButton("Try the demo model")
        self.demo_button.clicked.connect(self.demo_requested)
        demo_note = QLabel(
            "The demo model is a few megabytes of random weights: it babbles, "
            "but it lets you try every part of the app offline."
        )
        demo_note.setObjectName("emptyNote")
        demo_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        demo_note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        card = QFrame()
        card.setObjectName("emptyCard")
        card.setMaximumWidth(620)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(36, 32, 36, 32)
        inner.setSpacing(16)
        inner.addWidget(title)
        inner.addWidget(explain)
        inner.addLayout(buttons)
        inner.addWidget(demo_note)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 3)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
