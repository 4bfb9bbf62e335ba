"""The keyboard shortcuts, in one table: installed on the main window, listed in
Help → Keyboard shortcuts, and named in the tooltips of the controls they stand for.

Platform keys come from `QKeySequence.StandardKey` (Ctrl+N on Windows and Linux, Cmd+N on
macOS); where a platform has none for an action (Preferences on most Linux desktops), the
common Ctrl+, is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate

if TYPE_CHECKING:
    from llamadesk.ui.main_window import MainWindow

Keys = QKeySequence.StandardKey | str


@dataclass(frozen=True)
class Shortcut:
    """One action: its name in the table, where it works, and its keys (the first is shown).

    `installed` is False for keys a widget handles itself (Enter in the composer)."""

    name: str
    label: str
    where: str
    keys: tuple[Keys, ...]
    installed: bool = True

    def sequences(self) -> list[QKeySequence]:
        """The key sequences on this platform (a standard key may have several, or none)."""
        found: list[QKeySequence] = []
        for key in self.keys:
            if isinstance(key, str):
                found.append(QKeySequence(key))
            else:
                found += QKeySequence.keyBindings(key)
        return [sequence for sequence in found if not sequence.isEmpty()]

    def text(self) -> str:
        """The keys as this platform writes them ("Ctrl+N", "⌘N")."""
        sequences = self.sequences()
        return sequences[0].toString(QKeySequence.SequenceFormat.NativeText) if sequences else ""


PAGE_COUNT = 5  # Chat, Compare, Data set, Arena, Models: the order MainWindow adds them

SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut(
        "new_chat",
        QT_TRANSLATE_NOOP("Shortcuts", "New chat"),
        QT_TRANSLATE_NOOP("Shortcuts", "Everywhere"),
        (QKeySequence.StandardKey.New,),
    ),
    Shortcut(
        "search_chats",
        QT_TRANSLATE_NOOP("Shortcuts", "Search chats"),
        QT_TRANSLATE_NOOP("Shortcuts", "Everywhere"),
        (QKeySequence.StandardKey.Find,),
    ),
    Shortcut(
        "focus_composer",
        QT_TRANSLATE_NOOP("Shortcuts", "Write a message"),
        QT_TRANSLATE_NOOP("Shortcuts", "Everywhere"),
        ("Ctrl+L",),
    ),
    Shortcut(
        "send",
        QT_TRANSLATE_NOOP("Shortcuts", "Send the message"),
        QT_TRANSLATE_NOOP("Shortcuts", "Message box"),
        ("Return",),
        installed=False,
    ),
    Shortcut(
        "new_line",
        QT_TRANSLATE_NOOP("Shortcuts", "New line"),
        QT_TRANSLATE_NOOP("Shortcuts", "Message box"),
        ("Shift+Return",),
        installed=False,
    ),
    Shortcut(
        "stop",
        QT_TRANSLATE_NOOP("Shortcuts", "Stop the answer"),
        QT_TRANSLATE_NOOP("Shortcuts", "Chat"),
        ("Esc",),
    ),
    Shortcut(
        "regenerate",
        QT_TRANSLATE_NOOP("Shortcuts", "Regenerate the last answer"),
        QT_TRANSLATE_NOOP("Shortcuts", "Chat"),
        ("Ctrl+R",),
    ),
    Shortcut(
        "copy_answer",
        QT_TRANSLATE_NOOP("Shortcuts", "Copy the last answer"),
        QT_TRANSLATE_NOOP("Shortcuts", "Chat"),
        ("Ctrl+Shift+C",),
    ),
    Shortcut(
        "rate_good",
        QT_TRANSLATE_NOOP("Shortcuts", "Rate the last answer good"),
        QT_TRANSLATE_NOOP("Shortcuts", "Chat"),
        ("Ctrl+Shift+G",),
    ),
    Shortcut(
        "rate_bad",
        QT_TRANSLATE_NOOP("Shortcuts", "Rate the last answer bad"),
        QT_TRANSLATE_NOOP("Shortcuts", "Chat"),
        ("Ctrl+Shift+B",),
    ),
    Shortcut(
        "vote_a",
        QT_TRANSLATE_NOOP("Shortcuts", "Vote: A is better"),
        QT_TRANSLATE_NOOP("Shortcuts", "Compare"),
        ("Alt+A",),
    ),
    Shortcut(
        "vote_b",
        QT_TRANSLATE_NOOP("Shortcuts", "Vote: B is better"),
        QT_TRANSLATE_NOOP("Shortcuts", "Compare"),
        ("Alt+B",),
    ),
    Shortcut(
        "vote_tie",
        QT_TRANSLATE_NOOP("Shortcuts", "Vote: tie"),
        QT_TRANSLATE_NOOP("Shortcuts", "Compare"),
        ("Alt+T",),
    ),
    Shortcut(
        "page_0",
        QT_TRANSLATE_NOOP("Shortcuts", "Go to Chat"),
        QT_TRANSLATE_NOOP("Shortcuts", "Everywhere"),
        ("Ctrl+1",),
    ),
    Shortcut(
        "page_1",
        QT_TRANSLATE_NOOP("Shortcuts", "Go to Compare"),
        QT_TRANSLATE_NOOP("Shortcuts", "Everywhere"),
        ("Ctrl+2",),
    ),
    Shortcut(
        "page_2",
        QT_TRANSLATE_NOOP("Shortcuts", "Go to Data set"),
        QT_TRANSLATE_NOOP("Shortcuts", "Everywhere"),
        ("Ctrl+3",),
    ),
    Shortcut(
        "page_3",
        QT_TRANSLATE_NOOP("Shortcuts", "Go to Arena"),
        QT_TRANSLATE_NOOP("Shortcuts", "Everywhere"),
        ("Ctrl+4",),
    ),
    Shortcut(
        "page_4",
        QT_TRANSLATE_NOOP("Shortcuts", "Go to Models"),
        QT_TRANSLATE_NOOP("Shortcuts", "Everywhere"),
        ("Ctrl+5",),
    ),
    Shortcut(
        "settings",
        QT_TRANSLATE_NOOP("Shortcuts", "Settings"),
        QT_TRANSLATE_NOOP("Shortcuts", "Everywhere"),
        (QKeySequence.StandardKey.Preferences, "Ctrl+,"),
    ),
    Shortcut(
        "shortcuts",
        QT_TRANSLATE_NOOP("Shortcuts", "Keyboard shortcuts"),
        QT_TRANSLATE_NOOP("Shortcuts", "Everywhere"),
        ("Ctrl+/",),
    ),
)
BY_NAME = {shortcut.name: shortcut for shortcut in SHORTCUTS}


def with_keys(tip: str, name: str) -> str:
    """A tooltip with the shortcut's keys after it: "Send (Enter)"."""
    keys = BY_NAME[name].text()
    return f"{tip} ({keys})" if keys else tip


