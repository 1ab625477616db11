"""Erasure: everything (crypto-erasure, first run again) and one customer (rows gone, re-keyed, crash-safe).

Real parts throughout: SQLCipher files, gnome-keyring's Secret Service, Dovecot, the CLI in a subprocess
(killed with SIGKILL at named steps via COMPTOIR_TEST_PAUSE_AT), and a loop-mounted ext4 image whose raw
bytes are searched after erasing.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import logging
import os
import quopri
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from desktop.core.errors import UserFacingError, WrongKey
from desktop.core.mail import AccountConfig
from desktop.core.platforms import Fulfillment, Order
from desktop.core.recovery import parse_recovery_key
from desktop.logs import close_logging, setup_logging
from desktop.mail.worker import prepare
from desktop.paths import DB_NAME, WRAP_NAME, AppPaths
from desktop.secrets.keyring_store import PENDING_SLOT, SERVICE, KeyringStore
from desktop.services.erase import (
    customer_by_email,
    customer_holdings,
    erase_customer,
    erase_everything,
    find_customers,
    rectify_customer,
    restrict_customer,
)
from desktop.services.session import Session
from desktop.services.workspace import PENDING_WRAP_NAME, Workspace, WorkspaceService
from desktop.store import mail_repo, platform_repo
from desktop.store import repositories as repo
from desktop.store.connection import open_encrypted
from desktop.store.database import rekey_path
from tests.conftest import PASSPHRASE, SecretService
from tests.helpers import REPO, cli, encodings_of, files_containing
from tests.mailtools import SHOP, account_config, customer_mail
from tests.servers.dovecot import Dovecot

SHOP_EMAIL = "boutique@shop.example"
X_EMAIL = "zephyrine.quillardet@example.fr"
X_NAME = "Zéphyrine Quillardet"
X_PHONE = "+33 6 39 98 41 27"
X_ORDER = "48213"
X_TRACKING = "LA123456785FR"
Y_EMAIL = "basile.marchetti@example.org"
Y_NAME = "Basile Marchetti"
Y_ORDER = "48299"
UIDVALIDITY = 777


def patterns_of(canary: str) -> dict[str, bytes]:
    """UTF-8, UTF-16LE, base64 (three alignments) and quoted-printable forms of the canary."""
    found = encodings_of(canary)
    found["quoted-printable"] = quopri.encodestring(canary.encode()).strip()
    return found


# --- a shop with two customers ----------------------------------------------------------------------------------


def raw_mail(sender: str, name: str, subject: str, body: str, *, when: datetime, to: str = SHOP_EMAIL,
             attachment: bytes | None = None, in_reply_to: str | None = None, msgid: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{name} <{sender}>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = msgid or make_msgid(domain="example.fr")
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = in_reply_to
    msg.set_content(body, cte="quoted-printable")
    if attachment is not None:
        msg.add_attachment(attachment, maintype="application", subtype="octet-stream", filename="facture.txt")
    return msg.as_bytes()


@dataclass
class Shop:
    x: int
    y: int
    x_threads: list[int]
    y_threads: list[int]
    x_ledger: list[int]
    y_chat: int
    canary: str


def build_shop(workspace: Workspace | Session, canary: str) -> Shop:
    """Customer X (every kind of data, the canary in each) and customer Y (a bit of everything)."""
    db = workspace.db
    day = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    first_id = "<q1-zq@example.fr>"
    raws = [
        ("inbox", raw_mail(X_EMAIL, X_NAME, f"Commande #{X_ORDER} pas reçue", f"Bonjour,\nma commande #{X_ORDER} "
                           f"n'est pas arrivée. Code {canary}.\n{X_NAME}\n{X_PHONE}\n", when=day,
                           attachment=f"Facture {canary} pour {X_NAME}\n".encode(), msgid=first_id)),
        ("inbox", raw_mail(X_EMAIL, X_NAME, "Autre question", f"Le suivi {X_TRACKING} ne marche pas ({canary}).",
                           when=day.replace(day=5))),
        ("inbox", raw_mail(Y_EMAIL, Y_NAME, f"Commande #{Y_ORDER}", "Bonjour, tout va bien, merci !\nBasile",
                           when=day.replace(day=3), attachment=b"Photo du colis de Basile\n")),
        ("sent", raw_mail(SHOP_EMAIL, "Boutique", f"Re: Commande #{X_ORDER} pas reçue",
                          f"Bonjour Zéphyrine,\nvotre colis {X_TRACKING} est parti. {canary}",
                          when=day.replace(hour=11), to=f"{X_NAME} <{X_EMAIL}>", in_reply_to=first_id)),
    ]

    def _fill(conn: Any) -> Shop:
        account = mail_repo.add_account(conn, AccountConfig(name="Shop", email=SHOP_EMAIL, imap_host="127.0.0.1"),
                                        "not used")
        folders = {role: mail_repo.ensure_folder(conn, account, name, role).id
                   for name, role in (("INBOX", "inbox"), ("Sent", "sent"))}
        for uid, (role, raw) in enumerate(raws, start=1):
            for incoming in prepare(UIDVALIDITY, [(uid, raw, (), day, None)]):
                mail_repo.insert_message(conn, account, SHOP_EMAIL, folders[role], role, incoming)
        x = platform_repo.customer_by_email(conn, X_EMAIL)
        y = platform_repo.customer_by_email(conn, Y_EMAIL)
        assert x is not None and y is not None
        x_threads = [r[0] for r in conn.execute("SELECT id FROM threads WHERE customer_id = ? ORDER BY id", (x,))]
        y_threads = [r[0] for r in conn.execute("SELECT id FROM threads WHERE customer_id = ? ORDER BY id", (y,))]
        shop = platform_repo.add_shop(conn, "shopify", "Boutique", "https://boutique.example", "2026-07", {"t": "x"})
        platform_repo.cache_orders(conn, shop, x, [Order(
            platform="shopify", external_id="gid://shopify/Order/1", number=f"#{X_ORDER}", email=X_EMAIL,
            created_at="2026-10-30T10:00:00Z", financial_status="paid", fulfillment_status="fulfilled",
            currency="EUR", total="42.00", customer_name=X_NAME,
            fulfillments=(Fulfillment("shipped", X_TRACKING, "La Poste", f"https://track.example/{X_TRACKING}"),),
            shipping_address={"name": X_NAME, "address1": f"12 rue {canary}", "city": "Lyon"})])
        platform_repo.cache_orders(conn, shop, y, [Order(
            platform="shopify", external_id="gid://shopify/Order/2", number=f"#{Y_ORDER}", email=Y_EMAIL,
            created_at="2026-10-31T10:00:00Z", financial_status="paid", fulfillment_status="unfulfilled",
            currency="EUR", total="19.00", customer_name=Y_NAME, shipping_address={"name": Y_NAME})])
        x_reply = conn.execute("SELECT id FROM messages WHERE thread_id = ? AND direction = 'in' ORDER BY id LIMIT 1",
                               (x_threads[0],)).fetchone()[0]
        mail_repo.save_draft(conn, x_threads[0], account, x_reply, X_EMAIL, "Re: commande",
                             f"Bonjour Zéphyrine, voici le suivi {X_TRACKING}. {canary}")
        y_msg = conn.execute("SELECT id FROM messages WHERE thread_id = ?", (y_threads[0],)).fetchone()[0]
        mail_repo.save_draft(conn, y_threads[0], account, y_msg, Y_EMAIL, "Re: merci", "Avec plaisir, Basile !")
        chat = repo.add_chat_message(conn, None, "user", f"What did {X_EMAIL} ask about order #{X_ORDER}?",
                                     title="A customer's order")
        repo.add_chat_message(conn, chat, "assistant", f"Zéphyrine asked where parcel {X_TRACKING} is; "
                                                       "her phone is 06 39 98 41 27.")
        conn.execute("UPDATE chat_messages SET tool_calls = ? WHERE chat_id = ? AND role = 'assistant'",
                     (json.dumps([{"name": "lookup_orders", "arguments": {"customer": X_NAME, "email": X_EMAIL}}]),
                      chat))
        y_chat = repo.add_chat_message(conn, None, "user", f"Summarise {Y_NAME}'s order #{Y_ORDER}.")
        repo.add_chat_message(conn, y_chat, "assistant", "Basile's order is paid and not yet shipped.")
        mail_repo.record_egress(conn, destination="llm.example:443", kind="llm", purpose="draft reply",
                                categories="reply text (pseudonymised)", bytes_out=812, thread_id=x_threads[0])
        conn.execute("INSERT INTO egress_ledger(destination, kind, purpose, customer_id) VALUES "
                     "('boutique.example:443', 'shopify', 'order look-up', ?)", (x,))
        mail_repo.record_egress(conn, destination="llm.example:443", kind="llm", purpose="draft reply",
                                categories="reply text", bytes_out=300, thread_id=y_threads[0])
        x_ledger = [r[0] for r in conn.execute("SELECT id FROM egress_ledger WHERE customer_id = ? OR thread_id = ?",
                                               (x, x_threads[0]))]
        conn.executemany("INSERT INTO pseudonyms(thread_id, placeholder, value) VALUES (?, ?, ?)",
                         [(x_threads[0], "<EMAIL_1>", X_EMAIL), (x_threads[0], "<NAME_1>", X_NAME),
                          (y_threads[0], "<EMAIL_1>", Y_EMAIL)])
        return Shop(x, y, x_threads, y_threads, x_ledger, y_chat, canary)

    shop = db.write(_fill)
    rectify_customer(workspace, shop.x, phone=X_PHONE)
    return shop


def y_rows(conn: Any, shop: Shop) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that belongs to customer Y, in full."""
    t = ",".join(str(i) for i in shop.y_threads)
    queries = {
        "customers": f"SELECT * FROM customers WHERE id = {shop.y}",
        "customer_addresses": f"SELECT * FROM customer_addresses WHERE customer_id = {shop.y}",
        "threads": f"SELECT * FROM threads WHERE id IN ({t})",
        "messages": f"SELECT * FROM messages WHERE thread_id IN ({t})",
        "attachments": "SELECT * FROM attachments WHERE message_id IN "
                       f"(SELECT id FROM messages WHERE thread_id IN ({t}))",
        "orders": f"SELECT * FROM orders WHERE customer_id = {shop.y}",
        "drafts": f"SELECT * FROM drafts WHERE thread_id IN ({t})",
        "pseudonyms": f"SELECT * FROM pseudonyms WHERE thread_id IN ({t})",
        "chats": f"SELECT * FROM chats WHERE id = {shop.y_chat}",
        "chat_messages": f"SELECT * FROM chat_messages WHERE chat_id = {shop.y_chat}",
        "egress_ledger": f"SELECT * FROM egress_ledger WHERE thread_id IN ({t})",
    }
    return {name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in queries.items()}


