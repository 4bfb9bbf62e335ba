"""The per-token path of an answer through llama.cpp's C functions, without the per-token
Python objects of llama-cpp-python's own loop.

`Llama.generate` costs, per token, a Python call chain (eval, a batch filled field by field,
a numpy slice assignment, sample and its keyword arguments) and `Llama.detokenize` a fresh
ctypes buffer and a bytes concatenation. Here the prompt still goes through `Llama.generate`
(its prefix cache, its sampler chain, its first sample), and every later token is decoded,
sampled and turned into bytes by direct calls into llama.cpp on objects made once. The
`Llama` object's own bookkeeping (`n_tokens`, `input_ids`) is kept as `generate` keeps it, so
the next answer's prefix cache sees the same state: the tokens are exactly `generate`'s.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llama_cpp import Llama

PIECE_BUFFER = 64  # bytes; a longer token piece grows the buffer once


def sample_tokens(llama: Llama, prompt: Sequence[int], **sampling: Any) -> Iterator[int]:
    """The tokens `llama.generate(prompt, **sampling)` yields, the same ones, cheaper.

    Stop iterating (or break) before asking for a token that would not fit the context:
    like `generate`, this decodes each token only when the next one is asked for.
    """
    generate = llama.generate(list(prompt), **sampling)
    if llama._logits_all or llama.draft_model is not None:
        yield from generate  # scores kept per token, or speculative decoding: its own loop
        return
    token = next(generate)  # the prompt evaluated (or found in the cache), one token sampled
    generate.close()
    import llama_cpp

    decode, sample = llama_cpp.llama_decode, llama_cpp.llama_sampler_sample
    chain: Any = llama._sampler  # made by generate (Llama declares it as None)
    ctx, sampler, batch = llama._ctx.ctx, chain.sampler, llama._batch.batch
    input_ids = llama.input_ids
    # A batch of one token at one position of sequence 0, whose logits are wanted.
    batch.n_tokens = 1
    batch.seq_id[0][0] = 0
    batch.n_seq_id[0] = 1
    batch.logits[0] = 1
    while True:
        yield token
        position = llama.n_tokens
        batch.token[0] = token
        batch.pos[0] = position
        code = decode(ctx, batch)
        if code != 0:
            raise RuntimeError(f"llama_decode returned {code}")
        input_ids[position] = token
        llama.n_tokens = position + 1
        token = sample(sampler, ctx, -1)  # also accepts the token into the sampler chain


class PieceReader:
    """A token's bytes, as `Llama.detokenize([token], special=...)` gives them."""

    def __init__(self, llama: Llama) -> None:
        import llama_cpp

        self._to_piece = llama_cpp.llama_token_to_piece
        self._is_eog = llama_cpp.llama_vocab_is_eog
        self._vocab = llama._model.vocab
        self._bos = llama.token_bos()
        self._size = PIECE_BUFFER
        self._buffer = ctypes.create_string_buffer(self._size)

    def piece(self, token: int, special: bool) -> bytes:
        count = self._to_piece(self._vocab, token, self._buffer, self._size, 0, special)
        if count < 0:  # the buffer is too small: llama.cpp says how much it needs
            self._size = -count
            self._buffer = ctypes.create_string_buffer(self._size)
            count = self._to_piece(self._vocab, token, self._buffer, self._size, 0, special)
        data = self._buffer.raw[:count]
        # As Llama.detokenize: a lone beginning-of-sequence token loses its leading space.
        return data[1:] if token == self._bos and data[:1] == b" " else data

    def is_end_of_generation(self, token: int) -> bool:
        return bool(self._is_eog(self._vocab, token))
