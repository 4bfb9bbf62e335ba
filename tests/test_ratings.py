"""Tests for ratings: thumbs, rewrites, picks, rankings and arena votes, and their migration."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import TickingClock, answer
from llamadesk.core.ratings import REASON_TAGS, Ranking, Ratings
from llamadesk.core.store import MIGRATIONS, Conversation, Message, NotFound, Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "llamadesk.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path, clock=TickingClock()) as opened:
        yield opened


@pytest.fixture
def ratings(store: Store) -> Ratings:
    return Ratings(store)


def ask(store: Store, text: str = "Why is the sky blue?", *, kind: Any = "chat") -> Message:
    conversation = store.create_conversation(kind=kind)
    return store.add_user_message(conversation.id, text)


def three_answers(store: Store) -> tuple[Message, list[Message]]:
    prompt = ask(store)
    return prompt, [answer(store, prompt, f"Answer {n}", f"m{n}.gguf") for n in range(3)]


# Thumbs


def test_thumbs_round_trip(store: Store, ratings: Ratings) -> None:
    reply = answer(store, ask(store))
    assert ratings.thumbs(reply.id) is None
    given = ratings.set_thumbs(reply.id, 1, tags=["concise", "helpful"], comment="Nice")
    assert given.value == 1
    assert given.tags == ("helpful", "concise")  # in the vocabulary's order
    assert given.comment == "Nice"
    assert given.rewrite == ""
    assert ratings.thumbs(reply.id) == given
    assert ratings.all_thumbs() == [given]


def test_thumbs_can_be_changed_and_keep_their_first_time(store: Store, ratings: Ratings) -> None:
    reply = answer(store, ask(store))
    first = ratings.set_thumbs(reply.id, 1, tags=["helpful"])
    second = ratings.set_thumbs(reply.id, -1, tags=["wrong"], rewrite="Rayleigh scattering.")
    assert (second.value, second.tags, second.rewrite) == (-1, ("wrong",), "Rayleigh scattering.")
    assert second.created == first.created < second.updated
    assert ratings.all_thumbs() == [second]


def test_thumbs_can_be_undone(store: Store, ratings: Ratings) -> None:
    reply = answer(store, ask(store))
    ratings.set_thumbs(reply.id, -1, rewrite="Better")
    ratings.clear_thumbs(reply.id)
    assert ratings.thumbs(reply.id) is None
    ratings.clear_thumbs(reply.id)  # already gone: nothing happens


def test_every_reason_tag_is_accepted(store: Store, ratings: Ratings) -> None:
    reply = answer(store, ask(store))
    assert ratings.set_thumbs(reply.id, -1, tags=reversed(REASON_TAGS)).tags == REASON_TAGS


@pytest.mark.parametrize(
    ("value", "fields", "message"),
    [
        (0, {}, "1 or -1"),
        (1, {"tags": ["helpful", "nice"]}, "Unknown reason tags: nice"),
        (1, {"rewrite": "Better"}, "Only a thumbs-down"),
    ],
)
def test_bad_thumbs_are_refused(
    store: Store, ratings: Ratings, value: Any, fields: dict[str, Any], message: str
) -> None:
    reply = answer(store, ask(store))
    with pytest.raises(ValueError, match=message):
        ratings.set_thumbs(reply.id, value, **fields)
    assert ratings.thumbs(reply.id) is None


def test_a_blank_rewrite_is_no_rewrite(store: Store, ratings: Ratings) -> None:
    reply = answer(store, ask(store))
    assert ratings.set_thumbs(reply.id, 1, rewrite="  \n").rewrite == ""


def test_only_answers_get_thumbs(store: Store, ratings: Ratings) -> None:
    prompt = ask(store)
    with pytest.raises(ValueError, match="not an answer"):
        ratings.set_thumbs(prompt.id, 1)
    with pytest.raises(NotFound):
        ratings.set_thumbs(999, 1)


# Picks and rankings


def test_pick_best_among_all_siblings(store: Store, ratings: Ratings) -> None:
    prompt, (first, second, third) = three_answers(store)
    ranking = ratings.pick_best(second.id)
    assert ranking.kind == "pick"
    assert ranking.prompt_id == prompt.id
    assert ranking.best == second.id
    assert ranking.pairs() == [(second.id, first.id), (second.id, third.id)]
    assert ratings.ranking(prompt.id) == ranking


def test_pick_best_among_some(store: Store, ratings: Ratings) -> None:
    _, (first, second, _third) = three_answers(store)
    assert ratings.pick_best(first.id, among=[first.id, second.id]).pairs() == [
        (first.id, second.id)
    ]
    with pytest.raises(ValueError, match="not among"):
        ratings.pick_best(first.id, among=[second.id])


def test_a_ranking_of_three_orders_three_pairs(store: Store, ratings: Ratings) -> None:
    _, (first, second, third) = three_answers(store)
    ranking = ratings.rank([third.id, first.id, second.id])
    assert ranking.kind == "rank"
    assert ranking.answer_ids == (third.id, first.id, second.id)
    assert ranking.ranks == (0, 1, 2)
    assert ranking.pairs() == [(third.id, first.id), (third.id, second.id), (first.id, second.id)]
    assert ratings.rankings() == [ranking]


def test_a_ranking_replaces_a_pick_and_can_be_undone(store: Store, ratings: Ratings) -> None:
    prompt, (first, second, third) = three_answers(store)
    picked = ratings.pick_best(first.id)
    ranked = ratings.rank([second.id, third.id])
    assert ranked.created == picked.created < ranked.updated
    assert ratings.rankings() == [ranked]
    ratings.clear_ranking(prompt.id)
    assert ratings.ranking(prompt.id) is None
    assert ratings.rankings() == []
    ratings.clear_ranking(prompt.id)  # already gone: nothing happens


@pytest.mark.parametrize("ids", [[0], [0, 0, 1], []])
def test_bad_rankings_are_refused(store: Store, ratings: Ratings, ids: list[int]) -> None:
    _, answers = three_answers(store)
    with pytest.raises(ValueError, match="ranking"):
        ratings.rank([answers[i].id for i in ids])
    assert ratings.rankings() == []


def test_only_answers_to_one_prompt_are_ranked(store: Store, ratings: Ratings) -> None:
    _, (first, *_) = three_answers(store)
    elsewhere = answer(store, ask(store, "Another"))
    with pytest.raises(ValueError, match="same prompt"):
        ratings.rank([first.id, elsewhere.id])
    with pytest.raises(ValueError, match="not an answer"):
        ratings.rank([first.id, first.parent_id or 0])
    assert ratings.rankings() == []


def test_a_deleted_best_answer_leaves_no_pairs(store: Store, ratings: Ratings) -> None:
    prompt, (first, _, _) = three_answers(store)
    ratings.pick_best(first.id)
    store.delete_message(first.id)
    ranking = ratings.ranking(prompt.id)
    assert ranking is not None
    assert first.id not in ranking.answer_ids
    assert ranking.best is None
    assert ranking.pairs() == []


def test_a_ranking_stays_consistent_when_an_answer_goes(store: Store, ratings: Ratings) -> None:
    prompt, (first, second, third) = three_answers(store)
    ratings.rank([first.id, second.id, third.id])
    store.delete_message(second.id)
    ranking = ratings.ranking(prompt.id)
    assert ranking is not None
    assert ranking.pairs() == [(first.id, third.id)]


def test_pairs_follow_ranks_not_kind() -> None:
    ranking = Ranking(
        prompt_id=1, kind="pick", answer_ids=(5, 6, 7), ranks=(0, 1, 1), created=0, updated=0
    )
    assert ranking.pairs() == [(5, 6), (5, 7)]


# Arena votes


def test_vote_round_trip(store: Store, ratings: Ratings) -> None:
    _, (first, second, _) = three_answers(store)
    vote = ratings.vote(first.id, second.id, "model_b", strength="much", blind=True)
    assert (vote.model_a, vote.model_b) == ("m0.gguf", "m1.gguf")
    assert (vote.winner, vote.strength, vote.blind) == ("model_b", "much", True)
    assert ratings.comparison(vote.id) == vote
    assert ratings.comparison_of(first.id, second.id) == vote
    assert ratings.comparison_of(second.id, first.id) is None
    assert ratings.comparisons() == [vote]


def test_a_vote_can_be_changed_and_undone(store: Store, ratings: Ratings) -> None:
    _, (first, second, _) = three_answers(store)
    vote = ratings.vote(first.id, second.id, "model_a")
    changed = ratings.vote(first.id, second.id, "tie (bothbad)")
    assert changed.id == vote.id
    assert changed.winner == "tie (bothbad)"
    assert changed.created == vote.created < changed.updated
    ratings.delete_comparison(vote.id)
    assert ratings.comparisons() == []
    with pytest.raises(NotFound):
        ratings.comparison(vote.id)
    ratings.delete_comparison(vote.id)  # already gone: nothing happens


def test_vote_labels_tell_apart_one_model_with_two_settings(store: Store, ratings: Ratings) -> None:
    prompt = ask(store, kind="compare")
    cold = answer(store, prompt, "Cold", "same.gguf")
    hot = answer(store, prompt, "Hot", "same.gguf")
    vote = ratings.vote(cold.id, hot.id, "tie", model_a="same t=0.2", model_b="same t=1.2")
    assert (vote.model_a, vote.model_b) == ("same t=0.2", "same t=1.2")


@pytest.mark.parametrize(
    ("winner", "strength", "message"),
    [
        ("A", "", "Unknown winner"),
        ("model_a", "a lot", "Unknown strength"),
        ("tie", "much", "A tie has no strength"),
    ],
)
def test_bad_votes_are_refused(
    store: Store, ratings: Ratings, winner: Any, strength: Any, message: str
) -> None:
    _, (first, second, _) = three_answers(store)
    with pytest.raises(ValueError, match=message):
        ratings.vote(first.id, second.id, winner, strength=strength)
    assert ratings.comparisons() == []


def test_votes_are_between_two_answers_to_one_prompt(store: Store, ratings: Ratings) -> None:
    prompt, (first, *_) = three_answers(store)
    elsewhere = answer(store, ask(store, "Another"))
    with pytest.raises(ValueError, match="itself"):
        ratings.vote(first.id, first.id, "model_a")
    with pytest.raises(ValueError, match="same prompt"):
        ratings.vote(first.id, elsewhere.id, "model_a")
    with pytest.raises(ValueError, match="not an answer"):
        ratings.vote(first.id, prompt.id, "model_a")
    assert ratings.comparisons() == []


def test_compare_conversations_stay_out_of_the_chat_list(store: Store) -> None:
    chat = store.create_conversation("Chat")
    compare = store.create_conversation("Compare", kind="compare")
    assert store.conversation(compare.id).kind == "compare"
    assert store.list_conversations() == [chat]
    assert store.count_conversations() == 1
    with pytest.raises(ValueError, match="kind"):
        store.create_conversation(kind="arena")  # type: ignore[arg-type]


# Lifetime


def test_deleting_a_conversation_takes_its_ratings(store: Store, ratings: Ratings) -> None:
    prompt, (first, second, _) = three_answers(store)
    ratings.set_thumbs(first.id, 1)
    ratings.pick_best(first.id)
    ratings.vote(first.id, second.id, "model_a")
    store.delete_conversation(prompt.conversation_id)
    assert ratings.all_thumbs() == []
    assert ratings.rankings() == []
    assert ratings.comparisons() == []


def test_ratings_survive_reopening(db_path: Path) -> None:
    with Store(db_path, clock=TickingClock()) as first:
        _, (one, two, three) = three_answers(first)
        given = Ratings(first)
        thumbs = given.set_thumbs(one.id, -1, tags=["wrong"], comment="No", rewrite="Yes")
        ranking = given.rank([two.id, three.id, one.id])
        vote = given.vote(one.id, two.id, "model_b", strength="slightly", blind=True)
    with Store(db_path) as second:
        kept = Ratings(second)
        assert kept.all_thumbs() == [thumbs]
        assert kept.rankings() == [ranking]
        assert kept.comparisons() == [vote]


def test_migrates_a_version_1_database_keeping_its_data(db_path: Path) -> None:
    # Version 1 as its code wrote it: the first migration, then rows with its columns only.
    with closing(sqlite3.connect(db_path, isolation_level=None)) as db:
        MIGRATIONS[0](db)
        db.execute("PRAGMA user_version = 1")
        db.execute(
            "INSERT INTO conversations (id, title, system_prompt, created, updated)"
            " VALUES (1, 'Kept?', 'Be brief.', 10.0, 12.0)"
        )
        db.execute(
            "INSERT INTO messages (id, conversation_id, role, content, created)"
            " VALUES (1, 1, 'user', 'Kept?', 11.0)"
        )
        db.execute(
            "INSERT INTO messages (id, conversation_id, role, content, created, parent_id,"
            " model, params, seed, stats, stop_reason, selected)"
            " VALUES (2, 1, 'assistant', 'Kept.', 12.0, 1, 'a.gguf', '{\"top_k\": 40}', 7,"
            " '{}', 'eos', 1)"
        )
    with Store(db_path) as new:
        (conversation,) = new.list_conversations()
        assert conversation == Conversation(1, "Kept?", "Be brief.", 10.0, 12.0, kind="chat")
        prompt, reply = new.thread(1)
        assert (prompt.content, reply.content, reply.params, reply.seed) == (
            "Kept?",
            "Kept.",
            {"top_k": 40},
            7,
        )
        assert Ratings(new).set_thumbs(reply.id, 1).value == 1
    with closing(sqlite3.connect(db_path)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
