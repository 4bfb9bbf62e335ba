"""Reading GGUF headers, and the clear errors for files that are not usable models."""

from __future__ import annotations

import ctypes
import dataclasses
import os
import re
import struct
import sys
from collections.abc import Callable
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

import gguf
import llama_cpp
import numpy as np
import pytest

from conftest import write_minimal_gguf
from llamadesk.core import gguf_info
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
STRING = gguf.GGUFValueType.STRING
ARRAY = gguf.GGUFValueType.ARRAY
FLOAT32 = gguf.GGUFValueType.FLOAT32
UINT32 = gguf.GGUFValueType.UINT32


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
    info = read_gguf_info(write_minimal_gguf(tmp_path / "bare.gguf", "llama"))

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
    path = write_minimal_gguf(tmp_path / "odd.gguf", "frobnicator")

    with pytest.raises(UnsupportedArchitecture, match=r"'odd\.gguf' uses the 'frobnicator'"):
        read_gguf_info(path)


def test_missing_architecture(tmp_path: Path) -> None:
    path = write_minimal_gguf(tmp_path / "anonymous.gguf", "")  # the writer skips empty strings

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


def _string(text: bytes, length: int | None = None) -> bytes:
    """A GGUF string; ``length`` overrides the length field, to lie about it."""
    return struct.pack("<Q", len(text) if length is None else length) + text


def _entry(key: str, value_type: int, payload: bytes) -> bytes:
    return _string(key.encode()) + struct.pack("<I", value_type) + payload


def _array(item_type: int, count: int, items: bytes = b"") -> bytes:
    return struct.pack("<IQ", item_type, count) + items


def _tensor_info(name: str, dims: tuple[int, ...], type_id: int, offset: int = 0) -> bytes:
    return _string(name.encode()) + struct.pack(
        f"<I{len(dims)}QIQ", len(dims), *dims, type_id, offset
    )


def _handmade_gguf(
    path: Path, *entries: bytes, tensors: bytes = b"", n_kv: int | None = None, n_tensors: int = 0
) -> Path:
    """A GGUF v3 header made of raw parts, counts included, followed by 1 KiB of zeros."""
    n_kv = len(entries) if n_kv is None else n_kv
    counts = struct.pack("<IQQ", 3, n_tensors, n_kv)
    path.write_bytes(b"GGUF" + counts + b"".join(entries) + tensors + bytes(1024))
    return path


ARCH = _entry("general.architecture", STRING, _string(b"llama"))
HUGE = 2**40


@pytest.mark.timeout(5)
@pytest.mark.parametrize(
    ("entries", "counts"),
    [
        # GGUFReader loops for hours over arrays like these two.
        pytest.param(
            [_entry("tokenizer.ggml.tokens", ARRAY, _array(STRING, HUGE))], {}, id="2^40-strings"
        ),
        pytest.param(
            [_entry("tokenizer.ggml.scores", ARRAY, _array(FLOAT32, HUGE))], {}, id="2^40-floats"
        ),
        pytest.param([_string(b"general.architecture", length=2**63)], {}, id="key-past-the-end"),
        pytest.param(
            [_entry("general.name", STRING, _string(b"x", length=MIB))], {}, id="name-past-the-end"
        ),
        pytest.param(
            [
                _entry(
                    "tokenizer.ggml.tokens",
                    ARRAY,
                    _array(STRING, 2, _string(b"a") + _string(b"b", length=MIB)),
                )
            ],
            {},
            id="token-past-the-end",
        ),
        pytest.param([_entry("general.architecture", 13, b"")], {}, id="unknown-value-type"),
        pytest.param(
            [_entry("tokenizer.ggml.merges", ARRAY, _array(ARRAY, 1, _array(STRING, 0)))],
            {},
            id="array-of-arrays",
        ),
        pytest.param(
            [_entry("general.alignment", UINT32, struct.pack("<I", 48))], {}, id="alignment-48"
        ),
        pytest.param(
            [_entry("general.alignment", STRING, _string(b"32"))], {}, id="alignment-not-uint32"
        ),
        pytest.param([ARCH, ARCH], {}, id="duplicate-key"),
        pytest.param([ARCH], {"n_kv": 2**64 - 1}, id="2^64-entries"),
        pytest.param([ARCH], {"n_tensors": 2**63}, id="2^63-tensors"),
        pytest.param(
            [ARCH],
            {"tensors": _tensor_info("x", (1,) * 5, 0), "n_tensors": 1},
            id="five-dimensions",
        ),
        pytest.param(
            [ARCH],
            {"tensors": _tensor_info("x", (4,), 0) * 2, "n_tensors": 2},
            id="duplicate-tensor",
        ),
    ],
)
def test_damaged_headers_fail_fast(
    tmp_path: Path, entries: list[bytes], counts: dict[str, Any]
) -> None:
    path = _handmade_gguf(tmp_path / "hostile.gguf", *entries, **counts)

    with pytest.raises(TruncatedGGUF, match=r"'hostile\.gguf' is incomplete or damaged") as raised:
        read_gguf_info(path)
    assert raised.value.path == path


def test_unknown_tensor_type_asks_for_a_newer_version(tmp_path: Path) -> None:
    path = _handmade_gguf(
        tmp_path / "future.gguf", ARCH, tensors=_tensor_info("x", (32,), 200), n_tensors=1
    )

    with pytest.raises(GGUFError, match=r"'future\.gguf' .* \(ggml type 200\) .* newer") as raised:
        read_gguf_info(path)
    assert type(raised.value) is GGUFError
    assert raised.value.path == path


