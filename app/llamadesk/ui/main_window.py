"""The main window: it assembles the parts and connects their signals, nothing more.

The chat page (ui/chat_page.py) owns the conversations and the answers, ChatSettings
(ui/chat_settings.py) the settings the chat answers with, ModelStatus (ui/model_status.py)
the status bar. Top-level pages are added with `add_mode`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from llamadesk.core.backend import backend_info
from llamadesk.core.rescore import rescores_folder
from llamadesk.core.settings import Settings
from llamadesk.core.starter import starter_model_path
from llamadesk.services.app_services import Services
from llamadesk.services.arena import AnswerRef, ArenaReader, ArenaSession
from llamadesk.services.model_host import LoadedModel
from llamadesk.services.model_loader import Purpose
from llamadesk.ui import load_warning
from llamadesk.ui.chat_page import ChatPage
from llamadesk.ui.chat_settings import ChatSettings
from llamadesk.ui.chat_transfer import ChatTransfer
from llamadesk.ui.compare_view import CompareView
from llamadesk.ui.dataset_view import DatasetView
from llamadesk.ui.memory_panel import MemoryPanel
from llamadesk.ui.model_picker import DEMO_SUFFIX, ModelPicker
from llamadesk.ui.model_status import ModelStatus
from llamadesk.ui.network_panel import add_network_dock
from llamadesk.ui.shortcuts import install_shortcuts
from llamadesk.ui.translations import translate
from llamadesk.ui.widgets import LazyPage

if TYPE_CHECKING:
    from llamadesk.ui.arena_view import ArenaView


class MainWindow(QMainWindow):
    """Sidebar of conversations, the chat, a model picker and a status line."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.session = services.session
        self.ratings = services.ratings
        self.compare = services.compare
        self.paths = services.paths
        self.settings_service = services.settings
        self.loader = services.loader
        self.monitor = services.monitor
        self.dataset = services.dataset
        self.starter = starter_model_path()
        self.setWindowTitle("LlamaDesk")
        self.resize(1180, 780)
        self._build()
        self._connect()
        install_shortcuts(self)
        self._refresh_models()
        self.chat.refresh_conversations(select_first=True)
        self.chat.update_page()

    # Assembly ------------------------------------------------------------------------

    def _build(self) -> None:
        self.model_picker = ModelPicker()
        self.status = ModelStatus(self.session.host, self.loader, self.statusBar())
        toolbar = QToolBar(translate("MainWindow", "Model"))
        toolbar.setObjectName("toolbar")
        toolbar.setMovable(False)
        self.mode_actions = QActionGroup(self)
        self._mode_anchor = toolbar.addSeparator()  # mode buttons go before this
        self.toolbar = toolbar
        toolbar.addWidget(QLabel("  " + translate("MainWindow", "Model") + "  "))
        toolbar.addWidget(self.model_picker)
        toolbar.addWidget(self.status.busy)
        self.settings_action = toolbar.addAction(translate("MainWindow", "Settings…"))
        self.settings_action.triggered.connect(self.open_settings)
        self.memory_action = toolbar.addAction(translate("MainWindow", "Memory"))
        self.memory_action.setCheckable(True)
        self.addToolBar(toolbar)

        self.chat = ChatPage(self.session, self.ratings, self.starter is not None)
        self.chat_settings = ChatSettings(
            self.settings_service,
            self.session,
            self.chat.composer,
            self.chat.banner,
            self.load_model,
        )
        # The parts' widgets, by the names the app's other parts and the tests know them.
        self.chat_view, self.composer = self.chat.chat_view, self.chat.composer
        self.conversation_list, self.banner = self.chat.conversation_list, self.chat.banner
        self.welcome, self.pages = self.chat.welcome, self.chat.pages
        self.model_status, self.speed_status = self.status.model_status, self.status.speed_status
        self.compare_view = CompareView(self.compare)
        self.modes = QStackedWidget()
        self.setCentralWidget(self.modes)
        self.add_mode(translate("MainWindow", "Chat"), self.chat)
        self.add_mode(translate("MainWindow", "Compare"), self.compare_view)
        self.memory_panel = MemoryPanel(self.monitor)
        self.memory_dock = QDockWidget(translate("MainWindow", "Memory"), self)
        self.memory_dock.setObjectName("memoryDock")
        self.memory_dock.setWidget(self.memory_panel)
        self.memory_dock.setMinimumWidth(300)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.memory_dock)
        self.memory_dock.hide()
        self.dataset_view = DatasetView(self.dataset, share=self.services.share)
        self.dataset_page = self.add_mode(translate("MainWindow", "Data set"), self.dataset_view)
        self.chat_transfer = ChatTransfer(
            self.services.chat_transfer, self, self.banner.show_message
        )
        self._arena_view: ArenaView | None = None  # made when first needed: see arena_view
        self.arena_page = self.add_mode(
            translate("MainWindow", "Arena"), LazyPage(lambda: self.arena_view)
        )
        self.chat.rescore_requested.connect(self._rescore_answer)
        exports = self.menuBar().addMenu(translate("MainWindow", "&Export"))
        for action in self.dataset_view.export_actions.values():
            exports.addAction(action)
            # The export's result, or its error, is shown on the data set page.
            action.triggered.connect(lambda _checked: self.show_mode(self.dataset_page))

        self.network = add_network_dock(self)

    def _connect(self) -> None:
        host = self.session.host
        self.memory_action.toggled.connect(self.memory_dock.setVisible)
        self.memory_dock.visibilityChanged.connect(self.memory_action.setChecked)
        self.dataset.changed.connect(self.chat.show_thread)  # a pair deleted there
        self.conversation_list.export_requested.connect(self.chat_transfer.ask_export)
        self.conversation_list.import_requested.connect(self.chat_transfer.ask_import)
        self.chat_transfer.imported.connect(self.chat.refresh_conversations)
        self.model_picker.model_chosen.connect(self.load_model)
        self.model_picker.open_requested.connect(self._ask_open_model)
        self.welcome.open_requested.connect(self._ask_open_model)
        self.welcome.start_requested.connect(self.start_starter)
        self.session.answer_saved.connect(self.status.show_answer_speed)
        self.loader.confirm = lambda check: load_warning.ask_about_memory(self, check)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        host.loading.connect(lambda _name: self.composer.set_can_send(False))
        host.progress.connect(self._on_progress)

    def add_mode(self, label: str, page: QWidget) -> int:
        """Add a top-level page with its toolbar button; returns its index for show_mode."""
        index = self.modes.addWidget(page)
        action = QAction(label, self)
        action.setCheckable(True)
        action.setChecked(index == 0)
        action.triggered.connect(lambda _checked: self.show_mode(index))
        self.toolbar.insertAction(self._mode_anchor, action)
        self.mode_actions.addAction(action)
        return index

    def show_mode(self, page: int) -> None:
        """Show a top-level page: 0 is the chat, 1 the compare view, then those added."""
        self.modes.setCurrentIndex(page)
        self.mode_actions.actions()[page].setChecked(True)

    def duel_tuned(self, adapter: Path) -> None:
        """A tuned model's "Duel it against the original": the arena's blind duel."""
        self.show_mode(self.arena_page)
        self.arena_view.duel_tuned(adapter)

    def _rescore_answer(self, answer: AnswerRef) -> None:
        """An answer's "Where would a smaller level go wrong?": the arena's re-score."""
        self.show_mode(self.arena_page)
        self.arena_view.rescore_answer(answer)

    @property
    def arena_view(self) -> ArenaView:
        """The arena's page, made when first shown or asked for: its charts load pyqtgraph,
        a fifth of a second the window's start need not wait for."""
        if self._arena_view is None:
            from llamadesk.ui.arena_view import ArenaView

            self._arena_view = ArenaView(
                ArenaSession.beside(self.compare, self),
                ArenaReader(self.paths.models, self.paths.database, self, self.paths.config),
                rescores_folder(self.paths.data),
                connections=self.services.connections,
            )
            self._arena_view.refresh()
        return self._arena_view

    @property
    def current_conversation(self) -> int | None:
        return self.chat.current_conversation

    # Models --------------------------------------------------------------------------

    def load_model(self, path: Path) -> None:
        """Load a model for the chat: its settings, the memory check, then the model."""
        self.loader.load(Path(path), "chat")

    def start_starter(self) -> None:
        """Load the starter model; the composer takes the focus once it is loaded."""
        if self.starter is not None:
            self.load_model(self.starter)

    def load_demo(self) -> None:
        self.loader.load(self.paths.models / DEMO_SUFFIX, "chat", make_demo=True)

    @property
    def settings(self) -> Settings:
        return self.chat_settings.current

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self.chat_settings.save(settings)

    def _ask_open_model(self) -> None:
        filename, _filter = QFileDialog.getOpenFileName(
            self,
            translate("MainWindow", "Open a GGUF model"),
            str(Path.home()),
            translate("MainWindow", "GGUF models (*.gguf);;All files (*)"),
        )
        if filename:
            self.load_model(Path(filename))

    def _refresh_models(self) -> None:
        try:
            found = sorted(self.paths.models.glob("*.gguf"))
        except OSError:
            found = []
        model = self.session.host.model
        current = model.info.path if model and not model.server else None
        remote = [(c.url, m) for c in self.services.connections.servers for m in c.models]
        shown = (model.server, model.info.name) if model and model.server else current
        self.model_picker.set_models(found, shown, remote)
        self.compare_view.set_models(
            found if current is None or current in found else [current, *found], current, remote
        )
        self.composer.set_can_send(model is not None)
        if self._arena_view is not None:
            self._arena_view.refresh()

    def _on_loaded(self, model: LoadedModel, purpose: Purpose) -> None:
        # Whoever loaded it, this is the model the chat now answers with: its figures and its
        # sampling settings apply. Only the user's own choice is the one to reload next time.
        self.status.show_model(model)
        self.memory_panel.show_model(model, backend_info())
        self.chat_settings.apply_model(model)
        self._refresh_models()
        if purpose != "chat":
            return
        self.banner.hide()
        if not model.server:  # a remote model's "path" is its id, not a file to reload
            self.settings = self.settings.with_changes(last_model=str(model.info.path))
        if self.current_conversation is None:
            self.chat.new_conversation()
        self.chat.update_page()
        self.composer.editor.setFocus()

    def _on_load_failed(self, message: str, purpose: Purpose = "chat") -> None:
        if purpose == "chat":  # the compare view shows its own failures
            self.banner.show_message(message)
        self.chat.welcome_wanted = self.session.host.model is None
        self.chat.update_page()
        self.status.show_current()
        self._refresh_models()

    def _on_progress(self, tokens: int, tokens_per_second: float) -> None:
        line = self.status.show_progress(tokens, tokens_per_second)
        self.chat_view.set_live_status(
            translate("MainWindow", "writing…  {line}").format(line=line)
        )

    def open_settings(self) -> None:
        """The model's inference settings and the current chat's own, in one dialog."""
        self.chat_settings.open_dialog(self.current_conversation, self)

    # Lifetime ------------------------------------------------------------------------

    def start(self) -> None:
        """Show the window, then reload the last model once the window is on screen."""
        self.show()
        self.monitor.start()
        last = Path(self.settings.last_model) if self.settings.last_model else None
        if last is not None:
            self.chat.welcome_wanted = False  # the chat, while the last model loads again
            self.chat.update_page()
            QTimer.singleShot(0, lambda: self._reload_last(last))

    def _reload_last(self, path: Path) -> None:
        if path.is_file():
            self.load_model(path)
        else:
            self.banner.show_message(
                translate(
                    "MainWindow", "The model you used last time is gone ({path}). Pick another one."
                ).format(path=path),
                "warning",
            )
            self.chat.welcome_wanted = True
            self.chat.update_page()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing the window ends the work it started: an answer streaming is stopped and
        # saved, every thread joined. The store stays open until AppParts.close().
        self.services.stop()
        self.chat.shutdown()
        self.memory_panel.wait_for_all()
        if self._arena_view is not None:
            self._arena_view.shutdown()
        event.accept()
