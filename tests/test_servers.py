"""The loopback test servers are faithful: real TLS verification, the IMAP extensions the sync relies on, the
admin helpers do what they say, and the SMTP server insists on TLS and AUTH. Also: bench.mailgen's mails."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError
from imapclient.imapclient import DRAFTS, JUNK, SENT, TRASH

from bench import mailgen
from tests.servers.dovecot import Dovecot, _group_alive
from tests.servers.fixtures import *  # noqa: F403  (dovecot, dovecot_factory, dovecot_session, smtp_server…)
from tests.servers.smtp import SmtpServer
from tests.servers.tls import Pki, client_context, fingerprint_sha256

RAW = (
    b"From: =?iso-8859-1?Q?H=E9l=E8ne?= <helene@example.org>\r\n"
    b"To: contact@atelier-lumiere.example\r\n"
    b"Subject: =?utf-8?Q?O=C3=B9_est_ma_commande_=2310234_=3F?=\r\n"
    b"Message-ID: <round-trip@example.org>\r\n"
    b"Date: Mon, 05 Jan 2026 10:00:00 +0100\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    b"Bonjour, je n'ai pas re\xe7u ma commande #10234.\r\n"
    b"Num\xe9ro de suivi : 6A12345678901\r\n"
    + b"x" * 900 + b"\r\n"  # a long line, and bytes that are not UTF-8
)


@contextlib.contextmanager
def imaps(server: Dovecot, user: str = "alice", *, context: ssl.SSLContext | None = None,
          host: str | None = None) -> Iterator[IMAPClient]:
    """Logged in over implicit TLS, verifying against the test CA, as the app will connect."""
    context = context or client_context(server.ca_file)
    client = IMAPClient(host or server.host, port=server.ports.imaps, ssl=True, ssl_context=context, timeout=10)
    try:
        client.login(user, server.users[user])
        yield client
    finally:
        with contextlib.suppress(Exception):
            client.logout()
        close(client)


def close(client: IMAPClient) -> None:
    """Drop the connection whatever state it is in (logged out already, server gone…)."""
    with contextlib.suppress(Exception):
        client.shutdown()


def message_id(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"])


# --- IMAP -------------------------------------------------------------------------------------------------------

def test_imaps_verifies_the_ca_and_logs_in(dovecot: Dovecot) -> None:
    context = client_context(dovecot.ca_file)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    for host in ("127.0.0.1", "localhost"):
        with imaps(dovecot, host=host, context=context) as client:
            sock = client.socket()
            assert isinstance(sock, ssl.SSLSocket) and sock.version() in ("TLSv1.2", "TLSv1.3")
            peer = sock.getpeercert(binary_form=True)
            assert peer is not None and fingerprint_sha256(peer) == fingerprint_sha256(dovecot.server_certificate)


def test_capabilities_the_sync_relies_on(dovecot: Dovecot) -> None:
    with imaps(dovecot) as client:
        capabilities = set(client.capabilities())
        assert {b"CONDSTORE", b"QRESYNC", b"SPECIAL-USE", b"IDLE", b"UIDPLUS", b"ENABLE", b"MOVE"} <= capabilities
        assert client.enable("CONDSTORE", "QRESYNC") == [b"CONDSTORE", b"QRESYNC"]
        selected = client.select_folder("INBOX")
        assert {b"UIDVALIDITY", b"UIDNEXT", b"HIGHESTMODSEQ"} <= set(selected)


def test_special_use_folders(dovecot: Dovecot) -> None:
    with imaps(dovecot) as client:
        assert client.find_special_folder(DRAFTS) == "Drafts"
        assert client.find_special_folder(SENT) == "Sent"
        assert client.find_special_folder(TRASH) == "Trash"
        assert client.find_special_folder(JUNK) == "Junk"
        assert {"INBOX", "Drafts", "Sent", "Trash", "Junk"} <= {name for _, _, name in client.list_folders()}
        # auto = subscribe, as most providers do; INBOX itself is not subscribed (Dovecot's default): use LIST
        assert {"Drafts", "Sent", "Trash", "Junk"} <= {name for _, _, name in client.list_sub_folders()}


def test_append_and_peek_round_trip_keeps_bytes_and_unseen(dovecot: Dovecot) -> None:
    when = dt.datetime(2026, 1, 5, 10, 0, 7, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    uid = dovecot.append("alice", "INBOX", RAW, internal_date=when)
    with imaps(dovecot) as client:
        client.select_folder("INBOX")
        fetched = client.fetch([uid], ["BODY.PEEK[]", "FLAGS", "INTERNALDATE", "RFC822.SIZE"])[uid]
        assert fetched[b"BODY[]"] == RAW
        assert fetched[b"RFC822.SIZE"] == len(RAW)
        assert b"\\Seen" not in fetched[b"FLAGS"]
        assert fetched[b"INTERNALDATE"].replace(tzinfo=None) == when.astimezone().replace(tzinfo=None)
        assert b"\\Seen" not in client.get_flags([uid])[uid]  # peeking did not set it afterwards either

        # The app's own APPEND to Drafts gets its UID back through UIDPLUS.
        response = client.append("Drafts", RAW, flags=(b"\\Draft",), msg_time=when)
        assert b"[APPENDUID " in response
    [draft] = dovecot.messages("alice", "Drafts")
    assert draft.raw == RAW and b"\\Draft" in draft.flags


@pytest.mark.parametrize("name", ["self_signed", "wrong_host", "expired"])
def test_bad_certificates_are_rejected(dovecot: Dovecot, name: str) -> None:
    dovecot.use_certificate(name)
    for context in (client_context(dovecot.ca_file), ssl.create_default_context()):
        with pytest.raises(ssl.SSLCertVerificationError):
            IMAPClient(dovecot.host, port=dovecot.ports.imaps, ssl=True, ssl_context=context, timeout=10)
        client = IMAPClient(dovecot.host, port=dovecot.ports.imap, ssl=False, timeout=10)
        try:
            with pytest.raises(ssl.SSLCertVerificationError):
                client.starttls(context)
        finally:
            close(client)
    # The server really serves that certificate (and not, say, nothing at all).
    unverified = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    with socket.create_connection((dovecot.host, dovecot.ports.imaps), timeout=10) as raw, \
            unverified.wrap_socket(raw) as sock:
        served = sock.getpeercert(binary_form=True)
        assert served is not None and fingerprint_sha256(served) == dovecot.pki.by_name(name).fingerprint
    dovecot.use_certificate("server")
    with imaps(dovecot) as client:
        assert client.noop()


def test_starttls_and_logindisabled(dovecot_factory: Callable[..., Dovecot]) -> None:
    strict = dovecot_factory(require_tls=True)
    context = client_context(strict.ca_file)
    # Seen from another address, the plain port offers STARTTLS and refuses LOGIN until then.
    client = IMAPClient(strict.remote_host, port=strict.ports.imap, ssl=False, timeout=10)
    try:
        assert {b"STARTTLS", b"LOGINDISABLED"} <= set(client.capabilities())
        with pytest.raises(LoginError):
            client.login("alice", strict.users["alice"])
        client.starttls(context)
        assert b"LOGINDISABLED" not in client.capabilities()
        client.login("alice", strict.users["alice"])
        client.select_folder("INBOX")
        client.logout()
    finally:
        close(client)
    # Over loopback Dovecot counts the connection as secure: plain LOGIN works (the "loopback-plain" case).
    with strict.connect("alice") as plain:
        assert plain.noop()


def test_wrong_password_is_refused_at_once(dovecot: Dovecot) -> None:
    client = IMAPClient(dovecot.host, port=dovecot.ports.imaps, ssl=True,
                        ssl_context=client_context(dovecot.ca_file), timeout=10)
    try:
        with pytest.raises(LoginError):
            client.login("alice", "not-the-password")
    finally:
        close(client)


def test_set_uidvalidity_keeps_messages(dovecot: Dovecot) -> None:
    first = dovecot.append("alice", "INBOX", RAW)
    before = dovecot.uidvalidity("alice")
    new = before + 1000 if before < 2**32 - 1000 else 1
    dovecot.set_uidvalidity("alice", "INBOX", new)
    assert dovecot.uidvalidity("alice") == new
    with imaps(dovecot) as client:
        assert client.select_folder("INBOX")[b"UIDVALIDITY"] == new
        assert client.fetch([first], ["BODY.PEEK[]"])[first][b"BODY[]"] == RAW


def test_renumber_gives_old_uids_to_other_messages(dovecot: Dovecot) -> None:
    raws = [RAW.replace(b"<round-trip@", f"<msg-{n}@".encode()) for n in range(3)]
    uids = dovecot.append_many("alice", "INBOX", raws)
    assert uids == [1, 2, 3]
    dovecot.set_flags("alice", "INBOX", 1, [b"\\Seen"])
    with imaps(dovecot) as client:
        old = client.select_folder("INBOX")[b"UIDVALIDITY"]
        client.logout()
    new = dovecot.renumber("alice", "INBOX")
    assert new != old
    after = {m.uid: m for m in dovecot.messages("alice")}
    assert [message_id(after[uid].raw) for uid in (1, 2, 3)] == ["<msg-2@example.org>", "<msg-1@example.org>",
                                                                 "<msg-0@example.org>"]
    assert b"\\Seen" in after[3].flags and b"\\Seen" not in after[1].flags  # flags travel with the message
    with imaps(dovecot) as client:
        assert client.select_folder("INBOX")[b"UIDVALIDITY"] == new


def test_flag_changes_and_expunges_show_through_condstore(dovecot: Dovecot) -> None:
    uids = dovecot.append_many("alice", "INBOX", [RAW, RAW, RAW])
    with imaps(dovecot) as client:
        client.enable("CONDSTORE")
        modseq = client.select_folder("INBOX")[b"HIGHESTMODSEQ"]
        dovecot.set_flags("alice", "INBOX", uids[0], [b"\\Flagged"])
        dovecot.expunge("alice", "INBOX", uids[1])
        client.noop()
        changed = client.fetch(uids, ["FLAGS"], modifiers=[f"CHANGEDSINCE {modseq}"])
        assert list(changed) == [uids[0]] and b"\\Flagged" in changed[uids[0]][b"FLAGS"]
        assert client.search(["ALL"]) == [uids[0], uids[2]]


def test_idle_sees_new_mail(dovecot: Dovecot) -> None:
    with imaps(dovecot) as client:
        client.select_folder("INBOX")
        client.idle()
        dovecot.append("alice", "INBOX", RAW)
        responses = client.idle_check(timeout=10)
        client.idle_done()
        assert (1, b"EXISTS") in responses


def test_restart_mid_session(dovecot: Dovecot) -> None:
    uid = dovecot.append("alice", "INBOX", RAW)
    validity = dovecot.uidvalidity("alice")
    ports = dovecot.ports
    client = IMAPClient(dovecot.host, port=dovecot.ports.imaps, ssl=True,
                        ssl_context=client_context(dovecot.ca_file), timeout=10)
    try:
        client.login("alice", dovecot.users["alice"])
        client.select_folder("INBOX")
        dovecot.restart()
        with pytest.raises((IMAPClient.AbortError, OSError)):
            client.noop()
    finally:
        close(client)
    assert dovecot.ports == ports
    with imaps(dovecot) as again:
        assert again.select_folder("INBOX")[b"UIDVALIDITY"] == validity
        assert again.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"] == RAW


def test_stop_leaves_no_process_and_frees_the_ports(dovecot_factory: Callable[..., Dovecot]) -> None:
    server = dovecot_factory()
    assert server.process is not None
    group = server.process.pid
    with imaps(server) as client:
        client.select_folder("INBOX")
        server.stop()
    assert not _group_alive(group)
    assert not (server.base_dir / "master.pid").exists()
    for port in (server.ports.imap, server.ports.imaps):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((server.host, port), timeout=2).close()


def test_bulk_delivery_into_the_session_server(dovecot_session: Dovecot) -> None:
    mails = mailgen.generate(300, seed=11)
    assert dovecot_session.deliver("bob", "Bulk/test_servers", mails) == 300
    with dovecot_session.connect("bob") as client:
        client.select_folder("Bulk/test_servers", readonly=True)
        uids = client.search(["ALL"])
        assert uids == list(range(1, 301))
        fetched = client.fetch([1, 150, 300], ["BODY.PEEK[]", "FLAGS"])
    assert [fetched[uid][b"BODY[]"] for uid in (1, 150, 300)] == [mails[0], mails[149], mails[299]]
    assert all(b"\\Seen" not in item[b"FLAGS"] for item in fetched.values())


# --- SMTP -------------------------------------------------------------------------------------------------------

def test_smtp_implicit_tls_with_auth(smtp_server: SmtpServer) -> None:
    user, password = next(iter(smtp_server.users.items()))
    message = RAW.replace(b"\r\nx", b"\r\n..leading dot\r\nx")
    with smtplib.SMTP_SSL(smtp_server.host, smtp_server.ports.smtps, context=client_context(smtp_server.ca_file),
                          timeout=10) as client:
        client.ehlo()
        assert "PLAIN" in client.esmtp_features["auth"] and "LOGIN" in client.esmtp_features["auth"]
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail(user, ["customer@example.org"], message)
        assert refused.value.smtp_code == 530
        client.login(user, password)
        client.sendmail(user, ["customer@example.org", "copy@example.org"], message)
    [received] = smtp_server.wait_for(1)
    assert received.raw == message
    assert received.mail_from == user and received.rcpt_tos == ("customer@example.org", "copy@example.org")
    assert received.login == user and received.tls and received.port == smtp_server.ports.smtps


def test_smtp_starttls_is_required_before_auth(smtp_server: SmtpServer) -> None:
    user, password = next(iter(smtp_server.users.items()))
    with smtplib.SMTP(smtp_server.host, smtp_server.ports.submission, timeout=10) as client:
        client.ehlo()
        assert client.has_extn("starttls") and not client.has_extn("auth")
        with pytest.raises(smtplib.SMTPNotSupportedError):
            client.login(user, password)
        assert client.docmd("AUTH", "PLAIN AGEAYg==")[0] == 530
        assert client.docmd("MAIL", "FROM:<shop@example.test>")[0] == 530
        client.starttls(context=client_context(smtp_server.ca_file))
        client.ehlo()
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login(user, "wrong password")
        client.login(user, password)
        client.sendmail(user, ["customer@example.org"], RAW)
    [received] = smtp_server.wait_for(1)
    assert received.raw == RAW and received.tls and received.login == user
    assert smtp_server.auth_failures >= 1  # smtplib tries PLAIN, then LOGIN, with the wrong password


def test_smtp_bad_certificate_is_rejected(smtp_server: SmtpServer, server_pki: Pki) -> None:
    smtp_server.use_certificate("wrong_host")
    context = client_context(server_pki.ca_file)
    with pytest.raises(ssl.SSLCertVerificationError):
        smtplib.SMTP_SSL(smtp_server.host, smtp_server.ports.smtps, context=context, timeout=10)
    with smtplib.SMTP(smtp_server.host, smtp_server.ports.submission, timeout=10) as client, \
            pytest.raises(ssl.SSLCertVerificationError):
        client.starttls(context=context)
    assert smtp_server.messages == []


# --- bench.mailgen ----------------------------------------------------------------------------------------------

def test_mailgen_is_deterministic_and_well_formed(tmp_path: Path) -> None:
    mails = mailgen.generate_mails(400, seed=5)
    assert [m.raw for m in mails] == mailgen.generate(400, seed=5)
    assert [m.raw for m in mails] != mailgen.generate(400, seed=6)
    sizes = sorted(len(m.raw) for m in mails)
    assert 2048 <= sizes[len(sizes) // 2] <= 30 * 1024
    assert sum(2048 <= size <= 30 * 1024 for size in sizes) >= 0.85 * len(sizes)
    assert {m.shape for m in mails} == {"plain", "alternative", "html", "mixed", "related"}
    assert {"utf-8", "iso-8859-1", "windows-1252"} <= {m.charset for m in mails}
    assert {m.lang for m in mails} == {"fr", "en"}
    by_id = {m.message_id: m for m in mails}
    with_order = 0
    for mail in mails:
        parsed = email.message_from_bytes(mail.raw, policy=email.policy.default)
        assert mail.raw.endswith(b"\r\n") and b"\n" not in mail.raw.replace(b"\r\n", b"")
        assert not [d for part in parsed.walk() for d in part.defects]
        assert str(parsed["Message-ID"]) == f"<{mail.message_id}>"
        body = parsed.get_body(("plain", "html"))
        assert body is not None
        text = str(parsed["Subject"]) + body.get_content()
        with_order += mail.order[1:] in text
        if mail.in_reply_to is not None:
            references = str(parsed["References"]).split()
            assert references[-1] == f"<{mail.in_reply_to}>"
            assert any(ref.strip("<>") in by_id for ref in references)  # the thread's earlier customer mail
        if mail.tracking is not None:
            assert mail.tracking in text
    assert with_order >= 0.5 * len(mails)
    assert sum(m.in_reply_to is not None for m in mails) >= 0.2 * len(mails)
    assert any(m.tracking for m in mails)

    assert mailgen.main(["--count", "12", "--out", str(tmp_path / "eml"), "--seed", "5"]) == 0
    written = sorted((tmp_path / "eml").glob("*.eml"))
    assert [p.name for p in written[:2]] == ["00001.eml", "00002.eml"] and len(written) == 12
    assert [p.read_bytes() for p in written] == [m.raw for m in mails[:12]]
