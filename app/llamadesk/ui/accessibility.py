"""Names a screen reader reads: for every control, and for each message (who, when, what).

Qt names a button by its text; fields, lists and combo boxes it cannot name by itself.
`name_controls` gives each interactive widget without a readable name one from its tooltip,
its placeholder, the label beside it, or the table below, and runs for each page the first
time it is shown (pages made later, such as Models, included).
"""

from __future__ import annotations

import html
import re
import time
from typing import TYPE_CHECKING

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

from llamadesk.core.store import Message
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate

if TYPE_CHECKING:
    from llamadesk.ui.chat_view import MessageBubble
    from llamadesk.ui.main_window import MainWindow

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QAbstractSlider,
    QTabBar,
)
# Controls named by what they do, where neither text nor tooltip says it in words.
NAMES = {
    "bannerClose": QT_TRANSLATE_NOOP("Accessibility", "Dismiss the message"),
    "composerEditor": QT_TRANSLATE_NOOP("Accessibility", "Message to the model"),
    "conversationList": QT_TRANSLATE_NOOP("Accessibility", "Chats"),
    "thinkingChoice": QT_TRANSLATE_NOOP("Accessibility", "Thinking"),
    "pairsTable": QT_TRANSLATE_NOOP("Accessibility", "Preference pairs"),
    "leaderboard": QT_TRANSLATE_NOOP("Accessibility", "Leaderboard"),
    "qt_toolbar_ext_button": QT_TRANSLATE_NOOP("Accessibility", "More toolbar items"),
}
DESCRIPTION_CHARS = 2000  # a screen reader reads the rest from the text itself


def readable_name(widget: QWidget) -> str:
    """The name a screen reader announces for `widget` ("" if none)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface is not None else ""


def needs_name(widget: QWidget) -> bool:
    """An interactive widget whose name has no word in it (none, or "✕", "‹")."""
    if not isinstance(widget, INTERACTIVE) or isinstance(widget, QScrollBar):
        return False
    if isinstance(widget.parent(), QComboBox | QAbstractSpinBox | QAbstractItemView):
        return False  # a part of a control that has its own name
    return not any(c.isalpha() for c in readable_name(widget))


def name_controls(root: QWidget) -> None:
    """Give each interactive widget under `root` (and `root`) that lacks one a name."""
    for widget in [root, *root.findChildren(QWidget)]:
        if needs_name(widget):
            name = _name_for(widget)
            if name:
                widget.setAccessibleName(name)


def _name_for(widget: QWidget) -> str:
    if widget.objectName() in NAMES:
        return translate("Accessibility", NAMES[widget.objectName()])
    placeholder = getattr(widget, "placeholderText", None)
    for candidate in (
        widget.toolTip(),
        placeholder() if callable(placeholder) else "",
        _label_beside(widget),
        widget.windowTitle() if widget.isWindow() else "",
    ):
        text = _plain(candidate)
        if any(c.isalpha() for c in text):
            return text
    return ""


def _label_beside(widget: QWidget) -> str:
    """The text of the label that names `widget`: its buddy, its form label, or the label
    just before it in its layout."""
    parent = widget.parentWidget()
    if parent is None:
        return ""
    for label in parent.findChildren(QLabel):
        if label.buddy() is widget:
            return label.text()
    layout = _layout_holding(parent.layout(), widget)
    if isinstance(layout, QFormLayout):
        label_widget = layout.labelForField(widget)
        if isinstance(label_widget, QLabel):
            return label_widget.text()
    if layout is not None:
        index = layout.indexOf(widget)
        for before in range(index - 1, -1, -1):
            entry = layout.itemAt(before)
            item = entry.widget() if entry is not None else None
            if isinstance(item, QLabel) and item.text().strip():
                return item.text()
            if item is not None:
                break
    return ""


def _layout_holding(layout: QLayout | None, widget: QWidget) -> QLayout | None:
    if layout is None:
        return None
    if layout.indexOf(widget) >= 0:
        return layout
    for index in range(layout.count()):
        entry = layout.itemAt(index)
        found = _layout_holding(entry.layout() if entry is not None else None, widget)
        if found is not None:
            return found
    return None


def _plain(text: str) -> str:
    """Rich text as words: "<b>A</b> &amp; B" → "A & B"."""
    return html.unescape(re.sub(r"<[^>]*>", "", text)).strip()


def describe_message(bubble: MessageBubble, message: Message) -> None:
    """Name a message's bubble by author and time, and describe it by its text."""
    when = time.strftime("%H:%M, %d %B %Y", time.localtime(message.created))
    if message.role == "user":
        name = translate("Accessibility", "You, {time}").format(time=when)
    else:
        name = translate("Accessibility", "Answer from {model}, {time}")
        name = name.format(model=bubble.author.text(), time=when)
    bubble.setAccessibleName(name)
    bubble.setAccessibleDescription(message.content[:DESCRIPTION_CHARS])


def describe_streaming(bubble: MessageBubble) -> None:
    """Name the bubble of an answer being written (its text is read from the bubble)."""
    name = translate("Accessibility", "Answer from {model}, being written")
    bubble.setAccessibleName(name.format(model=bubble.author.text()))


def install_accessibility(window: MainWindow) -> None:
    """Name the window's controls now, and each page's when it is first shown."""
    name_controls(window)
    window.modes.currentChanged.connect(lambda _index: _name_page(window))


def _name_page(window: MainWindow) -> None:
    page = window.modes.currentWidget()
    if page is not None:
        name_controls(page)
