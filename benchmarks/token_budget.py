"""Where each token's time goes on the way from llama.cpp to the screen (issue 12).

    python benchmarks/token_budget.py MODEL.gguf [--tokens 128] [--rounds 5]

Two parts, both measured as CPU time of the thread doing the work (`time.thread_time`), which
other programs on the machine change far less than wall-clock time:

1. Generation with one llama.cpp thread (so all of llama.cpp's work is on the measuring
   thread), three loops interleaved round by round, median per token:
   - ``c_floor``: llama_decode + llama_sampler_sample called directly, nothing else: what
     llama.cpp itself costs per token, sampling included;
   - ``generate``: `Llama.generate` with `Llama.detokenize` per token (the engine before
     issue 12);
   - ``token_loop``: `core/token_loop.py` (the engine now).
   Each loop's excess over ``c_floor`` is its Python overhead per token.
2. The Python stages after a token is sampled, run on scripted tokens (the model's own
   vocabulary, no decoding), best of several repeats, microseconds per token: detokenizing,
   UTF-8 and stop-word handling, the engine's callback and bookkeeping, the worker's
   coalescing; and per GUI update (60 a second at most): the signal's delivery and the chat
   view's render.

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))

from llamadesk.core.engine import (
    ChatMessage,
    Engine,
    LoadSettings,
    SamplingParams,
    _StreamingText,
)
from llamadesk.core.token_loop import PieceReader, sample_tokens

PROMPT = "Write a short story about a llama who learns to program computers."
GREEDY = {"temp": 0.0, "top_k": 40, "top_p": 0.95, "min_p": 0.05, "repeat_penalty": 1.0}


def _per_token_us(run: Callable[[], int]) -> float:
    started = time.thread_time()
    count = run()
    return (time.thread_time() - started) / count * 1e6


def _c_floor(engine: Engine, prompt: list[int], tokens: int) -> int:
    import llama_cpp

    llama = engine.llama
    first = sample_tokens(llama, prompt, **GREEDY)
    next(first)  # the prompt, as the other loops (untimed difference: one sample)
    first.close()
    ctx, sampler = llama._ctx.ctx, llama._sampler.sampler
    batch = llama._batch.batch
    batch.n_tokens, batch.n_seq_id[0], batch.logits[0] = 1, 1, 1
    batch.seq_id[0][0] = 0
    token, position = 0, llama.n_tokens
    for _ in range(tokens):
        batch.token[0], batch.pos[0] = token, position
        llama_cpp.llama_decode(ctx, batch)
        token = llama_cpp.llama_sampler_sample(sampler, ctx, -1)
        position += 1
    llama.n_tokens = 0  # the cache no longer matches input_ids: the next loop starts afresh
    return tokens


def _generate_loop(engine: Engine, prompt: list[int], tokens: int) -> int:
    llama = engine.llama
    count = 0
    for token in llama.generate(prompt, **GREEDY):
        llama.detokenize([token])
        count += 1
        if count == tokens:
            break
    return count


def _token_loop(engine: Engine, prompt: list[int], tokens: int) -> int:
    reader = PieceReader(engine.llama)
    count = 0
    for token in sample_tokens(engine.llama, prompt, **GREEDY):
        reader.piece(token, False)
        count += 1
        if count == tokens:
            break
    return count


def generation(model: Path, tokens: int, rounds: int) -> dict[str, Any]:
    engine = Engine.load(model, LoadSettings(n_threads=1, n_ctx=2048))
    try:
        prompt = engine.format_prompt([{"role": "user", "content": PROMPT}]).tokens
        loops = {"c_floor": _c_floor, "generate": _generate_loop, "token_loop": _token_loop}
        figures: dict[str, list[float]] = {name: [] for name in loops}
        for loop in loops.values():  # warm-up
            loop(engine, prompt, 8)
        for _ in range(rounds):
            for name, loop in loops.items():
                engine.llama.n_tokens = 0  # every loop evaluates the prompt afresh
                figures[name].append(_per_token_us(partial(loop, engine, prompt, tokens)))
        medians = {name: statistics.median(values) for name, values in figures.items()}
        return {
            "cpu_us_per_token": medians,
            "python_overhead_us": {
                name: medians[name] - medians["c_floor"] for name in ("generate", "token_loop")
            },
            "rounds": figures,
        }
    finally:
        engine.close()


def python_path(model: Path, tokens: int) -> dict[str, float]:
    """The three loops again with llama_decode replaced by a function that does nothing:
    what remains per token is each loop's Python and the sampler's C (the same in all
    three), measured best-of-7 in microseconds, with no model computation to drown it."""
    import llama_cpp
    import llama_cpp.llama_cpp as bindings  # what llama-cpp-python's own classes call

    engine = Engine.load(model, LoadSettings(n_threads=1, n_ctx=2048))
    decode = llama_cpp.llama_decode
    try:
        prompt = engine.format_prompt([{"role": "user", "content": PROMPT}]).tokens
        for loop in (_c_floor, _generate_loop, _token_loop):
            engine.llama.n_tokens = 0
            loop(engine, prompt, 2)  # the prompt evaluated for real, once
        llama_cpp.llama_decode = bindings.llama_decode = lambda _ctx, _batch: 0
        figures = {}
        for name, loop in (
            ("c_floor_us", _c_floor),
            ("generate_us", _generate_loop),
            ("token_loop_us", _token_loop),
        ):

            def run(loop: Callable[[Engine, list[int], int], int] = loop) -> int:
                engine.llama.n_tokens = len(prompt)  # cached: no prompt evaluation
                return loop(engine, prompt, tokens)

            figures[name] = _best_us(run)
        return figures
    finally:
        llama_cpp.llama_decode = bindings.llama_decode = decode
        engine.close()


def _best_us(work: Callable[[], int], repeats: int = 7) -> float:
    """Best of `repeats` of `work` (which returns how many tokens it handled), per token."""
    best = float("inf")
    for _ in range(repeats):
        best = min(best, _per_token_us(work))
    return best


def stages(model: Path) -> dict[str, float]:
    """Microseconds per token of each Python stage, on the model's tokens for a long text."""
    engine = Engine.load(model, LoadSettings(n_threads=1, n_ctx=8192))
    try:
        # This file's text, less the stop word it names (which would end the answer).
        text = Path(__file__).read_text(encoding="utf-8").replace("<|im_end|>", "")
        tokens = engine.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        reader = PieceReader(engine.llama)
        pieces = [reader.piece(token, False) for token in tokens]
        stop_words = ["<|im_end|>"]

        def old_detokenize() -> int:
            for token in tokens:
                engine.llama.detokenize([token], special=False)
            return len(tokens)

        def new_detokenize() -> int:
            for token in tokens:
                reader.piece(token, False)
            return len(tokens)

        def utf8_and_stops() -> int:
            streaming = _StreamingText(stop_words)
            for data in pieces:
                streaming.add(data)
            return len(pieces)

        def engine_path() -> int:
            engine._generate = lambda _prompt, _params: iter(tokens)  # type: ignore[method-assign]
            params = SamplingParams(temperature=0.0, max_tokens=len(tokens) + 1)
            stream = engine.stream([ChatMessage("user", "x")], params)
            for _ in stream.parts():
                pass
            assert stream.stats is not None
            # The script ends without an end token: the engine counts one less, as for one.
            assert stream.stats.completion_tokens == len(tokens) - 1
            return len(tokens)

        figures = {
            "detokenize_generate_us": _best_us(old_detokenize),
            "detokenize_token_loop_us": _best_us(new_detokenize),
            "utf8_and_stop_words_us": _best_us(utf8_and_stops),
        }
        # The whole engine path after sampling (detokenize, UTF-8, stop words, callback,
        # reasoning split, stats), less the prompt's formatting, spread over the tokens.
        prompt_us = _best_us(lambda: len(tokens) if engine.format_prompt([]) else 0)
        figures["engine_after_sampling_us"] = _best_us(engine_path, 3) - prompt_us
        return figures
    finally:
        engine.close()


