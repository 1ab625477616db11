"""The workspace database: one SQLCipher connection owned by one thread, and nothing else.

Every read and write is queued to that thread (`Database.call` / `Database.submit`). Callers on
the UI thread must not call `call`; they go through a background operation.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlcipher3

from desktop.core.errors import UserFacingError
from desktop.store.connection import map_sqlite_error, open_encrypted
from desktop.store.migrate import Migration, migrate
from desktop.tasks.executors import SingleThreadOwner

T = TypeVar("T")
log = logging.getLogger("comptoir.store")


REKEY_SUFFIX = ".rekey"  # the re-encrypted copy while a re-key runs (erased by "erase all" like the rest)


def rekey_path(path: Path) -> Path:
    return path.with_name(path.name + REKEY_SUFFIX)


def remove_rekey_leftovers(path: Path) -> bool:
    """Delete what an interrupted re-key left beside the database (never the database); True if any."""
    found = False
    for leftover in (rekey_path(path), rekey_path(path).with_name(rekey_path(path).name + "-journal")):
        if leftover.exists():
            leftover.unlink()
            found = True
    return found


def _raw_key_spec(key: bytes) -> str:
    """The SQLCipher raw-key form, bound as a parameter (never part of SQL text)."""
    if len(key) != 32:
        raise ValueError("the database key must be exactly 32 bytes")
    return f"x'{key.hex()}'"


def _fsync(path: Path, *, directory: bool = False) -> None:
    if directory and os.name != "posix":
        return  # Windows cannot open a folder for fsync; NTFS journals the rename itself
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Open:
    """What the DB thread owns: the connection (None while a re-key swaps files) and its key."""

    def __init__(self, conn: sqlcipher3.Connection | None, key: bytes) -> None:
        self.conn = conn
        self.key = key

    def __repr__(self) -> str:  # never show the key, even in a traceback's locals
        return "_Open(…)"

    def live(self) -> sqlcipher3.Connection:
        if self.conn is None:
            raise UserFacingError("The workspace database could not be reopened after changing its key.",
                                  "Close Comptoir and open it again; nothing was lost.")
        return self.conn


def _close_conn(state: _Open) -> None:
    conn, state.conn = state.conn, None
    if conn is None:
        return
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlcipher3.Error as exc:  # closing must not fail because a checkpoint could not run
        log.warning("checkpoint on close failed: %s", exc)
    conn.close()


class Database:
    """An open, migrated, encrypted workspace database."""

    def __init__(self, path: Path, key: bytes, *, create: bool = False, cache_mib: int = 64,
                 migrations: list[Migration] | None = None) -> None:
        self.path = path
        self.cache_mib = cache_mib
        self.applied: list[int] = []

        def _open() -> _Open:
            conn = open_encrypted(path, key, create=create, cache_mib=cache_mib)
            try:
                self.applied = migrate(conn, path, migrations)
            except BaseException as exc:
                conn.close()
                mapped = map_sqlite_error(exc)
                if mapped is exc:
                    raise
                raise mapped from None
            return _Open(conn, key)

        self._owner: SingleThreadOwner[_Open] = SingleThreadOwner("comptoir-db", _open, _close_conn)

    def _run(self, fn: Callable[[_Open], T]) -> T:
        try:
            return self._owner.call(fn)
        except sqlcipher3.Error as exc:
            mapped = map_sqlite_error(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    def call(self, fn: Callable[[sqlcipher3.Connection], T]) -> T:
        """Run `fn(conn)` on the DB thread and return its result. Runs on: the caller's thread waits."""
        return self._run(lambda state: fn(state.live()))

    def submit(self, fn: Callable[[sqlcipher3.Connection], T]) -> concurrent.futures.Future[T]:
        return self._owner.submit(lambda state: fn(state.live()))

    def write(self, fn: Callable[[sqlcipher3.Connection], T]) -> T:
        """Run `fn(conn)` inside one IMMEDIATE transaction on the DB thread."""

        def _tx(conn: sqlcipher3.Connection) -> T:
            with transaction(conn):
                return fn(conn)

        return self.call(_tx)

    def rekey(self, new_key: bytes, *, stage: Callable[[], None], promote: Callable[[], None],
              on_step: Callable[[str], None] | None = None) -> None:
        """Re-encrypt the whole database under `new_key` into a fresh, compact file, crash-safely.

        Runs on the DB thread (the caller waits; other queued work waits too). Steps, each announced to
        `on_step`: the WAL is checkpointed and truncated; `sqlcipher_export()` copies the live rows into
        `<db>.rekey` under the new key — a vacuumed copy, so no free page and no old WAL frame comes
        along — and fsyncs it ("exported"); `stage()` stores the new key durably beside the current one
        ("staged"); the connection closes and the copy atomically replaces the database ("swapped");
        `promote()` makes the new key the current one ("promoted"); the database reopens with it.

        A crash before the swap leaves the old file and key in use (the next unlock discards the staged
        key); after it, the staged key opens the file and the next unlock promotes it. A failure before
        the swap removes the copy and keeps the database open under its old key.
        (PRAGMA rekey is not used: it rewrites pages in place, so a crash in the middle leaves a file
        that is half old key, half new.)
        """
        step = on_step or (lambda _name: None)
        path = self.path
        copy = rekey_path(path)

        def _export(state: _Open) -> None:
            conn = state.live()
            if conn.in_transaction:
                raise RuntimeError("re-key inside a transaction")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            remove_rekey_leftovers(path)
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute("ATTACH DATABASE ? AS comptoir_rekey KEY ?", (str(copy), _raw_key_spec(new_key)))
            try:
                # The copy is thrown away if anything fails, so it needs no journal; one fsync at the end.
                conn.execute("PRAGMA comptoir_rekey.journal_mode = OFF")
                conn.execute("PRAGMA comptoir_rekey.synchronous = OFF")
                # The app's page cache for the copy too: fewer spills in the middle of b-tree builds (~7 % faster).
                conn.execute(f"PRAGMA comptoir_rekey.cache_size = {-1024 * int(self.cache_mib)}")
                conn.execute("SELECT sqlcipher_export('comptoir_rekey')")
                # sqlcipher_export does not copy user_version (sqlcipher/sqlcipher#313).
                conn.execute(f"PRAGMA comptoir_rekey.user_version = {version}")
            finally:
                conn.execute("DETACH DATABASE comptoir_rekey")
            _fsync(copy)

        def _swap(state: _Open) -> None:
            try:
                _export(state)
                step("exported")
                stage()
                step("staged")
                _close_conn(state)
                for suffix in ("-wal", "-shm"):  # gone after the last close; a stale one must not meet the copy
                    path.with_name(path.name + suffix).unlink(missing_ok=True)
                os.replace(copy, path)
            except BaseException:
                copy.unlink(missing_ok=True)
                if state.conn is None:
                    state.conn = open_encrypted(path, state.key, cache_mib=self.cache_mib)
                raise
            _fsync(path.parent, directory=True)
            state.key = new_key
            try:
                step("swapped")
                promote()
                step("promoted")
            finally:
                state.conn = open_encrypted(path, new_key, cache_mib=self.cache_mib)

        self._run(_swap)

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
