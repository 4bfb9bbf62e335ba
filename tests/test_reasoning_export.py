"""Reasoning in the chat history and the exports: stored apart from the answer, exported only
when asked for, in columns of its own."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from llamadesk.cli import main
from llamadesk.core.paths import HOME_ENV, app_paths
from llamadesk.core.preferences import REASONING_COLUMNS, arena_rows, kto_rows, trl_rows
from llamadesk.core.ratings import Ratings
from llamadesk.core.store import MIGRATIONS, Message, Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as opened:
        yield opened


def reasoned(store: Store, prompt: Message, content: str, reasoning: str, model: str) -> Message:
    return store.add_answer(
        prompt.conversation_id,
        prompt.id,
        content,
        model=model,
        params={},
        seed=1,
        stats={"reasoning_ms": 1500.0},
        stop_reason="eos",
        reasoning=reasoning,
    )


def rated_store(store: Store) -> tuple[Message, Message]:
    """Two answers to one prompt, one with reasoning: ranked, thumbed and voted on."""
    ratings = Ratings(store)
    chat = store.create_conversation("Maths")
    prompt = store.add_user_message(chat.id, "2+2?")
    good = reasoned(store, prompt, "4", "Two and two make four.", "thinker.gguf")
    bad = reasoned(store, prompt, "5", "", "plain.gguf")
    ratings.rank([good.id, bad.id])
    ratings.set_thumbs(good.id, 1)
    ratings.vote(good.id, bad.id, "model_a")
    return good, bad


def test_reasoning_is_stored_apart_from_the_answer(store: Store) -> None:
    chat = store.create_conversation()
    prompt = store.add_user_message(chat.id, "2+2?")

    saved = reasoned(store, prompt, "4", "Two and two.", "m.gguf")

    assert (saved.content, saved.reasoning) == ("4", "Two and two.")
    assert store.thread(chat.id)[-1].reasoning == "Two and two."
    assert prompt.reasoning == ""


def test_older_history_gains_an_empty_reasoning_column(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        for migration in MIGRATIONS[:-1]:  # as the version before this column wrote it
            migration(db)
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) - 1}")
        db.execute("INSERT INTO conversations (title, created, updated) VALUES ('Old', 1, 1)")
        db.execute(
            "INSERT INTO messages (conversation_id, role, content, created) "
            "VALUES (1, 'user', 'hi', 1)"
        )
        db.commit()

    with Store(path) as store:
        (message,) = store.thread(1)

    assert (message.content, message.reasoning) == ("hi", "")


def test_exports_carry_the_answer_only_by_default(store: Store) -> None:
    rated_store(store)

    for rows in (trl_rows(store), kto_rows(store), arena_rows(store)):
        assert rows
        for row in rows:
            assert not REASONING_COLUMNS & row.keys()
            assert "Two and two" not in json.dumps(row)


def test_exports_add_reasoning_columns_when_asked(store: Store) -> None:
    rated_store(store)

    pairs = trl_rows(store, include_reasoning=True)
    rated = kto_rows(store, include_reasoning=True)
    battles = arena_rows(store, include_reasoning=True)

    for pair in pairs:
        assert pair["chosen"] == [{"role": "assistant", "content": "4"}]
        assert pair["chosen_reasoning"] == "Two and two make four."
        assert pair["rejected_reasoning"] == ""
    assert [row["completion_reasoning"] for row in rated] == ["Two and two make four."]
    assert rated[0]["completion"] == [{"role": "assistant", "content": "4"}]
    assert [(b["reasoning_a"], b["reasoning_b"]) for b in battles] == [
        ("Two and two make four.", "")
    ]


def test_cli_export_include_reasoning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    with Store(app_paths().database) as opened:
        rated_store(opened)
    plain, with_reasoning = tmp_path / "plain.jsonl", tmp_path / "reasoning.jsonl"

    assert main(["export", "trl", "--out", str(plain)]) == 0
    assert main(["export", "trl", "--out", str(with_reasoning), "--include-reasoning"]) == 0

    capsys.readouterr()
    plain_rows = [json.loads(line) for line in plain.read_text().splitlines()]
    rows = [json.loads(line) for line in with_reasoning.read_text().splitlines()]
    assert "chosen_reasoning" not in plain_rows[0]
    assert rows[0]["chosen_reasoning"] == "Two and two make four."
    assert rows[0]["chosen"] == plain_rows[0]["chosen"]


def test_data_set_page_exports_reasoning_when_ticked(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from llamadesk.services.dataset import DatasetService
    from llamadesk.ui.dataset_view import DatasetView

    rated_store(store)
    target = tmp_path / "pairs.jsonl"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args, **_kwargs: (str(target), ""))
    service = DatasetService(store.path)
    view = DatasetView(service)
    qtbot.addWidget(view)
    with qtbot.waitSignal(service.loaded):
        view.show()

    view.include_reasoning.setChecked(True)
    with qtbot.waitSignal(service.export_done):
        view.export_actions["trl"].trigger()

    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["chosen_reasoning"] == "Two and two make four."
    assert service.wait_for_all(10_000)
