"""The command line: real processes, real exit codes, one clear line for every mistake."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from llamadesk import __version__
from llamadesk.core.starter import STARTER_FILENAME, starter_model_path


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: int = 120):
    return subprocess.run(
        [sys.executable, "-m", "llamadesk", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def assert_user_error(result, *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_version_says_where_the_data_folder_and_the_log_are(tmp_path):
    home = tmp_path / "home"
    result = run_cli("--version", env={"LLAMADESK_HOME": str(home)})
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f"LlamaDesk {__version__}",  # first, alone on its line: scripts read it
        f"Data folder: {home / 'data'}",
        f"Log: {home / 'data' / 'logs' / 'llamadesk.log'}",
    ]
    assert not home.exists(), "--version only says where; it creates nothing"


def test_a_command_writes_the_log(tmp_path):
    home = tmp_path / "home"
    result = run_cli("leaderboard", env={"LLAMADESK_HOME": str(home)})
    assert result.returncode == 0, result.stderr
    log = (home / "data" / "logs" / "llamadesk.log").read_text(encoding="utf-8")
    assert f"LlamaDesk {__version__} started: leaderboard" in log


def test_chat_streams_an_answer_to_stdout(tiny_model):
    result = run_cli(
        "chat",
        str(tiny_model),
        "Hello",
        "--max-tokens",
        "12",
        "--temperature",
        "0",
        "--seed",
        "1",
        "--stats",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert "tokens/s" in result.stderr


def test_chat_with_a_missing_file(tmp_path):
    assert_user_error(run_cli("chat", str(tmp_path / "gone.gguf"), "Hi"), "gone.gguf")


def test_chat_with_a_file_that_is_not_a_gguf(tmp_path):
    text = tmp_path / "notes.gguf"
    text.write_text("hello\n")
    assert_user_error(run_cli("chat", str(text), "Hi"), "notes.gguf")


def test_chat_with_a_truncated_gguf(tmp_path, tiny_model):
    cut = tmp_path / "cut.gguf"
    data = tiny_model.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert_user_error(run_cli("chat", str(cut), "Hi"), "cut.gguf")


def test_chat_with_an_unknown_architecture(tmp_path, unknown_arch_model):
    assert_user_error(run_cli("chat", str(unknown_arch_model), "Hi"), unknown_arch_model.name)


@pytest.mark.parametrize(
    ("option", "value"),
    [("--max-tokens", "0"), ("--temperature", "hot"), ("--threads", "-2"), ("--temperature", "9")],
)
def test_chat_with_bad_option_values(tiny_model, option, value):
    assert_user_error(run_cli("chat", str(tiny_model), "Hi", option, value))


def test_make_test_model(tmp_path):
    out = tmp_path / "made.gguf"
    result = run_cli("make-test-model", str(out))
    assert result.returncode == 0, result.stderr
    assert out.is_file()
    assert "random weights" in result.stdout


def test_self_test_passes_offscreen_and_stores_the_conversation(tmp_path):
    home, out = tmp_path / "home", tmp_path / "out"
    result = run_cli(
        "self-test",
        "--out",
        str(out),
        env={"LLAMADESK_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (out / "self-test.png").stat().st_size > 10_000
    report = json.loads((out / "self-test.json").read_text())
    assert report["updates"] >= 1
    if starter_model_path() is not None:
        assert report["model"] == STARTER_FILENAME, "what a user sees uses the real model"
    database = Path(home) / "data" / "llamadesk.sqlite3"
    with sqlite3.connect(database) as connection:
        roles = [row[0] for row in connection.execute("SELECT role FROM messages ORDER BY id")]
    connection.close()
    assert roles == ["user", "assistant", "user", "assistant", "assistant"], "chat, then compare"
    exported = {
        kind: (out / f"export-{kind}.jsonl").read_text().splitlines()
        for kind in ("trl", "kto", "arena")
    }
    assert {kind: len(rows) for kind, rows in exported.items()} == {"trl": 1, "kto": 1, "arena": 1}


@pytest.mark.parametrize(
    ("flag", "value", "needle"),
    [
        ("--ctx", "-5", "Context length must be 0 (the model's own, up to 4096) or between 256"),
        ("--ctx", "100", "between 256 and 1048576 tokens, not 100"),
        ("--temperature", "9", "Temperature must be between 0 and 2, not 9"),
        ("--temperature", "nan", "Temperature must be between 0 and 2, not nan"),
        ("--seed", "4294967296", "Seed must be -1 (random) or between 0 and 4294967295"),
        ("--threads", "many", "CPU threads must be a whole number, not 'many'"),
    ],
)
def test_chat_flags_are_checked_against_the_declared_ranges(tiny_model, flag, value, needle):
    assert_user_error(
        run_cli("chat", str(tiny_model), "Hi", flag, value), f"argument {flag}", needle
    )


def test_a_seed_drawn_from_32_bits_can_be_given_back(tiny_model):
    result = run_cli(
        "chat", str(tiny_model), "Hi", "--seed", "4294967295", "--max-tokens", "2", "--ctx", "256"
    )
    assert result.returncode == 0, result.stderr


def test_a_bug_in_a_command_is_one_line_and_a_logged_traceback(tmp_path, monkeypatch, capsys):
    from llamadesk import cli
    from llamadesk.cli import feedback

    def broken(_args: object) -> int:
        raise RuntimeError("the leaderboard broke")

    home = tmp_path / "home"
    monkeypatch.setenv("LLAMADESK_HOME", str(home))
    monkeypatch.setattr(feedback, "show_leaderboard", broken)
    hooks_before = (sys.excepthook, threading.excepthook)

    assert cli.main(["leaderboard"]) == 1

    log = home / "data" / "logs" / "llamadesk.log"
    assert capsys.readouterr().err == (
        "llamadesk: something went wrong: the leaderboard broke (RuntimeError). "
        f"The details are in {log}.\n"
    )
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text
    assert "RuntimeError: the leaderboard broke" in text
    assert (sys.excepthook, threading.excepthook) == hooks_before, "the hooks were put back"


def test_self_test_runs_in_the_theme_and_language_asked(tmp_path):
    out = tmp_path / "out"
    result = run_cli(
        "self-test",
        "--out",
        str(out),
        "--theme",
        "dark",
        "--lang",
        "de",
        env={"LLAMADESK_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((out / "self-test.json").read_text())
    assert (report["theme"], report["language"]) == ("dark", "de")
    assert run_cli("self-test", "--theme", "purple").returncode == 2
