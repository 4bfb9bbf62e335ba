"""Read a GGUF model's header without loading the model.

Every way a file can be unusable ends in a ``GGUFError`` whose message names the file and can
be shown to the user as it is.

The header is parsed here with ``struct`` rather than by ``gguf.GGUFReader``: the reader makes a
numpy view of every array element (seconds for a large vocabulary), trusts the counts it reads
(a damaged one can keep it busy for hours) and memory-maps the whole file. Here every count and
length is checked against the file's size before use, and arrays we do not need are skipped.
"""

from __future__ import annotations

import math
import os
import struct
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from llamadesk.core.kv_layout import KVLayout, layout_from_metadata


@cache
def _gguf() -> Any:
    """The gguf package, for its constants. It imports numpy, which costs a noticeable part of
    the app's start; only reading a header needs it, so it is imported then."""
    import gguf

    return gguf


@cache
def _known_architectures() -> frozenset[str]:
    return frozenset(_gguf().MODEL_ARCH_NAMES.values())


_MAGIC = b"GGUF"
_HEADER_PREFIX_SIZE = 8  # magic and version
_MAX_DIMS = 4  # GGML_MAX_DIMS
_MIN_KV_SIZE = 8 + 4 + 1  # key length, value type, a one-byte value
_MIN_TENSOR_INFO_SIZE = 8 + 4 + 4 + 8  # name length, dimension count, type, offset
_CHUNK_SIZE = 1 << 20
# Limits far above anything real, so that a damaged header cannot make us allocate or loop
# for long within a large file: keys and tensor names are short; a kept value is a name or a
# chat template; the largest vocabularies and merge lists have under a million entries.
_MAX_NAME_SIZE = 1 << 16
_MAX_KEPT_STRING_SIZE = 16 << 20
_MAX_STRING_ARRAY_LENGTH = 1 << 24
_MAX_KEPT_ARRAY_LENGTH = 1024  # per-layer values, like head counts
_MAX_COUNT = 1 << 64  # no size or count in a header can be larger (they are at most uint64)
_PROJECTOR_ARCH = "clip"  # what llama.cpp's mmproj files (vision projectors) declare


@cache
def _wanted_keys() -> frozenset[str]:
    return frozenset(
        {
            _gguf().Keys.General.ARCHITECTURE,
            _gguf().Keys.General.TYPE,
            _gguf().Keys.General.NAME,
            _gguf().Keys.General.FILE_TYPE,
            _gguf().Keys.General.ALIGNMENT,
            _gguf().Keys.Tokenizer.CHAT_TEMPLATE,
        }
    )


# "{arch}.context_length" -> ".context_length": the architecture is not known in advance, as
# nothing obliges general.architecture to come first.
@cache
def _wanted_arch_suffixes() -> tuple[str, ...]:
    return tuple(
        key.removeprefix("{arch}")
        for key in (
            _gguf().Keys.LLM.CONTEXT_LENGTH,
            _gguf().Keys.LLM.BLOCK_COUNT,
            _gguf().Keys.LLM.EMBEDDING_LENGTH,
            _gguf().Keys.LLM.VOCAB_SIZE,
            _gguf().Keys.Attention.HEAD_COUNT,
            _gguf().Keys.Attention.HEAD_COUNT_KV,
            _gguf().Keys.Attention.KEY_LENGTH,
            _gguf().Keys.Attention.VALUE_LENGTH,
        )
    )


# The keys of a model's layer pattern (see kv_layout) and of its experts (active parameters).
_LAYER_PATTERN_SUFFIXES = (
    ".attention.sliding_window",
    ".attention.sliding_window_pattern",
    ".attention.shared_kv_layers",
    ".attention.recurrent_layers",
    ".full_attention_interval",
    ".shortconv.l_cache",
    ".ssm.conv_kernel",
    ".ssm.inner_size",
    ".ssm.state_size",
    ".ssm.group_count",
    ".expert_count",
    ".expert_used_count",
)
# Mixture-of-experts weights: "blk.0.ffn_up_exps.weight"; only the used share works per token.
_EXPERT_TENSOR = "_exps."