def x_identifiers(canary: str) -> list[str]:
    return [X_EMAIL, "Quillardet", "Zéphyrine", "Zephyrine", X_ORDER, X_TRACKING, "39 98 41 27", "639984127",
            canary, "Z\\u00e9phyrine"]


def x_occurrences(conn: Any, canary: str) -> list[str]:
    """Every (table, column) whose value holds one of X's identifiers, blobs decompressed when they are zlib."""
    needles = [n.casefold() for n in x_identifiers(canary)]
    hits = []
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        cur = conn.execute(f'SELECT * FROM "{table}"')
        names = [d[0] for d in cur.description]
        for row in cur:
            for name, value in zip(names, row, strict=True):
                texts = []
                if isinstance(value, str):
                    texts.append(value)
                elif isinstance(value, bytes):
                    texts.append(value.decode("utf-8", "replace"))
                    with contextlib.suppress(zlib.error):
                        texts.append(zlib.decompress(value).decode("utf-8", "replace"))
                for text in texts:
                    folded = text.casefold()
                    hits += [f"{table}.{name}: {n}" for n in needles if n in folded]
    return hits


def x_footprint(conn: Any, shop: Shop) -> dict[str, int]:
    one = lambda sql, *a: int(conn.execute(sql, a).fetchone()[0])  # noqa: E731
    return {
        "customer": one("SELECT count(*) FROM customer_addresses WHERE email = ?", X_EMAIL),
        "messages": one("SELECT count(*) FROM messages WHERE body_text LIKE ?", f"%{shop.canary}%"),
        "attachments": one("SELECT count(*) FROM attachments WHERE instr(content, ?) > 0", shop.canary.encode()),
        "threads": one(f"SELECT count(*) FROM threads WHERE id IN ({','.join(map(str, shop.x_threads))})"),
        "orders": one("SELECT count(*) FROM orders WHERE email = ?", X_EMAIL),
        "drafts": one("SELECT count(*) FROM drafts WHERE body LIKE ?", f"%{shop.canary}%"),
        "chat": one("SELECT count(*) FROM chat_messages WHERE content LIKE ? OR content LIKE ?", f"%{X_EMAIL}%",
                    f"%{shop.canary}%"),
        "pseudonyms": one("SELECT count(*) FROM pseudonyms WHERE value IN (?, ?)", X_EMAIL, X_NAME),
        "ledger": one(f"SELECT count(*) FROM egress_ledger WHERE id IN ({','.join(map(str, shop.x_ledger))}) "
                      "AND (customer_id IS NOT NULL OR thread_id IS NOT NULL)"),
        "fts": one("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?", f'"{shop.canary}"'),
    }


