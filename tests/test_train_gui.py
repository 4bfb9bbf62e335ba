"""Tests for the "Teach this model" dialog (ui/train_view.py)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from llamadesk.core.adapters import adapter_lineage_path
from llamadesk.core.jsonfile import write_json_atomic
from llamadesk.core.ratings import Ratings
from llamadesk.core.store import Store
from llamadesk.services.background import JobRunner
from llamadesk.ui import train_view
from llamadesk.ui.train_view import TrainDialog
from test_training import make_lineage, rate_picks

MODEL = Path("SmolLM2-135M-Instruct.Q4_1.gguf")


def open_dialog(qtbot, tmp_path: Path, pairs: int) -> TrainDialog:  # type: ignore[no-untyped-def]
    database = tmp_path / "llamadesk.sqlite3"
    with Store(database) as store:
        rate_picks(store, MODEL.name, pairs)
    dialog = TrainDialog(tmp_path / MODEL.name, JobRunner(), database)
    qtbot.addWidget(dialog)
    return dialog


def test_preview_lists_the_pairs_and_the_prompts_held_back(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(train_view, "missing_stack", lambda: "")
    dialog = open_dialog(qtbot, tmp_path, 6)
    qtbot.waitUntil(lambda: dialog.data is not None)
    assert dialog.summary.text().startswith("5 preference pairs rated on this model")
    assert "; 1 prompt held back for the duel." in dialog.summary.text()
    items = [dialog.prompts.item(i).text() for i in range(dialog.prompts.count())]
    assert len(items) == 6
    assert sum(item.startswith("(held back for the duel)") for item in items) == 1
    assert dialog.start_button.isEnabled()
    dialog.show()
    assert dialog.prompts.isVisible()
    assert not dialog.cancel_button.isVisible(), "nothing runs: Close is the way out"


def test_too_few_pairs_say_how_many_more_and_offer_no_start(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(train_view, "missing_stack", lambda: "")
    dialog = open_dialog(qtbot, tmp_path, 3)
    qtbot.waitUntil(lambda: dialog.data is not None)
    assert "At least 4 are needed: rate 2 more." in dialog.summary.text()
    assert not dialog.start_button.isEnabled()


def test_without_the_stack_the_dialog_says_how_to_get_it(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(train_view, "missing_stack", lambda: "Training needs the extra: pip")
    dialog = open_dialog(qtbot, tmp_path, 6)
    assert dialog.summary.text() == "Training needs the extra: pip"
    dialog.show()
    assert not dialog.prompts.isVisible(), "no empty box where prompts would be"
    assert not dialog.start_button.isEnabled()
    assert not dialog.job.running


def test_the_duel_of_an_earlier_adapter_is_shown(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(train_view, "missing_stack", lambda: "")
    adapter = tmp_path / "SmolLM2-135M-Instruct.Q4_1.lora-1.gguf"
    adapter.write_bytes(b"GGUF")
    lineage = make_lineage(tmp_path / MODEL.name, ["held"])
    write_json_atomic(adapter_lineage_path(adapter), asdict(lineage))
    database = tmp_path / "llamadesk.sqlite3"
    with Store(database) as store:
        chat = store.create_conversation("held")
        prompt = store.add_user_message(chat.id, "held")
        a, b = (
            store.add_answer(
                chat.id,
                prompt.id,
                "x",
                model=name,
                params={},
                seed=1,
                stats={},
                stop_reason="eos",
            )
            for name in (MODEL.name, adapter.name)
        )
        Ratings(store).vote(a.id, b.id, "model_b", blind=True)
    dialog = TrainDialog(tmp_path / MODEL.name, JobRunner(), database)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.data is not None)
    text = dialog.duels.text()
    assert "SmolLM2-135M-Instruct.Q4_1 + your preferences (2026-12-01)" in text
    assert "won 100% of 1 blind votes on held-out prompts" in text
