"""A tuned model duels its original on the held-out prompts (issue 16), and finds its
original again where that file was moved.

The adapter here is a real GGUF LoRA that llama.cpp applies (random rank-4 updates of the
tiny test model's query projections), so the duels load base + adapter as the app does.
"""

from __future__ import annotations

import shutil
from contextlib import closing
from dataclasses import asdict, replace
from pathlib import Path

import gguf
import numpy as np
import pytest
from PySide6.QtCore import Qt

from conftest import quality_report
from llamadesk.core.adapters import (
    adapter_lineage_path,
    adapters_for,
    read_adapter_lineage,
    resolve_adapter,
)
from llamadesk.core.duel import duel_result, tuned_duel, tuned_duels
from llamadesk.core.engine import ChatMessage, Engine, SamplingParams
from llamadesk.core.evaluate import SavedReport
from llamadesk.core.jsonfile import write_json_atomic
from llamadesk.core.model_files import file_sha256
from llamadesk.core.paths import AppPaths
from llamadesk.core.ratings import Ratings
from llamadesk.core.store import Store
from llamadesk.core.testmodel import SHAPES
from llamadesk.services.arena import ORIGINAL, TUNED
from llamadesk.services.background import JobRunner
from llamadesk.ui.train_view import TrainDialog
from test_training import make_lineage

HELD = ["Name a colour.", "Name a fruit.", "Name a tree."]
ADAPTER_NAME = "tiny-f32.lora-20261201-150000.gguf"


def write_test_adapter(path: Path, rank: int = 4, seed: int = 0) -> Path:
    """A LoRA on the tiny test model's attn_q, as llama.cpp's converter writes one."""
    shape = SHAPES["tiny"]
    writer = gguf.GGUFWriter(path, shape.architecture)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(rank))
    rng = np.random.default_rng(seed)
    for layer in range(shape.n_layer):
        name = f"blk.{layer}.attn_q.weight"
        writer.add_tensor(f"{name}.lora_a", rng.normal(0, 0.5, (rank, shape.n_embd)).astype("f4"))
        writer.add_tensor(f"{name}.lora_b", rng.normal(0, 0.5, (shape.n_embd, rank)).astype("f4"))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def install_tuned(folder: Path, base: Path, held: list[str] = HELD) -> Path:
    """An adapter of ``base`` in ``folder``, with a lineage as training writes it."""
    adapter = write_test_adapter(folder / ADAPTER_NAME)
    lineage = replace(
        make_lineage(base, held),
        base_size=base.stat().st_size,
        base_sha256=file_sha256(base),
    )
    write_json_atomic(adapter_lineage_path(adapter), asdict(lineage))
    return adapter


def vote_on(store: Store, text: str, adapter: Path, base_name: str, tuned_wins: bool) -> None:
    chat = store.create_conversation(text, kind="compare")
    prompt = store.add_user_message(chat.id, text)
    a, b = (
        store.add_answer(
            chat.id, prompt.id, text, model=name, params={}, seed=1, stats={}, stop_reason="eos"
        )
        for name in (base_name, adapter.name)
    )
    Ratings(store).vote(a.id, b.id, "model_b" if tuned_wins else "model_a", blind=True)


def test_a_moved_base_is_found_again_by_its_content(tiny_model: Path, home: AppPaths) -> None:
    trained_on = home.data / "elsewhere" / tiny_model.name
    trained_on.parent.mkdir(parents=True)
    shutil.copyfile(tiny_model, trained_on)
    adapter = install_tuned(home.data, trained_on)
    # The base moves into the models folder under another name; a file of the same size
    # but other content (another random model) lies beside it and is not taken for it.
    moved = home.models / "renamed.gguf"
    trained_on.rename(moved)
    decoy = home.models / "a-decoy.gguf"
    data = bytearray(moved.read_bytes())
    data[-1] ^= 0xFF
    decoy.write_bytes(bytes(data))

    assert resolve_adapter(adapter) == (moved, adapter)
    assert adapters_for(moved, [home.data]) == [(adapter, read_adapter_lineage(adapter))]
    assert adapters_for(decoy, [home.data]) == []
    with closing(Engine.load(adapter)) as engine:  # it loads: base + adapter, named so
        assert engine.info.path == adapter


