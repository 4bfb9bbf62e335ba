"""Reasoning models end to end in the engine: real chat templates rendered by llama-cpp-python's
own formatter, and scripted token ids through the engine's real decoding (control tokens
included), since random weights never write reasoning of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from llamadesk.core.engine import AnswerStream, ChatMessage, Engine, LoadSettings, SamplingParams
from llamadesk.core.reasoning import template_arguments

GREEDY = SamplingParams(temperature=0.0, max_tokens=200, seed=0)
HELLO = [ChatMessage("user", "hello")]


@pytest.fixture
def load(reasoning_models: dict[str, Path]) -> Iterator[object]:
    engines: list[Engine] = []

    def _load(name: str) -> Engine:
        engine = Engine.load(reasoning_models[name], LoadSettings(n_ctx=2048, n_threads=1))
        engines.append(engine)
        return engine

    yield _load
    for engine in engines:
        engine.close()


def script(engine: Engine, text: str, end: str) -> list[int]:
    """The token ids a model writing `text` then `end` would sample; markers become the
    vocabulary's own (control) tokens."""
    tokenize = engine.llama.tokenize
    return [
        *tokenize(text.encode("utf-8"), add_bos=False, special=True),
        *tokenize(end.encode("utf-8"), add_bos=False, special=True),
    ]


def play(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, tokens: list[int], thinking: str = ""
) -> tuple[list[tuple[str, str]], AnswerStream]:
    """Run an answer whose sampler is replaced by `tokens`; everything else is the engine's."""
    monkeypatch.setattr(engine, "_generate", lambda _prompt, _params: iter(tokens))
    stream = engine.stream(HELLO, GREEDY, thinking=thinking)
    parts = [(part.reasoning, part.answer) for part in stream.parts()]
    return parts, stream


def prompt_text(engine: Engine, thinking: str = "") -> str:
    template = engine.llama.metadata["tokenizer.chat_template"]
    tokens = engine.format_prompt(
        [{"role": "user", "content": "hello"}], template_arguments(template, thinking)
    ).tokens
    return engine.llama.detokenize(tokens, special=True).decode("utf-8")


@pytest.mark.parametrize(
    ("name", "fmt", "choices"),
    [
        ("qwen3", "tags", ("on", "off")),
        ("qwen35", "tags", ("on", "off")),
        ("smollm3", "tags", ("on", "off")),
        ("gpt-oss", "harmony", ("low", "medium", "high")),
        ("gemma4", "gemma4", ("on", "off")),
    ],
)
def test_format_and_thinking_switch_read_from_the_gguf(
    load, name: str, fmt: str, choices: tuple[str, ...]
) -> None:
    engine = load(name)

    assert engine.reasoning_format == fmt
    assert engine.thinking_choices == choices


def test_thinking_switch_reaches_the_real_templates(load) -> None:
    qwen3, qwen35, smollm3 = load("qwen3"), load("qwen35"), load("smollm3")
    gpt_oss, gemma4 = load("gpt-oss"), load("gemma4")

    assert prompt_text(qwen3, "off").endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
    assert prompt_text(qwen3, "on").endswith("<|im_start|>assistant\n")
    assert prompt_text(qwen35).endswith("<think>\n")  # pre-filled: thinking by default
    assert prompt_text(qwen35, "off").endswith("<think>\n\n</think>\n\n")
    assert "Reasoning Mode: /think" in prompt_text(smollm3)
    assert "Reasoning Mode: /no_think" in prompt_text(smollm3, "off")
    assert "Reasoning: medium" in prompt_text(gpt_oss)
    assert "Reasoning: high" in prompt_text(gpt_oss, "high")
    assert prompt_text(gpt_oss).endswith("<|start|>assistant")
    assert "<|think|>" not in prompt_text(gemma4)
    assert "<|think|>" in prompt_text(gemma4, "on")
    assert prompt_text(gemma4).endswith("<|channel>thought\n<channel|>")


