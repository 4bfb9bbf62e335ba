"""The quant arena end to end on the real starter model (SmolLM2-135M-Instruct Q4_1).

Q2_K, Q3_K_M and Q8_0 are made from it by LlamaDesk's own quantize; from an already
quantized file that needs allow_requantize, and every label says "requantized from Q4_1".
Q8_0 only stores Q4_1's weights in more bits: it cannot be better than its source, so Q4_1
(the largest level not requantized) stays the reference.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from llamadesk.core.preferences import arena_rows, export, trl_rows
from llamadesk.core.quantize import quantize
from llamadesk.core.ratings import Ratings
from llamadesk.core.rescore import Rescore
from test_arena_gui import open_chat_with_answer, rescore_button
from test_cli import run_cli
from test_preferences import load_json  # noqa: F401  # a fixture

pytestmark = pytest.mark.slow
ANSWER = Path(__file__).parent / "data" / "arena-answer.txt"


@pytest.fixture(scope="session")
def levels(real_model: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The starter model and three levels made from it, in a folder of their own."""
    folder = tmp_path_factory.mktemp("arena-levels")
    source = folder / real_model.name
    shutil.copyfile(real_model, source)
    made = {"Q4_1": source}
    for level in ("Q2_K", "Q3_K_M", "Q8_0"):
        made[level] = quantize(source, level, allow_requantize=True).path
    return made


def link_levels(parts, levels: dict[str, Path]) -> None:
    """The levels in the window's models folder, each with its lineage (which says the
    made ones were requantized from Q4_1, so Q4_1 is the reference, not Q8_0)."""
    for path in levels.values():
        (parts.paths.models / path.name).symlink_to(path)
        lineage = path.with_name(path.name + ".lineage.json")
        if lineage.exists():
            shutil.copyfile(lineage, parts.paths.models / lineage.name)


def duels_of(view, level: str) -> int:
    """The duels the arena page's last read counts between ``level`` and the reference."""
    points = view.state.curves["SmolLM2-135M-Instruct"]
    (point,) = [p for p in points if p.level.level == level]
    return point.preference.duels


