"""Looks a user notices: labels drawn whole, dialogs not taller than what they show, long
names not cut."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QPushButton,
    QStyle,
    QStyleOptionComboBox,
    QTabBar,
)

from llamadesk.core.arena import ArenaLevel, ServedBy
from llamadesk.core.settings import ModelDefaults
from llamadesk.ui.settings_dialog import SettingsDialog
from llamadesk.ui.theme import theme_of

MODEL = "SmolLM2-135M-Instruct"


@pytest.fixture(params=["light", "dark"])
def themed(qapp: QApplication, request: pytest.FixtureRequest):
    theme_of(qapp).set_choice(request.param)
    yield request.param
    theme_of(qapp).set_choice("light")


def _ink(image: QImage, left: int, top: int, right: int, bottom: int) -> int:
    """How many pixels in the box differ clearly from the box's top-left corner's colour."""
    ground = QColor(image.pixel(left, top))
    count = 0
    for y in range(top, bottom):
        for x in range(left, right):
            pixel = QColor(image.pixel(x, y))
            if abs(pixel.lightness() - ground.lightness()) > 60:
                count += 1
    return count


def _text_room(combo: QComboBox) -> int:
    """The width a combo box's text is drawn in: inside its frame, left of its arrow."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    return field.width()


def test_an_unselected_tab_shows_what_hangs_below_the_baseline(qtbot, themed) -> None:
    """An underscore is the lowest stroke a label has ("Q4_1" in the Settings dialog's tab):
    the tab draws it, selected or not."""
    bar = QTabBar()
    qtbot.addWidget(bar)
    bar.addTab("x")
    bar.addTab("______")
    bar.setCurrentIndex(0)
    bar.show()
    qtbot.waitExposed(bar)
    image = bar.grab().toImage()
    rect = bar.tabRect(1).adjusted(4, 4, -4, -2)  # inside the border and its rounding
    assert _ink(image, rect.left(), rect.top(), rect.right(), rect.bottom()) > 10


def test_settings_dialog_fits_the_tab_it_shows(qtbot, themed) -> None:
    dialog = SettingsDialog("SmolLM2-135M-Instruct.Q4_1.gguf", ModelDefaults(), ("", {}), None, "")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    model_height = dialog.height()
    width = dialog.width()
    dialog.tabs.setCurrentIndex(dialog.tabs.count() - 1)  # Appearance: a few radio buttons
    qtbot.waitUntil(lambda: dialog.height() < model_height * 0.6)
    assert dialog.width() == width, "tabs do not jump sideways"
    dialog.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: dialog.height() == model_height)


def test_settings_dialog_opened_on_appearance_is_short(qtbot) -> None:
    dialog = SettingsDialog("m.gguf", ModelDefaults(), None, None, "")
    qtbot.addWidget(dialog)
    tall = dialog.height()
    dialog.tabs.setCurrentIndex(dialog.tabs.count() - 1)  # before it shows, as a tool does
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.height() < tall * 0.6


def test_a_remote_levels_long_name_is_not_cut_in_the_duel(qtbot, parts) -> None:
    window = parts.window
    window.resize(1200, 760)
    window.show_mode(window.arena_page)
    duel = window.arena_view.duel
    served = ServedBy("http://127.0.0.1:60281/v1", "/srv/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    levels = [
        ArenaLevel(Path("/m/SmolLM2-135M-Instruct-Q2_K.gguf"), MODEL, "Q2_K", 60, 3.2, "Q4_1"),
        ArenaLevel(Path("remote"), MODEL, "Q4_1", 98, 5.0, served_by=served),
    ]
    duel.set_levels(levels, ["A prompt from a chat"], 0)

    def cut() -> list[str]:
        return [
            combo.itemText(i)
            for combo in (duel.first, duel.second)
            for i in range(combo.count())
            if combo.fontMetrics().horizontalAdvance(combo.itemText(i)) > _text_room(combo)
        ]

    qtbot.waitUntil(lambda: duel.first.isVisible() and not cut(), timeout=5000)


def test_the_layer_count_is_asked_only_when_a_count_is_the_choice(qtbot) -> None:
    dialog = SettingsDialog("m.gguf", ModelDefaults(), None, None, "")
    qtbot.addWidget(dialog)
    dialog.show()
    form = dialog.load_form
    assert form.gpu.currentData() == 0, "the default: no layers on a GPU"
    assert not form.gpu_count.isVisible()
    form.gpu.setCurrentIndex(form.gpu.findData("count"))
    assert form.gpu_count.isVisible()
    form.gpu_count.setValue(12)
    assert form.values().n_gpu_layers == 12


def test_compare_lets_the_window_be_narrower_than_a_laptop_screen_with_a_dock(parts) -> None:
    """1366 px wide, less a dock's 400: the page must fit in under 1000 px."""
    view = parts.window.compare_view
    assert view.minimumSizeHint().width() < 1000
    long_name = "Qwen3-Coder-30B-A3B-Instruct-UD-Q4_K_XL.gguf"
    view.forms["A"].model.addItem(long_name)
    assert view.minimumSizeHint().width() < 1000, "a long name does not widen the page"


def _brightest(image: QImage) -> int:
    return max(
        QColor(image.pixel(x, y)).lightness()
        for y in range(image.height())
        for x in range(image.width())
    )


def test_a_disabled_main_button_does_not_look_clickable_in_dark(qtbot, qapp) -> None:
    """In dark, white text on the dimmed accent read as a live button ("Download" with
    nothing picked): its text is dimmed too."""
    theme_of(qapp).set_choice("dark")
    buttons = []
    for enabled in (True, False):
        button = QPushButton("Download")
        button.setObjectName("primaryButton")
        button.setEnabled(enabled)
        qtbot.addWidget(button)
        button.show()
        qtbot.waitExposed(button)
        buttons.append(button.grab().toImage())
    theme_of(qapp).set_choice("light")
    live, dead = buttons
    assert _brightest(dead) < _brightest(live) - 60


def test_help_is_the_last_menu(parts) -> None:
    titles = [action.text() for action in parts.window.menuBar().actions()]
    assert titles[-1] == "&Help", titles
    assert "&View" in titles
