"""The engine on real llama.cpp: streaming, stats, cancelling, and clear errors."""

from __future__ import annotations

import threading

import pytest

from llamadesk.core.engine import (
    ChatMessage,
    Engine,
    EngineError,
    LoadSettings,
    SamplingParams,
    _StreamingText,
)
from llamadesk.core.gguf_info import GGUFError

HELLO = [ChatMessage("user", "Hello there")]


@pytest.fixture(scope="module")
def engine(tiny_model):
    engine = Engine.load(tiny_model, LoadSettings(n_ctx=512, n_threads=1))
    yield engine
    engine.close()


def test_stream_yields_pieces_and_reports_stats(engine):
    stream = engine.stream(HELLO, SamplingParams(temperature=0.0, max_tokens=24, seed=0))
    pieces = list(stream)
    assert len(pieces) > 1
    assert stream.text == "".join(pieces)
    stats = stream.stats
    assert stats is not None
    assert stats.stop_reason in ("eos", "length")
    if stats.stop_reason == "length":
        assert stats.completion_tokens == 24
    assert stats.ttft_ms > 0
    assert stats.total_ms >= stats.ttft_ms
    assert stats.tokens_per_second > 0
    assert stats.seed == 0


def test_prompt_tokens_count_the_chat_template(engine):
    stream = engine.stream(HELLO, SamplingParams(temperature=0.0, max_tokens=2))
    list(stream)
    formatted = "<|user|>\nHello there</s>\n<|assistant|>\n"
    # Like llama-cpp-python's chat handler, no BOS is added: a template that wants one
    # writes {{ bos_token }} itself (Zephyr's, like this one, does not).
    expected = len(engine.llama.tokenize(formatted.encode(), add_bos=False, special=True))
    assert stream.stats.prompt_tokens == expected


def test_greedy_answers_are_deterministic(engine):
    params = SamplingParams(temperature=0.0, max_tokens=16, seed=5)
    assert "".join(engine.stream(HELLO, params)) == "".join(engine.stream(HELLO, params))


def test_random_seed_is_recorded_so_an_answer_can_be_reproduced(engine):
    first = engine.stream(HELLO, SamplingParams(temperature=1.0, max_tokens=16, seed=-1))
    text = "".join(first)
    seed = first.stats.seed
    assert 0 <= seed < 2**32
    again = engine.stream(HELLO, SamplingParams(temperature=1.0, max_tokens=16, seed=seed))
    assert "".join(again) == text


def test_cancel_from_another_thread_stops_between_tokens(engine):
    cancel = threading.Event()
    stream = engine.stream(HELLO, SamplingParams(temperature=0.0, max_tokens=400, seed=0), cancel)
    pieces = []
    for piece in stream:
        pieces.append(piece)
        if len(pieces) == 3:
            threading.Thread(target=cancel.set).start()
    assert stream.stats.stop_reason == "stopped"
    assert stream.stats.completion_tokens < 400
    assert stream.text == "".join(pieces)


def test_a_prompt_longer_than_the_context_is_an_error_not_a_crash(engine):
    huge = [ChatMessage("user", "word " * 2000)]
    stream = engine.stream(huge, SamplingParams(max_tokens=8))
    assert list(stream) == []
    assert stream.stats.stop_reason == "error"
    assert "context of 512 tokens" in stream.stats.error


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (SamplingParams(temperature=-1), "Temperature"),
        (SamplingParams(top_p=0), "Top-p"),
        (SamplingParams(max_tokens=0), "Max tokens"),
        (SamplingParams(seed=2**32), "Seed"),
    ],
)
def test_bad_sampling_values_are_refused(engine, params, message):
    with pytest.raises(EngineError, match=message):
        engine.stream(HELLO, params)


def test_loading_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(GGUFError, match=r"nothing\.gguf"):
        Engine.load(tmp_path / "nothing.gguf")


def test_bad_load_settings_are_refused(tiny_model):
    with pytest.raises(EngineError, match="CPU threads"):
        Engine.load(tiny_model, LoadSettings(n_threads=-3))


def test_context_defaults_to_the_models_own_capped(tiny_model):
    engine = Engine.load(tiny_model)
    try:
        assert engine.n_ctx == min(engine.info.context_length, 4096)
        assert engine.settings.n_ctx == engine.n_ctx
    finally:
        engine.close()


def test_text_pieces_are_whole_characters():
    text = _StreamingText(["</s>"])
    euro = "€".encode()
    assert text.add(euro[:1]) == ("", False)
    assert text.add(euro[1:] + b" ok") == ("€ ok", False)


def test_invalid_bytes_are_dropped_not_stuck():
    # A byte that never becomes a character must not hold back the text after it.
    text = _StreamingText([])
    assert text.add(b"\xff") == ("", False)
    assert text.add(b"fine") == ("fine", False)


def test_a_stop_word_split_across_tokens_ends_the_answer_unseen():
    text = _StreamingText(["</s>"])
    assert text.add(b"done <") == ("done ", False)
    assert text.add(b"/s") == ("", False)
    assert text.add(b"> more") == ("", True)


def test_a_stop_word_prefix_that_goes_nowhere_is_shown():
    text = _StreamingText(["</s>"])
    assert text.add(b"a </") == ("a ", False)
    assert text.add(b"b") == ("</b", False)
    assert text.add(b" <") == (" ", False)
    assert text.flush() == "<"
