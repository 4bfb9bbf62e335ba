"""`llamadesk train`: teach a model the ratings given on it (see core/training.py)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from llamadesk.core.training import (
    METHODS,
    TrainData,
    TrainError,
    TrainProgress,
    TrainSettings,
    split_held_out,
)

EXIT_USER_ERROR = 2


def add_parsers(commands: Any) -> None:
    """Declare ``train`` on the CLI's subcommands."""
    train = commands.add_parser(
        "train", help="teach a model your preferences: a LoRA adapter trained on your ratings"
    )
    train.set_defaults(run=run_train)
    train.add_argument("model", type=Path, metavar="MODEL.gguf")
    train.add_argument("--method", choices=METHODS, default="dpo", help="dpo: pairs; kto: thumbs")
    train.add_argument(
        "--data", type=Path, metavar="FILE.jsonl", help="an export in TRL's format to train on"
    )
    train.add_argument("--steps", type=int, default=0, help="optimizer steps (default: 2 epochs)")
    train.add_argument("--max-length", type=int, default=TrainSettings.max_length)
    train.add_argument("--learning-rate", type=float, default=TrainSettings.learning_rate)
    train.add_argument("--out", type=Path, metavar="ADAPTER.gguf", help="where to write it")


def run_train(args: argparse.Namespace) -> int:
    """Train; print progress to stderr and the adapter's path last on stdout."""
    from llamadesk.core.training import train

    settings = TrainSettings(
        method=args.method,
        steps=args.steps,
        max_length=args.max_length,
        learning_rate=args.learning_rate,
    )
    try:
        data = _data(args)
        result = train(
            args.model, data, settings, args.out, progress=_print_step, status=_print_status
        )
    except TrainError as error:
        print(f"llamadesk: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(f"{result.size / 1e6:.1f} MB adapter, {result.lineage.seconds:.0f} s", file=sys.stderr)
    print(result.path)
    return 0


def _data(args: argparse.Namespace) -> TrainData:
    if args.data is not None:
        return split_held_out(args.method, _read_jsonl(args.data))
    from llamadesk.core.paths import app_paths
    from llamadesk.core.store import Store, StoreError
    from llamadesk.core.training import training_data

    try:
        with Store(app_paths().database) as store:
            return training_data(store, args.model, args.method)
    except StoreError as error:
        raise TrainError(f"Your ratings cannot be read: {error}") from error


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise TrainError(f"{path.name} cannot be read: {error.strerror}") from error
    try:
        return [json.loads(line) for line in lines if line.strip()]
    except json.JSONDecodeError as error:
        raise TrainError(f"{path.name} is not JSON lines: {error}") from error


def _print_status(phrase: str) -> None:
    print(f"{phrase}...", file=sys.stderr)


def _print_step(step: TrainProgress) -> None:
    loss = "" if math.isnan(step.loss) else f"  loss {step.loss:.4f}"
    print(f"step {step.step}/{step.total}{loss}  ETA {step.eta:.0f} s", file=sys.stderr)
