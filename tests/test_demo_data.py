"""The demo shop: what a newcomer browses must look like one coherent, fictional shop."""

from __future__ import annotations

import email
import hashlib
import json
import re
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
import sqlcipher3

from desktop.core.triage import Intent
from desktop.services.demo_data import populate_demo

ROOT = Path(__file__).resolve().parents[1]
MIGRATION = ROOT / "desktop" / "store" / "migrations" / "0001_initial.sql"
NOW = datetime(2026, 11, 23, 18, 46, tzinfo=UTC)
RESERVED = ("example.com", "example.fr", "example.org")
ORDER_NUMBER = re.compile(r"(?<![\w#])#?(1\d{3})(?!\w)")  # not the tail of a tracking number

Demo = tuple[sqlcipher3.Connection, dict[str, int]]


def fresh_db() -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(":memory:", isolation_level=None)
    conn.executescript(MIGRATION.read_text(encoding="utf-8"))
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def fill(conn: sqlcipher3.Connection, *, seed: int = 7, now: datetime | None = None) -> dict[str, int]:
    conn.execute("BEGIN IMMEDIATE")
    counts = populate_demo(conn, seed=seed, now=now)
    conn.execute("COMMIT")
    return counts


def dump(conn: sqlcipher3.Connection) -> dict[str, list[tuple[object, ...]]]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'messages_fts%' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}


@pytest.fixture
def demo() -> Iterator[Demo]:
    conn = fresh_db()
    try:
        yield conn, fill(conn, now=NOW)
    finally:
        conn.close()


def scalar(conn: sqlcipher3.Connection, sql: str, *args: object) -> int:
    return int(conn.execute(sql, args).fetchone()[0])


def test_counts_match_what_is_in_the_tables_and_nothing_else_is_touched(demo: Demo) -> None:
    conn, counts = demo
    for table, n in counts.items():
        assert scalar(conn, f"SELECT count(*) FROM {table}") == n, table
    assert counts["threads"] >= 30
    assert counts["customers"] >= 20
    assert counts["orders"] >= 35
    assert counts["templates"] >= 6
    for table in ("chats", "chat_messages", "egress_ledger", "accounts", "folders", "drafts", "settings"):
        assert scalar(conn, f"SELECT count(*) FROM {table}") == 0, table
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_shop_profile_and_demo_shop(demo: Demo) -> None:
    conn, _ = demo
    name, website, languages, returns, faq = conn.execute(
        "SELECT shop_name, website, languages, returns_policy, faq FROM shop_profile WHERE id = 1").fetchone()
    assert name == "Atelier Lumière"
    assert website == "https://atelier-lumiere.example"
    assert languages == "fr,en"
    assert "30 days" in returns
    entries = json.loads(faq)
    assert len(entries) >= 4 and all(set(e) == {"question", "answer"} for e in entries)
    assert conn.execute("SELECT platform, base_url FROM shops").fetchall() == [
        ("demo", "https://atelier-lumiere.example")]


def test_both_languages_are_well_represented(demo: Demo) -> None:
    conn, _ = demo
    by_language = dict(conn.execute("SELECT language, count(*) FROM threads GROUP BY language").fetchall())
    assert set(by_language) == {"fr", "en"}
    total = sum(by_language.values())
    assert all(n >= total * 0.4 for n in by_language.values())
    # Each message speaks its thread's language.
    assert scalar(conn, "SELECT count(*) FROM messages m JOIN threads t ON t.id = m.thread_id "
                        "WHERE m.language IS NOT t.language") == 0
    # Varied mails, not one template with the names swapped.
    for language in ("fr", "en"):
        firsts = {re.sub(r"[#\d]+", "", body.split("\n\n", 1)[-1])[:60] for (body,) in conn.execute(
            "SELECT body_text FROM messages WHERE language = ? AND direction = 'in'", (language,))}
        assert len(firsts) >= 15, language


def test_every_intent_appears(demo: Demo) -> None:
    conn, _ = demo
    intents = {r[0] for r in conn.execute("SELECT DISTINCT intent FROM threads")}
    assert intents == {str(i) for i in Intent}  # the assistant's whole taxonomy, spam filed under 'other'
    assert scalar(conn, "SELECT count(*) FROM threads WHERE status = 'spam' AND intent = 'other'") >= 1
    assert scalar(conn, "SELECT count(*) FROM threads WHERE intent_source IS NOT 'rules'") == 0


