"""What every command group shares: exit codes, the one-line parser, argument types, the
option flags declared in core/options.py, `fail` and a progress line on stderr.

Only the standard library at the top: `llamadesk --help` builds every group's parser.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_HUB_TROUBLE = 1  # the network or the hub failed: trying again later may work

# What the rows of each `llamadesk export` format are, in words (`export`, `export --card`).
EXPORTED = {"trl": "preference pairs", "kto": "rated answers", "arena": "battles"}


class Parser(argparse.ArgumentParser):
    """argparse, but its errors are one line: 'llamadesk chat: error: …'."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message}\n")


if TYPE_CHECKING:
    from typing import TypeAlias

    Commands: TypeAlias = argparse._SubParsersAction[Parser]
    """The `add_subparsers()` object a command group adds its parsers to."""


def positive_int(text: str) -> int:
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2025-01-31: {text!r}") from None


def read_utf8(path: Path) -> str:
    """The text of the file `path`; why it cannot be read is a ValueError with one sentence
    for the user."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text") from None


def option_flag(
    parser: argparse.ArgumentParser, flag: str, name: str, default: object = None
) -> None:
    """A flag for the setting declared in core/options.py: its range checked as the app
    checks it, its help and default from the declaration."""
    from llamadesk.core.options import OPTIONS  # standard library only: light

    option = OPTIONS[name]

    def parse(text: str) -> object:
        try:
            return option.parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    default = option.default if default is None else default
    parser.add_argument(
        flag,
        type=parse,
        default=default,
        metavar=option.kind.__name__.upper(),
        help=f"{option.help} ({option.describe_range()}; default {default})",
    )


def fail(message: str) -> int:
    print(f"llamadesk: {message}", file=sys.stderr)
    return EXIT_USER_ERROR


class ProgressLine:
    """A percentage on stderr, rewritten in place as it changes."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._shown = -1

    def __call__(self, fraction: float) -> None:
        percent = int(fraction * 100)
        if percent != self._shown:
            self._shown = percent
            sys.stderr.write(f"\r{self._label}: {percent:3d}%")
            sys.stderr.flush()

    def end(self) -> None:
        if self._shown >= 0:
            sys.stderr.write("\n")
            self._shown = -1
