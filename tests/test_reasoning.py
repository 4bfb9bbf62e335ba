"""The streaming reasoning parser: every format, markers split across pieces, bad input."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from llamadesk.core.reasoning import (
    ReasoningFormat,
    ReasoningParser,
    opens_in_reasoning,
    reasoning_format,
    template_arguments,
    thinking_choices,
)

TEMPLATES = Path(__file__).parent / "data" / "templates"


def parse(
    fmt: ReasoningFormat, pieces: Iterable[str], *, in_reasoning: bool = False
) -> tuple[str, str]:
    parser = ReasoningParser(fmt, in_reasoning=in_reasoning)
    reasoning = answer = ""
    for piece in pieces:
        delta = parser.feed(piece)
        reasoning += delta.reasoning
        answer += delta.answer
    rest = parser.close()
    return reasoning + rest.reasoning, answer + rest.answer


def splits(text: str) -> Iterable[list[str]]:
    """The text whole, one character at a time, and cut in two at every place."""
    yield [text]
    yield list(text)
    for cut in range(1, len(text)):
        yield [text[:cut], text[cut:]]


QWEN3 = "<think>\nThe user greets me.\n</think>\n\nHello! How can I help?"
HARMONY = (
    "<|channel|>analysis<|message|>User says hi. Reply briefly.<|end|>"
    "<|start|>assistant<|channel|>final<|message|>Hi there!"
)
GEMMA4 = "<|channel>thought\nA greeting.\n<channel|>Hello!"


@pytest.mark.parametrize("pieces", list(splits(QWEN3)))
def test_think_tags_split_anywhere(pieces: list[str]) -> None:
    reasoning, answer = parse("tags", pieces)

    assert reasoning.strip() == "The user greets me."
    assert answer == "Hello! How can I help?"


@pytest.mark.parametrize("pieces", list(splits("Let me see.\n</think>\n\nIt is 4.")))
def test_prefilled_think_starts_inside_the_reasoning(pieces: list[str]) -> None:
    reasoning, answer = parse("tags", pieces, in_reasoning=True)

    assert reasoning.strip() == "Let me see."
    assert answer == "It is 4."


@pytest.mark.parametrize("pieces", list(splits(HARMONY)))
def test_harmony_channels_split_anywhere(pieces: list[str]) -> None:
    reasoning, answer = parse("harmony", pieces)

    assert reasoning == "User says hi. Reply briefly."
    assert answer == "Hi there!"


@pytest.mark.parametrize("pieces", list(splits(GEMMA4)))
def test_gemma4_thought_channel_split_anywhere(pieces: list[str]) -> None:
    reasoning, answer = parse("gemma4", pieces)

    assert reasoning.strip() == "A greeting."
    assert answer == "Hello!"


def test_each_piece_returns_only_what_it_adds() -> None:
    parser = ReasoningParser("tags")

    assert parser.feed("<think>") == ("", "")
    assert parser.in_reasoning
    assert parser.feed("one ") == ("one ", "")
    assert parser.feed("two</th") == ("two", "")  # "</th" may be the start of </think>
    assert parser.feed("ink>Yes") == ("", "Yes")
    assert parser.reasoning_closed
    assert not parser.in_reasoning


def test_text_that_only_looks_like_a_marker_start_is_released() -> None:
    parser = ReasoningParser("tags", in_reasoning=True)

    assert parser.feed("a </") == ("a ", "")
    assert parser.feed("b>") == ("</b>", "")  # not </think> after all: nothing lost


def test_think_tag_after_answer_text_is_part_of_the_answer() -> None:
    assert parse("tags", ["The tag <think> opens and </think> closes."]) == (
        "",
        "The tag <think> opens and </think> closes.",
    )


def test_no_reasoning_when_the_model_does_not_think() -> None:
    assert parse("tags", ["Just an answer."]) == ("", "Just an answer.")
    assert parse("gemma4", ["Just an answer."]) == ("", "Just an answer.")


def test_unclosed_reasoning_stays_reasoning() -> None:
    # A stopped or cut-off answer: what was thought so far is kept, as reasoning.
    assert parse("tags", ["<think>\nhalf a thou", "ght"]) == ("half a thought", "")


@pytest.mark.parametrize("pieces", list(splits("Hello, no channels here.")))
def test_harmony_without_channels_shows_the_raw_text(pieces: list[str]) -> None:
    assert parse("harmony", pieces) == ("", "Hello, no channels here.")


def test_harmony_header_that_never_ends_shows_the_raw_text() -> None:
    never_ends = "<|channel|>" + "x" * 300

    reasoning, answer = parse("harmony", [never_ends])

    assert reasoning == ""
    assert "x" * 300 in answer


def test_harmony_cut_off_in_a_header_shows_no_markers() -> None:
    cut = HARMONY.split("final")[0]

    assert parse("harmony", [cut]) == ("User says hi. Reply briefly.", "")


def test_harmony_commentary_is_shown_as_answer() -> None:
    text = "<|channel|>commentary<|message|>Looking that up.<|end|>"

    assert parse("harmony", [text]) == ("", "Looking that up.")


def test_none_format_passes_everything_through_untouched() -> None:
    text = "  <think>x</think>\n<|channel|>"

    assert parse("none", list(text)) == ("", text)


@pytest.mark.parametrize(
    ("template", "fmt", "choices"),
    [
        ("Qwen-Qwen3-0.6B.jinja", "tags", ("on", "off")),
        ("Qwen3.5-4B.jinja", "tags", ("on", "off")),
        ("HuggingFaceTB-SmolLM3-3B.jinja", "tags", ("on", "off")),
        ("openai-gpt-oss-120b.jinja", "harmony", ("low", "medium", "high")),
        ("google-gemma-4-31B-it.jinja", "gemma4", ("on", "off")),
    ],
)
def test_format_and_switch_come_from_the_real_templates(
    template: str, fmt: str, choices: tuple[str, ...]
) -> None:
    text = (TEMPLATES / template).read_text(encoding="utf-8")

    assert reasoning_format(text) == fmt
    assert thinking_choices(text) == choices


def test_plain_template_has_no_reasoning_and_no_switch() -> None:
    from llamadesk.core.testmodel import CHAT_TEMPLATE

    assert reasoning_format(CHAT_TEMPLATE) == "none"
    assert thinking_choices(CHAT_TEMPLATE) == ()
    assert template_arguments(CHAT_TEMPLATE, "on") == {}


def test_template_arguments_per_switch() -> None:
    qwen = (TEMPLATES / "Qwen-Qwen3-0.6B.jinja").read_text(encoding="utf-8")
    gpt_oss = (TEMPLATES / "openai-gpt-oss-120b.jinja").read_text(encoding="utf-8")

    assert template_arguments(qwen, "off") == {"enable_thinking": False}
    assert template_arguments(qwen, "on") == {"enable_thinking": True}
    assert template_arguments(qwen, "") == {}
    assert template_arguments(qwen, "high") == {}  # not a choice this template has
    assert template_arguments(gpt_oss, "high") == {"reasoning_effort": "high"}
    assert template_arguments(gpt_oss, "off") == {}


def test_prefill_is_read_from_the_prompt_end() -> None:
    assert opens_in_reasoning("tags", "<|im_start|>assistant\n<think>\n")
    assert not opens_in_reasoning("tags", "<|im_start|>assistant\n<think>\n\n</think>\n\n")
    assert not opens_in_reasoning("harmony", "<think>\n")