def decrypted_pages(path: Path, key: bytes) -> bytes:
    """Every page of a SQLCipher 4 file decrypted with `key` (AES-256-CBC, 4096-byte pages, 80 reserved bytes:
    IV then HMAC), free pages included: what is physically in the file, not what SQL shows."""
    data = path.read_bytes()
    size, reserve = 4096, 80
    out = bytearray()
    for i in range(len(data) // size):
        page = data[i * size:(i + 1) * size]
        start = 16 if i == 0 else 0  # page 1 begins with the salt
        iv = page[size - reserve:size - reserve + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out += decryptor.update(page[start:size - reserve]) + decryptor.finalize()
    return bytes(out)


def _text(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    body = msg.get_body(("plain",))  # type: ignore[attr-defined]
    return str(body.get_content()) if body is not None else ""


def unlock(data_dir: Path, service: WorkspaceService, **kw: Any) -> Workspace:
    return service.unlock(data_dir, passphrase=PASSPHRASE, **kw)


# --- one customer -----------------------------------------------------------------------------------------------


def test_erasing_a_customer_removes_every_trace_rekeys_and_leaves_others_untouched(
        no_keyring_service: WorkspaceService, data_dir: Path) -> None:
    canary = f"kanari{secrets.token_hex(6)}"
    workspace, created = no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    old_key = parse_recovery_key(created.recovery_key)
    with workspace:
        shop = build_shop(workspace, canary)
        before_y = workspace.db.call(lambda c: y_rows(c, shop))
        footprint = workspace.db.call(lambda c: x_footprint(c, shop))
        assert all(footprint.values()), footprint  # X really is everywhere, FTS included
        assert workspace.db.call(lambda c: x_occurrences(c, canary))
        held = customer_holdings(workspace, shop.x)
        assert held.counts() == {"threads": 2, "messages": 3, "attachments": 1, "drafts": 1, "orders": 1,
                                 "chat_mentions": 2, "ledger": 2, "pseudonyms": 2}
        ledger_rows = workspace.db.call(lambda c: c.execute("SELECT count(*) FROM egress_ledger").fetchone()[0])
        workspace.db.call(lambda c: c.execute("PRAGMA wal_checkpoint(TRUNCATE)"))
        assert canary.encode() in decrypted_pages(data_dir / DB_NAME, old_key)  # the page reader sees plaintext

        report = erase_customer(workspace, shop.x)

        assert report.rekeyed and report.recovery_key
        assert report.counts["messages"] == 3 and report.counts["orders"] == 1 and report.counts["threads"] == 2
        assert report.counts["chat_messages_redacted"] == 2 and report.counts["ledger_rows_anonymised"] == 2
        assert customer_by_email(workspace, X_EMAIL) is None
        assert workspace.db.call(lambda c: x_footprint(c, shop)) == dict.fromkeys(footprint, 0)
        assert workspace.db.call(lambda c: x_occurrences(c, canary)) == []
        assert workspace.db.call(lambda c: c.execute("PRAGMA freelist_count").fetchone()[0]) == 0
        assert workspace.db.call(lambda c: y_rows(c, shop)) == before_y  # byte-identical
        # The chat that named X keeps its shape, with X's identifiers replaced; the ledger keeps its rows.
        redacted = workspace.db.call(lambda c: c.execute(
            "SELECT content, tool_calls FROM chat_messages WHERE chat_id != ? ORDER BY id", (shop.y_chat,)).fetchall())
        assert redacted[0][0] == "What did [erased] ask about order [erased]?"
        assert redacted[1][0].startswith("[erased] asked where parcel [erased] is")
        assert "[erased]" in redacted[1][1]
        assert workspace.db.call(lambda c: c.execute("SELECT count(*) FROM egress_ledger").fetchone()[0]) == ledger_rows
        log_rows = workspace.db.call(lambda c: c.execute(
            "SELECT action, details FROM privacy_log WHERE action = 'erase_customer'").fetchall())
        assert len(log_rows) == 1 and json.loads(log_rows[0][1])["rekey"] == "done"
        assert all(n.casefold() not in log_rows[0][1].casefold() for n in x_identifiers(canary))
    new_key = parse_recovery_key(report.recovery_key)
    assert new_key != old_key
    with pytest.raises(WrongKey):
        open_encrypted(data_dir / DB_NAME, old_key)
    pages = decrypted_pages(data_dir / DB_NAME, new_key)
    for needle in x_identifiers(canary):
        for form in (needle.encode(), needle.encode("utf-16-le"), needle.casefold().encode()):
            assert form not in pages, needle
    assert Y_NAME.encode() in pages  # the reader does see the data that stays
    assert not (data_dir / PENDING_WRAP_NAME).exists() and not rekey_path(data_dir / DB_NAME).exists()
    # The same passphrase opens the re-keyed workspace: the merchant is not asked for anything new.
    with unlock(data_dir, no_keyring_service) as again:
        assert [c.display_name for c in find_customers(again, "marchetti")] == [Y_NAME]
        assert again.db.call(lambda c: y_rows(c, shop)) == before_y
    with no_keyring_service.unlock(data_dir, recovery_key=report.recovery_key):
        pass


def test_a_recovery_unlock_in_passphrase_mode_refuses_before_erasing_anything(
        no_keyring_service: WorkspaceService, data_dir: Path) -> None:
    workspace, created = no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    with workspace:
        shop = build_shop(workspace, "kanarirecovery")
    with no_keyring_service.unlock(data_dir, recovery_key=created.recovery_key) as ws:
        with pytest.raises(UserFacingError, match="passphrase"):
            erase_customer(ws, shop.x)
        assert customer_by_email(ws, X_EMAIL) == shop.x
        assert all(ws.db.call(lambda c: x_footprint(c, shop)).values())


def test_find_show_rectify_restrict(no_keyring_service: WorkspaceService, data_dir: Path) -> None:
    workspace, _ = no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    with workspace:
        shop = build_shop(workspace, "kanarifind")
        assert [c.id for c in find_customers(workspace, "zephyrine")] == [shop.x]  # accents ignored
        assert [c.id for c in find_customers(workspace, "QUILLARDET example.fr")] == [shop.x]
        assert [c.id for c in find_customers(workspace, "06 39 98 41 27")] == [shop.x]
        assert find_customers(workspace, "nobody") == []
        record = rectify_customer(workspace, shop.x, last_name="Quillardet-Roux", add_emails=["zq@example.com"])
        assert record.display_name == "Zéphyrine Quillardet-Roux" and record.emails == (X_EMAIL, "zq@example.com")
        with pytest.raises(UserFacingError, match="another customer"):
            rectify_customer(workspace, shop.x, add_emails=[Y_EMAIL])
        with pytest.raises(UserFacingError, match="not an e-mail"):
            rectify_customer(workspace, shop.x, add_emails=["not an address"])
        with pytest.raises(UserFacingError, match="at least one address"):
            rectify_customer(workspace, shop.y, remove_emails=[Y_EMAIL])
        assert rectify_customer(workspace, shop.x, remove_emails=["zq@example.com"]).emails == (X_EMAIL,)
        restricted = restrict_customer(workspace, shop.x, no_ai=True)
        assert restricted.no_ai and not restricted.no_marketing
        assert [c.no_ai for c in find_customers(workspace, "zephyrine")] == [True]
        logged = workspace.db.call(lambda c: c.execute(
            "SELECT action, details FROM privacy_log ORDER BY id").fetchall())
        assert ("restrict_customer", '{"no_ai": true, "no_marketing": false}') in logged
        assert all(X_EMAIL not in details and "Quillardet" not in details for _action, details in logged)


def test_an_erased_customer_does_not_come_back_with_the_next_sync(
        no_keyring_service: WorkspaceService, tmp_path: Path, dovecot: Dovecot) -> None:
    from tests.mailtools import mail_session

    canary = f"kanari{secrets.token_hex(5)}"
    dovecot.append_many(SHOP, "INBOX", [
        customer_mail(1, sender=X_EMAIL, name=X_NAME, body=f"Où est ma commande ? {canary}"),
        customer_mail(2, sender=X_EMAIL, name=X_NAME, subject="Encore moi", body=f"Toujours rien. {canary}"),
        customer_mail(3, sender=Y_EMAIL, name=Y_NAME, body="Merci beaucoup !"),
    ])
    with mail_session(no_keyring_service, tmp_path / "ws", dovecot) as (session, account):
        assert session.mail.sync(account).added == 3
        x = customer_by_email(session.workspace, X_EMAIL)
        assert x is not None and session.threads(query=canary)
        report = erase_customer(session, x)
        assert report.counts["messages"] == 2 and report.recovery_key is None  # throw-away: no key to show
        again = session.mail.sync(account)
        assert (again.added, again.removed) == (0, 0)
        assert customer_by_email(session.workspace, X_EMAIL) is None
        assert session.threads(query=canary) == []
        assert [t.customer_email for t in session.threads()] == [Y_EMAIL]
        # A message the server expunges takes its emptied local record with it.
        dovecot.expunge(SHOP, "INBOX", 1)
        assert session.mail.sync(account).removed == 1
    assert len(dovecot.messages(SHOP, "INBOX")) == 2  # the mailbox itself is the merchant's business


# --- crash safety ----------------------------------------------------------------------------------------------

STEPS = ["in-transaction", "committed", "exported", "staged", "swapped", "promoted"]


def _start_erase(data_dir: Path, env: dict[str, str], extra: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(REPO / "main.py"), "--data-dir", str(data_dir), *extra, "erase", "--customer", X_EMAIL,
         "--yes", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env})


def _kill_at(proc: subprocess.Popen[str], step: str) -> None:
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if line.strip() == f"paused at {step}":
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=10)
            return
    proc.kill()
    proc.communicate(timeout=10)
    raise AssertionError(f"the erase never reached {step}: {''.join(seen)}")


def _kill_when_copy_appears(proc: subprocess.Popen[str], data_dir: Path) -> None:
    """SIGKILL as soon as the re-encrypted copy exists: somewhere inside the export, at no chosen step."""
    copy = str(rekey_path(data_dir / DB_NAME))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and not os.path.exists(copy):  # noqa: PTH110
        pass  # busy: the export of a small database lasts milliseconds
    assert proc.poll() is None, "the erase ended before its copy was seen"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=10)


