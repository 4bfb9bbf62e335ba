"""Tiny real GGUF models with random weights, for tests, the demo model and the self-test.

The files are genuine GGUFs that llama.cpp loads, chats with (babbling, since the weights are
random) and quantizes. Same shape, dtype and seed give the same bytes. Most are llama-shaped;
others have the layer patterns of 2026 models, for the memory estimate and the speed
prediction: gemma3 (sliding-window layers), lfm2 (short-convolution layers between attention
layers: a hybrid) and qwen3moe (a mixture of experts).
"""

from __future__ import annotations

import itertools
import math
import os
import string
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import gguf
import numpy as np
import numpy.typing as npt

from llamadesk.core.quants import QUANT_LEVELS, QuantLevel, quant_level

MODEL_NAME = "LlamaDesk test model (random weights)"

# Zephyr's format, written with eos_token so it follows the vocabulary.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\\n' + message['content'] + eos_token + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)

UNK_ID, BOS_ID, EOS_ID = 0, 1, 2
SPECIAL_TOKENS = ("<unk>", "<s>", "</s>")
N_BYTE_TOKENS = 256
WORD_BOUNDARY = "\u2581"  # SentencePiece's "▁", which stands for a space

# Whitespace-separated; each becomes a one-token "▁word" when the vocabulary is big enough.
COMMON_WORDS = """
the of and to in is it you that was for on are with as be at this have from or one had by but
not what all were we when your can said there use an each which she do how their if will up
other about out many then them these so some her would make like him into time has look two
more write go see number no way could people my than first water been call who its now find
long down day did get come made may part over new sound take only little work know place year
live me back give most very after thing our just name good sentence man think say great where
help through much before line right too mean old any same tell boy follow came want show also
around form three small set put end does another well large must big even such because turn
here why ask went men read need land different home us move try kind hand picture again change
off play spell air away animal house point page letter mother answer found study still learn
should world high every near add food between own below country plant last school father keep
tree never start city earth eye light thought head under story saw left few while along might
close something seem next hard open example begin life always those both paper together got
group often run important until children side feet car mile night walk white sea began grow
took river four carry state once book hear stop without second later miss idea enough eat face
watch far really almost let above girl sometimes mountain cut young talk soon list song being
leave family hello thanks please yes sure sorry question computer model local chat message
assistant user system language text token prompt context memory download file quantization
weights layer attention llama desktop machine learning python
"""


@dataclass(frozen=True)
class ModelShape:
    """Hyperparameters of a test model.

    Args:
        architecture: "llama", "gemma3", "lfm2" or "qwen3moe".
        sliding_window: gemma3: the window of its sliding layers (5 in every 6); 0 for none.
        attention_layers: lfm2: the layers with attention; the others are short convolutions.
        n_expert, n_expert_used, n_ff_exp: qwen3moe: experts per layer, used per token, and
            each expert's feed-forward width (``n_ff`` is then unused).
    """

    n_vocab_words: int  # pieces after <unk>, <s>, </s> and the 256 byte tokens
    n_embd: int
    n_layer: int
    n_head: int
    n_head_kv: int
    n_ff: int
    n_ctx_train: int
    architecture: str = "llama"
    sliding_window: int = 0
    attention_layers: tuple[int, ...] = ()
    n_expert: int = 0
    n_expert_used: int = 0
    n_ff_exp: int = 0

    @property
    def n_vocab(self) -> int:
        return len(SPECIAL_TOKENS) + N_BYTE_TOKENS + self.n_vocab_words

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    @property
    def parameter_count(self) -> int:
        """Number of weights the written file holds."""
        return sum(math.prod(dims) for _, dims in _tensor_layout(self))


