"""How much a quantization costs, measured on the user's own text.

Two models that share a vocabulary (a quantized file and its source, usually) read the same
text; for every token we compare their predictions, as llama.cpp's
``llama-perplexity --kl-divergence`` does:

- perplexity of each: exp of the mean negative log-likelihood of the actual next token;
- KL divergence KL(reference || model) of the next-token distributions, averaged over tokens:
  how much information is lost by using the model instead of the reference (0: none);
- top-1 agreement: how often both would pick the same most likely token.

The text is cut into non-overlapping windows of ``n_ctx`` tokens, each begun with BOS where
the model adds one. Unlike llama-perplexity, which scores only the second half of each window
(so every scored token has at least n_ctx/2 tokens of context, for figures comparable across
papers), every token after the window's first is scored here: a user's own text is often
short, and both models see exactly the same windows, so the comparison stays fair. The
perplexities are therefore somewhat higher than llama-perplexity's on the same text.

Results go to ``quality.json`` in the app's data folder, so the library can show them beside
the published figures for each level.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llamadesk.core.adapters import resolve_adapter
from llamadesk.core.engine import default_threads
from llamadesk.core.gguf_info import GGUFError, GGUFInfo, read_gguf_info
from llamadesk.core.jsonfile import dataclass_from_json, read_json, write_json_atomic
from llamadesk.core.paths import app_paths

if TYPE_CHECKING:  # llama_cpp is heavy to import
    import numpy as np
    import numpy.typing as npt
    from llama_cpp import Llama

    from llamadesk.core.store import Store

Progress = Callable[[float], None]

DEFAULT_CONTEXT = 512  # llama-perplexity's usual window
REPORTS_FILE = "quality.json"
_ROWS_PER_BLOCK = 64  # log-softmax rows at a time: float64 rows of a 150k vocabulary are big


class EvaluationError(Exception):
    """The models cannot be compared on this text; the message is one sentence for the user."""


class EvaluationCancelled(Exception):
    """The measurement was cancelled."""


@dataclass(frozen=True)
class QualityReport:
    """One model measured against a reference on one text.

    Args:
        model: path of the measured model (usually a quantization).
        reference: path of the model it is compared with (usually its source); for a model
            on a server "ID on URL" (core.remote_evaluate).
        level: the measured model's quantization, as its header names it.
        reference_level: the reference's; "remote, top-K" for a model on a server, whose
            figures are estimates from its top K tokens.
        perplexity: the model's perplexity on the text (lower is better).
        reference_perplexity: the reference's (0 for a model on a server: unknown).
        kl_divergence: mean KL(reference || model) per token, in nats (0: identical).
        top1_agreement: share of tokens where both rank the same token first (1: always).
        tokens: tokens scored.
        n_ctx: window length in tokens.
        seconds: wall-clock time of the measurement, loading included.
    """

    model: str
    reference: str
    level: str
    reference_level: str
    perplexity: float
    reference_perplexity: float
    kl_divergence: float
    top1_agreement: float
    tokens: int
    n_ctx: int
    seconds: float


@dataclass(frozen=True)
class SavedReport:
    """A report as stored: with what the text was and when it was measured."""

    report: QualityReport
    text_source: str  # e.g. "your conversations", "file notes.txt", "pasted text"
    date: str  # ISO 8601, UTC


@dataclass
class _Totals:
    """Sums over the scored tokens."""

    tokens: int = 0
    nll: float = 0.0  # the model's negative log-likelihood of the actual tokens
    reference_nll: float = 0.0
    kl: float = 0.0
    agreements: int = 0

    def add(
        self,
        reference: npt.NDArray[np.float32],
        model: npt.NDArray[np.float32],
        targets: Sequence[int],
    ) -> None:
        """Score the predictions in the logit rows ``reference`` and ``model`` of the
        ``targets`` (the token that actually follows each row's position)."""
        import numpy as np  # here: loading numpy slows the app's start

        for start in range(0, len(targets), _ROWS_PER_BLOCK):
            block = slice(start, start + _ROWS_PER_BLOCK)
            ref_logp = _log_softmax(reference[block])
            model_logp = _log_softmax(model[block])
            rows = np.arange(ref_logp.shape[0])
            actual = np.asarray(targets[block])
            self.reference_nll -= float(ref_logp[rows, actual].sum())
            self.nll -= float(model_logp[rows, actual].sum())
            self.kl += float((np.exp(ref_logp) * (ref_logp - model_logp)).sum())
            self.agreements += int((ref_logp.argmax(1) == model_logp.argmax(1)).sum())
            self.tokens += len(rows)


def _log_softmax(logits: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """Row-wise log-probabilities, in float64 so that tiny KL divergences are not noise."""
    import numpy as np  # here: loading numpy slows the app's start

    shifted: npt.NDArray[np.float64] = logits.astype(np.float64)
    shifted -= shifted.max(axis=1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return shifted


def evaluate(
    model: Path | str,
    reference: Path | str,
    text: str,
    *,
    n_ctx: int = DEFAULT_CONTEXT,
    max_tokens: int | None = None,
    n_threads: int = 0,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    model_lora: Path | None = None,
) -> QualityReport:
    """Measure ``model`` against ``reference`` on ``text``.

    With ``model_lora`` (a GGUF LoRA adapter), ``model`` is measured with it applied: with
    the base as both, how far training moved the model. An adapter of ours given as
    ``model`` brings its base along the same way.

    Both models are loaded at once (their memory adds up) and read the text window by window,
    so only one window's logits are ever held. Blocks: call it from a worker thread.
    ``progress`` gets the share of tokens scored after each window, on the calling thread;
    setting ``cancel`` from any thread stops before the next window.

    Args:
        max_tokens: score at most this many tokens of the text (None: all of it).
        n_threads: CPU threads for llama.cpp; 0 picks as the chat engine does.

    Raises:
        EvaluationError: a model cannot be loaded, the vocabularies differ, the text is empty.
        EvaluationCancelled: ``cancel`` was set.
    """
    if n_ctx < 2:
        raise EvaluationError("The window must be at least 2 tokens long.")
    if not text.strip():
        raise EvaluationError("The text is empty: there is nothing to measure.")
    started = time.perf_counter()
    if model_lora is None:  # an adapter we trained is measured as its base with it applied
        model, model_lora = resolve_adapter(model)
    report = progress or (lambda _fraction: None)
    stop = cancel or threading.Event()
    model_info, reference_info = _read_info(model), _read_info(reference)
    with (
        _loaded(reference_info, n_ctx, n_threads) as ref,
        _loaded(model_info, n_ctx, n_threads, model_lora) as candidate,
    ):
        prefix, tokens = _common_tokens(ref, candidate, text, model_info, reference_info)
        if max_tokens is not None:
            tokens = tokens[:max_tokens]
        totals = _score(ref, candidate, prefix, tokens, n_ctx, report, stop)
    if not all(map(math.isfinite, (totals.nll, totals.reference_nll, totals.kl))):
        raise EvaluationError(
            "A model computed invalid numbers (NaN or infinity); its file may be damaged."
        )
    return QualityReport(
        model=str((model_lora or model_info.path).resolve()),
        reference=str(reference_info.path.resolve()),
        level=model_info.quantization,
        reference_level=reference_info.quantization,
        perplexity=_perplexity(totals.nll, totals.tokens),
        reference_perplexity=_perplexity(totals.reference_nll, totals.tokens),
        # Rounding can leave a hair below zero for identical models; KL is never negative.
        kl_divergence=max(totals.kl / totals.tokens, 0.0),
        top1_agreement=totals.agreements / totals.tokens,
        tokens=totals.tokens,
        n_ctx=n_ctx,
        seconds=time.perf_counter() - started,
    )


def _read_info(path: Path | str) -> GGUFInfo:
    try:
        return read_gguf_info(path)
    except GGUFError as error:
        raise EvaluationError(str(error)) from error


@contextlib.contextmanager
def _loaded(
    info: GGUFInfo, n_ctx: int, n_threads: int, lora: Path | None = None
) -> Iterator[Llama]:
    """The model (with the adapter ``lora``) loaded to keep every position's logits."""
    from llama_cpp import Llama

    threads = n_threads or default_threads(info.parameter_count)
    try:
        llama = Llama(
            model_path=str(info.path),
            n_ctx=n_ctx,
            n_batch=n_ctx,  # a window in one batch
            n_ubatch=n_ctx,
            n_threads=threads,
            n_threads_batch=threads,
            logits_all=True,
            verbose=False,
            lora_path=str(lora) if lora is not None else None,
        )
    except (ValueError, RuntimeError, OSError) as error:
        raise EvaluationError(f"llama.cpp could not load {info.path.name}: {error}") from error
    try:
        yield llama
    finally:
        llama.close()


def _common_tokens(
    ref: Llama, candidate: Llama, text: str, model: GGUFInfo, reference: GGUFInfo
) -> tuple[list[int], list[int]]:
    """The tokens each window starts with (BOS, if the models add one) and the text's tokens,
    the same for both models."""
    mismatch = EvaluationError(
        f"{model.path.name} and {reference.path.name} do not share a vocabulary, so their "
        "predictions cannot be compared; pick a quantization of the same model."
    )
    if ref.n_vocab() != candidate.n_vocab():
        raise mismatch
    data = text.encode("utf-8")
    # Tokenizing nothing "with BOS" gives [BOS] exactly when the model adds one.
    prefix = ref.tokenize(b"", add_bos=True)
    tokens = ref.tokenize(data, add_bos=False)
    if candidate.tokenize(b"", add_bos=True) != prefix or (
        candidate.tokenize(data, add_bos=False) != tokens
    ):
        raise mismatch
    if len(prefix) + len(tokens) < 2:
        raise EvaluationError("The text is too short to measure: it is a single token.")
    return list(prefix), list(tokens)


def _score(
    ref: Llama,
    candidate: Llama,
    prefix: list[int],
    tokens: list[int],
    n_ctx: int,
    report: Progress,
    cancel: threading.Event,
) -> _Totals:
    """Run both models over the windows and add up the comparison."""
    totals = _Totals()
    step = n_ctx - len(prefix)
    # Without BOS, a window's first token is context only: the windows score one token fewer.
    expected = len(tokens) if prefix else len(tokens) - math.ceil(len(tokens) / step)
    for start in range(0, len(tokens), step):
        window = prefix + tokens[start : start + step]
        if len(window) < 2:
            break
        ref_logits = _window_logits(ref, window, cancel)
        model_logits = _window_logits(candidate, window, cancel)
        totals.add(ref_logits, model_logits, window[1:])
        report(totals.tokens / max(expected, 1))
    return totals


def _window_logits(llama: Llama, window: list[int], cancel: threading.Event) -> Any:
    """The logits at every position but the last (which predicts past the window)."""
    if cancel.is_set():
        raise EvaluationCancelled("The measurement was cancelled.")
    llama.reset()  # type: ignore[no-untyped-call]  # a fresh window; eval clears the KV cache
    llama.eval(window)
    return llama.scores[: len(window) - 1]


def _perplexity(nll: float, tokens: int) -> float:
    return math.exp(nll / tokens)


def conversations_text(store: Store, limit_chars: int = 200_000) -> str:
    """The user's own chats as one text to measure on: newest conversations first, the text
    of each message in order, up to ``limit_chars`` characters."""
    parts: list[str] = []
    length = 0
    for content in _message_texts(store):
        if length >= limit_chars:
            break
        parts.append(content)
        length += len(content) + 2  # and the blank line that joins it
    return "\n\n".join(parts)[:limit_chars]


def _message_texts(store: Store) -> Iterator[str]:
    for conversation in store.list_conversations():
        for message in store.thread(conversation.id):
            if message.content.strip():
                yield message.content


def reports_path() -> Path:
    """Where measurements are kept."""
    return app_paths().data / REPORTS_FILE


def save_report(report: QualityReport, text_source: str, path: Path | None = None) -> SavedReport:
    """Add ``report`` to the stored measurements (atomically) and return it as saved.

    Raises:
        OSError: the data folder cannot be written.
    """
    target = path or reports_path()
    saved = SavedReport(
        report, text_source, datetime.now(timezone.utc).isoformat(timespec="seconds")
    )
    stored = [_as_json(item) for item in load_reports(target)]
    target.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(target, [*stored, _as_json(saved)])
    return saved


def load_reports(path: Path | None = None) -> list[SavedReport]:
    """The stored measurements, oldest first; entries that cannot be read are skipped, and a
    missing or corrupt file reads as none."""
    data = read_json(path or reports_path())
    if not isinstance(data, list):
        return []
    return [saved for item in data if (saved := _from_json(item)) is not None]


def _as_json(saved: SavedReport) -> dict[str, object]:
    return {"text_source": saved.text_source, "date": saved.date, **asdict(saved.report)}


def _from_json(item: object) -> SavedReport | None:
    report = dataclass_from_json(QualityReport, item)
    if report is None or not isinstance(item, dict):
        return None
    text_source, date = item.get("text_source"), item.get("date")
    if not isinstance(text_source, str) or not isinstance(date, str):
        return None
    return SavedReport(report, text_source, date)
