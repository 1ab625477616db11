"""Building outgoing replies: correct threading headers, and no header injection."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from desktop.core.errors import UserFacingError
from desktop.core.mail import Address, has_line_break, reply_subject


class HeaderInjection(UserFacingError):
    """A header value carried a line break: refused (CVE-2024-6923 class)."""


def _check(name: str, value: str) -> str:
    if has_line_break(value):
        raise HeaderInjection(f"The {name} contains a line break, which could forge mail headers.",
                              "Remove the line break and try again.")
    return value


def build_reply(*, sender: Address, to: Address, subject: str, body: str, in_reply_to: str | None,
                references: tuple[str, ...] = (), signature: str = "", message_id: str | None = None,
                when: datetime | None = None) -> tuple[EmailMessage, str]:
    """A plain-text reply (UTF-8) threaded under `in_reply_to`; returns the message and its Message-ID."""
    for label, value in (("sender name", sender.name), ("sender address", sender.email), ("recipient", to.name),
                         ("recipient address", to.email), ("subject", subject)):
        _check(label, value)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender.formatted()
    msg["To"] = to.formatted()
    msg["Subject"] = reply_subject(subject)
    msg["Date"] = format_datetime(when or datetime.now(UTC))
    domain = sender.email.rsplit("@", 1)[-1] or "comptoir.invalid"
    mid = message_id or make_msgid(domain=domain)[1:-1]
    msg["Message-ID"] = f"<{mid}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{_check('reply reference', in_reply_to)}>"
        chain = [r for r in references if r] + ([in_reply_to] if in_reply_to not in references else [])
        msg["References"] = " ".join(f"<{_check('reference', r)}>" for r in chain[-20:])
    msg["User-Agent"] = "Comptoir"
    text = body.rstrip() + (f"\n\n-- \n{signature.strip()}" if signature.strip() else "") + "\n"
    msg.set_content(text, charset="utf-8")
    return msg, mid
