"""Opening a SQLCipher database safely.

The raw 32-byte key is set before anything else touches the file (SQLCipher 4.7 refuses even
`SELECT 1` before the key), then the key is proven by reading the schema, and only then are the
pragmas that may write (WAL) applied. A wrong key therefore never changes a byte of the file, and
a missing file is never created unless the caller asks for a new database (Signal-Desktop #5097).
"""

from __future__ import annotations

import errno
import logging
import re
from pathlib import Path

import sqlcipher3

from desktop.core.errors import (
    DatabaseCorrupt,
    DatabaseLocked,
    DiskFull,
    EncryptionUnavailable,
    UserFacingError,
    WorkspaceMissing,
    WrongKey,
)

log = logging.getLogger("comptoir.store")

KEY_BYTES = 32
_HEX_KEY = re.compile(r"^[0-9a-f]{64}$")
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"

Connection = sqlcipher3.Connection
DatabaseError = sqlcipher3.DatabaseError


def key_pragma(key: bytes) -> str:
    """The `PRAGMA key` statement for a raw key (never logged)."""
    if len(key) != KEY_BYTES:
        raise ValueError("the database key must be exactly 32 bytes")
    hex_key = key.hex()
    if not _HEX_KEY.match(hex_key):  # belt and braces, like Signal's INVALID_KEY check
        raise ValueError("invalid key")
    return f"PRAGMA key = \"x'{hex_key}'\""


def map_sqlite_error(exc: BaseException) -> BaseException:
    """Translate a SQLite error into the error a merchant can act on (or return it unchanged)."""
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return DiskFull("The disk is full, so Comptoir could not save.",
                        "Free some space on the disk that holds your workspace, then try again.")
    if not isinstance(exc, sqlcipher3.Error):
        return exc
    if "database or disk is full" in text or "disk is full" in text:
        return DiskFull("The disk is full, so Comptoir could not save.",
                        "Free some space on the disk that holds your workspace, then try again.")
    if "database is locked" in text or "database is busy" in text:
        return DatabaseLocked("Another program is using the workspace database.",
                              "Close other Comptoir windows or commands using this folder and try again.")
    if "file is not a database" in text or "file is encrypted" in text:
        return WrongKey("This key does not open the workspace database.",
                        "Nothing was changed. Unlock with the right passphrase or your recovery key.")
    if "malformed" in text or "corrupt" in text:
        return DatabaseCorrupt("The workspace database is damaged.",
                               "Nothing was overwritten. Restore the latest backup from the backups folder.")
    if "unable to open" in text:
        return UserFacingError("Comptoir cannot open the workspace database file.",
                               "Check that the folder exists and that you may read and write it.")
    return exc  # type: ignore[no-any-return]


def _fail(conn: sqlcipher3.Connection, exc: BaseException) -> BaseException:
    conn.close()
    return map_sqlite_error(exc)


def open_encrypted(path: Path, key: bytes, *, create: bool = False, cache_mib: int = 64) -> sqlcipher3.Connection:
    """Open (or with `create=True`, create) the encrypted database at `path` with a raw key.

    Raises WrongKey, DatabaseCorrupt, WorkspaceMissing or EncryptionUnavailable; the file is left
    untouched in each case.
    """
    exists = path.exists()
    if not exists and not create:
        raise WorkspaceMissing("The workspace database is missing.",
                               f"Expected it at {path}. Restore it from a backup or create a new workspace.")
    if exists and create:
        raise UserFacingError("A database already exists here; Comptoir never overwrites one.", str(path))
    if exists and path.stat().st_size == 0:
        raise DatabaseCorrupt("The workspace database file is empty.",
                              "Nothing was changed. Restore the latest backup from the backups folder.")

    # isolation_level=None: we manage transactions explicitly (BEGIN IMMEDIATE ... COMMIT).
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=True)
    try:
        conn.execute(key_pragma(key))
        row = conn.execute("PRAGMA cipher_version").fetchone()
        if not row or not row[0]:
            raise EncryptionUnavailable(
                "This copy of Comptoir was built without encryption support.",
                "Reinstall Comptoir; it refuses to store anything unencrypted.",
            )
        # Prove the key before any write: a wrong key fails here, read-only.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.Error as exc:
        raise _fail(conn, exc) from None
    except BaseException:
        conn.close()
        raise
    try:
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = {-1024 * int(cache_mib)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("journal mode is %s, not wal", mode)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA busy_timeout = 5000")
    except sqlcipher3.Error as exc:
        raise _fail(conn, exc) from None
    return conn


def file_looks_encrypted(path: Path) -> bool:
    """True when the first 16 bytes are not the plain SQLite header."""
    with path.open("rb") as fh:
        return fh.read(16) != PLAIN_SQLITE_HEADER
