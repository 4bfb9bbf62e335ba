"""Log probabilities of sampled tokens, in OpenAI's shape, read from llama.cpp's logits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from llama_cpp import Llama


def token_logprobs(llama: Llama, token: int, top: int) -> dict[str, Any]:
    """The log probability of `token`, just sampled, and the `top` likeliest tokens at its
    place. Reads the logits of the last evaluated position: the ones `token` was sampled
    from (the sampler works on a copy, so these are the model's own, before temperature)."""
    n_vocab = llama.n_vocab()
    raw = llama._ctx.get_logits()  # type: ignore[no-untyped-call]
    logits = np.ctypeslib.as_array(raw, shape=(n_vocab,))
    shifted = logits.astype(np.float64) - float(logits.max())
    logprobs = shifted - np.log(np.exp(shifted).sum())
    entry = _entry(llama, token, float(logprobs[token]))
    best = np.argpartition(-logprobs, top)[:top] if top else np.array([], dtype=np.int64)
    ranked = sorted(best.tolist(), key=lambda t: -logprobs[t])
    entry["top_logprobs"] = [_entry(llama, t, float(logprobs[t])) for t in ranked]
    return entry


def _entry(llama: Llama, token: int, logprob: float) -> dict[str, Any]:
    data = llama.detokenize([token], special=True)
    return {"token": data.decode("utf-8", "replace"), "logprob": logprob, "bytes": list(data)}