def test_a_lineage_from_before_the_sha256_still_reads_and_finds_its_base_by_name(
    tiny_model: Path, home: AppPaths
) -> None:
    adapter = write_test_adapter(home.models / ADAPTER_NAME)
    old = asdict(make_lineage(home.data / "gone" / tiny_model.name, HELD))
    del old["base_sha256"]
    old["base_size"] = tiny_model.stat().st_size
    write_json_atomic(adapter_lineage_path(adapter), old)
    shutil.copyfile(tiny_model, home.models / tiny_model.name)

    lineage = read_adapter_lineage(adapter)
    assert lineage is not None
    assert lineage.base_sha256 == ""
    assert resolve_adapter(adapter) == (home.models / tiny_model.name, adapter)


def test_the_next_prompt_is_the_least_duelled_and_trained_prompts_do_not_count(
    tiny_model: Path, home: AppPaths
) -> None:
    adapter = install_tuned(home.models, tiny_model)
    lineage = read_adapter_lineage(adapter)
    assert lineage is not None
    with Store(home.database) as store:
        assert tuned_duel(store, adapter, lineage).next_prompt() == HELD[0]
        vote_on(store, HELD[0], adapter, tiny_model.name, tuned_wins=True)
        vote_on(store, HELD[1], adapter, tiny_model.name, tuned_wins=False)
        vote_on(store, "a trained prompt", adapter, tiny_model.name, tuned_wins=True)
        duel = tuned_duel(store, adapter, lineage)
        (listed,) = tuned_duels(store, [home.models])
    assert duel.next_prompt() == HELD[2]
    assert duel.duelled == {HELD[0]: 1, HELD[1]: 1}
    assert (duel.result.wins, duel.result.losses) == (1, 1)
    assert "1 of 3 held-out prompts not duelled yet." in duel.progress()
    assert listed.adapter == adapter
    assert listed.base == tiny_model


def test_the_duel_says_how_far_training_moved_the_model_once_measured(
    tiny_model: Path, home: AppPaths
) -> None:
    adapter = install_tuned(home.models, tiny_model)
    lineage = read_adapter_lineage(adapter)
    assert lineage is not None
    report = quality_report(
        model=str(adapter.resolve()),
        reference=str(tiny_model),
        level="F32",
        kl_divergence=0.0123,
        top1_agreement=0.9,
        tokens=2000,
    )
    other = replace(report, model=str(tiny_model), kl_divergence=0.5)  # not of this adapter
    saved = [
        SavedReport(report, "your conversations", "2026-12-01T17:00:00+00:00"),
        SavedReport(other, "your conversations", "2026-12-01T18:00:00+00:00"),
    ]
    with Store(home.database) as store:
        unmeasured = tuned_duel(store, adapter, lineage)
        measured = tuned_duel(store, adapter, lineage, reports=saved)
    assert "not measured yet: Measure quality… on the tuned model" in unmeasured.progress()
    assert measured.moved() == (
        "Against the original on your conversations: KL 0.0123 per token, same top token "
        "90.0% of the time (2,000 tokens, 2026-12-01)."
    )


def test_an_adapter_whose_base_is_nowhere_is_not_offered_for_a_duel(
    tiny_model: Path, home: AppPaths
) -> None:
    base = home.data / tiny_model.name
    shutil.copyfile(tiny_model, base)
    install_tuned(home.models, base)
    base.unlink()
    with Store(home.database) as store:
        assert tuned_duels(store, [home.models]) == []


