"""Model files that cannot be used (issue 11, defects 5 and 6; issue 10, "Bad input"): each one
gives a GGUF error with one clear sentence, in the reader, the library, the CLI and the GUI,
and nothing else stops working because of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import gguf
import numpy as np
import pytest

from llamadesk.core import downloads
from llamadesk.core.gguf_info import BadHeaderValue, GGUFError, NotAChatModel, read_gguf_info
from llamadesk.core.library import LibraryError, find_model, import_model, scan_library

MB = 1024 * 1024


def write_gguf(path: Path, architecture: str, extra: Callable[[gguf.GGUFWriter], None]) -> Path:
    """A GGUF holding one F16 tensor, the architecture, and what `extra` adds."""
    writer = gguf.GGUFWriter(path, architecture)
    extra(writer)
    writer.add_tensor("weight", np.zeros((4, 8), dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def with_context_length(value: float) -> Callable[[gguf.GGUFWriter], None]:
    return lambda writer: writer.add_float32("llama.context_length", value)


@pytest.fixture
def infinite_context(tmp_path: Path) -> Path:
    return write_gguf(tmp_path / "infinite.gguf", "llama", with_context_length(float("inf")))


@pytest.fixture
def projector(tmp_path: Path) -> Path:
    """What llama.cpp's convert script writes for a vision model's image projector."""
    return write_gguf(
        tmp_path / "mmproj-model-f16.gguf", "clip", lambda writer: writer.add_type("mmproj")
    )


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llamadesk", *args],
        env=os.environ | {"LLAMADESK_HOME": str(home)},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


# The reader.


@pytest.mark.parametrize(
    ("name", "extra", "shown"),
    [
        ("inf", with_context_length(float("inf")), "llama.context_length as inf"),
        ("nan", with_context_length(float("nan")), "llama.context_length as nan"),
        ("negative", with_context_length(-5.0), "llama.context_length as -5.0"),
        (
            "per-layer-nan",
            lambda w: w.add_array("llama.attention.head_count_kv", [8.0, float("nan")]),
            "llama.attention.head_count_kv as nan",
        ),
        (
            "huge-float",
            lambda w: w.add_float64("llama.block_count", 1e300),
            "llama.block_count as 1e+300",
        ),
    ],
)
def test_a_number_that_is_no_number_is_a_gguf_error(
    tmp_path: Path, name: str, extra: Callable[[gguf.GGUFWriter], None], shown: str
) -> None:
    path = write_gguf(tmp_path / f"{name}.gguf", "llama", extra)
    with pytest.raises(BadHeaderValue) as caught:
        read_gguf_info(path)
    assert isinstance(caught.value, GGUFError)  # what every caller already catches
    assert str(caught.value) == (
        f"'{name}.gguf' is damaged: its header gives {shown}, which is not a usable number. "
        "Download or convert the model again."
    )


def test_a_finite_float_size_still_reads(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "float.gguf", "llama", with_context_length(4096.0))
    assert read_gguf_info(path).context_length == 4096


def test_an_image_projector_says_what_it_is(projector: Path) -> None:
    with pytest.raises(NotAChatModel) as caught:
        read_gguf_info(projector)
    assert str(caught.value) == (
        "'mmproj-model-f16.gguf' is an image projector for a vision model (mmproj), not a chat "
        "model; open the model file beside it."
    )


def test_a_clip_file_without_its_type_is_a_projector_too(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "old-mmproj.gguf", "clip", lambda _writer: None)
    with pytest.raises(NotAChatModel, match="image projector"):
        read_gguf_info(path)


# The library and the command line.


def test_one_bad_file_is_listed_as_unusable_and_the_rest_still_list(
    tmp_path: Path, tiny_model: Path, infinite_context: Path, projector: Path
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    for path in (tiny_model, infinite_context, projector):
        shutil.copy(path, models / path.name)

    listed = {model.name: model for model in scan_library(models, tmp_path / "no-hf-cache")}

    assert set(listed) == {tiny_model.name, "infinite.gguf", "mmproj-model-f16.gguf"}
    assert listed[tiny_model.name].info is not None
    assert listed["infinite.gguf"].info is None
    assert "llama.context_length as inf" in listed["infinite.gguf"].problem
    assert "image projector" in listed["mmproj-model-f16.gguf"].problem


def test_models_list_shows_a_bad_file_with_its_reason(
    tmp_path: Path, tiny_model: Path, infinite_context: Path
) -> None:
    home = tmp_path / "home"
    models = home / "data" / "models"
    result = run_cli(home, "models", "import", str(tiny_model))
    assert result.returncode == 0, result.stderr
    assert models.is_dir()
    shutil.copy(infinite_context, models / infinite_context.name)

    result = run_cli(home, "models", "list")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert tiny_model.name in result.stdout
    [row] = [line for line in result.stdout.splitlines() if line.startswith("infinite.gguf")]
    assert "llama.context_length as inf" in row


@pytest.mark.parametrize(
    ("fixture", "needle"),
    [("infinite_context", "llama.context_length as inf"), ("projector", "image projector")],
)
def test_chat_with_a_bad_file_says_one_line(
    tmp_path: Path, request: pytest.FixtureRequest, fixture: str, needle: str
) -> None:
    path: Path = request.getfixturevalue(fixture)
    assert_one_line_error(run_cli(tmp_path / "home", "chat", str(path), "Hello"), needle)


@pytest.fixture
def far_too_big(tmp_path: Path) -> Path:
    """A header that asks for a petabyte of KV cache: a 4096-layer model at 1M tokens."""

    def huge(writer: gguf.GGUFWriter) -> None:
        writer.add_context_length(1 << 20)
        writer.add_block_count(4096)
        writer.add_embedding_length(16384)
        writer.add_head_count(128)
        writer.add_head_count_kv(128)

    return write_gguf(tmp_path / "colossus.gguf", "llama", huge)


def test_chat_refuses_a_model_far_too_big_before_loading_it(
    tmp_path: Path, far_too_big: Path
) -> None:
    result = run_cli(tmp_path / "home", "chat", str(far_too_big), "Hello", "--ctx", "4096")
    assert_one_line_error(
        result, "colossus.gguf needs more memory than this computer has", "Needs about"
    )


# Importing.


def test_a_gguf_not_named_gguf_is_imported_under_a_gguf_name(
    tmp_path: Path, tiny_model: Path
) -> None:
    source = tmp_path / "downloads" / "tiny-model.bin"
    source.parent.mkdir()
    shutil.copy(tiny_model, source)
    models = tmp_path / "models"

    path = import_model(source, models)

    assert path == models / "tiny-model.gguf"
    assert [m.name for m in scan_library(models, tmp_path / "no-hf-cache")] == ["tiny-model.gguf"]
    assert find_model(models, "tiny-model") == path  # so `models rm tiny-model` finds it


def test_import_onto_a_too_small_disk_is_refused_before_copying(
    tmp_path: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = shutil.disk_usage

    def small_disk(path: os.PathLike[str] | str) -> object:
        return real(path)._replace(free=tiny_model.stat().st_size)  # no room for the margin

    monkeypatch.setattr(downloads.shutil, "disk_usage", small_disk)
    models = tmp_path / "models"
    with pytest.raises(LibraryError, match=r"Not enough disk space to import .* as a link"):
        import_model(tiny_model, models)
    assert [p for p in models.rglob("*") if p.is_file()] == []  # not a byte written

    assert import_model(tiny_model, models, link=True).is_symlink()  # a link takes no space


# The GUI.


@pytest.mark.parametrize(
    ("fixture", "needle"),
    [("infinite_context", "llama.context_length as inf"), ("projector", "image projector")],
)
def test_the_gui_recovers_from_a_bad_file_and_loads_another(
    qtbot, parts, tiny_model: Path, request: pytest.FixtureRequest, fixture: str, needle: str
) -> None:
    with qtbot.waitSignal(parts.host.load_failed, timeout=30_000) as failed:
        parts.window.load_model(request.getfixturevalue(fixture))
    assert needle in failed.args[0]
    assert not parts.host.busy
    assert "Loading" not in parts.window.model_status.text()

    with qtbot.waitSignal(parts.host.loaded, timeout=60_000):
        parts.window.load_model(tiny_model)


def test_the_library_tab_lists_a_bad_file_as_unreadable_beside_the_good_one(
    qtbot, parts, tmp_path: Path, tiny_model: Path, infinite_context: Path
) -> None:
    for path in (tiny_model, infinite_context):
        shutil.copy(path, parts.paths.models / path.name)
    view = parts.models
    view.runner.wait_for_all()  # the first scan, of the real Hugging Face cache
    view.hf_cache_dir = tmp_path / "no-hf-cache"
    view.refresh_library()
    table = view.library.table
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=10_000)

    rows = {table.item(row, 0).text(): row for row in range(table.rowCount())}
    bad = rows["infinite.gguf"]
    assert table.item(bad, 1).text() == "unreadable"
    assert "llama.context_length as inf" in table.item(bad, 1).toolTip()
    assert table.item(rows[tiny_model.name], 1).text() == "llama"
