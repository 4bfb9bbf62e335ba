"""The sidebar: search, a New chat button, and the conversations newest first."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.store import Conversation
from llamadesk.ui import widgets
from llamadesk.ui.translations import plural, translate

ID_ROLE = Qt.ItemDataRole.UserRole


class ConversationList(QWidget):
    """Signals:
    selected(int): the user opened this conversation.
    new_requested(): the user wants a new conversation.
    rename_requested(int, str): new title for a conversation.
    delete_requested(int): the user confirmed deleting a conversation.
    search_changed(str): the search text changed.
    export_requested(list): export these conversations ([]: all of them).
    import_requested(): the user wants to import chats from a file.
    """

    selected = Signal(int)
    new_requested = Signal()
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)
    search_changed = Signal(str)
    export_requested = Signal(list)
    import_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setMinimumWidth(200)
        self.new_button = QPushButton(translate("Sidebar", "+  New chat"))
        self.new_button.setObjectName("newChatButton")
        self.new_button.clicked.connect(self.new_requested)
        self.search = QLineEdit()
        self.search.setPlaceholderText(translate("Sidebar", "Search chats"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.search_changed)
        self.list = QListWidget()
        self.list.setObjectName("conversationList")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setUniformItemSizes(True)
        # Ctrl- or Shift-click picks several chats to export together.
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._show_menu)
        self.list.currentItemChanged.connect(self._on_current_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        self._updating = False

    def set_conversations(self, conversations: Sequence[Conversation], current: int | None) -> None:
        """Show these conversations, keeping `current` selected without re-announcing it."""
        self._updating = True
        try:
            self.list.clear()
            for conversation in conversations:
                item = QListWidgetItem(conversation.title)
                item.setData(ID_ROLE, conversation.id)
                item.setToolTip(conversation.title)
                self.list.addItem(item)
                if conversation.id == current:
                    self.list.setCurrentItem(item)
        finally:
            self._updating = False

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(ID_ROLE))

    def ask_rename(self, conversation_id: int, title: str) -> None:
        new_title, ok = QInputDialog.getText(
            self,
            translate("ConversationList", "Rename chat"),
            translate("ConversationList", "Title:"),
            text=title,
        )
        if ok and new_title.strip() and new_title != title:
            self.rename_requested.emit(conversation_id, new_title.strip())

    def ask_delete(self, conversation_id: int, title: str) -> None:
        question = translate(
            "ConversationList", "Delete “{title}” and all its messages? This cannot be undone."
        ).format(title=title)
        if widgets.confirm(
            self,
            translate("ConversationList", "Delete chat"),
            question,
            translate("ConversationList", "Delete"),
        ):
            self.delete_requested.emit(conversation_id)

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None and not self._updating:
            self.selected.emit(int(current.data(ID_ROLE)))

    def _show_menu(self, position: QPoint) -> None:
        menu = self.menu_for(self.list.itemAt(position))
        menu.exec(self.list.viewport().mapToGlobal(position))
        menu.deleteLater()

    def menu_for(self, item: QListWidgetItem | None) -> QMenu:
        """The context menu of ``item`` (None: the empty space below the chats)."""
        menu = QMenu(self)
        if item is not None:
            conversation_id, title = int(item.data(ID_ROLE)), item.text()
            menu.addAction(
                translate("ConversationList", "Rename…"),
                lambda: self.ask_rename(conversation_id, title),
            )
            menu.addAction(
                translate("ConversationList", "Delete…"),
                lambda: self.ask_delete(conversation_id, title),
            )
            menu.addSeparator()
            chosen = self._chosen_ids(item)
            label = plural(
                len(chosen),
                translate("ConversationList", "Export…"),
                translate("ConversationList", "Export {n} chats…"),
            )
            menu.addAction(label, lambda: self.export_requested.emit(chosen))
        menu.addAction(
            translate("ConversationList", "Export all chats…"),
            lambda: self.export_requested.emit([]),
        )
        menu.addAction(translate("ConversationList", "Import chats…"), self.import_requested.emit)
        return menu

    def _chosen_ids(self, item: QListWidgetItem) -> list[int]:
        """The selected chats if ``item`` is among them, else ``item`` alone."""
        selected = self.list.selectedItems()
        chosen = selected if item in selected else [item]
        return [int(entry.data(ID_ROLE)) for entry in chosen]
