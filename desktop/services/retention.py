"""Retention: purge what is older than the merchant's windows (settings `retention.*`).

- conversations: a thread whose last message is older than `retention.conversations_months` goes, with its
  messages, attachments, drafts and sent replies, and its pseudonym map (a thread with a draft edited inside
  the window stays: the merchant is working on it);
- cached orders fetched longer ago than `retention.orders_days`;
- egress-ledger rows older than `retention.ledger_months`;
- customers left with no conversation and no cached order, created and last changed before the
  conversation window, and with no restriction flag (the flags record an objection, which must outlive the
  data: they keep the customer's record).

Messages synced from a mailbox are emptied rather than deleted (see desktop/services/erase.py), so the next
sync does not bring them back. Windows are calendar months (31 March minus one month is 28/29 February)
and days; an item exactly on the boundary is kept. The purge writes a privacy_log row and a log line with
counts only. The app runs `retention_run` at start and daily (`retention_due` says when); every function
takes `now` so tests can freeze the clock.

Blocks on the database: run it on a background thread or in the CLI.
"""

from __future__ import annotations

import calendar
import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from desktop.core.settings import RETENTION_CONVERSATIONS, RETENTION_LEDGER, RETENTION_ORDERS
from desktop.services.erase import TOMBSTONE, tombstone_or_delete
from desktop.store import repositories as repo
from desktop.store.connection import Connection
from desktop.store.database import Database

log = logging.getLogger("comptoir.privacy")

ISO = "%Y-%m-%dT%H:%M:%SZ"
RUN_EVERY = timedelta(days=1)


class _HasDb(Protocol):
    @property
    def db(self) -> Database: ...


def months_before(moment: datetime, months: int) -> datetime:
    """`moment` minus calendar months, the day clamped to the target month's length."""
    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(ISO)


@dataclass(frozen=True)
class RetentionPlan:
    """What a purge removes (preview) or removed (run), with the cut-off times; counts only."""

    now: str
    conversations_before: str
    orders_before: str
    ledger_before: str
    threads: int
    messages: int
    attachments: int
    drafts: int
    pseudonyms: int
    orders: int
    ledger: int
    customers: int
    ran: bool = False

    @property
    def total(self) -> int:
        return self.threads + self.messages + self.drafts + self.orders + self.ledger + self.customers

    def counts(self) -> dict[str, int]:
        return {"threads": self.threads, "messages": self.messages, "attachments": self.attachments,
                "drafts": self.drafts, "pseudonyms": self.pseudonyms, "orders": self.orders, "ledger": self.ledger,
                "customers": self.customers}

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "total": self.total}

    def lines(self) -> list[str]:
        verb = "Removed" if self.ran else "The next purge removes"
        return [
            f"{verb}: {self.threads} conversation(s) with {self.messages} message(s), {self.attachments} "
            f"attachment(s) and {self.drafts} draft(s) (last message before {self.conversations_before}); "
            f"{self.orders} cached order(s) (fetched before {self.orders_before}); {self.ledger} ledger row(s) "
            f"(before {self.ledger_before}); {self.customers} customer(s) with nothing left.",
        ]


@dataclass(frozen=True)
class _Cutoffs:
    now: str
    conversations: str
    orders: str
    ledger: str


def _cutoffs(conn: Connection, now: datetime) -> _Cutoffs:
    months = int(repo.get_setting(conn, RETENTION_CONVERSATIONS.key))
    days = int(repo.get_setting(conn, RETENTION_ORDERS.key))
    ledger = int(repo.get_setting(conn, RETENTION_LEDGER.key))
    moment = now if now.tzinfo else now.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return _Cutoffs(_iso(moment), _iso(months_before(moment, months)), _iso(moment - timedelta(days=days)),
                    _iso(months_before(moment, ledger)))


# Threads whose last contact is before the cut-off, unless the merchant edited a draft in them since.
_THREADS = ("SELECT id FROM threads WHERE COALESCE(last_message_at, first_message_at, created_at) < :conv "
            "AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.thread_id = threads.id AND d.updated_at >= :conv)")
# Their messages, and messages in no thread that are old themselves (never the tombstones of erased mail).
_MESSAGES = (f"SELECT id FROM messages WHERE thread_id IN ({_THREADS}) OR (thread_id IS NULL "
             f"AND COALESCE(parse_error, '') != '{TOMBSTONE}' "
             "AND COALESCE(date, internal_date, created_at) < :conv)")
