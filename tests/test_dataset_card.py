"""Preference exports as a Hub data set folder: the card, the provenance column, the scrub."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from llamadesk.core.dataset_card import prepare_dataset, size_category, write_dataset
from llamadesk.core.model_files import folder_lookup
from llamadesk.core.ratings import Ratings
from llamadesk.core.scrub import scrub_text
from llamadesk.core.store import Store
from test_preferences import (
    MESSAGES,
    TickingClock,
    add_ties,
    answer,
    assert_uniform,
    rate_everything,
    read_jsonl,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "llamadesk.sqlite3", clock=TickingClock()) as opened:
        yield opened


@pytest.fixture
def models(tmp_path: Path) -> Path:
    """Stand-ins for two of the model files, so their sha256 can be found."""
    folder = tmp_path / "models"
    folder.mkdir()
    for name in ("m0.gguf", "llama-3b-Q4_K_M.gguf"):
        (folder / name).write_bytes(name.encode())
    return folder


def card_header(card: str) -> dict[str, Any]:
    assert card.startswith("---\n")
    header, _, _ = card[4:].partition("\n---\n")
    parsed: dict[str, Any] = yaml.safe_load(header)
    return parsed


def test_the_folder_holds_the_files_and_a_card_in_the_hubs_format(
    store: Store, tmp_path: Path, models: Path
) -> None:
    add_ties(store, rate_everything(store))
    prepared = prepare_dataset(
        store, ["trl", "kto", "arena"], lookup=folder_lookup([models]), license="cc-by-4.0"
    )
    out = tmp_path / "out"
    written = write_dataset(prepared, out)
    assert sorted(p.name for p in written) == ["README.md", "arena.jsonl", "kto.jsonl", "trl.jsonl"]
    card = (out / "README.md").read_text(encoding="utf-8")
    header = card_header(card)
    assert header["license"] == "cc-by-4.0"
    assert header["task_categories"] == ["text-generation"]
    assert header["size_categories"] == ["n<1K"]
    assert header["configs"] == [
        {"config_name": kind, **first, "data_files": [{"split": "train", "path": f"{kind}.jsonl"}]}
        for kind, first in (("trl", {"default": True}), ("kto", {}), ("arena", {}))
    ]
    # The Hub's own reader of card headers agrees.
    from huggingface_hub import DatasetCard

    assert DatasetCard(card).data.to_dict()["configs"] == header["configs"]
    m0 = hashlib.sha256(b"m0.gguf").hexdigest()
    assert f"| `m0.gguf` | `{m0}` |" in card
    assert "| `m1.gguf` | `unknown` |" in card  # a file that is not at hand
    assert "- `trl`: 7 rows (compare 1, pick 2, rank 3, rewrite 1)" in card
    assert "- `kto`: 3 rows (rewrite 1, thumbs 2)" in card
    assert "- `temperature`: 0.7" in card
    assert "llama-cpp-python " in card
    assert "`pick`: the best of several regenerated answers" in card
    assert "did not run" in card


def test_each_row_carries_its_provenance(store: Store, models: Path) -> None:
    rate_everything(store)
    prepared = prepare_dataset(store, ["trl", "arena"], lookup=folder_lookup([models]))
    vote = next(row for row in prepared.rows["trl"] if row["source"] == "compare")
    metadata = json.loads(vote["metadata"])
    chosen = metadata["answers"]["chosen"]
    assert chosen["file"]["sha256"] == hashlib.sha256(b"llama-3b-Q4_K_M.gguf").hexdigest()
    assert (chosen["params"], chosen["seed"], chosen["stop_reason"]) == (
        {"temperature": 0.7},
        3,
        "eos",
    )
    assert metadata["rating"] == "compare"
    assert metadata["engine"].startswith("llama-cpp-python")
    rewrite = next(row for row in prepared.rows["trl"] if row["source"] == "rewrite")
    assert json.loads(rewrite["metadata"])["answers"]["chosen"] == {
        "model": "(your rewrite)",
        "by": "user",
    }
    for rows in prepared.rows.values():
        assert_uniform(rows)


def test_trl_style_loading_sees_the_expected_columns(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_ties(store, rate_everything(store))
    out = tmp_path / "dataset"
    write_dataset(prepare_dataset(store, ["trl", "kto"]), out)
    for name in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
        monkeypatch.setenv(name, "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    import datasets
    import tqdm

    monkeypatch.setattr(tqdm.tqdm, "monitor_interval", 0)
    datasets.disable_progress_bars()
    try:
        # The folder itself, as the Hub would serve it: the card's configs pick the files.
        trl = datasets.load_dataset(str(out), "trl", split="train", cache_dir=str(tmp_path / "c"))
        kto = datasets.load_dataset(str(out), "kto", split="train", cache_dir=str(tmp_path / "c"))
    finally:
        datasets.enable_progress_bars()
    assert trl.num_rows == 7
    assert {"prompt", "chosen", "rejected", "margin", "metadata"} <= set(trl.column_names)
    assert repr(trl.features["chosen"]) == MESSAGES
    assert repr(trl.features["metadata"]) == "Value('string')"
    assert {"prompt", "completion", "label", "metadata"} <= set(kto.column_names)
    assert trl.to_list() == read_jsonl(out / "trl.jsonl")


def test_the_scrub_replaces_private_details_and_the_card_says_so(store: Store) -> None:
    ratings = Ratings(store)
    chat = store.create_conversation("Private")
    prompt = store.add_user_message(
        chat.id, "Mail ana.lopez@example.com, call +44 20 7946 0958, read /home/ana/notes.txt"
    )
    good = answer(store, prompt, "Use sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234 as the key.", "m0.gguf")
    bad = answer(store, prompt, "No.", "m1.gguf")
    ratings.pick_best(good.id, [good.id, bad.id])
    prepared = prepare_dataset(store, ["trl"], scrub=True)
    (row,) = prepared.rows["trl"]
    assert row["prompt"][-1]["content"] == "Mail [email], call [phone], read /home/[user]/notes.txt"
    assert row["chosen"][0]["content"] == "Use [API key] as the key."
    assert prepared.scrub is not None
    assert prepared.scrub.counts == {
        "email": 1,
        "phone number": 1,
        "path with a user name": 1,
        "API key": 1,
    }
    assert "A scrub for emails, phone numbers" in prepared.card
    assert "1 × API key" in prepared.card
    # The stored chat is untouched: the scrub changes only what is exported.
    assert store.message(good.id).content.startswith("Use sk-proj-")


@pytest.mark.parametrize(
    "text",
    ["In 1969 it cost 3.14159 or 2024-01-31, version 1.2.3", "12 345 people", "room 101"],
)
def test_the_scrub_leaves_ordinary_numbers(text: str) -> None:
    assert scrub_text(text) == (text, [])


@pytest.mark.parametrize(
    ("count", "category"),
    [(0, "n<1K"), (999, "n<1K"), (1000, "1K<n<10K"), (250_000, "100K<n<1M"), (10**7, "n>10M")],
)
def test_size_category(count: int, category: str) -> None:
    assert size_category(count) == category


def test_an_export_without_rows_is_left_out_of_the_folder(store: Store, tmp_path: Path) -> None:
    chat = store.create_conversation("Only thumbs")
    prompt = store.add_user_message(chat.id, "Hi")
    Ratings(store).set_thumbs(answer(store, prompt, "Hello", "m0.gguf").id, 1)
    prepared = prepare_dataset(store, ["trl", "kto", "arena"])
    assert list(prepared.rows) == ["kto"]
    assert prepared.requested == ("trl", "kto", "arena")
    assert card_header(prepared.card)["configs"][0]["config_name"] == "kto"
    written = write_dataset(prepared, tmp_path / "out")
    assert sorted(p.name for p in written) == ["README.md", "kto.jsonl"]
