"""How long the Data set page's read takes, to decide whether it may run on the GUI thread.

Rates a made-up history (conversations of one prompt each, a kilobyte per message): rankings
of three, picks of three with a rewrite, and arena votes between six models, about a thousand
TRL pairs in all; then times each part of ``core.dataset.read_dataset``, best of five.
A frame is 16 ms; anything near 50 ms belongs on a background thread.

    python benchmarks/dataset_read.py [--rankings 200] [--picks 100] [--votes 300]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable, Sized
from pathlib import Path

from llamadesk.core.dataset import preference_pairs, read_dataset
from llamadesk.core.leaderboard import leaderboard
from llamadesk.core.preferences import arena_rows, kto_rows, trl_rows
from llamadesk.core.ratings import Ratings, Winner
from llamadesk.core.store import ConversationKind, Message, Store

MODELS = [f"model-{n}-Q4_K_M.gguf" for n in range(6)]
TEXT = "lorem ipsum dolor sit amet " * 40  # about a kilobyte
WINNERS: list[Winner] = ["model_a", "model_b", "model_a", "tie", "tie (bothbad)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rankings", type=int, default=200)
    parser.add_argument("--picks", type=int, default=100)
    parser.add_argument("--votes", type=int, default=300)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "db.sqlite3") as store:
        rate(store, options.rankings, options.picks, options.votes, random.Random(0))
        timings: list[tuple[str, Callable[[], Sized]]] = [
            ("trl_rows", lambda: trl_rows(store)),
            ("kto_rows", lambda: kto_rows(store)),
            ("arena_rows", lambda: arena_rows(store)),
            ("leaderboard", lambda: leaderboard(store)),
            ("preference_pairs", lambda: preference_pairs(store)),
            ("read_dataset (all of it)", lambda: read_dataset(store).pairs),
        ]
        for label, read in timings:
            seconds, size = best_of(5, read)
            print(f"{label:26} {seconds * 1000:7.1f} ms  ({size} rows)")


def rate(store: Store, rankings: int, picks: int, votes: int, rng: random.Random) -> None:
    ratings = Ratings(store)
    for _ in range(rankings):
        ratings.rank([a.id for a in answers(store, "chat", 3, rng)])
    for _ in range(picks):
        best, worse, good = answers(store, "chat", 3, rng)
        ratings.pick_best(best.id)
        ratings.set_thumbs(worse.id, -1, rewrite="better " + TEXT)
        ratings.set_thumbs(good.id, 1)
    for _ in range(votes):
        a, b = answers(store, "compare", 2, rng)
        ratings.vote(a.id, b.id, rng.choice(WINNERS))


def answers(store: Store, kind: ConversationKind, count: int, rng: random.Random) -> list[Message]:
    """``count`` answers by different models to a new prompt in a conversation of its own."""
    conversation = store.create_conversation(kind=kind)
    prompt = store.add_user_message(conversation.id, "Question? " + TEXT)
    return [
        store.add_answer(
            conversation.id,
            prompt.id,
            TEXT,
            model=model,
            params={"temperature": 0.7},
            seed=1,
            stats={},
            stop_reason="eos",
        )
        for model in rng.sample(MODELS, count)
    ]


def best_of(runs: int, read: Callable[[], Sized]) -> tuple[float, int]:
    best, size = float("inf"), 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(read())
        best = min(best, time.perf_counter() - start)
    return best, size


if __name__ == "__main__":
    main()
