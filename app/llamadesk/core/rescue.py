"""A damaged chat history: kept aside untouched, and what can be read copied to a new one.

The damaged file is never deleted or written to: it is renamed (with its WAL, which may
hold the latest commits) to ``<name>.damaged-<time>.sqlite3`` in the same folder, and read
from a scratch copy. Python's sqlite3 has no ``.recover``, so each table is copied row by
row, in rowid order; where a page cannot be read, the copy skips ahead to the next rowid
that can. Rows whose prompt or conversation was lost get a placeholder, so what was
recovered still shows (``store.repair_links``).
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from llamadesk.core.db import DEFAULT_BUSY_TIMEOUT, Damaged, StoreError
from llamadesk.core.store import Store, repair_links

log = logging.getLogger(__name__)

_SIDE_FILES = ("-wal", "-shm")
_LARGEST_ROWID = 2**63 - 1


@dataclass(frozen=True)
class Rescue:
    """What became of a damaged chat history: where it is kept, how many rows were saved."""

    kept: Path
    rows: int

    def message(self) -> str:
        """What the user is told (one sentence, then where the damaged file is)."""
        if self.rows:
            return (
                f"The chat history was damaged: LlamaDesk recovered {self.rows} records "
                f"into a new one. The damaged file is kept, untouched, at {self.kept}."
            )
        return (
            "The chat history was damaged and nothing could be read from it, so LlamaDesk "
            f"starts with an empty one. The damaged file is kept, untouched, at {self.kept}."
        )


def open_or_rescue(
    path: Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
) -> tuple[Store, Rescue | None]:
    """Open the chat history at ``path``, checked page by page; rescue it if damaged."""
    try:
        store = Store(path, busy_timeout=busy_timeout)
    except Damaged:
        store = None
    if store is not None:
        try:
            store.check()
            return store, None
        except Damaged:
            store.close()
    rescued = rescue(path)
    return Store(path, busy_timeout=busy_timeout), rescued


def rescue(path: Path, *, clock: Callable[[], float] = time.time) -> Rescue:
    """Keep the damaged file at ``path`` aside and put what can be read of it in its place."""
    try:
        kept = _keep_aside(path, clock())
    except OSError as error:
        raise StoreError(
            f"The chat history ({path}) is damaged, and it could not be kept aside: "
            f"{error}. Move it away yourself, then start LlamaDesk again."
        ) from error
    try:
        rows = _recover(kept, path)
    except (OSError, sqlite3.Error, StoreError) as error:
        raise StoreError(
            f"The chat history was damaged. It is kept, untouched, at {kept}, but nothing "
            f"could be recovered from it ({error}). LlamaDesk starts with an empty history "
            "next time."
        ) from error
    log.warning("Damaged chat history kept at %s; %d rows recovered", kept, rows)
    return Rescue(kept, rows)


def _recover(kept: Path, path: Path) -> int:
    """Copy what can be read of ``kept`` into a new file at ``path``; returns the rows."""
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".rescue-") as scratch:
        work = Path(scratch)
        recovered = work / "recovered.sqlite3"
        Store(recovered).close()  # the current schema, empty
        rows = _copy_readable(_scratch_copy(kept, work), recovered)
        # One file (no WAL beside it) can be moved into place whole.
        recovered.replace(path)
    return rows


def _keep_aside(path: Path, now: float) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    kept = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
    number = 1
    while kept.exists():
        number += 1
        kept = path.with_name(f"{path.stem}.damaged-{stamp}-{number}{path.suffix}")
    path.rename(kept)
    for side in _SIDE_FILES:
        beside = path.with_name(path.name + side)
        if beside.exists():
            beside.rename(kept.with_name(kept.name + side))
    return kept


def _scratch_copy(kept: Path, work: Path) -> Path:
    """A copy of the kept file (and its WAL) to read from: opening the kept file itself
    could write to it (SQLite folds the WAL back into the file on close)."""
    copy = work / "damaged.sqlite3"
    shutil.copyfile(kept, copy)
    wal = kept.with_name(kept.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    return copy


def _copy_readable(source_path: Path, target_path: Path) -> int:
    """Copy every row that can be read into the (empty, current-schema) target."""
    copied = 0
    with (
        closing(sqlite3.connect(source_path)) as source,
        closing(sqlite3.connect(target_path, isolation_level=None)) as target,
    ):
        target.execute("PRAGMA journal_mode = DELETE")
        target.execute("BEGIN")
        for table in _tables(target):
            copied += _copy_table(source, target, table)
        repair_links(target)
        target.execute("COMMIT")
    return copied


def _tables(db: sqlite3.Connection) -> list[str]:
    # In order of creation, which puts a table after those it refers to.
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY rowid"
    ).fetchall()
    return [name for (name,) in rows]


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f'PRAGMA table_info("{table}")').fetchall()]


def _copy_table(source: sqlite3.Connection, target: sqlite3.Connection, table: str) -> int:
    try:
        # An older file lacks the newer columns; they take their defaults.
        present = set(_columns(source, table))
    except sqlite3.DatabaseError as error:
        log.warning("Rescue: the schema of %s cannot be read: %s", table, error)
        return 0
    columns = [column for column in _columns(target, table) if column in present]
    if not columns:
        return 0
    names = ", ".join(f'"{column}"' for column in columns)
    insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    copied = 0
    for row in _readable_rows(source, table, names):
        try:
            target.execute(insert, row)
            copied += 1
        except sqlite3.IntegrityError as error:  # a damaged row that breaks a rule
            log.warning("Rescue: a row of %s was left out: %s", table, error)
    return copied


def _readable_rows(
    source: sqlite3.Connection, table: str, names: str
) -> Iterator[tuple[object, ...]]:
    """The rows of ``table`` that can be read, in rowid order, skipping damaged pages."""
    query = f'SELECT rowid, {names} FROM "{table}" WHERE rowid >= ? ORDER BY rowid'
    start: int | None = -_LARGEST_ROWID
    while start is not None:
        try:
            for rowid, *values in source.execute(query, (start,)):
                start = rowid + 1
                yield tuple(values)
            return
        except sqlite3.DatabaseError as error:
            log.warning("Rescue: %s is damaged after rowid %s: %s", table, start - 1, error)
            start = _next_readable(source, table, start)


def _next_readable(source: sqlite3.Connection, table: str, failed: int) -> int | None:
    """The first rowid after ``failed`` from which ``table`` can be read again, if any."""

    def readable(rowid: int) -> bool:
        try:
            source.execute(
                f'SELECT rowid FROM "{table}" WHERE rowid >= ? ORDER BY rowid LIMIT 1', (rowid,)
            ).fetchall()
        except sqlite3.DatabaseError:
            return False
        return True

    step = 1
    while failed + step <= _LARGEST_ROWID:
        if readable(failed + step):
            # Somewhere after failed + step // 2 the damage ends: find where.
            bad, good = failed + step // 2, failed + step
            while good - bad > 1:
                middle = (bad + good) // 2
                bad, good = (bad, middle) if readable(middle) else (middle, good)
            return good
        step *= 2
    return None
