"""`llamadesk export ... --card --scrub --push`: a data set folder from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from hub_server import USER, FakeHub, logged_out_hub
from llamadesk.cli import main
from llamadesk.core.paths import AppPaths
from test_cli_export import add_votes, read_jsonl

TOKEN = "hf_" + "c" * 34


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    with logged_out_hub(monkeypatch, tmp_path, TOKEN) as server:
        yield server


def test_card_writes_a_folder_with_the_file_and_the_card(
    home: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_votes(home)
    out = tmp_path / "share"
    assert main(["export", "arena", "--out", str(out), "--card", "--license", "cc-by-4.0"]) == 0
    assert capsys.readouterr().out.strip() == (
        f"Wrote 3 battles to {out / 'arena.jsonl'} and a data set card to {out / 'README.md'}."
    )
    header = yaml.safe_load((out / "README.md").read_text().split("---\n")[1])
    assert header["license"] == "cc-by-4.0"
    assert header["configs"][0]["data_files"] == [{"split": "train", "path": "arena.jsonl"}]
    rows = read_jsonl(out / "arena.jsonl")
    assert len(rows) == 3
    assert all(isinstance(row["metadata"], str) for row in rows)


def test_scrub_without_card_writes_the_scrubbed_file(
    home: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_votes(home)
    out = tmp_path / "trl.jsonl"
    assert main(["export", "trl", "--out", str(out), "--scrub"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Scrub: replaced nothing found."
    assert len(read_jsonl(out)) == 3


def test_push_uploads_the_folder_privately(
    home: AppPaths,
    hub: FakeHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_votes(home)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    out = tmp_path / "share"
    repo = f"{USER}/votes"
    assert main(["export", "trl", "--out", str(out), "--push", repo, "--private"]) == 0
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith(f"Pushed to {hub.url}/datasets/{repo} (commit ")
    )
    pushed = hub.dataset(repo)
    assert pushed is not None
    assert pushed.private
    assert sorted(pushed.files) == ["README.md", "trl.jsonl"]


def test_push_without_a_login_says_how_to_log_in(
    home: AppPaths, hub: FakeHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_votes(home)
    out = tmp_path / "share"
    assert main(["export", "trl", "--out", str(out), "--push", f"{USER}/votes"]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert error[-1] == (
        "llamadesk: You are not logged in to Hugging Face: run `hf auth login` or set "
        "HF_TOKEN, then try again."
    )
    assert (out / "README.md").is_file()  # the local export is done all the same
    assert main(["export", "trl", "--out", str(out), "--push", "nobody"]) == 2
    assert "not a repository name" in capsys.readouterr().err
