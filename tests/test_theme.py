"""Themes: contrast of every text on its background, one palette for every colour, the
choice applied live and kept in the settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pygments.styles import get_style_by_name
from pygments.token import Keyword, _TokenType
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMenu

from llamadesk.core.settings import Settings, load_settings, save_settings
from llamadesk.ui import palette
from llamadesk.ui.code_blocks import CodeBlock
from llamadesk.ui.palette import DARK, LIGHT, contrast_ratio, text_pairs
from llamadesk.ui.settings_dialog import SettingsDialog
from llamadesk.ui.style import stylesheet
from llamadesk.ui.theme import THEME_LABELS, theme_of

UI = Path(__file__).parents[1] / "app" / "llamadesk" / "ui"
AA_BODY_TEXT = 4.5


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # WebAIM's checker: #767676 on white is 4.54, the lightest grey that passes AA.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_every_text_meets_wcag_aa_on_its_background(theme: palette.Palette) -> None:
    failing = [
        f"{what}: {fg} on {bg} is {contrast_ratio(fg, bg):.2f}"
        for what, fg, bg in text_pairs(theme)
        if contrast_ratio(fg, bg) < AA_BODY_TEXT
    ]
    assert not failing


def test_no_colour_outside_the_palette() -> None:
    """Widgets take colours from the palette, so a theme changes them all."""
    literal = re.compile(r"#[0-9a-fA-F]{6}\b|QColor\(\"")
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in UI.glob("*.py")
        if path.name != "palette.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if literal.search(line)
    ]
    assert not found


def test_stylesheet_styles_scroll_bars_whole_in_both_themes() -> None:
    for theme in (LIGHT, DARK):
        sheet = stylesheet(theme)
        for part in ("QScrollBar:vertical", "::handle:vertical", "::add-page", "::add-line"):
            assert part in sheet
        assert theme.scroll_handle in sheet


@pytest.fixture
def restore_light(qapp: QApplication):
    yield
    theme_of(qapp).set_choice("light")


def test_dark_choice_repaints_the_application(qapp: QApplication, restore_light) -> None:
    theme = theme_of(qapp)
    theme.set_choice("dark")
    assert palette.current() is DARK
    assert DARK.window in qapp.styleSheet()
    assert qapp.palette().window().color().name() == DARK.surface
    theme.set_choice("light")
    assert LIGHT.window in qapp.styleSheet()


def test_system_choice_follows_the_system_live(qapp: QApplication, restore_light) -> None:
    theme = theme_of(qapp)
    theme.set_choice("light")
    hints = QGuiApplication.styleHints()
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert palette.current() is LIGHT, "an explicit choice ignores the system"
    theme.set_choice("system")
    with_signal = []
    theme.changed.connect(lambda: with_signal.append(True))
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert palette.current() is DARK
    assert with_signal
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert palette.current() is LIGHT


def theme_menu(window: QMainWindow) -> QMenu:
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    return view.actions()[0].menu()


def checked_in_menu(window: QMainWindow) -> str:
    return next(a.data() for a in theme_menu(window).actions() if a.isChecked())


def test_theme_menu_applies_and_saves_the_choice(parts, restore_light) -> None:
    window = parts.window
    dark = next(a for a in theme_menu(window).actions() if a.text() == THEME_LABELS["dark"])
    dark.trigger()
    assert palette.current() is DARK
    assert load_settings(parts.paths.settings_file).theme == "dark"


def run_dialog(monkeypatch, choose: str, save: bool) -> list[palette.Palette]:
    """Make the settings dialog pick `choose` and then be saved or cancelled; returns the
    palette in use while it was open, after the choice."""
    seen: list[palette.Palette] = []

    def run(dialog: SettingsDialog) -> int:
        dialog.theme_choice.choose(choose)
        seen.append(palette.current())
        # A dialog's exec() runs the event loop: the messages drawn again in the theme just
        # shown finish replacing their old blocks before the dialog closes.
        loop = QEventLoop()
        QTimer.singleShot(0, loop.quit)
        loop.exec()
        if save:
            dialog.accept()
        else:
            dialog.reject()
        return dialog.result()

    monkeypatch.setattr(SettingsDialog, "exec", run)
    return seen


def test_settings_dialog_shows_the_theme_at_once_and_keeps_it_when_saved(
    parts, monkeypatch, restore_light
) -> None:
    window, path = parts.window, parts.paths.settings_file
    theme_of(QApplication.instance()).set_choice("light")
    seen = run_dialog(monkeypatch, "dark", save=True)
    window.open_settings()
    assert seen == [DARK], "the choice shows while the dialog is open"
    assert palette.current() is DARK
    assert load_settings(path).theme == "dark"
    assert checked_in_menu(window) == "dark", "the View menu says what the dialog chose"

    seen = run_dialog(monkeypatch, "light", save=False)
    window.open_settings()
    assert seen == [LIGHT]
    assert palette.current() is DARK, "cancelled: the saved theme comes back"
    assert load_settings(path).theme == "dark"
    assert checked_in_menu(window) == "dark"


def test_settings_dialog_opens_on_the_theme_the_menu_chose(parts, restore_light) -> None:
    window = parts.window
    light = next(a for a in theme_menu(window).actions() if a.data() == "light")
    light.trigger()
    opened: list[str] = []

    def look(dialog: SettingsDialog) -> int:
        opened.append(dialog.theme_choice.choice())
        return QDialog.DialogCode.Rejected.value

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SettingsDialog, "exec", look)
        window.open_settings()
    assert opened == ["light"]


def test_a_bad_theme_in_the_file_falls_back_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(path, Settings(theme="purple"))
    settings = load_settings(path)
    assert settings.theme == "system"
    assert any("Theme" in note for note in settings.notes)


def test_messages_on_view_take_the_new_theme(qtbot, parts, restore_light) -> None:
    store, window = parts.store, parts.window
    conversation = store.create_conversation("Code")
    prompt = store.add_user_message(conversation.id, "Show me code")
    code = "```python\nimport json\n```\n\nThat is all."
    store.add_answer(
        conversation.id, prompt.id, code, model="m.gguf", params={}, seed=None, stats={},
        stop_reason="eos",
    )  # fmt: skip
    window.conversation_list.selected.emit(conversation.id)

    def import_colour() -> str:
        bubble = window.chat_view.bubbles[-1]
        # The blocks of the text drawn before go at the next turn of the event loop.
        qtbot.waitUntil(lambda: len(bubble.findChildren(CodeBlock)) == 1)
        block = bubble.findChild(CodeBlock)
        cursor = QTextCursor(block.text.document())
        cursor.setPosition(1)  # in "import"
        return cursor.charFormat().foreground().color().name()

    assert import_colour() == token_colour(LIGHT, Keyword.Namespace)
    theme_of(QApplication.instance()).set_choice("dark")
    assert import_colour() == token_colour(DARK, Keyword.Namespace)
    assert token_colour(DARK, Keyword.Namespace) != token_colour(LIGHT, Keyword.Namespace)


def token_colour(theme: palette.Palette, token: _TokenType) -> str:
    return "#" + get_style_by_name(theme.pygments_style).style_for_token(token)["color"]


def test_charts_take_the_new_theme(parts, restore_light) -> None:
    """pyqtgraph paints with its own pens: the memory chart and the arena's curve are
    restyled from the palette when the theme changes."""
    window = parts.window
    memory, curve = window.memory_panel.chart, window.arena_view.curve
    theme_of(QApplication.instance()).set_choice("dark")
    for view in (memory, curve.chart):
        assert view.backgroundBrush().color().name() == DARK.window
    for plot in (memory.getPlotItem(), curve.preference_plot, curve.kl_plot):
        assert plot.getAxis("left").textPen().color().name() == DARK.text_muted
    assert memory._lines["process"].opts["pen"].color().name() == DARK.chart_process
    assert DARK.chart_process in memory.legend.text()
    theme_of(QApplication.instance()).set_choice("light")
    assert memory.backgroundBrush().color().name() == LIGHT.window
