"""`llamadesk chat` with reasoning models: --json, --show-reasoning, --thinking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llamadesk.cli import main

QWEN3_ANSWER = "<think>\nThey say hello.\n</think>\n\nHello!<|im_end|>"


def chat(capsys: pytest.CaptureFixture[str], model: Path, *options: str) -> tuple[int, str, str]:
    code = main(["chat", str(model), "hello", "--threads", "1", "--temperature", "0", *options])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_answer_reasoning_and_stats(
    capsys: pytest.CaptureFixture[str], reasoning_models: dict[str, Path], script_answers
) -> None:
    script_answers(QWEN3_ANSWER)

    code, out, _err = chat(capsys, reasoning_models["qwen3"], "--json")

    assert code == 0
    report = json.loads(out)
    assert report["answer"] == "Hello!"
    assert report["reasoning"] == "They say hello."
    assert report["stats"]["stop_reason"] == "eos"
    assert report["stats"]["reasoning_ms"] > 0


def test_plain_output_is_the_answer_only(
    capsys: pytest.CaptureFixture[str], reasoning_models: dict[str, Path], script_answers
) -> None:
    script_answers(QWEN3_ANSWER)

    code, out, _err = chat(capsys, reasoning_models["qwen3"])

    assert code == 0
    assert out == "Hello!\n"


def test_show_reasoning_prints_it_before_the_answer(
    capsys: pytest.CaptureFixture[str], reasoning_models: dict[str, Path], script_answers
) -> None:
    script_answers(QWEN3_ANSWER)

    code, out, _err = chat(capsys, reasoning_models["qwen3"], "--show-reasoning")

    assert code == 0
    assert out.index("They say hello.") < out.index("Hello!")
    assert out.endswith("Answer:\nHello!\n")


def test_json_without_reasoning_has_an_empty_string(
    capsys: pytest.CaptureFixture[str], tiny_model: Path
) -> None:
    code, out, _err = chat(capsys, tiny_model, "--json", "--max-tokens", "8", "--seed", "1")

    assert code == 0
    report = json.loads(out)
    assert set(report) == {"answer", "reasoning", "stats"}
    assert report["reasoning"] == ""
    assert report["answer"]
    assert report["stats"]["completion_tokens"] >= 1


def test_thinking_switch_reaches_the_template(
    capsys: pytest.CaptureFixture[str], reasoning_models: dict[str, Path], script_answers
) -> None:
    prompts = script_answers("Hi.<|im_end|>")

    code, out, _err = chat(capsys, reasoning_models["qwen35"], "--thinking", "off")

    assert code == 0
    assert out == "Hi.\n"  # a closed think block in the prompt: the answer is not reasoning
    assert prompts[0].endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")


def test_thinking_on_a_model_without_a_switch_is_one_clear_error(
    capsys: pytest.CaptureFixture[str], tiny_model: Path
) -> None:
    code, _out, err = chat(capsys, tiny_model, "--thinking", "on")

    assert code == 2
    assert err.strip().splitlines() == [
        f"llamadesk: {tiny_model.name} has no thinking switch in its chat template; "
        "leave out --thinking."
    ]


def test_thinking_effort_names_the_choices(
    capsys: pytest.CaptureFixture[str], reasoning_models: dict[str, Path]
) -> None:
    code, _out, err = chat(capsys, reasoning_models["gpt-oss"], "--thinking", "on")

    assert code == 2
    assert "takes --thinking low, medium or high" in err
