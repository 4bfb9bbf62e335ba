"""Starting the GUI: the application object, the app's parts, and the main window."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget

from llamadesk.core.data_folder import DataFolderError, prepare_folders
from llamadesk.core.logs import log_folder
from llamadesk.core.paths import AppPaths, app_paths
from llamadesk.core.starter import STARTER_REPO
from llamadesk.core.store import StoreError
from llamadesk.services.app_services import Services, make_services
from llamadesk.services.single_instance import SingleInstance, instance_key
from llamadesk.ui.accessibility import install_accessibility
from llamadesk.ui.error_report import ErrorReporter, log_qt_messages
from llamadesk.ui.language_menu import add_language_menu, install_chosen_language
from llamadesk.ui.main_window import MainWindow
from llamadesk.ui.theme import Theme, add_theme_menu, theme_of
from llamadesk.ui.translations import install_language, translate
from llamadesk.ui.widgets import LazyPage
from llamadesk.ui.window_layout import WINDOW_FILE, keep_pages_readable, remember_window

# How long a write on the GUI thread waits for another program's lock on the chat history:
# about a frame. Past that the user is told the database is busy, and keeps what they wrote.
GUI_BUSY_TIMEOUT = 0.02

if TYPE_CHECKING:
    from llamadesk.core.rescue import Rescue
    from llamadesk.core.store import Store
    from llamadesk.services.chat_session import ChatSession
    from llamadesk.services.compare import CompareSession
    from llamadesk.services.downloads import DownloadManager
    from llamadesk.services.model_host import ModelHost
    from llamadesk.services.ratings import RatingsService
    from llamadesk.ui.models_view import ModelsView


def application() -> QApplication:
    """The one QApplication, created on first use with the app's name and look."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setApplicationName("LlamaDesk")
    app.setOrganizationName("LlamaDesk")
    app.setDesktopFileName("llamadesk")
    app.setWindowIcon(_app_icon())
    Theme(app)  # as the system is set, until the settings say otherwise
    install_language(app)  # the system's
    return app


def _app_icon() -> QIcon:
    """The app's icon in every size the package holds (resources/icons, also in the bundle)."""
    icon = QIcon()
    for png in (resources.files("llamadesk") / "resources" / "icons").iterdir():
        icon.addFile(str(png))
    return icon


@dataclass
class AppParts:
    """The services and the window over them; `close()` releases it all in the right order.

    The Models page is made the first time it is wanted: it brings in the Hugging Face
    client, which costs half a second at start for a page many sessions never open.
    """

    services: Services
    window: MainWindow
    models_page: int = -1
    _models: ModelsView | None = None

    # The services by the names the tests and the self-test know them.
    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def host(self) -> ModelHost:
        return self.services.host

    @property
    def session(self) -> ChatSession:
        return self.services.session

    @property
    def ratings(self) -> RatingsService:
        return self.services.ratings

    @property
    def compare(self) -> CompareSession:
        return self.services.compare

    @property
    def paths(self) -> AppPaths:
        return self.services.paths

    @property
    def rescued(self) -> Rescue | None:
        return self.services.rescued

    @property
    def downloads(self) -> DownloadManager:
        return self.services.downloads

    @property
    def models(self) -> ModelsView:
        if self._models is None:
            from llamadesk.core.catalog import load_catalog
            from llamadesk.ui.models_view import ModelsView

            paths = self.services.paths
            view = ModelsView(load_catalog(), self.services.downloads, paths.models, paths.cache)
            view.database = paths.database
            view.remote_references = self.services.connections.references
            view.chat_requested.connect(lambda path: _chat_with(self.window, path))
            view.duel_requested.connect(self.window.duel_tuned)
            view.models_changed.connect(self.window._refresh_models)
            # The user's own duels may replace the catalog's recommendation for a model.
            arena = self.window.arena_view
            arena.reader.read.connect(
                lambda state: view.set_duel_recommendations(state.recommendations)
            )
            if arena.state is not None:
                view.set_duel_recommendations(arena.state.recommendations)
            self._models = view
        return self._models

    def show_catalog(self) -> None:
        """The Models page, with the catalog's model for this computer picked."""
        self.window.show_mode(self.models_page)
        self.models.show_recommended()

    def show_starter_download(self) -> None:
        """The Models page, listing the starter model's repository for download."""
        self.window.show_mode(self.models_page)
        self.models.open_repo(STARTER_REPO)

    def close(self) -> None:
        """The one shutdown: the window, the pages' own jobs, then every service's threads
        and the store."""
        self.window.close()
        if self._models is not None:
            self._models.shutdown()  # cancels a quantization or measurement and joins it
        self.services.close()


