"""Helpers for the mail tests: a workspace with a mail account pointing at the test servers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from desktop.core.mail import AccountConfig, Security
from desktop.services.session import Session
from desktop.services.workspace import WorkspaceService
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer

SHOP = "alice"  # the Dovecot user that plays the shop's mailbox


def account_config(server: Dovecot, *, smtp: SmtpServer | None = None, security: Security = Security.TLS,
                   user: str = SHOP) -> AccountConfig:
    return AccountConfig(
        name="Shop", email=f"{user}@shop.example", display_name="Atelier Test", imap_host="127.0.0.1",
        imap_port=server.ports.imaps if security == Security.TLS else server.ports.imap, imap_security=security,
        imap_user=user, smtp_host="127.0.0.1" if smtp else "", smtp_port=smtp.ports.smtps if smtp else 465,
        smtp_security=Security.TLS, smtp_user=next(iter(smtp.users)) if smtp else "",
        signature="Atelier Test — https://shop.example",
    )


@contextmanager
def mail_session(service: WorkspaceService, folder: Path, server: Dovecot, *, smtp: SmtpServer | None = None,
                 user: str = SHOP) -> Iterator[tuple[Session, int]]:
    """An ephemeral workspace with one account on `server`; yields the session and the account id."""
    workspace = service.create_ephemeral(folder)
    session = Session(workspace, ca_file=str(server.ca_file))
    try:
        password = server.users[user]
        account_id = session.mail.add_account(account_config(server, smtp=smtp, user=user), password)
        yield session, account_id
    finally:
        session.close()


def customer_mail(n: int, *, sender: str = "claire@example.fr", name: str = "Claire Dubois",
                  subject: str | None = None, body: str | None = None, in_reply_to: str | None = None,
                  to: str = "alice@shop.example", when: datetime | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{name} <{sender}>"
    msg["To"] = to
    msg["Subject"] = subject or f"Où est ma commande #{1000 + n} ?"
    msg["Date"] = format_datetime(when or datetime(2026, 11, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=n))
    msg["Message-ID"] = make_msgid(idstring=f"m{n}", domain="example.fr")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(body or f"Bonjour,\nje n'ai toujours pas reçu ma commande #{1000 + n}.\nMerci, {name}\n")
    return msg.as_bytes()
