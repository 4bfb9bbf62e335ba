"""One SQLite database file: its connection, settings, schema migrations and errors.

``Database`` is all the chat history (``core.store``) and the ratings (``core.ratings``)
know of SQLite. It turns the errors that come from the world outside the program (a full
disk, a read-only folder, another program holding the lock, a damaged file) into
``StoreError`` subclasses whose text is a sentence for the user, as qutebrowser's
``misc/sql.py`` does. Any other ``sqlite3`` error is a bug in LlamaDesk and is left as it is.

The schema version lives in ``PRAGMA user_version``: ``migrations[n]`` takes a database
from version ``n`` to ``n + 1``, each in a transaction of its own.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

Migration = Callable[[sqlite3.Connection], None]

# How long a write waits for another connection's write lock. Opening and background work
# can wait; the GUI thread asks for less (see Database's ``busy_timeout``).
DEFAULT_BUSY_TIMEOUT = 5.0

# SQLite's primary result codes (https://sqlite.org/rescode.html) that the world causes.
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN = 10, 11, 13, 14
SQLITE_PROTOCOL, SQLITE_NOTADB = 15, 26

# Python before 3.11 gives no result code: SQLite's own message for each one.
_CODE_BY_MESSAGE = {
    "database or disk is full": SQLITE_FULL,
    "attempt to write a readonly database": SQLITE_READONLY,
    "unable to open database file": SQLITE_CANTOPEN,
    "database is locked": SQLITE_BUSY,
    "database table is locked": SQLITE_LOCKED,
    "database disk image is malformed": SQLITE_CORRUPT,
    "file is not a database": SQLITE_NOTADB,
    "disk i/o error": SQLITE_IOERR,
}


class StoreError(Exception):
    """The chat history cannot be read or written; ``str()`` is a sentence for the user."""


class DiskFull(StoreError):
    """The disk (or the database's size limit) is full: nothing more can be written."""


class ReadOnly(StoreError):
    """The database file or its folder cannot be written."""


class Busy(StoreError):
    """Another connection held the write lock for longer than this one waits."""


class Damaged(StoreError):
    """The database file is corrupt: ``core.rescue`` keeps it aside and saves what it can."""


def damaged(path: Path, detail: str) -> Damaged:
    """The error for a damaged file; it says how the app recovers it."""
    return Damaged(
        f"The chat history ({path}) is damaged ({detail}). Open the LlamaDesk app (restart "
        "it if it is running): it keeps the damaged file aside and recovers what it can."
    )


def primary_code(error: sqlite3.Error) -> int | None:
    """SQLite's primary result code of ``error``, or None if it is not known."""
    code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+
    if isinstance(code, int):
        return code & 0xFF
    return _CODE_BY_MESSAGE.get(str(error).strip().lower())


def translate(error: sqlite3.Error, path: Path) -> StoreError | None:
    """The ``StoreError`` for an error the world caused, or None for a bug."""
    code = primary_code(error)
    where = f"The chat history ({path})"
    if code == SQLITE_FULL:
        return DiskFull(
            f"The disk holding the chat history ({path.parent}) is full. "
            "Free some space on it, then try again."
        )
    if code == SQLITE_CANTOPEN:
        return ReadOnly(
            f"Cannot open the chat history at {path} ({error}). Check that its folder is "
            "writable and that nothing else is in the way, then try again."
        )
    if code in (SQLITE_READONLY, SQLITE_PERM):
        return ReadOnly(
            f"{where} cannot be written: the file or its folder is read-only. "
            f"Make {path.parent} writable, then try again."
        )
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return Busy(
            "The chat history is busy: another program (another LlamaDesk?) is writing "
            "to it. Try again in a moment."
        )
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return damaged(path, str(error))
    if code in (SQLITE_IOERR, SQLITE_PROTOCOL):
        return StoreError(
            f"{where} could not be read or written: the disk reported an error ({error}). "
            "Check the disk, then try again."
        )
    return None


@contextmanager
def _translated(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as error:
        known = translate(error, path)
        if known is None:
            raise
        name = getattr(error, "sqlite_errorname", "?")  # Python 3.11+: SQLITE_FULL...
        log.warning("SQLite error on %s: %s (%s, %s)", path, error, name, type(known).__name__)
        raise known from error


class Database:
    """The SQLite file at ``path``, opened, set up and migrated.

    The connection is in autocommit mode: a single statement commits on its own, and
    ``transaction()`` groups several so they land together or not at all. It may only be
    used from the thread that opened it (sqlite3's rule).

    Args:
        path: the database file; its folder is made if missing.
        migrations: the schema's history (see the module docstring).
        busy_timeout: seconds a statement waits for another connection's write lock
            before it fails with ``Busy``. Opening always waits up to
            ``DEFAULT_BUSY_TIMEOUT``.
        functions: SQL functions of one argument to define, by name.
    """

    def __init__(
        self,
        path: Path | str,
        migrations: Sequence[Migration],
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        functions: dict[str, Callable[[Any], Any]] | None = None,
    ) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, isolation_level=None, timeout=DEFAULT_BUSY_TIMEOUT
            )
        except (OSError, sqlite3.Error) as error:
            raise self._cannot_open(error) from error
        try:
            self._prepare(migrations, functions or {})
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        except sqlite3.Error as error:
            self._db.close()
            raise self._cannot_open(error) from error
        except BaseException:
            self._db.close()
            raise

    def _cannot_open(self, error: OSError | sqlite3.Error) -> StoreError:
        known = translate(error, self.path) if isinstance(error, sqlite3.Error) else None
        if known is not None:
            return known
        return StoreError(f"Cannot open the chat history at {self.path}: {error}")

    def _prepare(self, migrations: Sequence[Migration], functions: dict[str, Any]) -> None:
        self._db.row_factory = sqlite3.Row
        for name, function in functions.items():
            self._db.create_function(name, 1, function, deterministic=True)
        # sqlite3 reads nothing until the first statement, so a file that is not a database
        # fails here.
        self._db.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL can lose the last commits on power loss, but never on a crash of
        # the app, and saves an fsync per message.
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute("PRAGMA foreign_keys = ON")
        self._migrate(migrations)

    def _schema_version(self) -> int:
        version: int = self._db.execute("PRAGMA user_version").fetchone()[0]
        return version

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        # An up-to-date file is only read: opening never waits for another writer.
        while self._schema_version() != len(migrations):
            with self.transaction():
                # Read again inside the write lock: another window may be migrating too.
                version = self._schema_version()
                if version > len(migrations):
                    raise StoreError(
                        f"The chat history at {self.path} was written by a newer LlamaDesk "
                        f"(schema version {version}; this version knows up to "
                        f"{len(migrations)}). Update LlamaDesk to open it."
                    )
                if version < len(migrations):
                    migrations[version](self._db)
                    self._db.execute(f"PRAGMA user_version = {version + 1}")

    # Statements ----------------------------------------------------------------------

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement (for writes; reads use ``one`` or ``all``)."""
        with _translated(self.path):
            return self._db.execute(sql, parameters)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with _translated(self.path):
            self._db.executemany(sql, rows)

    def insert(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run an INSERT; returns the new row's id."""
        row_id = self.execute(sql, parameters).lastrowid
        assert row_id is not None  # an INSERT always sets it
        return row_id

    def one(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Row | None:
        """The first row the query gives, or None."""
        with _translated(self.path):
            row: sqlite3.Row | None = self._db.execute(sql, parameters).fetchone()
            return row

    def all(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Every row the query gives (read here, where a damaged page shows)."""
        with _translated(self.path):
            return self._db.execute(sql, parameters).fetchall()

    def version(self) -> tuple[int, int]:
        """A value that changes whenever a row of the file changes, by this connection
        (SQLite's count of its changes) or another one (``PRAGMA data_version``): what was
        read before is still what the file holds while it stays the same."""
        row = self.one("PRAGMA data_version")
        assert row is not None  # the pragma always answers
        return self._db.total_changes, int(row[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block's statements as one transaction: all of them land, or none.

        IMMEDIATE takes the write lock up front, so what is read inside still holds when
        it is written, even with another window writing to the same file.
        """
        self.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.execute("COMMIT")
        except BaseException:
            # A no-op if SQLite already rolled back on its own after the error.
            self._db.rollback()
            raise

    def check(self) -> None:
        """Read every page of the file; ``Damaged`` if any is corrupt.

        SQLite only notices a damaged page when a query reads it, which may be long after
        the start (or never, for a table that query does not touch).
        """
        rows = self.all("PRAGMA quick_check")
        problems = [row[0] for row in rows if row[0] != "ok"]
        if problems:
            raise damaged(self.path, problems[0])

    def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        self._db.close()
