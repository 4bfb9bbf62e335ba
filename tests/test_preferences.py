"""Tests for the exports (TRL pairs, KTO rows, the arena log) and the leaderboard."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from conftest import TickingClock
from llamadesk import __version__
from llamadesk.core import preferences
from llamadesk.core.leaderboard import Battle, leaderboard, rate_models
from llamadesk.core.preferences import (
    MARGINS,
    REWRITE_MODEL,
    ExportError,
    arena_rows,
    export,
    kto_rows,
    trl_rows,
)
from llamadesk.core.ratings import Ratings
from llamadesk.core.store import Message, Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "llamadesk.sqlite3", clock=TickingClock()) as opened:
        yield opened


def answer(store: Store, prompt: Message, content: str, model: str, **fields: Any) -> Message:
    generation: dict[str, Any] = {
        "params": {"temperature": 0.7},
        "seed": 3,
        "stats": {},
        "stop_reason": "eos",
    }
    generation.update(fields)
    return store.add_answer(prompt.conversation_id, prompt.id, content, model=model, **generation)


@dataclass
class Rated:
    """The answers of the standard rated data set, by role."""

    greeting: Message
    ranked: list[Message]  # three answers ranked best first
    picked: list[Message]  # three answers, the first picked as best
    rewritten: Message  # thumbs-down with a rewrite
    liked: Message  # thumbs-up
    compare: list[Message]  # answers A and B of the compare prompt


def rate_everything(store: Store, *, strength: bool = True) -> Rated:
    """A chat with two turns plus a comparison, rated every way there is."""
    ratings = Ratings(store)
    chat = store.create_conversation("Sky", system_prompt="Be brief.")
    hello = store.add_user_message(chat.id, "Hi")
    answer(store, hello, "Broken", "m0.gguf", stop_reason="error")
    greeting = answer(store, hello, "Hello!", "m0.gguf")
    sky = store.add_user_message(chat.id, "Why is the sky blue?")
    ranked = [answer(store, sky, f"Sky {n}", f"m{n}.gguf") for n in (2, 0, 1)]
    ratings.rank([a.id for a in ranked])
    grass = store.add_user_message(chat.id, "Why is grass green?")
    picked = [answer(store, grass, f"Grass {n}", f"m{n}.gguf") for n in range(3)]
    ratings.pick_best(picked[0].id)
    ratings.set_thumbs(
        picked[1].id, -1, tags=["wrong", "too long"], comment="Nope", rewrite="Chlorophyll."
    )
    ratings.set_thumbs(picked[0].id, 1, tags=["correct"])

    arena = store.create_conversation("Compare", kind="compare")
    prompt = store.add_user_message(arena.id, "Name a prime")
    a = answer(store, prompt, "7", "llama-3b-Q4_K_M.gguf")
    b = answer(store, prompt, "9", "qwen-1.5b-Q8_0.gguf")
    ratings.vote(a.id, b.id, "model_a", strength="much" if strength else "")
    return Rated(greeting, ranked, picked, picked[1], picked[0], [a, b])


def add_ties(store: Store, rated: Rated) -> None:
    """Two more compare prompts: one voted a tie, one both-bad."""
    ratings = Ratings(store)
    a, _ = rated.compare
    for winner in ("tie", "tie (bothbad)"):
        prompt = store.add_user_message(a.conversation_id, f"Prompt for {winner}")
        one = answer(store, prompt, "One", "llama-3b-Q4_K_M.gguf")
        two = answer(store, prompt, "Two", "qwen-1.5b-Q8_0.gguf")
        ratings.vote(one.id, two.id, winner)


# The rows


def by_source(rows: list[dict[str, Any]], source: str) -> list[dict[str, Any]]:
    return [row for row in rows if row["source"] == source]


def turns(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"role": role, "content": content} for role, content in pairs]


def test_a_ranking_of_three_gives_three_pairs(store: Store) -> None:
    rated = rate_everything(store)
    rows = by_source(trl_rows(store), "rank")
    best, middle, worst = (a.content for a in rated.ranked)
    assert [(r["chosen"][0]["content"], r["rejected"][0]["content"]) for r in rows] == [
        (best, middle),
        (best, worst),
        (middle, worst),
    ]
    assert rows[0]["prompt"] == turns(
        ("system", "Be brief."),
        ("user", "Hi"),
        ("assistant", "Hello!"),  # the failed sibling is left out, as the model never saw it
        ("user", "Why is the sky blue?"),
    )
    assert (rows[0]["chosen_model"], rows[0]["rejected_model"]) == ("m2.gguf", "m0.gguf")
    assert json.loads(rows[0]["chosen_params"]) == {"temperature": 0.7}


def test_a_pick_of_three_gives_two_pairs(store: Store) -> None:
    rated = rate_everything(store)
    rows = by_source(trl_rows(store), "pick")
    assert [(r["chosen"], r["rejected"]) for r in rows] == [
        (turns(("assistant", "Grass 0")), turns(("assistant", "Grass 1"))),
        (turns(("assistant", "Grass 0")), turns(("assistant", "Grass 2"))),
    ]
    assert rows[0]["prompt"][-1] == {"role": "user", "content": "Why is grass green?"}
    assert rated.picked[0].content == "Grass 0"


def test_a_rewrite_gives_one_pair_with_the_rewrite_chosen(store: Store) -> None:
    rated = rate_everything(store)
    (row,) = by_source(trl_rows(store), "rewrite")
    assert row["chosen"] == turns(("assistant", "Chlorophyll."))
    assert row["rejected"] == turns(("assistant", rated.rewritten.content))
    assert (row["chosen_model"], row["rejected_model"]) == (REWRITE_MODEL, "m1.gguf")
    assert json.loads(row["tags"]) == ["wrong", "too long"]
    assert row["comment"] == "Nope"
    assert row["id"] == f"rewrite-{rated.rewritten.id}"


def test_votes_give_pairs_but_ties_do_not(store: Store) -> None:
    rated = rate_everything(store)
    add_ties(store, rated)
    (row,) = by_source(trl_rows(store), "compare")
    assert row["prompt"] == turns(("user", "Name a prime"))
    assert row["chosen"] == turns(("assistant", "7"))
    assert row["rejected"] == turns(("assistant", "9"))
    assert row["strength"] == "much"


def test_a_vote_for_b_puts_b_first(store: Store) -> None:
    rated = rate_everything(store)
    a, b = rated.compare
    Ratings(store).vote(a.id, b.id, "model_b")
    (row,) = by_source(trl_rows(store), "compare")
    assert (row["chosen"][0]["content"], row["chosen_model"]) == ("9", "qwen-1.5b-Q8_0.gguf")


def test_every_pair_has_a_margin_once_a_strength_was_given(store: Store) -> None:
    rate_everything(store, strength=True)
    rows = trl_rows(store)
    assert len(rows) == 3 + 2 + 1 + 1
    margins = {row["source"]: row["margin"] for row in rows}
    assert margins == {
        "rank": MARGINS[""],
        "pick": MARGINS[""],
        "rewrite": MARGINS[""],
        "compare": MARGINS["much"],
    }
    assert all(isinstance(row["margin"], float) for row in rows)


def test_no_pair_has_a_margin_when_no_strength_was_given(store: Store) -> None:
    rate_everything(store, strength=False)
    assert not any("margin" in row for row in trl_rows(store))


def test_kto_rows_come_from_thumbs(store: Store) -> None:
    rated = rate_everything(store)
    rows = kto_rows(store)
    summary = [(r["source"], r["completion"][0]["content"], r["label"]) for r in rows]
    assert summary == [
        ("thumbs", rated.rewritten.content, False),
        ("rewrite", "Chlorophyll.", True),
        ("thumbs", rated.liked.content, True),
    ]
    assert rows[0]["tags"] == '["wrong", "too long"]'
    assert rows[1]["tags"] == "[]"  # the tags were about the original
    assert rows[2]["prompt"][-1] == {"role": "user", "content": "Why is grass green?"}


def test_arena_rows_keep_ties_and_both_bad(store: Store) -> None:
    rated = rate_everything(store)
    add_ties(store, rated)
    rows = arena_rows(store)
    assert [row["winner"] for row in rows] == ["model_a", "tie", "tie (bothbad)"]
    first = rows[0]
    assert (first["model_a"], first["model_b"]) == ("llama-3b-Q4_K_M.gguf", "qwen-1.5b-Q8_0.gguf")
    assert first["conversation_a"] == turns(("user", "Name a prime"), ("assistant", "7"))
    assert first["conversation_b"] == turns(("user", "Name a prime"), ("assistant", "9"))
    assert isinstance(first["tstamp"], float)
    stamp = datetime.fromtimestamp(first["tstamp"], timezone.utc)
    assert first["created"] == stamp.isoformat(timespec="microseconds")
    assert rows[1]["conversation_a"][-2:] == turns(("user", "Prompt for tie"), ("assistant", "One"))


def test_rows_carry_their_metadata(store: Store) -> None:
    rate_everything(store)
    for rows in (trl_rows(store), kto_rows(store), arena_rows(store)):
        for row in rows:
            assert row["app_version"] == __version__
            assert datetime.fromisoformat(row["created"]).tzinfo is not None
            json.loads(row["tags"])
        assert len({row["id"] for row in rows}) == len(rows)


# Filters


def test_since_keeps_newer_ratings(store: Store) -> None:
    rate_everything(store)
    every = trl_rows(store)
    cut = datetime.fromisoformat(by_source(every, "rewrite")[0]["created"])
    newer = trl_rows(store, since=cut)
    assert {row["source"] for row in newer} == {"rewrite", "compare"}
    assert trl_rows(store, since=date(2000, 1, 1)) == every
    assert trl_rows(store, since=date(2100, 1, 1)) == []


def test_model_keeps_rows_with_a_matching_model(store: Store) -> None:
    rate_everything(store)
    assert [row["winner"] for row in arena_rows(store, model="QWEN")] == ["model_a"]
    assert arena_rows(store, model="mistral") == []
    pairs = trl_rows(store, model="m2")
    assert {row["source"] for row in pairs} == {"rank", "pick"}
    assert all("m2.gguf" in (row["chosen_model"], row["rejected_model"]) for row in pairs)
    assert [row["model"] for row in kto_rows(store, model="m1")] == ["m1.gguf", REWRITE_MODEL]


# Files that `datasets` and TRL read as they are


@pytest.fixture
def load_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], Any]]:
    """`datasets.load_dataset("json", ...)`, offline, caching under tmp_path only."""
    # huggingface_hub and datasets read the offline switch once, when first imported: import
    # them with the environment as it is, then switch them offline for this test only, or
    # every later test (pushing to the loopback hub) would find the hub offline.
    import datasets
    import huggingface_hub.constants
    import tqdm

    for name in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
        monkeypatch.setenv(name, "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.setattr(datasets.config, name, True)

    # tqdm starts a monitor thread with its first bar, which the thread-leak check reports.
    monkeypatch.setattr(tqdm.tqdm, "monitor_interval", 0)
    datasets.disable_progress_bars()

    def load(path: Path) -> Any:
        return datasets.load_dataset(
            "json", data_files=str(path), cache_dir=str(tmp_path / "hf-cache"), split="train"
        )

    yield load
    datasets.enable_progress_bars()


def assert_uniform(rows: list[dict[str, Any]]) -> None:
    """Same keys and value types in every row; no nulls and no empty lists anywhere."""

    def walk(value: Any) -> None:
        assert value is not None
        if isinstance(value, list):
            assert value, "an empty list"
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    first = rows[0]
    for row in rows:
        assert list(row) == list(first)
        assert [type(v) for v in row.values()] == [type(v) for v in first.values()]
        walk(row)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


MESSAGES = "List({'role': Value('string'), 'content': Value('string')})"


@pytest.mark.parametrize(
    ("kind", "count", "features"),
    [
        (
            "trl",
            7,
            {"prompt": MESSAGES, "chosen": MESSAGES, "rejected": MESSAGES, "margin": "float64"},
        ),
        ("kto", 3, {"prompt": MESSAGES, "completion": MESSAGES, "label": "bool"}),
        (
            "arena",
            3,
            {
                "model_a": "string",
                "winner": "string",
                "conversation_a": MESSAGES,
                "conversation_b": MESSAGES,
                "tstamp": "float64",
            },
        ),
    ],
)
def test_each_export_loads_with_datasets(
    store: Store,
    tmp_path: Path,
    load_json: Callable[[Path], Any],
    kind: Any,
    count: int,
    features: dict[str, str],
) -> None:
    add_ties(store, rate_everything(store))
    out = tmp_path / f"{kind}.jsonl"
    result = export(store, kind, out)
    assert (result.path, result.count) == (out, count)
    rows = read_jsonl(out)
    assert len(rows) == count
    assert_uniform(rows)
    dataset = load_json(out)
    assert dataset.num_rows == count
    assert dataset.column_names == list(rows[0])
    for column, feature in features.items():
        shown = repr(dataset.features[column])
        assert shown == (MESSAGES if feature == MESSAGES else f"Value('{feature}')")
    assert dataset.to_list() == rows


def test_text_is_written_as_utf8(store: Store, tmp_path: Path) -> None:
    rated = rate_everything(store)
    Ratings(store).set_thumbs(rated.greeting.id, -1, rewrite="Grüß dich 👋")
    out = tmp_path / "kto.jsonl"
    export(store, "kto", out)
    assert "Grüß dich 👋" in out.read_text(encoding="utf-8")


def test_an_empty_data_set_writes_an_empty_file(store: Store, tmp_path: Path) -> None:
    for kind in ("trl", "kto", "arena"):
        out = tmp_path / f"{kind}.jsonl"
        result = export(store, kind, out)
        assert result.count == 0
        assert out.read_bytes() == b""


# Writing safely


def test_an_unwritable_path_says_so(store: Store, tmp_path: Path) -> None:
    rate_everything(store)
    before = sorted(tmp_path.iterdir())
    with pytest.raises(ExportError, match=r"Cannot write .*No such file"):
        export(store, "trl", tmp_path / "missing" / "out.jsonl")
    with pytest.raises(ExportError, match="Cannot write"):
        export(store, "trl", tmp_path)  # a folder
    with pytest.raises(ExportError, match="names no file"):
        export(store, "trl", Path("/"))
    assert sorted(tmp_path.iterdir()) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_says_so(store: Store, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ExportError, match="Permission denied"):
        export(store, "arena", locked / "out.jsonl")
    assert list(locked.iterdir()) == []


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rate_everything(store)
    out = tmp_path / "out" / "trl.jsonl"
    out.parent.mkdir()
    out.write_text("the previous export\n")

    def disk_full(source: Any, target: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(preferences.os, "replace", disk_full)
    with pytest.raises(ExportError, match="No space left"):
        export(store, "trl", out)
    assert out.read_text() == "the previous export\n"
    assert list(out.parent.iterdir()) == [out]


def test_an_export_replaces_the_old_file(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "trl.jsonl"
    out.write_text("stale\n")
    rate_everything(store)
    assert export(store, "trl", out).count == len(read_jsonl(out)) == 7


# The leaderboard


def test_the_model_that_wins_most_is_first() -> None:
    battles = (
        [Battle("big", "small", "model_a")] * 8
        + [Battle("small", "big", "model_a")] * 2
        + [Battle("small", "tiny", "model_a")] * 6
        + [Battle("tiny", "small", "tie")] * 3
        + [Battle("big", "tiny", "model_a")] * 4
        + [Battle("tiny", "big", "tie (bothbad)")]
    )
    rows = rate_models(battles)
    assert [row.model for row in rows] == ["big", "small", "tiny"]
    for row in rows:
        assert row.lower <= row.rating <= row.upper
        assert row.upper - row.lower > 1
    big = rows[0]
    assert (big.battles, big.wins, big.ties, big.losses) == (15, 12, 1, 2)
    assert sum(row.rating for row in rows) / 3 == pytest.approx(1000)
    assert rate_models(battles) == rows  # seeded: the same intervals every time


def test_a_tie_counts_half_a_win_each() -> None:
    even = rate_models([Battle("a", "b", "tie")] * 4 + [Battle("a", "b", "tie (bothbad)")] * 4)
    assert [row.rating for row in even] == pytest.approx([1000, 1000])
    split = rate_models([Battle("a", "b", "model_a"), Battle("a", "b", "model_b")] * 4)
    assert [row.rating for row in split] == pytest.approx([1000, 1000])


def test_a_model_that_always_wins_gets_a_finite_rating() -> None:
    rows = rate_models([Battle("a", "b", "model_a")] * 20)
    assert 1000 < rows[0].rating < 2000
    assert rows[1].rating == pytest.approx(2000 - rows[0].rating)


def test_votes_within_one_model_are_left_out() -> None:
    assert rate_models([Battle("a", "a", "model_a")]) == []
    assert rate_models([]) == []


def test_leaderboard_reads_the_votes_in_the_store(store: Store) -> None:
    rated = rate_everything(store)
    add_ties(store, rated)
    rows = leaderboard(store)
    assert [row.model for row in rows] == ["llama-3b-Q4_K_M.gguf", "qwen-1.5b-Q8_0.gguf"]
    assert [(row.wins, row.ties, row.losses) for row in rows] == [(1, 2, 0), (0, 2, 1)]