SHAPES: dict[str, ModelShape] = {
    # K-quants need rows that are a multiple of 256, hence n_embd and n_ff.
    "tiny": ModelShape(
        n_vocab_words=1024,
        n_embd=256,
        n_layer=2,
        n_head=4,
        n_head_kv=2,
        n_ff=512,
        n_ctx_train=2048,
    ),
    # TinyLlama-1.1B's layout: 1,100,048,384 weights, 32000 tokens.
    "1b": ModelShape(
        n_vocab_words=32000 - len(SPECIAL_TOKENS) - N_BYTE_TOKENS,
        n_embd=2048,
        n_layer=22,
        n_head=32,
        n_head_kv=4,
        n_ff=5632,
        n_ctx_train=2048,
    ),
}
SHAPES |= {
    # Gemma 3's pattern: five sliding-window layers, then one global; two rounds of six.
    "gemma3": replace(
        SHAPES["tiny"], architecture="gemma3", n_layer=12, sliding_window=128, n_ctx_train=8192
    ),
    # LFM2's: attention in a few layers, short convolutions (a fixed state) in the rest.
    "lfm2": replace(
        SHAPES["tiny"], architecture="lfm2", n_layer=8, attention_layers=(2, 5), n_ctx_train=8192
    ),
    # A mixture of experts the size of a small real one: about 0.7B weights, 0.17B active.
    "moe": ModelShape(
        n_vocab_words=32000 - len(SPECIAL_TOKENS) - N_BYTE_TOKENS,
        n_embd=1024,
        n_layer=12,
        n_head=16,
        n_head_kv=4,
        n_ff=2048,
        n_ctx_train=4096,
        architecture="qwen3moe",
        n_expert=32,
        n_expert_used=4,
        n_ff_exp=512,
    ),
}


def write_test_model(
    path: Path,
    shape: str | ModelShape = "tiny",
    *,
    dtype: Literal["F32", "F16"] = "F32",
    seed: int = 0,
    chat_template: str = CHAT_TEMPLATE,
    control_tokens: Sequence[str] = (),
) -> Path:
    """Write a llama GGUF with random weights to ``path`` and return ``path``.

    ``chat_template`` replaces the Zephyr-style default; ``control_tokens`` (such as
    ``<think>`` or ``<|channel|>``) take the place of the last word pieces, as control tokens,
    so that a real model's template renders and its markers are single tokens, as in the
    real model. Missing folders are created. The file appears under its final name only once
    complete.
    """
    model_shape = SHAPES[shape] if isinstance(shape, str) else shape
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A unique name, so that two writers of the same file do not write into each other.
    temp_path = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    try:
        _write_gguf(temp_path, model_shape, dtype, seed, _Vocabulary(chat_template, control_tokens))
        os.replace(temp_path, path)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    return path


# What `write_test_model_as` stores each shape as when no level is named: the small models stay
# exact (tests compare with them); the 1b one is what people download, a Q4_K_M.
DEFAULT_LEVELS = {"tiny": "F32", "1b": "Q4_K_M", "gemma3": "F32", "lfm2": "F32", "moe": "Q4_K_M"}
_SMALL_SHAPES = ("tiny", "gemma3", "lfm2")  # small enough to be written in F32

# Gets the stage ("writing" or "quantizing") and the share of it done, from 0 to 1.
StageProgress = Callable[[str, float], None]


