"""Tests for teaching a model the user's preferences (core/training.py, `llamadesk train`)."""

from __future__ import annotations

import importlib.util
import json
import math
import multiprocessing
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from llamadesk.cli import main
from llamadesk.core import adapters, train_child, training
from llamadesk.core.adapters import (
    AdapterLineage,
    adapter_lineage_path,
    read_adapter_lineage,
    resolve_adapter,
)
from llamadesk.core.duel import duel_result, summarize
from llamadesk.core.jsonfile import write_json_atomic
from llamadesk.core.model_files import file_sha256
from llamadesk.core.paths import AppPaths
from llamadesk.core.ratings import Ratings
from llamadesk.core.store import Store
from llamadesk.core.training import (
    TrainCancelled,
    TrainData,
    TrainError,
    TrainSettings,
    check_data,
    missing_stack,
    split_held_out,
    training_data,
)

# Six questions, each with a short plain answer the user picked over a rambling one.
QUESTIONS = [
    ("What is the capital of France?", "Paris.", "Well, there are many cities in France..."),
    ("What is 2 + 2?", "4.", "Numbers are a fascinating subject with a long history..."),
    ("Name a primary colour.", "Red.", "Colour theory has been debated by painters..."),
    ("What do bees make?", "Honey.", "Bees are insects of the order Hymenoptera..."),
    ("What is H2O?", "Water.", "Chemistry is the study of matter and its changes..."),
    ("Which planet is red?", "Mars.", "The solar system contains eight planets..."),
]

# CI installs the training stack and sets LLAMADESK_REQUIRE_TRAIN (.ci/run): there, a missing
# stack fails the test instead of skipping it.
needs_stack = pytest.mark.skipif(
    importlib.util.find_spec("trl") is None and not os.environ.get("LLAMADESK_REQUIRE_TRAIN"),
    reason='needs the training stack (".[train]")',
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "llamadesk.sqlite3") as opened:
        yield opened


def rate_picks(store: Store, model_name: str, count: int) -> None:
    """``count`` questions, each with two answers by ``model_name`` and the short one picked."""
    ratings = Ratings(store)
    for question, good, bad in QUESTIONS[:count]:
        chat = store.create_conversation(question)
        prompt = store.add_user_message(chat.id, question)
        answers = [
            store.add_answer(
                chat.id,
                prompt.id,
                text,
                model=model_name,
                params={},
                seed=1,
                stats={},
                stop_reason="eos",
            )
            for text in (bad, good)
        ]
        ratings.pick_best(answers[1].id)


def test_too_few_pairs_are_refused_with_the_number_needed(store: Store) -> None:
    rate_picks(store, "SmolLM2-135M-Instruct.Q4_1.gguf", 3)
    data = training_data(store, Path("/models/SmolLM2-135M-Instruct.Q4_1.gguf"), "dpo")
    with pytest.raises(TrainError, match=r"at least 4 preference pairs; there are 2"):
        check_data(data)  # 3 prompts: one held out for the duel, 2 left to train on


def test_ratings_of_other_models_are_not_used(store: Store) -> None:
    rate_picks(store, "Qwen3-0.6B.Q8_0.gguf", 6)
    data = training_data(store, Path("SmolLM2-135M-Instruct.Q4_1.gguf"), "dpo")
    assert data.rows == []


def test_held_out_prompts_are_never_trained_on(store: Store) -> None:
    # A sibling quantization's ratings count: the family is the name before the level.
    rate_picks(store, "SmolLM2-135M-Instruct.Q8_0.gguf", 6)
    data = training_data(store, Path("SmolLM2-135M-Instruct.Q4_1.gguf"), "dpo")
    assert len(data.held_out) == 1  # one prompt in five, rounded
    trained = [row["prompt"] for row in data.rows]
    assert len(data.rows) == 5
    assert data.held_out[0] not in trained
    # The same prompts are held out on a second call: a retrain keeps the duel fair.
    assert training_data(store, Path("SmolLM2-135M-Instruct.gguf"), "dpo") == data


@pytest.mark.parametrize(
    ("file", "family"),
    [
        ("SmolLM2-135M-Instruct.Q4_1.gguf", "SmolLM2-135M-Instruct"),
        ("Qwen2.5-0.5B-Instruct-Q4_K_M.gguf", "Qwen2.5-0.5B-Instruct"),
        ("gemma-3-1b-it-IQ2_XS.gguf", "gemma-3-1b-it"),
        ("Llama-3.2-1B-Instruct.f16.gguf", "Llama-3.2-1B-Instruct"),
        ("my-model.gguf", "my-model"),
    ],
)
def test_a_models_family_is_its_name_without_the_level(file: str, family: str) -> None:
    assert training._family(Path(file)) == family


def test_kto_needs_both_thumbs() -> None:
    rows = [
        {"prompt": [{"role": "user", "content": f"q{i}"}], "completion": [], "label": True}
        for i in range(6)
    ]
    with pytest.raises(TrainError, match="both thumbs up and thumbs down"):
        check_data(TrainData("kto", rows))