def _check_crash_and_rerun(data_dir: Path, service: WorkspaceService, shop: Shop, before_y: dict[str, Any],
                           footprint: dict[str, int], old_key: bytes, expected: str | None,
                           env: dict[str, str], extra: list[str], **unlock_kw: Any) -> None:
    # After the kill: either the old state, whole, or the erased state, whole.
    with service.unlock(data_dir, **unlock_kw) as ws:
        now = ws.db.call(lambda c: x_footprint(c, shop))
        state = "old" if now == footprint else "erased" if now == dict.fromkeys(footprint, 0) else f"half: {now}"
        assert state in ("old", "erased"), state
        if expected:
            assert state == expected
        assert ws.db.call(lambda c: y_rows(c, shop)) == before_y
        assert ws.db.call(lambda c: (c.execute("PRAGMA quick_check").fetchone()[0],
                                     c.execute("PRAGMA cipher_integrity_check").fetchall())) == ("ok", [])
    # Running it again completes the erasure.
    done = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "--data-dir", str(data_dir), *extra, "erase", "--customer", X_EMAIL,
         "--yes", "--json"], capture_output=True, text=True, env={**os.environ, **env}, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["rekeyed"] and report["recovery_key"]
    with service.unlock(data_dir, **unlock_kw) as ws:
        assert ws.db.call(lambda c: x_footprint(c, shop)) == dict.fromkeys(footprint, 0)
        assert ws.db.call(lambda c: x_occurrences(c, shop.canary)) == []
        assert ws.db.call(lambda c: y_rows(c, shop)) == before_y
        assert ws.db.call(lambda c: c.execute("SELECT count(*) FROM privacy_log WHERE action = 'erase_customer' "
                                              "AND json_extract(details, '$.rekey') != 'done'").fetchone()[0]) == 0
    assert not (data_dir / PENDING_WRAP_NAME).exists() and not rekey_path(data_dir / DB_NAME).exists()
    with pytest.raises(WrongKey):
        open_encrypted(data_dir / DB_NAME, old_key)
    open_encrypted(data_dir / DB_NAME, parse_recovery_key(report["recovery_key"])).close()