def test_every_thread_has_a_customer_and_consistent_messages(demo: Demo) -> None:
    conn, _ = demo
    threads = conn.execute(
        "SELECT t.id, t.customer_id, t.message_count, t.first_message_at, t.last_message_at, t.status, t.unread, "
        "t.intent, t.subject, t.normalized_subject, (SELECT count(*) FROM customers c WHERE c.id = t.customer_id) "
        "FROM threads t").fetchall()
    for tid, customer, count, first, last, status, unread, _intent, subject, normalized, exists in threads:
        assert customer is not None and exists == 1, tid
        msgs = conn.execute(
            "SELECT direction, date, is_read, subject, message_id, in_reply_to, references_ids FROM messages "
            "WHERE thread_id = ? ORDER BY date, id", (tid,)).fetchall()
        assert len(msgs) >= 1 and len(msgs) == count, tid
        assert (msgs[0][1], msgs[-1][1]) == (first, last)
        assert normalized == subject.lower()
        direction, _, is_read = msgs[-1][:3]
        if status != "spam":
            assert status == ("open" if direction == "in" else "answered"), tid
        assert unread == int(direction == "in" and not is_read), tid
        ids: list[str] = []
        for _, _, _, msg_subject, message_id, in_reply_to, references in msgs:
            assert "<" not in message_id and message_id.endswith("@atelier-lumiere.example")
            if ids:
                assert msg_subject.startswith("Re: ")
                assert in_reply_to == ids[-1] and references == " ".join(ids)
            ids.append(message_id)


def test_shop_replies_come_from_the_shop_address(demo: Demo) -> None:
    conn, _ = demo
    replies = conn.execute("SELECT from_addr, subject FROM messages WHERE direction = 'out'").fetchall()
    assert len(replies) >= 10
    assert all(addr == "bonjour@atelier-lumiere.example" and subject.startswith("Re: ")
               for addr, subject in replies)
    # Some customers wrote again after the shop answered.
    assert scalar(conn, "SELECT count(*) FROM threads WHERE status = 'open' AND message_count >= 3") >= 3


def test_where_is_my_order_mentions_one_of_the_customers_own_orders(demo: Demo) -> None:
    conn, _ = demo
    threads = conn.execute("SELECT id, customer_id FROM threads WHERE intent = 'where_is_my_order'").fetchall()
    assert len(threads) >= 4
    for tid, customer in threads:
        own = {r[0] for r in conn.execute("SELECT number FROM orders WHERE customer_id = ?", (customer,))}
        assert own, tid
        body, refs = conn.execute(
            "SELECT body_text, ref_numbers FROM messages WHERE thread_id = ? ORDER BY date, id LIMIT 1",
            (tid,)).fetchone()
        mentioned = {f"#{n}" for n in ORDER_NUMBER.findall(body)}
        assert mentioned and mentioned <= own, (tid, mentioned, own)
        assert {r for r in refs.split() if r.startswith("#")} == mentioned


def test_every_order_number_in_a_mail_is_the_customers(demo: Demo) -> None:
    conn, _ = demo
    rows = conn.execute("SELECT t.customer_id, m.ref_numbers FROM messages m JOIN threads t ON t.id = m.thread_id "
                        "WHERE m.ref_numbers != ''").fetchall()
    assert len(rows) >= 20
    for customer, refs in rows:
        orders = conn.execute("SELECT number, tracking FROM orders WHERE customer_id = ?", (customer,)).fetchall()
        known = {n for n, _ in orders} | {t["number"] for _, tr in orders for t in json.loads(tr)}
        assert set(refs.split()) <= known


def test_shipped_orders_have_a_tracking_link_with_their_number(demo: Demo) -> None:
    conn, _ = demo
    rows = conn.execute("SELECT number, fulfillment_status, tracking, customer_id, email, currency, total, items, "
                        "shipping_address FROM orders").fetchall()
    shipped = 0
    for number, fulfillment, tracking, customer, mail, currency, total, items, address in rows:
        assert re.fullmatch(r"#1\d{3}", number)
        assert customer is not None and mail
        assert currency == "EUR" and re.fullmatch(r"\d+\.\d{2}", total)
        assert json.loads(items) and all(set(i) == {"title", "quantity", "price"} for i in json.loads(items))
        assert set(json.loads(address)) == {"name", "address1", "zip", "city", "country"}
        parcels = json.loads(tracking)
        if fulfillment in ("fulfilled", "partial"):
            shipped += 1
            assert parcels, number
            for parcel in parcels:
                assert parcel["carrier"] in ("Colissimo", "Mondial Relay", "DHL")
                assert parcel["number"] and parcel["number"] in parcel["url"]
                assert parcel["url"].startswith("https://")
        else:
            assert parcels == [], number
    assert shipped >= 20
    assert len({r[0] for r in rows}) == len(rows)


