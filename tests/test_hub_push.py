"""Sharing a data set folder on the Hub: huggingface_hub's real create_repo and upload_folder
against the loopback hub, the failures a user meets, and the data set loaded back."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub_server import USER, FakeHub, logged_out_hub
from llamadesk.core.dataset_card import prepare_dataset, write_dataset
from llamadesk.core.hub_push import PushError, push_folder
from llamadesk.core.store import Store
from test_preferences import TickingClock, add_ties, rate_everything

TOKEN = "hf_" + "t" * 34
REPO = f"{USER}/my-ratings"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    with logged_out_hub(monkeypatch, tmp_path, TOKEN) as server:
        yield server


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "dataset"
    with Store(tmp_path / "llamadesk.sqlite3", clock=TickingClock()) as store:
        add_ties(store, rate_everything(store))
        write_dataset(prepare_dataset(store, ["trl", "kto", "arena"]), out)
    return out


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_push_creates_a_private_dataset_repo_with_every_file(
    hub: FakeHub, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)  # the standard login
    result = push_folder(folder, REPO)
    assert result.url == f"{hub.url}/datasets/{REPO}"
    assert result.private
    pushed = hub.dataset(REPO)
    assert pushed is not None
    assert pushed.private
    assert {name: entry.sha256 for name, entry in pushed.files.items()} == digests(folder)
    # (huggingface_hub also asks, best-effort, for a list of AI agents: not part of a push.)
    steps = [(s.method, s.path.split("?")[0]) for s in hub.log if "agent-harnesses" not in s.path]
    assert steps == [
        ("POST", "/api/repos/create"),
        ("POST", "/api/validate-yaml"),
        ("POST", f"/api/datasets/{REPO}/preupload/main"),
        ("POST", f"/api/datasets/{REPO}/commit/main"),
    ]
    writes = [s for s in hub.log if s.path.startswith(("/api/repos/", "/api/datasets/"))]
    assert {s.authorization for s in writes} == {f"Bearer {TOKEN}"}
    # Pushing again updates the same repository with a new commit.
    again = push_folder(folder, REPO, token=TOKEN)
    assert again.commit != result.commit
    assert pushed.commits == 2


def test_the_pushed_data_set_loads_back_with_datasets(
    hub: FakeHub, folder: Path, tmp_path: Path
) -> None:
    push_folder(folder, REPO, token=TOKEN)
    # A fresh process: huggingface_hub reads HF_ENDPOINT once, when it is imported.
    script = (
        "import datasets, json, sys\n"
        "datasets.disable_progress_bars()\n"
        f"trl = datasets.load_dataset({REPO!r}, 'trl', split='train')\n"
        f"arena = datasets.load_dataset({REPO!r}, 'arena', split='train')\n"
        "print(json.dumps({'trl': trl.num_rows, 'arena': arena.num_rows,"
        " 'columns': trl.column_names}))\n"
    )
    env = {
        **os.environ,
        "HF_ENDPOINT": hub.url,
        "HF_TOKEN": TOKEN,  # the repository is private
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert (loaded["trl"], loaded["arena"]) == (7, 3)
    assert {"prompt", "chosen", "rejected", "metadata"} <= set(loaded["columns"])


def test_without_a_login_the_push_asks_for_one(hub: FakeHub, folder: Path) -> None:
    with pytest.raises(PushError, match="not logged in to Hugging Face") as caught:
        push_folder(folder, REPO)
    assert caught.value.reason == "login"
    assert not [s for s in hub.log if "agent-harnesses" not in s.path]


@pytest.mark.parametrize(
    ("repo", "token", "status", "reason", "words"),
    [
        (REPO, "hf_wrong", None, "login", "refused the token (401)"),
        ("someone-else/data", TOKEN, None, "denied", "may not write to someone-else/data (403)"),
        (REPO, TOKEN, 404, "not_found", "no owner or repository"),
        (REPO, TOKEN, 500, "other", "answered 500"),
    ],
)
def test_failures_get_a_clear_message_and_change_nothing_here(
    hub: FakeHub,
    folder: Path,
    repo: str,
    token: str,
    status: int | None,
    reason: str,
    words: str,
) -> None:
    before = digests(folder)
    hub.faults.status = status
    with pytest.raises(PushError, match=words.replace("(", r"\(").replace(")", r"\)")) as caught:
        push_folder(folder, repo, token=token)
    assert caught.value.reason == reason
    assert digests(folder) == before
    assert hub.dataset(REPO) is None


def test_an_unreachable_hub_is_a_network_failure(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeHub() as gone:
        url = gone.url
    monkeypatch.setenv("HF_ENDPOINT", url)  # nothing listens there any more
    with pytest.raises(PushError, match="Could not reach") as caught:
        push_folder(folder, REPO, token=TOKEN)
    assert caught.value.reason == "network"


def test_a_bad_repository_name_is_refused_before_any_request(hub: FakeHub, folder: Path) -> None:
    with pytest.raises(PushError, match="not a repository name"):
        push_folder(folder, "no-owner", token=TOKEN)
    assert not [s for s in hub.log if "agent-harnesses" not in s.path]