@pytest.mark.parametrize("step", [*STEPS, "copy-appears"])
def test_a_killed_customer_erasure_is_old_or_erased_and_a_rerun_completes(
        no_keyring_service: WorkspaceService, data_dir: Path, step: str) -> None:
    workspace, created = no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    with workspace:
        shop = build_shop(workspace, f"kanari{secrets.token_hex(5)}")
        if step == "copy-appears":  # a few MB more, so the export lasts long enough to be caught in the act
            workspace.db.write(lambda c: c.executemany(
                "INSERT INTO templates(name, body) VALUES (?, ?)",
                [(f"filler {i}", "nothing personal here " * 100) for i in range(2000)]))
        before_y = workspace.db.call(lambda c: y_rows(c, shop))
        footprint = workspace.db.call(lambda c: x_footprint(c, shop))
    env = {"PP": PASSPHRASE, "COMPTOIR_TEST_PAUSE_AT": step}
    proc = _start_erase(data_dir, env, ["--passphrase-env", "PP"])
    if step == "copy-appears":
        _kill_when_copy_appears(proc, data_dir)
        expected = None  # whichever step it was at: old or erased, never half
    else:
        _kill_at(proc, step)
        expected = "old" if step == "in-transaction" else "erased"
        assert (data_dir / PENDING_WRAP_NAME).exists() == (step in ("staged", "swapped"))
    _check_crash_and_rerun(data_dir, no_keyring_service, shop, before_y, footprint,
                           parse_recovery_key(created.recovery_key), expected, {"PP": PASSPHRASE},
                           ["--passphrase-env", "PP"], passphrase=PASSPHRASE)


