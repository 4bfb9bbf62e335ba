"""`llamadesk export` and `leaderboard`: what your ratings and compare votes add up to."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from llamadesk.cli.common import EXPORTED, date, fail
from llamadesk.cli.share import add_share_flags, run_share, wants_share

if TYPE_CHECKING:
    from llamadesk.cli.common import Commands


def add_parsers(commands: Commands) -> None:
    # Light: the export formats' module needs only the standard library.
    from llamadesk.core.preferences import EXPORT_FORMATS

    export = commands.add_parser("export", help="write your ratings as a training data set (JSONL)")
    export.set_defaults(run=export_ratings)
    export.add_argument(
        "format",
        choices=EXPORT_FORMATS,
        help="trl: preference pairs (DPO, reward models); kto: rated answers; "
        "arena: the compare votes",
    )
    export.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the file (with --card: a folder)"
    )
    export.add_argument(
        "--since", type=date, help="only ratings given on or after this date (or time)"
    )
    export.add_argument("--model", default="", help="only ratings of models whose name has this")
    export.add_argument(
        "--include-reasoning",
        action="store_true",
        help="add reasoning models' reasoning in columns of its own (answers never hold it)",
    )
    add_share_flags(export)

    leaderboard = commands.add_parser("leaderboard", help="rank your models by your compare votes")
    leaderboard.set_defaults(run=show_leaderboard)


def export_ratings(args: argparse.Namespace) -> int:
    if wants_share(args):
        return run_share(args)
    from llamadesk.core.paths import app_paths
    from llamadesk.core.preferences import ExportError, export
    from llamadesk.core.store import Store, StoreError

    try:
        with Store(app_paths().database) as store:
            store.check()  # a damaged file is reported, not half exported
            result = export(
                store,
                args.format,
                args.out,
                since=args.since,
                model=args.model,
                include_reasoning=args.include_reasoning,
            )
    except (StoreError, ExportError) as exc:
        return fail(str(exc))
    print(f"Wrote {result.count} {EXPORTED[args.format]} to {result.path}.")
    if result.count == 0:
        print("No ratings matched, so the file is empty.")
    return 0


def show_leaderboard(_args: argparse.Namespace) -> int:
    from llamadesk.core.leaderboard import leaderboard
    from llamadesk.core.paths import app_paths
    from llamadesk.core.store import Store, StoreError

    try:
        with Store(app_paths().database) as store:
            store.check()  # damage elsewhere in the file must not pass for "no votes"
            rows = leaderboard(store)
    except StoreError as exc:
        return fail(str(exc))
    if not rows:
        print("No compare votes between two models yet.")
        return 0
    width = max(len("Model"), *(len(row.model) for row in rows))
    print(f"{'#':>2}  {'Model':<{width}}  Rating  95% interval  Votes  W/T/L")
    for place, row in enumerate(rows, start=1):
        interval = f"{row.lower:.0f} to {row.upper:.0f}"
        record = f"{row.wins}/{row.ties}/{row.losses}"
        print(
            f"{place:>2}  {row.model:<{width}}  {row.rating:>6.0f}  {interval:>12}"
            f"  {row.battles:>5}  {record}"
        )
    return 0
