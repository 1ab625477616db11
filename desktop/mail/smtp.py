"""Sending by SMTP: implicit TLS (465) or STARTTLS (587), verified certificates, clear errors."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from desktop.core.mail import AccountConfig, Security
from desktop.mail.imap import CONNECT_TIMEOUT, MailConnectionError, explain, is_loopback, tls_context


def send(config: AccountConfig, password: str, message: EmailMessage, *, ca_file: str | None = None,
         timeout: float = 60.0) -> int:
    """Send `message`; returns the bytes sent. Raises MailConnectionError with what went wrong."""
    host, port, security = config.smtp_host, config.smtp_port, config.smtp_security
    if not host:
        raise MailConnectionError("No outgoing mail server (SMTP) is set for this account.",
                                  "Add it in Settings → Mail accounts.")
    if security == Security.NONE and not is_loopback(host):
        raise MailConnectionError("Unencrypted sending is only allowed to this computer (loopback).",
                                  "Choose TLS (port 465) or STARTTLS (port 587).")
    context = tls_context(ca_file)
    data = message.as_bytes()
    server: smtplib.SMTP | None = None
    try:
        if security == Security.TLS:
            server = smtplib.SMTP_SSL(host, port, timeout=CONNECT_TIMEOUT, context=context)
        else:
            server = smtplib.SMTP(host, port, timeout=CONNECT_TIMEOUT)
            server.ehlo()
            if security == Security.STARTTLS:
                if not server.has_extn("starttls"):
                    raise MailConnectionError(f"{host} does not offer STARTTLS on port {port}.",
                                              "Use implicit TLS (port 465); Comptoir never sends in plaintext.")
                server.starttls(context=context)
                server.ehlo()
        if server.sock is not None:
            server.sock.settimeout(timeout)
        user = config.smtp_user or config.imap_user or config.email
        if password:
            server.login(user, password)
        refused = server.send_message(message)
        if refused:
            raise MailConnectionError(f"The server refused these recipients: {', '.join(refused)}.",
                                      "Check the address; the draft was kept.")
        return len(data)
    except smtplib.SMTPAuthenticationError:
        raise MailConnectionError(f"{host} rejected the login for sending.",
                                  "Check the user name and password; the draft was kept.") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailConnectionError(f"The server refused the recipient {', '.join(exc.recipients)}.",
                                  "Check the address; the draft was kept.") from None
    except smtplib.SMTPException as exc:
        raise MailConnectionError(f"{host} refused the message ({exc}).", "The draft was kept; try again.") from None
    except (TimeoutError, OSError, ssl.SSLError) as exc:
        raise explain(exc, host, port, "outgoing mail server") from None
    finally:
        if server is not None:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()
