"""The privacy center's erasure and per-customer rights: erase everything, find a customer, show what is
held about them, rectify, restrict, erase one customer.

Erasing everything is crypto-erasure: the key that encrypts the workspace is destroyed (keyring entry
or key.wrap) and every file Comptoir wrote is deleted; blocks the disk keeps (SSD wear levelling,
journaling file systems) hold only ciphertext nothing can decrypt any more. It never needs the key,
so it works on a workspace that cannot be unlocked (the Windows uninstaller runs it).

Erasing one customer deletes their rows in one transaction, then re-encrypts the database under a new
random key into a fresh, compact file (`Database.rekey`: checkpoint, `sqlcipher_export`, atomic swap),
so no page freed by the deletion can be decrypted with the old key. A crash leaves either the old state
or the erased one; the re-key is finished by running the erasure again, or by
`finish_interrupted_erasure` at start (the privacy_log row stays "pending" until the re-key is done).

Messages synced from a mailbox are not deleted outright but emptied ("tombstones": the folder, its
UIDVALIDITY and the UID stay, nothing else), so the next sync does not download them again; the
message on the server is the merchant's business.

Everything here blocks (database, keyring, disk, network): run it on a background thread or in the CLI.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from desktop.core.errors import Cancelled, UserFacingError
from desktop.core.models import CustomerSummary, KeyMode
from desktop.core.recovery import format_recovery_key
from desktop.paths import BOOTSTRAP_NAME, DB_NAME, WRAP_NAME, AppPaths, read_bootstrap, write_bootstrap
from desktop.secrets.keyring_store import PENDING_SLOT
from desktop.secrets.passphrase import new_key
from desktop.services.workspace import PENDING_WRAP_NAME, Workspace, WorkspaceService
from desktop.store import mail_repo, platform_repo
from desktop.store.connection import Connection
from desktop.store.database import REKEY_SUFFIX, Database
from desktop.tasks.cancel import Job

log = logging.getLogger("comptoir.privacy")

REDACTED = "[erased]"
TOMBSTONE = "erased"  # messages.parse_error of an emptied synced message
LOCK_NAME = "comptoir.lock"  # the desktop app's single-instance lock (QLockFile) in the data folder
TEMP_PREFIX = "comptoir-"  # private temp folders (attachments opened by the merchant)
PARTIAL_SUFFIX = ".partial"  # exports being written (desktop/services/export.py) before their rename
ENCRYPTED_EXPORT_MAGIC = b"COMPTOIR-EXPORT\n"  # export.ENCRYPTED_MAGIC: the first bytes of an encrypted export

StepHook = Callable[[str], None]

CRYPTO_ERASURE_NOTE = (
    "Erasure is crypto-erasure: the key that encrypted the workspace was destroyed and the files were "
    "deleted. On SSDs and journaling file systems the disk may keep old blocks until it reuses them; "
    "they hold only ciphertext that nothing can decrypt any more. Overwriting files would not change "
    "that, so Comptoir does not pretend to."
)


class _HasDb(Protocol):
    @property
    def db(self) -> Database: ...


def _db(target: _HasDb | Database) -> Database:
    return target if isinstance(target, Database) else target.db


def _workspace(target: Workspace | Any) -> Workspace:
    if isinstance(target, Workspace):
        return target
    ws = getattr(target, "workspace", None)
    if isinstance(ws, Workspace):
        return ws
    raise TypeError("erase_customer needs a Workspace or a Session")


# --- reports ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EraseReport:
    """What an erasure did, in counts and file names only (no personal data)."""

    scope: str                                   # "all" | "customer"
    counts: dict[str, int]
    removed: tuple[str, ...] = ()                # files and entries removed (erase all)
    key_destroyed: bool = False                  # erase all: the workspace key no longer exists anywhere we keep it
    rekeyed: bool = False                        # one customer: the database now uses a new key
    recovery_key: str | None = None              # one customer: the NEW recovery key, to show once
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.scope == "all":
            c = self.counts
            if not c.get("workspaces"):
                out.append("There was no workspace to erase; caches, logs and temporary files were cleaned.")
            else:
                out.append(f"Erased {c.get('workspaces', 0)} workspace(s): {c.get('files', 0)} files "
                           f"({c.get('bytes', 0) / 1e6:.1f} MB), {c.get('keyring_entries', 0)} key(s) in the "
                           f"system keyring, {c.get('key_files', 0)} key file(s).")
            out.append(f"Also removed: {c.get('cache_files', 0)} cache file(s), {c.get('log_files', 0)} log file(s), "
                       f"{c.get('temp_folders', 0)} temporary folder(s), {c.get('partial_exports', 0)} unfinished "
                       "export(s).")
            if c.get("server_drafts"):
                out.append(f"Removed {c['server_drafts']} of Comptoir's drafts from the mailbox's Drafts folder.")
            out.append(CRYPTO_ERASURE_NOTE)
            if c.get("workspaces"):
                out.append("A recovery key you wrote down for this workspace matches that ciphertext: destroy "
                           "the paper copy too.")
            out.append("Comptoir will start as on its first day.")
        else:
            c = self.counts
            out.append(f"Erased the customer: {c.get('messages', 0)} message(s), {c.get('threads', 0)} "
                       f"conversation(s), {c.get('attachments', 0)} attachment(s), {c.get('drafts', 0)} draft(s), "
                       f"{c.get('orders', 0)} cached order(s); {c.get('chat_messages_redacted', 0)} assistant chat "
                       f"message(s) redacted; {c.get('ledger_rows_anonymised', 0)} ledger row(s) anonymised.")
            if self.rekeyed:
                out.append("The database was rewritten under a new key, so no page freed by the erasure can be "
                           "decrypted with the old one.")
            if self.recovery_key:
                out.append("Your old recovery key no longer opens this workspace: destroy it. The new one is "
                           "shown once.")
            if c.get("backups"):
                out.append(f"Removed {c['backups']} migration backup(s) made under the old key (they held the "
                           "erased data).")
        out.extend(f"Warning: {w}" for w in self.warnings)
        return out


# --- erase everything ------------------------------------------------------------------------------------------


def _instance_running(paths: AppPaths) -> bool:
    """True when the desktop app holds its lock on this data folder (a live process, not ours)."""
    lock = paths.data / LOCK_NAME
    try:
        first = lock.read_text(encoding="utf-8", errors="replace").splitlines()[0]
        pid = int(first.strip())
    except (OSError, IndexError, ValueError):
        return False
    if pid == os.getpid() or os.name != "posix":
        # Windows: os.kill(pid, 0) would send CTRL_C_EVENT; there, a database still open cannot be deleted,
        # and that failure stops the erasure before any key is touched.
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _workspace_folders(paths: AppPaths) -> list[Path]:
    folders = [paths.workspace, paths.demo_workspace]
    return [f for f in folders if f.is_dir()]


def _size(path: Path) -> int:
    try:
        if path.is_dir() and not path.is_symlink():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        return path.lstat().st_size
    except OSError:
        return 0


def _file_count(path: Path) -> int:
    if path.is_dir() and not path.is_symlink():
        return sum(1 for p in path.rglob("*") if not p.is_dir() or p.is_symlink())
    return 1


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _close_log_files(log_dir: Path) -> None:
    """Close our log file handlers in `log_dir` (Windows cannot delete a file that is open)."""
    root = logging.getLogger("comptoir")
    for handler in list(root.handlers):
        name = getattr(handler, "baseFilename", None)
        if name and Path(name).resolve().is_relative_to(log_dir.resolve()):
            root.removeHandler(handler)
            handler.close()


def _partial_export_folders(paths: AppPaths) -> list[Path]:
    home = Path.home()
    candidates = [paths.data, paths.cache, Path(tempfile.gettempdir()), home,
                  home / "Downloads", home / "Documents", home / "Desktop"]
    seen: list[Path] = []
    for folder in candidates:
        if folder.is_dir() and folder not in seen:
            seen.append(folder)
    return seen


def _is_our_partial(path: Path) -> bool:
    """An unfinished export: `*.partial` named for Comptoir, or a ZIP being written (the export writes
    `<chosen name>.partial` beside the destination and renames it when complete)."""
    if not path.is_file() or path.is_symlink():
        return False
    if path.name.lower().startswith("comptoir"):
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(len(ENCRYPTED_EXPORT_MAGIC))
    except OSError:
        return False
    return head.startswith(b"PK\x03\x04") or head == ENCRYPTED_EXPORT_MAGIC


def erase_everything(paths: AppPaths, service: WorkspaceService, *, workspace: Workspace | None = None,
                     remove_server_drafts: Callable[[], int] | None = None,
                     extra_partials: Iterable[Path] = ()) -> EraseReport:
    """Erase every workspace in `paths` (the merchant's and the demo), their keys, caches, logs, temporary
    files and unfinished exports; Comptoir then starts at first run. Never needs the workspace key.

    Args:
        workspace: the open workspace, if any; it is closed first.
        remove_server_drafts: called first, while the workspace is still open, to remove Comptoir's own drafts
            from the mailbox (`MailService.delete_own_drafts`); if it fails nothing is erased.
        extra_partials: unfinished export files the caller knows about (outside the usual folders).

    Raises UserFacingError, with nothing changed, when the desktop app is running on this data folder or the
    database cannot be deleted (open in another program).
    """
    started = time.perf_counter()
    if _instance_running(paths):
        raise UserFacingError("Comptoir is open on this computer, so its workspace cannot be erased now.",
                              "Close the Comptoir window, then erase again. Nothing was changed.")
    counts: dict[str, int] = {"workspaces": 0, "files": 0, "bytes": 0, "keyring_entries": 0, "key_files": 0,
                              "cache_files": 0, "log_files": 0, "temp_folders": 0, "partial_exports": 0,
                              "server_drafts": 0}
    removed: list[str] = []
    warnings: list[str] = []
    if remove_server_drafts is not None:
        try:
            counts["server_drafts"] = remove_server_drafts()
        except Exception as exc:  # the mail server's business: any failure stops here, before anything is erased
            reason = exc.message if isinstance(exc, UserFacingError) else f"the server failed ({type(exc).__name__})"
            raise UserFacingError(f"Comptoir's drafts could not be removed from the mailbox: {reason}",
                                  "Nothing was erased. Try again, or erase without removing the drafts.") from exc
    if workspace is not None:
        workspace.close()

    key_destroyed = True
    for folder in _workspace_folders(paths):
        boot = read_bootstrap(folder)
        has_db = (folder / DB_NAME).exists()
        if boot is None and not has_db and not (folder / WRAP_NAME).exists():
            continue
        counts["workspaces"] += 1
        # 1. Mark the workspace as being erased: if this is interrupted, the app starts at first run and a new
        #    workspace replaces what is left, instead of asking for a key that no longer exists.
        if boot is not None and not boot.get("damaged"):
            write_bootstrap(folder, {**boot, "complete": False, "erasing": True})
        # 2. The database first: if another program holds it open (Windows), stop before any key is gone.
        db = folder / DB_NAME
        if has_db:
            size = db.stat().st_size
            try:
                db.unlink()
            except OSError as exc:
                if boot is not None and not boot.get("damaged"):
                    write_bootstrap(folder, boot)  # back as it was: nothing was erased
                untouched = "Nothing was changed." if counts["workspaces"] == 1 else "Run the erasure again."
                raise UserFacingError("The workspace database is in use by another program, so it was not erased.",
                                      f"Close Comptoir (and any backup tool using {folder}), then erase again. "
                                      f"{untouched}") from exc
            counts["files"] += 1
            counts["bytes"] += size
            removed.append(str(db))
        # 3. The keys: keyring entries (current and a pending one from an interrupted re-key) and key files.
        workspace_id = str((boot or {}).get("workspace_id") or "")
        if not workspace_id and not (folder / WRAP_NAME).exists():
            key_destroyed = False
            warnings.append("workspace.json was missing or damaged, so Comptoir cannot tell which system keyring "
                            "entry held this workspace's key: remove the entries named \"Comptoir\" / "
                            "\"workspace-…\" with your keyring manager.")
        if workspace_id and (boot or {}).get("key_mode") == KeyMode.KEYRING:
            for slot in ("", PENDING_SLOT):
                try:
                    if service.keystore.delete_key(workspace_id, slot=slot):
                        counts["keyring_entries"] += 1
                        removed.append(f"keyring: Comptoir / workspace-{workspace_id[:8]}…{'.' + slot if slot else ''}")
                except Exception as exc:
                    key_destroyed = False
                    warnings.append(f"The key could not be removed from the system keyring ({type(exc).__name__}). "
                                    f"Remove the entry \"Comptoir\" / \"workspace-{workspace_id}\" with your "
                                    "keyring manager.")
                    break
        for name in (WRAP_NAME, PENDING_WRAP_NAME):
            path = folder / name
            if path.exists():
                path.unlink()
                counts["key_files"] += 1
                removed.append(str(path))
        # 4. Everything else Comptoir writes in the workspace folder.
        leftovers = [folder / f"{DB_NAME}{suffix}" for suffix in ("-wal", "-shm", "-journal", REKEY_SUFFIX,
                                                                 f"{REKEY_SUFFIX}-journal")]
        leftovers += [folder / "backups", folder / LOCK_NAME]
        leftovers += [p for p in folder.glob(".*.tmp")]  # atomic-write temp files (workspace.json, key.wrap)
        if folder != paths.workspace:  # the demo folder is Comptoir's own, whole
            leftovers += [p for p in folder.iterdir() if p.name != BOOTSTRAP_NAME]
        for path in leftovers:
            if path.exists() or path.is_symlink():
                files, size = _file_count(path), _size(path)
                try:
                    _remove(path)
                except OSError as exc:  # e.g. the running app's own lock file on Windows: say so, go on
                    warnings.append(f"{path} could not be deleted ({type(exc).__name__}).")
                    continue
                counts["files"] += files
                counts["bytes"] += size
                removed.append(str(path))

    # 5. Caches, logs (our own file handlers closed first), private temp folders, unfinished exports.
    _close_log_files(paths.logs)
    for kind, folder in (("cache_files", paths.cache), ("log_files", paths.logs)):
        if folder.is_dir():
            for path in list(folder.iterdir()):
                files = _file_count(path)
                try:
                    _remove(path)
                except OSError as exc:
                    warnings.append(f"{path} could not be deleted ({type(exc).__name__}).")
                    continue
                counts[kind] += files
            removed.append(str(folder))
    temp = Path(tempfile.gettempdir())
    for path in temp.glob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink() and path.stat().st_uid == _uid():
                shutil.rmtree(path)
                counts["temp_folders"] += 1
                removed.append(str(path))
    partials = [p for folder in _partial_export_folders(paths) for p in folder.glob(f"*{PARTIAL_SUFFIX}")]
    for path in [*partials, *extra_partials]:
        if _is_our_partial(path):
            with contextlib.suppress(OSError):
                path.unlink()
                counts["partial_exports"] += 1
                removed.append(str(path))

    # 6. Last, the bootstrap files: from now on Comptoir starts at first run.
    for folder in _workspace_folders(paths):
        boot_file = folder / BOOTSTRAP_NAME
        if boot_file.exists():
            boot_file.unlink()
            removed.append(str(boot_file))
        if folder != paths.workspace:
            with contextlib.suppress(OSError):
                folder.rmdir()
    for folder in (paths.cache, paths.logs):
        with contextlib.suppress(OSError):
            folder.rmdir()
    with contextlib.suppress(OSError):
        paths.data.rmdir()  # only when nothing else is in it

    left = [p for p in _workspace_folders(paths)
            for p in [p / DB_NAME, p / WRAP_NAME, p / PENDING_WRAP_NAME, p / BOOTSTRAP_NAME] if p.exists()]
    if left:
        warnings.append(f"{len(left)} file(s) could not be deleted: {', '.join(str(p) for p in left)}.")
    report = EraseReport("all", counts, tuple(removed), key_destroyed=key_destroyed and not left,
                         warnings=tuple(warnings), seconds=time.perf_counter() - started)
    log.info("erased everything: %s", json.dumps(counts, sort_keys=True))
    return report


def _uid() -> int:
    return os.getuid() if hasattr(os, "getuid") else -1


# --- one customer: finding and showing -------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Case- and accent-insensitive form for matching what the merchant types."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def find_customers(target: _HasDb | Database, query: str, *, limit: int = 50) -> list[CustomerSummary]:
    """Customers whose name, address or phone contains every word of `query` (case and accents ignored)."""
    words = [_fold(w) for w in query.split() if w.strip()]
    if not words:
        return []

    def _find(conn: Connection) -> list[CustomerSummary]:
        rows = conn.execute(
            "SELECT c.id, c.display_name, c.first_name, c.last_name, c.phone, "
            "(SELECT group_concat(email, ' ') FROM (SELECT email FROM customer_addresses a WHERE a.customer_id = c.id "
            "ORDER BY a.is_primary DESC, a.id)), "
            "(SELECT count(*) FROM threads t WHERE t.customer_id = c.id), "
            "(SELECT count(*) FROM orders o WHERE o.customer_id = c.id), c.no_ai, c.no_marketing "
            "FROM customers c ORDER BY c.display_name COLLATE NOCASE, c.id").fetchall()
        # A phone number, however it is written (+33 6…, 06…): compare the national digits.
        dialled = re.sub(r"\D", "", query)
        phone_query = len(dialled) >= 6 and not re.search(r"[^\W\d_]", query)
        found = []
        for r in rows:
            digits = re.sub(r"\D", "", r[4] or "")
            haystack = _fold(" ".join(str(v or "") for v in (r[1], r[2], r[3], r[4], r[5])))
            if phone_query:
                hit = bool(digits) and (dialled in digits or digits.endswith(dialled[-9:]))
            else:
                hit = all(w in haystack for w in words)
            if hit:
                found.append(CustomerSummary(r[0], r[1], tuple((r[5] or "").split()), r[6], r[7], bool(r[8]),
                                             bool(r[9])))
                if len(found) >= limit:
                    break
        return found

    return _db(target).call(_find)


def customer_by_email(target: _HasDb | Database, email: str) -> int | None:
    """The customer who has `email` among their addresses (case-insensitive), or None."""
    return _db(target).call(lambda c: platform_repo.customer_by_email(c, email))


@dataclass(frozen=True)
class CustomerRecord:
    id: int
    display_name: str
    first_name: str
    last_name: str
    phone: str
    locale: str
    emails: tuple[str, ...]
    no_ai: bool
    no_marketing: bool
    notes: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class HeldThread:
    id: int
    subject: str
    status: str
    message_count: int
    last_message_at: str


@dataclass(frozen=True)
class HeldMessage:
    id: int
    thread_id: int | None
    date: str
    direction: str
    from_addr: str
    subject: str
    attachments: int
    size: int


@dataclass(frozen=True)
class HeldDraft:
    id: int
    thread_id: int
    status: str
    subject: str
    in_mailbox: bool
    updated_at: str


@dataclass(frozen=True)
class HeldOrder:
    id: int
    shop_id: int
    number: str
    status: str
    total: str
    currency: str
    placed_at: str
    fetched_at: str


@dataclass(frozen=True)
class ChatMention:
    chat_id: int
    chat_message_id: int
    role: str
    created_at: str
    excerpt: str


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    at: str
    destination: str
    kind: str
    purpose: str
    data_categories: str
    bytes_out: int


@dataclass(frozen=True)
class Holdings:
    """Everything the workspace holds about one customer (GDPR art. 15)."""

    customer: CustomerRecord
    threads: tuple[HeldThread, ...]
    messages: tuple[HeldMessage, ...]
    drafts: tuple[HeldDraft, ...]
    orders: tuple[HeldOrder, ...]
    chat_mentions: tuple[ChatMention, ...]
    ledger: tuple[LedgerEntry, ...]
    pseudonyms: int

    def counts(self) -> dict[str, int]:
        return {"threads": len(self.threads), "messages": len(self.messages),
                "attachments": sum(m.attachments for m in self.messages), "drafts": len(self.drafts),
                "orders": len(self.orders), "chat_mentions": len(self.chat_mentions), "ledger": len(self.ledger),
                "pseudonyms": self.pseudonyms}

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "counts": self.counts()}


@dataclass(frozen=True)
class _Identifiers:
    """A customer's identifiers as they may appear in free text (chats, pseudonym maps)."""

    emails: tuple[str, ...]
    full_names: tuple[str, ...]
    name_parts: tuple[str, ...]          # single words of at least 3 letters
    last_names: tuple[str, ...]
    phones: tuple[str, ...]
    refs: tuple[str, ...]                # order and tracking numbers (without '#')
    thread_ids: tuple[int, ...] = ()
    message_ids: tuple[int, ...] = ()

    def strong(self) -> re.Pattern[str] | None:
        """Identifiers that point at this person on their own: addresses, full and last names, phone, refs."""
        return _pattern(self.emails, (*self.full_names, *self.last_names), self.phones, self.refs)

    def every(self) -> re.Pattern[str] | None:
        return _pattern(self.emails, (*self.full_names, *self.name_parts), self.phones, self.refs)

    def values(self) -> set[str]:
        return {v.casefold() for v in (*self.emails, *self.full_names, *self.phones, *self.refs)}


_WORD = re.compile(r"[^\W\d_]{3,}")


def _variants(text: str) -> list[str]:
    """`text` and its JSON-escaped form (tool calls are JSON), without duplicates."""
    escaped = json.dumps(text)[1:-1]
    return [text] if escaped == text else [text, escaped]


def _phone_pattern(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 6:
        return None
    core = digits[-9:] if len(digits) >= 9 else digits  # the national number, whatever the prefix (+33 / 0)
    body = r"[\s.\-/]?".join(re.escape(d) for d in core)
    return rf"(?:\+?\d{{1,3}}[\s.\-/]?(?:\(0\)[\s.\-/]?)?|0)?{body}"


def _pattern(emails: Sequence[str], names: Sequence[str], phones: Sequence[str], refs: Sequence[str]
             ) -> re.Pattern[str] | None:
    alternatives: list[str] = []
    words = {v for text in (*emails, *names) if text for v in _variants(text)}
    alternatives += [re.escape(w) for w in sorted(words, key=len, reverse=True)]
    alternatives += [p for p in (_phone_pattern(ph) for ph in phones) if p]
    alternatives += [rf"#?{re.escape(r)}" for r in sorted(set(refs), key=len, reverse=True) if r]
    if not alternatives:
        return None
    return re.compile(r"(?<![\w@+])(?:" + "|".join(alternatives) + r")(?![\w@])", re.IGNORECASE)


def _identifiers(conn: Connection, customer_id: int) -> _Identifiers:
    row = conn.execute("SELECT display_name, first_name, last_name, phone FROM customers WHERE id = ?",
                       (customer_id,)).fetchone()
    if row is None:
        raise UserFacingError("This customer is no longer in the workspace.", "Search for them again.")
    display, first, last, phone = (str(v or "") for v in row)
    emails = [r[0] for r in conn.execute("SELECT email FROM customer_addresses WHERE customer_id = ?", (customer_id,))]
    threads = [int(r[0]) for r in conn.execute("SELECT id FROM threads WHERE customer_id = ?", (customer_id,))]
    others = {r[0].casefold() for r in conn.execute(
        "SELECT email FROM customer_addresses WHERE customer_id != ?", (customer_id,))}
    marks = ",".join("?" * len(threads))
    names = {display, f"{first} {last}".strip()}
    refs: set[str] = set()
    if threads:
        for addr, name, nums in conn.execute(
                f"SELECT from_addr, from_name, ref_numbers FROM messages WHERE thread_id IN ({marks}) "
                "AND direction = 'in'", threads):
            if addr and addr.casefold() not in others:
                emails.append(addr)
                names.add(name or "")
            refs.update((nums or "").split())
    lowered = {e.casefold() for e in emails}
    message_ids: set[int] = set()
    if threads:
        message_ids.update(int(r[0]) for r in conn.execute(f"SELECT id FROM messages WHERE thread_id IN ({marks})",
                                                             threads))
    # Messages they sent outside their own conversations (index messages_from). Replies to them are in their
    # threads: the sync files an outgoing message under its first recipient's customer.
    for email in lowered:
        message_ids.update(int(r[0]) for r in conn.execute(
            "SELECT id FROM messages WHERE from_addr = ? COLLATE NOCASE", (email,)))
    # A number they quoted that is another customer's order (a mistake, or someone fishing) is not theirs.
    refs -= {str(r[0]).lstrip("#") for r in conn.execute(
        "SELECT number FROM orders WHERE customer_id IS NOT NULL AND customer_id != ?", (customer_id,))}
    for number, tracking in conn.execute("SELECT number, tracking FROM orders WHERE customer_id = ? OR email IN "
                                         f"({','.join('?' * len(lowered))})", (customer_id, *lowered)):
        refs.add(str(number).lstrip("#"))
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            refs.update(str(t.get("number", "")) for t in json.loads(tracking or "[]"))
    names.discard("")
    full_names = tuple(sorted({n for n in names if len(_WORD.findall(n)) >= 2}))  # one word alone is too common
    parts = tuple(sorted({w for n in names for w in _WORD.findall(n)}))
    last_names = tuple(sorted({w for w in _WORD.findall(last)}))
    return _Identifiers(emails=tuple(sorted(set(emails), key=str.casefold)), full_names=full_names,
                        name_parts=parts, last_names=last_names, phones=(phone,) if phone.strip() else (),
                        refs=tuple(sorted(r for r in refs if r)), thread_ids=tuple(threads),
                        message_ids=tuple(sorted(message_ids)))


def _customer_record(conn: Connection, customer_id: int) -> CustomerRecord:
    row = conn.execute("SELECT id, display_name, first_name, last_name, phone, locale, no_ai, no_marketing, notes, "
                       "created_at, updated_at FROM customers WHERE id = ?", (customer_id,)).fetchone()
    if row is None:
        raise UserFacingError("This customer is no longer in the workspace.", "Search for them again.")
    emails = tuple(r[0] for r in conn.execute(
        "SELECT email FROM customer_addresses WHERE customer_id = ? ORDER BY is_primary DESC, id", (customer_id,)))
    return CustomerRecord(row[0], row[1], row[2], row[3], row[4], row[5], emails, bool(row[6]), bool(row[7]), row[8],
                          row[9], row[10])


_ChatRow = tuple[int, str, str | None, str, str]  # id, content, tool_calls, role, created_at


def _chat_hits(conn: Connection, ids: _Identifiers) -> dict[int, list[_ChatRow]]:
    """Chats that name the customer (an address, full or last name, phone, order or tracking number), with all
    their messages: within such a chat a first name alone refers to them too."""
    strong = ids.strong()
    if strong is None:
        return {}
    hits: dict[int, list[_ChatRow]] = {}
    by_chat: dict[int, list[_ChatRow]] = {}
    titles = dict(conn.execute("SELECT id, title FROM chats").fetchall())
    for mid, chat_id, content, tool_calls, role, created in conn.execute(
            "SELECT id, chat_id, content, tool_calls, role, created_at FROM chat_messages ORDER BY chat_id, id"):
        by_chat.setdefault(chat_id, []).append((mid, content or "", tool_calls, role, created))
    for chat_id, rows in by_chat.items():
        texts = [titles.get(chat_id) or ""] + [r[1] for r in rows] + [r[2] or "" for r in rows]
        if any(strong.search(t) for t in texts):
            hits[chat_id] = rows
    for chat_id, title in titles.items():
        if chat_id not in hits and title and strong.search(title):
            hits[chat_id] = by_chat.get(chat_id, [])
    return hits


def customer_holdings(target: _HasDb | Database, customer_id: int) -> Holdings:
    """Everything held about one customer: their record, conversations, messages, drafts, cached orders, the
    assistant chats that mention them, the ledger rows about them and the pseudonym map size."""

    def _collect(conn: Connection) -> Holdings:
        record = _customer_record(conn, customer_id)
        ids = _identifiers(conn, customer_id)
        tmarks = ",".join("?" * len(ids.thread_ids))
        mmarks = ",".join("?" * len(ids.message_ids))
        threads = tuple(HeldThread(*r) for r in conn.execute(
            f"SELECT id, subject, status, message_count, COALESCE(last_message_at, '') FROM threads WHERE id IN "
            f"({tmarks}) ORDER BY last_message_at DESC, id DESC", ids.thread_ids)) if ids.thread_ids else ()
        messages = tuple(HeldMessage(*r) for r in conn.execute(
            "SELECT m.id, m.thread_id, COALESCE(m.date, ''), m.direction, m.from_addr, m.subject, "
            "(SELECT count(*) FROM attachments a WHERE a.message_id = m.id), m.size FROM messages m "
            f"WHERE m.id IN ({mmarks}) AND COALESCE(m.parse_error, '') != ? ORDER BY m.date, m.id",
            (*ids.message_ids, TOMBSTONE))) if ids.message_ids else ()
        drafts = tuple(HeldDraft(r[0], r[1], r[2], r[3], r[4] is not None, r[5]) for r in conn.execute(
            f"SELECT id, thread_id, status, subject, imap_uid, updated_at FROM drafts WHERE thread_id IN ({tmarks}) "
            + _drafts_to(ids), (*ids.thread_ids, *[e.casefold() for e in ids.emails])))
        emails = [e.casefold() for e in ids.emails]
        orders = tuple(HeldOrder(*r) for r in conn.execute(
            "SELECT id, shop_id, number, status, total, currency, COALESCE(placed_at, ''), fetched_at FROM orders "
            f"WHERE customer_id = ? OR email IN ({','.join('?' * len(emails))}) ORDER BY placed_at DESC, id DESC",
            (customer_id, *emails)))
        mentions: list[ChatMention] = []
        every = ids.every()
        for chat_id, rows in _chat_hits(conn, ids).items():
            for mid, content, tool_calls, role, created in rows:
                text = content + " " + (tool_calls or "")
                match = every.search(text) if every else None
                if match:
                    start = max(0, match.start() - 40)
                    mentions.append(ChatMention(chat_id, mid, role, created,
                                                text[start:match.end() + 40].replace("\n", " ")))
        ledger = tuple(LedgerEntry(*r) for r in conn.execute(
            "SELECT id, at, destination, kind, purpose, data_categories, bytes_out FROM egress_ledger "
            f"WHERE customer_id = ? OR thread_id IN ({tmarks}) ORDER BY at, id", (customer_id, *ids.thread_ids)))
        pseudonyms = int(conn.execute(
            f"SELECT count(*) FROM pseudonyms WHERE thread_id IN ({tmarks})", ids.thread_ids).fetchone()[0])
        return Holdings(record, threads, messages, drafts, orders, tuple(mentions), ledger, pseudonyms)

    return _db(target).call(_collect)


def _drafts_to(ids: _Identifiers) -> str:
    """SQL tail: drafts addressed to one of the customer's addresses (parameters: the folded addresses)."""
    return "".join(" OR instr(lower(to_addrs), ?) > 0" for _ in ids.emails)


# --- one customer: rectify and restrict ------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_PHONE = re.compile(r"^[0-9+()./\s-]{0,32}$")


def _privacy_log(conn: Connection, action: str, details: dict[str, Any]) -> None:
    conn.execute("INSERT INTO privacy_log(action, details) VALUES (?, ?)",
                 (action, json.dumps(details, sort_keys=True)))


def rectify_customer(target: _HasDb | Database, customer_id: int, *, display_name: str | None = None,
                     first_name: str | None = None, last_name: str | None = None, phone: str | None = None,
                     add_emails: Sequence[str] = (), remove_emails: Sequence[str] = ()) -> CustomerRecord:
    """Correct what is held about a customer (GDPR art. 16). Only the given fields change."""
    for email in add_emails:
        if not _EMAIL.match(email.strip()):
            raise UserFacingError(f"{email!r} is not an e-mail address.", "For example: claire@example.fr")
    if phone is not None and not _PHONE.match(phone):
        raise UserFacingError("A phone number holds digits, spaces and + ( ) . - / only.",
                              "For example: +33 6 12 34 56 78")
    for label, value in (("name", display_name), ("first name", first_name), ("last name", last_name)):
        if value is not None and (len(value) > 200 or any(ch in value for ch in "\r\n\t")):
            raise UserFacingError(f"The {label} is too long or holds line breaks.", "Type it on one line.")

    def _rectify(conn: Connection) -> CustomerRecord:
        before = _customer_record(conn, customer_id)
        changed: list[str] = []
        first = before.first_name if first_name is None else first_name.strip()
        last = before.last_name if last_name is None else last_name.strip()
        display = before.display_name
        if display_name is not None:
            display = display_name.strip()
        elif (first_name is not None or last_name is not None) and \
                before.display_name in ("", f"{before.first_name} {before.last_name}".strip()):
            display = f"{first} {last}".strip() or display  # the display name was made from the two: follow them
        new_phone = before.phone if phone is None else phone.strip()
        for name, old, new in (("display_name", before.display_name, display), ("first_name", before.first_name, first),
                               ("last_name", before.last_name, last), ("phone", before.phone, new_phone)):
            if old != new:
                changed.append(name)
        conn.execute("UPDATE customers SET display_name = ?, first_name = ?, last_name = ?, phone = ?, "
                     "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
                     (display, first, last, new_phone, customer_id))
        for email in add_emails:
            owner = conn.execute("SELECT customer_id FROM customer_addresses WHERE email = ?",
                                 (email.strip(),)).fetchone()
            if owner and owner[0] != customer_id:
                raise UserFacingError(f"{email} already belongs to another customer.",
                                      "Nothing was changed. Erase or correct that customer first.")
            if not owner:
                conn.execute("INSERT INTO customer_addresses(customer_id, email, is_primary) VALUES (?, ?, 0)",
                             (customer_id, email.strip()))
                changed.append("email_added")
        for email in remove_emails:
            gone = conn.execute("DELETE FROM customer_addresses WHERE customer_id = ? AND email = ?",
                                (customer_id, email.strip())).rowcount
            if not gone:
                raise UserFacingError(f"{email} is not one of this customer's addresses.", "Nothing was changed.")
            changed.append("email_removed")
        left = conn.execute("SELECT id, is_primary FROM customer_addresses WHERE customer_id = ? ORDER BY "
                            "is_primary DESC, id", (customer_id,)).fetchall()
        if not left and before.emails:
            raise UserFacingError("A customer keeps at least one address.",
                                  "Nothing was changed. Add the new address in the same command.")
        if left and not left[0][1]:
            conn.execute("UPDATE customer_addresses SET is_primary = 1 WHERE id = ?", (left[0][0],))
        if changed:
            _privacy_log(conn, "rectify_customer", {"fields": sorted(set(changed))})
        return _customer_record(conn, customer_id)

    return _db(target).write(_rectify)


def restrict_customer(target: _HasDb | Database, customer_id: int, *, no_ai: bool | None = None,
                      no_marketing: bool | None = None) -> CustomerRecord:
    """Set the customer's restriction and objection flags (GDPR art. 18 and 21): never send their data to an AI
    provider; leave them out of newsletters. `None` leaves a flag as it is."""

    def _restrict(conn: Connection) -> CustomerRecord:
        before = _customer_record(conn, customer_id)
        ai = before.no_ai if no_ai is None else no_ai
        marketing = before.no_marketing if no_marketing is None else no_marketing
        if (ai, marketing) != (before.no_ai, before.no_marketing):
            conn.execute("UPDATE customers SET no_ai = ?, no_marketing = ?, updated_at = "
                         "strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?", (int(ai), int(marketing), customer_id))
            _privacy_log(conn, "restrict_customer", {"no_ai": ai, "no_marketing": marketing})
        return _customer_record(conn, customer_id)

    return _db(target).write(_restrict)


# --- one customer: erase ---------------------------------------------------------------------------------------

_TOMBSTONE_SQL = (
    "UPDATE messages SET thread_id = NULL, message_id = NULL, in_reply_to = NULL, references_ids = '', subject = '', "
    "from_addr = '', from_name = '', to_addrs = '', cc_addrs = '', names = '', date = NULL, internal_date = NULL, "
    "flags = '', is_read = 1, is_answered = 0, snippet = '', body_text = '', body_html = NULL, ref_numbers = '', "
    "language = NULL, raw = NULL, raw_sha256 = NULL, size = 0, has_attachments = 0, parse_error = ?, "
    "hidden_content = NULL WHERE id IN ({marks})"
)


def tombstone_or_delete(conn: Connection, message_ids: Sequence[int]) -> int:
    """Remove messages: those synced from a mailbox are emptied (folder, UIDVALIDITY and UID stay, so the next
    sync does not fetch them again), the others deleted. Attachments go in both cases; the FTS triggers
    remove their words from the index (secure-delete). Returns how many messages went."""
    done = 0
    for start in range(0, len(message_ids), 5000):
        chunk = list(message_ids[start:start + 5000])
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM attachments WHERE message_id IN ({marks})", chunk)
        synced = [r[0] for r in conn.execute(
            f"SELECT id FROM messages WHERE id IN ({marks}) AND uid IS NOT NULL AND folder_id IS NOT NULL", chunk)]
        if synced:
            conn.execute(_TOMBSTONE_SQL.format(marks=",".join("?" * len(synced))), (TOMBSTONE, *synced))
        others = sorted(set(chunk) - set(synced))
        if others:
            conn.execute(f"DELETE FROM messages WHERE id IN ({','.join('?' * len(others))})", others)
        done += len(chunk)
    return done


def _redact(text: str | None, pattern: re.Pattern[str]) -> tuple[str | None, int]:
    if not text:
        return text, 0
    return pattern.subn(REDACTED, text)


def _erase_rows(conn: Connection, customer_id: int, step: StepHook) -> dict[str, int]:
    ids = _identifiers(conn, customer_id)
    threads, messages = list(ids.thread_ids), list(ids.message_ids)
    tmarks = ",".join("?" * len(threads))
    emails = [e.casefold() for e in ids.emails]
    counts: dict[str, int] = {"threads": len(threads)}
    counts["ledger_rows_anonymised"] = conn.execute(
        "UPDATE egress_ledger SET customer_id = NULL, thread_id = NULL "
        f"WHERE customer_id = ? OR thread_id IN ({tmarks})",
        (customer_id, *threads)).rowcount
    counts["drafts"] = conn.execute(f"DELETE FROM drafts WHERE thread_id IN ({tmarks}){_drafts_to(ids)}",
                                    (*threads, *emails)).rowcount
    values = ids.values()
    pseudonym_ids = [r[0] for r in conn.execute("SELECT id, value FROM pseudonyms").fetchall()
                     if r[0] is not None and str(r[1]).casefold() in values]
    counts["pseudonyms"] = conn.execute(
        f"DELETE FROM pseudonyms WHERE thread_id IN ({tmarks}) OR id IN ({','.join('?' * len(pseudonym_ids))})",
        (*threads, *pseudonym_ids)).rowcount
    counts["attachments"] = int(conn.execute(
        f"SELECT count(*) FROM attachments WHERE message_id IN ({','.join('?' * len(messages))})",
        messages).fetchone()[0]) if messages else 0
    touched = {r[0] for r in conn.execute(
        f"SELECT DISTINCT thread_id FROM messages WHERE id IN ({','.join('?' * len(messages))}) "
        "AND thread_id IS NOT NULL", messages)} - set(threads) if messages else set()
    counts["messages"] = tombstone_or_delete(conn, messages)
    conn.execute(f"DELETE FROM threads WHERE id IN ({tmarks})", threads)
    for thread_id in touched:  # another conversation lost a message of theirs: its figures follow
        mail_repo.refresh_thread(conn, thread_id)
    counts["orders"] = conn.execute(
        f"DELETE FROM orders WHERE customer_id = ? OR email IN ({','.join('?' * len(emails))})",
        (customer_id, *emails)).rowcount
    counts["addresses"] = conn.execute("DELETE FROM customer_addresses WHERE customer_id = ?", (customer_id,)).rowcount
    conn.execute("DELETE FROM customers WHERE id = ?", (customer_id,))
    every = ids.every()
    redacted = 0
    chats = _chat_hits(conn, ids)
    if every is not None:
        for chat_id, rows in chats.items():
            for mid, content, tool_calls, _role, _created in rows:
                new_content, n1 = _redact(content, every)
                new_calls, n2 = _redact(tool_calls, every)
                if n1 or n2:
                    conn.execute("UPDATE chat_messages SET content = ?, tool_calls = ? WHERE id = ?",
                                 (new_content, new_calls, mid))
                    redacted += 1
            title = conn.execute("SELECT title FROM chats WHERE id = ?", (chat_id,)).fetchone()
            new_title, n3 = _redact(title[0] if title else None, every)
            if n3:
                conn.execute("UPDATE chats SET title = ? WHERE id = ?", (new_title, chat_id))
    counts["chats"] = len(chats)
    counts["chat_messages_redacted"] = redacted
    # Counts only, and "pending" until the database has been re-keyed (finish_interrupted_erasure looks for it).
    _privacy_log(conn, "erase_customer", {"counts": counts, "rekey": "pending"})
    step("in-transaction")
    return counts


def _pending_erasures(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT details FROM privacy_log WHERE action = 'erase_customer' AND "
                        "json_extract(details, '$.rekey') = 'pending' ORDER BY id").fetchall()
    return [json.loads(r[0]) for r in rows]


def _progress(job: Job, done: int, label: str) -> None:
    """Progress after the commit: reported, but cancelling no longer stops the re-key."""
    with contextlib.suppress(Cancelled):
        job.progress(done, 5, label)


def _finish(workspace: Workspace, counts: dict[str, int], job: Job, step: StepHook, started: float) -> EraseReport:
    """The part after the commit: re-key into a fresh file, drop backups made under the old key, mark done."""
    _progress(job, 2, "Rewriting the database under a new key…")
    key = new_key()
    storage = workspace.key_storage
    workspace.db.rekey(key, stage=lambda: storage.stage(key), promote=lambda: storage.promote(key), on_step=step)
    _progress(job, 4, "Removing old backups…")
    backups = 0
    folder = workspace.path / "backups"
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file():
                path.unlink()
                backups += 1
    counts = {**counts, "backups": backups}
    workspace.db.write(lambda c: c.execute(
        "UPDATE privacy_log SET details = json_set(details, '$.rekey', 'done') WHERE action = 'erase_customer' "
        "AND json_extract(details, '$.rekey') = 'pending'"))
    step("finished")
    _progress(job, 5, "Done")
    recovery = None if workspace.info.key_mode == KeyMode.EPHEMERAL else format_recovery_key(key)
    log.info("erased a customer and re-keyed the database: %s", json.dumps(counts, sort_keys=True))
    return EraseReport("customer", counts, rekeyed=True, recovery_key=recovery,
                       seconds=time.perf_counter() - started)


def erase_customer(target: Workspace | Any, customer_id: int, *, job: Job | None = None,
                   on_step: StepHook | None = None) -> EraseReport:
    """Erase one customer (GDPR art. 17) and re-key the database. `target`: a Workspace or a Session.

    In one transaction: their conversations with every message (synced ones emptied, see the module
    docstring), attachments, drafts (also drafts addressed to them elsewhere), pseudonym maps, cached orders,
    addresses and record; their identifiers in assistant chats replaced by "[erased]"; ledger rows about
    them kept but anonymised; a privacy_log row with counts only. Then the database is re-encrypted under a
    new key (`Database.rekey`) and migration backups made under the old key are deleted.

    `on_step` is told each step's name (tests use it to stop the process at a precise point). Cancelling
    (the job's token) is honoured until the transaction starts; after the commit the re-key always runs.
    Returns the report with the new recovery key, which the merchant must be shown (the old one is void).
    """
    workspace = _workspace(target)
    job = job or Job()
    step = on_step or (lambda _name: None)
    started = time.perf_counter()
    workspace.key_storage.check()  # before anything changes: a new key must be storable
    if workspace.db.call(_pending_erasures):
        earlier = finish_interrupted_erasure(workspace, job=job, on_step=step)
        assert earlier is not None
    job.progress(0, 5, "Erasing the customer's data…")
    counts = workspace.db.write(lambda c: _erase_rows(c, customer_id, step))
    step("committed")
    return _finish(workspace, counts, job, step, started)


def finish_interrupted_erasure(target: Workspace | Any, *, job: Job | None = None,
                               on_step: StepHook | None = None) -> EraseReport | None:
    """Finish a per-customer erasure whose re-key was interrupted (crash, power cut); None if there is none.

    The app calls it after unlocking (with retention); `erase --customer` calls it too. The report carries
    the new recovery key.
    """
    workspace = _workspace(target)
    pending = workspace.db.call(_pending_erasures)
    if not pending:
        return None
    workspace.key_storage.check()
    counts: dict[str, int] = {}
    for details in pending:
        for name, value in dict(details.get("counts", {})).items():
            counts[name] = counts.get(name, 0) + int(value)
    return _finish(workspace, counts, job or Job(), on_step or (lambda _name: None), time.perf_counter())

