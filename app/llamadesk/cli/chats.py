"""`llamadesk chats export/import`: conversations out of and into the chat history.

Heavy modules are imported inside the commands, so `llamadesk --help` stays quick.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from llamadesk.cli.common import Parser, fail

if TYPE_CHECKING:
    from llamadesk.cli.common import Commands

CHAT_FORMATS = ("md", "json", "html")  # core.chat_render.CHAT_FORMATS, without importing it


def add_parsers(commands: Commands) -> None:
    """`llamadesk chats COMMAND`."""
    chats = commands.add_parser("chats", help="export and import conversations")
    chat_commands = chats.add_subparsers(
        dest="chats_command", metavar="COMMAND", parser_class=Parser, required=True
    )
    export = chat_commands.add_parser(
        "export", help="write conversations as Markdown, lossless JSON or one HTML page"
    )
    export.set_defaults(run=_export)
    export.add_argument("--format", choices=CHAT_FORMATS, required=True)
    export.add_argument("--out", type=Path, required=True, metavar="PATH")
    export.add_argument(
        "--id",
        type=int,
        action="append",
        dest="ids",
        metavar="N",
        help="only this conversation (may be given more than once); default: all",
    )
    imported = chat_commands.add_parser(
        "import",
        help="import LlamaDesk's JSON, ChatGPT's conversations.json (or its ZIP) "
        "or Open WebUI's export",
    )
    imported.set_defaults(run=_import)
    imported.add_argument("path", type=Path, metavar="FILE")


def _export(args: argparse.Namespace) -> int:
    from llamadesk.core.chat_render import export_chats
    from llamadesk.core.model_files import library_lookup
    from llamadesk.core.paths import app_paths
    from llamadesk.core.preferences import ExportError
    from llamadesk.core.store import Store, StoreError
    from llamadesk.ui.palette import HTML_COLOURS  # colours only: no Qt

    paths = app_paths()
    try:
        with Store(paths.database) as store:
            result = export_chats(
                store, args.format, args.out, args.ids, library_lookup(paths.models), HTML_COLOURS
            )
    except (StoreError, ExportError) as exc:
        return fail(str(exc))
    print(
        f"Wrote {result.conversations} conversation{'s' * (result.conversations != 1)} "
        f"({result.messages} messages) to {result.path}."
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    from llamadesk.core.chat_archive import ArchiveError
    from llamadesk.core.chat_import import import_file
    from llamadesk.core.paths import app_paths
    from llamadesk.core.store import Store, StoreError

    try:
        with Store(app_paths().database) as store:
            kind, result = import_file(store, args.path)
    except (StoreError, ArchiveError) as exc:
        return fail(str(exc))
    print(f"{kind} export: {result.describe()}")
    return 0
