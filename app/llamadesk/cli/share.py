"""`llamadesk export ... --card/--scrub/--push`: a preference export as a data set to share.

`--card` makes OUT a folder holding the JSONL file and a Hub data set card (README.md);
`--scrub` replaces emails, phone numbers, paths with user names and API keys first;
`--push OWNER/NAME` uploads the folder to a (private, unless `--public`) Hub dataset
repository, with the standard Hugging Face login's token.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from llamadesk.cli.common import EXIT_HUB_TROUBLE, EXIT_USER_ERROR, EXPORTED, fail


def add_share_flags(export: argparse.ArgumentParser) -> None:
    """The flags of `llamadesk export` that make a data set to share."""
    export.add_argument(
        "--card",
        action="store_true",
        help="OUT is a folder: write the JSONL file and a Hub data set card (README.md) there",
    )
    export.add_argument(
        "--scrub",
        action="store_true",
        help="replace emails, phone numbers, paths with user names and API keys first",
    )
    export.add_argument(
        "--push",
        "--push-to-hub",
        dest="push",
        metavar="OWNER/NAME",
        help="upload the data set (with its card) to this Hugging Face dataset repository",
    )
    visibility = export.add_mutually_exclusive_group()
    visibility.add_argument(
        "--private", action="store_true", help="a new repository is private (the default)"
    )
    visibility.add_argument("--public", action="store_true", help="make a new repository public")
    export.add_argument(
        "--license", default="other", help="the licence the card names (default: other)"
    )


def wants_share(args: argparse.Namespace) -> bool:
    return bool(args.card or args.scrub or args.push)


def run_share(args: argparse.Namespace) -> int:
    """Write (and push) the export as ``args`` ask; one line per thing done."""
    from llamadesk.core.dataset_card import prepare_dataset, write_dataset
    from llamadesk.core.hub_push import PushError, check_repo_id
    from llamadesk.core.model_files import library_lookup
    from llamadesk.core.paths import app_paths
    from llamadesk.core.preferences import ExportError, write_jsonl
    from llamadesk.core.store import Store, StoreError

    paths = app_paths()
    try:
        if args.push:
            check_repo_id(args.push)  # before any work
        with Store(paths.database) as store:
            prepared = prepare_dataset(
                store,
                [args.format],
                since=args.since,
                model=args.model,
                include_reasoning=args.include_reasoning,
                scrub=args.scrub,
                license=args.license,
                lookup=library_lookup(paths.models),
            )
        what = f"{prepared.counts[args.format]} {EXPORTED[args.format]}"
        if args.card or args.push:
            written = write_dataset(prepared, args.out)
            print(f"Wrote {what} to {written[0]} and a data set card to {written[-1]}.")
        else:
            write_jsonl(prepared.rows[args.format], args.out)
            print(f"Wrote {what} to {args.out}.")
    except (StoreError, ExportError, PushError) as exc:
        return fail(str(exc))
    if prepared.scrub is not None:
        print(f"Scrub: replaced {prepared.scrub.describe()}.")
    if args.push:
        return _push(args.out, args.push, private=not args.public)
    return 0


def _push(folder: Path, repo_id: str, *, private: bool) -> int:
    from llamadesk.core.hub_push import PushError, push_folder

    visibility = "private" if private else "public"
    print(f"Uploading {folder} to {repo_id} ({visibility})…", file=sys.stderr)
    try:
        result = push_folder(folder, repo_id, private=private)
    except PushError as exc:
        print(f"llamadesk: {exc}", file=sys.stderr)
        return EXIT_HUB_TROUBLE if exc.reason in ("network", "other") else EXIT_USER_ERROR
    print(f"Pushed to {result.url} (commit {result.commit[:12]}).")
    return 0
