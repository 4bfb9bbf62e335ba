"""Rating answers in the chat: thumbs with reasons, rewrites, siblings, best picks, rankings."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from llamadesk.core.engine import SamplingParams
from llamadesk.core.preferences import trl_rows
from llamadesk.core.ratings import Ratings
from llamadesk.ui.rating_dialogs import FeedbackDialog, RankDialog

SHORT = SamplingParams(temperature=0.9, max_tokens=10, seed=-1)


def ask(qtbot, parts, text: str):
    parts.session.params = SHORT
    with qtbot.waitSignal(parts.session.answer_saved, timeout=30_000) as saved:
        parts.window.composer.send_requested.emit(text)
    return saved.args[0]


def regenerate(qtbot, parts):
    with qtbot.waitSignal(parts.session.answer_saved, timeout=30_000) as saved:
        parts.window.chat_view.regenerate_requested.emit()
    return saved.args[0]


def last_rating(parts):
    rating = parts.window.chat_view.bubbles[-1].rating
    assert rating is not None
    return rating


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_good_is_stored_at_once_and_a_second_click_takes_it_back(qtbot, loaded):
    answer = ask(qtbot, loaded, "Rate me")
    click(qtbot, last_rating(loaded).good)
    assert Ratings(loaded.store).thumbs(answer.id).value == 1
    assert last_rating(loaded).good.isChecked()
    click(qtbot, last_rating(loaded).good)
    assert Ratings(loaded.store).thumbs(answer.id) is None
    assert not last_rating(loaded).good.isChecked()


def test_bad_with_reasons_and_a_better_answer_becomes_a_preference_pair(qtbot, loaded, monkeypatch):
    answer = ask(qtbot, loaded, "Explain quantization")
    asked: list[FeedbackDialog] = []

    def fill_in(dialog: FeedbackDialog) -> int:
        asked.append(dialog)
        dialog.tag_boxes["wrong"].setChecked(True)
        dialog.tag_boxes["too long"].setChecked(True)
        dialog.comment.setText("babble")
        dialog.rewrite.setPlainText("Quantization stores each weight in fewer bits.")
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(FeedbackDialog, "exec", fill_in)
    click(qtbot, last_rating(loaded).bad)

    assert len(asked) == 1, "Bad offers the feedback dialog"
    thumbs = Ratings(loaded.store).thumbs(answer.id)
    assert thumbs.value == -1
    assert thumbs.tags == ("wrong", "too long")
    assert thumbs.comment == "babble"
    (pair,) = trl_rows(loaded.store)
    assert pair["chosen"] == [
        {"role": "assistant", "content": "Quantization stores each weight in fewer bits."}
    ]
    assert pair["rejected"] == [{"role": "assistant", "content": answer.content}]
    assert pair["prompt"][-1] == {"role": "user", "content": "Explain quantization"}


def test_cancelling_the_feedback_keeps_the_thumb(qtbot, loaded, monkeypatch):
    answer = ask(qtbot, loaded, "Hmm")
    monkeypatch.setattr(FeedbackDialog, "exec", lambda _d: QDialog.DialogCode.Rejected.value)
    click(qtbot, last_rating(loaded).bad)
    assert Ratings(loaded.store).thumbs(answer.id).value == -1
    assert trl_rows(loaded.store) == []


def test_regenerate_then_step_between_answers_and_pick_the_best(qtbot, loaded):
    first = ask(qtbot, loaded, "Say something")
    second = regenerate(qtbot, loaded)
    third = regenerate(qtbot, loaded)
    rating = last_rating(loaded)
    assert rating.counter.text() == "3 / 3"
    assert not rating.next.isEnabled()

    click(qtbot, rating.previous)
    assert loaded.window.chat_view.bubbles[-1].text == second.content
    assert last_rating(loaded).counter.text() == "2 / 3"
    click(qtbot, last_rating(loaded).best_button)

    assert Ratings(loaded.store).ranking(first.parent_id).best == second.id
    pairs = {
        (row["chosen"][0]["content"], row["rejected"][0]["content"])
        for row in trl_rows(loaded.store)
    }
    assert pairs == {(second.content, first.content), (second.content, third.content)}
    assert last_rating(loaded).best_button.isChecked()


def test_ranking_three_answers_gives_three_pairs(qtbot, loaded, monkeypatch):
    first = ask(qtbot, loaded, "Rank us")
    second = regenerate(qtbot, loaded)
    third = regenerate(qtbot, loaded)

    def reorder(dialog: RankDialog) -> int:
        assert dialog.order() == [first.id, second.id, third.id]
        dialog.list.insertItem(0, dialog.list.takeItem(2))  # drag the third to the top
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(RankDialog, "exec", reorder)
    click(qtbot, last_rating(loaded).rank_button)

    ranking = Ratings(loaded.store).ranking(first.parent_id)
    assert ranking.answer_ids == (third.id, first.id, second.id)
    assert len(trl_rows(loaded.store)) == 3


def test_ratings_survive_a_restart(qtbot, loaded, make_parts):
    ask(qtbot, loaded, "Keep my rating")
    regenerate(qtbot, loaded)
    click(qtbot, last_rating(loaded).good)
    click(qtbot, last_rating(loaded).best_button)

    again = make_parts()
    rating = again.window.chat_view.bubbles[-1].rating
    assert rating.good.isChecked()
    assert rating.best_button.isChecked()
    assert rating.counter.text() == "2 / 2"


def test_an_answer_still_streaming_cannot_be_rated(qtbot, loaded):
    loaded.session.params = SamplingParams(temperature=0.0, max_tokens=1500, seed=1)
    with qtbot.waitSignal(loaded.session.answer_text, timeout=30_000):
        loaded.window.composer.send_requested.emit("A long one")
    assert loaded.window.chat_view.streaming_bubble.rating is None
    with qtbot.waitSignal(loaded.session.answer_saved, timeout=30_000):
        loaded.session.stop()
    assert last_rating(loaded) is not None


def test_a_rating_in_the_chat_shows_on_the_data_set_page(qtbot, loaded, monkeypatch):
    ask(qtbot, loaded, "First")
    regenerate(qtbot, loaded)
    window = loaded.window
    with qtbot.waitSignal(window.dataset.loaded, timeout=30_000):
        window.show_mode(window.dataset_page)
    assert window.dataset_view.pairs_table.model().rowCount() == 0

    window.show_mode(0)
    # The page was just shown again and may not be laid out yet: click() needs no geometry.
    last_rating(loaded).best_button.click()
    with qtbot.waitSignal(window.dataset.loaded, timeout=30_000):
        window.show_mode(window.dataset_page)
    assert window.dataset_view.pairs_table.model().rowCount() == 1
