"""Queries over the workspace tables. Each function takes the connection and runs on the DB thread."""

from __future__ import annotations

import json
from typing import Any, TypeAlias

import sqlcipher3

from desktop.core.models import (
    CustomerSummary,
    MessageView,
    OrderView,
    ThreadDetail,
    ThreadSummary,
    TrackingInfo,
)
from desktop.core.settings import REGISTRY

Conn: TypeAlias = sqlcipher3.Connection

TABLES = (
    "settings", "accounts", "folders", "customers", "customer_addresses", "threads", "messages",
    "attachments", "shops", "orders", "drafts", "pseudonyms", "chats", "chat_messages", "shop_profile",
    "templates", "rules", "egress_ledger", "privacy_log", "llm_providers",
)

# --- settings -----------------------------------------------------------------------------------


def get_setting(conn: Conn, key: str) -> Any:
    setting = REGISTRY[key]
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return setting.default if row is None else setting.decode(row[0])


def set_setting(conn: Conn, key: str, value: Any) -> None:
    setting = REGISTRY[key]
    conn.execute(
        "INSERT INTO settings(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        (key, setting.encode(value)),
    )


def all_settings(conn: Conn) -> dict[str, Any]:
    stored = dict(conn.execute("SELECT key, value FROM settings").fetchall())
    return {s.key: (s.decode(stored[s.key]) if s.key in stored else s.default) for s in REGISTRY}


# --- counts -------------------------------------------------------------------------------------


def table_counts(conn: Conn) -> dict[str, int]:
    return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}


# --- threads and messages -----------------------------------------------------------------------

_THREAD_SELECT = """
SELECT t.id, t.subject, COALESCE(NULLIF(c.display_name, ''), ''),
       COALESCE((SELECT email FROM customer_addresses a WHERE a.customer_id = c.id
                 ORDER BY a.is_primary DESC, a.id LIMIT 1), ''),
       COALESCE((SELECT snippet FROM messages m WHERE m.thread_id = t.id ORDER BY m.date DESC, m.id DESC
                 LIMIT 1), ''),
       COALESCE(t.last_message_at, ''), t.message_count, t.unread, t.status, t.intent, t.language
FROM threads t LEFT JOIN customers c ON c.id = t.customer_id
"""


def _thread(row: tuple[Any, ...]) -> ThreadSummary:
    return ThreadSummary(
        id=row[0], subject=row[1], customer_name=row[2], customer_email=row[3], snippet=row[4],
        last_message_at=row[5], message_count=row[6], unread=bool(row[7]), status=row[8],
        intent=row[9], language=row[10],
    )


FREQUENT_HITS = 2000
_IDS_BY_HITS = (
    "SELECT t.id FROM threads t WHERE t.id IN (SELECT m.thread_id FROM messages_fts f "
    "JOIN messages m INDEXED BY messages_id_thread ON m.id = f.rowid WHERE messages_fts MATCH ?) "
    "ORDER BY t.last_message_at DESC, t.id DESC LIMIT ? OFFSET ?")
_IDS_BY_THREADS = (
    "SELECT t.id FROM threads t INDEXED BY threads_last WHERE EXISTS (SELECT 1 FROM messages m "
    "INDEXED BY messages_thread WHERE m.thread_id = t.id AND m.id IN "
    "(SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)) "
    "ORDER BY t.last_message_at DESC, t.id DESC LIMIT ? OFFSET ?")


def list_threads(conn: Conn, *, limit: int = 200, offset: int = 0, query: str = "",
                 intent: str | None = None) -> list[ThreadSummary]:
    """Threads newest first; with `query`, only threads with a message matching the FTS query; with `intent`,
    only threads triaged so ('untriaged' for those without an intent)."""
    where, params = _intent_filter(intent)
    if query:
        match = fts_query(query)
        # A rare term: collect its few hits' threads. A frequent one ("commande"): walk the newest threads
        # and keep those with a hit, which stops after `limit` of them (bench/search.py measures both).
        frequent = conn.execute("SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? "
                                "LIMIT ?)", (match, FREQUENT_HITS)).fetchone()[0] >= FREQUENT_HITS
        ids_sql = _IDS_BY_THREADS if frequent else _IDS_BY_HITS
        if where:
            ids_sql = ids_sql.replace(" ORDER BY", f" AND {where} ORDER BY")
        ids = [r[0] for r in conn.execute(ids_sql, (match, *params, limit, offset))]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = conn.execute(_THREAD_SELECT + f" WHERE t.id IN ({marks}) ORDER BY t.last_message_at DESC, t.id DESC",
                            ids).fetchall()
    else:
        rows = conn.execute(
            _THREAD_SELECT + (f" WHERE {where}" if where else "")
            + " ORDER BY t.last_message_at DESC, t.id DESC LIMIT ? OFFSET ?", (*params, limit, offset)
        ).fetchall()
    return [_thread(r) for r in rows]


def _intent_filter(intent: str | None) -> tuple[str, tuple[Any, ...]]:
    if not intent:
        return "", ()
    if intent == "untriaged":
        return "t.intent IS NULL", ()
    return "t.intent = ?", (intent,)


def count_threads(conn: Conn) -> int:
    return int(conn.execute("SELECT count(*) FROM threads").fetchone()[0])


def fts_query(text: str) -> str:
    """Turn what a merchant types into a safe FTS5 query: each word a quoted prefix term."""
    terms = []
    for word in text.split():
        cleaned = word.replace('"', "")
        if cleaned:
            terms.append(f'"{cleaned}"*')
    return " ".join(terms) if terms else '""'


