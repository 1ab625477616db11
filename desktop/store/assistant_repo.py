"""Rows the assistant reads and writes: LLM providers, triage, drafting context, pseudonyms, chats, templates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from desktop.store import platform_repo
from desktop.store.repositories import Conn

NOW = "strftime('%Y-%m-%dT%H:%M:%SZ','now')"


# --- providers ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProviderRow:
    """An LLM endpoint as the merchant configured it (the API key is read separately, only when calling)."""

    id: int
    name: str
    kind: str
    base_url: str
    has_key: bool
    model_draft: str
    model_triage: str
    model_chat: str
    active: bool

    def model_for(self, task: str) -> str:
        """The model for 'draft' | 'triage' | 'chat'; falls back to the drafting model."""
        chosen = {"draft": self.model_draft, "triage": self.model_triage, "chat": self.model_chat}.get(task, "")
        return chosen or self.model_draft or self.model_chat or self.model_triage

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "base_url": self.base_url,
                "has_key": self.has_key, "model_draft": self.model_draft, "model_triage": self.model_triage,
                "model_chat": self.model_chat, "active": self.active}


_PROVIDER_COLS = ("id, name, kind, base_url, api_key IS NOT NULL AND api_key != '', model_draft, model_triage, "
                  "model_chat, active")


def _provider(row: tuple[Any, ...]) -> ProviderRow:
    return ProviderRow(int(row[0]), row[1], row[2], row[3], bool(row[4]), row[5], row[6], row[7], bool(row[8]))


def add_provider(conn: Conn, *, name: str, kind: str, base_url: str, api_key: str | None, model_draft: str,
                 model_triage: str = "", model_chat: str = "", active: bool = True) -> int:
    if active:
        conn.execute("UPDATE llm_providers SET active = 0")
    cur = conn.execute(
        "INSERT INTO llm_providers(name, kind, base_url, api_key, model_draft, model_triage, model_chat, active) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (name, kind, base_url, api_key or None, model_draft, model_triage, model_chat, int(active)))
    return int(cur.lastrowid or 0)


def providers(conn: Conn) -> list[ProviderRow]:
    return [_provider(r) for r in conn.execute(f"SELECT {_PROVIDER_COLS} FROM llm_providers ORDER BY id")]


def provider(conn: Conn, provider_id: int) -> ProviderRow | None:
    row = conn.execute(f"SELECT {_PROVIDER_COLS} FROM llm_providers WHERE id = ?", (provider_id,)).fetchone()
    return _provider(row) if row else None


def active_provider(conn: Conn) -> ProviderRow | None:
    row = conn.execute(f"SELECT {_PROVIDER_COLS} FROM llm_providers WHERE active = 1 ORDER BY id LIMIT 1").fetchone()
    return _provider(row) if row else None


def provider_key(conn: Conn, provider_id: int) -> str:
    row = conn.execute("SELECT api_key FROM llm_providers WHERE id = ?", (provider_id,)).fetchone()
    return str(row[0]) if row and row[0] else ""


def set_active_provider(conn: Conn, provider_id: int) -> None:
    conn.execute("UPDATE llm_providers SET active = (id = ?)", (provider_id,))


def remove_provider(conn: Conn, provider_id: int) -> int:
    return int(conn.execute("DELETE FROM llm_providers WHERE id = ?", (provider_id,)).rowcount)


# --- triage ---------------------------------------------------------------------------------------

def untriaged_threads(conn: Conn, limit: int = 500) -> list[int]:
    """Customer threads (an incoming message) that have no intent yet, newest first."""
    return [int(r[0]) for r in conn.execute(
        "SELECT t.id FROM threads t WHERE t.intent IS NULL AND EXISTS (SELECT 1 FROM messages m "
        "WHERE m.thread_id = t.id AND m.direction = 'in') ORDER BY t.last_message_at DESC LIMIT ?", (limit,))]


def triage_input(conn: Conn, thread_id: int) -> tuple[str, str] | None:
    """The subject and text of the thread's latest customer message."""
    row = conn.execute("SELECT subject, body_text FROM messages WHERE thread_id = ? AND direction = 'in' "
                       "ORDER BY date DESC, id DESC LIMIT 1", (thread_id,)).fetchone()
    return (row[0], row[1]) if row else None


