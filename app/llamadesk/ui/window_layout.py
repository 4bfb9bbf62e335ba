"""The window's layout: pages keep a readable line length on wide screens, and the window
comes back as the user left it (size, docks, splitters, page).

Both are installed from outside the pages (event filters and the window's close), so the
pages themselves stay as they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings
from PySide6.QtWidgets import QLayout, QSplitter, QWidget

if TYPE_CHECKING:
    from llamadesk.ui.main_window import MainWindow

# About 90 characters of body text: the longest line that still reads easily.
READABLE_WIDTH = 880
WINDOW_FILE = "window.ini"  # beside settings.json


class ReadableWidth(QObject):
    """Widens a layout's side margins so that its content is at most `width` wide,
    centred, once the widget it lays out is wider than that."""

    def __init__(self, widget: QWidget, layout: QLayout, width: int = READABLE_WIDTH) -> None:
        super().__init__(widget)
        self._layout = layout
        self._width = width
        margins = layout.contentsMargins()
        self._sides = (margins.left(), margins.right())
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            margins = self._layout.contentsMargins()
            # What the content needs beside the margins: a widget held wider than its
            # viewport by content that cannot shrink (a long German row) must not read
            # as room to spare, or each resize widens the margins and the widget again.
            added = margins.left() + margins.right() - sum(self._sides)
            content = self._layout.minimumSize().width() - added - sum(self._sides)
            room = watched.width() - sum(self._sides)
            spare = max(0, min(room - self._width, room - content)) // 2
            margins.setLeft(self._sides[0] + spare)
            margins.setRight(self._sides[1] + spare)
            self._layout.setContentsMargins(margins)
        return False


def keep_pages_readable(window: MainWindow) -> None:
    """The chat, its message box, the welcome page and compare keep READABLE_WIDTH."""
    content = window.chat_view.widget()
    for widget in (content, window.composer, window.compare_view, window.welcome):
        layout = widget.layout() if widget is not None else None
        if widget is not None and layout is not None:
            # Compare shows two answers side by side: each gets the readable width.
            wide = widget is window.compare_view
            ReadableWidth(widget, layout, READABLE_WIDTH * (2 if wide else 1))


class WindowMemory(QObject):
    """Saves the window's geometry, docks and toolbars, splitters and page when it closes,
    in an INI file beside the settings; `restore` puts them back."""

    def __init__(self, window: MainWindow, path: Path) -> None:
        super().__init__(window)
        self._window = window
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)
        self._shown = False
        window.installEventFilter(self)

    def restore(self) -> None:
        stored = self._settings
        window = self._window
        geometry = stored.value("geometry")
        if isinstance(geometry, QByteArray):
            window.restoreGeometry(geometry)
        state = stored.value("state")
        if isinstance(state, QByteArray):
            window.restoreState(state)
        page = stored.value("page")
        if page is not None and str(page).isdigit() and int(str(page)) < window.modes.count():
            window.show_mode(int(str(page)))

    def save(self) -> None:
        stored = self._settings
        window = self._window
        stored.setValue("geometry", window.saveGeometry())
        stored.setValue("state", window.saveState())
        for index, splitter in enumerate(self._splitters()):
            stored.setValue(f"splitter{index}", splitter.saveState())
        stored.setValue("page", window.modes.currentIndex())
        stored.sync()

    def _splitters(self) -> list[QSplitter]:
        # The splitters made with the window, in the order they were made; those of a page
        # made later (the Models page) are not among them, so the indexes stay stable.
        return [s for s in self._window.findChildren(QSplitter) if s.property("remembered")]

    def _restore_splitters(self) -> None:
        for index, splitter in enumerate(self._splitters()):
            sizes = self._settings.value(f"splitter{index}")
            if isinstance(sizes, QByteArray):
                splitter.restoreState(sizes)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close:
            self.save()
        elif watched is self._window and event.type() == QEvent.Type.Show and not self._shown:
            # Splitters laid out before the window has its size would scale what they
            # restored to the size they had then.
            self._shown = True
            self._restore_splitters()
        return False


def remember_window(window: MainWindow, path: Path) -> WindowMemory:
    """Put the window back as it was left, and save it again when it closes."""
    for splitter in window.findChildren(QSplitter):
        splitter.setProperty("remembered", True)
    memory = WindowMemory(window, path)
    memory.restore()
    return memory
