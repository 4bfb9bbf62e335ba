"""`llamadesk export` and `llamadesk leaderboard` over the app's own database."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from llamadesk.cli import main
from llamadesk.core.paths import HOME_ENV, AppPaths, app_paths
from llamadesk.core.ratings import Ratings
from llamadesk.core.store import Store


@pytest.fixture
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppPaths:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    return app_paths()


def add_votes(paths: AppPaths) -> None:
    """Three compare prompts: big wins twice (once by much), one tie; plus a ranking."""
    with Store(paths.database) as store:
        ratings = Ratings(store)
        conversation = store.create_conversation("Compare", kind="compare")
        for winner, strength in (("model_a", "much"), ("model_a", ""), ("tie", "")):
            prompt = store.add_user_message(conversation.id, f"Prompt {winner} {strength}")
            answers = [
                store.add_answer(
                    conversation.id,
                    prompt.id,
                    f"Answer by {model}",
                    model=model,
                    params={},
                    seed=None,
                    stats={},
                    stop_reason="eos",
                )
                for model in ("big-Q8_0.gguf", "small-Q4_K_M.gguf")
            ]
            ratings.vote(answers[0].id, answers[1].id, winner, strength=strength)
        ratings.rank([answers[1].id, answers[0].id])


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def user_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The one line a user error printed on stderr."""
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_export_trl_writes_the_pairs(
    app_home: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_votes(app_home)
    out = tmp_path / "prefs.jsonl"
    assert main(["export", "trl", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"Wrote 3 preference pairs to {out}.\n"
    rows = read_jsonl(out)
    assert [row["source"] for row in rows] == ["compare", "compare", "rank"]
    assert all("margin" in row for row in rows)


@pytest.mark.parametrize(
    ("kind", "count", "noun"), [("kto", 0, "rated answers"), ("arena", 3, "battles")]
)
def test_export_kto_and_arena(
    app_home: AppPaths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    count: int,
    noun: str,
) -> None:
    add_votes(app_home)
    out = tmp_path / f"{kind}.jsonl"
    assert main(["export", kind, "--out", str(out)]) == 0
    assert f"Wrote {count} {noun} to {out}." in capsys.readouterr().out
    assert len(read_jsonl(out)) == count


def test_export_filters_by_model_and_date(
    app_home: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_votes(app_home)
    out = tmp_path / "arena.jsonl"
    assert main(["export", "arena", "--out", str(out), "--model", "SMALL"]) == 0
    assert len(read_jsonl(out)) == 3
    assert main(["export", "arena", "--out", str(out), "--model", "mistral"]) == 0
    assert main(["export", "arena", "--out", str(out), "--since", "2999-01-01"]) == 0
    assert main(["export", "arena", "--out", str(out), "--since", "2000-01-01T08:00"]) == 0
    assert len(read_jsonl(out)) == 3
    assert capsys.readouterr().out.count("No ratings matched, so the file is empty.") == 2


def test_export_of_nothing_writes_an_empty_file(
    app_home: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "prefs.jsonl"
    assert main(["export", "trl", "--out", str(out)]) == 0
    assert out.read_bytes() == b""
    assert capsys.readouterr().out == (
        f"Wrote 0 preference pairs to {out}.\nNo ratings matched, so the file is empty.\n"
    )


def test_export_to_an_unwritable_path(
    app_home: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_votes(app_home)
    out = tmp_path / "no-such-folder" / "prefs.jsonl"
    assert main(["export", "trl", "--out", str(out)]) == 2
    assert user_error(capsys).startswith(f"llamadesk: Cannot write {out}:")
    assert not out.parent.exists()


def test_export_of_a_database_from_a_newer_version(
    app_home: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Store(app_home.database).close()
    with closing(sqlite3.connect(app_home.database)) as db:
        db.execute("PRAGMA user_version = 999")
    assert main(["export", "kto", "--out", str(tmp_path / "kto.jsonl")]) == 2
    assert "newer LlamaDesk" in user_error(capsys)
    assert main(["leaderboard"]) == 2
    assert "newer LlamaDesk" in user_error(capsys)


@pytest.mark.parametrize(
    ("arguments", "needle"),
    [
        (["export", "csv", "--out", "x"], "invalid choice: 'csv'"),
        (["export", "trl"], "--out"),
        (["export", "trl", "--out", "x", "--since", "last week"], "not a date"),
    ],
)
def test_export_with_bad_options(
    app_home: AppPaths, capsys: pytest.CaptureFixture[str], arguments: list[str], needle: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
    assert exit_info.value.code == 2
    assert needle in user_error(capsys)


def test_leaderboard_ranks_the_winner_first(
    app_home: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    add_votes(app_home)
    assert main(["leaderboard"]) == 0
    header, first, second = capsys.readouterr().out.splitlines()
    assert "Rating" in header
    assert "95% interval" in header
    assert first.split()[:2] == ["1", "big-Q8_0.gguf"]
    assert first.endswith("2/1/0")
    assert second.split()[:2] == ["2", "small-Q4_K_M.gguf"]


def test_leaderboard_without_votes(app_home: AppPaths, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leaderboard"]) == 0
    assert capsys.readouterr().out == "No compare votes between two models yet.\n"


def test_export_as_a_real_process(app_home: AppPaths, tmp_path: Path) -> None:
    add_votes(app_home)
    out = tmp_path / "arena.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "llamadesk", "export", "arena", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Wrote 3 battles to {out}.\n"
    assert [row["winner"] for row in read_jsonl(out)] == ["model_a", "model_a", "tie"]