def rescored(model: Path, reference: Path) -> dict:
    result = run_cli(
        "rescore",
        str(model),
        "--against",
        str(reference),
        "--text",
        str(ANSWER),
        "--json",
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_q2_k_damages_more_tokens_than_q3_k_m(levels):
    q2 = rescored(levels["Q2_K"], levels["Q4_1"])
    q3 = rescored(levels["Q3_K_M"], levels["Q4_1"])
    q8 = rescored(levels["Q8_0"], levels["Q4_1"])
    assert q8["label"] == "SmolLM2-135M-Instruct · Q8_0 (requantized from Q4_1)"
    assert q3["mean_kl"] > q8["mean_kl"], "Q8_0 holds Q4_1's weights almost exactly"
    assert q2["label"] == "SmolLM2-135M-Instruct · Q2_K (requantized from Q4_1)"
    assert q2["reference_label"] == "SmolLM2-135M-Instruct · Q4_1"
    assert len(q2["tokens"]) == len(q3["tokens"]) > 40
    assert set(q2["tokens"][0]) == {"text", "kl", "top1_agree"}
    assert "".join(t["text"] for t in q2["tokens"]) in ANSWER.read_text(encoding="utf-8")
    assert q2["mean_kl"] > q3["mean_kl"] > 0
    assert q2["damaged_share"] > q3["damaged_share"]
    for found in (q2, q3):
        first = found["first_divergence"]
        agreeing = [t["top1_agree"] for t in found["tokens"]]
        assert first == (agreeing.index(False) if False in agreeing else None)


def test_a_blind_duel_is_voted_exported_and_counted_on_the_curve(
    qtbot,
    parts,
    levels,
    load_json,  # noqa: F811
    tmp_path,
):
    link_levels(parts, levels)
    window = parts.window
    view = window.arena_view
    window.show_mode(window.arena_page)  # showing the page reads the folder again
    qtbot.waitUntil(lambda: bool(view.state and view.state.models), timeout=30_000)
    assert view.model.currentText() == "SmolLM2-135M-Instruct"
    shorts = [view.duel.second.itemText(i) for i in range(view.duel.second.count())]
    assert shorts == [
        "Q8_0 (requantized from Q4_1)",
        "Q4_1",
        "Q3_K_M (requantized from Q4_1)",
        "Q2_K (requantized from Q4_1)",
    ]
    assert view.duel.first.currentText() == "Q4_1", "the reference against the smallest"
    assert "Q8_0 (requantized from Q4_1) cannot be better than its source" in view.note.text()
    assert view.duel.second.currentText() == "Q2_K (requantized from Q4_1)"

    view.duel.max_tokens = 12
    view.duel.prompt.setPlainText("Name a colour.")
    with qtbot.waitSignal(view.arena.compare.ready, timeout=120_000):
        view.duel.run_button.click()
    answers = view.arena.compare.answers
    sides = view.arena.levels
    assert {level.level for level in sides.values()} == {"Q4_1", "Q2_K"}
    assert answers["A"].seed == answers["B"].seed, "the same seed and sampler"
    assert answers["A"].params == answers["B"].params
    assert view.duel.panes["A"].author.text() == "Answer A", "blind until the vote"
    assert "one after the other" in view.duel.plan.text()

    reference_side = next(side for side, level in sides.items() if level.level == "Q4_1")
    winner = "model_a" if reference_side == "A" else "model_b"
    qtbot.mouseClick(view.duel.vote_buttons[winner], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: duels_of(view, "Q2_K") == 1, timeout=30_000)

    (vote,) = Ratings(parts.store).comparisons()
    assert {vote.model_a, vote.model_b} == {
        "SmolLM2-135M-Instruct · Q4_1",
        "SmolLM2-135M-Instruct · Q2_K (requantized from Q4_1)",
    }
    assert "Q2_K" in view.duel.panes["A"].author.text() + view.duel.panes["B"].author.text()
    (battle,) = arena_rows(parts.store)
    assert battle["winner"] == winner
    (pair,) = trl_rows(parts.store)
    assert pair["chosen"][0]["content"] == answers[reference_side].content
    out = tmp_path / "trl.jsonl"
    export(parts.store, "trl", out)
    assert len(load_json(out)) == 1, "TRL reads the duel as a preference pair"

    curve = {p.level.level: p for p in view.state.curves["SmolLM2-135M-Instruct"]}
    q2 = curve["Q2_K"].preference
    assert q2 is not None
    assert (q2.duels, q2.share, q2.verdict) == (1, 1.0, "too few")
    assert view.curve.table.item(0, 0).text() == "Q2_K (requantized from Q4_1)"
    assert view.curve.table.item(0, 3).text() == "1"
    assert "Not enough duels yet: about" in view.curve.recommendation.text()


def arena_with_an_answer(qtbot, parts, levels):
    """The arena page, read, over the levels and a stored Q4_1 answer on the water cycle."""
    conversation = parts.store.create_conversation()
    prompt = parts.store.add_user_message(conversation.id, "Explain the water cycle.")
    parts.store.add_answer(
        conversation.id,
        prompt.id,
        ANSWER.read_text(encoding="utf-8"),
        model=levels["Q4_1"].name,
        params={},
        seed=1,
        stats={},
        stop_reason="eos",
    )
    # The files last: a read that finds the levels finds the answer too.
    link_levels(parts, levels)
    view = parts.window.arena_view
    parts.window.show_mode(parts.window.arena_page)
    qtbot.waitUntil(lambda: bool(view.state and view.state.models), timeout=30_000)
    return view


def test_an_answer_is_rescored_off_the_gui_thread_and_kept(qtbot, parts, levels):
    view = arena_with_an_answer(qtbot, parts, levels)
    panel = view.rescore
    assert panel.reference.text() == "against Q4_1", "not the larger Q8_0 made from it"
    panel.level.setCurrentIndex(panel.level.findText("Q2_K", Qt.MatchFlag.MatchStartsWith))
    with qtbot.waitSignal(panel.job.finished, timeout=120_000) as finished:
        panel.run_button.click()
    result: Rescore = finished.args[0]
    assert "damaged" in panel.summary.text()
    shown = panel.tokens.toPlainText()
    assert shown.replace("▸", "") in ANSWER.read_text(encoding="utf-8")
    assert ("▸" in shown) == (result.first_divergence is not None)
    first = panel.tokens.document().firstBlock().begin().fragment()
    tip = first.charFormat().toolTip()  # what hovering the first token shows
    assert f"KL {result.tokens[0].kl:.3f} nats" in tip
    assert "The reference's top 5:" in tip
    assert len(tip.splitlines()) >= 2 + 5
    kept = list((parts.paths.data / "rescores").glob("answer-*.json"))
    assert len(kept) == 1
    with qtbot.waitSignal(panel.job.finished, timeout=10_000) as again:
        panel.run_button.click()
    assert again.args[0] == result, "kept: read back, not run again"


def test_kl_on_your_conversations_is_measured_from_the_curve(qtbot, parts, levels):
    view = arena_with_an_answer(qtbot, parts, levels)
    table = view.curve.table
    assert table.item(0, 6).text() == "", "not measured yet"
    table.selectRow(0)  # Q2_K
    view.curve.measure_button.click()
    qtbot.waitUntil(lambda: table.item(0, 6).text() != "", timeout=120_000)
    assert "your conversations" in view.curve.measure_status.text()
    kl = float(table.item(0, 6).text())
    (point,) = [p for p in view.state.curves["SmolLM2-135M-Instruct"] if p.level.level == "Q2_K"]
    assert point.quality is not None
    assert kl == pytest.approx(point.quality.kl_divergence, abs=1e-4)
    assert kl > 0


def test_an_answer_is_scored_after_its_prompt_as_the_chat_template_wrote_it(real_model):
    from llama_cpp import Llama

    from llamadesk.core.rescore import _chat_context

    llama = Llama(model_path=str(real_model), n_ctx=256, verbose=False)
    try:
        tokens = _chat_context(llama, "Name a colour.")
        text = llama.detokenize(tokens, special=True).decode("utf-8")
    finally:
        llama.close()
    assert "<|im_start|>user\nName a colour.<|im_end|>" in text
    assert text.endswith("<|im_start|>assistant\n"), "the answer's first token comes next"


def test_any_answer_in_a_chat_is_rescored_from_its_bubble(qtbot, parts, levels):
    link_levels(parts, levels)
    answer_id = open_chat_with_answer(
        parts, levels["Q4_1"].name, ANSWER.read_text(encoding="utf-8")
    )
    view = parts.window.arena_view
    panel = view.rescore
    with qtbot.waitSignal(panel.job.finished, timeout=120_000) as finished:
        qtbot.mouseClick(rescore_button(parts), Qt.MouseButton.LeftButton)
    assert parts.window.modes.currentIndex() == parts.window.arena_page
    assert view.isVisible()
    assert view.tabs.currentWidget() is panel
    assert view.model.currentText() == "SmolLM2-135M-Instruct"
    assert panel.answer.currentData() == answer_id
    assert panel.level.currentText() == "Q2_K (requantized from Q4_1)", "the smallest level"
    result: Rescore = finished.args[0]
    assert (result.level, result.reference_level) == ("Q2_K", "Q4_1")
    assert "damaged" in panel.summary.text()
    assert panel.tokens.toPlainText().replace("▸", "") in ANSWER.read_text(encoding="utf-8")