def test_tensor_data_past_the_end_is_incomplete(tmp_path: Path) -> None:
    path = _handmade_gguf(
        tmp_path / "short.gguf", ARCH, tensors=_tensor_info("x", (4096,), 0), n_tensors=1
    )

    with pytest.raises(
        TruncatedGGUF, match=r"'short\.gguf' is incomplete: it has 1,.* of 16,.* bytes"
    ):
        read_gguf_info(path)


def _open_files() -> set[str]:
    targets = set()
    for fd in os.listdir("/proc/self/fd"):
        with suppress(OSError):  # the descriptor listdir used, closed by now
            targets.add(os.readlink(f"/proc/self/fd/{fd}"))
    return targets


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
def test_no_file_is_left_open(tiny_model: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole.gguf"
    whole.write_bytes(tiny_model.read_bytes())
    hostile = _handmade_gguf(tmp_path / "hostile.gguf", ARCH, n_tensors=2**63)
    future = _handmade_gguf(
        tmp_path / "future.gguf", ARCH, tensors=_tensor_info("x", (32,), 200), n_tensors=1
    )

    read_gguf_info(whole)
    for path in (hostile, future):
        with pytest.raises(GGUFError):
            read_gguf_info(path)

    assert not [target for target in _open_files() if target.startswith(str(tmp_path))]


@pytest.fixture(scope="module")
def q4_k_m_model(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    quantized = tmp_path_factory.mktemp("quantized") / "tiny-q4_k_m.gguf"
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M
    result = llama_cpp.llama_model_quantize(
        os.fsencode(tiny_model), os.fsencode(quantized), ctypes.byref(params)
    )
    assert result == 0
    return quantized


def _write_varied_gguf(path: Path, endianess: gguf.GGUFEndian) -> Path:
    """A GGUF with what real models have and the test model lacks.

    Per-layer KV head counts, key and value lengths, a merges list, an empty and a long token,
    a custom alignment, and tensors of two types.
    """
    writer = gguf.GGUFWriter(path, "llama", endianess=endianess)
    writer.add_name("varied")
    writer.add_custom_alignment(64)
    writer.add_block_count(3)
    writer.add_embedding_length(32)
    writer.add_head_count(4)
    writer.add_head_count_kv([2, 4, 1])
    writer.add_key_length(16)
    writer.add_value_length(8)
    writer.add_float64("llama.some_float", 0.1)
    writer.add_bool("llama.some_flag", True)
    writer.add_token_list(["", "a", "bb", "é" * 300])
    writer.add_token_merges(["a bb", "bb a"])
    writer.add_array("llama.attention.sliding_window_pattern", [True, False, True])
    writer.add_tensor("token_embd.weight", np.ones((4, 32), dtype=np.float16))
    writer.add_tensor("output_norm.weight", np.ones(32, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _header_from_reader(path: Path) -> gguf_info._Header:
    """The header as gguf.GGUFReader reads it: slow, but the reference."""
    reader = gguf.GGUFReader(path)
    metadata: dict[str, object] = {}
    token_count = 0
    for key, field in reader.fields.items():
        if key == gguf.Keys.Tokenizer.LIST:
            token_count = len(field.data)
        elif field.types[0] != ARRAY or (field.types[-1] != STRING and len(field.data) <= 1024):
            metadata[key] = field.contents()
    elements: dict[str, int] = {}
    data_end = 0
    for tensor in reader.tensors:
        type_name = tensor.tensor_type.name
        elements[type_name] = elements.get(type_name, 0) + int(tensor.n_elements)
        data_end = max(data_end, int(tensor.data_offset) + int(tensor.n_bytes))
    size = path.stat().st_size
    del reader  # unmaps the file
    return gguf_info._Header(size, metadata, token_count, elements, data_end)


@pytest.mark.parametrize(
    "make",
    [
        lambda request, tmp_path: request.getfixturevalue("tiny_model"),
        lambda request, tmp_path: request.getfixturevalue("q4_k_m_model"),
        lambda request, tmp_path: _write_varied_gguf(tmp_path / "le.gguf", gguf.GGUFEndian.LITTLE),
        lambda request, tmp_path: _write_varied_gguf(tmp_path / "be.gguf", gguf.GGUFEndian.BIG),
    ],
    ids=["tiny", "tiny-q4_k_m", "varied", "varied-big-endian"],
)
def test_agrees_with_gguf_reader(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    make: Callable[[pytest.FixtureRequest, Path], Path],
) -> None:
    path = make(request, tmp_path)
    expected = _header_from_reader(path)

    with path.open("rb") as file:
        header = gguf_info._read_header(path, file)

    wanted = {key: value for key, value in expected.metadata.items() if gguf_info._wanted(key)}
    assert header == dataclasses.replace(expected, metadata=wanted)
    # And the info is what the whole header would give: no key that matters was left out.
    assert read_gguf_info(path) == gguf_info._build_info(path, expected)


@pytest.mark.parametrize("chunk_size", [1, 13, 256])
def test_buffer_size_does_not_matter(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_size: int
) -> None:
    # Real headers span many 1 MiB buffers; small ones put every boundary case in small files:
    # lengths and strings cut by the buffer's end, strings longer than the buffer.
    varied = _write_varied_gguf(tmp_path / "varied.gguf", gguf.GGUFEndian.LITTLE)
    expected = [read_gguf_info(tiny_model), read_gguf_info(varied)]

    monkeypatch.setattr(gguf_info, "_CHUNK_SIZE", chunk_size)

    assert [read_gguf_info(tiny_model), read_gguf_info(varied)] == expected


def test_the_magic_we_check_is_ggufs() -> None:
    from llamadesk.core import gguf_info

    assert gguf.GGUF_MAGIC.to_bytes(4, "little") == gguf_info._MAGIC