def set_triage(conn: Conn, thread_id: int, *, intent: str, confidence: float, language: str, urgency: int,
               source: str) -> bool:
    """Record a triage result; never overrides the merchant's own choice. Returns whether it was written."""
    cur = conn.execute(
        "UPDATE threads SET intent = ?, intent_confidence = ?, language = ?, urgency = ?, intent_source = ? "
        "WHERE id = ? AND COALESCE(intent_source, '') != 'merchant'",
        (intent, confidence, language, urgency, source, thread_id))
    return bool(cur.rowcount > 0)


def thread_triage(conn: Conn, thread_id: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT intent, intent_confidence, language, urgency, intent_source FROM threads "
                       "WHERE id = ?", (thread_id,)).fetchone()
    if row is None:
        return None
    return {"intent": row[0], "confidence": row[1], "language": row[2], "urgency": row[3], "source": row[4]}


# --- drafting context -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomerFacts:
    id: int
    display_name: str
    first_name: str
    last_name: str
    phone: str
    emails: tuple[str, ...]
    no_ai: bool


def customer_facts(conn: Conn, customer_id: int) -> CustomerFacts | None:
    row = conn.execute("SELECT id, display_name, first_name, last_name, phone, no_ai FROM customers WHERE id = ?",
                       (customer_id,)).fetchone()
    if row is None:
        return None
    emails = tuple(r[0] for r in conn.execute(
        "SELECT email FROM customer_addresses WHERE customer_id = ? ORDER BY is_primary DESC, id", (row[0],)))
    return CustomerFacts(int(row[0]), row[1], row[2], row[3], row[4], emails, bool(row[5]))


def thread_customer(conn: Conn, thread_id: int) -> CustomerFacts | None:
    row = conn.execute("SELECT customer_id FROM threads WHERE id = ?", (thread_id,)).fetchone()
    return customer_facts(conn, int(row[0])) if row and row[0] is not None else None


def customer_by_email(conn: Conn, email: str) -> CustomerFacts | None:
    customer_id = platform_repo.customer_by_email(conn, email)
    return customer_facts(conn, customer_id) if customer_id is not None else None


@dataclass(frozen=True)
class ThreadMessage:
    direction: str
    from_name: str
    from_addr: str
    date: str
    subject: str
    body_text: str
    hidden_content: str


def thread_messages(conn: Conn, thread_id: int, limit: int = 6) -> list[ThreadMessage]:
    """The thread's most recent messages, oldest first."""
    rows = conn.execute(
        "SELECT direction, from_name, from_addr, COALESCE(date, ''), subject, body_text, COALESCE(hidden_content, '') "
        "FROM messages WHERE thread_id = ? ORDER BY date DESC, id DESC LIMIT ?", (thread_id, limit)).fetchall()
    return [ThreadMessage(*r) for r in reversed(rows)]


def thread_subject(conn: Conn, thread_id: int) -> str | None:
    row = conn.execute("SELECT subject FROM threads WHERE id = ?", (thread_id,)).fetchone()
    return str(row[0]) if row else None