def install_shortcuts(window: MainWindow) -> dict[str, QAction]:
    """Put every installed shortcut on `window` as an action, add Help → Keyboard
    shortcuts, and name the keys in the tooltips of the controls they stand for."""
    handlers = _handlers(window)
    actions: dict[str, QAction] = {}
    for shortcut in SHORTCUTS:
        if not shortcut.installed:
            continue
        action = QAction(translate("Shortcuts", shortcut.label), window)
        # A standard key and the fallback may be the same keys: set each once.
        unique = {sequence.toString(): sequence for sequence in shortcut.sequences()}
        action.setShortcuts(list(unique.values()))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(handlers[shortcut.name])
        window.addAction(action)
        actions[shortcut.name] = action
    help_menu = window.menuBar().addMenu(translate("Shortcuts", "&Help"))
    help_menu.setObjectName("helpMenu")  # menus added later go before it: Help is last
    help_menu.addAction(actions["shortcuts"])
    _add_tooltips(window)
    return actions


def _handlers(window: MainWindow) -> dict[str, Callable[[], object]]:
    chat, compare = window.chat_view, window.compare_view

    def on_page(page: int, then: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            window.show_mode(page)
            return then()

        return run

    def rate(value: int) -> None:
        rating = chat.bubbles[-1].rating if chat.bubbles else None
        if rating is not None:
            (rating.good if value > 0 else rating.bad).click()

    def vote(winner: str) -> None:
        button = compare.vote_buttons[winner]  # type: ignore[index]
        if button.isEnabled():
            button.click()

    def copy_answer() -> None:
        answers = [bubble for bubble in chat.bubbles if bubble.role == "assistant"]
        if answers:
            QGuiApplication.clipboard().setText(answers[-1].text)

    handlers: dict[str, Callable[[], object]] = {
        "new_chat": on_page(0, window.conversation_list.new_requested.emit),
        "search_chats": on_page(0, window.conversation_list.search.setFocus),
        "focus_composer": on_page(0, window.composer.editor.setFocus),
        "stop": window.session.stop,
        "regenerate": on_page(0, chat.regenerate_requested.emit),
        "copy_answer": copy_answer,
        "rate_good": lambda: rate(1),
        "rate_bad": lambda: rate(-1),
        "vote_a": on_page(1, lambda: vote("model_a")),
        "vote_b": on_page(1, lambda: vote("model_b")),
        "vote_tie": on_page(1, lambda: vote("tie")),
        "settings": window.open_settings,
        "shortcuts": lambda: ShortcutsWindow(window).exec(),
    }
    for index in range(PAGE_COUNT):
        handlers[f"page_{index}"] = _page_handler(window, index)
    return handlers


def _page_handler(window: MainWindow, index: int) -> Callable[[], None]:
    # Not a lambda with a default: `triggered` would pass its `checked` into it.
    def show() -> None:
        if index < window.modes.count():
            window.show_mode(index)

    return show


def _add_tooltips(window: MainWindow) -> None:
    window.conversation_list.new_button.setToolTip(
        with_keys(translate("Shortcuts", "Start a new chat"), "new_chat")
    )
    window.conversation_list.search.setToolTip(
        with_keys(translate("Shortcuts", "Search chats"), "search_chats")
    )
    window.composer.editor.setToolTip(
        with_keys(translate("Shortcuts", "Write a message"), "focus_composer")
    )
    window.composer.button.setToolTip(
        with_keys(translate("Shortcuts", "Send, or stop the answer"), "stop")
    )
    window.settings_action.setToolTip(with_keys(translate("Shortcuts", "Settings"), "settings"))
    for index, action in enumerate(window.mode_actions.actions()[:PAGE_COUNT]):
        action.setToolTip(with_keys(action.text(), f"page_{index}"))
    votes = window.compare_view.vote_buttons
    for winner, name in (("model_a", "vote_a"), ("model_b", "vote_b"), ("tie", "vote_tie")):
        votes[winner].setToolTip(with_keys(votes[winner].text(), name))  # type: ignore[index]


class ShortcutsWindow(QDialog):
    """Help → Keyboard shortcuts: the table, as this platform writes the keys."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("Shortcuts", "Keyboard shortcuts"))
        rows = [shortcut for shortcut in SHORTCUTS if shortcut.text()]
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName(self.windowTitle())
        self.table.setHorizontalHeaderLabels(
            [
                translate("Shortcuts", "Action"),
                translate("Shortcuts", "Keys"),
                translate("Shortcuts", "Where"),
            ]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for row, shortcut in enumerate(rows):
            label, where = (
                translate("Shortcuts", text) for text in (shortcut.label, shortcut.where)
            )
            for column, text in enumerate((label, shortcut.text(), where)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.setStyleSheet("QTableWidget::item { padding: 0 10px 0 4px; }")  # air
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        # Tall enough for the whole table: a list of keys to scroll is a list half read.
        self.table.resizeRowsToContents()
        rows_height = sum(self.table.rowHeight(row) for row in range(len(rows)))
        header_height = self.table.horizontalHeader().sizeHint().height()
        self.resize(560, rows_height + header_height + buttons.sizeHint().height() + 40)
