"""The window's layout: pages keep a readable line length on wide screens, and the window
comes back as the user left it (size, docks, splitters, page).

Both are installed from outside the pages (event filters and the window's close), so the
pages themselves stay as they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings
from PySide6.QtWidgets import QBoxLayout, QLabel, QLayout, QSplitter, QWidget

from llamadesk.ui.widgets import LazyPage

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
    """The chat, its message box, the welcome page, compare and the arena keep
    READABLE_WIDTH; the paragraphs of the pages of tables (data set, models) stop at it
    (their tables keep the whole width). Pages made when first shown (models, arena) get
    theirs then: the window's start does not make them."""
    for widget, answers in (
        (window.chat_view.widget(), 1),
        (window.composer, 1),
        (window.welcome, 1),
        (window.compare_view, 2),  # two answers side by side: each gets the readable width
    ):
        _keep_readable(widget, answers)
    cap_paragraphs(window.dataset_view)
    for page in window.findChildren(LazyPage):
        page.made.connect(lambda page=page: _on_page_made(window, page))


def _on_page_made(window: MainWindow, page: LazyPage) -> None:
    if window.modes.indexOf(page) == window.arena_page:
        arena = window.arena_view
        _keep_readable(arena.rescore, 1)
        _keep_readable(arena.duel, 2)
    cap_paragraphs(page)


def _keep_readable(widget: QWidget | None, answers: int) -> None:
    layout = widget.layout() if widget is not None else None
    if widget is not None and layout is not None:
        ReadableWidth(widget, layout, READABLE_WIDTH * answers)


def cap_paragraphs(root: QWidget, width: int = READABLE_WIDTH) -> None:
    """Wrapped labels in a column under `root` (its paragraphs) are at most `width` wide.
    Those in a row share it with other controls, which would take the rest."""
    for label in root.findChildren(QLabel):
        if label.wordWrap() and _in_a_column(label):
            label.setMaximumWidth(width)


def _in_a_column(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    layouts = [parent.layout()] if parent is not None else []
    while layouts:
        layout = layouts.pop()
        if layout is None:
            continue
        if layout.indexOf(widget) >= 0:
            return isinstance(layout, QBoxLayout) and layout.direction() in (
                QBoxLayout.Direction.TopToBottom,
                QBoxLayout.Direction.BottomToTop,
            )
        items = (layout.itemAt(i) for i in range(layout.count()))
        layouts += [item.layout() for item in items if item is not None]
    return False


class WindowMemory(QObject):
    """Saves the window's geometry, docks and toolbars, splitters and page when it closes,
    in an INI file beside the settings; `restore` puts them back.

    Splitters are kept by their object name, so a page made later (the Models page, made
    when first shown) finds its own sizes again, and a splitter the page lacks this time
    keeps what was saved for it. Every splitter in the window needs a name.
    """

    def __init__(self, window: MainWindow, path: Path) -> None:
        super().__init__(window)
        self._window = window
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)
        self._shown = False
        self._restored: set[str] = set()
        window.installEventFilter(self)
        # A page made on first showing has its splitters from then on.
        for page in window.findChildren(LazyPage):
            page.made.connect(self._restore_splitters)

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
        for splitter in self._splitters():
            stored.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
        stored.setValue("page", window.modes.currentIndex())
        stored.sync()

    def _splitters(self) -> list[QSplitter]:
        return [s for s in self._window.findChildren(QSplitter) if s.objectName()]

    def _restore_splitters(self) -> None:
        if not self._shown:
            return  # see eventFilter
        for splitter in self._splitters():
            name = splitter.objectName()
            if name in self._restored:
                continue
            self._restored.add(name)
            sizes = self._settings.value(f"splitters/{name}")
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
    memory = WindowMemory(window, path)
    memory.restore()
    return memory