def test_qwen3_think_tags_are_split_out(load, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = load("qwen3")
    tokens = script(engine, "<think>\nA greeting.\n</think>\n\nHello there!", "<|im_end|>")

    parts, stream = play(engine, monkeypatch, tokens, thinking="on")

    assert stream.reasoning == "A greeting."
    assert stream.text == "Hello there!"
    assert "".join(answer for _, answer in parts) == "Hello there!"
    assert parts[0] == ("A", "")  # reasoning streams as it is written
    assert stream.stats.stop_reason == "eos"
    assert stream.stats.reasoning_ms > 0
    assert 0 < stream.stats.reasoning_tokens < stream.stats.completion_tokens


def test_markers_written_as_several_tokens(load, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = load("qwen3-plain-think")
    tokens = script(engine, "<think>\nHmm.\n</think>\n\nHi!", "<|im_end|>")
    close = engine.llama.tokenize(b"</think>", add_bos=False, special=True)
    assert len(close) > 1  # the test is only worth something if the marker is cut up

    _parts, stream = play(engine, monkeypatch, tokens)

    assert (stream.reasoning, stream.text) == ("Hmm.", "Hi!")


def test_qwen35_prefilled_think(load, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = load("qwen35")
    tokens = script(engine, "Two and two.\n</think>\n\nFour.", "<|im_end|>")

    _parts, stream = play(engine, monkeypatch, tokens)

    assert (stream.reasoning, stream.text) == ("Two and two.", "Four.")


def test_prefill_switched_off_reads_the_answer_as_answer(
    load, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = load("qwen35")
    tokens = script(engine, "Four.", "<|im_end|>")

    _parts, stream = play(engine, monkeypatch, tokens, thinking="off")

    assert (stream.reasoning, stream.text) == ("", "Four.")
    assert stream.stats.reasoning_ms == 0.0


def test_gpt_oss_channels_decoded_from_their_tokens(load, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = load("gpt-oss")
    text = (
        "<|channel|>analysis<|message|>They greet me.<|end|>"
        "<|start|>assistant<|channel|>final<|message|>Hi!"
    )
    tokens = script(engine, text, "<|return|>")
    channel = engine.llama.tokenize(b"<|channel|>", add_bos=False, special=True)
    assert len(channel) == 1  # a token of its own, as in gpt-oss's vocabulary

    _parts, stream = play(engine, monkeypatch, tokens, thinking="low")

    assert (stream.reasoning, stream.text) == ("They greet me.", "Hi!")
    assert stream.stats.stop_reason == "eos"


def test_gemma4_thought_channel_from_control_tokens(load, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = load("gemma4")
    (open_id,) = engine.llama.tokenize(b"<|channel>", add_bos=False, special=True)
    # A control token: plain decoding drops it, which is how other apps leak the thought.
    assert engine.llama.detokenize([open_id]) == b""
    tokens = script(engine, "<|channel>thought\nA hello.<channel|>Hello!", "<turn|>")

    _parts, stream = play(engine, monkeypatch, tokens, thinking="on")

    assert (stream.reasoning, stream.text) == ("A hello.", "Hello!")


def test_reasoning_never_closed_at_the_end_becomes_the_answer(
    load, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = load("qwen3")
    tokens = script(engine, "<think>\nIt is four.", "<|im_end|>")

    _parts, stream = play(engine, monkeypatch, tokens)

    assert (stream.reasoning, stream.text) == ("", "It is four.")


def test_reasoning_cut_by_the_length_limit_stays_reasoning(
    load, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = load("qwen3")
    tokens = script(engine, "<think>\nFirst, " + "and then " * 100, "<|im_end|>")
    monkeypatch.setattr(engine, "_generate", lambda _prompt, _params: iter(tokens))

    stream = engine.stream(HELLO, SamplingParams(temperature=0.0, max_tokens=20))
    list(stream.parts())

    assert stream.stats.stop_reason == "length"
    assert stream.reasoning.startswith("First,")
    assert stream.text == ""
    assert stream.stats.reasoning_tokens == 20


def test_plain_model_output_is_unchanged(tiny_model: Path) -> None:
    """The test model's format has no reasoning: its control tokens stay hidden as before."""
    engine = Engine.load(tiny_model, LoadSettings(n_threads=1))
    try:
        assert engine.reasoning_format == "none"
        stream = engine.stream(HELLO, GREEDY)
        assert "".join(stream) == stream.text
        assert stream.reasoning == ""
    finally:
        engine.close()
