"""The encrypted store: SQLCipher from byte 0, pragmas, wrong keys, tampering, migrations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlcipher3

from desktop.core.errors import DatabaseCorrupt, DatabaseTooNew, WorkspaceMissing, WrongKey
from desktop.store.connection import PLAIN_SQLITE_HEADER, open_encrypted
from desktop.store.database import Database
from desktop.store.migrate import Migration, latest_version, load_migrations, migrate
from desktop.store.repositories import TABLES, list_threads

KEY = bytes(range(32))
OTHER = bytes(range(1, 33))


def make_db(path: Path, key: bytes = KEY) -> Database:
    return Database(path, key, create=True)


def test_file_is_encrypted_from_byte_zero_with_the_safe_pragmas(tmp_path: Path) -> None:
    db = make_db(tmp_path / "c.db")
    try:
        pragmas = db.call(lambda c: {
            name: c.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("cipher_version", "temp_store", "secure_delete", "journal_mode", "foreign_keys",
                         "synchronous")
        })
    finally:
        db.close()
    assert pragmas["cipher_version"]  # SQLCipher, not plain SQLite silently ignoring the key
    assert pragmas["temp_store"] == 2
    assert pragmas["secure_delete"] == 1
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["foreign_keys"] == 1
    assert pragmas["synchronous"] == 2
    head = (tmp_path / "c.db").read_bytes()[:16]
    assert head != PLAIN_SQLITE_HEADER
    # and the same library without a key would have written the plain header
    plain = sqlcipher3.connect(str(tmp_path / "plain.db"))
    plain.execute("CREATE TABLE t(x)")
    plain.commit()
    plain.close()
    assert (tmp_path / "plain.db").read_bytes()[:16] == PLAIN_SQLITE_HEADER


def test_first_migration_creates_the_whole_data_model(tmp_path: Path) -> None:
    db = make_db(tmp_path / "c.db")
    try:
        names = db.call(lambda c: {r[0] for r in c.execute("SELECT name FROM sqlite_master")})
        version = db.call(lambda c: c.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()
    assert set(TABLES) <= names
    assert "messages_fts" in names
    assert version == latest_version() >= 1


def test_wrong_key_is_refused_and_the_file_is_untouched(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    db = make_db(path)
    db.write(lambda c: c.execute("INSERT INTO chats(title) VALUES ('kept')"))
    db.close()
    before = (path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in tmp_path.iterdir()))
    with pytest.raises(WrongKey) as err:
        Database(path, OTHER)
    assert "Nothing was changed" in err.value.hint
    after = (path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in tmp_path.iterdir()))
    assert after == before
    # the right key still opens it, with the data
    db = Database(path, KEY)
    assert db.call(lambda c: c.execute("SELECT title FROM chats").fetchone()[0]) == "kept"
    db.close()


def test_missing_or_empty_file_is_never_created_silently(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceMissing):
        Database(tmp_path / "absent.db", KEY)
    assert not (tmp_path / "absent.db").exists()
    (tmp_path / "empty.db").write_bytes(b"")
    with pytest.raises(DatabaseCorrupt):
        Database(tmp_path / "empty.db", KEY)
    assert (tmp_path / "empty.db").read_bytes() == b""


def test_tampered_page_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    db = make_db(path)
    db.write(lambda c: c.executemany("INSERT INTO chat_messages(chat_id, role, content) VALUES (?, 'user', ?)",
                                     [(c.execute("INSERT INTO chats(title) VALUES ('t')").lastrowid, "x" * 3000)
                                      for _ in range(50)]))
    root = db.call(lambda c: c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'chat_messages'").fetchone()[0])
    db.close()
    data = bytearray(path.read_bytes())
    page = 4096 * (root - 1) + 100  # inside the table's root page
    for i in range(3):
        data[page + i] ^= 0xFF
    path.write_bytes(bytes(data))
    conn = open_encrypted(path, KEY)
    try:
        with pytest.raises(sqlcipher3.DatabaseError):
            conn.execute("SELECT count(*), sum(length(content)) FROM chat_messages").fetchall()
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall()  # reports the page
    finally:
        conn.close()


def test_migration_from_empty_file_to_latest_and_too_new_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    conn = open_encrypted(path, KEY, create=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        applied = migrate(conn, path)
        assert applied == [m.version for m in load_migrations()]
        conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    finally:
        conn.close()
    mtime = path.stat().st_mtime_ns
    with pytest.raises(DatabaseTooNew) as err:
        Database(path, KEY)
    assert "newer version of Comptoir" in err.value.message
    assert path.stat().st_mtime_ns == mtime


def test_backup_before_migrating_is_taken_and_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    db = make_db(path)
    db.write(lambda c: c.execute("INSERT INTO chats(title) VALUES ('before-upgrade')"))
    db.close()
    extra = Migration(latest_version() + 1, "add_chat_pinned", "ALTER TABLE chats ADD COLUMN pinned INTEGER DEFAULT 0;")
    db = Database(path, KEY, migrations=[*load_migrations(), extra])
    try:
        assert db.applied == [extra.version]
        assert db.call(lambda c: c.execute("SELECT title, pinned FROM chats").fetchone()) == ("before-upgrade", 0)
    finally:
        db.close()
    backups = list((tmp_path / "backups").iterdir())
    assert len(backups) == 1
    backup = backups[0]
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    assert backup.read_bytes()[:16] != PLAIN_SQLITE_HEADER
    assert b"before-upgrade" not in backup.read_bytes()
    with pytest.raises(WrongKey):  # encrypted with the workspace key, and only with it
        Database(backup, OTHER)
    old = Database(backup, KEY, migrations=load_migrations())
    try:
        assert old.call(lambda c: c.execute("SELECT title FROM chats").fetchone()[0]) == "before-upgrade"
    finally:
        old.close()


def test_failed_migration_rolls_back_and_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    db = make_db(path)
    db.write(lambda c: c.execute("INSERT INTO chats(title) VALUES ('safe')"))
    db.close()
    broken = Migration(latest_version() + 1, "broken", "ALTER TABLE chats ADD COLUMN x INTEGER; SELECT * FROM nope;")
    with pytest.raises(sqlcipher3.OperationalError):
        Database(path, KEY, migrations=[*load_migrations(), broken])
    db = Database(path, KEY)
    try:
        assert db.call(lambda c: c.execute("PRAGMA user_version").fetchone()[0]) == latest_version()
        cols = db.call(lambda c: [r[1] for r in c.execute("PRAGMA table_info(chats)")])
        assert "x" not in cols
        assert db.call(lambda c: c.execute("SELECT title FROM chats").fetchone()[0]) == "safe"
    finally:
        db.close()


def test_full_text_search_finds_words_accents_prefixes_and_numbers(tmp_path: Path) -> None:
    db = make_db(tmp_path / "c.db")

    def seed(c: sqlcipher3.Connection) -> None:
        for i, (subject, body, addr, numbers, date) in enumerate([
            ("Où est ma commande ?", "Bonjour, je n'ai rien reçu.", "ann@example.fr", "#1001 6A1234", "2026-11-01"),
            ("Damaged parcel", "The vase arrived broken.", "joann@example.fr", "#1002", "2026-11-02"),
            ("Remboursement", "Je voudrais être remboursée.", "bob@example.com", "#1003", "2026-11-03"),
        ]):
            t = c.execute("INSERT INTO threads(subject, last_message_at) VALUES (?, ?)", (subject, date)).lastrowid
            c.execute("INSERT INTO messages(thread_id, subject, body_text, from_addr, ref_numbers, date) "
                      "VALUES (?, ?, ?, ?, ?, ?)", (t, subject, body, addr, numbers, date))
            assert i >= 0

    db.write(seed)
    try:
        def subjects(q: str) -> list[str]:
            return [t.subject for t in db.call(lambda c: list_threads(c, query=q))]

        assert subjects("commande") == ["Où est ma commande ?"]
        assert subjects("ou est") == ["Où est ma commande ?"]          # accents folded
        assert subjects("rembours") == ["Remboursement"]               # prefix
        assert subjects("1002") == ["Damaged parcel"]                  # order number
        assert subjects("6A1234") == ["Où est ma commande ?"]          # tracking number
        assert subjects("ann@example.fr") == ["Où est ma commande ?"]  # not joann@
        assert subjects('broken "') == ["Damaged parcel"]              # stray quote is harmless
        assert subjects("nothing-like-this") == []
    finally:
        db.close()


def test_files_are_private(tmp_path: Path) -> None:
    os.umask(0o077)
    path = tmp_path / "c.db"
    db = make_db(path)
    db.write(lambda c: c.execute("INSERT INTO chats(title) VALUES ('x')"))
    try:
        for p in tmp_path.iterdir():
            if p.name.startswith("c.db"):
                assert p.stat().st_mode & 0o077 == 0, p
    finally:
        db.close()


def test_frequent_and_rare_terms_list_the_same_newest_threads(tmp_path: Path) -> None:
    from desktop.store.repositories import FREQUENT_HITS

    db = make_db(tmp_path / "c.db")

    def seed(c: sqlcipher3.Connection) -> None:
        for t in range(400):
            date = f"2026-{1 + t % 12:02d}-{1 + t % 28:02d}T{t % 24:02d}:00:00Z"
            tid = c.execute("INSERT INTO threads(subject, last_message_at) VALUES (?, ?)", (f"T{t}", date)).lastrowid
            for m in range(8):
                body = "commande" + (" rare" if t % 50 == 0 and m == 0 else "")
                c.execute("INSERT INTO messages(thread_id, subject, body_text, date) VALUES (?, ?, ?, ?)",
                          (tid, f"T{t}", body if t % 3 else "other words", date))

    db.write(seed)
    try:
        hits = db.call(lambda c: c.execute(
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'commande'").fetchone()[0])
        assert hits >= FREQUENT_HITS  # the frequent path is the one exercised
        expected = db.call(lambda c: [r[0] for r in c.execute(
            "SELECT id FROM threads WHERE id IN (SELECT thread_id FROM messages WHERE body_text LIKE '%commande%') "
            "ORDER BY last_message_at DESC, id DESC LIMIT 50")])
        got = [t.id for t in db.call(lambda c: list_threads(c, query="commande", limit=50))]
        assert got == expected
        page2 = [t.id for t in db.call(lambda c: list_threads(c, query="commande", limit=50, offset=50))]
        assert not set(page2) & set(got) and len(page2) == 50
        rare = [t.subject for t in db.call(lambda c: list_threads(c, query="rare"))]
        assert sorted(rare) == sorted(f"T{t}" for t in range(0, 400, 50) if t % 3)
    finally:
        db.close()
