"""Export, import and the egress ledger, on real SQLCipher workspaces with mail synced from a real Dovecot.

One workspace is built for the module: the demo shop, mail synced over IMAPS (attachments, a multi-party
mail, lines that start with "From "), and a row in every table, with secrets and a mail canary planted.
Tests read it; the ones that change data work on their own workspaces.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import mailbox
import re
import secrets
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pytest

import desktop
from desktop.core.errors import Cancelled, DatabaseTooNew, UserFacingError, WorkspaceExists, WrongPassphrase
from desktop.core.mail import Security
from desktop.secrets.keyring_store import KeyringStore
from desktop.services.demo import fill
from desktop.services.export import (
    ENCRYPTED_MAGIC,
    export_customer,
    export_workspace,
    import_export,
    ledger_csv,
    ledger_entries,
    ledger_totals,
    mboxrd_escape,
    mboxrd_unescape,
    open_export,
    verify_export,
)
from desktop.services.session import Session
from desktop.services.workspace import Workspace, WorkspaceService
from desktop.store import repositories as repo
from desktop.tasks.cancel import CancelToken, Job, Progress
from tests.conftest import PASSPHRASE
from tests.helpers import cli, encodings_of
from tests.mailtools import SHOP, account_config, customer_mail
from tests.servers.dovecot import Dovecot, dovecot_binary
from tests.servers.fixtures import MISSING_DOVECOT
from tests.servers.tls import Pki

SECRET = "CANARY-SECRET-" + secrets.token_hex(8)   # planted in every secret column
MAIL = "CANARYMAIL" + secrets.token_hex(8)          # planted in a mail body and an attachment
CLAIRE = "claire@example.fr"                         # a customer from the synced mail
BOB = "bob.other@example.org"                        # another one, copied on one of Claire's mails
CAMILLE = "camille.ferrandou@example.fr"             # a demo customer
EXPORT_PASS = "export passphrase, long enough"


def service() -> WorkspaceService:
    return WorkspaceService(KeyringStore(keyring.backends.fail.Keyring(), timeout=5))


def rows(ws: Workspace | Session, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    return ws.db.call(lambda c: c.execute(sql, args).fetchall())


def user_tables(ws: Workspace) -> list[str]:
    """Every ordinary table, found independently of the code under test."""
    listed = rows(ws, "PRAGMA main.table_list")
    return sorted(str(r[1]) for r in listed if r[2] == "table" and not str(r[1]).startswith("sqlite_"))


def table_rows(ws: Workspace, table: str) -> list[tuple[Any, ...]]:
    return rows(ws, f'SELECT * FROM "{table}" ORDER BY rowid')


def secret_columns(ws: Workspace, table: str) -> list[int]:
    cols = [str(r[1]) for r in rows(ws, f'PRAGMA table_info("{table}")')]
    return [i for i, c in enumerate(cols) if re.search(r"secret|api_?key|password|token", c, re.I)]


def entries(path: Path, passphrase: str | None = None) -> dict[str, bytes]:
    with open_export(path, passphrase=passphrase) as (archive, _encrypted):
        return {name: archive.read(name) for name in archive.namelist()}


def all_bytes(path: Path, passphrase: str | None = None) -> bytes:
    """The export as a reader sees it: every file decompressed, plus the file itself."""
    return b"\n".join(entries(path, passphrase).values()) + path.read_bytes()


def with_attachment(n: int, content: bytes, *, filename: str = "facture.pdf", body: str,
                    cc: str | None = None) -> bytes:
    """A mail from Claire with a PDF attached (built whole, so the text part stays 8bit as clients send it)."""
    headers = BytesParser(policy=policy.default).parsebytes(customer_mail(n), headersonly=True)
    msg = EmailMessage()
    for name in ("From", "To", "Subject", "Date", "Message-ID"):
        msg[name] = headers[name]
    if cc:
        msg["Cc"] = cc
    msg.set_content(body)
    msg.add_attachment(content, maintype="application", subtype="pdf", filename=filename)
    return msg.as_bytes()


@dataclass
class Rich:
    folder: Path
    workspace: Workspace
    service: WorkspaceService
    claire_id: int


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory, server_pki: Pki) -> Iterator[Rich]:
    if dovecot_binary() is None:
        pytest.skip(MISSING_DOVECOT)
    server = Dovecot(pki=server_pki)
    server.start()
    folder = tmp_path_factory.mktemp("rich") / "data"
    svc = service()
    workspace, _created = svc.create(folder, passphrase=PASSPHRASE)
    try:
        fill(workspace)
        mails = [
            with_attachment(201, b"%PDF-1.4 invoice " + MAIL.encode() + b" %%EOF",
                            body=f"Bonjour, voici la facture. Réf {MAIL}.\nFrom Lyon, with love\n>From a quote\n"),
            customer_mail(202, body="Bonjour,\nFrom now on please write to me here.\nMerci, Claire\n"),
            with_attachment(203, b"%PDF-1.4 photo", cc=BOB, filename="photo.pdf",
                            body="Je mets Bob en copie, il a la même commande.\n"),
            customer_mail(204, sender=BOB, name="Bob Other", subject="Ma commande #1077",
                          body="Bonjour, où en est ma commande #1077 ?\nBob\n"),
        ]
        server.deliver(SHOP, "INBOX", mails)
        server.deliver(SHOP, "Sent", [customer_mail(205, sender=f"{SHOP}@shop.example", name="Atelier Test",
                                                    to=CLAIRE, subject="Re: votre facture",
                                                    body="Bonjour Claire,\nmerci, c'est noté.\n")])
        session = Session(workspace, ca_file=str(server.ca_file))
        cfg = account_config(server)
        assert cfg.imap_security == Security.TLS
        account = session.mail.add_account(cfg, server.users[SHOP])
        report = session.mail.sync(account)
        assert report.added == 5
        claire = rows(workspace, "SELECT customer_id FROM customer_addresses WHERE email = ?", CLAIRE)[0][0]
        thread = rows(workspace, "SELECT id FROM threads WHERE customer_id = ? ORDER BY id LIMIT 1", claire)[0][0]
        session.keep_draft_text(thread, "Bonjour Claire, votre colis part demain.")

        def plant(c: Any) -> None:
            c.execute("UPDATE accounts SET secret = ?", (json.dumps({"password": SECRET}),))
            c.execute("UPDATE shops SET secret = ?", (json.dumps({"token": SECRET}),))
            repo.set_setting(c, "ui.language", "fr")
            c.execute("INSERT INTO settings(key, value) VALUES ('test.api_token', ?)", (json.dumps(SECRET),))
            repo.add_chat_message(c, None, "user", f"Résume les commandes de {CLAIRE} et de Camille Ferrandou, "
                                                   f"puis celles de {BOB}.", "Semaine")
            repo.add_chat_message(c, 1, "assistant", "Claire a une commande en cours.")
            c.execute("INSERT INTO chats(title) VALUES ('Newsletter')")
            c.execute("INSERT INTO pseudonyms(thread_id, placeholder, value) VALUES (?, '[EMAIL_1]', ?)",
                      (thread, CLAIRE))
            c.execute("INSERT INTO privacy_log(action, details) VALUES ('purge', '{\"threads\": 0}')")
            c.execute("INSERT INTO rules(name, conditions, actions) VALUES ('spam', '[]', '[]')")
            c.execute("INSERT INTO egress_ledger(at, destination, kind, purpose, data_categories, bytes_out, "
                      "bytes_in, customer_id, thread_id) VALUES ('2026-11-20T10:00:00Z', 'api.mistral.ai', 'llm', "
                      "'draft', 'message text', 2048, 512, ?, ?)", (claire, thread))
            c.execute("INSERT INTO egress_ledger(at, destination, kind, purpose, bytes_out, bytes_in) "
                      "VALUES ('2026-11-21T09:00:00Z', '127.0.0.1:993', 'imap', 'sync', 300, 90000)")
            tables = {r[1] for r in c.execute("PRAGMA main.table_list")}
            if "llm_providers" in tables:
                c.execute("INSERT INTO llm_providers(name, base_url, api_key) VALUES ('Mistral', "
                          "'https://api.mistral.ai/v1', ?)", (SECRET,))

        workspace.db.write(plant)
        yield Rich(folder, workspace, svc, claire)
    finally:
        workspace.close()
        server.close()


# --- export of everything ------------------------------------------------------------------------------------


def test_every_table_and_file_is_in_the_manifest_with_its_sum(rich: Rich, tmp_path: Path) -> None:
    tables = user_tables(rich.workspace)
    empty = [t for t in tables if not table_rows(rich.workspace, t)]
    assert empty == [], f"add a row to these tables in the fixture so the export is tested on them: {empty}"
    report = export_workspace(rich.workspace, tmp_path / "all.zip", job=Job())
    assert report.plaintext and not report.secrets_included
    files = entries(tmp_path / "all.zip")
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["app_version"] == desktop.__version__
    assert manifest["schema_version"] == rows(rich.workspace, "PRAGMA user_version")[0][0]
    assert manifest["secrets_included"] is False and manifest["encrypted"] is False
    # every table, every row: the counts equal the database and the files hold that many rows
    assert sorted(manifest["counts"]) == tables
    for table in tables:
        expected = len(table_rows(rich.workspace, table))
        if table == "settings":
            expected -= 1  # the planted 'test.api_token' setting names a credential
        assert manifest["counts"][table] == expected, table
        data = json.loads(files[f"data/{table}.json"])
        assert data["table"] == table and data["count"] == expected == len(data["rows"])
    assert manifest["omitted_rows"] == {"settings": 1}
    # every file is listed with its SHA-256 and size, and nothing else is in the archive
    assert set(manifest["files"]) == set(files)
    for name, content in files.items():
        assert manifest["files"][name] == {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    assert {"ledger.csv", "README.txt", "chats/1.json", "chats/1.md", "chats/2.json", "chats/2.md"} <= set(files)
    assert "Résume les commandes" in files["chats/1.md"].decode()
    if shutil.which("unzip"):  # any ZIP tool reads it (zip64 entries, UTF-8 names)
        tested = subprocess.run(["unzip", "-tq", str(tmp_path / "all.zip")], capture_output=True, text=True,
                                check=False)
        assert tested.returncode == 0, tested.stdout + tested.stderr
    ledger = list(csv.DictReader(io.StringIO(files["ledger.csv"].decode())))
    assert {"api.mistral.ai", "127.0.0.1:993"} <= {r["destination"] for r in ledger}
    assert len(ledger) == len(table_rows(rich.workspace, "egress_ledger"))
    # BLOBs are base64 under "$base64": the attachment comes back byte for byte
    attachments = json.loads(files["data/attachments.json"])["rows"]
    stored = dict(rows(rich.workspace, "SELECT id, content FROM attachments"))
    for att in attachments:
        assert __import__("base64").b64decode(att["content"]["$base64"]) == stored[att["id"]]


def test_the_mbox_files_give_back_every_original_message(rich: Rich, tmp_path: Path) -> None:
    export_workspace(rich.workspace, tmp_path / "all.zip", job=Job())
    files = entries(tmp_path / "all.zip")
    boxes = sorted(n for n in files if n.endswith(".mbox"))
    assert {"mail/alice@shop.example/INBOX.mbox", "mail/alice@shop.example/Sent.mbox",
            "mail/local/messages.mbox"} == set(boxes)
    originals = [zlib.decompress(r[0]) for r in rows(rich.workspace, "SELECT raw FROM messages WHERE raw IS NOT NULL")]
    read: list[bytes] = []
    for name in boxes:
        path = tmp_path / "mbox" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
        box = mailbox.mbox(path, create=False)
        read += [box.get_bytes(key) for key in box.iterkeys()]
        box.close()
    assert len(read) == len(originals)
    # Python's mailbox reads mboxrd without undoing the '>From ' escaping: the bytes it returns are the
    # original exactly, except on lines that start with (>)From, which carry one more '>' (docs/export-format.md).
    assert sorted(read) == sorted(mboxrd_escape(o) for o in originals)
    assert sorted(mboxrd_unescape(r) for r in read) == sorted(originals)
    plain = [o for o in originals if not re.search(rb"(?m)^>*From ", o)]
    assert plain and all(p in read for p in plain)  # byte-identical as mailbox returns them
    escaped = [o for o in originals if re.search(rb"(?m)^>*From ", o)]
    assert len(escaped) == 2 and all(o not in read for o in escaped)
    # attachments are inside: the invoice with the canary comes back from the mbox
    for raw in read:
        msg = BytesParser(policy=policy.default).parsebytes(mboxrd_unescape(raw))
        for part in msg.iter_attachments():
            if part.get_filename() == "facture.pdf":
                assert MAIL.encode() in part.get_content()
                break
        else:
            continue
        break
    else:
        pytest.fail("the invoice attachment is not in the mbox")


def test_secrets_stay_out_unless_asked_for(rich: Rich, tmp_path: Path) -> None:
    export_workspace(rich.workspace, tmp_path / "plain.zip", job=Job())
    blob = all_bytes(tmp_path / "plain.zip")
    assert {name: p for name, p in encodings_of(SECRET).items() if p in blob} == {}
    accounts = json.loads(entries(tmp_path / "plain.zip")["data/accounts.json"])
    assert accounts["secret_columns_nulled"] == ["secret"] and accounts["rows"][0]["secret"] is None
    # asked for: they are there (so the check above can fail)
    report = export_workspace(rich.workspace, tmp_path / "with.zip", job=Job(), include_secrets=True)
    assert report.secrets_included
    files = entries(tmp_path / "with.zip")
    assert SECRET.encode() in files["data/accounts.json"] and SECRET.encode() in files["data/shops.json"]
    assert json.loads(files["manifest.json"])["secrets_included"] is True


def test_cancel_removes_the_partial_file_and_frees_the_database(rich: Rich, tmp_path: Path) -> None:
    token = CancelToken()
    seen: list[Progress] = []

    def on_progress(p: Progress) -> None:
        seen.append(p)
        if len(seen) == 3:
            token.cancel()

    with pytest.raises(Cancelled):
        export_workspace(rich.workspace, tmp_path / "all.zip", job=Job(token, on_progress))
    assert list(tmp_path.iterdir()) == []  # neither the export nor its .partial
    assert seen[0].total > 0 and seen[-1].done < seen[-1].total
    # the reader's transaction ended: the database takes writes again
    assert rows(rich.workspace, "SELECT count(*) FROM messages")[0][0] > 0
    rich.workspace.db.write(lambda c: c.execute("UPDATE settings SET updated_at = updated_at"))
    assert rich.workspace.db.call(lambda c: c.in_transaction) is False


def test_a_folder_that_cannot_be_written_is_a_clear_error(rich: Rich, tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="does not exist"):
        export_workspace(rich.workspace, tmp_path / "nope" / "all.zip", job=Job())
    with pytest.raises(UserFacingError, match="is a folder"):
        export_workspace(rich.workspace, tmp_path, job=Job())
    # the workspace's own files are never the destination
    database = rich.folder / "comptoir.db"
    before = database.stat().st_mtime_ns, database.stat().st_size
    with pytest.raises(UserFacingError, match="workspace's own files"):
        export_workspace(rich.workspace, database, job=Job())
    assert (database.stat().st_mtime_ns, database.stat().st_size) == before
    assert not (rich.folder / "comptoir.db.partial").exists()


# --- one customer --------------------------------------------------------------------------------------------


def other_identifiers(ws: Workspace, customer_id: int) -> dict[str, list[str]]:
    emails = [r[0] for r in rows(ws, "SELECT email FROM customer_addresses WHERE customer_id != ?", customer_id)]
    phones = [r[0] for r in rows(ws, "SELECT phone FROM customers WHERE id != ? AND phone != ''", customer_id)]
    orders = [r[0] for r in rows(ws, "SELECT number FROM orders WHERE customer_id IS NOT ?", customer_id)]
    return {"emails": emails, "phones": phones, "orders": orders}


@pytest.mark.parametrize("email", [CLAIRE, CAMILLE])
def test_a_customer_export_holds_their_data_and_nobody_else_s(rich: Rich, tmp_path: Path, email: str) -> None:
    cid = rows(rich.workspace, "SELECT customer_id FROM customer_addresses WHERE email = ?", email)[0][0]
    report = export_customer(rich.workspace, email.upper(), tmp_path / "c.zip", job=Job())
    files = entries(tmp_path / "c.zip")
    text = b"\n".join(files.values()).decode("utf-8", errors="replace").casefold()
    others = other_identifiers(rich.workspace, cid)
    assert others["emails"] and others["orders"] and others["phones"]
    assert BOB in others["emails"] and (CLAIRE in others["emails"]) is (email != CLAIRE)
    leaked = [e for e in others["emails"] if e.casefold() in text]
    leaked += [p for p in others["phones"] if p in text]
    leaked += [n for n in others["orders"] if re.search(rf"{re.escape(n.casefold())}(?!\d)", text)]
    assert leaked == []
    manifest = json.loads(files["manifest.json"])
    assert manifest["kind"] == "customer" and manifest["secrets_included"] is False
    # everything about them is there
    threads = rows(rich.workspace, "SELECT id FROM threads WHERE customer_id = ?", cid)
    assert manifest["counts"]["threads"] == len(threads) > 0
    assert manifest["counts"]["customers"] == 1
    own = [r[0] for r in rows(rich.workspace, "SELECT email FROM customer_addresses WHERE customer_id = ?", cid)]
    assert manifest["counts"]["customer_addresses"] == len(own)
    messages = rows(rich.workspace, "SELECT count(*) FROM messages WHERE thread_id IN "
                                    "(SELECT id FROM threads WHERE customer_id = ?)", cid)[0][0]
    assert manifest["counts"]["messages"] == messages
    assert manifest["counts"]["chat_messages"] == 1  # the chat message naming them, not the other one
    chat = json.loads(files["data/chat_messages.json"])["rows"][0]["content"]
    assert "[redacted]" in chat and (CLAIRE in chat) is (email == CLAIRE)
    assert ("Camille Ferrandou" in chat) is (email == CAMILLE)
    mbox_total = report.mbox_messages + report.withheld_messages
    assert mbox_total == messages and sum(1 for n in files if n.endswith(".mbox")) >= 1
    if email == CLAIRE:
        # the mail that copies Bob cannot go out whole: left out of the mbox, its text redacted
        assert report.withheld_messages == 1 and manifest["withheld_messages"] == 1
        assert manifest["counts"]["drafts"] == 1 and manifest["counts"]["pseudonyms"] == 1
        assert manifest["counts"]["egress_ledger"] == 1
        assert "api.mistral.ai" in files["ledger.csv"].decode()
        assert MAIL.encode() in b"".join(v for n, v in files.items() if n.endswith(".mbox"))
        with (tmp_path / "inbox.mbox").open("wb") as fh:
            fh.write(files["mail/alice@shop.example/INBOX.mbox"])
        box = mailbox.mbox(tmp_path / "inbox.mbox", create=False)
        assert len(box) == 2 and all(BOB.encode() not in box.get_bytes(k) for k in box.iterkeys())
        box.close()
    assert "[redacted]" in files["README.txt"].decode()


def test_an_unknown_customer_is_a_clear_error_and_writes_nothing(rich: Rich, tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="No customer has the address"):
        export_customer(rich.workspace, "nobody@example.org", tmp_path / "c.zip", job=Job())
    assert list(tmp_path.iterdir()) == []


# --- encryption ----------------------------------------------------------------------------------------------


def test_encrypted_export_round_trip_and_wrong_passphrase(rich: Rich, tmp_path: Path) -> None:
    target = tmp_path / "all.comptoir-export"
    report = export_workspace(rich.workspace, target, job=Job(), passphrase=EXPORT_PASS, include_secrets=True)
    assert not report.plaintext
    raw = target.read_bytes()
    assert raw.startswith(ENCRYPTED_MAGIC) and b"PK\x03\x04" not in raw
    for pattern in (*encodings_of(SECRET).values(), *encodings_of(MAIL).values(), CLAIRE.encode()):
        assert pattern not in raw
    with open_export(target, passphrase=EXPORT_PASS) as (archive, encrypted):
        assert encrypted
        manifest = verify_export(archive)
        assert manifest["encrypted"] is True
        assert SECRET.encode() in archive.read("data/accounts.json")
    with pytest.raises(WrongPassphrase, match="does not open this encrypted export"), \
            open_export(target, passphrase="not the right passphrase"):
        pass
    with pytest.raises(UserFacingError, match="encrypted"), open_export(target):
        pass
    with pytest.raises(UserFacingError, match="too short"):
        export_workspace(rich.workspace, tmp_path / "x.comptoir-export", job=Job(), passphrase="short")
    # a flipped byte anywhere in the ciphertext is caught
    damaged = tmp_path / "damaged.comptoir-export"
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 0x01
    damaged.write_bytes(bytes(flipped))
    with pytest.raises(UserFacingError, match="damaged or was altered"), \
            open_export(damaged, passphrase=EXPORT_PASS) as (archive, _enc):
        verify_export(archive)
    # and a truncated file too
    damaged.write_bytes(raw[:-100])
    with pytest.raises(UserFacingError, match="damaged or was altered"), \
            open_export(damaged, passphrase=EXPORT_PASS) as (archive, _enc):
        verify_export(archive)


# --- import --------------------------------------------------------------------------------------------------


def assert_same_rows(source: Workspace, copy: Workspace, *, secrets_included: bool) -> None:
    tables = user_tables(source)
    assert user_tables(copy) == tables
    for table in tables:
        before, after = table_rows(source, table), table_rows(copy, table)
        if table == "settings" and not secrets_included:
            before = [r for r in before if r[0] != "test.api_token"]
        hidden = [] if secrets_included else secret_columns(source, table)
        for i in hidden:
            assert all(r[i] is None for r in after), table
        kept = [i for i in range(len(before[0]) if before else 0) if i not in hidden]
        assert [tuple(r[i] for i in kept) for r in after] == [tuple(r[i] for i in kept) for r in before], table


def search(ws: Workspace, word: str) -> list[int]:
    return sorted(r[0] for r in rows(ws, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?", word))


@pytest.mark.parametrize("encrypted", [False, True])
def test_import_reproduces_the_workspace_row_by_row(rich: Rich, tmp_path: Path, encrypted: bool) -> None:
    target = tmp_path / ("all.comptoir-export" if encrypted else "all.zip")
    export_workspace(rich.workspace, target, job=Job(), include_secrets=encrypted,
                     passphrase=EXPORT_PASS if encrypted else None)
    svc = service()
    seen: list[Progress] = []
    report = import_export(svc, tmp_path / "new", target, job=Job(on_progress=seen.append), passphrase=PASSPHRASE,
                           decrypt_passphrase=EXPORT_PASS if encrypted else None)
    assert report.encrypted is encrypted and report.secrets_included is encrypted
    assert report.workspace.ui_language == "fr"  # mirrored into workspace.json from the imported settings
    assert seen and seen[-1].done == seen[-1].total
    copy = svc.unlock(tmp_path / "new", passphrase=PASSPHRASE)
    try:
        assert_same_rows(rich.workspace, copy, secrets_included=encrypted)
        assert rows(copy, "PRAGMA user_version") == rows(rich.workspace, "PRAGMA user_version")
        assert rows(copy, "PRAGMA foreign_key_check") == []
        # the full-text index was rebuilt: same hits as the original
        for word in ("commande", "facture", MAIL.lower(), "bob"):
            assert search(copy, word) == search(rich.workspace, word), word
        assert search(copy, MAIL.lower())
        # and its triggers are back: a new message is searchable
        Session(copy).add_message(subject="Nouveau", body_text="parapluie introuvable", from_addr="x@example.org")
        assert len(search(copy, "parapluie")) == 1
    finally:
        copy.close()


def test_import_refuses_an_existing_workspace_and_creates_nothing_on_refusal(rich: Rich, tmp_path: Path) -> None:
    export_workspace(rich.workspace, tmp_path / "all.zip", job=Job())
    svc = service()
    existing, _ = svc.create(tmp_path / "existing", passphrase=PASSPHRASE)
    existing.close()
    before = sorted(p.name for p in (tmp_path / "existing").iterdir())
    with pytest.raises(WorkspaceExists, match="already exists"):
        import_export(svc, tmp_path / "existing", tmp_path / "all.zip", job=Job(), passphrase=PASSPHRASE)
    assert sorted(p.name for p in (tmp_path / "existing").iterdir()) == before
    # wrong passphrase for an encrypted export: nothing created
    export_workspace(rich.workspace, tmp_path / "enc.comptoir-export", job=Job(), passphrase=EXPORT_PASS)
    with pytest.raises(WrongPassphrase):
        import_export(svc, tmp_path / "new", tmp_path / "enc.comptoir-export", job=Job(), passphrase=PASSPHRASE,
                      decrypt_passphrase="a wrong passphrase here")
    assert not (tmp_path / "new").exists()
    # a customer's export is not a workspace
    export_customer(rich.workspace, CLAIRE, tmp_path / "claire.zip", job=Job())
    with pytest.raises(UserFacingError, match="one customer's data"):
        import_export(svc, tmp_path / "new", tmp_path / "claire.zip", job=Job(), passphrase=PASSPHRASE)
    assert not (tmp_path / "new").exists()


def rewrite(src: Path, dest: Path, change: dict[str, bytes], *, manifest: dict[str, Any] | None = None,
            fix_sums: bool = False) -> None:
    """Copy an export with some files replaced; optionally change the manifest and make its sums match."""
    files = entries(src)
    files.update(change)
    if manifest is not None or fix_sums:
        data = json.loads(files["manifest.json"])
        data.update(manifest or {})
        if fix_sums:
            data["files"] = {name: {"sha256": hashlib.sha256(v).hexdigest(), "size": len(v)}
                             for name, v in files.items() if name != "manifest.json"}
        files["manifest.json"] = json.dumps(data).encode()
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)


def test_a_tampered_or_too_new_export_is_refused(rich: Rich, tmp_path: Path) -> None:
    export_workspace(rich.workspace, tmp_path / "all.zip", job=Job())
    svc = service()
    original = entries(tmp_path / "all.zip")
    # one name changed, manifest left alone: the SHA-256 does not match
    rewrite(tmp_path / "all.zip", tmp_path / "tampered.zip",
            {"data/customers.json": original["data/customers.json"].replace(b"Camille", b"Mallory")})
    with pytest.raises(UserFacingError, match=r"customers\.json does not match its SHA-256"):
        import_export(svc, tmp_path / "new", tmp_path / "tampered.zip", job=Job(), passphrase=PASSPHRASE)
    assert not (tmp_path / "new").exists()
    # a file slipped in
    rewrite(tmp_path / "all.zip", tmp_path / "extra.zip", {"data/evil.json": b"{}"})
    with pytest.raises(UserFacingError, match="not in the manifest"):
        import_export(svc, tmp_path / "new", tmp_path / "extra.zip", job=Job(), passphrase=PASSPHRASE)
    # bytes flipped in the ZIP itself
    raw = bytearray((tmp_path / "all.zip").read_bytes())
    raw[len(raw) // 3] ^= 0xFF
    (tmp_path / "flipped.zip").write_bytes(bytes(raw))
    with pytest.raises(UserFacingError, match="damaged or was altered"):
        import_export(svc, tmp_path / "new", tmp_path / "flipped.zip", job=Job(), passphrase=PASSPHRASE)
    # not an export at all
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(UserFacingError, match="not a Comptoir export"):
        import_export(svc, tmp_path / "new", tmp_path / "notes.txt", job=Job(), passphrase=PASSPHRASE)
    # from a newer schema (the sums are right: only the version is refused)
    newer = rows(rich.workspace, "PRAGMA user_version")[0][0] + 1
    rewrite(tmp_path / "all.zip", tmp_path / "newer.zip", {}, manifest={"schema_version": newer})
    with pytest.raises(DatabaseTooNew, match="newer Comptoir"):
        import_export(svc, tmp_path / "new", tmp_path / "newer.zip", job=Job(), passphrase=PASSPHRASE)
    assert not (tmp_path / "new").exists()
    # a row pointing at nothing, sums made to match: refused, and the half-made workspace is removed
    threads = original["data/threads.json"]
    broken = threads.replace(b'"customer_id": 1,', b'"customer_id": 99999,', 1)
    assert broken != threads
    rewrite(tmp_path / "all.zip", tmp_path / "orphan.zip", {"data/threads.json": broken}, fix_sums=True)
    with pytest.raises(UserFacingError, match="point at rows that are not in it"):
        import_export(svc, tmp_path / "new", tmp_path / "orphan.zip", job=Job(), passphrase=PASSPHRASE)
    assert not (tmp_path / "new").exists()


# --- the command line, and nothing in the temp folder ----------------------------------------------------------


def test_cli_export_import_ledger_leave_nothing_in_temp(rich: Rich, tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"P": PASSPHRASE, "E": EXPORT_PASS, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp)}
    out = tmp_path / "out"
    out.mkdir()
    plain = cli("--passphrase-env", "P", "export", str(out / "all.zip"), data_dir=rich.folder, env=env)
    assert plain.returncode == 0, plain.stderr
    assert "Exported" in plain.stdout and "not encrypted" in plain.stderr
    again = cli("--passphrase-env", "P", "export", str(out / "all.zip"), data_dir=rich.folder, env=env)
    assert again.returncode == 1 and "already exists" in again.stderr
    enc = cli("--passphrase-env", "P", "export", str(out / "all.comptoir-export"), "--encrypt-env", "E", "--json",
              data_dir=rich.folder, env=env)
    assert enc.returncode == 0, enc.stderr
    assert json.loads(enc.stdout)["plaintext"] is False and "not encrypted" not in enc.stderr
    one = cli("--passphrase-env", "P", "export", str(out / "claire.zip"), "--customer", CLAIRE, data_dir=rich.folder,
              env=env)
    assert one.returncode == 0, one.stderr
    assert "left out of the mbox" in one.stdout
    imported = cli("--passphrase-env", "P", "import", str(out / "all.comptoir-export"), "--decrypt-env", "E",
                   data_dir=tmp_path / "copy", env=env)
    assert imported.returncode == 0, imported.stderr
    assert "Imported" in imported.stdout and "Recovery key" in imported.stderr
    status = cli("--passphrase-env", "P", "status", "--json", data_dir=tmp_path / "copy", env=env)
    assert json.loads(status.stdout)["counts"] == repo_counts(rich.workspace)
    wrong = cli("--passphrase-env", "P", "import", str(out / "all.comptoir-export"), "--decrypt-env", "P",
                data_dir=tmp_path / "copy2", env=env)
    assert wrong.returncode == 1 and "does not open this encrypted export" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    ledger = cli("--passphrase-env", "P", "ledger", "--json", "--destination", "api.mistral.ai", data_dir=rich.folder,
                 env=env)
    data = json.loads(ledger.stdout)
    assert [e["bytes_out"] for e in data["entries"]] == [2048]
    assert data["totals"] == [{"destination": "api.mistral.ai", "calls": 1, "bytes_out": 2048, "bytes_in": 512}]
    ledger = cli("--passphrase-env", "P", "ledger", "--since", "2026-11-21", "--csv", str(out / "ledger.csv"),
                 data_dir=rich.folder, env=env)
    assert ledger.returncode == 0, ledger.stderr
    assert "127.0.0.1:993" in ledger.stdout and "api.mistral.ai" not in ledger.stdout
    written = [r["destination"] for r in csv.DictReader(io.StringIO((out / "ledger.csv").read_text()))]
    assert "127.0.0.1:993" in written and all(d.startswith("127.0.0.1:") for d in written)  # + the sync's own
    bad = cli("--passphrase-env", "P", "ledger", "--since", "yesterday", data_dir=rich.folder, env=env)
    assert bad.returncode == 1 and "is not a date" in bad.stderr
    # nothing was staged in the temp folder, and no partial file was left beside the exports
    leftovers = [p for p in temp.rglob("*") if p.is_file()]
    patterns = {**encodings_of(MAIL), **{f"secret {k}": v for k, v in encodings_of(SECRET).items()}}
    assert [f"{p} ({k})" for p in leftovers for k, v in patterns.items() if v in p.read_bytes()] == []
    assert leftovers == []
    assert sorted(p.name for p in out.iterdir()) == ["all.comptoir-export", "all.zip", "claire.zip", "ledger.csv"]
    assert all(PASSPHRASE not in r and EXPORT_PASS not in r for r in
               (plain.stdout, plain.stderr, enc.stdout, enc.stderr, imported.stdout, imported.stderr))


def repo_counts(ws: Workspace) -> dict[str, int]:
    counts = ws.db.call(repo.table_counts)
    counts["settings"] -= 1  # the credential-like setting stays out of an export without secrets
    return counts


# --- the ledger ------------------------------------------------------------------------------------------------


def test_ledger_filters_totals_and_csv(tmp_path: Path) -> None:
    ws = service().create_ephemeral(tmp_path / "ws")
    try:
        def add(c: Any) -> None:
            for at, dest, out_b, in_b, purpose in [
                ("2026-10-31T23:59:59Z", "api.openai.com", 100, 10, "draft"),
                ("2026-11-01T00:00:00Z", "api.openai.com", 200, 20, "=HYPERLINK(\"x\")"),
                ("2026-11-15T12:00:00Z", "shop.myshopify.com", 50, 5000, "orders"),
                ("2026-11-30T23:59:59Z", "api.openai.com", 400, 40, "chat"),
                ("2026-12-01T00:00:00Z", "shop.myshopify.com", 1, 1, "orders"),
            ]:
                c.execute("INSERT INTO egress_ledger(at, destination, kind, purpose, bytes_out, bytes_in, "
                          "pseudonymised) VALUES (?, ?, 'llm', ?, ?, ?, 1)", (at, dest, purpose, out_b, in_b))

        ws.db.write(add)
        november = ledger_entries(ws, since="2026-11-01", until="2026-11-30")
        assert [e.bytes_out for e in november] == [200, 50, 400]
        assert [e.bytes_out for e in ledger_entries(ws, destination="api.openai.com")] == [100, 200, 400]
        assert ledger_totals(ws, since="2026-11-01", until="2026-11-30") == [
            ("api.openai.com", 2, 600, 60), ("shop.myshopify.com", 1, 50, 5000)]
        assert ledger_totals(ws)[0].calls == 3
        parsed = list(csv.DictReader(io.StringIO(ledger_csv(november))))
        assert [r["bytes_out"] for r in parsed] == ["200", "50", "400"] and parsed[0]["pseudonymised"] == "1"
        assert parsed[0]["purpose"].startswith("'=")  # a spreadsheet does not run it as a formula
        with pytest.raises(UserFacingError, match="not a date"):
            ledger_entries(ws, since="11/01/2026")
    finally:
        ws.close()


def test_blob_real_and_null_values_keep_their_sqlite_types(tmp_path: Path) -> None:
    """REAL, BLOB and NULL values survive the JSON round trip with their SQLite types."""
    svc = service()
    ws, _ = svc.create(tmp_path / "a", passphrase=PASSPHRASE)
    try:
        def add(c: Any) -> None:
            c.execute("INSERT INTO customers(display_name, notes) VALUES ('Zoé', ?)", (b"\x00\xffbinary",))
            c.execute("INSERT INTO threads(subject, urgency, customer_id) VALUES ('x', NULL, 1)")
            if any(r[1] == "intent_confidence" for r in c.execute("PRAGMA table_info(threads)")):
                c.execute("UPDATE threads SET intent_confidence = 0.125")

        ws.db.write(add)
        export_workspace(ws, tmp_path / "a.zip", job=Job())
        import_export(svc, tmp_path / "b", tmp_path / "a.zip", job=Job(), passphrase=PASSPHRASE)
        copy = svc.unlock(tmp_path / "b", passphrase=PASSPHRASE)
        try:
            typed = "SELECT typeof(notes), notes FROM customers"
            assert rows(copy, typed) == rows(ws, typed) == [("blob", b"\x00\xffbinary")]
            assert rows(copy, "SELECT * FROM threads") == rows(ws, "SELECT * FROM threads")
        finally:
            copy.close()
    finally:
        ws.close()
