"""Raw SQL on a ``Store``'s connection, for the modules that read and write whole archives.

``core.chat_archive`` and ``core.model_files`` insert rows with their original timestamps and
ids in one transaction, which the store's methods (stamping "now") cannot do. They reach the
connection only through these four functions, so a change to how ``Store`` holds its
connection is a change here alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from llamadesk.core.store import Store


def rows(store: Store, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
    """Every row the query gives."""
    return store._db.execute(sql, parameters).fetchall()


def execute(store: Store, sql: str, parameters: Sequence[Any] = ()) -> None:
    """Run one statement."""
    store._db.execute(sql, parameters)


def insert(store: Store, sql: str, parameters: Sequence[Any] = ()) -> int:
    """Run an INSERT; the new row's id."""
    return store._insert(sql, tuple(parameters))


def transaction(store: Store) -> AbstractContextManager[None]:
    """All statements in the block land, or none."""
    return store._transaction()
