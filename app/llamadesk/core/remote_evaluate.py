"""A local model measured against a reference on a server (a remote F16 of the same model,
usually), on the user's own text.

A server does not hand out its full next-token distributions: through OpenAI's
/v1/completions with ``logprobs: k`` it returns the k most likely next tokens and their log
probabilities. So for each position of the text we ask it for the next token after the text
so far (``max_tokens: 1``; servers keep the prompt's cache, so each request reads one more
token), and compare with the local model's full distribution at that position:

- KL divergence is a **top-k estimate**: both distributions are reduced to the reference's k
  tokens plus one bucket for everything else (the tail: 1 - the k probabilities for the
  reference, 1 - the same k tokens' probabilities for the local model), and KL is computed
  between those. Merging tokens can only hide differences, so this is a lower bound of the
  true KL; with k = 10 the tail of a confident model is small and the bound is close.
- top-1 agreement: whether the reference's most likely token is the local model's too.
- the local model's perplexity; the reference's is unknown (its probability of the actual
  token is missing whenever that token is outside its top k), and is stored as 0.

Tokens are matched by their text, as servers name them. Both must be the same model (the same
vocabulary): a prompt the server reads as another number of tokens, or a reference whose
tokens the local vocabulary does not have, ends in one sentence.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llamadesk.core.evaluate import (
    DEFAULT_CONTEXT,
    EvaluationCancelled,
    EvaluationError,
    Progress,
    QualityReport,
    _loaded,
    _log_softmax,
    _perplexity,
    _read_info,
)
from llamadesk.core.remote import NO_LOGPROBS, RemoteError, RemoteServer

if TYPE_CHECKING:
    from llama_cpp import Llama

DEFAULT_TOP_K = 10  # what vLLM allows by default (--max-logprobs 20) and llama-server returns
DEFAULT_REMOTE_TOKENS = 256  # one request per token: a minute or two on a fast server
_FLOOR = 1e-300  # a probability that underflowed is tiny, not impossible


@dataclass(frozen=True)
class RemoteReference:
    """A model on a server to compare with: base URL, API key and model id."""

    url: str
    api_key: str
    model_id: str

    @property
    def name(self) -> str:
        """How reports name it: the model and its server."""
        return f"{self.model_id} on {self.url}"


@dataclass
class _Totals:
    tokens: int = 0
    nll: float = 0.0
    kl: float = 0.0
    agreements: int = 0
    unmatched: float = 0.0  # reference probability on tokens the local vocabulary lacks
    misread: int = 0  # prompts the server read as another number of tokens


def evaluate_remote(
    model: Path | str,
    reference: RemoteReference,
    text: str,
    *,
    n_ctx: int = DEFAULT_CONTEXT,
    max_tokens: int = DEFAULT_REMOTE_TOKENS,
    top_k: int = DEFAULT_TOP_K,
    n_threads: int = 0,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> QualityReport:
    """Measure the local ``model`` against ``reference`` on the first ``max_tokens`` tokens
    of ``text`` (the first ``n_ctx`` at most: one window). Blocks: call it from a worker.

    Raises:
        EvaluationError: the model cannot be loaded, the server cannot be used or returns no
            log probabilities, the two are not the same model, the text is too short.
        EvaluationCancelled: ``cancel`` was set.
    """
    if not text.strip():
        raise EvaluationError("The text is empty: there is nothing to measure.")
    started = time.perf_counter()
    report = progress or (lambda _fraction: None)
    stop = cancel or threading.Event()
    info = _read_info(model)
    server = RemoteServer(reference.url, reference.api_key)
    try:
        with _loaded(info, n_ctx, n_threads) as local:
            totals = _measure(
                local, server, reference, text, n_ctx, max_tokens, top_k, report, stop
            )
    finally:
        server.close()
    if totals.tokens == 0 or totals.misread > totals.tokens:
        raise EvaluationError(
            f"{reference.name} reads this text as other tokens than {info.path.name}: "
            "pick the same model on the server."
        )
    if totals.unmatched > 0.5 * totals.tokens:
        raise EvaluationError(
            f"{reference.name} predicts tokens {info.path.name} does not have: they do not "
            "share a vocabulary; pick the same model on the server."
        )
    return QualityReport(
        model=str(info.path.resolve()),
        reference=reference.name,
        level=info.quantization,
        reference_level=f"remote, top-{top_k}",
        perplexity=_perplexity(totals.nll, totals.tokens),
        reference_perplexity=0.0,  # unknown: see the module's docstring
        kl_divergence=max(totals.kl / totals.tokens, 0.0),
        top1_agreement=totals.agreements / totals.tokens,
        tokens=totals.tokens,
        n_ctx=n_ctx,
        seconds=time.perf_counter() - started,
    )


def _measure(
    local: Llama,
    server: RemoteServer,
    reference: RemoteReference,
    text: str,
    n_ctx: int,
    max_tokens: int,
    top_k: int,
    report: Progress,
    cancel: threading.Event,
) -> _Totals:
    """Ask the server about each position of the text's first tokens; the local model reads
    them in one window."""
    import numpy as np  # here: loading numpy slows the app's start

    prefix = list(local.tokenize(b"", add_bos=True))
    tokens = list(local.tokenize(text.encode("utf-8"), add_bos=False))
    tokens = tokens[: min(max_tokens + 1, n_ctx - len(prefix))]
    if len(tokens) < 2:
        raise EvaluationError("The text is too short to measure: it is a single token.")
    window = prefix + tokens
    local.reset()  # type: ignore[no-untyped-call]
    local.eval(window)
    logp = _log_softmax(np.asarray(local.scores[: len(window) - 1]))
    vocabulary = _vocabulary(local)
    totals = _Totals()
    scored = len(tokens) - 1
    for position in range(1, len(tokens)):  # the reference predicts tokens[position]
        if cancel.is_set():
            raise EvaluationCancelled("The measurement was cancelled.")
        said = _said(local, tokens[:position])
        if said is None:  # the cut falls inside a character: no text to send
            continue
        top, read = _ask(server, reference, said, top_k)
        if read is not None and read - position not in (0, 1):  # 1: the server added BOS
            totals.misread += 1
            continue
        row = logp[len(prefix) + position - 1]
        _add(totals, top, row, vocabulary, tokens[position])
        report(position / scored)
    return totals


def _ask(
    server: RemoteServer, reference: RemoteReference, prompt: str, top_k: int
) -> tuple[dict[str, float], int | None]:
    try:
        top, read = server.next_token_logprobs(reference.model_id, prompt, top_k)
    except RemoteError as error:
        raise EvaluationError(str(error)) from error
    if not top:
        raise EvaluationError(f"{reference.name} cannot be a reference: {NO_LOGPROBS}.")
    return top, read


def _said(local: Llama, tokens: list[int]) -> str | None:
    try:
        return bytes(local.detokenize(tokens)).decode("utf-8")
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True)
class _Vocabulary:
    """The local vocabulary by text, as servers name tokens."""

    texts: list[str]  # by token id
    ids: dict[str, list[int]]  # the ids that write each text


def _vocabulary(local: Llama) -> _Vocabulary:
    texts = [
        bytes(local.detokenize([token])).decode("utf-8", errors="ignore")
        for token in range(local.n_vocab())
    ]
    ids: dict[str, list[int]] = defaultdict(list)
    for token, text in enumerate(texts):
        if text:  # special tokens and parts of characters write nothing: not matchable
            ids[text].append(token)
    return _Vocabulary(texts, ids)


def _add(
    totals: _Totals,
    top: dict[str, float],
    row: Any,
    vocabulary: _Vocabulary,
    actual: int,
) -> None:
    """Score one position: the reference's top k against the local row of log-probabilities."""
    import numpy as np  # here: loading numpy slows the app's start

    probabilities = np.exp(row)
    kl = 0.0
    reference_top = 0.0
    local_top = 0.0
    for text, logprob in top.items():
        ids = vocabulary.ids.get(text)
        p = math.exp(logprob)
        if not ids:
            totals.unmatched += p
            continue  # its probability stays in the reference's tail
        q = float(probabilities[ids].sum())
        kl += p * (logprob - math.log(max(q, _FLOOR)))
        reference_top += p
        local_top += q
    reference_tail = max(1.0 - reference_top, 0.0)
    if reference_tail > 0:
        kl += reference_tail * math.log(reference_tail / max(1.0 - local_top, _FLOOR))
    best = max(top, key=top.__getitem__)
    totals.agreements += int(vocabulary.texts[int(np.argmax(row))] == best)
    totals.nll -= float(row[actual])
    totals.kl += kl
    totals.tokens += 1