def write_test_model_as(
    path: Path,
    shape: str = "tiny",
    level: str | None = None,
    *,
    seed: int = 0,
    progress: StageProgress | None = None,
) -> Path:
    """Write a test model of ``shape`` stored at ``level`` (default: `DEFAULT_LEVELS`).

    F32 and F16 are written as they are; other levels are written in F16 to a temporary file
    beside ``path``, quantized by llama.cpp (`quantize.quantize`), and the temporary file
    deleted. ``path`` appears, or is replaced, only once complete.

    Raises:
        QuantizeError: the level is unknown or not offered for this shape, or quantizing failed.
    """
    # Imported here: the app imports this module at start, and quantizing is rare.
    from llamadesk.core.quantize import lineage_path, quantize

    report = progress or (lambda _stage, _fraction: None)
    target = _test_model_level(shape, level or DEFAULT_LEVELS[shape])
    path = Path(path)
    if not target.quantized:
        report("writing", 0.0)
        dtype: Literal["F32", "F16"] = "F32" if target.name == "F32" else "F16"
        written = write_test_model(path, shape, dtype=dtype, seed=seed)
        report("writing", 1.0)
        return written
    temp = f".{path.name}.{uuid.uuid4().hex}"
    source = path.with_name(f"{temp}.F16.gguf")
    quantized = path.with_name(f"{temp}.{target.name}.gguf")
    try:
        report("writing", 0.0)
        write_test_model(source, shape, dtype="F16", seed=seed)
        report("writing", 1.0)
        result = quantize(
            source, target.name, quantized, progress=lambda share: report("quantizing", share)
        )
        os.replace(result.path, path)
    finally:
        source.unlink(missing_ok=True)
        quantized.unlink(missing_ok=True)
        # Its lineage names the deleted F16 file: no use to anyone.
        lineage_path(quantized).unlink(missing_ok=True)
    return path


def _test_model_level(shape: str, name: str) -> QuantLevel:
    """The level ``name`` if a test model of ``shape`` can be stored at it."""
    from llamadesk.core.quantize import QuantizeError

    target = quant_level(name)
    if target is None:
        known = ", ".join(known.name for known in QUANT_LEVELS)
        raise QuantizeError(f"Unknown quantization level {name!r}; known levels: {known}.")
    # Only F32 and F16 can be written directly; F32 would make the 1b model 4.4 GB.
    offered = ("F32", "F16") if shape in _SMALL_SHAPES else ("F16",)
    if not target.quantized and target.name not in offered:
        raise QuantizeError(
            f"The {shape} test model is written as {' or '.join(offered)} or a quantized "
            f"level such as Q4_K_M, not {target.name}."
        )
    return target


@dataclass(frozen=True)
class _Vocabulary:
    """The chat template and the extra control tokens a test model carries."""

    chat_template: str = CHAT_TEMPLATE
    control_tokens: Sequence[str] = ()


def _write_gguf(
    path: Path,
    shape: ModelShape,
    dtype: Literal["F32", "F16"],
    seed: int,
    vocabulary: _Vocabulary = _Vocabulary(),
) -> None:
    writer = gguf.GGUFWriter(path, shape.architecture)
    try:
        _add_metadata(writer, shape, dtype, vocabulary)
        layout = _tensor_layout(shape)
        matrix_dtype = np.dtype(np.float16 if dtype == "F16" else np.float32)
        for name, dims in layout:
            tensor_dtype = _storage_dtype(name, dims, matrix_dtype)
            nbytes = math.prod(dims) * tensor_dtype.itemsize
            writer.add_tensor_info(name, dims, tensor_dtype, nbytes)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_ti_data_to_file()
        # One tensor in memory at a time: the "1b" shape is 2.2 GB even in F16.
        rng = np.random.default_rng(seed)
        for name, dims in layout:
            writer.write_tensor_data(
                _random_tensor(rng, dims, _storage_dtype(name, dims, matrix_dtype))
            )
    finally:
        writer.close()


