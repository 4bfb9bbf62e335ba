"""The first screen: three ways to a model, each one click away, and a real first answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from hub_server import FakeHub
from llamadesk.core.catalog import SUGGESTED_MAX_WEIGHTS, load_catalog, recommend_entry
from llamadesk.core.engine import SamplingParams
from llamadesk.core.memory import SystemMemory
from llamadesk.core.quants import estimated_file_size, quant_level
from llamadesk.core.settings import load_settings, save_settings
from llamadesk.core.starter import STARTER_REPO
from llamadesk.ui import main_window
from llamadesk.ui.app import AppParts
from llamadesk.ui.chat_page import CHAT_PAGE, WELCOME_PAGE
from llamadesk.ui.models_view import DEFAULT_CONTEXT, RECOMMENDED

GB = 10**9


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_first_start_offers_three_choices(parts: AppParts):
    welcome = parts.window.welcome
    assert parts.window.pages.currentIndex() == WELCOME_PAGE
    buttons = (welcome.start_button, welcome.catalog_button, welcome.open_button)
    assert [button.text() for button in buttons] == [
        "Start chatting now",
        "Pick a model for this computer",
        "Open a GGUF file…",
    ]
    assert all(button.isVisible() and button.isEnabled() for button in buttons)


def test_start_chatting_now_loads_the_starter_model_and_it_answers(
    qtbot, parts: AppParts, real_model: Path
):
    window = parts.window
    with qtbot.waitSignal(parts.host.loaded, timeout=60_000) as loaded:
        click(qtbot, window.welcome.start_button)
    assert loaded.args[0].info.path == real_model
    assert window.pages.currentIndex() == CHAT_PAGE
    editor = window.composer.editor
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor)

    parts.session.params = SamplingParams(temperature=0.0, max_tokens=24, seed=0)
    updates: list[str] = []
    parts.session.answer_text.connect(lambda _cid, text: updates.append(text))
    with qtbot.waitSignal(parts.session.answer_saved, timeout=60_000) as saved:
        qtbot.keyClicks(editor, "What is 2+2?")
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    answer = saved.args[0].content
    # Greedy decoding says: "The answer to this classic math problem is 4."
    assert "4" in answer
    assert len(updates) > 1, "the answer streams"
    assert window.chat_view.bubbles[-1].text == answer


def test_pick_a_model_shows_the_catalog_with_this_computers_model_marked(
    qtbot, parts: AppParts, tmp_path: Path
):
    with FakeHub() as hub:  # knows no repository: the listing fails at once, offline
        parts.downloads.endpoint = hub.url
        view = parts.models
        view.hf_cache_dir = tmp_path / "no-hf-cache"
        view.system_memory = lambda: SystemMemory(total_ram=16 * GB, available_ram=8 * GB)
        view.catalog.search.setText("no such model")  # the filters are cleared to show it

        click(qtbot, parts.window.welcome.catalog_button)

        expected = recommend_entry(load_catalog().entries, view.system_memory(), DEFAULT_CONTEXT)
        assert expected is not None
        assert parts.window.modes.currentIndex() == parts.models_page
        current = view.catalog.list.currentItem()
        assert current.data(Qt.ItemDataRole.UserRole) == expected
        marked = [
            view.catalog.list.item(row).text()
            for row in range(view.catalog.list.count())
            if RECOMMENDED in view.catalog.list.item(row).text()
        ]
        assert marked == [current.text()]
        assert view.title.text() == expected.name
        qtbot.waitUntil(lambda: "Listing" not in view.status.text(), timeout=10_000)


def test_open_a_gguf_file_loads_the_file_picked(
    qtbot, parts: AppParts, tiny_model: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(tiny_model), ""))
    with qtbot.waitSignal(parts.host.loaded, timeout=60_000) as loaded:
        click(qtbot, parts.window.welcome.open_button)
    assert loaded.args[0].info.path == tiny_model
    assert parts.window.pages.currentIndex() == CHAT_PAGE


def test_without_the_starter_model_it_is_offered_from_the_hub(
    qtbot, make_parts, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setattr(main_window, "starter_model_path", lambda: None)
    parts = make_parts()
    button = parts.window.welcome.start_button
    assert button.text() == "Get the starter model (98 MB)"
    with FakeHub() as hub:
        parts.downloads.endpoint = hub.url
        parts.models.hf_cache_dir = tmp_path / "no-hf-cache"
        click(qtbot, button)
        assert parts.window.modes.currentIndex() == parts.models_page
        assert parts.models.title.text() == STARTER_REPO
        qtbot.waitUntil(lambda: "Listing" not in parts.models.status.text(), timeout=10_000)
    assert parts.host.model is None


def test_the_welcome_page_gives_way_to_a_conversation_the_user_opens(qtbot, parts: AppParts):
    window = parts.window
    click(qtbot, window.conversation_list.new_button)
    assert window.pages.currentIndex() == CHAT_PAGE
    assert not window.composer.button.isEnabled(), "no model: nothing to send to"


def test_the_model_to_suggest_grows_with_the_memory_and_stays_brisk():
    entries = load_catalog().entries
    tiny = SystemMemory(total_ram=GB // 10, available_ram=GB // 20)
    assert recommend_entry(entries, tiny, 4096) is None
    picks = [
        recommend_entry(entries, SystemMemory(total_ram=gb * GB, available_ram=gb * GB), 4096)
        for gb in (1, 4, 8, 16, 64, 1024)
    ]
    assert all(pick is not None for pick in picks)
    parameters = [pick.parameters for pick in picks]
    assert parameters == sorted(parameters)
    assert parameters[0] < 2 * GB
    # Plenty of memory: the largest model whose weights still decode briskly on a CPU.
    brisk = [
        entry
        for entry in entries
        if estimated_file_size(entry.parameters, quant_level(entry.default_quant))
        <= SUGGESTED_MAX_WEIGHTS
    ]
    assert picks[-1] == max(brisk, key=lambda entry: entry.parameters)
    assert len(brisk) < len(entries), "the catalog has larger ones, left out"


def test_chats_but_no_model_from_last_time_show_the_welcome_page(make_parts):
    first = make_parts()
    first.session.new_conversation()
    first.close()
    again = make_parts()
    assert again.window.current_conversation is not None, "the latest chat is open behind it"
    assert again.window.pages.currentIndex() == WELCOME_PAGE


def test_a_last_model_that_is_gone_shows_the_welcome_page_and_says_so(
    qtbot, make_parts, home, tmp_path: Path
):
    gone = tmp_path / "gone.gguf"
    save_settings(
        home.settings_file, load_settings(home.settings_file).with_changes(last_model=str(gone))
    )
    parts = make_parts()
    parts.window.start()
    qtbot.waitUntil(lambda: parts.window.banner.isVisible())
    assert str(gone) in parts.window.banner.label.text()
    assert parts.window.pages.currentIndex() == WELCOME_PAGE
