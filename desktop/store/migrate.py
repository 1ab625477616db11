"""Schema versioning: `PRAGMA user_version`, numbered migration files, a backup before migrating.

A database newer than this app is refused rather than half-understood. Before any migration of an
existing database, the file is checkpointed and copied (the copy is the same ciphertext, so it is
encrypted with the same key) into the workspace's `backups/` folder.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import sqlcipher3

from desktop.core.errors import DatabaseTooNew

log = logging.getLogger("comptoir.store")

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(folder: Path | None = None) -> list[Migration]:
    """Load migrations from `folder` (default: the ones shipped in the package), checked contiguous."""
    found: list[Migration] = []
    if folder is None:
        base = resources.files("desktop.store") / "migrations"
        entries = [(e.name, e.read_text(encoding="utf-8")) for e in base.iterdir() if e.name.endswith(".sql")]
    else:
        entries = [(p.name, p.read_text(encoding="utf-8")) for p in folder.iterdir() if p.suffix == ".sql"]
    for name, sql in entries:
        m = _NAME.match(name)
        if not m:
            raise ValueError(f"migration file {name!r} is not named NNNN_name.sql")
        found.append(Migration(int(m.group(1)), m.group(2), sql))
    found.sort(key=lambda m: m.version)
    for expected, mig in enumerate(found, start=1):
        if mig.version != expected:
            raise ValueError(f"migrations are not contiguous: expected {expected:04d}, found {mig.version:04d}")
    return found


def latest_version(migrations: list[Migration] | None = None) -> int:
    migrations = load_migrations() if migrations is None else migrations
    return migrations[-1].version if migrations else 0


def current_version(conn: sqlcipher3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def backup_file(conn: sqlcipher3.Connection, db_path: Path, version: int) -> Path:
    """Checkpoint the WAL into the main file and copy it, ciphertext as is, into `backups/`."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    folder = db_path.parent / "backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"{db_path.stem}-schema{version}-{stamp}.db"
    tmp = target.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, db_path.open("rb") as src:
        shutil.copyfileobj(src, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(target)
    return target


def migrate(conn: sqlcipher3.Connection, db_path: Path, migrations: list[Migration] | None = None) -> list[int]:
    """Bring the database to the latest schema; return the versions applied.

    Raises DatabaseTooNew when the file was written by a newer Comptoir.
    """
    migrations = load_migrations() if migrations is None else migrations
    target = latest_version(migrations)
    version = current_version(conn)
    if version > target:
        raise DatabaseTooNew(
            f"This workspace was saved by a newer version of Comptoir (schema {version}; this one knows {target}).",
            "Install the latest Comptoir to open it. Nothing was changed.",
        )
    pending = [m for m in migrations if m.version > version]
    if not pending:
        return []
    if version > 0:
        path = backup_file(conn, db_path, version)
        log.info("backed up schema %d before migrating to %s", version, path.name)
    applied = []
    for mig in pending:
        # One transaction per migration: either the whole step and its version number land, or neither.
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{mig.sql}\n;PRAGMA user_version = {mig.version};\nCOMMIT;")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(mig.version)
        log.info("applied migration %04d_%s", mig.version, mig.name)
    return applied
