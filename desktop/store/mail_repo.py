"""Mail in the store: accounts, folders, messages with their threads and customers, drafts.

Every function runs on the DB thread inside the caller's transaction. Inserting a message is
idempotent: (folder, UIDVALIDITY, UID) is unique, so a sync that is killed and run again never
duplicates anything.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.core.mail import AccountConfig, IncomingMessage, ParsedMessage, Security, normalize_subject
from desktop.core.refs import ref_numbers

Conn = Any  # sqlcipher3.Connection (untyped library)
SUBJECT_FALLBACK_DAYS = 30


# --- accounts -----------------------------------------------------------------------------------


def add_account(conn: Conn, cfg: AccountConfig, password: str) -> int:
    cur = conn.execute(
        "INSERT INTO accounts(name, email, display_name, signature, imap_host, imap_port, imap_security, imap_user, "
        "smtp_host, smtp_port, smtp_security, smtp_user, secret, trusted_cert_sha256) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (cfg.name, cfg.email, cfg.display_name, cfg.signature, cfg.imap_host, cfg.imap_port, str(cfg.imap_security),
         cfg.imap_user, cfg.smtp_host, cfg.smtp_port, str(cfg.smtp_security), cfg.smtp_user,
         json.dumps({"password": password}), cfg.trusted_cert_sha256),
    )
    return int(cur.lastrowid)


def update_account(conn: Conn, account_id: int, cfg: AccountConfig, password: str | None) -> None:
    conn.execute(
        "UPDATE accounts SET name=?, email=?, display_name=?, signature=?, imap_host=?, imap_port=?, imap_security=?, "
        "imap_user=?, smtp_host=?, smtp_port=?, smtp_security=?, smtp_user=?, trusted_cert_sha256=?, "
        "updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?",
        (cfg.name, cfg.email, cfg.display_name, cfg.signature, cfg.imap_host, cfg.imap_port, str(cfg.imap_security),
         cfg.imap_user, cfg.smtp_host, cfg.smtp_port, str(cfg.smtp_security), cfg.smtp_user, cfg.trusted_cert_sha256,
         account_id),
    )
    if password is not None:
        conn.execute("UPDATE accounts SET secret=? WHERE id=?", (json.dumps({"password": password}), account_id))


def _account(row: tuple[Any, ...]) -> AccountConfig:
    return AccountConfig(
        id=row[0], name=row[1], email=row[2], display_name=row[3], signature=row[4], imap_host=row[5],
        imap_port=row[6], imap_security=Security(row[7]), imap_user=row[8], smtp_host=row[9], smtp_port=row[10],
        smtp_security=Security(row[11]), smtp_user=row[12], trusted_cert_sha256=row[13],
    )


_ACCOUNT_COLS = ("id, name, email, display_name, signature, imap_host, imap_port, imap_security, imap_user, "
                 "smtp_host, smtp_port, smtp_security, smtp_user, trusted_cert_sha256")


def accounts(conn: Conn) -> list[AccountConfig]:
    return [_account(r) for r in conn.execute(f"SELECT {_ACCOUNT_COLS} FROM accounts ORDER BY id")]


def account(conn: Conn, account_id: int) -> AccountConfig | None:
    row = conn.execute(f"SELECT {_ACCOUNT_COLS} FROM accounts WHERE id = ?", (account_id,)).fetchone()
    return _account(row) if row else None


def account_password(conn: Conn, account_id: int) -> str:
    row = conn.execute("SELECT secret FROM accounts WHERE id = ?", (account_id,)).fetchone()
    return str(json.loads(row[0] or "{}").get("password", "")) if row else ""


def remove_account(conn: Conn, account_id: int, *, erase_mail: bool) -> int:
    """Remove an account; with `erase_mail` its messages and threads go too. Returns messages erased."""
    erased = 0
    if erase_mail:
        erased = conn.execute("SELECT count(*) FROM messages WHERE account_id = ?", (account_id,)).fetchone()[0]
        conn.execute("DELETE FROM messages WHERE account_id = ?", (account_id,))
        conn.execute("DELETE FROM threads WHERE account_id = ? AND NOT EXISTS "
                     "(SELECT 1 FROM messages m WHERE m.thread_id = threads.id)", (account_id,))
    else:  # keep the mail readable offline, detached from the mailbox
        conn.execute("UPDATE messages SET account_id = NULL, folder_id = NULL WHERE account_id = ?", (account_id,))
        conn.execute("UPDATE threads SET account_id = NULL WHERE account_id = ?", (account_id,))
    conn.execute("DELETE FROM accounts WHERE id = ?", (account_id,))
    return int(erased)


# --- folders ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FolderRow:
    id: int
    name: str
    role: str
    uidvalidity: int | None
    uidnext: int | None
    highestmodseq: int | None


def ensure_folder(conn: Conn, account_id: int, name: str, role: str) -> FolderRow:
    conn.execute("INSERT INTO folders(account_id, name, role) VALUES (?, ?, ?) "
                 "ON CONFLICT(account_id, name) DO UPDATE SET "
                 "role = CASE WHEN excluded.role = 'other' THEN role ELSE excluded.role END", (account_id, name, role))
    row = conn.execute("SELECT id, name, role, uidvalidity, uidnext, highestmodseq FROM folders "
                       "WHERE account_id = ? AND name = ?", (account_id, name)).fetchone()
    return FolderRow(*row)


def folders(conn: Conn, account_id: int) -> list[FolderRow]:
    rows = conn.execute("SELECT id, name, role, uidvalidity, uidnext, highestmodseq FROM folders WHERE account_id = ? "
                        "AND selected = 1 ORDER BY id", (account_id,)).fetchall()
    return [FolderRow(*r) for r in rows]


def folder_by_role(conn: Conn, account_id: int, role: str) -> FolderRow | None:
    row = conn.execute("SELECT id, name, role, uidvalidity, uidnext, highestmodseq FROM folders "
                       "WHERE account_id = ? AND role = ? ORDER BY id LIMIT 1", (account_id, role)).fetchone()
    return FolderRow(*row) if row else None


def save_folder_state(conn: Conn, folder_id: int, uidvalidity: int, uidnext: int, highestmodseq: int | None) -> None:
    conn.execute("UPDATE folders SET uidvalidity=?, uidnext=?, highestmodseq=?, "
                 "last_sync_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?",
                 (uidvalidity, uidnext, highestmodseq, folder_id))


def remember_uidvalidity(conn: Conn, folder_id: int, uidvalidity: int) -> None:
    """For folders we write to but do not sync (Drafts): enough to never act on a stale UID."""
    conn.execute("UPDATE folders SET uidvalidity = ? WHERE id = ?", (uidvalidity, folder_id))


def local_uids(conn: Conn, folder_id: int, uidvalidity: int) -> set[int]:
    return {r[0] for r in conn.execute("SELECT uid FROM messages WHERE folder_id = ? AND uidvalidity = ?",
                                       (folder_id, uidvalidity))}


def drop_stale_uidvalidity(conn: Conn, folder_id: int, uidvalidity: int) -> int:
    """UIDVALIDITY changed: every UID we hold for this folder is meaningless now. Forget them all."""
    stale = [r[0] for r in conn.execute("SELECT id FROM messages WHERE folder_id = ? AND uidvalidity != ?",
                                        (folder_id, uidvalidity))]
    _delete_messages(conn, stale)
    conn.execute("UPDATE drafts SET imap_uid = NULL WHERE imap_folder_id = ?", (folder_id,))
    return len(stale)


def delete_uids(conn: Conn, folder_id: int, uidvalidity: int, uids: set[int]) -> int:
    ids = []
    for uid in uids:
        row = conn.execute("SELECT id FROM messages WHERE folder_id = ? AND uidvalidity = ? AND uid = ?",
                           (folder_id, uidvalidity, uid)).fetchone()
        if row:
            ids.append(row[0])
    _delete_messages(conn, ids)
    return len(ids)


def _delete_messages(conn: Conn, ids: list[int]) -> None:
    threads = set()
    for mid in ids:
        row = conn.execute("SELECT thread_id FROM messages WHERE id = ?", (mid,)).fetchone()
        if row and row[0] is not None:
            threads.add(row[0])
        conn.execute("DELETE FROM messages WHERE id = ?", (mid,))
    for tid in threads:
        refresh_thread(conn, tid)


def update_flags(conn: Conn, folder_id: int, uidvalidity: int, flags: dict[int, tuple[str, ...]]) -> int:
    changed = 0
    threads = set()
    for uid, fl in flags.items():
        text = " ".join(fl)
        cur = conn.execute(
            "UPDATE messages SET flags = ?, is_read = ?, is_answered = ? WHERE folder_id = ? AND uidvalidity = ? "
            "AND uid = ? AND flags != ? RETURNING thread_id",
            (text, int("\\Seen" in fl), int("\\Answered" in fl), folder_id, uidvalidity, uid, text),
        )
        row = cur.fetchone()
        if row is not None:
            changed += 1
            if row[0] is not None:
                threads.add(row[0])
    for tid in threads:
        refresh_thread(conn, tid)
    return changed


# --- customers and threads ----------------------------------------------------------------------


def customer_for(conn: Conn, email: str, name: str) -> int:
    row = conn.execute("SELECT customer_id FROM customer_addresses WHERE email = ?", (email,)).fetchone()
    if row:
        return int(row[0])
    display = name or email.split("@", 1)[0]
    first, _, last = display.partition(" ") if name else ("", "", "")
    cid = conn.execute("INSERT INTO customers(display_name, first_name, last_name) VALUES (?, ?, ?)",
                       (display, first, last)).lastrowid
    conn.execute("INSERT INTO customer_addresses(customer_id, email, is_primary) VALUES (?, ?, 1)", (cid, email))
    return int(cid)


def merge_customers(conn: Conn, keep: int, other: int) -> None:
    """Several addresses, one person: move everything of `other` onto `keep`."""
    conn.execute("UPDATE customer_addresses SET customer_id = ?, is_primary = 0 WHERE customer_id = ?", (keep, other))
    conn.execute("UPDATE threads SET customer_id = ? WHERE customer_id = ?", (keep, other))
    conn.execute("UPDATE orders SET customer_id = ? WHERE customer_id = ?", (keep, other))
    conn.execute("DELETE FROM customers WHERE id = ?", (other,))


def _find_thread(conn: Conn, account_id: int | None, msg: ParsedMessage, customer_id: int | None,
                 date: str | None) -> int | None:
    ids = [i for i in (msg.message_id, msg.in_reply_to, *reversed(msg.references)) if i]
    for mid in ids:
        row = conn.execute("SELECT thread_id FROM messages WHERE message_id = ? AND thread_id IS NOT NULL LIMIT 1",
                           (mid,)).fetchone()
        if row:
            return int(row[0])
    # A reply already stored (batches are not always in date order) points at this message.
    if msg.message_id:
        row = conn.execute("SELECT thread_id FROM messages WHERE in_reply_to = ? AND thread_id IS NOT NULL LIMIT 1",
                           (msg.message_id,)).fetchone()
        if row:
            return int(row[0])
    # Subject fallback for clients that drop In-Reply-To/References: same customer, same subject, recent.
    subject = normalize_subject(msg.subject)
    if subject and customer_id is not None:
        since = _shift(date, -SUBJECT_FALLBACK_DAYS)
        row = conn.execute(
            "SELECT id FROM threads WHERE customer_id = ? AND normalized_subject = ? "
            "AND (? IS NULL OR last_message_at >= ?) ORDER BY last_message_at DESC LIMIT 1",
            (customer_id, subject, since, since),
        ).fetchone()
        if row:
            return int(row[0])
    return None


def _shift(date: str | None, days: int) -> str | None:
    if not date:
        return None
    try:
        when = datetime.strptime(date, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return (when + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def refresh_thread(conn: Conn, thread_id: int) -> None:
    """Recompute a thread's figures from its messages (or delete it when none is left)."""
    row = conn.execute(
        "SELECT count(*), min(date), max(date), sum(direction = 'in' AND is_read = 0) FROM messages "
        "WHERE thread_id = ?", (thread_id,)).fetchone()
    if not row[0]:
        conn.execute("DELETE FROM threads WHERE id = ? AND NOT EXISTS (SELECT 1 FROM drafts WHERE thread_id = ?)",
                     (thread_id, thread_id))
        return
    last = conn.execute("SELECT direction, is_answered FROM messages WHERE thread_id = ? ORDER BY date DESC, id DESC "
                        "LIMIT 1", (thread_id,)).fetchone()
    status = "answered" if last[0] == "out" or last[1] else "open"
    conn.execute(
        "UPDATE threads SET message_count = ?, first_message_at = ?, last_message_at = ?, unread = ?, "
        "status = CASE WHEN status IN ('closed', 'spam') THEN status ELSE ? END WHERE id = ?",
        (row[0], row[1], row[2], int(row[3] or 0), status, thread_id),
    )


