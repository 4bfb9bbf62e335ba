"""Read a GGUF model's header without loading the model.

Every way a file can be unusable ends in a ``GGUFError`` whose message names the file and can
be shown to the user as it is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gguf

_KNOWN_ARCHITECTURES = frozenset(gguf.MODEL_ARCH_NAMES.values())
_HEADER_PREFIX_SIZE = 8  # magic and version
_FILE_TYPE_NAMES = {
    file_type.value: file_type.name.removeprefix("MOSTLY_").removeprefix("ALL_")
    for file_type in gguf.LlamaFileType
    if file_type is not gguf.LlamaFileType.GUESSED
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

    @property
    def bits_per_weight(self) -> float:
        """File size in bits per parameter; 0.0 for a file without tensors."""
        if self.parameter_count == 0:
            return 0.0
        return self.file_size * 8 / self.parameter_count

    def kv_cache_bytes(self, n_ctx: int, bytes_per_element: int = 2) -> int:
        """Bytes llama.cpp allocates for the K and V caches of ``n_ctx`` tokens (f16 by default)."""
        per_token_per_layer = self.head_count_kv * (self.key_length + self.value_length)
        return self.block_count * n_ctx * per_token_per_layer * bytes_per_element


def read_gguf_info(path: Path | str) -> GGUFInfo:
    """Read the header of the GGUF file at ``path``; raise a ``GGUFError`` if it is unusable."""
    path = Path(path)
    file_size = _check_file(path)
    parse_failure: Exception | None = None
    try:
        header = _parse(path)
    except Exception as exc:
        # The traceback's frames hold the reader and so its memory map of the file; keep only
        # the exception itself, and raise outside this block so that nothing else links to it.
        parse_failure = exc.with_traceback(None)
        parse_failure.__context__ = None
    if parse_failure is not None:
        raise TruncatedGGUF(
            path, f"'{path.name}' is incomplete or damaged; download it again."
        ) from parse_failure

    if header.data_end > file_size:
        raise TruncatedGGUF(
            path,
            f"'{path.name}' is incomplete: it has {file_size:,} of {header.data_end:,} bytes.",
        )
    return _build_info(path, file_size, header)


def _check_file(path: Path) -> int:
    """Size of the file at ``path`` once its first bytes look like a readable GGUF."""
    if path.is_dir():
        raise NotAGGUF(path, f"'{path.name}' is a folder, not a GGUF model file.")
    try:
        with path.open("rb") as file:
            prefix = file.read(_HEADER_PREFIX_SIZE)
            file_size = file.seek(0, 2)
    except FileNotFoundError:
        raise GGUFNotFound(path, f"The model file '{path.name}' does not exist.") from None
    except OSError as exc:
        raise GGUFError(path, f"'{path.name}' cannot be read: {exc.strerror}.") from None

    if file_size == 0:
        raise NotAGGUF(path, f"'{path.name}' is empty, not a GGUF model file.")
    if not prefix.startswith(gguf.GGUF_MAGIC.to_bytes(4, "little")):
        raise NotAGGUF(path, f"'{path.name}' is not a GGUF model file.")
    if len(prefix) < _HEADER_PREFIX_SIZE:
        raise TruncatedGGUF(path, f"'{path.name}' is incomplete; download it again.")
    version = int.from_bytes(prefix[4:], "little")
    if version & 0xFFFF == 0:  # written on a big-endian machine
        version = int.from_bytes(prefix[4:], "big")
    if version not in gguf.READER_SUPPORTED_VERSIONS:
        raise GGUFError(
            path, f"'{path.name}' uses GGUF version {version}, which LlamaDesk cannot read."
        )
    return file_size


@dataclass(frozen=True)
class _Header:
    """The parts of a GGUF header LlamaDesk uses, as plain Python values."""

    metadata: dict[str, Any]
    token_count: int
    tensor_elements: dict[str, int]  # ggml type name -> number of weights
    data_end: int  # offset just past the last tensor's data


def _parse(path: Path) -> _Header:
    # GGUFReader memory-maps the whole file; nothing taken from it may keep a view of the map,
    # or the file would stay open (and, on Windows, undeletable) after we return.
    reader = gguf.GGUFReader(path)
    metadata: dict[str, Any] = {}
    token_count = 0
    for key, field in reader.fields.items():
        if key == gguf.Keys.Tokenizer.LIST:
            token_count = len(field.data)
        elif not field.types or field.types[0] != gguf.GGUFValueType.ARRAY:
            metadata[key] = field.contents()
        elif field.types[-1] != gguf.GGUFValueType.STRING and len(field.data) <= 1024:
            metadata[key] = field.contents()  # small numeric arrays, like per-layer head counts
    tensor_elements: Counter[str] = Counter()
    data_end = 0
    for tensor in reader.tensors:
        tensor_elements[tensor.tensor_type.name] += int(tensor.n_elements)
        data_end = max(data_end, int(tensor.data_offset) + int(tensor.n_bytes))
    return _Header(metadata, token_count, dict(tensor_elements), data_end)


def _build_info(path: Path, file_size: int, header: _Header) -> GGUFInfo:
    metadata = header.metadata
    architecture = metadata.get(gguf.Keys.General.ARCHITECTURE)
    if not isinstance(architecture, str) or not architecture:
        raise UnsupportedArchitecture(
            path, f"'{path.name}' does not say which model architecture it uses."
        )
    if architecture not in _KNOWN_ARCHITECTURES:
        raise UnsupportedArchitecture(
            path,
            f"'{path.name}' uses the '{architecture}' architecture, which llama.cpp cannot run.",
        )

    def number(key_template: str) -> int:
        value = metadata.get(key_template.format(arch=architecture))
        # Some architectures give a list with one value per layer; the largest is the safe one.
        if isinstance(value, list):
            value = max(value, default=0)
        return int(value) if isinstance(value, (int, float)) else 0

    embedding_length = number(gguf.Keys.LLM.EMBEDDING_LENGTH)
    head_count = number(gguf.Keys.Attention.HEAD_COUNT)
    head_dim = embedding_length // head_count if head_count else 0
    file_type = metadata.get(gguf.Keys.General.FILE_TYPE)
    if not isinstance(file_type, int):
        file_type = None
    name = metadata.get(gguf.Keys.General.NAME)
    chat_template = metadata.get(gguf.Keys.Tokenizer.CHAT_TEMPLATE)
    return GGUFInfo(
        path=path,
        file_size=file_size,
        architecture=architecture,
        name=name if isinstance(name, str) and name else path.stem,
        parameter_count=sum(header.tensor_elements.values()),
        file_type=file_type,
        quantization=_quantization_name(file_type, header.tensor_elements),
        context_length=number(gguf.Keys.LLM.CONTEXT_LENGTH),
        block_count=number(gguf.Keys.LLM.BLOCK_COUNT),
        embedding_length=embedding_length,
        head_count=head_count,
        # llama.cpp's defaults when the header leaves these out.
        head_count_kv=number(gguf.Keys.Attention.HEAD_COUNT_KV) or head_count,
        key_length=number(gguf.Keys.Attention.KEY_LENGTH) or head_dim,
        value_length=number(gguf.Keys.Attention.VALUE_LENGTH) or head_dim,
        vocab_size=number(gguf.Keys.LLM.VOCAB_SIZE) or header.token_count,
        chat_template=chat_template if isinstance(chat_template, str) else "",
    )


def _quantization_name(file_type: int | None, tensor_elements: dict[str, int]) -> str:
    """A name like "Q4_K_M": the file type's, or else the type most weights are stored in."""
    if file_type in _FILE_TYPE_NAMES:
        return _FILE_TYPE_NAMES[file_type]
    # Counting weights rather than tensors: every model keeps its many small norms in F32.
    return max(tensor_elements, key=tensor_elements.__getitem__, default="unknown")
