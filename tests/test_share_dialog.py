"""The data set page's share dialog: card preview, scrub preview, login, push to the Hub."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog

from hub_server import USER, FakeHub, logged_out_hub
from llamadesk.core.paths import AppPaths
from llamadesk.core.store import Store
from llamadesk.services.share import ShareService
from llamadesk.ui.share_dialog import ShareDialog
from test_preferences import rate_everything

TOKEN = "hf_" + "g" * 34


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    with logged_out_hub(monkeypatch, tmp_path, TOKEN) as server:
        yield server


@pytest.fixture
def rated(home: AppPaths) -> AppPaths:
    with Store(home.database) as store:
        rated = rate_everything(store)
        chat = store.conversation(rated.greeting.conversation_id)
        store.set_system_prompt(chat.id, "Reply to ana@example.com.")
    return home


def open_dialog(qtbot, paths: AppPaths) -> ShareDialog:
    service = ShareService(paths)
    dialog = ShareDialog(service)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.prepared is not None and dialog._pending == 0, timeout=20_000)
    return dialog


def test_the_dialog_previews_the_card_and_the_scrub_then_pushes(
    qtbot, rated: AppPaths, hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    dialog = open_dialog(qtbot, rated)
    card = dialog.card.toPlainText()
    assert card.startswith('---\nlicense: "other"')
    assert 'config_name: "trl"' in card
    assert "A scrub for emails" in card
    findings = [dialog.findings.item(i).text() for i in range(dialog.findings.count())]
    # Each finding once: the system prompt is in every row of the chat.
    assert [f for f in findings if "ana@" in f] == ["email: ana@example.com → [email] (×9)"]
    assert dialog.login_label.text() == f"Logged in to Hugging Face as {USER}"
    assert dialog.repo.text() == f"{USER}/llamadesk-ratings"
    assert dialog.private.isChecked()
    # Another licence: the card is prepared again.
    dialog.license.setCurrentText("cc-by-4.0")
    qtbot.waitUntil(lambda: 'license: "cc-by-4.0"' in dialog.card.toPlainText())
    assert dialog.share_button.isEnabled()
    with qtbot.waitSignal(dialog.service.pushed, timeout=20_000):
        dialog.share_button.click()
    pushed = hub.dataset(f"{USER}/llamadesk-ratings")
    assert pushed is not None
    assert pushed.private
    assert sorted(pushed.files) == ["README.md", "arena.jsonl", "kto.jsonl", "trl.jsonl"]
    assert b"ana@example.com" not in pushed.files["trl.jsonl"].path.read_bytes()
    assert dialog.banner.label.text().startswith(f"Shared as {USER}/llamadesk-ratings (private)")
    assert not dialog.progress.isVisible()


def test_without_a_login_sharing_offers_the_login(
    qtbot, rated: AppPaths, hub: FakeHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, rated)
    assert dialog.login_label.text() == "Not logged in to Hugging Face"
    assert not dialog.banner.isVisible()  # no login is fine until one shares
    dialog.repo.setText(f"{USER}/mine")
    with qtbot.waitSignal(dialog.service.failed, timeout=20_000):
        dialog.share_button.click()
    assert dialog.banner.label.text() == (
        "Sharing on Hugging Face failed. You are not logged in to Hugging Face: run "
        "`hf auth login` or set HF_TOKEN, then try again. Use “Log in…” to share."
    )
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: (TOKEN, True))
    with qtbot.waitSignal(dialog.service.logged_in, timeout=20_000):
        dialog.login_button.click()
    assert (tmp_path / "token").read_text() == TOKEN  # where `hf auth login` keeps it
    assert dialog.login_label.text() == f"Logged in to Hugging Face as {USER}"
    with qtbot.waitSignal(dialog.service.pushed, timeout=20_000):
        dialog.share_button.click()
    assert hub.dataset(f"{USER}/mine") is not None


def test_a_refused_push_says_why_and_saving_a_folder_still_works(
    qtbot, rated: AppPaths, hub: FakeHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    dialog = open_dialog(qtbot, rated)
    dialog.repo.setText("someone-else/theirs")
    with qtbot.waitSignal(dialog.service.failed, timeout=20_000):
        dialog.share_button.click()
    assert "may not write to someone-else/theirs (403)" in dialog.banner.label.text()
    assert dialog.banner.property("kind") == "error"
    folder = tmp_path / "saved"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(folder))
    with qtbot.waitSignal(dialog.service.saved, timeout=20_000):
        dialog.save_button.click()
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "arena.jsonl",
        "kto.jsonl",
        "trl.jsonl",
    ]


def test_the_data_set_page_opens_the_share_dialog(qtbot, parts, hub: FakeHub) -> None:
    view = parts.window.dataset_view
    assert not view.share_button.isHidden()
    dialog = view.open_share()
    qtbot.waitUntil(lambda: dialog._pending == 0, timeout=20_000)
    assert dialog.isVisible()
    dialog.close()


def test_with_nothing_rated_there_is_nothing_to_share_or_save(qtbot, home: AppPaths) -> None:
    dialog = open_dialog(qtbot, home)
    assert not any(dialog.prepared.rows.values())
    assert dialog.status.text().startswith("Nothing to share yet: rate some answers first")
    assert not dialog.share_button.isEnabled()
    assert not dialog.save_button.isEnabled()