def build(paths: AppPaths, *, saved_language: bool = False) -> AppParts:
    """Make each service once over `paths` and assemble a main window on them (not yet shown).

    A damaged store is kept aside and what can be read of it recovered; the window says so.
    `saved_language`: use the language chosen in the settings (else the one installed now).
    """
    application()
    services = make_services(paths, GUI_BUSY_TIMEOUT)
    if saved_language:
        install_chosen_language(application(), services.settings.current.language)
    window = MainWindow(services)
    parts = AppParts(services, window)
    parts.models_page = window.add_mode(
        translate("MainWindow", "Models"), LazyPage(lambda: parts.models)
    )
    theme = theme_of(application())
    theme.follow(services.settings)
    theme.changed.connect(lambda: _render_messages_again(window))
    theme_menu = add_theme_menu(window, services.settings, window.banner.show_message)
    view = theme_menu.parentWidget()
    if isinstance(view, QMenu):
        add_language_menu(view, services.settings, window.banner.show_message)
    keep_pages_readable(window)
    install_accessibility(window)
    remember_window(window, paths.settings_file.with_name(WINDOW_FILE))
    if services.rescued is not None:
        window.banner.show_message(services.rescued.message(), "warning")
    window.welcome.catalog_requested.connect(parts.show_catalog)
    window.welcome.starter_download_requested.connect(parts.show_starter_download)
    return parts


def _render_messages_again(window: MainWindow) -> None:
    """Messages are rendered in the theme's colours (code above all): render them anew."""
    bubbles = [*window.chat_view.bubbles, *window.compare_view.panes.values()]
    if window.chat_view.streaming_bubble is not None:
        bubbles.append(window.chat_view.streaming_bubble)
    for bubble in bubbles:
        bubble.set_text(bubble.text)


def _chat_with(window: MainWindow, path: Path) -> None:
    """Load ``path`` and go to the chat, where the answer to "loaded" shows."""
    window.load_model(path)
    window.show_mode(0)


def run_gui() -> int:
    """Start the app and run until its window closes; returns the exit code."""
    app = application()
    paths = app_paths()
    instance = SingleInstance(instance_key(paths.data))
    if not instance.claim():
        # The first one owns the database; this start only brought its window forward.
        print("LlamaDesk is already running; its window was brought to the front.", file=sys.stderr)
        return 0
    try:
        parts = build(prepare_folders(paths), saved_language=True)
    except (DataFolderError, StoreError, OSError) as exc:
        logging.getLogger("llamadesk").error("Cannot start: %s", exc)
        QMessageBox.critical(None, translate("App", "LlamaDesk cannot start"), str(exc))
        return 1
    instance.raise_requested.connect(lambda: _bring_forward(parts.window))
    hooks = ErrorReporter(parts.window.banner, log_folder(paths), parts.window).install()
    log_qt_messages()
    parts.window.start()
    if parts.rescued is not None:  # the banner may give way to the model's; this stays
        QMessageBox.warning(
            parts.window, translate("App", "Chat history recovered"), parts.rescued.message()
        )
    code = app.exec()
    instance.release()
    parts.close()
    hooks.uninstall()
    return code


def _bring_forward(window: QWidget) -> None:
    """Show the window on top, restored if minimized (maximized stays maximized)."""
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()
