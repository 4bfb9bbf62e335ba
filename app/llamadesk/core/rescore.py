"""Where a smaller model's answer goes wrong: a text scored token by token under two levels.

Both models read the same tokens, after an optional context that is read but not scored:
plain text, or the prompt an answer replied to, written by the model's chat template as the
chat wrote it when the model answered. At each token we compare their predictions of
that token, as `core.evaluate` does on average:

- ``kl``: KL(reference || model) of the two next-token distributions there, in nats;
- ``top1_agree``: both would have picked the same most likely token;
- the reference's five likeliest tokens there, with their probabilities.

A token whose KL is above `DAMAGED_KL` counts as damaged. Without BOS and context the text's
first token has nothing before it to predict it from, and is left out.

Results are kept as JSON files in the app's data folder (``rescores/``), one per answer and
pair of models, so a re-scored answer opens again without running the models.
"""

from __future__ import annotations

import codecs
import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llamadesk.core.evaluate import (
    EvaluationError,
    _common_tokens,
    _loaded,
    _log_softmax,
    _read_info,
    _window_logits,
)
from llamadesk.core.gguf_info import GGUFInfo
from llamadesk.core.jsonfile import read_json, write_json_atomic
from llamadesk.core.paths import app_paths

if TYPE_CHECKING:  # llama_cpp is heavy to import
    import numpy as np
    import numpy.typing as npt
    from llama_cpp import Llama

Progress = Callable[[float], None]

DAMAGED_KL = 0.1  # nats: where the smaller level's prediction has clearly moved
TOP_ALTERNATIVES = 5
MAX_TOKENS = 1024  # context and text together: the oldest context goes first, then the text's end
_ROWS_PER_BLOCK = 64
_CONTEXT_ROUNDING = 64
_TEMPLATE_ROOM = 256  # tokens a chat template adds around a prompt, at most


@dataclass(frozen=True)
class TokenScore:
    """One token of the text, as the two models saw it."""

    text: str
    kl: float
    top1_agree: bool
    alternatives: tuple[tuple[str, float], ...]  # the reference's likeliest tokens there


@dataclass(frozen=True)
class Rescore:
    """A text scored under ``model`` against ``reference``."""

    model: str
    reference: str
    level: str
    reference_level: str
    tokens: tuple[TokenScore, ...]
    seconds: float

    @property
    def mean_kl(self) -> float:
        return sum(t.kl for t in self.tokens) / len(self.tokens) if self.tokens else 0.0

    @property
    def damaged_share(self) -> float:
        if not self.tokens:
            return 0.0
        return sum(t.kl > DAMAGED_KL for t in self.tokens) / len(self.tokens)

    @property
    def first_divergence(self) -> int | None:
        """The index of the first token where the two greedy choices differ."""
        return next((i for i, t in enumerate(self.tokens) if not t.top1_agree), None)

    def as_json(self, *, alternatives: bool = False) -> dict[str, Any]:
        """The CLI's JSON (``alternatives`` adds each token's top 5)."""
        tokens: list[dict[str, Any]] = []
        for token in self.tokens:
            row: dict[str, Any] = {
                "text": token.text,
                "kl": token.kl,
                "top1_agree": token.top1_agree,
            }
            if alternatives:
                row["alternatives"] = [list(pair) for pair in token.alternatives]
            tokens.append(row)
        return {
            "model": self.model,
            "reference": self.reference,
            "level": self.level,
            "reference_level": self.reference_level,
            "tokens": tokens,
            "mean_kl": self.mean_kl,
            "damaged_kl_threshold": DAMAGED_KL,
            "damaged_share": self.damaged_share,
            "first_divergence": self.first_divergence,
            "seconds": self.seconds,
        }


