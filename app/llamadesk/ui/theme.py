"""Light, dark, or the system's: the chosen theme applied to the whole application, live.

"system" follows the desktop's colour scheme through `QStyleHints.colorScheme()` and its
`colorSchemeChanged` signal, so switching the desktop to dark switches the app with it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu

from llamadesk.core.settings import Settings
from llamadesk.services.settings_service import SettingsService
from llamadesk.ui import palette
from llamadesk.ui.palette import DARK, LIGHT, THEMES, Palette
from llamadesk.ui.style import stylesheet
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate


def resolve(choice: str, scheme: Qt.ColorScheme) -> Palette:
    """The palette for a theme choice, given the system's colour scheme."""
    if choice == "dark" or (choice not in ("light", "dark") and scheme == Qt.ColorScheme.Dark):
        return DARK
    return LIGHT


class Theme(QObject):
    """Applies the chosen theme and re-applies it when the system's scheme changes.

    Signals:
        changed(): another palette is in use; widgets that paint themselves repaint.
    """

    changed = Signal()

    def __init__(self, app: QApplication, choice: str = "system") -> None:
        super().__init__(app)
        self._app = app
        self.choice = choice if choice in THEMES else "system"
        self._applied: Palette | None = None
        self._saved = self.choice  # the choice last seen in the settings
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)
        self.apply()

    def set_choice(self, choice: str) -> None:
        self.choice = choice if choice in THEMES else "system"
        self.apply()

    def follow(self, settings: SettingsService) -> None:
        """Take the theme chosen in `settings`, now and whenever it changes there (the View
        menu, the settings dialog): the settings are the one place the choice is kept."""
        self._saved = settings.current.theme
        self.set_choice(self._saved)
        settings.changed.connect(self._on_settings_changed)

    def _on_settings_changed(self, settings: Settings) -> None:
        # Only a new choice: other settings saved (the last model) leave a theme set for
        # this run alone (`self-test --theme`).
        if settings.theme != self._saved:
            self._saved = settings.theme
            self.set_choice(settings.theme)

    def apply(self, scheme: Qt.ColorScheme | None = None) -> None:
        """Apply the palette for the choice and `scheme` (default: the system's now)."""
        if scheme is None:
            scheme = QGuiApplication.styleHints().colorScheme()
        chosen = resolve(self.choice, scheme)
        if chosen == self._applied:
            return
        palette.set_current(chosen)
        self._app.setPalette(qt_palette(chosen))
        self._app.setStyleSheet(stylesheet(chosen))
        self._applied = chosen
        self.changed.emit()

    def _on_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.choice == "system":
            self.apply(scheme)


def qt_palette(p: Palette) -> QPalette:
    """Qt's own palette in our colours, for the widgets the stylesheet does not name
    (dialogs, spin boxes, tables, menus)."""
    qp = QPalette()
    role = QPalette.ColorRole
    for roles, colour in (
        ((role.Window, role.Button, role.AlternateBase), p.surface),
        ((role.Base, role.ToolTipBase), p.window),
        ((role.WindowText, role.Text, role.ButtonText, role.ToolTipText), p.text),
        ((role.PlaceholderText,), p.text_subtle),
        ((role.Highlight,), p.accent),
        ((role.HighlightedText,), p.on_accent),
        ((role.Link,), p.link_text),
        ((role.Mid, role.Midlight), p.border),
        ((role.Dark, role.Shadow), p.border_strong),
        ((role.Light,), p.hover),
    ):
        for each in roles:
            qp.setColor(each, QColor(colour))
    for each in (role.WindowText, role.Text, role.ButtonText):
        qp.setColor(QPalette.ColorGroup.Disabled, each, QColor(p.text_subtle))
    return qp


def theme_of(app: QApplication) -> Theme:
    """The application's theme (made by `ui.app.application`)."""
    theme = app.findChild(Theme)
    if theme is None:
        theme = Theme(app)
    return theme


def add_theme_menu(
    window: QMainWindow, settings: SettingsService, report: Callable[[str], object]
) -> QMenu:
    """View → Theme: system, light or dark, kept in the settings (the theme follows them,
    see `Theme.follow`) and checked as they say, whoever changed them; `report` shows why
    the choice could not be saved."""
    bar = window.menuBar()
    view = QMenu(translate("Theme", "&View"), bar)
    help_menu = bar.findChild(QMenu, "helpMenu")
    if help_menu is not None:  # Help stays the last menu, as on every desktop
        bar.insertMenu(help_menu.menuAction(), view)
    else:
        bar.addMenu(view)
    menu = view.addMenu(translate("Theme", "&Theme"))
    group = _ThemeChoices(menu)
    for choice, label in THEME_LABELS.items():
        action = menu.addAction(translate("Theme", label))
        action.setCheckable(True)
        action.setData(choice)
        group.addAction(action)
    group.show_choice(settings.current)
    settings.changed.connect(group.show_choice)
    group.triggered.connect(lambda action: save_theme(settings, action.data(), report))
    return menu


class _ThemeChoices(QActionGroup):
    def show_choice(self, settings: Settings) -> None:
        for action in self.actions():
            action.setChecked(action.data() == settings.theme)


THEME_LABELS = {
    "system": QT_TRANSLATE_NOOP("Theme", "As the system"),
    "light": QT_TRANSLATE_NOOP("Theme", "Light"),
    "dark": QT_TRANSLATE_NOOP("Theme", "Dark"),
}


def save_theme(settings: SettingsService, choice: str, report: Callable[[str], object]) -> None:
    """Keep `choice` in the settings: the theme follows them at once."""
    problem = settings.update(settings.current.with_changes(theme=choice))
    if problem:
        report(problem)