@pytest.mark.timeout(180)
def test_teach_page_to_arena_a_blind_duel_on_held_out_prompts_counts_the_vote(
    qtbot, make_parts, tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Teach page's "Duel it against the original" opens the arena on the tuned model,
    with the first held-out prompt put up; the duel is blind, and the vote is counted in
    the tuned model's win rate, after which the next held-out prompt is put up."""
    from llamadesk.ui import train_view

    monkeypatch.setattr(train_view, "missing_stack", lambda: "")
    parts = make_parts()
    base = parts.paths.models / tiny_model.name
    shutil.copyfile(tiny_model, base)
    adapter = install_tuned(parts.paths.models, base)
    models = parts.models
    dialog = models.open_train(base)
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=10_000)
    assert dialog.duel_button.isEnabled()
    assert "0 of 3" not in dialog.duels.text()
    assert "3 of 3 held-out prompts not duelled yet" in dialog.duels.text()

    arena = parts.window.arena_view
    with qtbot.waitSignal(arena.reader.read, timeout=30_000):
        qtbot.mouseClick(dialog.duel_button, Qt.MouseButton.LeftButton)
    assert parts.window.modes.currentIndex() == parts.window.arena_page
    duel = arena.duel
    assert arena.tuned() is not None
    assert arena.model.currentText() == "tiny-f32 + your preferences (2026-12-01) vs the original"
    assert duel.prompt.toPlainText() == HELD[0]
    assert duel.history_label.text() == "Held-out prompts"
    assert not arena.tabs.isTabEnabled(arena.tabs.indexOf(arena.curve))

    duel.max_tokens = 4
    with qtbot.waitSignal(arena.arena.compare.ready, timeout=60_000):
        qtbot.mouseClick(duel.run_button, Qt.MouseButton.LeftButton)
    assert duel.panes["A"].author.text() == "Answer A", "blind until the vote"
    assert "your adapter applied" in duel.plan.text()
    answers = arena.arena.compare.answers
    assert {answers["A"].model, answers["B"].model} == {base.name, adapter.name}
    tuned_side = "A" if answers["A"].model == adapter.name else "B"

    with qtbot.waitSignal(arena.reader.read, timeout=30_000):
        qtbot.mouseClick(
            duel.vote_buttons[f"model_{tuned_side.lower()}"], Qt.MouseButton.LeftButton
        )
    assert duel.panes[tuned_side].author.text() == f"Answer {tuned_side}: {TUNED}"
    other = "B" if tuned_side == "A" else "A"
    assert duel.panes[other].author.text() == f"Answer {other}: {ORIGINAL}"
    assert "won 100% of 1 blind votes on held-out prompts" in arena.note.text()
    assert duel.status.text().startswith("Vote saved; the win rate counts it.")
    assert duel.prompt.toPlainText() == HELD[1], "the next held-out prompt is put up"
    lineage = read_adapter_lineage(adapter)
    assert lineage is not None
    assert duel_result(parts.store, adapter, lineage).wins == 1

    # A prompt of the user's own may be duelled too, but the win rate does not count it.
    duel.prompt.setPlainText("A prompt of my own.")
    with qtbot.waitSignal(arena.arena.compare.ready, timeout=60_000):
        qtbot.mouseClick(duel.run_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(arena.reader.read, timeout=30_000):
        qtbot.mouseClick(duel.vote_buttons["tie"], Qt.MouseButton.LeftButton)
    assert "counts only held-out prompts" in duel.status.text()
    assert duel_result(parts.store, adapter, lineage).votes == 1
    assert duel.prompt.toPlainText() == "A prompt of my own.", "the user's prompt stays"


def test_the_duel_button_waits_for_an_adapter(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llamadesk.ui import train_view

    monkeypatch.setattr(train_view, "missing_stack", lambda: "")
    dialog = TrainDialog(tmp_path / "m.Q4_1.gguf", JobRunner(), tmp_path / "db.sqlite3")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=10_000)
    assert not dialog.duel_button.isEnabled()


def test_the_tuned_model_answers_differently_from_its_base(tiny_model: Path, tmp_path: Path):
    """The test adapter is a real one: llama.cpp applies it and the answer changes."""
    base = tmp_path / tiny_model.name
    shutil.copyfile(tiny_model, base)
    adapter = install_tuned(tmp_path, base)
    greedy = SamplingParams(temperature=0.0, max_tokens=8, seed=1)
    texts = []
    for path in (base, adapter):
        with closing(Engine.load(path)) as engine:
            stream = engine.stream([ChatMessage("user", HELD[0])], greedy)
            texts.append("".join(stream))
    assert texts[0] != texts[1]