@pytest.mark.keyring
@pytest.mark.parametrize("step", ["staged", "swapped"])
def test_a_killed_erasure_with_the_key_in_the_secret_service(secret_service: SecretService, data_dir: Path,
                                                             step: str) -> None:
    backend = secret_service.backend()
    service = WorkspaceService(KeyringStore(backend, timeout=10))
    workspace, created = service.create(data_dir)
    workspace_id = created.info.workspace_id
    with workspace:
        shop = build_shop(workspace, f"kanari{secrets.token_hex(5)}")
        before_y = workspace.db.call(lambda c: y_rows(c, shop))
        footprint = workspace.db.call(lambda c: x_footprint(c, shop))
    env = {**secret_service.subprocess_env(), "COMPTOIR_TEST_PAUSE_AT": step}
    _kill_at(_start_erase(data_dir, env, []), step)
    pending = backend.get_password(SERVICE, f"workspace-{workspace_id}.{PENDING_SLOT}")  # type: ignore[attr-defined]
    assert pending is not None and len(bytes.fromhex(pending)) == 32
    old_key = parse_recovery_key(created.recovery_key)
    _check_crash_and_rerun(data_dir, service, shop, before_y, footprint, old_key, "erased",
                           secret_service.subprocess_env(), [])
    current = backend.get_password(SERVICE, f"workspace-{workspace_id}")  # type: ignore[attr-defined]
    assert current is not None and bytes.fromhex(current) != old_key and old_key.hex() != current
    assert backend.get_password(SERVICE, f"workspace-{workspace_id}.{PENDING_SLOT}") is None  # type: ignore[attr-defined]


# --- erase everything -------------------------------------------------------------------------------------------


def plant_everywhere(session: Session, canary: str, *, account: int | None = None) -> None:
    """The canary in a mail and its attachment (raw RFC 822 through the mail repo), a draft, a chat, an order and
    a setting."""
    raw = raw_mail(X_EMAIL, X_NAME, f"Question {canary}", f"Bonjour, {canary} encore.\n", when=datetime.now(UTC),
                   attachment=f"pièce jointe {canary}\n".encode("utf-16"))

    def _fill(conn: Any) -> None:
        acc = account or mail_repo.add_account(conn, AccountConfig(name="S", email=SHOP_EMAIL, imap_host="127.0.0.1"),
                                               "x")
        folder = mail_repo.ensure_folder(conn, acc, "Archive", "other").id
        for incoming in prepare(UIDVALIDITY, [(9001, raw, (), None, None)]):
            thread = mail_repo.insert_message(conn, acc, SHOP_EMAIL, folder, "other", incoming)
        conn.execute("INSERT INTO drafts(thread_id, body) VALUES (?, ?)", (thread, f"Réponse {canary}"))
        repo.add_chat_message(conn, None, "user", f"Who is {canary}?")
        shop = platform_repo.add_shop(conn, "woocommerce", "W", "https://w.example", "", {"k": "s"})
        platform_repo.cache_orders(conn, shop, None, [Order(
            platform="woocommerce", external_id="77", number="77", email=X_EMAIL, created_at="", currency="EUR",
            financial_status="paid", fulfillment_status="", total="1", note=f"gift note {canary}")])

    session.db.write(_fill)
    session.set_setting("assistant.extra_instructions", f"Sign with {canary}")


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This process's temp folder, private to the test (attachments opened by the merchant land here)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.keyring
def test_erase_all_leaves_no_canary_no_key_no_draft_and_starts_at_first_run(
        secret_service: SecretService, dovecot: Dovecot, tmp_path: Path, private_tmp: Path) -> None:
    canary = f"CANARY-{secrets.token_hex(6)}-Zébulon"
    patterns = patterns_of(canary)
    paths = AppPaths.under(tmp_path / "root").ensure()
    backend = secret_service.backend()
    service = WorkspaceService(KeyringStore(backend, timeout=10))
    setup_logging(paths.logs)
    try:
        demo, demo_created = service.create(paths.demo_workspace, demo=True)
        demo.close()
        workspace, created = service.create(paths.workspace)
        session = Session(workspace, ca_file=str(dovecot.ca_file))
        account = session.mail.add_account(account_config(dovecot), dovecot.users[SHOP])
        question = raw_mail(X_EMAIL, X_NAME, "Ma commande", f"Bonjour, voici {canary}.\n", when=datetime.now(UTC),
                            to=f"{SHOP}@shop.example", attachment=f"Scan {canary}\n".encode())
        dovecot.append_many(SHOP, "INBOX", [question])
        assert session.mail.sync(account).added == 1
        thread = session.threads()[0].id
        session.mail.save_draft(thread, f"Bonjour Zéphyrine, {canary} est noté.")
        plant_everywhere(session, canary, account=account)
        attachment = session.db.call(lambda c: c.execute("SELECT id FROM attachments ORDER BY id").fetchone()[0])
        opened = session.open_attachment(attachment)  # a plaintext copy in a private temp folder
        assert files_containing(private_tmp, patterns)  # sanity: the scan finds plaintext where there is some
        assert [canary in _text(m.raw) for m in dovecot.messages(SHOP, "Drafts")] == [True]
        assert files_containing(paths.data, patterns) == []  # encrypted at rest before anything is erased

        report = erase_everything(paths, service, workspace=workspace,
                                  remove_server_drafts=session.mail.delete_own_drafts)
        session.close()
    finally:
        close_logging()
        logging.getLogger("comptoir").propagate = True  # as before setup_logging (caplog in other tests)

    assert report.key_destroyed and not report.warnings
    assert report.counts["workspaces"] == 2 and report.counts["keyring_entries"] == 2
    assert report.counts["server_drafts"] == 1 and report.counts["temp_folders"] == 1
    assert "crypto-erasure" in " ".join(report.lines())
    assert not opened.exists()
    for folder in (paths.data, paths.cache, paths.logs, private_tmp):
        assert files_containing(folder, patterns) == [], folder
        assert [p for p in folder.rglob("*") if p.is_file()] == [], folder
    for info in (created.info, demo_created.info):
        for slot in ("", f".{PENDING_SLOT}"):
            assert backend.get_password(SERVICE, f"workspace-{info.workspace_id}{slot}") is None  # type: ignore[attr-defined]
    assert dovecot.messages(SHOP, "Drafts") == []  # only Comptoir's own draft, and it is gone
    assert len(dovecot.messages(SHOP, "INBOX")) == 1  # the merchant's mailbox is otherwise untouched
    assert report.recovery_key is None
    # First run again: no workspace, and the CLI says so.
    assert service.describe(paths.workspace) is None
    status = cli("status", data_dir=paths.data, env=secret_service.subprocess_env())
    assert status.returncode == 1 and "No workspace" in status.stdout