def shop_addresses(conn: Conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT email FROM accounts")]


def current_draft(conn: Conn, thread_id: int) -> dict[str, Any] | None:
    cur = conn.execute("SELECT * FROM drafts WHERE thread_id = ? AND status IN ('editing', 'in_mailbox', 'failed') "
                       "ORDER BY id DESC LIMIT 1", (thread_id,))
    row = cur.fetchone()
    return {d[0]: v for d, v in zip(cur.description, row, strict=True)} if row else None


def store_draft(conn: Conn, thread_id: int, body: str, provenance: dict[str, Any],
                warnings: list[dict[str, str]]) -> int:
    """Keep a prepared draft (local only) with what it was grounded on and the safety flags."""
    found = current_draft(conn, thread_id)
    prov, warn = json.dumps(provenance, ensure_ascii=False), json.dumps(warnings, ensure_ascii=False)
    if found:
        conn.execute(f"UPDATE drafts SET body = ?, provenance = ?, warnings = ?, updated_at = {NOW} WHERE id = ?",
                     (body, prov, warn, found["id"]))
        return int(found["id"])
    cur = conn.execute("INSERT INTO drafts(thread_id, body, provenance, warnings) VALUES (?, ?, ?, ?)",
                       (thread_id, body, prov, warn))
    return int(cur.lastrowid or 0)


def set_draft_warnings(conn: Conn, thread_id: int, warnings: list[dict[str, str]]) -> None:
    found = current_draft(conn, thread_id)
    if found:
        conn.execute("UPDATE drafts SET warnings = ? WHERE id = ?",
                     (json.dumps(warnings, ensure_ascii=False), found["id"]))


def auto_draft_candidates(conn: Conn, thread_ids: list[int], since: str, limit: int) -> list[int]:
    """Of `thread_ids`: open, active since `since`, last message from the customer, no draft yet; newest first."""
    if not thread_ids:
        return []
    out: list[int] = []
    for start in range(0, len(thread_ids), 500):
        chunk = thread_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        out += [int(r[0]) for r in conn.execute(
            f"SELECT t.id FROM threads t WHERE t.id IN ({marks}) AND t.status = 'open' AND t.last_message_at >= ? "
            "AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.thread_id = t.id) "
            "AND (SELECT m.direction FROM messages m WHERE m.thread_id = t.id ORDER BY m.date DESC, m.id DESC "
            "LIMIT 1) = 'in' ORDER BY t.last_message_at DESC", (*chunk, since))]
    order = {tid: n for n, tid in enumerate(thread_ids)}
    return sorted(out, key=order.__getitem__)[:limit]


# --- pseudonyms -----------------------------------------------------------------------------------

def pseudonym_mapping(conn: Conn, thread_id: int | None) -> dict[str, str]:
    if thread_id is None:
        return {}
    return {r[0]: r[1] for r in conn.execute("SELECT placeholder, value FROM pseudonyms WHERE thread_id = ?",
                                              (thread_id,))}


def save_pseudonyms(conn: Conn, thread_id: int | None, mapping: dict[str, str]) -> None:
    if thread_id is None:
        return
    conn.executemany("INSERT OR IGNORE INTO pseudonyms(thread_id, placeholder, value) VALUES (?, ?, ?)",
                     [(thread_id, k, v) for k, v in mapping.items()])


# --- ledger ---------------------------------------------------------------------------------------

def record_llm_call(conn: Conn, *, destination: str, purpose: str, model: str, categories: str, bytes_out: int,
                    bytes_in: int, pseudonymised: bool, customer_id: int | None, thread_id: int | None,
                    status: str) -> None:
    conn.execute(
        "INSERT INTO egress_ledger(destination, kind, purpose, model, data_categories, bytes_out, bytes_in, "
        "pseudonymised, customer_id, thread_id, status) VALUES (?, 'llm', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (destination, purpose, model, categories, bytes_out, bytes_in, int(pseudonymised), customer_id, thread_id,
         status))


# --- templates and shop profile -------------------------------------------------------------------

def templates(conn: Conn) -> list[dict[str, Any]]:
    cur = conn.execute("SELECT id, name, intent, language, subject, body FROM templates ORDER BY name, language")
    return [dict(zip(("id", "name", "intent", "language", "subject", "body"), r, strict=True)) for r in cur]


def save_template(conn: Conn, *, template_id: int | None, name: str, intent: str | None, language: str,
                  subject: str, body: str) -> int:
    if template_id:
        conn.execute(f"UPDATE templates SET name = ?, intent = ?, language = ?, subject = ?, body = ?, "
                     f"updated_at = {NOW} WHERE id = ?", (name, intent, language, subject, body, template_id))
        return template_id
    cur = conn.execute("INSERT INTO templates(name, intent, language, subject, body) VALUES (?, ?, ?, ?, ?)",
                       (name, intent, language, subject, body))
    return int(cur.lastrowid or 0)


def delete_template(conn: Conn, template_id: int) -> None:
    conn.execute("DELETE FROM templates WHERE id = ?", (template_id,))