def _add_metadata(
    writer: gguf.GGUFWriter,
    shape: ModelShape,
    dtype: Literal["F32", "F16"],
    vocabulary: _Vocabulary = _Vocabulary(),
) -> None:
    writer.add_name(MODEL_NAME)
    writer.add_file_type(
        gguf.LlamaFileType.MOSTLY_F16 if dtype == "F16" else gguf.LlamaFileType.ALL_F32
    )
    writer.add_vocab_size(shape.n_vocab)
    writer.add_context_length(shape.n_ctx_train)
    writer.add_embedding_length(shape.n_embd)
    writer.add_block_count(shape.n_layer)
    writer.add_feed_forward_length(shape.n_ff)
    writer.add_head_count(shape.n_head)
    writer.add_head_count_kv(_head_count_kv(shape))
    writer.add_rope_dimension_count(shape.head_dim)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    if shape.architecture != "llama":
        writer.add_key_length(shape.head_dim)
        writer.add_value_length(shape.head_dim)
    if shape.sliding_window:
        writer.add_sliding_window(shape.sliding_window)
    if shape.attention_layers:
        writer.add_shortconv_l_cache(_SHORTCONV_L_CACHE)
    if shape.n_expert:
        writer.add_expert_count(shape.n_expert)
        writer.add_expert_used_count(shape.n_expert_used)
        writer.add_expert_feed_forward_length(shape.n_ff_exp)

    controls = list(vocabulary.control_tokens)
    words = _vocabulary_pieces(shape.n_vocab_words - len(controls))
    pieces = words + controls
    tokens = [
        *SPECIAL_TOKENS,
        *(f"<0x{byte:02X}>" for byte in range(N_BYTE_TOKENS)),
        *pieces,
    ]
    token_types = [
        gguf.TokenType.UNKNOWN,
        gguf.TokenType.CONTROL,
        gguf.TokenType.CONTROL,
        *[gguf.TokenType.BYTE] * N_BYTE_TOKENS,
        *[gguf.TokenType.NORMAL] * len(words),
        *[gguf.TokenType.CONTROL] * len(controls),
    ]
    # The SentencePiece tokenizer merges the highest-scoring pair first; earlier pieces win.
    n_fixed = len(SPECIAL_TOKENS) + N_BYTE_TOKENS
    scores = [0.0] * n_fixed + [-float(rank) for rank in range(len(pieces))]
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_types(token_types)
    writer.add_token_scores(scores)
    writer.add_unk_token_id(UNK_ID)
    writer.add_bos_token_id(BOS_ID)
    writer.add_eos_token_id(EOS_ID)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_chat_template(vocabulary.chat_template)
    if controls:
        # Else SentencePiece puts a space after every control token: "<|im_start|> user".
        writer.add_add_space_prefix(False)


def _vocabulary_pieces(count: int) -> list[str]:
    """``count`` distinct SentencePiece pieces, in a fixed order."""
    pieces: dict[str, None] = {}
    for piece in _candidate_pieces():
        if len(pieces) == count:
            break
        pieces[piece] = None
    return list(pieces)


def _candidate_pieces() -> Iterator[str]:
    # Single characters let any text tokenize without byte fallback. SentencePiece only merges
    # two pieces when the result is in the vocabulary, so every prefix of "▁word" is listed for
    # the word to end up as one token.
    yield WORD_BOUNDARY
    yield from string.ascii_lowercase + string.ascii_uppercase + string.digits
    yield from string.punctuation
    for word in COMMON_WORDS.split():
        for end in range(1, len(word) + 1):
            yield WORD_BOUNDARY + word[:end]
    # Filler for big vocabularies: "▁aa", "▁ab", ... then three letters and so on.
    for length in itertools.count(2):
        for letters in itertools.product(string.ascii_lowercase, repeat=length):
            yield WORD_BOUNDARY + "".join(letters)


_SHORTCONV_L_CACHE = 3  # LFM2's convolution length


def _head_count_kv(shape: ModelShape) -> int | list[int]:
    """One count for all layers; a list for lfm2, where a convolution layer has none."""
    if not shape.attention_layers:
        return shape.n_head_kv
    return [
        shape.n_head_kv if layer in shape.attention_layers else 0 for layer in range(shape.n_layer)
    ]


