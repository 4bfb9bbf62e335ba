"""The main window: it assembles the parts and connects their signals, nothing more."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.backend import backend_info
from llamadesk.core.paths import AppPaths
from llamadesk.core.settings import Settings
from llamadesk.core.starter import starter_model_path
from llamadesk.core.store import Message, StoreError
from llamadesk.services.chat_session import ChatSession
from llamadesk.services.chat_transfer import ChatTransferService
from llamadesk.services.compare import CompareSession
from llamadesk.services.dataset import DatasetService
from llamadesk.services.memory_monitor import MemoryMonitor
from llamadesk.services.model_host import LoadedModel
from llamadesk.services.model_loader import ModelLoader, Purpose
from llamadesk.services.ratings import RatingsService
from llamadesk.services.settings_service import SettingsService
from llamadesk.services.share import ShareService
from llamadesk.ui import load_warning
from llamadesk.ui.chat_transfer import ChatTransfer
from llamadesk.ui.chat_view import ChatView
from llamadesk.ui.compare_view import CompareView
from llamadesk.ui.composer import Composer
from llamadesk.ui.conversation_list import ConversationList
from llamadesk.ui.dataset_view import DatasetView
from llamadesk.ui.memory_panel import MemoryPanel
from llamadesk.ui.model_picker import DEMO_SUFFIX, ModelPicker, display_name
from llamadesk.ui.network_panel import add_network_dock
from llamadesk.ui.rating_dialogs import FeedbackDialog, RankDialog
from llamadesk.ui.settings_dialog import SettingsDialog
from llamadesk.ui.shortcuts import install_shortcuts
from llamadesk.ui.translations import translate
from llamadesk.ui.welcome import WelcomeScreen
from llamadesk.ui.widgets import Banner

WELCOME_PAGE, CHAT_PAGE = 0, 1


def _backend_text() -> str:
    # Asking llama.cpp means importing it: only once a model has done so (off this thread).
    if "llama_cpp" not in sys.modules:
        return "Load a model to see what this llama.cpp build can use."
    return backend_info().describe()


class MainWindow(QMainWindow):
    """Sidebar of conversations, the chat, a model picker and a status line."""

    def __init__(
        self,
        session: ChatSession,
        ratings: RatingsService,
        compare: CompareSession,
        paths: AppPaths,
        settings: SettingsService,
        loader: ModelLoader,
    ) -> None:
        super().__init__()
        self.session = session
        self.ratings = ratings
        self.compare = compare
        self.paths = paths
        self.settings_service = settings
        self.loader = loader
        self.current_conversation: int | None = None
        # The welcome page stands in for the chat while no model is loaded, until the user
        # opens a conversation of their own or a model is on its way.
        self._welcome = True
        self.starter = starter_model_path()
        self.setWindowTitle("LlamaDesk")
        self.resize(1180, 780)
        self._build()
        self._connect()
        install_shortcuts(self)
        self._refresh_models()
        self._refresh_conversations(select_first=True)
        self._update_page()

    # Assembly ------------------------------------------------------------------------

    def _build(self) -> None:
        self.model_picker = ModelPicker()
        self.busy = QProgressBar()
        self.busy.setObjectName("busy")
        self.busy.setRange(0, 0)
        self.busy.setFixedWidth(90)
        self.busy.setTextVisible(False)
        self.busy.hide()
        toolbar = QToolBar(translate("MainWindow", "Model"))
        toolbar.setObjectName("toolbar")
        toolbar.setMovable(False)
        self.mode_actions = QActionGroup(self)
        self._mode_anchor = toolbar.addSeparator()  # mode buttons go before this
        self.toolbar = toolbar
        toolbar.addWidget(QLabel("  " + translate("MainWindow", "Model") + "  "))
        toolbar.addWidget(self.model_picker)
        toolbar.addWidget(self.busy)
        self.settings_action = toolbar.addAction(translate("MainWindow", "Settings…"))
        self.settings_action.triggered.connect(self.open_settings)
        self.memory_action = toolbar.addAction(translate("MainWindow", "Memory"))
        self.memory_action.setCheckable(True)
        self.addToolBar(toolbar)

        self.conversation_list = ConversationList()
        self.chat_view = ChatView()
        self.composer = Composer()
        self.banner = Banner()
        self.welcome = WelcomeScreen()
        self.welcome.set_starter_available(self.starter is not None)
        chat_page = QWidget()
        chat_layout = QVBoxLayout(chat_page)
        chat_layout.setContentsMargins(0, 0, 0, 0)
        chat_layout.setSpacing(0)
        chat_layout.addWidget(self.chat_view, 1)
        chat_layout.addWidget(self.composer)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(chat_page)
        main = QWidget()
        main.setObjectName("mainArea")
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.setSpacing(0)
        main_layout.addWidget(self.banner)
        main_layout.addWidget(self.pages, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.conversation_list)
        splitter.addWidget(main)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 920])
        splitter.setChildrenCollapsible(False)
        self.compare_view = CompareView(self.compare)
        self.modes = QStackedWidget()
        self.setCentralWidget(self.modes)
        self.add_mode(translate("MainWindow", "Chat"), splitter)
        self.add_mode(translate("MainWindow", "Compare"), self.compare_view)
        self.monitor = MemoryMonitor(self)
        self.memory_panel = MemoryPanel(self.monitor)
        self.memory_dock = QDockWidget(translate("MainWindow", "Memory"), self)
        self.memory_dock.setObjectName("memoryDock")
        self.memory_dock.setWidget(self.memory_panel)
        self.memory_dock.setMinimumWidth(300)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.memory_dock)
        self.memory_dock.hide()
        self.dataset = DatasetService(self.paths.database, self)
        self.dataset_view = DatasetView(self.dataset, share=ShareService(self.paths, self))
        self.dataset_page = self.add_mode(translate("MainWindow", "Data set"), self.dataset_view)
        chats = ChatTransferService(self.paths, self)
        self.chat_transfer = ChatTransfer(chats, self, self.banner.show_message)
        exports = self.menuBar().addMenu(translate("MainWindow", "&Export"))
        for action in self.dataset_view.export_actions.values():
            exports.addAction(action)
            # The export's result, or its error, is shown on the data set page.
            action.triggered.connect(lambda _checked: self.show_mode(self.dataset_page))

        self.network = add_network_dock(self)

        self.model_status = QLabel(translate("MainWindow", "No model loaded"))
        self.speed_status = QLabel("")
        self.statusBar().addPermanentWidget(self.speed_status)
        self.statusBar().addPermanentWidget(self.model_status)

    def _connect(self) -> None:
        session, host = self.session, self.session.host
        self.composer.send_requested.connect(self._send)
        self.composer.stop_requested.connect(session.stop)
        self.composer.thinking_changed.connect(self._set_thinking)
        self.chat_view.regenerate_requested.connect(self._regenerate)
        self.chat_view.save_again_requested.connect(session.save_again)
        self.chat_view.thumbs_requested.connect(self._give_thumbs)
        self.chat_view.feedback_requested.connect(self._ask_feedback)
        self.chat_view.sibling_requested.connect(session.show_sibling)
        self.chat_view.best_requested.connect(self.ratings.toggle_best)
        self.chat_view.rank_requested.connect(self._ask_ranking)
        self.ratings.changed.connect(self._show_thread)
        self.memory_action.toggled.connect(self.memory_dock.setVisible)
        self.memory_dock.visibilityChanged.connect(self.memory_action.setChecked)
        self.ratings.changed.connect(self.dataset.mark_changed)
        self.dataset.changed.connect(self._show_thread)  # a pair deleted there
        session.thread_changed.connect(self._on_thread_changed)
        self.conversation_list.selected.connect(self._choose_conversation)
        self.conversation_list.new_requested.connect(self._choose_new_conversation)
        self.conversation_list.rename_requested.connect(session.rename)
        self.conversation_list.delete_requested.connect(self._delete_conversation)
        self.conversation_list.search_changed.connect(lambda _text: self._refresh_conversations())
        self.conversation_list.export_requested.connect(self.chat_transfer.ask_export)
        self.conversation_list.import_requested.connect(self.chat_transfer.ask_import)
        self.chat_transfer.imported.connect(self._refresh_conversations)
        self.model_picker.model_chosen.connect(self.load_model)
        self.model_picker.open_requested.connect(self._ask_open_model)
        self.welcome.open_requested.connect(self._ask_open_model)
        self.welcome.start_requested.connect(self.start_starter)
        session.conversations_changed.connect(self._refresh_conversations)
        session.answer_started.connect(self._on_answer_started)
        session.answer_text.connect(self._on_answer_text)
        session.answer_reasoning.connect(self._on_answer_reasoning)
        session.answer_saved.connect(self._on_answer_saved)
        session.generating_changed.connect(self._on_generating_changed)
        session.error.connect(self.banner.show_message)
        self.loader.confirm = lambda check: load_warning.ask_about_memory(self, check)
        self.loader.checking.connect(lambda name: self.model_status.setText(f"Checking {name}…"))
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        self.ratings.error.connect(self.banner.show_message)
        host.loading.connect(self._on_loading)
        host.busy_changed.connect(self.busy.setVisible)
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
        return self.settings_service.current

    @settings.setter
    def settings(self, settings: Settings) -> None:
        problem = self.settings_service.update(settings)
        if problem:
            self.banner.show_message(problem, "warning")

    def _ask_open_model(self) -> None:
        filename, _filter = QFileDialog.getOpenFileName(
            self, "Open a GGUF model", str(Path.home()), "GGUF models (*.gguf);;All files (*)"
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
        remote = [(c.url, m) for c in self.network.connections.servers for m in c.models]
        shown = (model.server, model.info.name) if model and model.server else current
        self.model_picker.set_models(found, shown, remote)
        self.compare_view.set_models(
            found if current is None or current in found else [current, *found], current, remote
        )
        self.composer.set_can_send(model is not None)

    def _on_loading(self, name: str) -> None:
        self.model_status.setText(f"Loading {name}…")
        self.composer.set_can_send(False)

    def _on_loaded(self, model: LoadedModel, purpose: Purpose) -> None:
        # Whoever loaded it, this is the model the chat now answers with: its figures and its
        # sampling settings apply. Only the user's own choice is the one to reload next time.
        info = model.info
        self.model_status.setText(
            f"{info.name}  ·  remote, on {model.server}"
            if model.server
            else f"{display_name(info.path)}  ·  {info.quantization}  ·  ctx {model.settings.n_ctx}"
        )
        self.memory_panel.show_model(model, backend_info())
        defaults = self.settings.for_model(info.path.name)
        self.session.params = defaults.sampling
        self.session.default_system_prompt = defaults.system_prompt
        self._show_thinking(model, defaults.thinking)
        self._refresh_models()
        if purpose != "chat":
            return
        self.banner.hide()
        if not model.server:  # a remote model's "path" is its id, not a file to reload
            self.settings = self.settings.with_changes(last_model=str(info.path))
        if self.current_conversation is None:
            self._new_conversation()
        self._update_page()
        self.composer.editor.setFocus()

    def _show_thinking(self, model: LoadedModel, thinking: str) -> None:
        """Offer the model's thinking switch, set as last chosen for this model."""
        choice = thinking if thinking in model.thinking_choices else ""
        self.session.thinking = choice
        self.composer.set_thinking_choices(model.thinking_choices, choice)

    def _set_thinking(self, choice: str) -> None:
        """Remember the thinking choice for the loaded model; the next answer uses it."""
        model = self.session.host.model
        if model is None:
            return
        self.session.thinking = choice
        name = model.info.path.name
        chosen = replace(self.settings.for_model(name), thinking=choice)
        self.settings = self.settings.with_model_defaults(name, chosen)

    def _on_load_failed(self, message: str, purpose: Purpose = "chat") -> None:
        if purpose == "chat":  # the compare view shows its own failures
            self.banner.show_message(message)
        model = self.session.host.model
        self._welcome = model is None
        self._update_page()
        self.model_status.setText(display_name(model.info.path) if model else "No model loaded")
        self._refresh_models()

    def open_settings(self) -> None:
        """The model's inference settings and the current chat's own, in one dialog."""
        model = self.session.host.model
        name = model.info.path.name if model else "all models"
        defaults = self.settings.for_model(name) if model else self.settings.defaults
        conversation = None
        if self.current_conversation is not None:
            chat = self.session.store.conversation(self.current_conversation)
            conversation = (chat.system_prompt, dict(chat.sampling))
        dialog = SettingsDialog(
            name,
            defaults,
            conversation,
            model.info if model else None,
            _backend_text(),
            self,
            notes=self.settings.notes,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        chosen = replace(dialog.model_defaults, thinking=defaults.thinking)  # not in the dialog
        # Saved from the dialog, the file holds only valid values: the notes are done.
        settings = self.settings.with_changes(notes=())
        if model:
            self.settings = settings.with_model_defaults(name, chosen)
        else:
            self.settings = settings.with_changes(defaults=chosen)
        self.session.params = chosen.sampling
        self.session.default_system_prompt = chosen.system_prompt
        if dialog.conversation is not None and self.current_conversation is not None:
            system, overrides = dialog.conversation
            try:
                self.session.store.set_system_prompt(self.current_conversation, system)
                self.session.store.set_conversation_sampling(self.current_conversation, overrides)
            except StoreError as exc:
                self.banner.show_message(f"This chat's settings were not saved. {exc}")
        if model and chosen.load != defaults.load:
            self.banner.show_message("Loading the model again with the new settings…", "info")
            self.load_model(model.info.path)

    # Conversations -------------------------------------------------------------------

    def _refresh_conversations(self, select_first: bool = False) -> None:
        conversations = self.session.conversations(self.conversation_list.search.text())
        if select_first and conversations and self.current_conversation is None:
            self._open_conversation(conversations[0].id)
        self.conversation_list.set_conversations(conversations, self.current_conversation)

    def _open_conversation(self, conversation_id: int) -> None:
        self.current_conversation = conversation_id
        self._show_thread(same_conversation=False)
        self._update_page()

    def _choose_conversation(self, conversation_id: int) -> None:
        self._welcome = False  # the user's own pick: show it, even with no model
        self._open_conversation(conversation_id)

    def _choose_new_conversation(self) -> None:
        self._welcome = False
        self._new_conversation()

    def _new_conversation(self) -> None:
        conversation = self.session.new_conversation()
        if conversation is None:  # the banner says why
            return
        self._open_conversation(conversation.id)
        self._refresh_conversations()
        self.composer.editor.setFocus()

    def _delete_conversation(self, conversation_id: int) -> None:
        self.session.delete(conversation_id)
        if conversation_id == self.current_conversation:
            self.current_conversation = None
            self.chat_view.show_messages([])
            self._refresh_conversations(select_first=True)
        self._update_page()

    def _show_thread(self, same_conversation: bool = True) -> None:
        conversation = self.current_conversation
        messages = self.session.thread(conversation) if conversation is not None else []
        self.chat_view.show_messages(
            messages, self.ratings.shown, same_conversation=same_conversation
        )
        pending = self.session.pending
        if pending is not None and pending.conversation_id == conversation:
            self.chat_view.begin_answer(self._model_label())
            if self.session.partial_reasoning:
                self.chat_view.append_reasoning(self.session.partial_reasoning)
            if self.session.partial_text:
                self.chat_view.append_answer(self.session.partial_text)
        unsaved = self.session.unsaved
        if unsaved is not None and unsaved.conversation_id == conversation:
            result = unsaved.result
            self.chat_view.show_unsaved(Path(result.model_file).stem, result.text)

    def _on_thread_changed(self, conversation_id: int) -> None:
        if conversation_id == self.current_conversation and not self.session.generating:
            self._show_thread()

    # Ratings -------------------------------------------------------------------------

    def _give_thumbs(self, answer_id: int, value: int) -> None:
        if self.ratings.toggle_thumbs(answer_id, value) is not None and value < 0:
            self._ask_feedback(answer_id, value)

    def _ask_feedback(self, answer_id: int, value: int) -> None:
        answer = self.session.store.message(answer_id)
        thumbs = self.ratings.ratings.thumbs(answer_id)
        dialog = FeedbackDialog(answer, value, thumbs, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            comment = dialog.comment.text().strip()
            self.ratings.give_feedback(
                answer_id, value, dialog.tags(), comment, dialog.better_answer()
            )

    def _ask_ranking(self, prompt_id: int) -> None:
        dialog = RankDialog(self.session.store.siblings(prompt_id), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.ratings.rank(dialog.order())

    def _update_page(self) -> None:
        welcome = self._welcome and self.session.host.model is None
        self.pages.setCurrentIndex(WELCOME_PAGE if welcome else CHAT_PAGE)

    # Answers -------------------------------------------------------------------------

    def _send(self, text: str) -> None:
        if self.current_conversation is None:
            conversation = self.session.new_conversation()
            if conversation is None:  # the banner says why; the text stays in the box
                return
            self.current_conversation = conversation.id
        if self.session.send(self.current_conversation, text) is not None:
            self.composer.sent()

    def _regenerate(self) -> None:
        if self.current_conversation is not None:
            self.session.regenerate(self.current_conversation)

    def _model_label(self) -> str:
        model = self.session.host.model
        return model.info.path.stem if model else "Assistant"

    def _on_answer_started(self, conversation_id: int, _prompt_id: int) -> None:
        if conversation_id == self.current_conversation:
            self._show_thread()

    def _on_answer_text(self, conversation_id: int, text: str) -> None:
        if conversation_id == self.current_conversation:
            self.chat_view.append_answer(text)

    def _on_answer_reasoning(self, conversation_id: int, text: str) -> None:
        if conversation_id == self.current_conversation:
            self.chat_view.append_reasoning(text)

    def _on_progress(self, tokens: int, tokens_per_second: float) -> None:
        line = f"{tokens} tokens  ·  {tokens_per_second:.1f} tokens/s"
        self.speed_status.setText(line)
        self.chat_view.set_live_status(f"writing…  {line}")

    def _on_answer_saved(self, message: Message) -> None:
        stats = message.stats
        self.speed_status.setText(
            f"{stats.get('tokens_per_second', 0):.1f} tokens/s  ·  "
            f"{stats.get('ttft_ms', 0):.0f} ms to first token"
        )

    def _on_generating_changed(self, generating: bool) -> None:
        self.composer.set_generating(generating)

    # Lifetime ------------------------------------------------------------------------

    def start(self) -> None:
        """Show the window, then reload the last model once the window is on screen."""
        self.show()
        self.monitor.start()
        last = Path(self.settings.last_model) if self.settings.last_model else None
        if last is not None:
            self._welcome = False  # the chat, while the last model loads again
            self._update_page()
            QTimer.singleShot(0, lambda: self._reload_last(last))

    def _reload_last(self, path: Path) -> None:
        if path.is_file():
            self.load_model(path)
        else:
            self.banner.show_message(
                f"The model you used last time is gone ({path}). Pick another one.", "warning"
            )
            self._welcome = True
            self._update_page()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Stops a streaming answer and joins the model thread; the partial answer is saved
        # through the usual answered signal, delivered before shutdown returns.
        self.network.shutdown()  # first: API requests in progress are cancelled
        self.session.host.shutdown()
        self.session.save_again()  # a last try for an answer the store refused
        self.monitor.stop()
        self.memory_panel.wait_for_all()
        self.loader.wait_for_all()
        self.dataset.wait_for_all()  # a running export or delete finishes, never half-done
        self.chat_transfer.service.wait_for_all()  # an import commits whole or not at all
        if self.dataset_view.share_service is not None:
            self.dataset_view.share_service.wait_for_all()  # a push ends (or fails) whole
        event.accept()
