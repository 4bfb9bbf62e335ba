"""Translations: Qt's machinery end to end, with German as the second language."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu

from llamadesk.core.settings import load_settings
from llamadesk.ui.translations import FOLDER, install_language, language_in_use

GERMAN = FOLDER / "llamadesk_de.ts"
UI = Path(__file__).parents[1] / "app" / "llamadesk" / "ui"


def sources(ts: Path) -> dict[str, str | None]:
    """Each source text of a .ts file and its translation (None if unfinished)."""
    found: dict[str, str | None] = {}
    for message in ET.parse(ts).iter("message"):
        translation = message.find("translation")
        done = translation is not None and translation.get("type") is None and translation.text
        found[message.findtext("source") or ""] = translation.text if done else None
    return found


@pytest.fixture
def english(qapp):
    yield
    install_language(qapp, "en")


def visible_strings(window) -> set[str]:
    return {
        *(action.text() for action in window.toolbar.actions()),
        *(action.text() for action in window.menuBar().actions()),
        window.composer.button.text(),
        window.conversation_list.new_button.text(),
        window.welcome.start_button.text(),
        window.model_status.text(),
    }


def test_german_is_complete_and_compiled() -> None:
    texts = sources(GERMAN)
    assert len(texts) > 40
    assert [source for source, translation in texts.items() if not translation] == []
    assert GERMAN.with_suffix(".qm").stat().st_mtime >= GERMAN.stat().st_mtime - 1


def test_every_translatable_string_is_in_the_german_file(tmp_path: Path) -> None:
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    if not lupdate.exists() and shutil.which("pyside6-lupdate") is None:
        pytest.skip("PySide6's lupdate is not installed")
    fresh = tmp_path / "fresh.ts"
    core = [p for p in (UI.parent / "core").glob("*.py") if "QT_TRANSLATE_NOOP(" in p.read_text()]
    files = [str(path) for path in [*sorted(UI.glob("*.py")), *sorted(core)]]
    subprocess.run(
        [str(lupdate), *files, "-ts", str(fresh)], check=True, capture_output=True, timeout=120
    )
    assert set(sources(fresh)) == set(sources(GERMAN))


def test_switching_language_changes_the_main_windows_strings(qapp, make_parts, english) -> None:
    install_language(qapp, "en")
    english_strings = visible_strings(make_parts().window)
    assert {"Chat", "Compare", "Send", "+  New chat"} <= english_strings

    assert install_language(qapp, "de")
    assert language_in_use() == "de"
    german = make_parts().window
    german_strings = visible_strings(german)
    expected = {"Vergleich", "Senden", "+  Neuer Chat", "&Ansicht", "Kein Modell geladen"}
    assert expected <= german_strings
    left = english_strings & german_strings - {"Chat", "Arena", ""}  # the same in German
    assert not left, f"left in English: {left}"
    assert (
        german.welcome.findChild(type(german.model_status), "welcomeTitle")
        .text()
        .startswith("Chatten Sie")
    )


def test_an_unknown_language_falls_back_to_english(qapp, english) -> None:
    assert not install_language(qapp, "xx")
    assert language_in_use() == "en"


def language_menu(window, title: str = "&Language") -> QMenu:
    menus = [menu for menu in window.menuBar().findChildren(QMenu) if menu.title() == title]
    assert len(menus) == 1
    return menus[0]


def test_the_language_chosen_is_saved_and_used_from_the_next_start(
    qapp, make_parts, home, english
) -> None:
    install_language(qapp, "en")
    window = make_parts().window
    menu = language_menu(window)
    assert [a.text() for a in menu.actions() if a.isCheckable()] == [
        "As the system",
        "English",
        "Deutsch",
    ]
    note = [a for a in menu.actions() if not a.isCheckable() and a.text()]
    assert [(a.text(), a.isEnabled()) for a in note] == [
        ("Takes effect when LlamaDesk restarts", False)
    ]
    deutsch = next(a for a in menu.actions() if a.text() == "Deutsch")
    deutsch.trigger()
    assert load_settings(home.settings_file).language == "de"
    assert window.banner.label.text() == "The language changes when LlamaDesk restarts."
    assert window.composer.button.text() == "Send", "not retranslated live"

    from llamadesk.ui.app import build

    restarted = build(home, saved_language=True)
    try:
        assert language_in_use() == "de"
        assert restarted.window.composer.button.text() == "Senden"
        checked = [
            a.text() for a in language_menu(restarted.window, "&Sprache").actions() if a.isChecked()
        ]
        assert checked == ["Deutsch"]
    finally:
        restarted.close()


def test_an_unknown_saved_language_falls_back_to_the_systems(tmp_path: Path) -> None:
    settings_file = tmp_path / "settings.json"
    settings_file.write_text('{"language": "xx"}', encoding="utf-8")
    settings = load_settings(settings_file)
    assert settings.language == "system"
    assert len(settings.notes) == 1