def _order(row: tuple[Any, ...]) -> OrderView:
    items = tuple(
        f"{it.get('quantity', 1)} × {it.get('title', '')}" for it in json.loads(row[8] or "[]")
    )
    tracking = tuple(
        TrackingInfo(t.get("number", ""), t.get("url", ""), t.get("carrier", "")) for t in json.loads(row[9] or "[]")
    )
    address = json.loads(row[10]) if row[10] else {}
    address_text = ", ".join(str(v) for v in address.values() if v) if isinstance(address, dict) else str(address)
    return OrderView(
        id=row[0], number=row[1], status=row[2], financial_status=row[3], fulfillment_status=row[4],
        placed_at=row[5] or "", total=row[6], currency=row[7], items=items, tracking=tracking,
        shipping_address=address_text,
    )


def orders_for_customer(conn: Conn, customer_id: int) -> list[OrderView]:
    rows = conn.execute(
        "SELECT id, number, status, financial_status, fulfillment_status, placed_at, total, currency, items, "
        "tracking, shipping_address FROM orders WHERE customer_id = ? ORDER BY placed_at DESC, id DESC",
        (customer_id,),
    ).fetchall()
    return [_order(r) for r in rows]


def thread_detail(conn: Conn, thread_id: int) -> ThreadDetail | None:
    row = conn.execute(_THREAD_SELECT + " WHERE t.id = ?", (thread_id,)).fetchone()
    if row is None:
        return None
    rows = conn.execute(
        "SELECT id, direction, from_name, from_addr, to_addrs, subject, COALESCE(date, ''), body_text, "
        "hidden_content, parse_error, body_html FROM messages WHERE thread_id = ? ORDER BY date, id",
        (thread_id,),
    ).fetchall()
    msgs = []
    for r in rows:
        flags = tuple(f for f in (r[8] or "").split(",") if f) + ((f"unparsed: {r[9]}",) if r[9] else ())
        found = conn.execute("SELECT id, filename, size FROM attachments WHERE message_id = ? ORDER BY id",
                             (r[0],)).fetchall()
        files = tuple(f"{name or 'attachment'} ({max(1, size // 1000)} KB)" for _id, name, size in found)
        msgs.append(MessageView(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], flags=flags, attachments=files,
                                attachment_ids=tuple(a[0] for a in found), body_html=r[10]))
    customer = conn.execute("SELECT customer_id FROM threads WHERE id = ?", (thread_id,)).fetchone()[0]
    orders = orders_for_customer(conn, customer) if customer is not None else []
    return ThreadDetail(_thread(row), tuple(msgs), tuple(orders), customer_id=customer)


def insert_message(conn: Conn, *, thread_id: int | None, subject: str, body_text: str, from_addr: str,
                   from_name: str = "", to_addrs: str = "", date: str = "", direction: str = "in",
                   ref_numbers: str = "", raw: bytes | None = None) -> int:
    """Store one message (indexed for search by the FTS triggers) and update its thread's figures."""
    snippet = " ".join(body_text.split())[:140]
    cur = conn.execute(
        "INSERT INTO messages(thread_id, subject, body_text, snippet, from_addr, from_name, to_addrs, names, date, "
        "direction, ref_numbers, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (thread_id, subject, body_text, snippet, from_addr, from_name, to_addrs, from_name, date or None, direction,
         ref_numbers, raw),
    )
    if thread_id is not None:
        conn.execute(
            "UPDATE threads SET message_count = (SELECT count(*) FROM messages WHERE thread_id = ?), "
            "last_message_at = max(COALESCE(last_message_at, ''), ?) WHERE id = ?",
            (thread_id, date, thread_id),
        )
    return int(cur.lastrowid or 0)


def insert_thread(conn: Conn, *, subject: str, customer_id: int | None = None, date: str = "") -> int:
    cur = conn.execute("INSERT INTO threads(subject, customer_id, first_message_at, last_message_at) "
                       "VALUES (?, ?, ?, ?)", (subject, customer_id, date or None, date or None))
    return int(cur.lastrowid or 0)


# --- customers ----------------------------------------------------------------------------------


def list_customers(conn: Conn, *, limit: int = 500) -> list[CustomerSummary]:
    rows = conn.execute(
        "SELECT c.id, c.display_name, "
        "(SELECT group_concat(email, ' ') FROM customer_addresses a WHERE a.customer_id = c.id), "
        "(SELECT count(*) FROM threads t WHERE t.customer_id = c.id), "
        "(SELECT count(*) FROM orders o WHERE o.customer_id = c.id), c.no_ai, c.no_marketing "
        "FROM customers c ORDER BY c.display_name COLLATE NOCASE LIMIT ?",
        (limit,),
    ).fetchall()
    return [
        CustomerSummary(r[0], r[1], tuple((r[2] or "").split()), r[3], r[4], bool(r[5]), bool(r[6])) for r in rows
    ]


# --- chats --------------------------------------------------------------------------------------


def add_chat_message(conn: Conn, chat_id: int | None, role: str, content: str, title: str = "") -> int:
    """Append a message to a chat (creating the chat when `chat_id` is None); returns the chat id."""
    if chat_id is None:
        cur = conn.execute("INSERT INTO chats(title) VALUES (?)", (title or content[:60],))
        chat_id = int(cur.lastrowid or 0)
    conn.execute("INSERT INTO chat_messages(chat_id, role, content) VALUES (?, ?, ?)", (chat_id, role, content))
    conn.execute("UPDATE chats SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?", (chat_id,))
    return chat_id


def shop_profile(conn: Conn) -> dict[str, Any]:
    cur = conn.execute("SELECT * FROM shop_profile WHERE id = 1")
    row = cur.fetchone()
    if row is None:
        return {}
    return {d[0]: v for d, v in zip(cur.description, row, strict=True)}