def insert_message(conn: Conn, account_id: int, account_email: str, folder_id: int, role: str,
                   incoming: IncomingMessage, *, refresh: bool = True) -> int | None:
    """Store one synced message with its thread and customer; returns the thread id, None if already there.

    With `refresh=False` the caller recomputes the thread figures once per batch (`refresh_thread`).
    """
    p = incoming.parsed
    exists = conn.execute("SELECT 1 FROM messages WHERE folder_id = ? AND uidvalidity = ? AND uid = ?",
                          (folder_id, incoming.uidvalidity, incoming.uid)).fetchone()
    if exists:
        return None
    sender = p.sender.email if p.sender else ""
    direction = "out" if role == "sent" or (sender and sender.casefold() == account_email.casefold()) else "in"
    if role == "drafts":
        direction = "out"
    external = p.sender if direction == "in" else (p.to[0] if p.to else None)
    customer_id = customer_for(conn, external.email, external.name) if external and external.email else None
    date = p.date or incoming.internal_date
    thread_id = _find_thread(conn, account_id, p, customer_id, date)
    if thread_id is None:
        thread_id = int(conn.execute(
            "INSERT INTO threads(account_id, customer_id, subject, normalized_subject, language, first_message_at, "
            "last_message_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (account_id, customer_id, p.subject, normalize_subject(p.subject), p.language, date, date),
        ).lastrowid)
    elif customer_id is not None:
        conn.execute("UPDATE threads SET customer_id = COALESCE(customer_id, ?) WHERE id = ?", (customer_id, thread_id))
    flags = incoming.flags
    names = " ".join(a.name for a in (p.sender, *p.to, *p.cc) if a and a.name)
    body = p.text
    mid = conn.execute(
        "INSERT INTO messages(account_id, folder_id, thread_id, uidvalidity, uid, modseq, message_id, in_reply_to, "
        "references_ids, direction, subject, from_addr, from_name, to_addrs, cc_addrs, names, date, internal_date, "
        "flags, is_read, is_answered, snippet, body_text, body_html, ref_numbers, language, raw, raw_sha256, size, "
        "has_attachments, parse_error, hidden_content) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
        "?,?,?,?)",
        (account_id, folder_id, thread_id, incoming.uidvalidity, incoming.uid, incoming.modseq, p.message_id,
         p.in_reply_to, " ".join(p.references), direction, p.subject, sender, p.sender.name if p.sender else "",
         ", ".join(a.email for a in p.to), ", ".join(a.email for a in p.cc), names, date, incoming.internal_date,
         " ".join(flags), int("\\Seen" in flags or direction == "out"), int("\\Answered" in flags),
         " ".join(body.split())[:140], body, p.html, ref_numbers(p.subject, body), p.language,
         incoming.raw_compressed, incoming.raw_sha256, incoming.size, int(bool(p.attachments)), p.parse_error,
         ",".join(p.hidden) or None),
    ).lastrowid
    for att in p.attachments:
        conn.execute("INSERT INTO attachments(message_id, filename, content_type, content_id, size, sha256, content) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (mid, att.filename, att.content_type, att.content_id, len(att.content),
                      hashlib.sha256(att.content).hexdigest(), att.content))
    if refresh:
        refresh_thread(conn, thread_id)
    return thread_id