@cache
def _file_type_names() -> dict[int, str]:
    return {
        file_type.value: file_type.name.removeprefix("MOSTLY_").removeprefix("ALL_")
        for file_type in _gguf().LlamaFileType
        if file_type is not _gguf().LlamaFileType.GUESSED
    }


class GGUFError(Exception):
    """A model file LlamaDesk cannot use; the message is one sentence for the user."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path


class GGUFNotFound(GGUFError):
    """The path does not exist."""


class NotAGGUF(GGUFError):
    """The path is a folder, an empty file or a file of another format."""


class TruncatedGGUF(GGUFError):
    """The file starts like a GGUF but is cut short or damaged."""


class UnsupportedArchitecture(GGUFError):
    """The model's architecture is one llama.cpp does not know."""


class NotAChatModel(GGUFError):
    """A GGUF that is not a language model: a vision model's image projector (mmproj)."""


class BadHeaderValue(GGUFError):
    """A size or count in the header is no usable number (infinite, NaN, negative)."""


@dataclass(frozen=True)
class GGUFInfo:
    """What a GGUF header says about its model. Sizes the header omits are 0."""

    path: Path
    file_size: int
    architecture: str
    name: str
    parameter_count: int
    file_type: int | None
    quantization: str
    context_length: int
    block_count: int
    embedding_length: int
    head_count: int
    head_count_kv: int
    key_length: int
    value_length: int
    vocab_size: int
    chat_template: str
    # Which layers keep a KV cache; None: every one of block_count, over the whole context.
    kv_layout: KVLayout | None
    active_parameter_count: int  # weights read per token: all but the unused experts

    @property
    def bits_per_weight(self) -> float:
        """File size in bits per parameter; 0.0 for a file without tensors."""
        if self.parameter_count == 0:
            return 0.0
        return self.file_size * 8 / self.parameter_count

    def kv_cache_bytes(self, n_ctx: int, bytes_per_element: int = 2, n_ubatch: int = 512) -> int:
        """Bytes llama.cpp allocates for the K and V caches of ``n_ctx`` tokens (f16 by default).

        Only the layers with a cache count; sliding-window ones keep a window (`KVLayout`).
        """
        per_token_per_layer = self.head_count_kv * (self.key_length + self.value_length)
        layout = self.kv_layout or KVLayout.full(self.block_count)
        return layout.kv_cache_bytes(per_token_per_layer, n_ctx, n_ubatch, bytes_per_element)


def read_gguf_info(path: Path | str) -> GGUFInfo:
    """Read the header of the GGUF file at ``path``; raise a ``GGUFError`` if it is unusable."""
    path = Path(path)
    if path.is_dir():
        raise NotAGGUF(path, f"'{path.name}' is a folder, not a GGUF model file.")
    try:
        with path.open("rb") as file:
            header = _read_header(path, file)
    except FileNotFoundError:
        raise GGUFNotFound(path, f"The model file '{path.name}' does not exist.") from None
    except OSError as exc:
        raise GGUFError(path, f"'{path.name}' cannot be read: {exc.strerror}.") from None

    if header.data_end > header.file_size:
        have, need = header.file_size, header.data_end
        raise TruncatedGGUF(
            path, f"'{path.name}' is incomplete: it has {have:,} of {need:,} bytes."
        )
    return _build_info(path, header)


def _read_header(path: Path, file: BinaryIO) -> _Header:
    """Parse the header of ``file``, opened from ``path``; raise a ``GGUFError`` if unusable."""
    file_size = file.seek(0, os.SEEK_END)
    file.seek(0)
    order = _check_prefix(path, file.read(_HEADER_PREFIX_SIZE), file_size)
    try:
        return _parse(_Source(file, file_size, _formats(order)))
    except _Damaged as exc:
        raise TruncatedGGUF(
            path, f"'{path.name}' is incomplete or damaged; download it again."
        ) from exc
    except _UnknownTensorType as exc:
        raise GGUFError(
            path,
            f"'{path.name}' stores weights in a format (ggml type {exc.type_id}) that this"
            " version of LlamaDesk cannot read; it may need a newer version.",
        ) from exc


