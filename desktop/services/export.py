"""Privacy center, portability side: export the workspace or one customer, import an export, the egress ledger.

An export is one ZIP written where the merchant chooses (format: docs/export-format.md): `manifest.json`,
`data/<table>.json` for every table, the mail as mboxrd per folder with the original RFC 822 bytes, the
assistant chats as JSON and Markdown, and the egress ledger as CSV. With a passphrase the same ZIP is
encrypted as one `.comptoir-export` file (Argon2id + AES-256-GCM in 1 MiB chunks, so memory stays flat).

Nothing is staged anywhere else: rows are read on the DB thread inside one read transaction (a consistent
snapshot) and handed through a bounded queue to the calling thread, which compresses, hashes, encrypts
and writes them into `<dest>.partial` beside the destination; that file is fsynced and renamed at the end,
and removed on cancel or error. While an export runs, other database work waits for it.

Every function here blocks (database, disk, Argon2id): run it from a background job, never the UI thread.
"""

from __future__ import annotations

import base64
import concurrent.futures
import csv
import errno
import hashlib
import hmac
import io
import json
import logging
import math
import os
import queue
import re
import secrets
import struct
import threading
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Protocol

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from desktop import APP_NAME, __version__
from desktop.core.errors import (
    DatabaseTooNew,
    DiskFull,
    UserFacingError,
    WorkspaceExists,
    WrongPassphrase,
)
from desktop.core.models import KeyMode, KeyringStatus, WorkspaceInfo
from desktop.paths import BOOTSTRAP_NAME, DB_NAME, WRAP_NAME
from desktop.secrets.passphrase import KdfParams, check_passphrase
from desktop.services.workspace import Workspace, WorkspaceService, save_ui_language
from desktop.store import repositories as repo
from desktop.store.connection import map_sqlite_error
from desktop.store.database import Database
from desktop.store.migrate import latest_version
from desktop.tasks.cancel import Job

log = logging.getLogger("comptoir.export")

Conn = Any  # sqlcipher3.Connection (untyped library)

FORMAT_NAME = "comptoir-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ENCRYPTED_SUFFIX = ".comptoir-export"
ENCRYPTED_MAGIC = b"COMPTOIR-EXPORT\n"  # 16 bytes
ENCRYPTED_VERSION = 1
CHUNK_SIZE = 1 << 20
_TAG = 16
_NONCE_PREFIX = 7
_MAX_HEADER = 64 * 1024
_MAX_MANIFEST = 64 << 20
COMPRESS_LEVEL = 6  # what `zip` uses by default
REDACTED = "[redacted]"

# Columns that hold credentials: nulled in an export unless the merchant asks for them.
SECRET_NAME = re.compile(r"secret|api_?key|password|passwd|token|private_?key", re.IGNORECASE)

_BATCH_ROWS = 500
_BATCH_BYTES = 4 << 20
_FLUSH_BYTES = 1 << 20


class _HasDb(Protocol):
    @property
    def db(self) -> Database: ...


# --- reports -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote. `plaintext` is True for a plain ZIP: the merchant must be told."""

    path: Path
    size: int
    counts: dict[str, int]
    mbox_messages: int
    files: int
    plaintext: bool
    secrets_included: bool
    seconds: float
    withheld_messages: int = 0   # customer export: left out of the mbox because they name another customer
    redactions: int = 0          # customer export: identifiers of other customers replaced by "[redacted]"
    unreadable_sources: int = 0  # messages whose stored source could not be decompressed (kept in JSON)


@dataclass(frozen=True)
class ImportReport:
    """The workspace an import created, with its one-time recovery key (show it once, then forget it)."""

    workspace: WorkspaceInfo
    recovery_key: str
    counts: dict[str, int]
    schema_version: int
    app_version: str
    secrets_included: bool
    encrypted: bool
    seconds: float


@dataclass(frozen=True)
class LedgerEntry:
    """One outbound call recorded in the egress ledger."""

    id: int
    at: str
    destination: str
    kind: str
    purpose: str
    model: str | None
    data_categories: str
    bytes_out: int
    bytes_in: int
    pseudonymised: bool
    customer_id: int | None
    thread_id: int | None
    status: str


class LedgerTotal(NamedTuple):
    destination: str
    calls: int
    bytes_out: int
    bytes_in: int


# --- values in JSON ----------------------------------------------------------------------------------


def _to_json(value: Any) -> Any:
    """SQLite value → JSON value: BLOBs and non-finite REALs become tagged objects (docs/export-format.md)."""
    if isinstance(value, bytes):
        return {"$base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, float) and not math.isfinite(value):
        return {"$real": repr(value)}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$base64"}:
            return base64.b64decode(value["$base64"], validate=True)
        if set(value) == {"$real"}:
            return float(value["$real"])
        raise ValueError("unknown tagged value")
    if isinstance(value, list):
        raise ValueError("a list is not a SQLite value")
    return value


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- the schema, discovered ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    name: str
    type: str
    notnull: bool
    pk: int

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "notnull": self.notnull, "primary_key": self.pk}


@dataclass(frozen=True)
class _Table:
    name: str
    columns: tuple[_Column, ...]
    rowid: bool
    parents: tuple[str, ...]

    @property
    def order_by(self) -> str:
        if self.rowid:
            return "rowid"
        keys = sorted((c for c in self.columns if c.pk), key=lambda c: c.pk)
        return ", ".join(_q(c.name) for c in keys) or "1"

    @property
    def select(self) -> str:
        return ", ".join(_q(c.name) for c in self.columns)


