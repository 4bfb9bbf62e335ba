"""View → Language: as the system, or one of the languages LlamaDesk has, kept in the
settings and used from the next start (the window's strings are set once, when it is built;
they are not translated again live)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QApplication, QMenu

from llamadesk.core.options import LANGUAGE
from llamadesk.services.settings_service import SettingsService
from llamadesk.ui.translations import install_language, translate

# Each language by its own name, as people look for it in a menu: never translated.
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}


def install_chosen_language(app: QApplication, choice: str) -> None:
    """Use the language of a settings `choice` ("system" or a code) from now on."""
    install_language(app, None if choice == "system" else choice)


def add_language_menu(
    view: QMenu, settings: SettingsService, report: Callable[[str, str], object]
) -> QMenu:
    """The Language submenu of `view`; `report(text, kind)` says what a choice does."""
    menu = view.addMenu(translate("LanguageMenu", "&Language"))
    group = QActionGroup(menu)
    for choice in LANGUAGE.choices:
        label = (
            translate("LanguageMenu", "As the system")
            if choice == "system"
            else LANGUAGE_NAMES[choice]
        )
        action = menu.addAction(label)
        action.setCheckable(True)
        action.setChecked(choice == settings.current.language)
        action.setData(choice)
        group.addAction(action)
    menu.addSeparator()
    menu.addAction(translate("LanguageMenu", "Takes effect when LlamaDesk restarts")).setEnabled(
        False
    )
    group.triggered.connect(lambda action: _choose(settings, action.data(), report))
    return menu


def _choose(settings: SettingsService, choice: str, report: Callable[[str, str], object]) -> None:
    problem = settings.update(settings.current.with_changes(language=choice))
    if problem:
        report(problem, "error")
    else:
        report(translate("LanguageMenu", "The language changes when LlamaDesk restarts."), "info")
