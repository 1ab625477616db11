"""The workspace database: one SQLCipher connection owned by one thread, and nothing else.

Every read and write is queued to that thread (`Database.call` / `Database.submit`). Callers on
the UI thread must not call `call`; they go through a background operation.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlcipher3

from desktop.store.connection import map_sqlite_error, open_encrypted
from desktop.store.migrate import Migration, migrate
from desktop.tasks.executors import SingleThreadOwner

T = TypeVar("T")
log = logging.getLogger("comptoir.store")


class Database:
    """An open, migrated, encrypted workspace database."""

    def __init__(self, path: Path, key: bytes, *, create: bool = False, cache_mib: int = 64,
                 migrations: list[Migration] | None = None) -> None:
        self.path = path
        self.applied: list[int] = []

        def _open() -> sqlcipher3.Connection:
            conn = open_encrypted(path, key, create=create, cache_mib=cache_mib)
            try:
                self.applied = migrate(conn, path, migrations)
            except BaseException as exc:
                conn.close()
                mapped = map_sqlite_error(exc)
                if mapped is exc:
                    raise
                raise mapped from None
            return conn

        def _close(conn: sqlcipher3.Connection) -> None:
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlcipher3.Error as exc:  # closing must not fail because a checkpoint could not run
                log.warning("checkpoint on close failed: %s", exc)
            conn.close()

        self._owner: SingleThreadOwner[sqlcipher3.Connection] = SingleThreadOwner("comptoir-db", _open, _close)

    def call(self, fn: Callable[[sqlcipher3.Connection], T]) -> T:
        """Run `fn(conn)` on the DB thread and return its result. Runs on: the caller's thread waits."""
        try:
            return self._owner.call(fn)
        except sqlcipher3.Error as exc:
            mapped = map_sqlite_error(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    def submit(self, fn: Callable[[sqlcipher3.Connection], T]) -> concurrent.futures.Future[T]:
        return self._owner.submit(fn)

    def write(self, fn: Callable[[sqlcipher3.Connection], T]) -> T:
        """Run `fn(conn)` inside one IMMEDIATE transaction on the DB thread."""

        def _tx(conn: sqlcipher3.Connection) -> T:
            with transaction(conn):
                return fn(conn)

        return self.call(_tx)

    def close(self) -> None:
        self._owner.close()

    @property
    def closed(self) -> bool:
        return self._owner.closed


@contextmanager
def transaction(conn: sqlcipher3.Connection) -> Iterator[sqlcipher3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception (nested use joins the outer one)."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
