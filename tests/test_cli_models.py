"""`llamadesk models list/search/download/import/rm` in a subprocess, against a loopback hub."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub_server import FakeHub

REPO = "tester/Tiny-Chat-GGUF"
NAME = "Tiny-Chat-Q8_0.gguf"


@pytest.fixture
def hub(tiny_model: Path) -> Iterator[FakeHub]:
    with FakeHub() as server:
        server.add_file(REPO, NAME, tiny_model)
        server.add_file(REPO, "Tiny-Chat-F16.gguf", tiny_model)
        yield server


@pytest.fixture
def env(tmp_path: Path, hub: FakeHub) -> dict[str, str]:
    environment = dict(os.environ)
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        environment.pop(name, None)
    return environment | {
        "LLAMADESK_HOME": str(tmp_path / "home"),
        "HF_ENDPOINT": hub.url,
        "HF_HOME": str(tmp_path / "hf"),
    }


def llamadesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llamadesk", "models", *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def test_search_lists_variants_with_cost_fit_and_a_recommendation(env):
    result = llamadesk(env, "search", REPO)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["File", "Quant", "Size"]
    q8 = next(line for line in lines if line.startswith(NAME))
    assert "near lossless (+0.00 ppl)" in q8
    assert "Fits comfortably  ★ recommended" in q8  # quantized wins over F16
    assert "Not in the catalog" in lines[-1]


def test_download_list_import_and_rm(env, tiny_model: Path, tmp_path: Path):
    result = llamadesk(env, "download", REPO, NAME)
    assert result.returncode == 0, result.stderr
    downloaded = tmp_path / "home" / "data" / "models" / NAME
    assert hashlib.sha256(downloaded.read_bytes()).digest() == (
        hashlib.sha256(tiny_model.read_bytes()).digest()
    )
    assert " of " in result.stderr  # progress went to stderr

    assert llamadesk(env, "import", str(tiny_model), "--link").returncode == 0
    listed = llamadesk(env, "list").stdout.splitlines()
    assert [line.split()[0] for line in listed] == ["Model", NAME, tiny_model.name]
    assert listed[1].split()[1] == "F32"  # the header's word, not the file name's

    refused = llamadesk(env, "rm", NAME)
    assert refused.returncode == 2
    assert "add --yes" in refused.stderr
    assert llamadesk(env, "rm", NAME, "--yes").returncode == 0
    assert not downloaded.exists()
    assert tiny_model.exists()


def test_download_errors_exit_2_with_one_line(env):
    missing = llamadesk(env, "download", REPO, "nothing-Q4_K_M.gguf")
    assert missing.returncode == 2
    assert len(missing.stderr.strip().splitlines()) == 1
    assert "nothing-Q4_K_M.gguf" in missing.stderr
    hostile = llamadesk(env, "download", REPO, "../escape.gguf")
    assert hostile.returncode == 2
    assert "unsafe name" in hostile.stderr
    assert llamadesk(env, "search", "nobody/nothing").returncode == 2


def test_import_refuses_a_file_that_is_not_a_gguf(env, tmp_path: Path):
    fake = tmp_path / "notes.gguf"
    fake.write_text("just some text", encoding="utf-8")
    result = llamadesk(env, "import", str(fake))
    assert result.returncode == 2
    assert result.stderr == "llamadesk: 'notes.gguf' is not a GGUF model file.\n"


def test_search_for_a_catalog_entry_whose_repository_vanished(env):
    from llamadesk.core.catalog import load_catalog

    entry = load_catalog().entries[0]  # the loopback hub has none of the catalog's repositories
    result = llamadesk(env, "search", entry.repo)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"llamadesk: {entry.name} is no longer on Hugging Face: its repository {entry.repo} was "
        "removed or renamed. Pick another model from the catalog."
    )