def _check_prefix(path: Path, prefix: bytes, file_size: int) -> str:
    """The byte order ("<" or ">") of a file that starts with ``prefix``, if it is a GGUF."""
    if file_size == 0:
        raise NotAGGUF(path, f"'{path.name}' is empty, not a GGUF model file.")
    if not prefix.startswith(_MAGIC):
        raise NotAGGUF(path, f"'{path.name}' is not a GGUF model file.")
    if len(prefix) < _HEADER_PREFIX_SIZE:
        raise TruncatedGGUF(path, f"'{path.name}' is incomplete; download it again.")
    order = "<"
    version = int.from_bytes(prefix[4:], "little")
    if version & 0xFFFF == 0:  # written on a big-endian machine
        order = ">"
        version = int.from_bytes(prefix[4:], "big")
    if version not in _gguf().READER_SUPPORTED_VERSIONS:
        raise GGUFError(
            path, f"'{path.name}' uses GGUF version {version}, which LlamaDesk cannot read."
        )
    return order


@dataclass(frozen=True)
class _Header:
    """The parts of a GGUF header LlamaDesk uses, as plain Python values."""

    file_size: int
    metadata: dict[str, object]  # only the keys _wanted() accepts
    token_count: int
    tensor_elements: dict[str, int]  # ggml type name -> number of weights
    data_end: int  # offset just past the last tensor's data; 0 without tensors
    expert_elements: int = 0  # weights in mixture-of-experts tensors


class _Damaged(Exception):
    """The header contradicts itself or the file's size; the message says where, for logs."""


class _UnknownTensorType(Exception):
    """A tensor is stored in a ggml type the ``gguf`` package does not know."""

    def __init__(self, type_id: int) -> None:
        super().__init__(f"unknown ggml type {type_id}")
        self.type_id = type_id


@dataclass(frozen=True)
class _Formats:
    """The compiled ``struct`` formats for one byte order."""

    u32: struct.Struct
    u64: struct.Struct
    counts: struct.Struct  # tensor count, metadata count
    array_header: struct.Struct  # item type, item count
    tensor_tail: struct.Struct  # ggml type, offset into the data section
    dims: tuple[struct.Struct, ...]  # indexed by the number of dimensions
    scalars: dict[int, struct.Struct]  # GGUFValueType -> format, for all but strings and arrays

    @classmethod
    def for_order(cls, order: str) -> _Formats:
        return cls(
            u32=struct.Struct(order + "I"),
            u64=struct.Struct(order + "Q"),
            counts=struct.Struct(order + "QQ"),
            array_header=struct.Struct(order + "IQ"),
            tensor_tail=struct.Struct(order + "IQ"),
            dims=tuple(struct.Struct(f"{order}{n}Q") for n in range(_MAX_DIMS + 1)),
            scalars={kind: struct.Struct(order + code) for kind, code in _scalar_codes().items()},
        )


@cache
def _scalar_codes() -> dict[int, str]:
    return {
        _gguf().GGUFValueType.UINT8: "B",
        _gguf().GGUFValueType.INT8: "b",
        _gguf().GGUFValueType.UINT16: "H",
        _gguf().GGUFValueType.INT16: "h",
        _gguf().GGUFValueType.UINT32: "I",
        _gguf().GGUFValueType.INT32: "i",
        _gguf().GGUFValueType.FLOAT32: "f",
        _gguf().GGUFValueType.BOOL: "?",
        _gguf().GGUFValueType.UINT64: "Q",
        _gguf().GGUFValueType.INT64: "q",
        _gguf().GGUFValueType.FLOAT64: "d",
    }


@cache
def _formats(order: str) -> _Formats:
    return _Formats.for_order(order)


