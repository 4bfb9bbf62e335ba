"""Chat templates that raise: one clear message naming the model, never a traceback, and
a system prompt that reaches every model, even one whose template refuses the system role."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from llamadesk.core.engine import (
    ChatMessage,
    ChatTemplateError,
    Engine,
    LoadSettings,
    SamplingParams,
    TemplateRefused,
    fold_system_prompt,
)
from llamadesk.core.testmodel import write_test_model

TEMPLATES = Path(__file__).parent / "data" / "templates"
GEMMA_2 = (TEMPLATES / "google-gemma-2-2b-it.jinja").read_text(encoding="utf-8")
HELLO = [ChatMessage("user", "Hello")]

# Each template fails while rendering, as hostile or broken ones do; with what the user reads.
FAILING = {
    "huge-range": ("{% for i in range(10**9) %}x{% endfor %}", "OverflowError"),
    # Python refuses a string this long before allocating anything: MemoryError, safely.
    "huge-output": ("{{ 'x' * (2**63 - 2) }}", "ran out of memory"),
    "division": ("{{ 1 / 0 }}", "ZeroDivisionError"),
    "types": ("{{ messages + 1 }}", "TypeError"),
    "refusal": ("{{ raise_exception('Only English, please.') }}", "Only English, please."),
}


def model_with_template(folder: Path, name: str, template: str) -> Path:
    return write_test_model(folder / f"{name}.gguf", chat_template=template)


@pytest.fixture(scope="module")
def template_models(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    made = {name: model_with_template(folder, name, text) for name, (text, _) in FAILING.items()}
    made["gemma-2"] = model_with_template(folder, "gemma-2-shaped", GEMMA_2)
    return made


def load(path: Path) -> Engine:
    return Engine.load(path, LoadSettings(n_ctx=512, n_threads=1))


@pytest.mark.parametrize("name", sorted(FAILING))
def test_a_template_that_raises_is_one_error_naming_the_model(template_models, name):
    engine = load(template_models[name])
    try:
        with pytest.raises(ChatTemplateError) as raised:
            engine.format_prompt([{"role": "user", "content": "Hi"}])
        stream = engine.stream(HELLO, SamplingParams(max_tokens=4))
        assert list(stream) == []
    finally:
        engine.close()
    message = str(raised.value)
    assert f"{name}.gguf" in message
    assert FAILING[name][1] in message
    assert "llama.cpp" not in message, "the template's failure is not llama.cpp's"
    assert stream.stats.stop_reason == "error"
    assert stream.stats.error == message


def test_the_templates_own_refusal_is_quoted_as_a_refusal(template_models):
    engine = load(template_models["refusal"])
    try:
        with pytest.raises(TemplateRefused, match=r"refused this conversation: Only English"):
            engine.format_prompt([{"role": "user", "content": "Hi"}])
    finally:
        engine.close()


def test_gemma_2_gets_the_system_prompt_in_the_first_user_turn(template_models):
    engine = load(template_models["gemma-2"])
    try:
        system = [{"role": "system", "content": "Answer in French."}]
        turns = [
            {"role": "user", "content": "Hello"},
            {"role": "assistant", "content": "Bonjour"},
            {"role": "user", "content": "How are you?"},
        ]
        folded = engine.format_prompt([*system, *turns])
        plain = engine.format_prompt(fold_system_prompt([*system, *turns]))
        # A conversation without a system prompt renders as it always did.
        untouched = engine.format_prompt(turns)
        # Alternating roles are the template's other rule: still refused, with its words.
        with pytest.raises(TemplateRefused, match="roles must alternate"):
            engine.format_prompt([turns[0], turns[0]])
        text = engine.llama.detokenize(folded.tokens, special=True).decode()
    finally:
        engine.close()
    assert folded == plain
    assert "<start_of_turn>user\nAnswer in French.\n\nHello<end_of_turn>" in text
    assert text.endswith("<start_of_turn>model\n")
    assert untouched != folded


def test_folding_keeps_every_turn_and_handles_a_lone_system_message():
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello"},
    ]
    assert fold_system_prompt(messages) == [
        {"role": "user", "content": "Be brief.\n\nHi"},
        {"role": "assistant", "content": "Hello"},
    ]
    assert fold_system_prompt(messages[:1]) == [{"role": "user", "content": "Be brief."}]
    assert messages[1]["content"] == "Hi", "the caller's messages are not changed"


def run_chat(model: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llamadesk", "chat", str(model), "Hello", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_chat_says_one_line_when_the_template_fails(template_models):
    result = run_chat(template_models["huge-range"], "--max-tokens", "4", "--threads", "1")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "huge-range.gguf" in line
    assert "OverflowError" in line


def test_cli_chat_with_a_system_prompt_works_for_gemma_2(template_models):
    result = run_chat(
        template_models["gemma-2"],
        "--system",
        "Answer in French.",
        "--max-tokens",
        "4",
        "--temperature",
        "0",
        "--threads",
        "1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