def _discover(conn: Conn) -> list[_Table]:
    """Every ordinary table of the main schema, parents before children (FTS shadow and sqlite_ tables left out)."""
    listed = conn.execute("PRAGMA main.table_list").fetchall()
    names = [str(r[1]) for r in listed if r[2] == "table" and not str(r[1]).startswith("sqlite_")]
    created = {str(r[0]): i for i, r in enumerate(conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY rowid"))}
    names.sort(key=lambda n: created.get(n, len(created)))
    tables: dict[str, _Table] = {}
    for name in names:
        cols = tuple(_Column(str(r[1]), str(r[2] or ""), bool(r[3]), int(r[5]))
                     for r in conn.execute(f"PRAGMA main.table_xinfo({_q(name)})") if int(r[6]) == 0)
        parents = tuple(dict.fromkeys(str(r[2]) for r in conn.execute(f"PRAGMA main.foreign_key_list({_q(name)})")
                                      if str(r[2]) != name))
        sql = conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", (name,)).fetchone()
        rowid = not re.search(r"\bWITHOUT\s+ROWID\b", str(sql[0] if sql else ""), re.IGNORECASE)
        tables[name] = _Table(name, cols, rowid, parents)
    ordered: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in ordered or name not in tables or name in path:
            return  # a cycle is fine: the import defers foreign-key checks to the commit
        for parent in tables[name].parents:
            visit(parent, (*path, name))
        ordered.append(name)

    for name in tables:
        visit(name, ())
    return [tables[n] for n in ordered]


def _secret_columns(table: _Table) -> set[str]:
    return {c.name for c in table.columns if SECRET_NAME.search(c.name)}


def _fts_tables(conn: Conn) -> list[str]:
    rows = conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'")
    return [str(n) for n, sql in rows if re.search(r"USING\s+fts[345]", str(sql or ""), re.IGNORECASE)]


# --- reading on the DB thread -------------------------------------------------------------------------


class _Stopped(Exception):
    pass


@dataclass
class _Failure:
    exc: BaseException


_DONE = object()


class _RowPipe:
    """Run a generator of items on the DB thread, inside one read transaction, and hand its items over.

    The queue is bounded, so a slow disk slows the reader instead of filling memory; `close()` stops the
    reader wherever it is and ends its transaction.
    """

    def __init__(self, db: Database, produce: Callable[[Conn], Iterator[Any]], *, depth: int = 6) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(depth)
        self._stop = threading.Event()
        self._future = db.submit(self._runner(produce))

    def _runner(self, produce: Callable[[Conn], Iterator[Any]]) -> Callable[[Conn], None]:
        def run(conn: Conn) -> None:
            began = False
            items: Iterator[Any] | None = None
            try:
                if not conn.in_transaction:
                    conn.execute("BEGIN")  # deferred: a read snapshot from the first SELECT on
                    began = True
                items = produce(conn)
                for item in items:
                    self._put(item)
                self._put(_DONE)
            except _Stopped:
                pass
            except BaseException as exc:
                with suppress(_Stopped):
                    self._put(_Failure(exc))
            finally:
                if items is not None and hasattr(items, "close"):
                    items.close()
                if began and conn.in_transaction:
                    conn.execute("ROLLBACK")  # read-only: nothing to keep

        return run

    def _put(self, item: Any) -> None:
        while True:
            if self._stop.is_set():
                raise _Stopped()
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def __iter__(self) -> Iterator[Any]:
        while True:
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                if self._future.done() and self._queue.empty():
                    exc = self._future.exception()
                    raise (exc if exc is not None else RuntimeError("the export reader stopped early")) from None
                continue
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                mapped = map_sqlite_error(item.exc)
                raise mapped from item.exc
            yield item

    def close(self) -> None:
        self._stop.set()
        while True:
            try:
                self._future.result(timeout=0.05)
                return
            except concurrent.futures.TimeoutError:
                with suppress(queue.Empty):
                    while True:
                        self._queue.get_nowait()
            except BaseException:
                return


def _row_bytes(row: tuple[Any, ...]) -> int:
    return sum(len(v) for v in row if isinstance(v, bytes | str)) + 16 * len(row)


def _batches(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    batch: list[tuple[Any, ...]] = []
    size = 0
    for row in rows:
        batch.append(row)
        size += _row_bytes(row)
        if len(batch) >= _BATCH_ROWS or size >= _BATCH_BYTES:
            yield "rows", batch
            batch, size = [], 0
    if batch:
        yield "rows", batch


def _by_ids(conn: Conn, sql: str, ids: list[int]) -> Iterator[tuple[Any, ...]]:
    """Rows of `sql` (which ends with `WHERE id IN ({marks})` and returns id first), in the order of `ids`.

    Fetching by id keeps SQLite from sorting whole rows (raw sources) in memory.
    """
    for start in range(0, len(ids), 200):
        chunk = ids[start:start + 200]
        found = {r[0]: r for r in conn.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)}
        for i in chunk:
            if i in found:
                yield found[i]


# --- writing the archive --------------------------------------------------------------------------------


class _Entry:
    """One file being written into the ZIP, hashed on the way (SHA-256 and size for the manifest)."""

    def __init__(self, archive: _ZipOut, name: str) -> None:
        self.archive = archive
        self.name = name
        self._raw = archive.zip.open(name, "w", force_zip64=True)
        archive.current = self
        self._sha = hashlib.sha256()
        self._buf: list[bytes] = []
        self._pending = 0
        self.size = 0

    def write(self, data: bytes) -> None:
        self._buf.append(data)
        self._pending += len(data)
        if self._pending >= _FLUSH_BYTES:
            self._flush()

    def text(self, data: str) -> None:
        self.write(data.encode("utf-8"))

    def _flush(self) -> None:
        if not self._buf:
            return
        data = b"".join(self._buf)
        self._buf, self._pending = [], 0
        self._sha.update(data)
        self.size += len(data)
        self._raw.write(data)

    def close(self) -> None:
        self._flush()
        self._raw.close()
        self.archive.current = None
        self.archive.files[self.name] = {"sha256": self._sha.hexdigest(), "size": self.size}

    def abandon(self) -> None:
        with suppress(Exception):
            self._raw.close()


class _ZipOut:
    def __init__(self, sink: BinaryIO, *, level: int, encrypted: bool) -> None:
        self.zip = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level,
                                   allowZip64=True)
        self.files: dict[str, dict[str, Any]] = {}
        self.encrypted = encrypted
        self.current: _Entry | None = None

    def abandon(self) -> None:
        """After a cancel or an error: close the handles while the file is still open (it is deleted next)."""
        if self.current is not None:
            self.current.abandon()
            self.current = None
        with suppress(Exception):
            self.zip.close()

    def entry(self, name: str) -> _Entry:
        if name in self.files:
            raise RuntimeError(f"{name} written twice")
        return _Entry(self, name)

    def put(self, name: str, data: bytes) -> None:
        e = self.entry(name)
        e.write(data)
        e.close()

    def finish(self, manifest: dict[str, Any]) -> None:
        manifest["files"] = dict(sorted(self.files.items()))
        with self.zip.open(MANIFEST, "w") as fh:
            fh.write(json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8") + b"\n")
        self.zip.close()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Progress:
    def __init__(self, job: Job, total: int) -> None:
        self.job = job
        self.total = max(total, 1)
        self.done = 0

    def add(self, n: int, label: str) -> None:
        self.done = min(self.done + n, self.total)
        self.job.progress(self.done, self.total, label)


class _TableWriter:
    """`data/<table>.json`: a header line, one row object per line, and the count (docs/export-format.md)."""

    def __init__(self, out: _ZipOut, table: str, columns: list[_Column], note: dict[str, Any] | None = None) -> None:
        self.entry = out.entry(f"data/{table}.json")
        self.names = [c.name for c in columns]
        head: dict[str, Any] = {"table": table, "format_version": FORMAT_VERSION,
                                "columns": [c.as_json() for c in columns]}
        head.update(note or {})
        text = json.dumps(head, ensure_ascii=False)
        self.entry.text(text[:-1] + ', "rows": [')
        self.count = 0

    def row(self, values: Iterable[Any]) -> None:
        obj = dict(zip(self.names, (_to_json(v) for v in values), strict=True))
        self.entry.text(("\n" if self.count == 0 else ",\n") + json.dumps(obj, ensure_ascii=False, allow_nan=False))
        self.count += 1

    def close(self) -> int:
        self.entry.text(f'\n], "count": {self.count}}}\n')
        self.entry.close()
        return self.count


def _expect(items: Iterator[Any], kind: str) -> tuple[Any, ...]:
    item: tuple[Any, ...] = next(items)
    if item[0] != kind:
        raise RuntimeError(f"export stream out of step: expected {kind}, got {item[0]}")
    return item


def _until_end(items: Iterator[Any]) -> Iterator[list[tuple[Any, ...]]]:
    for item in items:
        if item[0] == "end":
            return
        if item[0] != "rows":
            raise RuntimeError(f"export stream out of step: {item[0]} inside a section")
        yield item[1]


# --- mbox -------------------------------------------------------------------------------------------------

_FROM_LINE = re.compile(rb"^(>*From )", re.MULTILINE)
_UNESCAPE = re.compile(rb"^>(>*From )", re.MULTILINE)
_SENDER = re.compile(r"^[^\s]+$")


def mboxrd_escape(source: bytes) -> bytes:
    """mboxrd: every line starting with zero or more '>' then 'From ' gets one more '>'."""
    return _FROM_LINE.sub(rb">\1", source)


def mboxrd_unescape(data: bytes) -> bytes:
    """The inverse of `mboxrd_escape`: what a message read from one of our mbox files was originally."""
    return _UNESCAPE.sub(rb"\1", data)


def _mbox_record(source: bytes, sender: str | None, when: str | None) -> bytes:
    moment = _parse_time(when) or datetime(1970, 1, 1, tzinfo=UTC)
    who = sender if sender and _SENDER.match(sender) and sender.isascii() else "MAILER-DAEMON"
    body = mboxrd_escape(source)
    if not body.endswith(b"\n"):
        body += b"\n"  # mbox cannot hold a last line without its line break (docs/export-format.md)
    return b"From " + who.encode("ascii") + b" " + time.asctime(moment.timetuple()).encode("ascii") + b"\n" + \
        body + b"\n"


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _safe_name(text: str, fallback: str) -> str:
    name = re.sub(r"[^\w.@+-]+", "_", text, flags=re.UNICODE).strip("._")
    return name[:80] or fallback


class _MboxPaths:
    """`mail/<account>/<folder>.mbox`, unique even when two folder names clean up to the same text."""

    def __init__(self, accounts: dict[int, str], folders: dict[int, str]) -> None:
        self.accounts = accounts
        self.folders = folders
        self.used: set[str] = set()

    def name(self, account_id: int | None, folder_id: int | None) -> str:
        acct = _safe_name(self.accounts.get(account_id, ""), f"account-{account_id}") if account_id is not None \
            else "local"
        fold = _safe_name(self.folders.get(folder_id, ""), f"folder-{folder_id}") if folder_id is not None \
            else "messages"
        path = f"mail/{acct}/{fold}.mbox"
        if path in self.used:
            path = f"mail/{acct}/{fold}-{folder_id if folder_id is not None else 'x'}.mbox"
        self.used.add(path)
        return path


def _mbox_plan(conn: Conn, where: str = "", params: tuple[Any, ...] = ()) -> tuple[Any, ...]:
    accounts = {int(i): str(e or n or "") for i, e, n in conn.execute("SELECT id, email, name FROM accounts")}
    folders = {int(i): str(n) for i, n in conn.execute("SELECT id, name FROM folders")}
    ids = conn.execute(
        "SELECT id, account_id, folder_id FROM messages WHERE raw IS NOT NULL" + (f" AND ({where})" if where else "")
        + " ORDER BY account_id IS NULL, account_id, folder_id IS NULL, folder_id, id", params).fetchall()
    return accounts, folders, ids


_MBOX_SQL = ("SELECT id, account_id, folder_id, raw, from_addr, COALESCE(internal_date, date) FROM messages "
             "WHERE id IN ({marks})")


class _MboxWriter:
    def __init__(self, out: _ZipOut, paths: _MboxPaths) -> None:
        self.out = out
        self.paths = paths
        self.key: tuple[Any, Any] | None = None
        self.entry: _Entry | None = None
        self.count = 0
        self.unreadable = 0

    def add(self, row: tuple[Any, ...]) -> None:
        _mid, account_id, folder_id, raw, sender, when = row
        try:
            source = zlib.decompress(raw)
        except zlib.error:
            self.unreadable += 1  # still in data/messages.json as stored; nothing is lost
            return
        key = (account_id, folder_id)
        if key != self.key or self.entry is None:
            self.close()
            self.entry = self.out.entry(self.paths.name(account_id, folder_id))
            self.key = key
        self.entry.write(_mbox_record(source, sender, when))
        self.count += 1

    def close(self) -> None:
        if self.entry is not None:
            self.entry.close()
            self.entry = None


# --- chats and ledger --------------------------------------------------------------------------------------

_ROLES = {"user": "Merchant", "assistant": "Assistant", "tool": "Tool", "system": "System"}


def _chat_files(out: _ZipOut, chat: dict[str, Any], messages: list[dict[str, Any]]) -> None:
    cid = chat["id"]
    doc = {"chat": {k: _to_json(v) for k, v in chat.items()},
           "messages": [{k: _to_json(v) for k, v in m.items()} for m in messages]}
    out.put(f"chats/{cid}.json", json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8") + b"\n")
    lines = [f"# {chat.get('title') or f'Chat {cid}'}", "",
             f"Chat {cid} · started {chat.get('created_at', '')} · last change {chat.get('updated_at', '')}", ""]
    for m in messages:
        lines += [f"**{_ROLES.get(str(m.get('role')), str(m.get('role')))}** · {m.get('created_at', '')}", "",
                  str(m.get("content") or ""), ""]
        if m.get("tool_calls"):
            lines += ["```json", str(m["tool_calls"]), "```", ""]
    out.put(f"chats/{cid}.md", "\n".join(lines).encode("utf-8"))


LEDGER_COLUMNS = ("at", "destination", "kind", "purpose", "model", "data_categories", "bytes_out", "bytes_in",
                  "pseudonymised", "customer_id", "thread_id", "status", "id")


def _csv_cell(value: Any) -> Any:
    # A cell starting with = + - @ is a formula to spreadsheet programs: neutralise it (OWASP CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, bool):
        return int(value)
    return "" if value is None else value


def _ledger_lines(rows: Iterable[dict[str, Any]], *, header: bool) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if header:
        writer.writerow(LEDGER_COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in LEDGER_COLUMNS])
    return buf.getvalue()


def ledger_csv(entries: Iterable[LedgerEntry]) -> str:
    """The entries as CSV (RFC 4180, header line, UTC times), as the Privacy page exports them."""
    return _ledger_lines((e.__dict__ for e in entries), header=True)


# --- README -----------------------------------------------------------------------------------------------

_README_ALL = """\
Comptoir export of a whole workspace
=====================================

Made by {app} {version} on {when} (UTC). Format: docs/export-format.md in Comptoir's sources.

{plain}

manifest.json        versions, row counts per table, SHA-256 and size of every other file
data/<table>.json    every row of every table of the workspace (one JSON object per line)
mail/<account>/<folder>.mbox
                     the mail, one mbox (mboxrd) per folder, with each message's original source
                     (attachments included); opens in Thunderbird (ImportExportTools NG), mutt, Python
chats/<id>.json/.md  the assistant chats, as data and as readable Markdown
ledger.csv           the egress ledger: every call that sent data off this computer, to whom, why, how much

Passwords and tokens (mailboxes, shops, AI providers) are {secrets}.
"""

_README_CUSTOMER = """\
Personal data held about one customer
=====================================

Made by {app} {version} on {when} (UTC) at the shop's request, for the customer whose address is
{email} (GDPR articles 15 and 20). Format: docs/export-format.md in Comptoir's sources.

{plain}

data/customers.json, data/customer_addresses.json
                     identity and contact details, and the customer's choices (no AI processing, no marketing)
data/threads.json, data/messages.json, data/attachments.json, data/drafts.json, data/pseudonyms.json
                     the conversations with the shop, replies being written, and the placeholders used when
                     text was sent to an AI provider without names
mail/<account>/<folder>.mbox
                     the messages themselves, with their original source and attachments
data/orders.json     orders, as last fetched from the shop's platform
data/chats.json, data/chat_messages.json, chats/
                     the shop's assistant conversations that mention this customer
data/egress_ledger.json, ledger.csv
                     every time data about this customer was sent to a service (mail server, shop platform,
                     AI provider): when, to whom, why and how much
manifest.json        row counts, SHA-256 and size of every file

To protect other people (GDPR article 15(4)), identifiers of other customers are replaced by
"[redacted]"{withheld}.
"""


def _plain_note(encrypted: bool) -> str:
    if encrypted:
        return "This archive was delivered encrypted; once decrypted it is plain text: keep it safe."
    return "This archive is NOT encrypted: anyone who can read the file can read its contents. Keep it safe."


# --- exporting the workspace ----------------------------------------------------------------------------------


@dataclass
class _Summary:
    counts: dict[str, int]
    mbox: int
    unreadable: int = 0
    withheld: int = 0
    redactions: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _produce_full(conn: Conn) -> Iterator[tuple[Any, ...]]:
    tables = _discover(conn)
    counts = {t.name: int(conn.execute(f"SELECT count(*) FROM {_q(t.name)}").fetchone()[0]) for t in tables}
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    accounts, folders, ids = _mbox_plan(conn)
    yield "meta", tables, counts, version, len(ids)
    for t in tables:
        yield "table", t.name
        yield from _batches(conn.execute(f"SELECT {t.select} FROM {_q(t.name)} ORDER BY {t.order_by}"))
        yield ("end",)
    yield "mbox", accounts, folders
    yield from _batches(_by_ids(conn, _MBOX_SQL, [int(r[0]) for r in ids]))
    yield ("end",)
    cur = conn.execute("SELECT * FROM chats ORDER BY id")
    yield "chats", [d[0] for d in cur.description], cur.fetchall()
    cur = conn.execute("SELECT * FROM chat_messages ORDER BY chat_id, id")
    yield "chat_messages", [d[0] for d in cur.description]
    yield from _batches(cur)
    yield ("end",)
    cur = conn.execute("SELECT * FROM egress_ledger ORDER BY at, id")
    yield "ledger", [d[0] for d in cur.description]
    yield from _batches(cur)
    yield ("end",)


def _consume_full(items: Iterator[Any], out: _ZipOut, job: Job, include_secrets: bool) -> _Summary:
    _, tables, counts, version, mbox_total = _expect(items, "meta")
    progress = _Progress(job, sum(counts.values()) + mbox_total + counts.get("chat_messages", 0)
                         + counts.get("egress_ledger", 0))
    written: dict[str, int] = {}
    omitted: dict[str, int] = {}
    for table in tables:
        _expect(items, "table")
        secret_cols = set() if include_secrets else _secret_columns(table)
        names = [c.name for c in table.columns]
        blank = [i for i, n in enumerate(names) if n in secret_cols]
        note: dict[str, Any] = {"secret_columns_nulled": sorted(secret_cols)} if secret_cols else {}
        key_col = names.index("key") if table.name == "settings" and "key" in names else None
        writer = _TableWriter(out, table.name, list(table.columns), note)
        for rows in _until_end(items):
            for row in rows:
                if key_col is not None and not include_secrets and SECRET_NAME.search(str(row[key_col])):
                    omitted[table.name] = omitted.get(table.name, 0) + 1  # a credential kept as a setting
                    continue
                if blank:
                    row = tuple(None if i in blank else v for i, v in enumerate(row))
                writer.row(row)
            progress.add(len(rows), f"Exporting {table.name}")
        written[table.name] = writer.close()

    _, accounts, folders = _expect(items, "mbox")
    mbox = _MboxWriter(out, _MboxPaths(accounts, folders))
    for rows in _until_end(items):
        for row in rows:
            mbox.add(row)
        progress.add(len(rows), "Writing the mail")
    mbox.close()

    _write_chats(items, out, progress, keep=None)
    _write_ledger(items, out, progress)
    return _Summary(written, mbox.count, unreadable=mbox.unreadable,
                    extra={"schema_version": version, "omitted": omitted})


def _write_chats(items: Iterator[Any], out: _ZipOut, progress: _Progress,
                 keep: Callable[[dict[str, Any]], dict[str, Any] | None] | None,
                 view: Callable[[dict[str, Any]], dict[str, Any]] = dict,
                 ) -> tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]:
    """chats/<id>.json and .md; with `keep`, only the chat messages it returns (customer export).

    Returns the chats and the chat messages kept.
    """
    _, chat_cols, chat_rows = _expect(items, "chats")
    chats = {int(r[0]): dict(zip(chat_cols, r, strict=True)) for r in chat_rows}
    _, msg_cols = _expect(items, "chat_messages")
    kept: list[dict[str, Any]] = []
    current: int | None = None
    pending: list[dict[str, Any]] = []
    done: set[int] = set()

    def flush() -> None:
        if current is not None and current in chats and (keep is None or pending):
            _chat_files(out, view(chats[current]), pending)
            done.add(current)

    for rows in _until_end(items):
        for r in rows:
            msg: dict[str, Any] | None = dict(zip(msg_cols, r, strict=True))
            assert msg is not None
            if msg["chat_id"] != current:
                flush()
                current, pending = int(msg["chat_id"]), []
            if keep is not None:
                msg = keep(msg)
                if msg is None:
                    continue
            pending.append(msg)
            kept.append(msg)
        progress.add(len(rows), "Writing the chats")
    flush()
    if keep is None:
        for cid, chat in chats.items():
            if cid not in done:
                _chat_files(out, chat, [])
    return chats, kept


def _write_ledger(items: Iterator[Any], out: _ZipOut, progress: _Progress | None,
                  keep: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    _, cols = _expect(items, "ledger")
    entry = out.entry("ledger.csv")
    entry.text(_ledger_lines([], header=True))
    kept: list[dict[str, Any]] = []
    for rows in _until_end(items):
        dicts = [dict(zip(cols, r, strict=True)) for r in rows]
        if keep is not None:
            dicts = [keep(d) for d in dicts]
            kept.extend(dicts)
        entry.text(_ledger_lines(dicts, header=False))
        if progress is not None:
            progress.add(len(rows), "Writing the ledger")
    entry.close()
    return kept


def export_workspace(source: _HasDb, dest: Path, *, job: Job, include_secrets: bool = False,
                     passphrase: str | None = None, level: int = COMPRESS_LEVEL) -> ExportReport:
    """Export everything to `dest` (a ZIP, or with `passphrase` an encrypted `.comptoir-export`).

    Secrets (passwords, tokens, API keys) are left out unless `include_secrets`. Raises Cancelled when
    the job is cancelled (the partial file is removed) and UserFacingError for a folder that cannot be
    written. Blocks; the DB thread serves the export until it ends.
    """
    db = source.db
    _guard_destination(source, dest)

    def fill(out: _ZipOut) -> _Summary:
        pipe = _RowPipe(db, _produce_full)
        try:
            summary = _consume_full(iter(pipe), out, job, include_secrets)
        finally:
            pipe.close()
        out.put("README.txt", _README_ALL.format(
            app=APP_NAME, version=__version__, when=_now(), plain=_plain_note(out.encrypted),
            secrets="included in this archive, at your request" if include_secrets
            else "NOT included: enter them again after an import").encode("utf-8"))
        out.finish(_manifest("workspace", summary, include_secrets, out.encrypted))
        summary.extra["files"] = len(out.files) + 1
        return summary

    return _write_export(dest, job=job, passphrase=passphrase, level=level, include_secrets=include_secrets,
                         fill=fill)


def _manifest(kind: str, summary: _Summary, include_secrets: bool, encrypted: bool) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "app": APP_NAME,
        "app_version": __version__,
        "schema_version": summary.extra.get("schema_version"),
        "created_at": _now(),
        "secrets_included": include_secrets,
        "encrypted": encrypted,
        "counts": summary.counts,
        "mbox": {"messages": summary.mbox, "escaping": "mboxrd", "unreadable_sources": summary.unreadable},
    }
    if summary.extra.get("omitted"):
        manifest["omitted_rows"] = summary.extra["omitted"]
    if kind == "customer":
        manifest["customer"] = summary.extra.get("customer", {})
        manifest["withheld_messages"] = summary.withheld
        manifest["redactions"] = summary.redactions
    return manifest


def _write_export(dest: Path, *, job: Job, passphrase: str | None, level: int, include_secrets: bool,
                  fill: Callable[[_ZipOut], _Summary]) -> ExportReport:
    started = time.monotonic()
    dest = dest.expanduser().absolute()
    if not dest.parent.is_dir():
        raise UserFacingError(f"The folder {dest.parent} does not exist.", "Choose an existing folder for the export.")
    if dest.is_dir():
        raise UserFacingError(f"{dest} is a folder.", "Give the export a file name, e.g. comptoir-export.zip.")
    encrypted = passphrase is not None
    crypto: _StreamKey | None = None
    if passphrase is not None:
        check_passphrase(passphrase)
        crypto = _StreamKey.new(passphrase)
    partial = dest.with_name(dest.name + ".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as exc:
        raise _disk_error(exc, dest) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            sink: BinaryIO = fh
            writer: _EncryptingWriter | None = None
            if crypto is not None:
                writer = _EncryptingWriter(fh, crypto)
                sink = writer  # type: ignore[assignment]
            out = _ZipOut(sink, level=level, encrypted=encrypted)
            try:
                summary = fill(out)
            except BaseException:
                out.abandon()
                raise
            if writer is not None:
                writer.finish()
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, dest)
        _fsync_dir(dest.parent)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise _disk_error(exc, dest) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    size = dest.stat().st_size
    log.info("export written: %d files, %d bytes, encrypted=%s", len(summary.counts), size, encrypted)
    return ExportReport(path=dest, size=size, counts=summary.counts, mbox_messages=summary.mbox,
                        files=int(summary.extra.get("files", 0)), plaintext=not encrypted,
                        secrets_included=include_secrets,
                        seconds=time.monotonic() - started, withheld_messages=summary.withheld,
                        redactions=summary.redactions, unreadable_sources=summary.unreadable)


def _guard_destination(source: _HasDb, dest: Path) -> None:
    """Never let an export replace the workspace's own files (database, its WAL, key file, bootstrap)."""
    folder = getattr(source, "path", None) or getattr(getattr(source, "workspace", None), "path", None)
    if not isinstance(folder, Path):
        return
    own = {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal", WRAP_NAME, BOOTSTRAP_NAME}
    target = dest.expanduser().absolute()
    if target.name in own and target.parent.resolve() == folder.resolve():
        raise UserFacingError(f"{target.name} is one of the workspace's own files.",
                              "Choose another name or folder for the export.")


def _disk_error(exc: OSError, dest: Path) -> UserFacingError:
    if exc.errno == errno.ENOSPC:
        return DiskFull(f"The disk holding {dest.parent} is full; the export was not written.",
                        "Free some space or choose another disk, then export again.")
    return UserFacingError(f"Comptoir could not write the export in {dest.parent} ({exc.strerror or exc}).",
                           "Choose a folder you may write to, then export again.")


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- one customer ---------------------------------------------------------------------------------------------

# '=' is left out of the local part so a quoted-printable '=' before an address does not hide it.
_EMAIL = re.compile(r"[\w.!#$%&'*+/?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d(?:[ \t.\-/()]{0,2}\d){7,16}")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
# As desktop.core.refs finds them: '#1001', 'commande 1001', 'order no. 4321'; carrier tracking numbers.
_ORDER_REF = re.compile(
    r"(?:#\s?(\d{3,10})\b)|(?:\b(?:order|commande|cde|bestellung|pedido|ordine)\s*(?:n[o°º]\.?|number|num[ée]ro|"
    r"nr\.?|#)?\s*:?\s*#?(\d{3,10})\b)", re.IGNORECASE)
_TRACKING = re.compile(r"\b(?:[A-Z]{2}\d{9}[A-Z]{2}|\d[A-Z]\d{11}|1Z[0-9A-Z]{16}|\d{10,22})\b")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _phone_key(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return digits[-9:] if len(digits) >= 8 else ""


def _name_key(name: str) -> tuple[str, ...]:
    words = tuple(_fold(w) for w in _WORD.findall(name))
    return words if len(words) >= 2 else ()


def _order_key(number: str) -> str:
    return number.strip().lstrip("#").strip()


class _Identifiers:
    """A set of people's identifiers, and where they appear in a text (for redaction and mention checks)."""

    def __init__(self, *, emails: Iterable[str] = (), phones: Iterable[str] = (), names: Iterable[str] = (),
                 orders: Iterable[str] = (), trackings: Iterable[str] = ()) -> None:
        self.emails = {e.strip().casefold() for e in emails if e and "@" in e}
        self.phones = {k for k in map(_phone_key, phones) if k}
        self.names = {k for k in map(_name_key, names) if k}
        self.orders = {k for k in map(_order_key, orders) if k}
        self.trackings = {t.strip() for t in trackings if t and len(t.strip()) >= 8}
        self.longest = max((len(n) for n in self.names), default=0)

    def without(self, other: _Identifiers) -> _Identifiers:
        """These identifiers minus any `other` also has (a shared name is nobody's exclusive identifier)."""
        out = _Identifiers()
        out.emails, out.phones = self.emails - other.emails, self.phones - other.phones
        out.names, out.orders = self.names - other.names, self.orders - other.orders
        out.trackings = self.trackings - other.trackings
        out.longest = max((len(n) for n in out.names), default=0)
        return out

    def spans(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        if not text:
            return found
        if self.emails and "@" in text:
            found += [m.span() for m in _EMAIL.finditer(text) if m.group(0).casefold() in self.emails]
        if self.phones:
            found += [m.span() for m in _PHONE.finditer(text) if _phone_key(m.group(0)) in self.phones]
        if self.orders:
            for m in _ORDER_REF.finditer(text):
                group = 1 if m.group(1) else 2
                if m.group(group) in self.orders:
                    found.append(m.span(group))
        if self.trackings:
            found += [m.span() for m in _TRACKING.finditer(text) if m.group(0) in self.trackings]
        if self.names:
            words = list(_WORD.finditer(text))
            folded = [_fold(w.group(0)) for w in words]
            for i in range(len(words)):
                for n in range(2, self.longest + 1):
                    if i + n <= len(words) and tuple(folded[i:i + n]) in self.names:
                        found.append((words[i].start(), words[i + n - 1].end()))
        return found

    def found_in(self, text: str) -> bool:
        return bool(self.spans(text))

    def redact(self, text: str) -> tuple[str, int]:
        spans = sorted(self.spans(text))
        if not spans:
            return text, 0
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        parts, last = [], 0
        for start, end in merged:
            parts += [text[last:start], REDACTED]
            last = end
        parts.append(text[last:])
        return "".join(parts), len(merged)


def _identifiers_query(conn: Conn, customer_id: int, *, mine: bool) -> _Identifiers:
    op = "=" if mine else "IS NOT"
    emails = [r[0] for r in conn.execute(f"SELECT email FROM customer_addresses WHERE customer_id {op} ?",
                                         (customer_id,))]
    people = conn.execute(f"SELECT display_name, first_name || ' ' || last_name, phone FROM customers "
                          f"WHERE id {op} ?", (customer_id,)).fetchall()
    own_addrs = "SELECT email FROM customer_addresses WHERE customer_id = ?"
    if mine:
        order_rows = conn.execute(f"SELECT number, tracking FROM orders WHERE customer_id = ? OR "
                                  f"(customer_id IS NULL AND email IN ({own_addrs}))",
                                  (customer_id, customer_id)).fetchall()
    else:
        order_rows = conn.execute(f"SELECT number, tracking FROM orders WHERE customer_id IS NOT ? AND NOT "
                                  f"(customer_id IS NULL AND email IN ({own_addrs}))",
                                  (customer_id, customer_id)).fetchall()
    trackings: list[str] = []
    for _number, tracking in order_rows:
        with suppress(ValueError, TypeError, AttributeError):
            trackings += [str(t.get("number", "")) for t in json.loads(tracking or "[]") if isinstance(t, dict)]
    return _Identifiers(emails=emails, phones=[p[2] for p in people if p[2]],
                        names=[n for p in people for n in (p[0], p[1]) if n],
                        orders=[str(r[0]) for r in order_rows], trackings=trackings)


def _produce_customer(customer_id: int) -> Callable[[Conn], Iterator[tuple[Any, ...]]]:
    def produce(conn: Conn) -> Iterator[tuple[Any, ...]]:
        tables = {t.name: t for t in _discover(conn)}
        mine = _identifiers_query(conn, customer_id, mine=True)
        others = _identifiers_query(conn, customer_id, mine=False)
        shop = {str(r[0]).casefold() for r in conn.execute("SELECT email FROM accounts")}
        others.emails -= shop
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        email_row = conn.execute("SELECT email FROM customer_addresses WHERE customer_id = ? ORDER BY is_primary DESC,"
                                 " id LIMIT 1", (customer_id,)).fetchone()
        yield "meta", tables, mine, others.without(mine), version, (email_row[0] if email_row else "")
        threads = "SELECT id FROM threads WHERE customer_id = :c"
        own = "SELECT email FROM customer_addresses WHERE customer_id = :c"
        msg_where = (f"thread_id IN ({threads}) OR (thread_id IS NULL AND from_addr COLLATE NOCASE IN ({own}))")
        p = {"c": customer_id}
        ids = [int(r[0]) for r in conn.execute(f"SELECT id FROM messages WHERE {msg_where} ORDER BY id", p)]
        marks = "{marks}"
        # 1. attachment contents, only to look for other people's identifiers in them
        work = len(ids) * 2 + int(conn.execute("SELECT count(*) FROM chat_messages").fetchone()[0]) + int(
            conn.execute("SELECT count(*) FROM attachments WHERE message_id IN (SELECT id FROM messages WHERE "
                         f"{msg_where})", p).fetchone()[0])
        yield "attachments-check", ids, work
        yield from _batches(_attachment_rows(conn, "message_id, filename, content", ids))
        yield ("end",)
        # 2. the rows of each table that concern the customer
        plan = [
            ("customers", "id = :c"),
            ("customer_addresses", "customer_id = :c"),
            ("threads", "customer_id = :c"),
            ("messages", None),
            ("attachments", None),
            ("drafts", f"thread_id IN ({threads})"),
            ("pseudonyms", f"thread_id IN ({threads})"),
            ("orders", f"customer_id = :c OR (customer_id IS NULL AND email IN ({own}))"),
            ("egress_ledger", f"customer_id = :c OR thread_id IN ({threads})"),
        ]
        for name, where in plan:
            if name not in tables:
                continue
            t = tables[name]
            yield "table", name
            if name == "messages":
                yield from _batches(_by_ids(conn, f"SELECT {t.select} FROM messages WHERE id IN ({marks})", ids))
            elif name == "attachments":
                yield from _batches(_attachment_rows(conn, t.select, ids))
            else:
                yield from _batches(conn.execute(f"SELECT {t.select} FROM {_q(name)} WHERE {where} "
                                                 f"ORDER BY {t.order_by}", p))
            yield ("end",)
        # 3. the mail itself
        accounts, folders, mbox_ids = _mbox_plan(conn, msg_where.replace(":c", "?"), (customer_id, customer_id))
        yield "mbox", accounts, folders
        yield from _batches(_by_ids(conn, _MBOX_SQL, [int(r[0]) for r in mbox_ids]))
        yield ("end",)
        # 4. chats (filtered by the writer: only messages that mention the customer) and the ledger
        cur = conn.execute("SELECT * FROM chats ORDER BY id")
        yield "chats", [d[0] for d in cur.description], cur.fetchall()
        cur = conn.execute("SELECT * FROM chat_messages ORDER BY chat_id, id")
        yield "chat_messages", [d[0] for d in cur.description]
        yield from _batches(cur)
        yield ("end",)
        cur = conn.execute(f"SELECT * FROM egress_ledger WHERE customer_id = :c OR thread_id IN ({threads}) "
                           "ORDER BY at, id", p)
        yield "ledger", [d[0] for d in cur.description]
        yield from _batches(cur)
        yield ("end",)

    return produce


def _attachment_rows(conn: Conn, cols: str, ids: list[int]) -> Iterator[tuple[Any, ...]]:
    for start in range(0, len(ids), 200):
        chunk = ids[start:start + 200]
        yield from conn.execute(f"SELECT {cols} FROM attachments WHERE message_id IN ({','.join('?' * len(chunk))}) "
                                "ORDER BY id", chunk)


def _text_of(data: bytes | None) -> str:
    return data.decode("utf-8", errors="replace") if data else ""


def _consume_customer(items: Iterator[Any], out: _ZipOut, job: Job) -> _Summary:
    _, tables, mine, others, version, email = _expect(items, "meta")
    progress = _Progress(job, 0)
    redactions = 0

    def clean(value: Any) -> Any:
        nonlocal redactions
        if isinstance(value, str) and value:
            text, n = others.redact(value)
            redactions += n
            return text
        return value

    # 1. which messages carry another customer's identifier in an attachment
    _, _ids, progress.total = _expect(items, "attachments-check")
    progress.total = max(1, progress.total)
    flagged: set[int] = set()
    for rows in _until_end(items):
        for message_id, filename, content in rows:
            if others.found_in(str(filename or "")) or others.found_in(_text_of(content)):
                flagged.add(int(message_id))
        progress.add(len(rows), "Looking through attachments")

    counts: dict[str, int] = {}
    withheld: set[int] = set()
    while True:
        item = next(items)
        if item[0] == "mbox":
            break
        name = item[1]
        table: _Table = tables[name]
        columns = [c for c in table.columns if not (name == "messages" and c.name == "raw")
                   and not (name == "attachments" and c.name == "content")]
        names = [c.name for c in table.columns]
        keep_idx = [names.index(c.name) for c in columns]
        writer = _TableWriter(out, name, columns, {"customer_export": True})
        for rows in _until_end(items):
            for row in rows:
                record = dict(zip(names, row, strict=True))
                if name == "messages":
                    mid = int(record["id"])
                    texts = [str(v) for k, v in record.items() if isinstance(v, str) and k != "raw"]
                    if mid in flagged or others.found_in(_text_of(_decompressed(record.get("raw")))) or \
                            any(others.found_in(t) for t in texts):
                        withheld.add(mid)
                if name == "attachments" and int(record["message_id"]) in withheld:
                    continue
                writer.row(clean(row[i]) for i in keep_idx)
            if name == "messages":
                progress.add(len(rows), "Exporting the messages")
        counts[name] = writer.close()

    _, accounts, folders = item
    mbox = _MboxWriter(out, _MboxPaths(accounts, folders))
    for rows in _until_end(items):
        for row in rows:
            if int(row[0]) not in withheld:
                mbox.add(row)
        progress.add(len(rows), "Writing the mail")
    mbox.close()

    def mentions(msg: dict[str, Any]) -> dict[str, Any] | None:
        if not mine.found_in(str(msg.get("content") or "")):
            return None
        return {k: clean(v) for k, v in msg.items()}


    def cleaned(row: dict[str, Any]) -> dict[str, Any]:
        return {k: clean(v) for k, v in row.items()}

    chats, kept = _write_chats(items, out, progress, keep=mentions, view=cleaned)
    mentioned = {int(m["chat_id"]): cleaned(chats[int(m["chat_id"])]) for m in kept if int(m["chat_id"]) in chats}
    counts.update(_write_chat_tables(out, tables, kept, [mentioned[k] for k in sorted(mentioned)]))
    _write_ledger(items, out, None, keep=lambda d: {k: clean(v) for k, v in d.items()})
    summary = _Summary(counts, mbox.count, unreadable=mbox.unreadable, withheld=len(withheld),
                       redactions=redactions, extra={"schema_version": version, "customer": {"email": email}})
    return summary


def _decompressed(raw: Any) -> bytes | None:
    if not isinstance(raw, bytes):
        return None
    try:
        return zlib.decompress(raw)
    except zlib.error:
        return raw


def _write_chat_tables(out: _ZipOut, tables: dict[str, _Table], messages: list[dict[str, Any]],
                       chats: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, rows in (("chats", chats), ("chat_messages", messages)):
        if name in tables:
            t = tables[name]
            writer = _TableWriter(out, name, list(t.columns), {"customer_export": True})
            for row in rows:
                writer.row(row.get(c.name) for c in t.columns)
            counts[name] = writer.close()
    return counts


def export_customer(source: _HasDb, email: str, dest: Path, *, job: Job, passphrase: str | None = None,
                    level: int = COMPRESS_LEVEL) -> ExportReport:
    """Export what the workspace holds about the customer with address `email` (GDPR art. 15/20).

    Their customer row and addresses, threads, messages (and the mail as mbox), drafts, orders, the chat
    messages that mention them, and their ledger entries. Identifiers of other customers are replaced by
    "[redacted]" in the JSON; a message whose source names another customer is left out of the mbox
    (counted in the report and the manifest). Secrets are never included.
    """
    db = source.db
    address = email.strip()
    row = db.call(lambda c: c.execute("SELECT customer_id FROM customer_addresses WHERE email = ? COLLATE NOCASE",
                                      (address,)).fetchone())
    if row is None:
        raise UserFacingError(f"No customer has the address {address}.",
                              "Check the spelling, or look the customer up by name on the Privacy page.")
    customer_id = int(row[0])
    _guard_destination(source, dest)

    def fill(out: _ZipOut) -> _Summary:
        pipe = _RowPipe(db, _produce_customer(customer_id))
        try:
            summary = _consume_customer(iter(pipe), out, job)
        finally:
            pipe.close()
        withheld = "" if not summary.withheld else (
            f"; {summary.withheld} message(s) naming another customer are left out of the mbox files and appear "
            "in data/messages.json with those identifiers redacted")
        out.put("README.txt", _README_CUSTOMER.format(
            app=APP_NAME, version=__version__, when=_now(), email=address, plain=_plain_note(out.encrypted),
            withheld=withheld).encode("utf-8"))
        out.finish(_manifest("customer", summary, False, out.encrypted))
        summary.extra["files"] = len(out.files) + 1
        return summary

    return _write_export(dest, job=job, passphrase=passphrase, level=level, include_secrets=False, fill=fill)


# --- encryption ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _StreamKey:
    key: bytes
    header: bytes  # magic + length + JSON, authenticated with every chunk

    @classmethod
    def new(cls, passphrase: str, params: KdfParams | None = None) -> _StreamKey:
        params = params or KdfParams()
        salt = secrets.token_bytes(16)
        key = _derive(passphrase, salt, params)
        head = {
            "version": ENCRYPTED_VERSION,
            "kdf": params.to_json(),
            "salt": base64.b64encode(salt).decode(),
            "aead": "aes-256-gcm",
            "chunk_size": CHUNK_SIZE,
            "nonce_prefix": base64.b64encode(secrets.token_bytes(_NONCE_PREFIX)).decode(),
            "check": base64.b64encode(_check_value(key)).decode(),
        }
        body = json.dumps(head, sort_keys=True).encode()
        return cls(key, ENCRYPTED_MAGIC + struct.pack(">I", len(body)) + body)

    @property
    def fields(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.header[len(ENCRYPTED_MAGIC) + 4:])
        return data


def _derive(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(passphrase.encode("utf-8"), salt, time_cost=params.time_cost,
                           memory_cost=params.memory_kib, parallelism=params.parallelism, hash_len=32, type=Type.ID)


def _check_value(key: bytes) -> bytes:
    return hmac.new(key, b"comptoir-export-passphrase-check", hashlib.sha256).digest()[:16]


def _nonce(prefix: bytes, index: int, final: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if final else 0)


class _EncryptingWriter(io.RawIOBase):
    """Plaintext in, `.comptoir-export` out: AES-256-GCM per 1 MiB chunk, STREAM nonces (index + last flag)."""

    def __init__(self, out: BinaryIO, key: _StreamKey) -> None:
        super().__init__()
        self._out = out
        self._aead = AESGCM(key.key)
        self._aad = hashlib.sha256(key.header).digest()
        self._prefix = base64.b64decode(key.fields["nonce_prefix"])
        self._buf = bytearray()
        self._index = 0
        self._pos = 0
        out.write(key.header)

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False  # zipfile then writes data descriptors instead of seeking back

    def tell(self) -> int:
        return self._pos

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._buf += view
        self._pos += len(view)
        # Keep at least one byte back: the last chunk must be sealed as the last one, at finish().
        while len(self._buf) > CHUNK_SIZE:
            self._seal(bytes(self._buf[:CHUNK_SIZE]), final=False)
            del self._buf[:CHUNK_SIZE]
        return len(view)

    def _seal(self, chunk: bytes, *, final: bool) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._prefix, self._index, final), chunk, self._aad))
        self._index += 1

    def finish(self) -> None:
        self._seal(bytes(self._buf), final=True)
        self._buf.clear()


class _DecryptingReader(io.RawIOBase):
    """A seekable plaintext view of a `.comptoir-export` file (zipfile reads its directory at the end)."""

    def __init__(self, fh: BinaryIO, passphrase: str) -> None:
        super().__init__()
        self._fh = fh
        magic = fh.read(len(ENCRYPTED_MAGIC))
        if magic != ENCRYPTED_MAGIC:
            raise _not_an_export()
        (length,) = struct.unpack(">I", fh.read(4).rjust(4, b"\0"))
        if length > _MAX_HEADER:
            raise _damaged("its header is too long")
        body = fh.read(length)
        try:
            head = json.loads(body)
            if head["version"] != ENCRYPTED_VERSION or head["aead"] != "aes-256-gcm":
                raise UserFacingError("This encrypted export uses a format this Comptoir does not know.",
                                      "Update Comptoir, then import it again.")
            params = KdfParams.from_json(head["kdf"])
            salt = base64.b64decode(head["salt"])
            self._prefix = base64.b64decode(head["nonce_prefix"])
            self._chunk = int(head["chunk_size"])
            check = base64.b64decode(head["check"])
        except (ValueError, KeyError, TypeError):
            raise _damaged("its header cannot be read") from None
        if len(self._prefix) != _NONCE_PREFIX or not 1024 <= self._chunk <= 64 << 20 or \
                params.memory_kib > 4 << 20 or params.time_cost > 100:
            raise _damaged("its header holds impossible values")
        key = _derive(passphrase, salt, params)
        if not hmac.compare_digest(_check_value(key), check):
            raise WrongPassphrase("That passphrase does not open this encrypted export.",
                                  "Check the passphrase given when the export was made (keyboard layout, Caps Lock).")
        self._aead = AESGCM(key)
        header = magic + struct.pack(">I", length) + body
        self._aad = hashlib.sha256(header).digest()
        self._start = len(header)
        span = fh.seek(0, io.SEEK_END) - self._start
        self._chunks = max(1, -(-span // (self._chunk + _TAG)))
        last = self._decrypt(self._chunks - 1)
        self._size = (self._chunks - 1) * self._chunk + len(last)
        self._pos = 0

    def _decrypt(self, index: int) -> bytes:
        cached = getattr(self, "_cache", None)
        if cached is not None and cached[0] == index:
            return bytes(cached[1])
        self._fh.seek(self._start + index * (self._chunk + _TAG))
        sealed = self._fh.read(self._chunk + _TAG)
        try:
            plain = self._aead.decrypt(_nonce(self._prefix, index, index == self._chunks - 1), sealed, self._aad)
        except InvalidTag:
            raise _damaged(f"part {index + 1} of {self._chunks} failed its integrity check (altered or truncated)"
                           ) from None
        if index != self._chunks - 1 and len(plain) != self._chunk:
            raise _damaged("a part has the wrong length")
        self._cache = (index, plain)
        return plain

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self._size - self._pos
        parts: list[bytes] = []
        while size > 0 and self._pos < self._size:
            index, offset = divmod(self._pos, self._chunk)
            chunk = self._decrypt(index)
            piece = chunk[offset:offset + size]
            parts.append(piece)
            self._pos += len(piece)
            size -= len(piece)
        return b"".join(parts)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        memoryview(buffer).cast("B")[:len(data)] = data
        return len(data)


def _not_an_export() -> UserFacingError:
    return UserFacingError("This file is not a Comptoir export.",
                           "Choose the .zip or .comptoir-export file that Comptoir wrote.")


def _damaged(why: str) -> UserFacingError:
    return UserFacingError(f"This export is damaged or was altered: {why}. Nothing was imported.",
                           "Use another copy of the export, or export again from the original workspace.")


@contextmanager
def open_export(src: Path, *, passphrase: str | None = None) -> Iterator[tuple[zipfile.ZipFile, bool]]:
    """Open an export for reading: (the ZIP, whether it was encrypted). Nothing is written anywhere."""
    try:
        fh = src.expanduser().open("rb")
    except FileNotFoundError:
        raise UserFacingError(f"There is no file {src}.", "Check the path of the export.") from None
    except OSError as exc:
        raise UserFacingError(f"Comptoir cannot read {src} ({exc.strerror or exc}).",
                              "Check the file's permissions.") from None
    with fh:
        magic = fh.read(len(ENCRYPTED_MAGIC))
        fh.seek(0)
        encrypted = magic == ENCRYPTED_MAGIC
        source: BinaryIO = fh
        if encrypted:
            if passphrase is None:
                raise UserFacingError("This export is encrypted.", "Give the passphrase chosen when it was made.")
            source = _DecryptingReader(fh, passphrase)  # type: ignore[assignment]
        try:
            archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError):
            raise (_damaged("it is not a readable ZIP") if encrypted or magic.startswith(b"PK")
                   else _not_an_export()) from None
        with archive:
            yield archive, encrypted


def verify_export(archive: zipfile.ZipFile, job: Job | None = None) -> dict[str, Any]:
    """Check the manifest and the SHA-256 and size of every file; return the manifest or raise UserFacingError."""
    try:
        if archive.getinfo(MANIFEST).file_size > _MAX_MANIFEST:
            raise _damaged("manifest.json is far too large")
        manifest: dict[str, Any] = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise _damaged("manifest.json is missing") from None
    except (ValueError, zipfile.BadZipFile, zlib.error, EOFError):
        raise _damaged("manifest.json cannot be read") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise _not_an_export()
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise UserFacingError("This export was written by a newer Comptoir.", "Update Comptoir, then import it.")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise _damaged("manifest.json lists no files")
    names = {i.filename for i in archive.infolist() if not i.is_dir()} - {MANIFEST}
    if names - set(files):
        stray = sorted(names - set(files))
        raise _damaged(f"{len(stray)} file(s) are not in the manifest, e.g. {stray[0]}")
    if set(files) - names:
        raise _damaged(f"{sorted(set(files) - names)[0]} is missing")
    total = sum(int(f.get("size", 0)) for f in files.values()) or 1
    done = 0
    for name in sorted(files):
        sha = hashlib.sha256()
        size = 0
        try:
            with archive.open(name) as fh:
                while block := fh.read(1 << 20):
                    sha.update(block)
                    size += len(block)
                    done += len(block)
                    if job is not None:
                        job.progress(min(done, total), total, "Checking the export")
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _damaged(f"{name} cannot be read ({exc})") from None
        if sha.hexdigest() != files[name].get("sha256") or size != files[name].get("size"):
            raise _damaged(f"{name} does not match its SHA-256 sum in the manifest")
    return manifest


# --- import ---------------------------------------------------------------------------------------------------


def _read_table(archive: zipfile.ZipFile, name: str) -> tuple[list[str], Iterator[tuple[list[Any], int]]]:
    """Column names of data/<name>.json and an iterator of (row values, line length)."""
    fh = archive.open(f"data/{name}.json")
    first = fh.readline().decode("utf-8")
    try:
        head = json.loads(first.rstrip("\n") + "]}")
        names = [str(c["name"]) for c in head["columns"]]
    except (ValueError, KeyError, TypeError):
        fh.close()
        raise _damaged(f"data/{name}.json does not start with its columns") from None

    def rows() -> Iterator[tuple[list[Any], int]]:
        with fh:
            for raw in fh:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("]"):
                    return
                try:
                    obj = json.loads(line[:-1] if line.endswith(",") else line)
                    if not isinstance(obj, dict) or list(obj) != names:
                        raise ValueError("columns")
                    yield [_from_json(obj[n]) for n in names], len(raw)
                except (ValueError, TypeError):
                    raise _damaged(f"a row of data/{name}.json cannot be read") from None
            raise _damaged(f"data/{name}.json ends too early")

    return names, rows()


def _refuse_existing(service: WorkspaceService, folder: Path) -> None:
    if service.describe(folder) is not None:
        raise WorkspaceExists(f"A workspace already exists in {folder}; an export is imported into a new one only.",
                              "Choose another folder (--data-dir), or erase the existing workspace first. "
                              "Nothing was changed.")


def _discard(service: WorkspaceService, workspace: Workspace, folder_existed: bool) -> None:
    """Remove a workspace this import created (it failed half-way): its files and its keyring entry."""
    info = workspace.info
    workspace.close()
    folder = workspace.path
    for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal", WRAP_NAME, BOOTSTRAP_NAME):
        (folder / name).unlink(missing_ok=True)
    if info.key_mode == KeyMode.KEYRING:
        try:
            service.keystore.delete_key(info.workspace_id)
        except Exception as exc:  # the key is useless without the database; report, do not mask the first error
            log.warning("could not remove the keyring entry of a failed import (%s)", type(exc).__name__)
    if not folder_existed:
        with suppress(OSError):
            folder.rmdir()


def import_export(service: WorkspaceService, folder: Path, src: Path, *, job: Job, passphrase: str | None = None,
                  decrypt_passphrase: str | None = None, prefer_passphrase: bool = False,
                  keyring_status: KeyringStatus | None = None) -> ImportReport:
    """Create a new workspace in `folder` holding exactly the rows of the export `src`.

    Refuses (creating nothing) when `folder` already holds a workspace, when the export is encrypted and
    the passphrase is wrong, when any file does not match its SHA-256 sum, or when the export comes from a
    newer schema. `passphrase` protects the new workspace when no keyring works (as for `create`);
    `decrypt_passphrase` opens an encrypted export. The FTS index is rebuilt from the imported messages.
    """
    started = time.monotonic()
    folder = folder.expanduser().absolute()
    _refuse_existing(service, folder)
    with open_export(src, passphrase=decrypt_passphrase) as (archive, encrypted):
        manifest = verify_export(archive, job)
        if manifest.get("kind") != "workspace":
            raise UserFacingError("This export holds one customer's data, not a workspace.",
                                  "Import an export of the whole workspace. Nothing was changed.")
        schema = int(manifest.get("schema_version") or 0)
        if schema > latest_version():
            raise DatabaseTooNew(
                f"This export comes from a newer Comptoir (schema {schema}; this one knows {latest_version()}).",
                "Install the latest Comptoir, then import it. Nothing was changed.")
        counts = {str(k): int(v) for k, v in dict(manifest.get("counts") or {}).items()}
        for table in counts:
            if f"data/{table}.json" not in manifest["files"]:
                raise _damaged(f"data/{table}.json is missing")
        existed = folder.exists()
        workspace, created = service.create(folder, passphrase=passphrase, prefer_passphrase=prefer_passphrase,
                                            keyring_status=keyring_status)
        try:
            _load(workspace.db, archive, counts, bool(manifest.get("secrets_included")), job)
            _mirror_language(workspace)
        except BaseException:
            _discard(service, workspace, existed)
            raise
        info = workspace.info
        workspace.close()
    return ImportReport(workspace=info, recovery_key=created.recovery_key, counts=counts, schema_version=schema,
                        app_version=str(manifest.get("app_version", "")),
                        secrets_included=bool(manifest.get("secrets_included")), encrypted=encrypted,
                        seconds=time.monotonic() - started)


def _mirror_language(workspace: Workspace) -> None:
    """workspace.json keeps the interface language for the next start (read before unlocking)."""
    try:
        language = workspace.db.call(lambda c: repo.get_setting(c, "ui.language"))
    except Exception as exc:  # an odd stored value must not undo a good import
        log.warning("imported interface language not kept (%s)", type(exc).__name__)
        return
    if isinstance(language, str) and language != workspace.info.ui_language:
        save_ui_language(workspace, language)


def _load(db: Database, archive: zipfile.ZipFile, counts: dict[str, int], secrets_included: bool, job: Job) -> None:
    def prepare(conn: Conn) -> tuple[list[_Table], list[tuple[str, str]]]:
        tables = _discover(conn)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("PRAGMA defer_foreign_keys = ON")
        # The rows arrive in their final state (derived figures included): no trigger may touch them.
        triggers = [(str(n), str(s)) for n, s in conn.execute("SELECT name, sql FROM sqlite_schema "
                                                              "WHERE type = 'trigger'")]
        for name, _sql in triggers:
            conn.execute(f"DROP TRIGGER {_q(name)}")
        for t in reversed(tables):
            conn.execute(f"DELETE FROM {_q(t.name)}")
        return tables, triggers

    tables, triggers = db.call(prepare)
    try:
        known = {t.name: t for t in tables}
        unknown = sorted(set(counts) - set(known))
        if unknown:
            raise UserFacingError(f"This export holds a table this Comptoir does not know ({unknown[0]}).",
                                  "Update Comptoir, then import it again. Nothing was kept.")
        progress = _Progress(job, sum(counts.values()))
        for table in tables:
            if table.name not in counts:
                continue  # an export from an older schema: this table came later
            _load_table(db, archive, table, counts[table.name], secrets_included, progress)

        def finish(conn: Conn) -> None:
            for _name, sql in triggers:
                conn.execute(sql)
            for fts in _fts_tables(conn):
                conn.execute(f"INSERT INTO {_q(fts)}({_q(fts)}) VALUES ('rebuild')")
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:  # checked here, before COMMIT, so the message can say which table
                raise _damaged(f"{len(broken)} row(s) of {broken[0][0]} point at rows that are not in it")
            conn.execute("COMMIT")

        db.call(finish)
    except BaseException:
        with suppress(Exception):
            db.call(lambda c: c.execute("ROLLBACK") if c.in_transaction else None)
        raise


def _load_table(db: Database, archive: zipfile.ZipFile, table: _Table, expected: int, secrets_included: bool,
                progress: _Progress) -> None:
    names, rows = _read_table(archive, table.name)
    columns = {c.name: c for c in table.columns}
    extra = [n for n in names if n not in columns]
    if extra:
        raise UserFacingError(f"This export holds data this Comptoir does not know ({table.name}.{extra[0]}).",
                              "Update Comptoir, then import it again. Nothing was kept.")
    # A secret left out of the export cannot be NULL in a NOT NULL column: it becomes an empty text.
    fill_blank = [i for i, n in enumerate(names)
                  if not secrets_included and SECRET_NAME.search(n) and columns[n].notnull]
    sql = f"INSERT INTO {_q(table.name)} ({', '.join(_q(n) for n in names)}) VALUES ({', '.join('?' * len(names))})"
    inserted = 0
    pending: concurrent.futures.Future[Any] | None = None

    def insert(batch: list[list[Any]]) -> Callable[[Conn], None]:
        return lambda conn: conn.executemany(sql, batch) and None

    batch: list[list[Any]] = []
    size = 0
    try:
        for values, length in rows:
            for i in fill_blank:
                if values[i] is None:
                    values[i] = ""
            batch.append(values)
            size += length
            if len(batch) >= _BATCH_ROWS or size >= _BATCH_BYTES:
                if pending is not None:
                    pending.result()
                pending = db.submit(insert(batch))
                inserted += len(batch)
                progress.add(len(batch), f"Importing {table.name}")
                batch, size = [], 0
        if pending is not None:
            pending.result()
        if batch:
            db.call(insert(batch))
            inserted += len(batch)
            progress.add(len(batch), f"Importing {table.name}")
    except Exception as exc:
        if pending is not None:
            with suppress(Exception):
                pending.result()
        mapped = map_sqlite_error(exc)
        if mapped is exc and type(exc).__module__.startswith("sqlcipher3"):
            raise _damaged(f"a row of {table.name} was refused by the database ({exc})") from None
        raise
    if inserted != expected:
        raise _damaged(f"data/{table.name}.json holds {inserted} rows, the manifest says {expected}")


# --- the egress ledger ------------------------------------------------------------------------------------------


def _bound(value: date | datetime | str | None, *, end: bool) -> tuple[str, str] | None:
    """(operator, UTC text) for one end of a period; a date as `until` includes that whole day."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value else date.fromisoformat(value)
        except ValueError:
            raise UserFacingError(f"{value!r} is not a date.", "Write dates as YYYY-MM-DD, e.g. 2026-11-23.") from None
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return ("<=" if end else ">="), moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if end:
        return "<", f"{(value + timedelta(days=1)).isoformat()}T00:00:00Z"
    return ">=", f"{value.isoformat()}T00:00:00Z"


def _ledger_where(destination: str | None, since: date | datetime | str | None,
                  until: date | datetime | str | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if destination:
        clauses.append("destination = ?")
        params.append(destination)
    for bound in (_bound(since, end=False), _bound(until, end=True)):
        if bound is not None:
            clauses.append(f"at {bound[0]} ?")
            params.append(bound[1])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def ledger_entries(source: _HasDb, *, destination: str | None = None, since: date | datetime | str | None = None,
                   until: date | datetime | str | None = None) -> list[LedgerEntry]:
    """Ledger entries, oldest first, filtered by destination and period (`until` a date includes that day)."""
    where, params = _ledger_where(destination, since, until)
    rows = source.db.call(lambda c: c.execute(
        "SELECT id, at, destination, kind, purpose, model, data_categories, bytes_out, bytes_in, pseudonymised, "
        f"customer_id, thread_id, status FROM egress_ledger{where} ORDER BY at, id", params).fetchall())
    return [LedgerEntry(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), r[5], str(r[6]), int(r[7]),
                        int(r[8]), bool(r[9]), r[10], r[11], str(r[12])) for r in rows]


def ledger_totals(source: _HasDb, *, destination: str | None = None, since: date | datetime | str | None = None,
                  until: date | datetime | str | None = None) -> list[LedgerTotal]:
    """Per destination: calls, bytes sent and bytes received, biggest sender first."""
    where, params = _ledger_where(destination, since, until)
    rows = source.db.call(lambda c: c.execute(
        f"SELECT destination, count(*), sum(bytes_out), sum(bytes_in) FROM egress_ledger{where} "
        "GROUP BY destination ORDER BY sum(bytes_out) DESC, destination", params).fetchall())
    return [LedgerTotal(str(r[0]), int(r[1]), int(r[2] or 0), int(r[3] or 0)) for r in rows]