class _Source:
    """A file read front to back through one large buffer, never past the file's end.

    Every read checks the bytes it needs against the file's size first, so a length or count
    a damaged header makes up fails at once instead of allocating or looping.
    """

    def __init__(self, file: BinaryIO, size: int, formats: _Formats) -> None:
        self.formats = formats
        self.size = size
        self._file = file
        self._buf = b""
        self._base = file.tell()  # the file offset of _buf[0]; the file is at _base + len(_buf)
        self._pos = 0

    @property
    def offset(self) -> int:
        return self._base + self._pos

    def require(self, size: int, what: str) -> None:
        """Raise ``_Damaged`` unless the file holds ``size`` more bytes."""
        if size > self.size - self.offset:
            raise _Damaged(
                f"{what} ({size:,} bytes at offset {self.offset:,}) runs past the end of the"
                f" file ({self.size:,} bytes)"
            )

    def unpack(self, fmt: struct.Struct) -> tuple[Any, ...]:
        self._fill(fmt.size)
        values = fmt.unpack_from(self._buf, self._pos)
        self._pos += fmt.size
        return values

    def u32(self) -> int:
        return int(self.unpack(self.formats.u32)[0])

    def u64(self) -> int:
        return int(self.unpack(self.formats.u64)[0])

    def take(self, size: int) -> bytes:
        self._fill(size)
        data = self._buf[self._pos : self._pos + size]
        self._pos += size
        return data

    def skip(self, size: int) -> None:
        self.require(size, "skipped data")
        if self._pos + size <= len(self._buf):
            self._pos += size
            return
        self._base = self.offset + size
        self._buf, self._pos = b"", 0
        self._file.seek(self._base)

    def string(self, limit: int) -> str:
        """A length-prefixed UTF-8 string of at most ``limit`` bytes."""
        length = self.u64()
        if length > limit:
            raise _Damaged(f"a string of {length:,} bytes at offset {self.offset:,}")
        try:
            return self.take(length).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Damaged(f"a string before offset {self.offset:,} is not UTF-8") from exc

    def skip_string(self) -> None:
        self.skip(self.u64())

    def skip_strings(self, count: int) -> None:
        """Walk past ``count`` length-prefixed strings without copying or decoding them."""
        # A vocabulary holds hundreds of thousands of strings, so this loop is the parser's hot
        # spot: it reads lengths straight from the buffer with local names, and only leaves it
        # to refill the buffer or to seek past a string that runs beyond it.
        unpack_from = self.formats.u64.unpack_from
        while count:
            self._fill(8)
            buf, pos = self._buf, self._pos
            last_length_at = len(buf) - 8
            walked = count
            for index in range(count):
                if pos > last_length_at:
                    walked = index
                    break
                pos += 8 + unpack_from(buf, pos)[0]
            count -= walked
            self.skip(pos - self._pos)  # checks that the last string ends inside the file

    def _fill(self, size: int) -> None:
        """Have ``size`` bytes buffered from the current position."""
        if self._pos + size <= len(self._buf):
            return
        self.require(size, "a value")
        rest = self._buf[self._pos :]
        self._base += self._pos
        self._buf = rest + self._file.read(max(_CHUNK_SIZE, size - len(rest)))
        self._pos = 0
        if len(self._buf) < size:
            raise _Damaged(f"the file was cut short while it was read, at offset {self.offset:,}")


