"""Chats out and in from the conversation list's context menu."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from llamadesk.ui.chat_transfer import FILTERS
from llamadesk.ui.palette import DARK, LIGHT

DATA = Path(__file__).parent / "data"


def add_chats(parts, *titles: str) -> dict[str, int]:
    made = {}
    for title in titles:
        conversation = parts.store.create_conversation(title)
        parts.store.add_user_message(conversation.id, f"Hello from {title}")
        made[title] = conversation.id
    parts.window.chat.refresh_conversations()
    return made


def list_items(parts) -> dict[str, object]:
    widget = parts.window.conversation_list.list
    return {widget.item(row).text(): widget.item(row) for row in range(widget.count())}


def action(menu, text: str):
    return next(a for a in menu.actions() if a.text() == text)


def test_the_menu_exports_the_selected_chats(qtbot, parts, tmp_path: Path, monkeypatch) -> None:
    add_chats(parts, "Alpha", "Beta", "Gamma")
    items = list_items(parts)
    items["Alpha"].setSelected(True)
    items["Gamma"].setSelected(True)
    menu = parts.window.conversation_list.menu_for(items["Alpha"])
    target = tmp_path / "two"  # no suffix: the chosen filter's is added
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), FILTERS["json"])
    )
    with qtbot.waitSignal(parts.window.chat_transfer.service.exported, timeout=10_000):
        action(menu, "Export 2 chats…").trigger()
    document = json.loads((tmp_path / "two.json").read_text(encoding="utf-8"))
    assert sorted(c["title"] for c in document["conversations"]) == ["Alpha", "Gamma"]
    banner = parts.window.banner
    assert banner.isVisible()
    assert banner.label.text() == f"Exported 2 chats (2 messages) to {tmp_path / 'two.json'}."
    # A chat outside the selection is exported alone, as HTML by its suffix.
    page = tmp_path / "beta.html"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(page), FILTERS["md"])
    )
    with qtbot.waitSignal(parts.window.chat_transfer.service.exported, timeout=10_000):
        action(parts.window.conversation_list.menu_for(items["Beta"]), "Export…").trigger()
    assert "Hello from Beta" in page.read_text(encoding="utf-8")
    assert "Alpha" not in page.read_text(encoding="utf-8")


def test_the_menu_imports_a_chatgpt_export_into_the_list(qtbot, parts, monkeypatch) -> None:
    add_chats(parts, "Mine")
    source = DATA / "chatgpt_conversations.json"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(source), ""))
    menu = parts.window.conversation_list.menu_for(None)  # the empty space below the chats
    with qtbot.waitSignal(parts.window.chat_transfer.imported, timeout=10_000):
        action(menu, "Import chats…").trigger()
    assert set(list_items(parts)) == {"Mine", "Hello", "Pirate maths", "Pirate maths (branch 2)"}
    assert parts.window.banner.label.text() == (
        "ChatGPT export: Imported 3 conversations (12 messages)."
    )


def test_a_bad_import_says_why_and_adds_nothing(qtbot, parts, tmp_path: Path, monkeypatch) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2, 3]")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(junk), ""))
    service = parts.window.chat_transfer.service
    with qtbot.waitSignal(service.failed, timeout=10_000):
        action(parts.window.conversation_list.menu_for(None), "Import chats…").trigger()
    text = parts.window.banner.label.text()
    assert text.startswith("Import failed. junk.json is not a chat export LlamaDesk knows")
    assert parts.window.banner.property("kind") == "error"
    assert list_items(parts) == {}


def root_colours(page: str) -> tuple[dict[str, str], dict[str, str]]:
    """The page's colours: those it shows at first, and those for a reader set to dark."""
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    light_part, dark_part = style.split("@media screen and (prefers-color-scheme:dark)", 1)

    def variables(part: str) -> dict[str, str]:
        block = part.split(":root{", 1)[1].split("}", 1)[0]
        pairs = (item.split(":", 1) for item in block.split(";") if item.startswith("--"))
        return {name.removeprefix("--"): value for name, value in pairs}

    return variables(light_part), variables(dark_part)


def test_an_html_export_takes_the_app_themes_and_the_reader_picks_one(
    qtbot, parts, tmp_path: Path, monkeypatch
) -> None:
    """Read later, maybe elsewhere: the reader's light or dark setting picks the theme."""
    add_chats(parts, "Alpha")
    page = tmp_path / "alpha.html"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(page), FILTERS["html"])
    )
    with qtbot.waitSignal(parts.window.chat_transfer.service.exported, timeout=10_000):
        action(
            parts.window.conversation_list.menu_for(list_items(parts)["Alpha"]), "Export…"
        ).trigger()
    light, dark = root_colours(page.read_text(encoding="utf-8"))
    for shown, theme in ((light, LIGHT), (dark, DARK)):
        assert shown["background"] == theme.window
        assert shown["text"] == theme.text
        assert shown["user"] == theme.user_bubble
        assert shown["muted"] == theme.text_muted
    assert "color-scheme:dark" in page.read_text(encoding="utf-8")