def raw_source(conn: Conn, message_id: int) -> bytes | None:
    row = conn.execute("SELECT raw FROM messages WHERE id = ?", (message_id,)).fetchone()
    return zlib.decompress(row[0]) if row and row[0] else None


# --- drafts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyContext:
    thread_id: int
    account_id: int
    reply_to_id: int
    to_email: str
    to_name: str
    subject: str
    message_id: str | None
    references: tuple[str, ...]


def reply_context(conn: Conn, thread_id: int) -> ReplyContext | None:
    """What a reply to the thread's latest customer message needs."""
    row = conn.execute(
        "SELECT m.id, m.account_id, m.from_addr, m.from_name, m.subject, m.message_id, m.references_ids, t.account_id "
        "FROM messages m JOIN threads t ON t.id = m.thread_id WHERE m.thread_id = ? AND m.direction = 'in' "
        "ORDER BY m.date DESC, m.id DESC LIMIT 1", (thread_id,)).fetchone()
    if row is None:
        return None
    account_id = row[1] or row[7]
    if account_id is None:
        return None
    return ReplyContext(thread_id, int(account_id), row[0], row[2], row[3], row[4], row[5],
                        tuple(r for r in (row[6] or "").split() if r))


def save_draft(conn: Conn, thread_id: int, account_id: int, reply_to_id: int, to_addrs: str, subject: str,
               body: str) -> int:
    row = conn.execute("SELECT id FROM drafts WHERE thread_id = ? AND status IN ('editing', 'in_mailbox', 'failed') "
                       "ORDER BY id DESC LIMIT 1", (thread_id,)).fetchone()
    if row:
        conn.execute("UPDATE drafts SET body = ?, subject = ?, to_addrs = ?, updated_at = "
                     "strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?", (body, subject, to_addrs, row[0]))
        return int(row[0])
    return int(conn.execute(
        "INSERT INTO drafts(thread_id, account_id, reply_to_id, to_addrs, subject, body) VALUES (?, ?, ?, ?, ?, ?)",
        (thread_id, account_id, reply_to_id, to_addrs, subject, body)).lastrowid)


def draft(conn: Conn, draft_id: int) -> dict[str, Any] | None:
    cur = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,))
    row = cur.fetchone()
    return {d[0]: v for d, v in zip(cur.description, row, strict=True)} if row else None


def set_draft_status(conn: Conn, draft_id: int, status: str, *, imap_folder_id: int | None = None,
                     imap_uid: int | None = None, error: str | None = None) -> None:
    conn.execute(
        "UPDATE drafts SET status = ?, imap_folder_id = COALESCE(?, imap_folder_id), "
        "imap_uid = COALESCE(?, imap_uid), error = ?, "
        "sent_at = CASE WHEN ? = 'sent' THEN strftime('%Y-%m-%dT%H:%M:%SZ','now') ELSE sent_at END, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
        (status, imap_folder_id, imap_uid, error, status, draft_id))


def record_egress(conn: Conn, *, destination: str, kind: str, purpose: str, categories: str, bytes_out: int,
                  bytes_in: int = 0, thread_id: int | None = None, status: str = "ok") -> None:
    conn.execute("INSERT INTO egress_ledger(destination, kind, purpose, data_categories, bytes_out, bytes_in, "
                 "thread_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (destination, kind, purpose, categories, bytes_out, bytes_in, thread_id, status))

