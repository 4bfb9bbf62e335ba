"""The engine's token loop gives exactly the tokens and bytes of llama-cpp-python's own."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pytest

from llamadesk.core.engine import Engine, LoadSettings
from llamadesk.core.token_loop import PieceReader, sample_tokens

SAMPLING = {"temp": 0.9, "top_k": 40, "top_p": 0.95, "min_p": 0.05, "repeat_penalty": 1.1}


@pytest.fixture
def engine(tiny_model: Path) -> Iterator[Engine]:
    engine = Engine.load(tiny_model, LoadSettings(n_ctx=512, n_threads=1))
    yield engine
    engine.close()


def _answers(engine: Engine, sample: object, prompts: list[list[int]]) -> list[list[int]]:
    """Each prompt's first 40 tokens, one answer after another on the same model (so the
    second finds the first's prompt in the cache), with the same seeds."""
    answers = []
    for seed, prompt in enumerate(prompts):
        engine.llama.set_seed(seed)
        tokens = sample(engine.llama, prompt, **SAMPLING)  # type: ignore[operator]
        answers.append(list(islice(tokens, 40)))
    return answers


def test_sampled_tokens_are_llama_generates_with_the_prefix_cache(engine: Engine) -> None:
    prompt = engine.format_prompt([{"role": "user", "content": "Hello there"}]).tokens
    longer = [*prompt, *prompt[1:6]]  # shares the first prompt's tokens: a prefix-cache hit
    prompts = [prompt, longer, prompt]

    ours = _answers(engine, sample_tokens, prompts)
    engine.llama.reset()
    theirs = _answers(engine, lambda llama, tokens, **kw: llama.generate(tokens, **kw), prompts)

    assert ours == theirs
    assert len(set(map(tuple, ours))) > 1, "random sampling: the answers differ"


def test_pieces_are_detokenize_bytes_for_every_token(engine: Engine) -> None:
    reader = PieceReader(engine.llama)
    vocabulary = range(engine.llama.n_vocab())

    for special in (False, True):
        ours = [reader.piece(token, special) for token in vocabulary]
        theirs = [engine.llama.detokenize([token], special=special) for token in vocabulary]
        assert ours == theirs


def test_a_piece_longer_than_the_buffer_grows_it(engine: Engine) -> None:
    reader = PieceReader(engine.llama)
    reader._size = 1  # every piece longer than a byte needs the larger buffer
    token = max(range(engine.llama.n_vocab()), key=lambda t: len(engine.llama.detokenize([t])))

    assert len(engine.llama.detokenize([token])) > 1
    assert reader.piece(token, False) == engine.llama.detokenize([token])


def test_end_of_generation_as_llama_cpp_says(engine: Engine) -> None:
    reader = PieceReader(engine.llama)

    assert reader.is_end_of_generation(engine.llama.token_eos())
    assert not reader.is_end_of_generation(engine.llama.token_bos() + 5)
