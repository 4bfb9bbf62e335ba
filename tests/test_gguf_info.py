"""Reading GGUF headers, and the clear errors for files that are not usable models."""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import gguf
import llama_cpp
import numpy as np
import pytest

from llamadesk.core.gguf_info import (
    GGUFError,
    GGUFNotFound,
    NotAGGUF,
    TruncatedGGUF,
    UnsupportedArchitecture,
    read_gguf_info,
)
from llamadesk.core.testmodel import SHAPES

MIB = 1024 * 1024


def _write_minimal_gguf(path: Path, architecture: str) -> Path:
    """A GGUF holding one F16 tensor and no metadata besides the architecture."""
    writer = gguf.GGUFWriter(path, architecture)
    writer.add_tensor("weight", np.zeros((4, 8), dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _data_offset(path: Path) -> int:
    reader = gguf.GGUFReader(path)
    offset = reader.data_offset
    del reader  # unmaps the file
    return offset


def test_reads_the_header(tiny_model: Path) -> None:
    shape = SHAPES["tiny"]

    info = read_gguf_info(str(tiny_model))

    assert info.path == tiny_model
    assert info.file_size == tiny_model.stat().st_size
    assert info.key_length == info.value_length == shape.head_dim
    assert 32 < info.bits_per_weight < 33  # F32 weights plus the header


def test_kv_cache_bytes_follows_the_formula(tiny_model: Path) -> None:
    info = read_gguf_info(tiny_model)

    # 2 layers x 1024 cells x 2 KV heads x (64 + 64) x 2 bytes
    assert info.kv_cache_bytes(1024) == 2 * 1024 * 2 * 128 * 2
    assert info.kv_cache_bytes(1024, bytes_per_element=1) == 2 * 1024 * 2 * 128


def test_kv_cache_bytes_of_tinyllama_matches_what_llama_cpp_logged(tiny_model: Path) -> None:
    # REFERENCE.md section 7: llama.cpp logged "KV buffer size = 44.00 MiB" for TinyLlama-1.1B.
    shape = SHAPES["1b"]
    tinyllama = dataclasses.replace(
        read_gguf_info(tiny_model),
        block_count=shape.n_layer,
        head_count_kv=shape.n_head_kv,
        key_length=shape.head_dim,
        value_length=shape.head_dim,
    )

    assert tinyllama.kv_cache_bytes(2048) == 44 * MIB


def test_kv_cache_bytes_matches_llama_cpp_allocation(
    tiny_model: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    n_ctx = 1024
    with closing(llama_cpp.Llama(model_path=str(tiny_model), n_ctx=n_ctx, verbose=True)):
        pass
    log = capfd.readouterr().err

    logged = re.search(r"KV buffer size =\s*([\d.]+) MiB", log)
    assert logged is not None, "llama.cpp no longer logs its KV buffer size"
    expected = read_gguf_info(tiny_model).kv_cache_bytes(n_ctx)
    assert float(logged.group(1)) == pytest.approx(expected / MIB, abs=0.005)


def test_file_type_missing_falls_back_to_the_tensor_type(tmp_path: Path) -> None:
    info = read_gguf_info(_write_minimal_gguf(tmp_path / "bare.gguf", "llama"))

    assert info.file_type is None
    assert info.quantization == "F16"
    assert info.name == "bare"
    assert info.parameter_count == 32
    assert (info.context_length, info.vocab_size, info.chat_template) == (0, 0, "")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(GGUFNotFound, match=r"'nowhere\.gguf' does not exist"):
        read_gguf_info(tmp_path / "nowhere.gguf")


def test_folder_is_not_a_gguf(tmp_path: Path) -> None:
    folder = tmp_path / "folder.gguf"
    folder.mkdir()

    with pytest.raises(NotAGGUF, match=r"'folder\.gguf' is a folder"):
        read_gguf_info(folder)


@pytest.mark.parametrize(
    ("contents", "message"),
    [
        (b"", "is empty"),
        (b"GG", "is not a GGUF"),
        (b"Once upon a time there was a model that was only text.\n", "is not a GGUF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "is not a GGUF"),
    ],
    ids=["empty", "two-bytes", "text", "png"],
)
def test_other_files_are_not_ggufs(tmp_path: Path, contents: bytes, message: str) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(contents)

    with pytest.raises(NotAGGUF, match=rf"'model\.gguf' {message}"):
        read_gguf_info(path)


@pytest.mark.parametrize(
    "keep",
    [
        # (file size, header size) -> bytes to keep
        lambda size, header: 6,  # inside the version number
        lambda size, header: 24,  # just the fixed-size start
        lambda size, header: 100,
        lambda size, header: header // 2,  # inside the vocabulary
        lambda size, header: header + 10,  # tensor data barely begun
        lambda size, header: int(size * 0.6),
        lambda size, header: size - 1,
    ],
    ids=["6-bytes", "24-bytes", "100-bytes", "half-header", "header", "60-percent", "one-short"],
)
def test_truncated_files(tiny_model: Path, tmp_path: Path, keep: Callable[[int, int], int]) -> None:
    data = tiny_model.read_bytes()
    path = tmp_path / "partial.gguf"
    path.write_bytes(data[: keep(len(data), _data_offset(tiny_model))])

    with pytest.raises(TruncatedGGUF, match=r"'partial\.gguf' is incomplete"):
        read_gguf_info(path)


def test_garbage_after_the_magic_is_reported_as_damaged(tiny_model: Path, tmp_path: Path) -> None:
    data = bytearray(tiny_model.read_bytes())
    data[24:4096] = np.random.default_rng(0).bytes(4096 - 24)
    path = tmp_path / "damaged.gguf"
    path.write_bytes(bytes(data))

    with pytest.raises(TruncatedGGUF, match=r"'damaged\.gguf' is incomplete or damaged"):
        read_gguf_info(path)


def test_unknown_gguf_version(tmp_path: Path) -> None:
    path = tmp_path / "future.gguf"
    path.write_bytes(b"GGUF" + (99).to_bytes(4, "little") + bytes(16))

    with pytest.raises(GGUFError, match=r"'future\.gguf' uses GGUF version 99"):
        read_gguf_info(path)


def test_unknown_architecture(tmp_path: Path) -> None:
    path = _write_minimal_gguf(tmp_path / "odd.gguf", "frobnicator")

    with pytest.raises(UnsupportedArchitecture, match=r"'odd\.gguf' uses the 'frobnicator'"):
        read_gguf_info(path)


def test_missing_architecture(tmp_path: Path) -> None:
    path = _write_minimal_gguf(tmp_path / "anonymous.gguf", "")  # the writer skips empty strings

    with pytest.raises(UnsupportedArchitecture, match=r"'anonymous\.gguf' does not say"):
        read_gguf_info(path)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_file_is_not_left_mapped(tiny_model: Path, tmp_path: Path) -> None:
    # Copies of our own: other tests may hold the shared model open in llama.cpp.
    data = tiny_model.read_bytes()
    whole = tmp_path / "whole.gguf"
    whole.write_bytes(data)
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(data[: _data_offset(whole) + 10])

    read_gguf_info(whole)
    with pytest.raises(TruncatedGGUF) as raised:
        read_gguf_info(broken)

    maps = Path("/proc/self/maps").read_text()
    assert str(whole) not in maps
    assert str(broken) not in maps
    assert raised.value.path == broken
