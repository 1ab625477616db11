"""Retention: with a frozen clock, exactly what is older than each window goes, and nothing else."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.services.retention import months_before, retention_due, retention_preview, retention_run
from desktop.services.session import Session
from desktop.services.workspace import Workspace, WorkspaceService
from desktop.store import mail_repo
from tests.conftest import PASSPHRASE
from tests.helpers import cli

NOW = datetime(2026, 3, 31, 12, 0, 0, tzinfo=UTC)
CUT = "2025-03-31T12:00:00Z"          # 12 months before NOW
JUST_BEFORE = "2025-03-31T11:59:59Z"
JUST_AFTER = "2025-03-31T12:00:01Z"
ORDERS_CUT = "2026-03-01T12:00:00Z"   # 30 days before NOW


@pytest.mark.parametrize("moment, months, expected", [
    (datetime(2026, 3, 31, 12, tzinfo=UTC), 1, datetime(2026, 2, 28, 12, tzinfo=UTC)),
    (datetime(2024, 3, 31, 12, tzinfo=UTC), 1, datetime(2024, 2, 29, 12, tzinfo=UTC)),
    (datetime(2026, 1, 15, 8, 30, tzinfo=UTC), 13, datetime(2024, 12, 15, 8, 30, tzinfo=UTC)),
    (datetime(2026, 3, 31, 12, tzinfo=UTC), 12, datetime(2025, 3, 31, 12, tzinfo=UTC)),
])
def test_months_are_calendar_months(moment: datetime, months: int, expected: datetime) -> None:
    assert months_before(moment, months) == expected


def _thread(conn: Any, subject: str, last: str, customer: int | None = None) -> int:
    return int(conn.execute("INSERT INTO threads(subject, customer_id, first_message_at, last_message_at) "
                            "VALUES (?, ?, ?, ?)", (subject, customer, last, last)).lastrowid)


def _message(conn: Any, thread: int | None, date: str, body: str, *, folder: int | None = None,
             uid: int | None = None) -> int:
    return int(conn.execute(
        "INSERT INTO messages(thread_id, folder_id, uidvalidity, uid, date, subject, body_text, from_addr) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (thread, folder, 1 if uid else None, uid, date, body.split()[0], body, "someone@example.fr")).lastrowid)


def _customer(conn: Any, email: str, created: str, **flags: int) -> int:
    cid = int(conn.execute("INSERT INTO customers(display_name, created_at, updated_at, no_ai, no_marketing) "
                           "VALUES (?, ?, ?, ?, ?)", (email, created, created, flags.get("no_ai", 0),
                                                       flags.get("no_marketing", 0))).lastrowid)
    conn.execute("INSERT INTO customer_addresses(customer_id, email, is_primary) VALUES (?, ?, 1)", (cid, email))
    return cid


def _order(conn: Any, shop: int, number: str, fetched: str, customer: int | None = None) -> None:
    conn.execute("INSERT INTO orders(shop_id, customer_id, external_id, number, fetched_at) VALUES (?, ?, ?, ?, ?)",
                 (shop, customer, number, number, fetched))


def build(workspace: Workspace) -> dict[str, int]:
    def _fill(conn: Any) -> dict[str, int]:
        from desktop.core.mail import AccountConfig

        account = mail_repo.add_account(conn, AccountConfig(name="S", email="shop@example.fr", imap_host="h"), "x")
        folder = mail_repo.ensure_folder(conn, account, "INBOX", "inbox").id
        gone = _customer(conn, "gone@example.fr", "2024-01-01T00:00:00Z")
        objected = _customer(conn, "objected@example.fr", "2024-01-01T00:00:00Z", no_marketing=1)
        recent_order = _customer(conn, "ordered@example.fr", "2024-01-01T00:00:00Z")
        still = _customer(conn, "still@example.fr", "2024-01-01T00:00:00Z")
        _customer(conn, "new@example.fr", "2026-03-30T00:00:00Z")  # nothing held yet, but new: kept
        old = _thread(conn, "old", JUST_BEFORE, gone)
        conn.execute("UPDATE threads SET customer_id = ? WHERE id = ?", (gone, old))
        synced = _message(conn, old, "2025-03-30T10:00:00Z", "oldsynced words", folder=folder, uid=41)
        _message(conn, old, JUST_BEFORE, "oldlocal words")
        conn.execute("INSERT INTO attachments(message_id, filename, content) VALUES (?, 'a.txt', x'00')", (synced,))
        conn.execute("INSERT INTO drafts(thread_id, body, updated_at) VALUES (?, 'old draft', ?)", (old, JUST_BEFORE))
        conn.execute("INSERT INTO pseudonyms(thread_id, placeholder, value) VALUES (?, '<N>', 'x')", (old,))
        _thread(conn, "objected-old", "2024-06-01T00:00:00Z", objected)
        _thread(conn, "ordered-old", "2024-06-01T00:00:00Z", recent_order)
        boundary = _thread(conn, "boundary", CUT, still)
        _message(conn, boundary, CUT, "boundarykept words")
        after = _thread(conn, "after", JUST_AFTER)
        _message(conn, after, JUST_AFTER, "afterkept words")
        drafting = _thread(conn, "drafting", "2024-01-01T00:00:00Z")
        _message(conn, drafting, "2024-01-01T00:00:00Z", "draftingkept words")
        conn.execute("INSERT INTO drafts(thread_id, body, updated_at) VALUES (?, 'being written', ?)",
                     (drafting, "2026-03-30T09:00:00Z"))
        _message(conn, None, "2025-01-01T00:00:00Z", "orphanold words")
        _message(conn, None, "2026-01-01T00:00:00Z", "orphannew words")
        conn.execute("INSERT INTO messages(folder_id, uidvalidity, uid, parse_error) VALUES (?, 1, 7, 'erased')",
                     (folder,))  # what an earlier erasure left so the sync does not fetch it again: kept
        shop = int(conn.execute("INSERT INTO shops(platform, name) VALUES ('demo', 'S')").lastrowid)
        _order(conn, shop, "1", "2026-03-01T11:59:59Z", gone)
        _order(conn, shop, "2", ORDERS_CUT)
        _order(conn, shop, "3", "2026-03-31T11:00:00Z", recent_order)
        for at in (JUST_BEFORE, CUT, JUST_AFTER):
            conn.execute("INSERT INTO egress_ledger(at, destination, kind) VALUES (?, 'h:993', 'imap')", (at,))
        return {"old": old, "synced": synced, "folder": folder, "gone": gone, "objected": objected,
                "recent_order": recent_order, "still": still}

    return workspace.db.write(_fill)


@pytest.fixture
def workspace(no_keyring_service: WorkspaceService, tmp_path: Path) -> Any:
    ws = no_keyring_service.create_ephemeral(tmp_path / "ws")
    try:
        yield ws
    finally:
        ws.close()


def test_retention_removes_exactly_what_is_older_than_each_window(workspace: Workspace,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    ids = build(workspace)
    preview = retention_preview(workspace, NOW)
    expected = {"threads": 3, "messages": 3, "attachments": 1, "drafts": 1, "pseudonyms": 1, "orders": 1,
                "ledger": 1, "customers": 1}
    assert preview.counts() == expected
    assert (preview.conversations_before, preview.orders_before, preview.ledger_before) == (CUT, ORDERS_CUT, CUT)
    assert not preview.ran and "The next purge removes: 3 conversation(s) with 3 message(s)" in preview.lines()[0]
    with caplog.at_level(logging.INFO, logger="comptoir.privacy"):
        done = retention_run(workspace, NOW)
    assert done.ran and done.counts() == expected

    def _state(conn: Any) -> dict[str, Any]:
        rows = lambda sql: sorted(r[0] for r in conn.execute(sql))  # noqa: E731
        return {
            "threads": rows("SELECT subject FROM threads"),
            "bodies": rows("SELECT body_text FROM messages WHERE body_text != ''"),
            "tombstones": rows("SELECT uid FROM messages WHERE parse_error = 'erased'"),
            "drafts": rows("SELECT body FROM drafts"),
            "attachments": rows("SELECT count(*) FROM attachments"),
            "pseudonyms": rows("SELECT count(*) FROM pseudonyms"),
            "orders": rows("SELECT number FROM orders"),
            "ledger": rows("SELECT at FROM egress_ledger"),
            "customers": rows("SELECT email FROM customer_addresses"),
            "fts": rows("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'oldsynced OR oldlocal OR orphanold'"),
        }

    assert workspace.db.call(_state) == {
        "threads": ["after", "boundary", "drafting"],
        "bodies": ["afterkept words", "boundarykept words", "draftingkept words", "orphannew words"],
        "tombstones": [7, 41],  # the synced one is emptied, not deleted: the next sync will not bring it back
        "drafts": ["being written"],
        "attachments": [0],
        "pseudonyms": [0],
        "orders": ["2", "3"],
        "ledger": [CUT, JUST_AFTER],
        "customers": ["new@example.fr", "objected@example.fr", "ordered@example.fr", "still@example.fr"],
        "fts": [],
    }
    assert 41 in workspace.db.call(lambda c: mail_repo.local_uids(c, ids["folder"], 1))
    logged = workspace.db.call(lambda c: c.execute("SELECT at, details FROM privacy_log WHERE action = 'retention'")
                               .fetchall())
    assert len(logged) == 1 and logged[0][0] == "2026-03-31T12:00:00Z"
    assert json.loads(logged[0][1])["counts"] == expected
    assert "gone@example.fr" not in logged[0][1]
    lines = [r.getMessage() for r in caplog.records if r.name == "comptoir.privacy"]
    assert lines == [f"retention purge: {json.dumps(expected, sort_keys=True)}"]
    # Nothing left to purge at the same moment; a day later, the next ones come due.
    assert retention_preview(workspace, NOW).total == 0
    assert retention_run(workspace, NOW).total == 0


def test_the_windows_follow_the_settings(workspace: Workspace) -> None:
    build(workspace)
    session = Session(workspace)
    session.set_setting("retention.conversations_months", 24)
    session.set_setting("retention.orders_days", 1)
    session.set_setting("retention.ledger_months", 1)
    plan = retention_preview(workspace, NOW)
    assert plan.conversations_before == "2024-03-31T12:00:00Z"
    assert (plan.threads, plan.orders, plan.ledger) == (0, 2, 3)
    assert plan.orders_before == "2026-03-30T12:00:00Z"


def test_retention_is_due_once_a_day(workspace: Workspace) -> None:
    assert retention_due(workspace, NOW)
    retention_run(workspace, NOW)
    assert not retention_due(workspace, NOW + timedelta(hours=23))
    assert retention_due(workspace, NOW + timedelta(days=1))


def test_cli_retention_preview_and_run(no_keyring_service: WorkspaceService, data_dir: Path) -> None:
    workspace, _ = no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    now = datetime.now(UTC)
    two_years = (now - timedelta(days=730)).strftime("%Y-%m-%dT%H:%M:%SZ")
    yesterday = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _fill(conn: Any) -> None:
        _message(conn, _thread(conn, "ancient", two_years), two_years, "ancient words")
        _message(conn, _thread(conn, "fresh", yesterday), yesterday, "fresh words")

    with workspace:
        workspace.db.write(_fill)
    env = {"PP": PASSPHRASE}
    preview = cli("--passphrase-env", "PP", "retention", "preview", "--json", data_dir=data_dir, env=env)
    assert preview.returncode == 0, preview.stderr
    assert json.loads(preview.stdout)["threads"] == 1 and not json.loads(preview.stdout)["ran"]
    ran = cli("--passphrase-env", "PP", "retention", "run", data_dir=data_dir, env=env)
    assert ran.returncode == 0 and "Removed: 1 conversation(s) with 1 message(s)" in ran.stdout
    again = cli("--passphrase-env", "PP", "retention", "preview", "--json", data_dir=data_dir, env=env)
    assert json.loads(again.stdout)["total"] == 0
    with no_keyring_service.unlock(data_dir, passphrase=PASSPHRASE) as ws:
        assert [t.subject for t in Session(ws).threads()] == ["fresh"]