def rescore(
    model: Path | str,
    reference: Path | str,
    text: str,
    *,
    context: str = "",
    chat_prompt: str | None = None,
    n_threads: int = 0,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Rescore:
    """Score ``text`` (after ``context``) under ``model`` and ``reference``, loaded one after
    the other (so their memory does not add up). Blocks: call it from a worker thread.
    ``progress`` gets 0.5 after the reference, 1 at the end.

    Raises:
        EvaluationError: a model cannot be loaded, the vocabularies differ, the text is empty.
        EvaluationCancelled: ``cancel`` was set.
    """
    import numpy as np  # here: loading numpy slows the app's start

    if not text.strip():
        raise EvaluationError("The text is empty: there is nothing to score.")
    started = time.perf_counter()
    report = progress or (lambda _fraction: None)
    stop = cancel or threading.Event()
    model_info, reference_info = _read_info(model), _read_info(reference)
    # Tokens are never more than bytes (plus BOS and a chat template's own text): a context
    # that surely holds the text.
    before = context if chat_prompt is None else chat_prompt
    needed = len(before.encode("utf-8")) + len(text.encode("utf-8")) + _TEMPLATE_ROOM
    n_ctx = min(-(-needed // _CONTEXT_ROUNDING) * _CONTEXT_ROUNDING, MAX_TOKENS)
    with _loaded(reference_info, n_ctx, n_threads) as ref:
        prefix, tokens = _common_tokens(ref, ref, text, reference_info, reference_info)
        if chat_prompt is None:
            context_tokens = list(ref.tokenize(context.encode("utf-8"), add_bos=False))
        else:  # the template's prompt holds BOS where the model wants one
            prefix, context_tokens = [], _chat_context(ref, chat_prompt)
        window, scored_from = _window(prefix, context_tokens, tokens)
        texts = _Texts(ref)
        pieces = texts.pieces(window[scored_from:])
        ref_logits = np.array(_window_logits(ref, window, stop)[scored_from - 1 :])
        alternatives = _alternatives(ref_logits, texts)
    report(0.5)
    with _loaded(model_info, n_ctx, n_threads) as candidate:
        _check_vocabulary(candidate, ref_logits.shape[1], text, tokens, model_info)
        model_logits = np.array(_window_logits(candidate, window, stop)[scored_from - 1 :])
    scores = _scores(ref_logits, model_logits, pieces, alternatives)
    report(1.0)
    return Rescore(
        model=str(model_info.path.resolve()),
        reference=str(reference_info.path.resolve()),
        level=model_info.quantization,
        reference_level=reference_info.quantization,
        tokens=tuple(scores),
        seconds=time.perf_counter() - started,
    )


def _check_vocabulary(
    candidate: Llama, n_vocab: int, text: str, tokens: list[int], info: GGUFInfo
) -> None:
    if candidate.n_vocab() != n_vocab or (
        list(candidate.tokenize(text.encode("utf-8"), add_bos=False)) != tokens
    ):
        raise EvaluationError(
            f"{info.path.name} does not share the reference's vocabulary, so their "
            "predictions cannot be compared; pick a quantization of the same model."
        )


def _chat_context(llama: Llama, prompt: str) -> list[int]:
    """The tokens up to where the answer to ``prompt`` begins, as the chat engine writes them."""
    from llamadesk.core.engine import _chat_formatter

    try:
        result = _chat_formatter(llama)(messages=[{"role": "user", "content": prompt}])
    except Exception as error:  # a template is a program: anything can fail inside it
        raise EvaluationError(f"The model's chat template failed: {error}") from error
    text = result.prompt.encode("utf-8")
    return list(llama.tokenize(text, add_bos=not result.added_special, special=True))


def _window(prefix: list[int], context: list[int], tokens: list[int]) -> tuple[list[int], int]:
    """The tokens both models read and the index of the first one scored: the oldest
    context goes first when it is all too long, then the text's end."""
    room = MAX_TOKENS - len(prefix)
    tokens = tokens[:room]
    context = context[max(len(context) - (room - len(tokens)), 0) :]
    window = prefix + context + tokens
    return window, max(len(window) - len(tokens), 1)


class _Texts:
    """Token ids as text, for the view: one token's bytes may be half a character."""

    def __init__(self, vocab: Llama) -> None:
        self._vocab = vocab

    def piece(self, token: int) -> str:
        return self._vocab.detokenize([token]).decode("utf-8", errors="replace")

    def pieces(self, tokens: Sequence[int]) -> list[str]:
        """Each token's text, a character split over tokens shown at its last token."""
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        return [decoder.decode(self._vocab.detokenize([token])) for token in tokens]


def _alternatives(
    reference: npt.NDArray[np.float32], texts: _Texts
) -> list[tuple[tuple[str, float], ...]]:
    """The reference's likeliest tokens at each row, with their probabilities."""
    import numpy as np  # here: loading numpy slows the app's start

    found: list[tuple[tuple[str, float], ...]] = []
    for start in range(0, reference.shape[0], _ROWS_PER_BLOCK):
        logp = _log_softmax(reference[start : start + _ROWS_PER_BLOCK])
        # The top few by partition, then sorted: a full sort of 150k logits a row is slow.
        top = np.argpartition(-logp, TOP_ALTERNATIVES, axis=1)[:, :TOP_ALTERNATIVES]
        order = np.argsort(-np.take_along_axis(logp, top, axis=1), axis=1)
        best = np.take_along_axis(top, order, axis=1)
        for row in range(logp.shape[0]):
            found.append(
                tuple(
                    (texts.piece(int(token)), float(np.exp(logp[row, token])))
                    for token in best[row]
                )
            )
    return found


def _scores(
    reference: npt.NDArray[np.float32],
    model: npt.NDArray[np.float32],
    pieces: Sequence[str],
    alternatives: Sequence[tuple[tuple[str, float], ...]],
) -> list[TokenScore]:
    """Row i of the logits predicts token i of ``pieces``."""
    import numpy as np  # here: loading numpy slows the app's start

    scores: list[TokenScore] = []
    for start in range(0, len(pieces), _ROWS_PER_BLOCK):
        ref_logp = _log_softmax(reference[start : start + _ROWS_PER_BLOCK])
        model_logp = _log_softmax(model[start : start + _ROWS_PER_BLOCK])
        kl = np.maximum((np.exp(ref_logp) * (ref_logp - model_logp)).sum(axis=1), 0.0)
        agree = ref_logp.argmax(axis=1) == model_logp.argmax(axis=1)
        for row in range(ref_logp.shape[0]):
            i = start + row
            scores.append(TokenScore(pieces[i], float(kl[row]), bool(agree[row]), alternatives[i]))
    return scores


def rescores_folder(data: Path | None = None) -> Path:
    """Where re-scorings are kept, in the app's data folder (or ``data``)."""
    return (data or app_paths().data) / "rescores"


def rescore_path(answer_id: int, model: Path, reference: Path, folder: Path | None = None) -> Path:
    """Where the re-scoring of one answer by one pair of models is kept."""
    pair = hashlib.sha256(f"{model.resolve()}\n{reference.resolve()}".encode()).hexdigest()
    return (folder or rescores_folder()) / f"answer-{answer_id}-{pair[:16]}.json"


def save_rescore(result: Rescore, path: Path) -> None:
    """Keep ``result`` at ``path`` (atomically). Raises OSError if it cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, asdict(result))


def load_rescore(path: Path) -> Rescore | None:
    """A kept re-scoring, or None if it is missing or cannot be read."""
    data = read_json(path)
    if not isinstance(data, dict):
        return None
    try:
        tokens = tuple(
            TokenScore(
                str(t["text"]),
                float(t["kl"]),
                bool(t["top1_agree"]),
                tuple((str(text), float(p)) for text, p in t["alternatives"]),
            )
            for t in data["tokens"]
        )
        return Rescore(
            model=str(data["model"]),
            reference=str(data["reference"]),
            level=str(data["level"]),
            reference_level=str(data["reference_level"]),
            tokens=tokens,
            seconds=float(data["seconds"]),
        )
    except (TypeError, KeyError, ValueError):
        return None
