"""The quant arena's statistics, checked against hand calculations on fixed votes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import quality_report
from llamadesk.core.arena import (
    ArenaLevel,
    CurvePoint,
    Preference,
    duel_label,
    history_prompts,
    model_levels,
    parse_label,
    preference,
    quality_curve,
    recommend,
    recommendation_for,
    reference_of,
    reference_scores,
)
from llamadesk.core.gguf_info import read_gguf_info
from llamadesk.core.ratings import Comparison, Winner
from llamadesk.core.store import Store

REF = "M · Q8_0"
LOW = "M · Q2_K"


def vote(a: str, b: str, winner: Winner) -> Comparison:
    return Comparison(0, 1, 2, a, b, winner, "", True, 0.0, 0.0)


def level(name: str, bits: float, size: int, requantized_from: str = "") -> ArenaLevel:
    return ArenaLevel(Path(f"/m/M-{name}.gguf"), "M", name, size, bits, requantized_from)


def test_labels_name_the_model_the_level_and_a_requantization():
    label = duel_label("SmolLM2-135M-Instruct", "Q2_K", "Q4_1")
    assert label == "SmolLM2-135M-Instruct · Q2_K (requantized from Q4_1)"
    assert parse_label(label) == ("SmolLM2-135M-Instruct", "Q2_K", "Q4_1")
    assert parse_label("M · Q8_0") == ("M", "Q8_0", "")
    assert parse_label("tiny-f32 @ temp 0.7") is None, "compare's own labels are no duels"


def test_the_reference_scores_one_for_a_win_half_for_a_tie_on_either_side():
    votes = [
        vote(REF, LOW, "model_a"),  # reference on A wins: 1
        vote(LOW, REF, "model_a"),  # reference on B loses: 0
        vote(LOW, REF, "model_b"),  # reference on B wins: 1
        vote(REF, LOW, "tie"),  # 0.5
        vote(LOW, REF, "tie (bothbad)"),  # 0.5
        vote(REF, "M · Q4_K_M", "model_a"),  # another level: not this pair
        vote("other · Q2_K", REF, "model_b"),
    ]
    assert reference_scores(votes, REF, LOW) == [1.0, 0.0, 1.0, 0.5, 0.5]


def test_the_share_counts_ties_half():
    scores = [1.0] * 6 + [0.5] * 2 + [0.0] * 2  # 6 wins, 2 ties, 2 losses: (6 + 1) / 10
    assert preference(scores).share == pytest.approx(0.7)
    assert preference(scores).duels == 10


def test_the_bootstrap_interval_matches_the_normal_approximation_on_forty_coin_flips():
    # Sd of a mean of 40 fair 0/1 scores: sqrt(0.25 / 40) = 0.079; 1.96 x that = 0.155.
    found = preference([1.0, 0.0] * 20)
    assert found.share == 0.5
    assert found.lower == pytest.approx(0.345, abs=0.03)
    assert found.upper == pytest.approx(0.655, abs=0.03)
    assert found == preference([1.0, 0.0] * 20), "the same seed gives the same interval"


def test_unanimous_votes_have_no_spread_and_no_votes_say_nothing():
    assert preference([1.0] * 5) == Preference(5, 1.0, 1.0, 1.0)
    assert preference([]) == Preference(0, 0.5, 0.0, 1.0)


def test_verdicts_and_how_many_more_duels():
    # Fewer than 20 decide nothing; at share 0.5 the "same" boundary (0.7) is 0.2 away:
    # (1.96 x 0.5 / 0.2)^2 = 24.01, so 25 duels in all, 6 more after 19.
    few = preference([0.5] * 19)
    assert (few.verdict, few.more_duels()) == ("too few", 6)
    assert preference([1.0, 0.0] * 20).verdict == "same"  # upper 0.655 <= 0.7
    assert preference([1.0] * 30 + [0.5] * 10).verdict == "told apart"
    # Share 0.6: 0.1 from both boundaries: (1.96 x 0.5 / 0.1)^2 = 96.04 -> 97, 67 more.
    undecided = preference([1.0] * 18 + [0.0] * 12)
    assert undecided.share == pytest.approx(0.6)
    assert (undecided.verdict, undecided.more_duels()) == ("undecided", 67)


def points(*prefs: tuple[ArenaLevel, Preference | None]) -> list[CurvePoint]:
    return [CurvePoint(lvl, pref, None) for lvl, pref in prefs]


Q2 = level("Q2_K", 3.0, 300_000_000)
Q3 = level("Q3_K_M", 3.9, 390_000_000)
Q4 = level("Q4_K_M", 4.9, 490_000_000)
Q8 = level("Q8_0", 8.5, 850_000_000)
TOLD = preference([1.0] * 40)
SAME = preference([1.0, 0.0] * 20)
OPEN = preference([1.0] * 18 + [0.0] * 12)


def test_the_recommendation_is_the_smallest_level_you_could_not_tell_apart():
    found = recommend(points((Q2, TOLD), (Q3, SAME), (Q4, SAME), (Q8, None)))
    assert found.level == Q3
    assert found.text.startswith(
        "Q3_K_M is the smallest level you could not tell apart from Q8_0 in 40 duels: "
        "you preferred Q8_0 in 50% of them (95% interval 3"
    )
    assert found.text.endswith("and it is 0.46 GB smaller.")


def test_without_a_verdict_it_says_how_many_more_duels():
    found = recommend(points((Q2, TOLD), (Q3, OPEN), (Q4, preference([0.5] * 3)), (Q8, None)))
    assert found.level is None
    # Q4_K_M after 3 ties needs 22 more (25 in all); Q3_K_M needs 67: the nearest is named.
    assert found.text == (
        "Not enough duels yet: about 22 more between Q4_K_M and Q8_0 would tell whether you "
        "can tell them apart (3 so far)."
    )


def test_when_every_level_is_told_apart_keep_the_reference():
    found = recommend(points((Q2, TOLD), (Q4, TOLD), (Q8, None)))
    assert (found.level, found.text) == (
        Q8,
        "You told every smaller level apart from Q8_0: keep Q8_0.",
    )
    alone = recommend(points((Q8, None)))
    assert alone.level is None
    assert alone.text == "Q8_0 is the smallest level: make a smaller one to duel."


def test_a_level_larger_than_the_reference_is_never_recommended():
    # Requantized from Q8_0's source, a K-quant of a small model can come out larger.
    larger = level("Q4_K_S", 9.0, 900_000_000, requantized_from="Q4_1")
    found = recommend(points((Q2, TOLD), (Q8, None), (larger, SAME)))
    assert found.text == "You told every smaller level apart from Q8_0: keep Q8_0."


def test_the_curve_counts_only_duels_against_the_reference():
    votes = [
        vote(Q8.label, Q2.label, "model_a"),
        vote(Q2.label, Q8.label, "model_b"),
        vote(Q2.label, Q8.label, "tie"),
        vote(Q2.label, Q4.label, "model_b"),  # not against the reference
    ]
    curve = quality_curve([Q8, Q4, Q2], votes, [], resamples=100)
    assert [p.level for p in curve] == [Q2, Q4, Q8], "smallest first"
    q2, q4, q8 = (p.preference for p in curve)
    assert q2 is not None
    assert (q2.duels, q2.share) == (3, pytest.approx(2.5 / 3))
    assert q4 is not None
    assert q4.duels == 0
    assert q8 is None, "the reference is not measured against itself"


def test_a_requantized_level_is_never_the_reference():
    source = level("Q4_1", 5.0, 500_000_000)
    bigger = level("Q8_0", 8.5, 850_000_000, requantized_from="Q4_1")
    assert reference_of([bigger, source, Q2]) == source
    assert bigger.short == "Q8_0 (requantized from Q4_1)"


def test_files_of_one_model_are_its_levels_largest_first(quantized, tiny_model):
    files = [tiny_model] + [q.result.path for q in quantized.values()]
    (levels,) = model_levels(read_gguf_info(path) for path in files).values()
    assert [lvl.level for lvl in levels] == ["F32", "Q8_0", "Q4_K_M"]
    assert {lvl.model for lvl in levels} == {"tiny"}, "the level is cut from the file name"
    assert levels[1].requantized_from == "", "quantized from F32: nothing compounds"
    assert reference_of(levels).level == "F32"


def test_history_prompts_are_the_users_own_each_once(tmp_path):
    with Store(tmp_path / "chats.db") as store:
        first = store.create_conversation()
        store.add_user_message(first.id, "Explain rain")
        second = store.create_conversation()
        store.add_user_message(second.id, "Explain rain")
        store.add_user_message(second.id, "Name three rivers")
        compare = store.create_conversation(kind="compare")
        store.add_user_message(compare.id, "Not a chat")
        assert sorted(history_prompts(store)) == ["Explain rain", "Name three rivers"]


def test_the_curve_is_read_from_stored_votes_and_saved_measurements(tmp_path, quantized):
    from llamadesk.core.evaluate import save_report
    from llamadesk.core.ratings import Ratings
    from llamadesk.services.arena import read_state

    folder = quantized["Q8_0"].result.path.parent  # tiny-f32, tiny-Q8_0, tiny-Q4_K_M
    low = quantized["Q4_K_M"].result.path
    reference = folder / "tiny-f32.gguf"
    # Reference won 3, tied 2 (one "both bad"), lost 1: (3 + 2 x 0.5) / 6 = 2/3.
    outcomes: list[tuple[Winner, bool]] = [
        ("model_a", True),
        ("model_b", False),
        ("model_a", True),
        ("tie", True),
        ("tie (bothbad)", False),
        ("model_b", True),  # the level won, sitting on B
    ]
    with Store(tmp_path / "chats.db") as store:
        for winner, reference_on_a in outcomes:
            conversation = store.create_conversation(kind="compare")
            prompt = store.add_user_message(conversation.id, "p")
            a, b = (
                store.add_answer(
                    conversation.id,
                    prompt.id,
                    text,
                    model="",
                    params={},
                    seed=1,
                    stats={},
                    stop_reason="eos",
                )
                for text in ("x", "y")
            )
            labels = ("tiny · F32", "tiny · Q4_K_M")
            first, second = labels if reference_on_a else labels[::-1]
            Ratings(store).vote(a.id, b.id, winner, model_a=first, model_b=second)
    reports = tmp_path / "quality.json"
    measured = quality_report(
        model=str(low.resolve()), reference=str(reference.resolve()), kl_divergence=0.25
    )
    save_report(measured, "your conversations", reports)

    state = read_state(folder, tmp_path / "chats.db", reports)
    curve = {p.level.level: p for p in state.curves["tiny"]}
    q4 = curve["Q4_K_M"]
    assert q4.preference is not None
    assert (q4.preference.duels, q4.preference.share) == (6, pytest.approx(4 / 6))
    assert q4.quality == measured
    assert curve["Q8_0"].preference is not None
    assert curve["Q8_0"].preference.duels == 0
    assert curve["Q8_0"].quality is None
    assert curve["F32"].preference is None, "the reference"
    assert state.recommendations["tiny"].text.startswith("Not enough duels yet: about")


def judged_against_q8(pref: Preference):
    """The recommendation for a Q4_K_M judged by ``pref`` against a Q8_0 reference."""
    ref, low = level("Q8_0", 8.5, 850_000_000), level("Q4_K_M", 4.9, 490_000_000)
    return recommend([CurvePoint(low, pref, None), CurvePoint(ref, None, None)])


def test_the_models_page_mark_names_the_level_the_reference_and_the_duels():
    found = judged_against_q8(Preference(40, 0.55, 0.42, 0.66))
    assert found.from_your_duels == (
        "From your duels: Q4_K_M — you could not tell it apart from Q8_0 in 40 duels"
    )
    keep = judged_against_q8(Preference(40, 0.9, 0.8, 0.97))
    assert keep.from_your_duels == "From your duels: Q8_0 — you told every smaller level apart"
    early = judged_against_q8(Preference(3, 0.5, 0.1, 0.9))
    assert early.level is None
    assert early.from_your_duels == ""


def test_a_recommendation_is_found_by_the_model_in_a_repositorys_file_names():
    found = judged_against_q8(Preference(40, 0.55, 0.42, 0.66))
    assert recommendation_for({"M": found}, ["m-Q4_K_M.gguf", "m-Q8_0.gguf"]) == found
    assert recommendation_for({"M": found}, ["Other-Q4_K_M.gguf"]) is None
    undecided = judged_against_q8(Preference(3, 0.5, 0.1, 0.9))
    assert recommendation_for({"M": undecided}, ["M-Q8_0.gguf"]) is None