def _tensor_layout(shape: ModelShape) -> list[tuple[str, tuple[int, ...]]]:
    """Names and numpy shapes (rows, columns) of the tensors, in file order."""
    n_embd = shape.n_embd
    layout: list[tuple[str, tuple[int, ...]]] = [("token_embd.weight", (shape.n_vocab, n_embd))]
    for layer in range(shape.n_layer):
        block = f"blk.{layer}"
        layout.append((f"{block}.attn_norm.weight", (n_embd,)))
        if shape.attention_layers and layer not in shape.attention_layers:
            layout += _shortconv_tensors(block, n_embd)
        else:
            layout += _attention_tensors(block, shape)
        layout.append((f"{block}.ffn_norm.weight", (n_embd,)))
        layout += _feed_forward_tensors(block, shape)
    final_norm = "token_embd_norm" if shape.architecture == "lfm2" else "output_norm"
    layout += [(f"{final_norm}.weight", (n_embd,)), ("output.weight", (shape.n_vocab, n_embd))]
    return layout


def _attention_tensors(block: str, shape: ModelShape) -> list[tuple[str, tuple[int, ...]]]:
    n_embd, n_embd_kv = shape.n_embd, shape.n_head_kv * shape.head_dim
    tensors: list[tuple[str, tuple[int, ...]]] = [
        (f"{block}.attn_q.weight", (n_embd, n_embd)),
        (f"{block}.attn_k.weight", (n_embd_kv, n_embd)),
        (f"{block}.attn_v.weight", (n_embd_kv, n_embd)),
        (f"{block}.attn_output.weight", (n_embd, n_embd)),
    ]
    if shape.architecture != "llama":  # gemma3, lfm2 and qwen3 normalise queries and keys
        tensors += [
            (f"{block}.attn_q_norm.weight", (shape.head_dim,)),
            (f"{block}.attn_k_norm.weight", (shape.head_dim,)),
        ]
    if shape.architecture == "gemma3":
        tensors.append((f"{block}.post_attention_norm.weight", (n_embd,)))
    return tensors


def _shortconv_tensors(block: str, n_embd: int) -> list[tuple[str, tuple[int, ...]]]:
    return [
        (f"{block}.shortconv.conv.weight", (n_embd, _SHORTCONV_L_CACHE)),
        (f"{block}.shortconv.in_proj.weight", (3 * n_embd, n_embd)),
        (f"{block}.shortconv.out_proj.weight", (n_embd, n_embd)),
    ]


def _feed_forward_tensors(block: str, shape: ModelShape) -> list[tuple[str, tuple[int, ...]]]:
    n_embd, n_ff = shape.n_embd, shape.n_ff
    if shape.n_expert:
        n_expert, n_ff_exp = shape.n_expert, shape.n_ff_exp
        return [
            (f"{block}.ffn_gate_inp.weight", (n_expert, n_embd)),
            (f"{block}.ffn_gate_exps.weight", (n_expert, n_ff_exp, n_embd)),
            (f"{block}.ffn_down_exps.weight", (n_expert, n_embd, n_ff_exp)),
            (f"{block}.ffn_up_exps.weight", (n_expert, n_ff_exp, n_embd)),
        ]
    tensors: list[tuple[str, tuple[int, ...]]] = [
        (f"{block}.ffn_gate.weight", (n_ff, n_embd)),
        (f"{block}.ffn_up.weight", (n_ff, n_embd)),
        (f"{block}.ffn_down.weight", (n_embd, n_ff)),
    ]
    if shape.architecture == "gemma3":
        tensors.append((f"{block}.post_ffw_norm.weight", (n_embd,)))
    return tensors


def _storage_dtype(
    name: str, dims: tuple[int, ...], matrix_dtype: np.dtype[np.floating]
) -> np.dtype[np.floating]:
    # llama.cpp keeps 1-D tensors (the norms) and convolution kernels in F32 whatever the
    # file type says.
    return np.dtype(np.float32) if len(dims) == 1 or ".conv." in name else matrix_dtype


def _random_tensor(
    rng: np.random.Generator, dims: tuple[int, ...], matrix_dtype: np.dtype[np.floating]
) -> npt.NDArray[np.floating]:
    if len(dims) == 1:
        return np.ones(dims, dtype=np.float32)
    weights = rng.standard_normal(dims, dtype=np.float32)
    weights *= 0.02
    return weights.astype(matrix_dtype, copy=False)
