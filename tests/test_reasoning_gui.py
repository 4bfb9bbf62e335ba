"""Reasoning models in the window: the reasoning streams into a closed "Thinking…" section
apart from the answer, is stored apart, stays out of later prompts, and the thinking
switch is remembered per model."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from llamadesk.core.settings import load_settings
from llamadesk.ui.app import AppParts
from llamadesk.ui.chat_view import MessageBubble

QWEN3_ANSWER = "<think>\nThey say hello.\n</think>\n\nHello there!<|im_end|>"


def load(qtbot, parts: AppParts, model: Path) -> None:
    with qtbot.waitSignal(parts.host.loaded, timeout=60_000):
        parts.window.load_model(model)


def send_and_wait(qtbot, parts: AppParts, text: str):
    editor = parts.window.composer.editor
    with qtbot.waitSignal(parts.session.answer_saved, timeout=60_000) as saved:
        qtbot.keyClicks(editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    return saved.args[0]


def test_reasoning_is_streamed_stored_and_shown_apart(
    qtbot, parts, reasoning_models, script_answers
) -> None:
    script_answers(QWEN3_ANSWER)
    load(qtbot, parts, reasoning_models["qwen3"])
    streamed: list[str] = []
    parts.session.answer_reasoning.connect(lambda _cid, text: streamed.append(text))

    answer = send_and_wait(qtbot, parts, "hello")

    assert "".join(streamed).strip() == "They say hello."
    assert answer.content == "Hello there!"
    assert answer.reasoning == "They say hello."
    assert answer.stats["reasoning_ms"] > 0
    stored = parts.session.store.message(answer.id)
    assert (stored.content, stored.reasoning) == ("Hello there!", "They say hello.")
    bubble = parts.window.chat_view.bubbles[-1]
    assert bubble.text == "Hello there!"
    assert bubble.reasoning is not None
    assert bubble.reasoning.text == "They say hello."
    assert bubble.reasoning.toggle.text().startswith("▸ Thought for")
    assert not bubble.reasoning.body.isVisibleTo(bubble)  # closed until asked for

    qtbot.waitUntil(bubble.reasoning.toggle.isVisible)  # new bubbles show on the next loop
    qtbot.mouseClick(bubble.reasoning.toggle, Qt.MouseButton.LeftButton)

    assert bubble.reasoning.body.isVisible()
    assert bubble.reasoning.toggle.text().startswith("▾ Thought for")


def test_later_turns_send_back_only_the_answer(
    qtbot, parts, reasoning_models, script_answers
) -> None:
    # SmolLM3's template keeps an earlier answer exactly as it is given.
    prompts = script_answers(
        "<think>\nSECRET PLAN\n</think>\n\nFirst answer.<|im_end|>", "Second.<|im_end|>"
    )
    load(qtbot, parts, reasoning_models["smollm3"])

    send_and_wait(qtbot, parts, "one")
    send_and_wait(qtbot, parts, "two")

    assert "SECRET PLAN" not in prompts[1]
    assert "<|im_start|>assistant\nFirst answer.<|im_end|>" in prompts[1]


def test_streaming_reasoning_reads_thinking_and_can_be_opened(qtbot) -> None:
    bubble = MessageBubble("assistant", "model")
    qtbot.addWidget(bubble)
    bubble.show()

    bubble.append_reasoning("Let me ")
    bubble.append_reasoning("think.")

    assert bubble.reasoning is not None
    assert bubble.reasoning.toggle.text() == "▸ Thinking…"
    qtbot.waitUntil(bubble.reasoning.isVisible)  # a new section shows on the next loop
    assert not bubble.reasoning.body.isVisible()
    bubble.reasoning.set_open(True)
    assert bubble.reasoning.body.isVisible()
    assert bubble.reasoning.text == "Let me think."

    bubble.append("The answer.")

    assert bubble.reasoning.toggle.text().startswith("▾ Thought for")
    assert bubble.text == "The answer."


def test_plain_answers_have_no_reasoning_section(qtbot, loaded) -> None:
    send_and_wait(qtbot, loaded, "hello")

    assert loaded.window.chat_view.bubbles[-1].reasoning is None
    assert not loaded.window.composer.thinking.isVisible()


def test_thinking_switch_is_offered_remembered_and_used(
    qtbot, parts, home, reasoning_models, script_answers
) -> None:
    prompts = script_answers("Hi.<|im_end|>")
    model = reasoning_models["qwen3"]
    load(qtbot, parts, model)
    menu = parts.window.composer.thinking
    assert menu.isVisible()
    assert [menu.itemData(i) for i in range(menu.count())] == ["", "on", "off"]

    menu.activated.emit(menu.findData("off"))
    send_and_wait(qtbot, parts, "hello")

    assert prompts[-1].endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
    assert load_settings(home.settings_file).per_model[model.name].thinking == "off"
    load(qtbot, parts, model)  # loaded again: the choice is still there
    assert menu.currentData() == "off"


def test_compare_shows_each_sides_reasoning_apart(
    qtbot, parts, reasoning_models, script_answers
) -> None:
    script_answers(QWEN3_ANSWER, "<think>\nOther thought.\n</think>\n\nHowdy!<|im_end|>")
    load(qtbot, parts, reasoning_models["qwen3"])
    view = parts.window.compare_view
    parts.window.show_mode(1)
    view.prompt.setPlainText("hello")

    with qtbot.waitSignal(parts.compare.ready, timeout=60_000):
        view.run_button.click()

    answers = parts.compare.answers
    assert (answers["A"].content, answers["A"].reasoning) == ("Hello there!", "They say hello.")
    assert (answers["B"].content, answers["B"].reasoning) == ("Howdy!", "Other thought.")
    for side, reasoning in (("A", "They say hello."), ("B", "Other thought.")):
        pane = view.panes[side]
        assert pane.reasoning is not None
        assert pane.reasoning.text == reasoning
        assert pane.reasoning.toggle.text().startswith("▸ Thought for")
