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

from llamadesk.ui.translations import translate


class LazyPage(QWidget):
    """A page whose content is made the first time it is shown (or asked for).

    Signals:
        made(): the content is there now.
    """

    made = Signal()

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
            # At the page's size and at once: the layout would size it a step later, and one
            # made before (asked for) would first show at the size it was made at.
            self.content.setGeometry(self.contentsRect())
            self.content.show()
            self.made.emit()
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
        # One optional action beside the message (e.g. "Open the log folder").
        self.action = QPushButton()
        self.action.setObjectName("bannerAction")
        self.action.hide()
        self._action: Callable[[], object] | None = None
        self.action.clicked.connect(self._run_action)
        close = QPushButton("✕")
        close.setObjectName("bannerClose")
        close.setFixedSize(24, 24)
        close.setToolTip(translate("Banner", "Dismiss"))
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 8, 8)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(
        self,
        text: str,
        kind: str = "error",
        action: tuple[str, Callable[[], object]] | None = None,
    ) -> None:
        """Show ``text``; ``action`` is a button's label and what it does, if wanted."""
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self._action = action[1] if action else None
        self.action.setText(action[0] if action else "")
        self.action.setVisible(action is not None)
        self.show()

    def _run_action(self) -> None:
        if self._action is not None:
            self._action()
