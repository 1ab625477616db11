"""A real SMTP submission server (aiosmtpd) on loopback, in a thread, keeping what it receives.

`SmtpServer` listens on two ports, sharing one user table and one mailbag:

- `ports.smtps`: implicit TLS from the first byte (port 465 style, RFC 8314);
- `ports.submission`: plain, STARTTLS required before anything but EHLO/NOOP/QUIT (port 587 style).

On both, AUTH PLAIN and LOGIN are offered only over TLS, and MAIL FROM is refused (530) until the client has
authenticated. Every accepted message is appended to `messages` as a `Received` with the envelope and the exact
bytes of the DATA.

aiosmtpd only knows about TLS that was started with STARTTLS: with `auth_require_tls=True` it would refuse AUTH on
the implicit-TLS port too. So the implicit-TLS listener is created with `auth_require_tls=False`, which is exact
there because no byte of that port is ever in the clear (`Received.tls` and a check in the authenticator
confirm the transport). `auth_required` is not passed to aiosmtpd: with `auth_require_tls=False` it emits a
UserWarning (an error under `filterwarnings = error`); the handler's `handle_MAIL` enforces it instead.
No other warning is emitted on Python 3.11 (checked with `-W error`).
"""

from __future__ import annotations

import logging
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.servers import HOST, free_ports
from tests.servers.tls import Pki

DEFAULT_USERS = {"shop@example.test": "smtp-password-123"}


@dataclass(frozen=True)
class Ports:
    smtps: int       # implicit TLS
    submission: int  # STARTTLS required


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes            # the DATA exactly as sent (after dot-unstuffing), line endings included
    login: str | None     # who authenticated
    tls: bool             # whether the session was encrypted
    port: int


@dataclass
class _State:
    users: dict[str, str]
    messages: list[Received] = field(default_factory=list)
    auth_failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.arrived = threading.Condition(self.lock)


def _on_tls(session: Session) -> bool:
    return session.ssl is not None


class _Handler:
    def __init__(self, state: _State, port: int) -> None:
        self.state = state
        self.port = port

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          mail_options: list[str]) -> str:
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content if envelope.original_content is not None else envelope.content
        assert isinstance(raw, bytes)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        received = Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), raw, login, _on_tls(session),
                            self.port)
        with self.state.arrived:
            self.state.messages.append(received)
            self.state.arrived.notify_all()
        return "250 Message accepted for delivery"


class _ImplicitTlsSMTP(SMTP):
    """Marks the session as encrypted: the transport is TLS from the start (aiosmtpd only notices STARTTLS)."""

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        if self.session is not None and self.session.ssl is None and ssl_object is not None:
            self.session.ssl = {"ssl_object": ssl_object, "cipher": transport.get_extra_info("cipher"),
                                "peercert": transport.get_extra_info("peercert")}


class _Controller(Controller):
    def __init__(self, *args: Any, smtp_class: type[SMTP], **kwargs: Any) -> None:
        self.smtp_class = smtp_class
        super().__init__(*args, **kwargs)

    def factory(self) -> SMTP:
        return self.smtp_class(self.handler, **self.SMTP_kwargs)


class SmtpServer:
    """Both listeners, started by `start()` (the fixtures do), stopped by `stop()`."""

    host = HOST

    def __init__(self, pki: Pki, *, users: dict[str, str] | None = None, certificate: str = "server") -> None:
        self.pki = pki
        self.certificate = certificate
        self.state = _State(dict(DEFAULT_USERS if users is None else users))
        self.ports = Ports(*free_ports(2))
        self._controllers: list[Controller] = []

    @property
    def users(self) -> dict[str, str]:
        return self.state.users

    @property
    def messages(self) -> list[Received]:
        with self.state.lock:
            return list(self.state.messages)

    @property
    def auth_failures(self) -> int:
        return self.state.auth_failures

    @property
    def ca_file(self) -> Path:
        return self.pki.ca_file

    def wait_for(self, count: int = 1, timeout: float = 10) -> list[Received]:
        """Block until at least `count` messages arrived; all of them."""
        with self.state.arrived:
            if not self.state.arrived.wait_for(lambda: len(self.state.messages) >= count, timeout):
                raise TimeoutError(f"{len(self.state.messages)} message(s) after {timeout} s, wanted {count}")
            return list(self.state.messages)

    def clear(self) -> None:
        with self.state.lock:
            self.state.messages.clear()

    def _server_context(self) -> ssl.SSLContext:
        pair = self.pki.by_name(self.certificate)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)  # server side, no client certificates
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(pair.cert, pair.key)
        return context

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = (
            _on_tls(session)  # never true without TLS: belt and braces for the implicit-TLS listener
            and isinstance(auth_data, LoginPassword)
            and self.state.users.get(auth_data.login.decode(errors="replace")) == auth_data.password.decode(
                errors="replace")
        )
        if not ok:
            with self.state.lock:
                self.state.auth_failures += 1
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=auth_data)

    def start(self) -> None:
        if self._controllers:
            return
        context = self._server_context()
        common: dict[str, Any] = {
            "hostname": HOST, "server_hostname": "localhost", "authenticator": self._authenticate,
            "ready_timeout": 10,
        }
        implicit = _Controller(_Handler(self.state, self.ports.smtps), port=self.ports.smtps,
                               smtp_class=_ImplicitTlsSMTP, ssl_context=context, auth_require_tls=False, **common)
        starttls = _Controller(_Handler(self.state, self.ports.submission), port=self.ports.submission,
                               smtp_class=SMTP, tls_context=context, require_starttls=True, auth_require_tls=True,
                               **common)
        try:
            for controller in (implicit, starttls):
                controller.start()
                self._controllers.append(controller)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        while self._controllers:
            controller = self._controllers.pop()
            controller.stop()

    def use_certificate(self, name: str) -> None:
        """Serve `"server"`, `"self_signed"`, `"wrong_host"` or `"expired"` from now on (restarts the listeners)."""
        self.pki.by_name(name)
        self.certificate = name
        if self._controllers:
            self.stop()
            self.start()

    def __enter__(self) -> SmtpServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _DropLoginDataNotice(logging.Filter):
    """aiosmtpd itself sets the deprecated `Session.login_data` after each successful AUTH and logs a warning about
    it, every time (aiosmtpd 1.4.x). Nothing to act on: drop that one message, keep any other warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


# aiosmtpd logs every connection at INFO on "mail.log"; keep that out of the test output.
_log = logging.getLogger("mail.log")
_log.setLevel(logging.WARNING)
if not any(isinstance(f, _DropLoginDataNotice) for f in _log.filters):
    _log.addFilter(_DropLoginDataNotice())
