"""The Data set page over a real database: counts, pairs, delete, leaderboard and exports.

The ratings are made through core, as the chat and compare views store them; the page reads
them back through `DatasetService`, whose jobs run on a background thread.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from conftest import answer
from llamadesk.core.dataset import RatingRef, delete_pair, preference_pairs, read_dataset
from llamadesk.core.preferences import arena_rows, kto_rows, trl_rows
from llamadesk.core.ratings import Ratings
from llamadesk.core.store import Message, Store
from llamadesk.services.dataset import DatasetService
from llamadesk.ui import widgets
from llamadesk.ui.dataset_view import EMPTY_MESSAGE, DatasetView

LLAMA, QWEN, PHI = "llama-3b-Q4_K_M.gguf", "qwen-1.5b-Q8_0.gguf", "phi-mini-Q4_0.gguf"

# What the rated data set below adds up to.
PAIRS_BY_SOURCE = {"rewrite": 1, "pick": 2, "rank": 3, "compare": 3}
ROWS_BY_EXPORT = {"trl": 9, "kto": 4, "arena": 5}
COUNTS_LINE = (
    "9 preference pairs · 3 thumbs (2 good / 1 bad) · 1 rewrite · 1 best pick · 1 ranking"
    " · 5 arena votes (1 tie, 1 both bad)"
)


@dataclass
class Rated:
    """The database and the ids the tests look up."""

    path: Path
    rewritten: Message  # thumbs-down with a better answer
    ranked_prompt: Message  # its three answers are ranked


def rate(path: Path) -> Rated:
    """A chat rated every way (thumbs, rewrite, pick of 3, rank of 3) and five arena votes.

    LLAMA wins every vote it is in that is not a tie.
    """
    with Store(path) as store:
        ratings = Ratings(store)
        chat = store.create_conversation("Sky", system_prompt="Be brief.")
        sky = store.add_user_message(chat.id, "Why is the sky blue?")
        rewritten = answer(store, sky, "Because it is.", QWEN)
        ratings.set_thumbs(rewritten.id, -1, tags=["wrong"], rewrite="Rayleigh scattering.")
        colour = store.add_user_message(chat.id, "Name a colour")
        picked = [answer(store, colour, name, model) for name, model in _three("Red")]
        ratings.pick_best(picked[0].id)
        ratings.set_thumbs(picked[0].id, 1)
        ratings.set_thumbs(picked[1].id, 1)
        ranked_prompt = store.add_user_message(chat.id, "Rank these answers")
        ranked = [answer(store, ranked_prompt, name, model) for name, model in _three("One")]
        ratings.rank([a.id for a in ranked])

        arena = store.create_conversation("Compare", kind="compare")
        for model_a, model_b, winner in (
            (LLAMA, QWEN, "model_a"),
            (QWEN, LLAMA, "model_b"),
            (LLAMA, PHI, "model_a"),
            (QWEN, PHI, "tie"),
            (LLAMA, QWEN, "tie (bothbad)"),
        ):
            prompt = store.add_user_message(arena.id, f"{model_a} or {model_b}?")
            a = answer(store, prompt, f"A by {model_a}", model_a)
            b = answer(store, prompt, f"B by {model_b}", model_b)
            ratings.vote(a.id, b.id, winner)
    return Rated(path, rewritten, ranked_prompt)


def _three(word: str) -> list[tuple[str, str]]:
    return [(f"{word} {n}", model) for n, model in enumerate((LLAMA, QWEN, PHI))]


@pytest.fixture
def rated(tmp_path: Path) -> Rated:
    return rate(tmp_path / "llamadesk.sqlite3")


def open_view(qtbot, database: Path) -> DatasetView:
    """The page over ``database``, shown, with its first read done."""
    service = DatasetService(database)
    view = DatasetView(service)
    qtbot.addWidget(view)
    with qtbot.waitSignal(service.loaded):
        view.show()
    return view


@pytest.fixture
def views(qtbot) -> Iterator[list[DatasetView]]:
    """Pages made by a test; their background jobs are joined at the end."""
    made: list[DatasetView] = []
    yield made
    for view in made:
        assert view.service.wait_for_all(10_000), "a data set job did not finish"


@pytest.fixture
def view(qtbot, views, rated: Rated) -> DatasetView:
    views.append(open_view(qtbot, rated.path))
    return views[-1]


def sources_shown(view: DatasetView) -> Counter[str]:
    return Counter(pair.source for pair in view.pair_model.pairs())


def fake_save_dialog(monkeypatch: pytest.MonkeyPatch, target: Path) -> None:
    def answer(*_args, **_kwargs) -> tuple[str, str]:
        return str(target), "JSON Lines (*.jsonl)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)


def confirm_with(monkeypatch: pytest.MonkeyPatch, reply: bool) -> list[str]:
    """Answer every confirmation with ``reply``; returns the questions asked."""
    asked: list[str] = []

    def fake_confirm(_parent, _title, text, _action) -> bool:
        asked.append(text)
        return reply

    monkeypatch.setattr(widgets, "confirm", fake_confirm)
    return asked


# Counts and pairs


def test_counts_by_kind_are_shown(view: DatasetView) -> None:
    assert view.counts_label.text() == COUNTS_LINE


def test_the_table_shows_every_pair(view: DatasetView) -> None:
    assert view.pair_model.rowCount() == sum(PAIRS_BY_SOURCE.values())
    assert sources_shown(view) == PAIRS_BY_SOURCE


def test_a_selected_pair_shows_both_answers_in_full(view: DatasetView, rated: Rated) -> None:
    rewrite_row = next(
        row for row, pair in enumerate(view.pair_model.pairs()) if pair.source == "rewrite"
    )
    view.pairs_table.selectRow(rewrite_row)

    details = view.details
    assert "Why is the sky blue?" in details.prompt.text()
    assert details.chosen.toPlainText() == "Rayleigh scattering."
    assert details.rejected.toPlainText() == rated.rewritten.content
    assert "qwen-1.5b-Q8_0" in details.rejected_title.text()
    assert view.delete_button.isEnabled()


def test_a_change_elsewhere_shows_up(qtbot, view: DatasetView, rated: Rated) -> None:
    with Store(rated.path) as store:
        Ratings(store).set_thumbs(rated.rewritten.id, -1, rewrite="Air scatters blue light.")
    with qtbot.waitSignal(view.service.loaded):
        view.service.mark_changed()
    assert "Air scatters blue light." in [pair.chosen for pair in view.pair_model.pairs()]


# Deleting


def select_first(view: DatasetView, source: str) -> None:
    pairs = view.pair_model.pairs()
    view.pairs_table.selectRow(next(i for i, pair in enumerate(pairs) if pair.source == source))


def test_deleting_a_ranked_pair_takes_the_whole_ranking_for_good(
    qtbot, monkeypatch: pytest.MonkeyPatch, view: DatasetView, rated: Rated
) -> None:
    asked = confirm_with(monkeypatch, True)
    select_first(view, "rank")
    with qtbot.waitSignal(view.service.loaded):
        view.delete_button.click()

    assert "whole ranking" in asked[0]
    assert "3 pairs" in asked[0]
    assert sources_shown(view) == Counter({**PAIRS_BY_SOURCE, "rank": 0})
    with Store(rated.path) as reopened:
        assert Ratings(reopened).ranking(rated.ranked_prompt.id) is None
        assert len(preference_pairs(reopened)) == view.pair_model.rowCount()


def test_deleting_a_rewrite_keeps_the_thumbs_down(
    qtbot, monkeypatch: pytest.MonkeyPatch, view: DatasetView, rated: Rated
) -> None:
    asked = confirm_with(monkeypatch, True)
    select_first(view, "rewrite")
    with qtbot.waitSignal(view.service.loaded):
        view.delete_button.click()

    assert "Bad rating of the original answer stays" in asked[0]
    assert sources_shown(view)["rewrite"] == 0
    with Store(rated.path) as reopened:
        thumbs = Ratings(reopened).thumbs(rated.rewritten.id)
    assert thumbs is not None
    assert (thumbs.value, thumbs.rewrite, thumbs.tags) == (-1, "", ("wrong",))


def test_deleting_a_vote_removes_it_from_the_leaderboard(
    qtbot, monkeypatch: pytest.MonkeyPatch, view: DatasetView, rated: Rated
) -> None:
    confirm_with(monkeypatch, True)
    select_first(view, "compare")
    with qtbot.waitSignal(view.service.loaded):
        view.delete_button.click()
    assert sources_shown(view)["compare"] == 2
    assert "4 arena votes" in view.counts_label.text()


def test_a_cancelled_delete_keeps_the_pair(
    monkeypatch: pytest.MonkeyPatch, view: DatasetView, rated: Rated
) -> None:
    confirm_with(monkeypatch, False)
    select_first(view, "pick")
    view.delete_button.click()
    assert view.service.wait_for_all(10_000)
    with Store(rated.path) as reopened:
        assert len(preference_pairs(reopened)) == sum(PAIRS_BY_SOURCE.values())


# Leaderboard


def test_the_model_that_wins_most_votes_leads(view: DatasetView) -> None:
    assert view.leaderboard_table.models()[0] == LLAMA
    assert set(view.leaderboard_table.models()) == {LLAMA, QWEN, PHI}
    assert view.leaderboard_table.item(0, 4).text() == "3 / 1 / 0"


# Exports


@pytest.mark.parametrize(("kind", "rows"), ROWS_BY_EXPORT.items())
def test_an_export_through_the_page_writes_every_row(
    qtbot, monkeypatch: pytest.MonkeyPatch, view: DatasetView, tmp_path: Path, kind: str, rows: int
) -> None:
    target = tmp_path / f"{kind}.jsonl"
    fake_save_dialog(monkeypatch, target)
    with qtbot.waitSignal(view.service.export_done) as done:
        view.export_actions[kind].trigger()

    lines = target.read_text(encoding="utf-8").splitlines()
    assert [type(json.loads(line)) for line in lines] == [dict] * rows
    assert done.args[0].count == rows
    assert str(target) in view.banner.label.text()
    assert f"Wrote {rows} " in view.banner.label.text()
    assert all(action.isEnabled() for action in view.export_actions.values())


def test_an_unwritable_path_says_so_and_leaves_no_file(
    qtbot, monkeypatch: pytest.MonkeyPatch, view: DatasetView, tmp_path: Path
) -> None:
    (tmp_path / "file.txt").write_text("not a folder")
    before = sorted(tmp_path.iterdir())
    target = tmp_path / "file.txt" / "out.jsonl"
    fake_save_dialog(monkeypatch, target)
    with qtbot.waitSignal(view.service.export_failed):
        view.export_actions["trl"].trigger()

    assert view.banner.isVisible()
    assert view.banner.property("kind") == "error"
    assert "Export failed" in view.banner.label.text()
    assert str(target) in view.banner.label.text()
    assert sorted(tmp_path.iterdir()) == before
    assert all(action.isEnabled() for action in view.export_actions.values())


def test_an_empty_data_set_says_so_and_still_exports(
    qtbot, monkeypatch: pytest.MonkeyPatch, views, tmp_path: Path
) -> None:
    Store(tmp_path / "empty.sqlite3").close()
    views.append(open_view(qtbot, tmp_path / "empty.sqlite3"))
    view = views[-1]
    assert view.counts_label.text() == EMPTY_MESSAGE
    assert view.pair_model.rowCount() == 0
    assert not view.leaderboard_table.isVisible()

    target = tmp_path / "trl.jsonl"
    fake_save_dialog(monkeypatch, target)
    with qtbot.waitSignal(view.service.export_done):
        view.export_actions["trl"].trigger()
    assert target.read_bytes() == b""
    assert EMPTY_MESSAGE in view.banner.label.text()


def test_a_cancelled_save_dialog_exports_nothing(
    monkeypatch: pytest.MonkeyPatch, view: DatasetView, tmp_path: Path
) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args, **_kwargs: ("", ""))
    view.export_actions["kto"].trigger()
    assert not view.service.busy
    assert not view.banner.isVisible()


# What the page reads (core.dataset)


def test_the_counts_are_the_exports_lengths(rated: Rated) -> None:
    with Store(rated.path) as store:
        counts = read_dataset(store).counts
        lengths = (len(trl_rows(store)), len(kto_rows(store)), len(arena_rows(store)))
    assert (counts.trl_pairs, counts.kto_rows, counts.arena_battles) == lengths
    assert lengths == tuple(ROWS_BY_EXPORT.values())


def test_every_pair_knows_its_rating(rated: Rated) -> None:
    with Store(rated.path) as store:
        pairs = preference_pairs(store)
    kinds = Counter(pair.rating.kind for pair in pairs)
    assert kinds == {"thumbs": 1, "ranking": 5, "comparison": 3}
    ranked = {pair.rating for pair in pairs if pair.source == "rank"}
    assert ranked == {RatingRef("ranking", rated.ranked_prompt.id)}


def test_deleting_a_pair_twice_is_harmless(rated: Rated) -> None:
    with Store(rated.path) as store:
        pick = next(pair for pair in preference_pairs(store) if pair.source == "pick")
        assert delete_pair(store, pick.id) == pick.rating
        assert delete_pair(store, pick.id) is None
        assert delete_pair(store, "nonsense") is None
        assert [p.source for p in preference_pairs(store)].count("pick") == 0
