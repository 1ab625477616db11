"""IMAP with imapclient, safely: verified TLS, timeouts, precise errors, no marking mail as read.

Implicit TLS (993) by default; STARTTLS only when the merchant chose it, and then refused when the
server does not offer it or pre-authenticates; no encryption only to a loopback address. Certificates
are always verified, except that the merchant may trust one self-signed certificate by its SHA-256
fingerprint, which is checked before any credential is sent.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import imapclient
from imapclient import exceptions as imap_errors
from imapclient.imapclient import DRAFTS, SENT, SocketTimeout
from imapclient.response_parser import parse_fetch_response

from desktop.core.errors import UserFacingError
from desktop.core.mail import AccountConfig, Security

log = logging.getLogger("comptoir.mail")

CONNECT_TIMEOUT = 15.0
READ_TIMEOUT = 60.0
FETCH_BATCH = 200
_SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "Envoyés", "Messages envoyés", "Éléments envoyés",
               "INBOX.Sent", "[Gmail]/Sent Mail")
_DRAFT_NAMES = ("Drafts", "Brouillons", "INBOX.Drafts", "[Gmail]/Drafts")


class MailConnectionError(UserFacingError):
    """Connecting or talking to the mail server failed; the message says what and what to do."""


class Authenticator(Protocol):
    """How to log in: a password today; XOAUTH2 plugs in here later."""

    def login(self, client: imapclient.IMAPClient, user: str) -> None: ...


@dataclass(frozen=True)
class PasswordAuth:
    password: str

    def __repr__(self) -> str:  # never show the secret, even in a traceback's locals
        return "PasswordAuth(***)"

    def login(self, client: imapclient.IMAPClient, user: str) -> None:
        client.login(user, self.password)


@dataclass(frozen=True)
class FolderState:
    name: str
    uidvalidity: int
    uidnext: int
    exists: int
    highestmodseq: int | None


@dataclass(frozen=True)
class FetchedMessage:
    uid: int
    raw: bytes
    flags: tuple[str, ...]
    internal_date: datetime | None
    modseq: int | None


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_CONTEXTS: dict[str, ssl.SSLContext] = {}
_CONTEXTS_LOCK = threading.Lock()


def tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    """Certificate and hostname verification on, TLS 1.2 at least (never imaplib's unverified default).

    Loading the system's authorities costs 25-40 ms (half of a no-op sync, bench/sync.py), so one context
    per extra CA file is built once and shared; SSLContext is safe to share between threads.
    """
    key = ca_file or ""
    with _CONTEXTS_LOCK:
        ctx = _CONTEXTS.get(key)
        if ctx is None:
            ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            if ca_file:
                ctx.load_verify_locations(cafile=ca_file)
            _CONTEXTS[key] = ctx
    return ctx


def _pinned_context() -> ssl.SSLContext:
    """For a certificate the merchant trusted by fingerprint: the fingerprint check replaces the CA check."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def cert_fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def explain(exc: BaseException, host: str, port: int, what: str = "mail server") -> MailConnectionError:
    """Turn a low-level failure into a sentence a merchant can act on."""
    if isinstance(exc, MailConnectionError):
        return exc
    if isinstance(exc, socket.gaierror):
        return MailConnectionError(f"The {what} {host} could not be found.",
                                   "Check the server name (and that this computer is online).")
    if isinstance(exc, ConnectionRefusedError):
        return MailConnectionError(f"The {what} {host} refused the connection on port {port}.",
                                   "Check the port and the security setting (TLS 993/465, STARTTLS 143/587).")
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = exc.verify_message or str(exc)
        return MailConnectionError(f"The certificate of {host} is not valid: {reason}.",
                                   "Nothing was sent. If this is your own server with a self-signed certificate, "
                                   "trust it explicitly by its fingerprint in the account settings.")
    if isinstance(exc, ssl.SSLError):
        return MailConnectionError(f"A secure connection to {host} could not be set up ({exc.reason or exc}).",
                                   "Check the port and the security setting.")
    if isinstance(exc, TimeoutError | socket.timeout):
        return MailConnectionError(f"The {what} {host} did not answer in time.",
                                   "Check the server name and port, or try again later.")
    if isinstance(exc, imap_errors.LoginError):
        return MailConnectionError(f"{host} rejected the login.",
                                   "Check the user name and password (many providers need an app password).")
    if isinstance(exc, ConnectionError | OSError | imap_errors.IMAPClientAbortError):
        return MailConnectionError(f"The connection to {host} was lost ({type(exc).__name__}).",
                                   "Comptoir will try again; nothing was lost.")
    return MailConnectionError(f"The {what} {host} answered something unexpected ({type(exc).__name__}: {exc}).",
                               "Try again later; if it persists, check the account settings.")


class ImapSession:
    """One logged-in IMAP connection. Runs on a network thread; not thread-safe."""

    def __init__(self, client: imapclient.IMAPClient, host: str) -> None:
        self.client = client
        client.normalise_times = False  # keep INTERNALDATE's zone; we store UTC
        self.host = host
        caps = {c.decode().upper() if isinstance(c, bytes) else str(c).upper() for c in client.capabilities()}
        self.capabilities = caps
        self.condstore = "CONDSTORE" in caps
        self.uidplus = "UIDPLUS" in caps
        self.idle_supported = "IDLE" in caps
        if self.condstore:
            client.enable("CONDSTORE")
        self.bytes_in = 0
        self.bytes_out = 0

    # --- folders ----------------------------------------------------------------------------------

    def folders(self) -> list[tuple[tuple[str, ...], str]]:
        out = []
        for flags, _delim, name in self.client.list_folders():
            out.append((tuple(f.decode() if isinstance(f, bytes) else str(f) for f in flags), str(name)))
        return out

    def special_folder(self, role: str) -> str | None:
        """Sent or Drafts, by SPECIAL-USE (RFC 6154) first, then by the usual names."""
        flag = SENT if role == "sent" else DRAFTS
        names = _SENT_NAMES if role == "sent" else _DRAFT_NAMES
        found = self.client.find_special_folder(flag)
        if found:
            return str(found)
        existing = {name.casefold(): name for _flags, name in self.folders()}
        for candidate in names:
            if candidate.casefold() in existing:
                return existing[candidate.casefold()]
        return None

    def select(self, name: str, *, readonly: bool = True) -> FolderState:
        info = self.client.select_folder(name, readonly=readonly)
        modseq = info.get(b"HIGHESTMODSEQ")
        return FolderState(
            name=name,
            uidvalidity=int(info[b"UIDVALIDITY"]),
            uidnext=int(info.get(b"UIDNEXT", 0) or 0),
            exists=int(info.get(b"EXISTS", 0) or 0),
            highestmodseq=int(modseq) if modseq is not None else None,
        )

    # --- messages ---------------------------------------------------------------------------------

    def all_uids(self) -> list[int]:
        return sorted(int(u) for u in self.client.search(["ALL"]))

    def fetch(self, uids: Sequence[int]) -> list[FetchedMessage]:
        """Full sources with BODY.PEEK[] (never sets \\Seen), flags, INTERNALDATE, MODSEQ."""
        if not uids:
            return []
        items = ["BODY.PEEK[]", "FLAGS", "INTERNALDATE"] + (["MODSEQ"] if self.condstore else [])
        data = self.client.fetch(list(uids), items)
        out = []
        for uid, fields in data.items():
            raw = fields.get(b"BODY[]")
            if raw is None:
                continue  # expunged between SEARCH and FETCH
            internal = fields.get(b"INTERNALDATE")
            if isinstance(internal, datetime):
                internal = internal.replace(tzinfo=UTC) if internal.tzinfo is None else internal.astimezone(UTC)
            modseq = fields.get(b"MODSEQ")
            self.bytes_in += len(raw)
            out.append(FetchedMessage(int(uid), bytes(raw), _flags(fields.get(b"FLAGS", ())), internal,
                                      int(modseq[0]) if modseq else None))
        out.sort(key=lambda m: m.uid)
        return out

    def flags(self, uids: Sequence[int] | None = None, *, changed_since: int | None = None
              ) -> dict[int, tuple[str, ...]]:
        """Flags of `uids` (default all), or only of those changed since a MODSEQ (CONDSTORE)."""
        if uids is not None and not uids:
            return {}
        target = uid_set(uids) if uids is not None else "1:*"
        modifiers = f" (CHANGEDSINCE {changed_since})" if changed_since is not None and self.condstore else ""
        # imapclient's fetch() only takes explicit UID lists (it filters the answer by them), which makes the
        # command line grow with the mailbox; a compact UID set keeps it short (Dovecot caps lines at 64 KiB).
        imap = self.client._imap
        tag = imap._command("UID", "FETCH", target, "(UID FLAGS)" + modifiers)
        typ, data = imap._command_complete("FETCH", tag)
        self.client._checkok("fetch", typ, data)
        typ, data = imap._untagged_response(typ, data, "FETCH")
        parsed = parse_fetch_response(data, False, True)
        wanted = set(uids) if uids is not None else None
        return {int(uid): _flags(f.get(b"FLAGS", ())) for uid, f in parsed.items()
                if wanted is None or int(uid) in wanted}

    def append(self, folder: str, raw: bytes, flags: Iterable[str], when: datetime | None = None) -> int | None:
        """APPEND a message; returns its UID when the server says (UIDPLUS APPENDUID)."""
        self.bytes_out += len(raw)
        answer = self.client.append(folder, raw, flags=tuple(flags), msg_time=when or datetime.now(UTC))
        text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
        if "APPENDUID" in text:
            try:
                return int(text.split("APPENDUID", 1)[1].split("]", 1)[0].split()[1])
            except (IndexError, ValueError):
                return None
        return None

    def delete(self, folder: str, uid: int, *, expected_uidvalidity: int | None = None) -> bool:
        """Delete one message by UID — only if the folder's UIDVALIDITY is still the one we know."""
        state = self.select(folder, readonly=False)
        if expected_uidvalidity is not None and state.uidvalidity != expected_uidvalidity:
            return False  # a stale UID: never act on it
        self.client.add_flags([uid], [imapclient.DELETED])
        if self.uidplus:
            self.client.uid_expunge([uid])
        else:
            self.client.expunge()
        return True

    def idle_wait(self, seconds: float, stop: Callable[[], bool] | None = None) -> bool:
        """Wait for the server to announce changes (IDLE); True if something happened.

        Checks `stop` every second, so cancelling (closing the window) never waits for the server.
        """
        self.client.idle()
        responses: list[Any] = []
        try:
            deadline = time.monotonic() + seconds
            while not responses and time.monotonic() < deadline and not (stop and stop()):
                responses = self.client.idle_check(timeout=min(1.0, max(0.05, deadline - time.monotonic())))
        finally:
            self.client.idle_done()
        return bool(responses)

    def close(self) -> None:
        try:
            self.client.logout()
        except Exception:  # the connection may already be gone; closing must not fail
            try:
                self.client.shutdown()
            except Exception as exc:
                log.debug("shutdown after failed logout: %s", type(exc).__name__)


def uid_set(uids: Iterable[int]) -> str:
    """[1, 2, 3, 7, 9, 10] → '1:3,7,9:10'."""
    ordered = sorted(set(uids))
    parts: list[str] = []
    start = prev = ordered[0]
    for uid in ordered[1:]:
        if uid == prev + 1:
            prev = uid
            continue
        parts.append(f"{start}:{prev}" if prev != start else str(start))
        start = prev = uid
    parts.append(f"{start}:{prev}" if prev != start else str(start))
    return ",".join(parts)


def _flags(raw: Iterable[Any]) -> tuple[str, ...]:
    return tuple(sorted(f.decode() if isinstance(f, bytes) else str(f) for f in raw))


def connect(config: AccountConfig, auth: Authenticator, *, timeout: float = READ_TIMEOUT,
            ca_file: str | None = None) -> ImapSession:
    """Connect and log in, or raise MailConnectionError saying precisely what went wrong.

    `ca_file` adds a trusted CA (tests, company CAs); system CAs are always trusted.
    """
    host, port, security = config.imap_host, config.imap_port, config.imap_security
    if security == Security.NONE and not is_loopback(host):
        raise MailConnectionError("Unencrypted connections are only allowed to this computer (loopback).",
                                  "Choose TLS (port 993) or STARTTLS (port 143).")
    context = tls_context(ca_file)
    pinned = config.trusted_cert_sha256
    if pinned:
        context = _pinned_context()
    client: imapclient.IMAPClient | None = None
    try:
        client = imapclient.IMAPClient(
            host, port=port, ssl=security == Security.TLS, ssl_context=context,
            timeout=SocketTimeout(connect=CONNECT_TIMEOUT, read=timeout),
        )
        if security == Security.STARTTLS:
            if client._imap.state == "AUTH":  # PREAUTH greeting before any TLS: refuse (USENIX Sec '21)
                raise MailConnectionError(f"{host} logged in before encryption was set up (PREAUTH).",
                                          "Comptoir refuses this. Use implicit TLS (port 993).")
            if not client.has_capability("STARTTLS"):
                raise MailConnectionError(f"{host} does not offer STARTTLS on port {port}.",
                                          "Use implicit TLS (port 993); Comptoir never falls back to plaintext.")
            client.starttls(context)
        if pinned and security != Security.NONE:
            sock = client._imap.sock
            der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
            if der is None or cert_fingerprint(der) != pinned.lower().replace(":", ""):
                raise MailConnectionError(f"The certificate of {host} is not the one you trusted.",
                                          "Nothing was sent. Check with your provider before trusting a new one.")
        auth.login(client, config.imap_user or config.email)
        return ImapSession(client, host)
    except BaseException as exc:
        if client is not None:
            try:
                client.shutdown()
            except Exception as close_exc:
                log.debug("shutdown after a failed connect: %s", type(close_exc).__name__)
        if isinstance(exc, MailConnectionError):
            raise
        if isinstance(exc, Exception):
            raise explain(exc, host, port) from None
        raise