def test_only_reserved_example_domains(demo: Demo) -> None:
    conn, _ = demo

    def reserved(address: str) -> bool:
        domain = address.rsplit("@", 1)[-1].lower()
        return domain in RESERVED or domain.endswith(".example")

    addresses = [r[0] for r in conn.execute("SELECT email FROM customer_addresses")]
    addresses += [r[0] for r in conn.execute("SELECT email FROM orders")]
    for from_addr, to_addrs in conn.execute("SELECT from_addr, to_addrs FROM messages"):
        addresses += [from_addr, *to_addrs.split(",")]
    assert addresses and all("@" in a and reserved(a.strip()) for a in addresses)
    for (body,) in conn.execute("SELECT body_text FROM messages"):
        assert all(reserved(a) for a in re.findall(r"[\w.+-]+@[\w.-]+\w", body))


def test_customers_look_real_but_fictional(demo: Demo) -> None:
    conn, _ = demo
    assert {r[0] for r in conn.execute("SELECT DISTINCT locale FROM customers")} == {"fr", "en"}
    assert scalar(conn, "SELECT count(*) FROM customers WHERE no_ai = 1") == 1
    multi = conn.execute("SELECT customer_id, count(*), sum(is_primary) FROM customer_addresses "
                         "GROUP BY customer_id HAVING count(*) > 1").fetchall()
    assert len(multi) >= 2 and all(primary == 1 for _, _, primary in multi)
    assert scalar(conn, "SELECT count(*) FROM customers c WHERE NOT EXISTS "
                        "(SELECT 1 FROM customer_addresses a WHERE a.customer_id = c.id)") == 0


def test_dates_are_recent_and_iso(demo: Demo) -> None:
    conn, _ = demo
    oldest = (NOW - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    newest = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    iso = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
    for first, last in conn.execute("SELECT first_message_at, last_message_at FROM threads"):
        assert iso.fullmatch(first) and iso.fullmatch(last)
        assert oldest <= first <= last <= newest
    for (placed,) in conn.execute("SELECT placed_at FROM orders"):
        assert iso.fullmatch(placed) and placed <= newest


def test_raw_source_matches_the_stored_message(demo: Demo) -> None:
    conn, _ = demo
    rows = conn.execute("SELECT raw, raw_sha256, size, message_id, in_reply_to, subject, from_addr, body_text, "
                        "snippet FROM messages").fetchall()
    for raw, digest, size, message_id, in_reply_to, subject, from_addr, body, snippet in rows:
        source = zlib.decompress(raw)
        assert hashlib.sha256(source).hexdigest() == digest and len(source) == size
        parsed = email.message_from_bytes(source, policy=policy.default)
        assert parsed["Message-ID"] == f"<{message_id}>"
        assert parsed["Subject"] == subject
        assert parsed["From"].addresses[0].addr_spec == from_addr
        assert (parsed["In-Reply-To"] or None) == (f"<{in_reply_to}>" if in_reply_to else None)
        assert parsed.get_content().replace("\r\n", "\n").rstrip("\n") == body.rstrip("\n")
        assert snippet == " ".join(body.split())[:140]


def test_templates_use_variables_with_fallbacks(demo: Demo) -> None:
    conn, _ = demo
    rows = conn.execute("SELECT intent, language, body FROM templates").fetchall()
    assert {(i, lang) for i, lang, _ in rows} >= {("where_is_my_order", "fr"), ("where_is_my_order", "en")}
    assert {lang for _, lang, _ in rows} == {"fr", "en"}
    assert all("{{customer.first_name" in body and "{{order.number}}" in body for _, _, body in rows)
    assert any('{{order.tracking_url | "' in body for _, _, body in rows)


def test_same_seed_and_time_give_the_same_shop() -> None:
    first, second, other = fresh_db(), fresh_db(), fresh_db()
    try:
        assert fill(first, seed=7, now=NOW) == fill(second, seed=7, now=NOW)
        fill(other, seed=8, now=NOW)
        assert dump(first) == dump(second)
        assert dump(first) != dump(other)
    finally:
        for conn in (first, second, other):
            conn.close()


def test_default_time_is_now() -> None:
    conn = fresh_db()
    try:
        fill(conn)
        last = conn.execute("SELECT max(last_message_at) FROM threads").fetchone()[0]
        now = datetime.now(UTC)
        assert (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ") < last
        assert last <= (now + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    finally:
        conn.close()


def test_full_text_search_finds_french_and_english_mail(demo: Demo) -> None:
    conn, _ = demo
    assert scalar(conn, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'commande'") > 0
    assert scalar(conn, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'parcel OR order'") > 0
    # Order and tracking numbers are searchable too.
    tracking = conn.execute("SELECT ref_numbers FROM messages WHERE ref_numbers LIKE '%6A%' LIMIT 1").fetchone()
    if tracking is not None:
        number = next(r for r in tracking[0].split() if r.startswith("6A"))
        assert scalar(conn, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?", f'"{number}"') > 0