_ORDERS = "SELECT id FROM orders WHERE fetched_at < :orders"
_LEDGER = "SELECT id FROM egress_ledger WHERE at < :ledger"
# Customers with nothing left once the rest is gone (and no restriction flag to honour).
_CUSTOMERS = (f"SELECT id FROM customers c WHERE no_ai = 0 AND no_marketing = 0 AND created_at < :conv "
              f"AND updated_at < :conv "
              f"AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.customer_id = c.id AND t.id NOT IN ({_THREADS})) "
              f"AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.fetched_at >= :orders)")


def _params(cut: _Cutoffs) -> dict[str, str]:
    return {"conv": cut.conversations, "orders": cut.orders, "ledger": cut.ledger}


def _count(conn: Connection, select: str, params: dict[str, str]) -> int:
    return int(conn.execute(f"SELECT count(*) FROM ({select})", params).fetchone()[0])


def _plan(conn: Connection, cut: _Cutoffs, *, ran: bool = False, counts: dict[str, int] | None = None
          ) -> RetentionPlan:
    p = _params(cut)
    if counts is None:
        counts = {
            "threads": _count(conn, _THREADS, p),
            "messages": _count(conn, _MESSAGES, p),
            "attachments": _count(conn, f"SELECT id FROM attachments WHERE message_id IN ({_MESSAGES})", p),
            "drafts": _count(conn, f"SELECT id FROM drafts WHERE thread_id IN ({_THREADS})", p),
            "pseudonyms": _count(conn, f"SELECT id FROM pseudonyms WHERE thread_id IN ({_THREADS})", p),
            "orders": _count(conn, _ORDERS, p),
            "ledger": _count(conn, _LEDGER, p),
            "customers": _count(conn, _CUSTOMERS, p),
        }
    return RetentionPlan(cut.now, cut.conversations, cut.orders, cut.ledger, ran=ran, **counts)


def retention_preview(target: _HasDb | Database, now: datetime) -> RetentionPlan:
    """What the next purge would remove at `now`, with the current settings (nothing is changed)."""
    db = target if isinstance(target, Database) else target.db
    return db.call(lambda conn: _plan(conn, _cutoffs(conn, now)))


def retention_run(target: _HasDb | Database, now: datetime) -> RetentionPlan:
    """Purge what is older than the windows at `now`, in one transaction; returns what was removed."""
    db = target if isinstance(target, Database) else target.db

    def _run(conn: Connection) -> RetentionPlan:
        cut = _cutoffs(conn, now)
        before = _plan(conn, cut)
        p = _params(cut)
        customers = [r[0] for r in conn.execute(_CUSTOMERS, p)]
        messages = [r[0] for r in conn.execute(_MESSAGES, p)]
        tombstone_or_delete(conn, messages)
        conn.execute(f"DELETE FROM threads WHERE id IN ({_THREADS})", p)  # drafts and pseudonyms cascade
        conn.execute(f"DELETE FROM orders WHERE id IN ({_ORDERS})", p)
        conn.execute(f"DELETE FROM egress_ledger WHERE id IN ({_LEDGER})", p)
        for start in range(0, len(customers), 5000):
            chunk = customers[start:start + 5000]
            conn.execute(f"DELETE FROM customers WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        plan = _plan(conn, cut, ran=True, counts=before.counts())
        details = {"counts": plan.counts(),
                   "before": {"conversations": cut.conversations, "orders": cut.orders, "ledger": cut.ledger}}
        conn.execute("INSERT INTO privacy_log(at, action, details) VALUES (?, 'retention', ?)",
                     (cut.now, json.dumps(details, sort_keys=True)))
        return plan

    plan = db.write(_run)
    log.info("retention purge: %s", json.dumps(plan.counts(), sort_keys=True))
    return plan


def retention_due(target: _HasDb | Database, now: datetime) -> bool:
    """True when no purge ran in the last day (the app calls `retention_run` at start and when this says so)."""
    db = target if isinstance(target, Database) else target.db
    last = db.call(lambda c: c.execute("SELECT max(at) FROM privacy_log WHERE action = 'retention'").fetchone()[0])
    if not last:
        return True
    moment = now if now.tzinfo else now.replace(tzinfo=UTC)
    return bool(_iso(moment - RUN_EVERY) >= str(last))
