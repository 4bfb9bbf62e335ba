"""`llamadesk`: the GUI with no arguments, or a subcommand over the core.

User errors (a missing or broken file, a bad option) exit with code 2 and one clear line on
stderr; no traceback reaches the user.

Each command group is a module with `add_parsers(commands)`; each command's parser names the
function that runs it with `set_defaults(run=...)`, which takes the parsed arguments and
returns the exit code.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import sys
from collections.abc import Sequence
from pathlib import Path

from llamadesk import __version__
from llamadesk.cli import arena, chat, chats, diagnostics, evaluate, feedback, models, serve
from llamadesk.cli.common import EXIT_INTERRUPTED, Parser
from llamadesk.core.logs import ExceptHooks, close_logging, describe, setup_logging

# In the order `llamadesk --help` lists them.
COMMAND_GROUPS = (chat, diagnostics, feedback, models, evaluate, arena, chats, serve)


class _VersionAction(argparse.Action):
    """`--version`: the version first (scripts read that line), then where the files are."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from llamadesk.core.logs import log_file
        from llamadesk.core.paths import app_paths

        paths = app_paths()
        print(f"LlamaDesk {__version__}\nData folder: {paths.data}\nLog: {log_file(paths)}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="llamadesk",
        description="Chat with language models that run on your own computer. "
        "With no command, the desktop app starts.",
    )
    parser.add_argument(
        "--version", action=_VersionAction, help="show the version, the data folder and the log"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for group in COMMAND_GROUPS:
        group.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # In a frozen (PyInstaller) app, the quantization child started with "spawn" re-runs this
    # executable; freeze_support turns that run into the child instead of a second app.
    multiprocessing.freeze_support()
    args = build_parser().parse_args(argv)
    log, hooks = _start_log(args.command)
    try:
        if args.command is None:
            from llamadesk.ui.app import run_gui

            return run_gui()
        code: int = args.run(args)
        return code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: one line for the user, the traceback in the log
        logging.getLogger("llamadesk").exception("Uncaught exception")
        _report_crash(exc, log)
        return 1
    finally:
        hooks.uninstall()  # called in-process (tests), the caller's hooks come back
        close_logging()


def _start_log(command: str | None) -> tuple[Path | None, ExceptHooks]:
    """The log in the data folder, and hooks that send uncaught errors (on any thread) there
    rather than onto the screen. The GUI, `command` None, adds its own: a banner."""
    from llamadesk.core.paths import app_paths

    log = setup_logging(app_paths())
    # The command only: its arguments may hold a prompt, which is the user's business.
    logging.getLogger("llamadesk").info("LlamaDesk %s started: %s", __version__, command or "app")
    return log, ExceptHooks(lambda error: _report_crash(error, log))


def _report_crash(error: BaseException, log: Path | None) -> None:
    where = f" The details are in {log}." if log else ""
    print(f"llamadesk: something went wrong: {describe(error)}{where}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