PROFILE_FIELDS = ("shop_name", "website", "tone", "signature", "languages", "shipping_policy", "returns_policy",
                  "refunds_policy", "faq")


def save_shop_profile(conn: Conn, values: dict[str, Any]) -> None:
    clean = {k: (json.dumps(v, ensure_ascii=False) if k == "faq" and not isinstance(v, str) else str(v))
             for k, v in values.items() if k in PROFILE_FIELDS}
    conn.execute("INSERT OR IGNORE INTO shop_profile(id) VALUES (1)")
    if clean:
        sets = ", ".join(f"{k} = ?" for k in clean)
        conn.execute(f"UPDATE shop_profile SET {sets}, updated_at = {NOW} WHERE id = 1", list(clean.values()))


# --- chats ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChatRow:
    id: int
    title: str
    updated_at: str
    message_count: int


def chats(conn: Conn, query: str = "") -> list[ChatRow]:
    if query:
        like = f"%{query}%"
        rows = conn.execute(
            "SELECT c.id, c.title, c.updated_at, (SELECT count(*) FROM chat_messages m WHERE m.chat_id = c.id) "
            "FROM chats c WHERE c.title LIKE ? OR EXISTS (SELECT 1 FROM chat_messages m WHERE m.chat_id = c.id "
            "AND m.role IN ('user', 'assistant') AND m.content LIKE ?) ORDER BY c.updated_at DESC, c.id DESC",
            (like, like)).fetchall()
    else:
        rows = conn.execute(
            "SELECT c.id, c.title, c.updated_at, (SELECT count(*) FROM chat_messages m WHERE m.chat_id = c.id) "
            "FROM chats c ORDER BY c.updated_at DESC, c.id DESC").fetchall()
    return [ChatRow(int(r[0]), r[1], r[2], int(r[3])) for r in rows]


def create_chat(conn: Conn, title: str) -> int:
    return int(conn.execute("INSERT INTO chats(title) VALUES (?)", (title,)).lastrowid or 0)


def chat_messages(conn: Conn, chat_id: int) -> list[dict[str, Any]]:
    cur = conn.execute("SELECT id, role, content, tool_calls, created_at FROM chat_messages WHERE chat_id = ? "
                       "ORDER BY id", (chat_id,))
    return [{"id": r[0], "role": r[1], "content": r[2], "tool_calls": json.loads(r[3]) if r[3] else None,
             "created_at": r[4]} for r in cur]


def add_chat_message(conn: Conn, chat_id: int, role: str, content: str,
                     tool_calls: list[dict[str, Any]] | None = None) -> int:
    cur = conn.execute("INSERT INTO chat_messages(chat_id, role, content, tool_calls) VALUES (?, ?, ?, ?)",
                       (chat_id, role, content, json.dumps(tool_calls, ensure_ascii=False) if tool_calls else None))
    conn.execute(f"UPDATE chats SET updated_at = {NOW} WHERE id = ?", (chat_id,))
    return int(cur.lastrowid or 0)


def rename_chat(conn: Conn, chat_id: int, title: str) -> None:
    conn.execute("UPDATE chats SET title = ? WHERE id = ?", (title, chat_id))


def delete_chat(conn: Conn, chat_id: int) -> None:
    conn.execute("DELETE FROM chats WHERE id = ?", (chat_id,))


# --- read-only tools for the merchant's chat ------------------------------------------------------

def open_threads_by_intent(conn: Conn, since: str) -> list[tuple[str, int]]:
    return [(r[0] or "untriaged", int(r[1])) for r in conn.execute(
        "SELECT intent, count(*) FROM threads WHERE status = 'open' AND last_message_at >= ? "
        "GROUP BY intent ORDER BY count(*) DESC", (since,))]


def customer_overview(conn: Conn, customer_id: int) -> dict[str, Any]:
    threads = conn.execute(
        "SELECT id, subject, status, intent, last_message_at FROM threads WHERE customer_id = ? "
        "ORDER BY last_message_at DESC LIMIT 10", (customer_id,)).fetchall()
    return {"threads": [{"id": t[0], "subject": t[1], "status": t[2], "intent": t[3], "last_message_at": t[4]}
                        for t in threads]}