def _parse(source: _Source) -> _Header:
    """Parse the header after its magic and version."""
    n_tensors, n_kv = source.unpack(source.formats.counts)
    # Each entry takes some bytes however small it is: counts the file cannot hold fail here.
    source.require(
        n_kv * _MIN_KV_SIZE + n_tensors * _MIN_TENSOR_INFO_SIZE,
        f"{n_kv:,} metadata entries and {n_tensors:,} tensors",
    )
    metadata, token_count = _read_metadata(source, n_kv)
    alignment = _alignment(metadata)
    tensor_elements, expert_elements, data_size = _read_tensor_infos(source, n_tensors)
    data_start = -(-source.offset // alignment) * alignment
    data_end = data_start + data_size if n_tensors else 0
    return _Header(source.size, metadata, token_count, tensor_elements, data_end, expert_elements)


def _read_metadata(source: _Source, count: int) -> tuple[dict[str, object], int]:
    """The wanted metadata values, and the length of the token list."""
    metadata: dict[str, object] = {}
    token_count = 0
    seen: set[str] = set()
    for _ in range(count):
        key = source.string(_MAX_NAME_SIZE)
        if key in seen:
            raise _Damaged(f"the metadata key {key!r} appears twice")
        seen.add(key)
        value_type = source.u32()
        if key == _gguf().Keys.General.ALIGNMENT and value_type != _gguf().GGUFValueType.UINT32:
            raise _Damaged(f"{key} has value type {value_type}, not uint32")
        keep = _wanted(key)
        value: object | None
        if value_type == _gguf().GGUFValueType.ARRAY:
            length, value = _read_array(source, keep)
            if key == _gguf().Keys.Tokenizer.LIST:
                token_count = length
        else:
            value = _read_value(source, value_type, keep)
        if value is not None:
            metadata[key] = value
    return metadata, token_count


def _wanted(key: str) -> bool:
    return (
        key in _wanted_keys()
        or key.endswith(_wanted_arch_suffixes())
        or key.endswith(_LAYER_PATTERN_SUFFIXES)
    )


def _read_value(source: _Source, value_type: int, keep: bool) -> object | None:
    """One string or number; None when not ``keep``."""
    if value_type == _gguf().GGUFValueType.STRING:
        if keep:
            return source.string(_MAX_KEPT_STRING_SIZE)
        source.skip_string()
        return None
    fmt = _scalar_format(source, value_type)
    value = source.unpack(fmt)[0]
    return value if keep else None


def _read_array(source: _Source, keep: bool) -> tuple[int, list[Any] | None]:
    """An array's length, and its items if ``keep`` and it is a short list of numbers."""
    item_type, count = source.unpack(source.formats.array_header)
    if item_type == _gguf().GGUFValueType.STRING:
        if count > _MAX_STRING_ARRAY_LENGTH:
            raise _Damaged(f"an array of {count:,} strings at offset {source.offset:,}")
        source.require(count * 8, f"an array of {count:,} strings")  # 8: each one's length
        source.skip_strings(count)
        return count, None
    # Arrays of arrays end here too: llama.cpp refuses them as well.
    fmt = _scalar_format(source, item_type)
    size = count * fmt.size
    if keep and count <= _MAX_KEPT_ARRAY_LENGTH:
        return count, [item for (item,) in fmt.iter_unpack(source.take(size))]
    source.skip(size)
    return count, None


def _scalar_format(source: _Source, value_type: int) -> struct.Struct:
    fmt = source.formats.scalars.get(value_type)
    if fmt is None:
        raise _Damaged(f"unknown value type {value_type} before offset {source.offset:,}")
    return fmt


def _alignment(metadata: dict[str, object]) -> int:
    """The data section's alignment, which must be a power of two."""
    alignment = metadata.get(_gguf().Keys.General.ALIGNMENT, _gguf().GGUF_DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise _Damaged(f"the alignment {alignment} is not a power of two")
    return alignment


def _read_tensor_infos(source: _Source, count: int) -> tuple[dict[str, int], int, int]:
    """Weights per ggml type name, weights in expert tensors, and the data section's size."""
    tensor_elements: Counter[str] = Counter()
    expert_elements = 0
    names: set[str] = set()
    data_size = 0
    for _ in range(count):
        name, type_name, n_elements, end = _read_tensor_info(source)
        if name in names:
            raise _Damaged(f"two tensors are named {name!r}")
        names.add(name)
        tensor_elements[type_name] += n_elements
        if _EXPERT_TENSOR in name:
            expert_elements += n_elements
        data_size = max(data_size, end)
    return dict(tensor_elements), expert_elements, data_size


def _read_tensor_info(source: _Source) -> tuple[str, str, int, int]:
    """One tensor's name, type name, element count and end offset within the data section."""
    name = source.string(_MAX_NAME_SIZE)
    n_dims = source.u32()
    if n_dims > _MAX_DIMS:
        raise _Damaged(f"tensor {name!r} has {n_dims:,} dimensions")
    n_elements = math.prod(source.unpack(source.formats.dims[n_dims]))
    type_id, offset = source.unpack(source.formats.tensor_tail)
    try:
        tensor_type = _gguf().GGMLQuantizationType(type_id)
        block_size, type_size = _gguf().GGML_QUANT_SIZES[tensor_type]
    except (ValueError, KeyError):
        raise _UnknownTensorType(type_id) from None
    return name, tensor_type.name, n_elements, offset + n_elements * type_size // block_size


def _build_info(path: Path, header: _Header) -> GGUFInfo:
    metadata = header.metadata
    architecture = metadata.get(_gguf().Keys.General.ARCHITECTURE)
    if not isinstance(architecture, str) or not architecture:
        raise UnsupportedArchitecture(
            path, f"'{path.name}' does not say which model architecture it uses."
        )
    if metadata.get(_gguf().Keys.General.TYPE) == "mmproj" or architecture == _PROJECTOR_ARCH:
        raise NotAChatModel(
            path,
            f"'{path.name}' is an image projector for a vision model (mmproj), not a chat "
            "model; open the model file beside it.",
        )
    if architecture not in _known_architectures():
        raise UnsupportedArchitecture(
            path,
            f"'{path.name}' uses the '{architecture}' architecture, which llama.cpp cannot run.",
        )

    def number(key_template: str) -> int:
        key = key_template.format(arch=architecture)
        return _count(path, key, metadata.get(key))

    embedding_length = number(_gguf().Keys.LLM.EMBEDDING_LENGTH)
    head_count = number(_gguf().Keys.Attention.HEAD_COUNT)
    head_dim = embedding_length // head_count if head_count else 0
    file_type = metadata.get(_gguf().Keys.General.FILE_TYPE)
    if not isinstance(file_type, int):
        file_type = None
    name = metadata.get(_gguf().Keys.General.NAME)
    chat_template = metadata.get(_gguf().Keys.Tokenizer.CHAT_TEMPLATE)
    block_count = number(_gguf().Keys.LLM.BLOCK_COUNT)
    parameter_count = sum(header.tensor_elements.values())
    return GGUFInfo(
        path=path,
        file_size=header.file_size,
        architecture=architecture,
        name=name if isinstance(name, str) and name else path.stem,
        parameter_count=parameter_count,
        file_type=file_type,
        quantization=_quantization_name(file_type, header.tensor_elements),
        context_length=number(_gguf().Keys.LLM.CONTEXT_LENGTH),
        block_count=block_count,
        embedding_length=embedding_length,
        head_count=head_count,
        # llama.cpp's defaults when the header leaves these out.
        head_count_kv=number(_gguf().Keys.Attention.HEAD_COUNT_KV) or head_count,
        key_length=number(_gguf().Keys.Attention.KEY_LENGTH) or head_dim,
        value_length=number(_gguf().Keys.Attention.VALUE_LENGTH) or head_dim,
        vocab_size=number(_gguf().Keys.LLM.VOCAB_SIZE) or header.token_count,
        chat_template=chat_template if isinstance(chat_template, str) else "",
        kv_layout=_kv_layout(metadata, architecture, block_count),
        active_parameter_count=parameter_count - _idle_expert_weights(header, architecture),
    )


def _count(path: Path, key: str, value: object) -> int:
    """A size or count from the header as an int: 0 when absent, BadHeaderValue when unusable.

    Some architectures give a list with one value per layer; the largest is the safe one.
    """
    if isinstance(value, list):
        return max((_count(path, key, item) for item in value), default=0)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    # int() of an infinite float raises OverflowError and of NaN ValueError: name the field.
    if not math.isfinite(value) or not 0 <= value < _MAX_COUNT:
        raise BadHeaderValue(
            path,
            f"'{path.name}' is damaged: its header gives {key} as {value}, which is not a "
            "usable number. Download or convert the model again.",
        )
    return int(value)


def _kv_layout(metadata: dict[str, object], architecture: str, block_count: int) -> KVLayout | None:
    layout = layout_from_metadata(metadata, architecture, block_count)
    return None if layout == KVLayout.full(block_count) else layout


def _idle_expert_weights(header: _Header, architecture: str) -> int:
    """Weights of the experts a token does not use: (count - used) / count of them."""
    experts = header.metadata.get(f"{architecture}.expert_count")
    used = header.metadata.get(f"{architecture}.expert_used_count")
    if not isinstance(experts, int) or not isinstance(used, int) or not 0 < used < experts:
        return 0
    return header.expert_elements * (experts - used) // experts


def _quantization_name(file_type: int | None, tensor_elements: dict[str, int]) -> str:
    """A name like "Q4_K_M": the file type's, or else the type most weights are stored in."""
    if file_type in _file_type_names():
        return _file_type_names()[file_type]
    # Counting weights rather than tensors: every model keeps its many small norms in F32.
    return max(tensor_elements, key=tensor_elements.__getitem__, default="unknown")