def gui_update(updates: int = 200) -> dict[str, float]:
    """CPU milliseconds of one streaming update in the chat view (render and layout,
    painting included), and of one queued signal's delivery, on an offscreen window."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QObject, Signal, Slot
    from PySide6.QtWidgets import QApplication

    from llamadesk.ui.chat_view import ChatView

    app = QApplication.instance() or QApplication([])
    view = ChatView()
    view.resize(900, 700)
    view.show()
    view.begin_answer("model")
    app.processEvents()
    line = "The quick brown fox jumps over the lazy dog, and then it *sat down* to rest. "
    chunk = 4 * line[:12]  # about what 60 updates a second carry at 100 tokens/s
    render: list[float] = []
    for number in range(updates):
        started = time.thread_time()
        view.append_answer(chunk + ("\n\n" if number % 20 == 19 else ""))
        app.processEvents()
        render.append((time.thread_time() - started) * 1000)

    class Link(QObject):  # lives on the GUI thread; emitted from another: queued
        text = Signal(int, str)

        def __init__(self) -> None:
            super().__init__()
            self.received = 0
            self.text.connect(self.take)

        @Slot(int, str)
        def take(self, _id: int, _text: str) -> None:
            self.received += 1

    link = Link()
    emitter = threading.Thread(target=lambda: [link.text.emit(1, chunk) for _ in range(updates)])
    emitter.start()
    emitter.join()
    started = time.thread_time()
    while link.received < updates:
        app.processEvents()
    delivery = (time.thread_time() - started) / updates * 1000
    view.close()
    return {
        "render_ms_median": statistics.median(render),
        "render_ms_p90": sorted(render)[int(0.9 * len(render))],
        "signal_delivery_ms": delivery,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    result: dict[str, Any] = {"load_average_1m_before": os.getloadavg()[0]}

    def measure() -> None:  # llama.cpp's OpenMP pool belongs to the calling thread
        result["generation"] = generation(args.model, args.tokens, args.rounds)
        result["stages"] = stages(args.model)
        result["python_path"] = python_path(args.model, args.tokens)

    thread = threading.Thread(target=measure)
    thread.start()
    thread.join()
    result["gui"] = gui_update()
    result["load_average_1m_after"] = os.getloadavg()[0]
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