def test_without_the_stack_training_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    installed = {"torch", "transformers"}
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *_: object() if name in installed else None
    )
    message = missing_stack()
    assert "(missing: TRL, PEFT)" in message
    assert 'pip install "llamadesk[train]"' in message
    installed.update(("trl", "peft"))
    assert missing_stack() == ""


def test_cli_refuses_too_few_pairs_from_a_file(
    tmp_path: Path, real_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "pairs.jsonl"
    rows = [_pair(question, good, bad) for question, good, bad in QUESTIONS[:2]]
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    code = main(["train", str(real_model), "--data", str(data)])
    assert code == 2
    assert "Training needs at least 4 preference pairs; there are 1" in capsys.readouterr().err


def _pair(question: str, good: str, bad: str) -> dict[str, object]:
    return {
        "prompt": [{"role": "user", "content": question}],
        "chosen": [{"role": "assistant", "content": good}],
        "rejected": [{"role": "assistant", "content": bad}],
    }


def _six_pairs() -> TrainData:
    return split_held_out("dpo", [_pair(q, good, bad) for q, good, bad in QUESTIONS])


@needs_stack
def test_cancel_kills_the_child_and_leaves_nothing(real_model: Path, tmp_path: Path) -> None:
    cancel = threading.Event()
    out = tmp_path / "tuned.gguf"
    with pytest.raises(TrainCancelled, match="was cancelled"):
        # Cancelled as soon as the child says it is loading the model.
        training.train(
            real_model,
            _six_pairs(),
            TrainSettings(),
            out,
            status=lambda _s: cancel.set(),
            cancel=cancel,
        )
    assert multiprocessing.active_children() == []
    assert list(tmp_path.iterdir()) == []


@needs_stack
def test_a_crash_in_the_child_is_one_sentence(
    real_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(train_child.ABORT_FOR_TEST_ENV, "1")
    with pytest.raises(TrainError, match=r"Training crashed \(SIGABRT\).*nothing was kept"):
        training.train(real_model, _six_pairs(), TrainSettings(), tmp_path / "tuned.gguf")
    assert list(tmp_path.iterdir()) == []


@needs_stack
@pytest.mark.slow
@pytest.mark.timeout(900)  # ~6 min on a busy 2-core machine: loading dominates
def test_dpo_trains_converts_and_the_adapter_moves_the_model(
    store: Store, real_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rate, train a few DPO steps, convert, load with the adapter: the answers change."""
    from llamadesk.core.engine import ChatMessage, Engine, SamplingParams
    from llamadesk.core.evaluate import evaluate

    model = tmp_path / real_model.name  # a copy, so that the adapter can lie beside it
    shutil.copyfile(real_model, model)
    rate_picks(store, model.name, 6)
    data = training_data(store, model, "dpo")
    steps: list[training.TrainProgress] = []
    phases: list[str] = []
    settings = TrainSettings(steps=2, max_length=64, learning_rate=5e-3)
    out = tmp_path / "tuned.gguf"
    result = training.train(model, data, settings, out, progress=steps.append, status=phases.append)

    assert result.path == out
    assert out.stat().st_size == result.size > 0
    assert [step.step for step in steps] == [1, 2]
    assert all(math.isfinite(step.loss) for step in steps)
    assert phases[0] == "Loading the model"
    assert "Converting the adapter" in phases
    lineage = adapters.read_adapter_lineage(out)
    assert lineage is not None
    assert lineage.base == str(model.resolve())
    assert lineage.base_sha256 == file_sha256(model)  # to find it again where it moves
    assert lineage.examples == data.ids
    assert lineage.held_out == data.held_out
    assert lineage.settings["steps"] == 2
    assert lineage.losses == [step.loss for step in steps]
    assert lineage.label().startswith("SmolLM2-135M-Instruct.Q4_1 + your preferences (")
    assert adapters.adapters_for(model) == [(out, lineage)]

    # The adapter moves the next-token distribution: KL(base || tuned) > 0 on text where
    # the base against itself gives 0.
    text = "The capital of France is Paris. Bees make honey. Mars is the red planet. " * 4
    tuned = evaluate(out, model, text, n_ctx=64)  # the adapter brings its base along
    same = evaluate(model, model, text, n_ctx=64)
    assert same.kl_divergence < 1e-6
    assert tuned.kl_divergence > 1e-4
    assert tuned.model == str(out.resolve())  # the report names the tuned model

    # And chat answers change, through the engine the app uses.
    question = [ChatMessage("user", QUESTIONS[0][0])]
    greedy = SamplingParams(temperature=0.0, max_tokens=24, seed=1)
    answers = []
    for lora in (None, out):
        engine = Engine.load(model, lora=lora)
        try:
            stream = engine.stream(question, greedy)
            for _part in stream.parts():
                pass
            answers.append(stream.text)
        finally:
            engine.close()
    assert answers[0] != answers[1]

    # The command line applies it too: `chat --lora` answers as the tuned engine did.
    capsys.readouterr()
    chat = ["chat", str(model), "--temperature", "0", "--max-tokens", "24", "--seed", "1"]
    assert main([*chat, "--lora", str(out), QUESTIONS[0][0]]) == 0
    assert capsys.readouterr().out.strip() == answers[1].strip()


def make_lineage(base: Path, held_out: list[str]) -> AdapterLineage:
    return AdapterLineage(
        base=str(base),
        base_size=1,
        base_mtime=0.0,
        method="dpo",
        settings={},
        examples=[],
        held_out=[[{"role": "user", "content": text}] for text in held_out],
        losses=[],
        seconds=1.0,
        created="2026-12-01T15:00:00+00:00",
        llamadesk_version="0",
    )


def test_duel_counts_blind_votes_on_held_out_prompts_only(store: Store, tmp_path: Path) -> None:
    base, tuned = "m.Q4_1.gguf", "m.Q4_1.lora-1.gguf"
    lineage = make_lineage(tmp_path / base, ["held 1", "held 2", "held 3", "held 4"])
    ratings = Ratings(store)
    outcomes = [
        ("held 1", "tuned", True),
        ("held 2", "tuned", True),
        ("held 3", "tie", True),
        ("held 4", "base", False),  # not blind: left out
        ("trained", "base", True),  # a prompt trained on: left out
    ]
    for text, winner, blind in outcomes:
        chat = store.create_conversation(text)
        prompt = store.add_user_message(chat.id, text)
        a, b = (
            store.add_answer(
                chat.id,
                prompt.id,
                text,
                model=model,
                params={},
                seed=1,
                stats={},
                stop_reason="eos",
            )
            for model in (base, tuned)  # the tuned model is B
        )
        verdict = {"tuned": "model_b", "base": "model_a", "tie": "tie"}[winner]
        ratings.vote(a.id, b.id, verdict, blind=blind)  # type: ignore[arg-type]

    result = duel_result(store, tmp_path / tuned, lineage)

    # Votes on a trained prompt or not given blind are left out: they would flatter (or
    # here, wrong) the tuning.
    assert (result.wins, result.losses, result.ties) == (2, 0, 1)
    assert result.win_rate == pytest.approx(2.5 / 3)
    assert 0.5 <= result.low <= result.win_rate <= result.high == 1.0
    assert "won 83% of 3 blind votes" in result.describe()


def test_bootstrap_interval_narrows_with_more_votes() -> None:
    few, many = summarize([1.0, 0.0] * 5), summarize([1.0, 0.0] * 200)
    assert few.win_rate == many.win_rate == 0.5
    assert few.high - few.low > 3 * (many.high - many.low)
    assert many.low < 0.5 < many.high
    assert math.isnan(summarize([]).win_rate)


def test_an_adapter_loads_as_its_base_with_it_applied(tmp_path: Path) -> None:
    base = tmp_path / "m.Q4_1.gguf"
    adapter = tmp_path / "m.Q4_1.lora-1.gguf"
    adapter.write_bytes(b"GGUF")
    assert resolve_adapter(adapter) == (adapter, None)  # no lineage: an ordinary file
    write_json_atomic(adapter_lineage_path(adapter), asdict(make_lineage(base, [])))
    assert resolve_adapter(adapter) == (base, adapter)
    assert read_adapter_lineage(adapter).label() == "m.Q4_1 + your preferences (2026-12-01)"
    # A quantization's lineage shares the suffix but is no adapter's.
    write_json_atomic(adapter_lineage_path(base), {"source": "x", "level": "Q4_1"})
    assert read_adapter_lineage(base) is None


def test_the_model_picker_names_an_adapter_by_its_base_and_date(tmp_path: Path) -> None:
    from llamadesk.ui.model_picker import display_name

    adapter = tmp_path / "m.Q4_1.lora-20261201-150000.gguf"
    assert display_name(adapter) == "m.Q4_1.lora-20261201-150000"  # no lineage (yet)
    write_json_atomic(
        adapter_lineage_path(adapter), asdict(make_lineage(tmp_path / "m.Q4_1.gguf", []))
    )
    assert display_name(adapter) == "m.Q4_1 + your preferences (2026-12-01)"


def test_adapters_go_to_the_models_folder_by_default(home: AppPaths) -> None:
    path = training.default_adapter_path(Path("/read-only/site-packages/m.Q4_1.gguf"))
    assert path.parent == home.models
    assert path.name.startswith("m.Q4_1.lora-")


def test_an_unwritable_destination_is_refused_before_training(
    real_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(training, "missing_stack", lambda: "")
    out = tmp_path / "no-such-folder" / "tuned.gguf"
    with pytest.raises(TrainError, match=r"Cannot write tuned\.gguf in .*no-such-folder"):
        training.train(real_model, _six_pairs(), TrainSettings(), out)
