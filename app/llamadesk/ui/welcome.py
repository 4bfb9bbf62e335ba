"""The first screen: what a user with no model loaded can do, in three obvious choices."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.starter import STARTER_NAME, STARTER_SIZE_MB
from llamadesk.ui.translations import translate


def _starter_text(available: bool) -> str:
    if available:
        text = translate(
            "Welcome",
            "<b>{name}</b>, a small assistant that comes with LlamaDesk ({size} MB). "  # noqa: RUF001
            "It answers at once, offline. Good for a first try; larger models know far more.",
        )
    else:
        text = translate(
            "Welcome",
            "<b>{name}</b>, a small assistant ({size} MB), is not installed with this "  # noqa: RUF001
            "copy of LlamaDesk: get it from the Hugging Face hub, once.",
        )
    return text.format(name=STARTER_NAME, size=STARTER_SIZE_MB)


class WelcomeScreen(QWidget):
    """Shown in place of the chat while no model is loaded.

    Signals:
        start_requested(): chat with the starter model now.
        starter_download_requested(): the starter model is not here; get it from the hub.
        catalog_requested(): show the catalog, with this computer's model marked.
        open_requested(): open a GGUF file.
    """

    start_requested = Signal()
    starter_download_requested = Signal()
    catalog_requested = Signal()
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.starter_available = True
        title = QLabel(translate("Welcome", "Chat with a language model on your own computer"))
        title.setObjectName("welcomeTitle")
        title.setWordWrap(True)
        intro = QLabel(
            translate(
                "Welcome",
                "A model is a file of parameters (a GGUF file). LlamaDesk runs it with "
                "llama.cpp, privately: nothing you type leaves this computer.",
            )
        )
        intro.setObjectName("welcomeText")
        intro.setWordWrap(True)
        self.start_button = QPushButton(translate("Welcome", "Start chatting now"))
        self.start_button.setObjectName("primaryButton")
        self.start_button.clicked.connect(self._on_start)
        self.catalog_button = QPushButton(translate("Welcome", "Pick a model for this computer"))
        self.catalog_button.clicked.connect(self.catalog_requested)
        self.open_button = QPushButton(translate("Welcome", "Open a GGUF file…"))
        self.open_button.clicked.connect(self.open_requested)
        self.start_text = _option_text(_starter_text(True))
        options = QGridLayout()
        options.setHorizontalSpacing(20)
        options.setVerticalSpacing(18)
        options.setColumnStretch(1, 1)
        rows = (
            (self.start_button, self.start_text),
            (
                self.catalog_button,
                _option_text(
                    translate(
                        "Welcome",
                        "Current open models, each with its download size and whether it fits "
                        "this computer's memory. The one that suits this computer is marked.",
                    )
                ),
            ),
            (
                self.open_button,
                _option_text(
                    translate(
                        "Welcome", "A model you already have: any GGUF file on this computer."
                    )
                ),
            ),
        )
        for index, (button, text) in enumerate(rows):
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            options.addWidget(button, index, 0)  # all as wide as the widest: the column's width
            options.addWidget(text, index, 1)
        card = QFrame()
        card.setObjectName("welcomeCard")
        card.setMaximumWidth(860)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(40, 36, 40, 36)
        inner.setSpacing(10)
        inner.addWidget(title)
        inner.addWidget(intro)
        inner.addSpacing(18)
        inner.addLayout(options)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 12)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addStretch(2)
        layout.addLayout(row)
        layout.addStretch(3)

    def set_starter_available(self, available: bool) -> None:
        """Offer the starter model itself, or (without it) to get it from the hub."""
        self.starter_available = available
        self.start_button.setText(
            translate("Welcome", "Start chatting now")
            if available
            else translate("Welcome", "Get the starter model ({size} MB)").format(
                size=STARTER_SIZE_MB
            )
        )
        self.start_text.setText(_starter_text(available))

    def _on_start(self) -> None:
        if self.starter_available:
            self.start_requested.emit()
        else:
            self.starter_download_requested.emit()


def _option_text(html: str) -> QLabel:
    label = QLabel(html)
    label.setObjectName("welcomeOption")
    label.setWordWrap(True)
    return label
