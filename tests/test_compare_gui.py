"""Compare mode: two answers to one prompt, side by side, a blind vote, stored at once."""

from __future__ import annotations

import shutil

from PySide6.QtCore import Qt

from llamadesk.core.preferences import arena_rows, trl_rows
from llamadesk.core.ratings import Ratings


def run_comparison(qtbot, parts, prompt: str = "Which is better?"):
    view = parts.window.compare_view
    parts.window.show_mode(1)
    view.max_tokens = 12
    view.prompt.setPlainText(prompt)
    assert not view.vote_buttons["model_a"].isEnabled()
    with qtbot.waitSignal(parts.compare.ready, timeout=60_000):
        view.run_button.click()  # the page was just shown: it may not be laid out yet
    return view


def test_a_blind_vote_between_two_seeds_is_stored_and_exported(qtbot, loaded):
    view = run_comparison(qtbot, loaded)
    answers = loaded.compare.answers
    assert {side: bool(m.content) for side, m in answers.items()} == {"A": True, "B": True}
    assert answers["A"].seed == 1
    assert answers["B"].seed == 2
    assert view.panes["A"].author.text() == "Answer A", "blind: the model stays hidden"

    view.strength.setCurrentIndex(view.strength.findData("much"))
    qtbot.mouseClick(view.vote_buttons["model_b"], Qt.MouseButton.LeftButton)

    (vote,) = Ratings(loaded.store).comparisons()
    assert (vote.winner, vote.strength, vote.blind) == ("model_b", "much", True)
    assert "tiny-f32" in view.panes["A"].author.text(), "the vote reveals the models"
    (pair,) = trl_rows(loaded.store)
    assert pair["chosen"][0]["content"] == answers["B"].content
    assert pair["rejected"][0]["content"] == answers["A"].content
    assert len(arena_rows(loaded.store)) == 1


def test_two_models_take_turns_and_a_tie_stays_out_of_the_pairs(qtbot, loaded, tiny_model):
    other = loaded.window.paths.models / "second-model.gguf"
    shutil.copy(tiny_model, other)
    loaded.window._refresh_models()
    view = loaded.window.compare_view
    view.forms["B"].select(other)

    run_comparison(qtbot, loaded)
    answers = loaded.compare.answers
    assert (answers["A"].model, answers["B"].model) == (tiny_model.name, "second-model.gguf")
    qtbot.mouseClick(view.vote_buttons["tie"], Qt.MouseButton.LeftButton)

    assert trl_rows(loaded.store) == []
    (battle,) = arena_rows(loaded.store)
    assert battle["winner"] == "tie"


def test_votes_survive_a_restart_and_comparisons_stay_out_of_the_chat_list(
    qtbot, loaded, make_parts
):
    view = run_comparison(qtbot, loaded, "Arena prompt")
    qtbot.mouseClick(view.vote_buttons["model_a"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.vote_buttons["tie (bothbad)"], Qt.MouseButton.LeftButton)

    again = make_parts()
    (vote,) = Ratings(again.store).comparisons()
    assert vote.winner == "tie (bothbad)", "a changed vote replaces the first"
    titles = [c.title for c in again.store.list_conversations()]
    assert "Arena prompt" not in titles


def test_an_empty_prompt_is_refused(qtbot, loaded):
    view = loaded.window.compare_view
    view.prompt.setPlainText("   ")
    with qtbot.waitSignal(loaded.compare.failed) as failed:
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert "prompt" in failed.args[0]
    assert not loaded.compare.running


def test_finished_answers_show_as_markdown_not_as_the_plain_text_they_streamed_in(qtbot, loaded):
    view = run_comparison(qtbot, loaded)
    for side, message in loaded.compare.answers.items():
        pane = view.panes[side]
        assert pane.text == message.content
        assert pane.tail is None, f"{side}: its last paragraph is still the plain streaming text"