def _loop_mount(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    sudo: list[str] = []
    if os.geteuid() != 0:
        if not shutil.which("sudo") or subprocess.run(["sudo", "-n", "true"], capture_output=True,
                                                       check=False).returncode != 0:
            pytest.skip("loop-mounting an ext4 image needs root or passwordless sudo (`sudo -n true` failed)")
        sudo = ["sudo", "-n"]
    mkfs = shutil.which("mkfs.ext4") or next((p for p in ("/usr/sbin/mkfs.ext4", "/sbin/mkfs.ext4")
                                              if Path(p).exists()), None)
    if mkfs is None:
        pytest.skip("mkfs.ext4 is not installed (Debian: e2fsprogs)")
    image, mount = tmp_path / "disk.img", tmp_path / "mnt"
    mount.mkdir()
    with image.open("wb") as fh:
        fh.truncate(96 * 1024 * 1024)
    made = subprocess.run([mkfs, "-q", "-F", str(image)], capture_output=True, text=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"mkfs.ext4 failed: {made.stderr.strip()}")
    mounted = subprocess.run([*sudo, "mount", "-o", "loop", str(image), str(mount)], capture_output=True, text=True,
                             check=False)
    if mounted.returncode != 0:
        pytest.skip(f"`mount -o loop` is not allowed here: {mounted.stderr.strip()}")
    try:
        if sudo:
            subprocess.run([*sudo, "chown", f"{os.getuid()}:{os.getgid()}", str(mount)], check=True)
        yield image, mount
    finally:
        subprocess.run([*sudo, "umount", str(mount)], capture_output=True, check=False)


def test_erase_all_on_a_loop_mounted_ext4_image_leaves_no_canary_and_no_key_in_the_raw_bytes(
        no_keyring_service: WorkspaceService, tmp_path: Path) -> None:
    canary = f"CANARY-{secrets.token_hex(6)}-Zébulon"
    control = f"CONTROL-{secrets.token_hex(8)}"
    mounted = _loop_mount(tmp_path)
    image, mount = next(mounted)
    try:
        paths = AppPaths.under(mount / "comptoir").ensure()
        temp = mount / "tmp"
        temp.mkdir()
        workspace, created = no_keyring_service.create(paths.workspace, passphrase=PASSPHRASE)
        session = Session(workspace)
        plant_everywhere(session, canary)
        session.close()
        # A deleted file's blocks stay on the disk: the raw-image search must find this one after deletion.
        witness = mount / "witness.txt"
        with witness.open("w", encoding="utf-8") as fh:
            fh.write(control * 100)
            fh.flush()
            os.fsync(fh.fileno())
        witness.unlink()
        erased = cli("erase", "--all", "--yes", data_dir=paths.data, env={"TMPDIR": str(temp)})
        assert erased.returncode == 0, erased.stderr
        assert "crypto-erasure" in erased.stdout
        assert [p for p in mount.rglob("*") if p.is_file()] == []
        os.sync()
    finally:
        next(mounted, None)  # unmount
    raw = image.read_bytes()
    assert control.encode() in raw  # deleted data is visible to this search…
    key_hex = parse_recovery_key(created.recovery_key).hex()
    found = {name: raw.count(p) for name, p in patterns_of(canary).items()}
    found["key (hex)"] = raw.count(key_hex.encode()) + raw.count(key_hex.upper().encode())
    found["key (raw)"] = raw.count(bytes.fromhex(key_hex))
    assert found == dict.fromkeys(found, 0)  # …and finds neither the canary nor the key


# --- the CLI ---------------------------------------------------------------------------------------------------


def _cli_shop(service: WorkspaceService, data_dir: Path, canary: str = "kanaricli") -> Shop:
    workspace, _ = service.create(data_dir, passphrase=PASSPHRASE)
    with workspace:
        return build_shop(workspace, canary)


def pp(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return cli("--passphrase-env", "PP", *args, data_dir=data_dir, env={"PP": PASSPHRASE})


def test_cli_customer_commands(no_keyring_service: WorkspaceService, data_dir: Path) -> None:
    _cli_shop(no_keyring_service, data_dir)
    found = pp("customer", "find", "zephyrine", "--json", data_dir=data_dir)
    assert found.returncode == 0, found.stderr
    assert [c["emails"] for c in json.loads(found.stdout)] == [[X_EMAIL]]
    assert pp("customer", "find", "nobody", data_dir=data_dir).returncode == 1
    shown = pp("customer", "show", X_EMAIL.upper(), "--json", data_dir=data_dir)
    assert shown.returncode == 0, shown.stderr
    held = json.loads(shown.stdout)
    assert held["counts"]["messages"] == 3 and held["counts"]["orders"] == 1 and held["customer"]["phone"] == X_PHONE
    text = pp("customer", "show", X_EMAIL, data_dir=data_dir).stdout
    assert f"order #{X_ORDER}" in text and "Held: 2 threads" in text
    fixed = pp("customer", "rectify", X_EMAIL, "--first-name", "Zéphyra", "--phone", "+33 6 39 98 00 00",
               data_dir=data_dir)
    assert fixed.returncode == 0, fixed.stderr
    assert "Zéphyra Quillardet" in fixed.stdout
    bad = pp("customer", "rectify", X_EMAIL, "--phone", "call me maybe", data_dir=data_dir)
    assert bad.returncode == 1 and "phone number" in bad.stderr
    restricted = pp("customer", "restrict", X_EMAIL, "--no-ai", "on", "--no-marketing", "on", data_dir=data_dir)
    assert restricted.returncode == 0 and "no AI processing on, no marketing on" in restricted.stdout
    assert json.loads(pp("customer", "show", X_EMAIL, "--json", data_dir=data_dir).stdout)["customer"]["no_ai"]
    missing = pp("customer", "show", "nobody@example.fr", data_dir=data_dir)
    assert missing.returncode == 1 and "No customer has the address" in missing.stderr


def test_cli_erase_customer_asks_for_yes_then_erases(no_keyring_service: WorkspaceService, data_dir: Path) -> None:
    _cli_shop(no_keyring_service, data_dir)
    asked = pp("erase", "--customer", X_EMAIL, data_dir=data_dir)
    assert asked.returncode == 1 and "--yes" in asked.stderr and "2 threads" in asked.stderr
    assert pp("customer", "show", X_EMAIL, data_dir=data_dir).returncode == 0  # nothing happened
    done = pp("erase", "--customer", X_EMAIL, "--yes", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert "Erased the customer: 3 message(s)" in done.stdout and "New recovery key" in done.stderr
    assert pp("customer", "show", X_EMAIL, data_dir=data_dir).returncode == 1
    again = pp("erase", "--customer", X_EMAIL, "--yes", data_dir=data_dir)
    assert again.returncode == 1 and "No customer has the address" in again.stderr
    assert pp("customer", "find", "marchetti", data_dir=data_dir).returncode == 0


def test_cli_erase_all_needs_no_key_and_returns_to_first_run(no_keyring_service: WorkspaceService,
                                                             data_dir: Path, private_tmp: Path) -> None:
    _cli_shop(no_keyring_service, data_dir)
    env = {"TMPDIR": str(private_tmp)}  # erase also clears Comptoir's temp folders: never the machine's shared ones
    asked = cli("erase", "--all", data_dir=data_dir, env=env)
    assert asked.returncode == 1 and "--yes" in asked.stderr
    assert (data_dir / DB_NAME).exists() and (data_dir / WRAP_NAME).exists()
    locked = cli("status", data_dir=data_dir)  # no passphrase given: the workspace cannot be opened…
    assert locked.returncode == 1 and "passphrase" in locked.stderr
    erased = cli("erase", "--all", "--yes", "--json", data_dir=data_dir, env=env)  # …and erasing it needs none
    assert erased.returncode == 0, erased.stderr
    report = json.loads(erased.stdout)
    assert report["key_destroyed"] and report["counts"]["key_files"] == 1 and report["counts"]["workspaces"] == 1
    assert not data_dir.exists() or [p for p in data_dir.rglob("*") if p.is_file()] == []
    status = cli("status", data_dir=data_dir)
    assert status.returncode == 1 and "No workspace" in status.stdout
    again = cli("erase", "--all", "--yes", data_dir=data_dir, env=env)  # nothing left: still fine (uninstaller)
    assert again.returncode == 0 and "no workspace to erase" in again.stdout


def test_cli_erase_all_refuses_while_the_app_runs_and_changes_nothing(no_keyring_service: WorkspaceService,
                                                                      data_dir: Path, private_tmp: Path) -> None:
    _cli_shop(no_keyring_service, data_dir)
    (data_dir / "comptoir.lock").write_text(f"{os.getpid()}\ncomptoir\nhost\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    refused = cli("erase", "--all", "--yes", data_dir=data_dir, env={"TMPDIR": str(private_tmp)})
    assert refused.returncode == 1 and "Close the Comptoir window" in refused.stderr
    assert {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()} == before
    drafts = cli("erase", "--all", "--yes", "--drafts-on-server", data_dir=data_dir,
                 env={"TMPDIR": str(private_tmp)})  # needs the key: refused
    assert drafts.returncode == 1
    assert pp("customer", "show", X_EMAIL, data_dir=data_dir).returncode == 0


def test_cli_erase_all_removes_unfinished_exports_and_leftovers(
        no_keyring_service: WorkspaceService, data_dir: Path, tmp_path: Path, private_tmp: Path) -> None:
    _cli_shop(no_keyring_service, data_dir)
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    partial = home / "Downloads" / "my-shop.zip.partial"
    partial.write_bytes(b"PK\x03\x04 half an export")
    other = home / "Downloads" / "film.mkv.partial"  # another program's download: not ours
    other.write_bytes(b"\x1aE\xdf\xa3")
    (data_dir / "backups").mkdir()
    (data_dir / "backups" / "comptoir-schema4.db").write_bytes(b"ciphertext")
    rekey_path(data_dir / DB_NAME).write_bytes(b"an interrupted re-key's copy")
    erased = cli("erase", "--all", "--yes", "--json", data_dir=data_dir,
                 env={"HOME": str(home), "TMPDIR": str(private_tmp)})
    assert erased.returncode == 0, erased.stderr
    assert json.loads(erased.stdout)["counts"]["partial_exports"] == 1
    assert not partial.exists() and other.exists()
    assert not data_dir.exists() or [p for p in data_dir.rglob("*") if p.is_file()] == []
