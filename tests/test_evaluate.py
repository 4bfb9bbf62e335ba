"""Measuring what a quantization costs: perplexity, KL divergence and top-1 agreement with
real llama.cpp on the tiny models, the stored results, and the CLI."""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path

import pytest

from conftest import quality_report
from llamadesk.core.evaluate import (
    EvaluationCancelled,
    EvaluationError,
    QualityReport,
    conversations_text,
    evaluate,
    load_reports,
    reports_path,
    save_report,
)
from llamadesk.core.store import Store
from llamadesk.core.testmodel import COMMON_WORDS, SHAPES, write_test_model
from test_cli import assert_user_error, run_cli


def sample_text(words: int) -> str:
    rng = random.Random(0)
    vocabulary = COMMON_WORDS.split()
    return " ".join(rng.choice(vocabulary) for _ in range(words))


TEXT = sample_text(600)  # about 600 tokens: the tiny vocabulary has most words whole


def measure(model: Path, reference: Path, text: str = TEXT, **options) -> QualityReport:
    return evaluate(model, reference, text, n_threads=1, **options)


def test_a_model_against_itself_has_no_divergence(tiny_model):
    report = measure(tiny_model, tiny_model, n_ctx=128)
    assert report.kl_divergence == pytest.approx(0.0, abs=1e-6)
    assert report.top1_agreement == 1.0
    assert report.perplexity == report.reference_perplexity
    assert report.level == report.reference_level == "F32"
    assert report.model == report.reference == str(tiny_model.resolve())


def test_q8_0_is_closer_to_its_source_than_q4_k_m(quantized, tiny_model):
    q8 = measure(quantized["Q8_0"].result.path, tiny_model)
    q4 = measure(quantized["Q4_K_M"].result.path, tiny_model)
    assert 0.0 < q8.kl_divergence < q4.kl_divergence
    assert q8.top1_agreement > q4.top1_agreement
    assert q8.level == "Q8_0"
    assert q4.level == "Q4_K_M"
    assert q8.reference_perplexity == q4.reference_perplexity  # the same text, the same windows


def test_every_token_is_scored_once_across_windows(tiny_model):
    seen: list[float] = []
    report = measure(tiny_model, tiny_model, n_ctx=64, progress=seen.append)
    windows = -(-report.tokens // 63)  # each window: BOS and 63 tokens of the text
    assert len(seen) == windows > 5
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert measure(tiny_model, tiny_model, n_ctx=64, max_tokens=100).tokens == 100


def test_cancel_stops_between_windows(tiny_model):
    cancel = threading.Event()
    seen: list[float] = []

    def cancel_after_first_window(fraction: float) -> None:
        seen.append(fraction)
        cancel.set()

    with pytest.raises(EvaluationCancelled):
        measure(tiny_model, tiny_model, n_ctx=64, progress=cancel_after_first_window, cancel=cancel)
    assert len(seen) == 1


def test_models_with_different_vocabularies_cannot_be_compared(tmp_path, tiny_model):
    shape = SHAPES["tiny"]
    other = write_test_model(
        tmp_path / "other.gguf", type(shape)(**{**vars(shape), "n_vocab_words": 700})
    )
    with pytest.raises(EvaluationError, match="do not share a vocabulary"):
        measure(other, tiny_model)


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_text_is_refused(tiny_model, text):
    with pytest.raises(EvaluationError, match="empty"):
        measure(tiny_model, tiny_model, text)


def test_a_missing_model_is_a_clear_error(tmp_path, tiny_model):
    with pytest.raises(EvaluationError, match=r"gone\.gguf"):
        measure(tmp_path / "gone.gguf", tiny_model)


def test_reports_are_stored_and_read_back(home):
    first = save_report(quality_report(), "your conversations")
    second = save_report(quality_report(level="Q8_0"), "file notes.txt")
    assert load_reports() == [first, second]
    assert first.text_source == "your conversations"
    assert reports_path().parent == home.data


def test_a_corrupt_reports_file_reads_as_empty_and_is_replaced(tmp_path):
    path = tmp_path / "quality.json"
    path.write_text("[{")
    assert load_reports(path) == []
    saved = save_report(quality_report(), "pasted text", path)
    assert load_reports(path) == [saved]


def test_unreadable_entries_are_skipped(tmp_path):
    path = tmp_path / "quality.json"
    good = save_report(quality_report(), "pasted text", path)
    entries = json.loads(path.read_text())
    entries += [{"level": "Q2_K"}, "junk", {**entries[0], "tokens": "many"}]
    path.write_text(json.dumps(entries))
    assert load_reports(path) == [good]


def test_conversations_become_one_text(tmp_path):
    with Store(tmp_path / "chats.sqlite3") as store:
        assert conversations_text(store) == ""
        for title in ("first", "second"):
            conversation = store.create_conversation(title)
            question = store.add_user_message(conversation.id, f"a question in {title}")
            store.add_answer(
                conversation.id,
                question.id,
                f"an answer in {title}",
                model="m",
                params={},
                seed=1,
                stats={},
                stop_reason="eos",
            )
        text = conversations_text(store)
        assert text.split("\n\n") == [
            "a question in second",
            "an answer in second",
            "a question in first",
            "an answer in first",
        ]
        assert conversations_text(store, limit_chars=30) == text[:30]


def test_cli_eval_prints_one_json_object_and_saves_it(tmp_path, home, quantized, tiny_model):
    text_file = tmp_path / "text.txt"
    text_file.write_text(TEXT, encoding="utf-8")
    model = quantized["Q8_0"].result.path
    result = run_cli(
        "eval", str(model), "--against", str(tiny_model), "--text", str(text_file), "--json",
        "--threads", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["level"] == "Q8_0"
    assert report["tokens"] > 500
    for key in ("perplexity", "reference_perplexity", "kl_divergence", "top1_agreement"):
        assert isinstance(report[key], float)
    assert report["seconds"] > 0
    [saved] = load_reports()
    assert saved.text_source == "file text.txt"
    assert saved.report == QualityReport(**report)


def test_cli_eval_prints_a_table(tmp_path, home, tiny_model):
    text_file = tmp_path / "text.txt"
    text_file.write_text(TEXT[:200], encoding="utf-8")
    result = run_cli(
        "eval", str(tiny_model), "--against", str(tiny_model), "--text", str(text_file),
        "--threads", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "tiny-f32.gguf (reference)  F32" in result.stdout
    assert "KL divergence: 0.000000" in result.stdout
    assert "Top-1 agreement: 100.0%" in result.stdout


def test_cli_eval_with_a_missing_text_file(tmp_path, tiny_model):
    result = run_cli(
        "eval", str(tiny_model), "--against", str(tiny_model), "--text", str(tmp_path / "no.txt")
    )
    assert_user_error(result, "cannot read", "no.txt")


def test_cli_eval_with_a_text_file_that_is_not_utf8(tmp_path, tiny_model):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Café au lait, s'il vous plaît.".encode("latin-1"))
    result = run_cli("eval", str(tiny_model), "--against", str(tiny_model), "--text", str(latin1))
    assert_user_error(result, "latin1.txt is not UTF-8 text")
