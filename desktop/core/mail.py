"""Mail vocabulary shared by the parser, the sync and the store: parsed messages and accounts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Security(StrEnum):
    """How a connection to a mail server is protected."""

    TLS = "tls"            # implicit TLS (993 / 465): the default
    STARTTLS = "starttls"  # only when the merchant explicitly chooses it
    NONE = "none"          # only to a loopback address (tests, local bridges)


@dataclass(frozen=True)
class Address:
    name: str
    email: str

    def formatted(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str | None = None


@dataclass(frozen=True)
class ParsedMessage:
    """What the sync stores for one message. `parse_error` set means: stored raw, flagged, never lost.

    `date` is ISO-8601 UTC ('2026-11-23T18:46:00Z'): the Date header, or INTERNALDATE when it is
    missing or broken. `text` is the readable body (text/plain preferred, else HTML converted).
    `html` is sanitised HTML for display (no scripts, no remote content) or None. `hidden` lists
    what was found hidden ('hidden-html-text', 'invisible-unicode', …) and removed from `text`.
    """

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    sender: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    date: str | None
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    hidden: tuple[str, ...] = ()
    defects: tuple[str, ...] = ()
    parse_error: str | None = None
    language: str | None = None
    auth_results: str | None = None


@dataclass(frozen=True)
class IncomingMessage:
    """A fetched and parsed message with where it came from, ready to store (raw kept compressed)."""

    uid: int
    uidvalidity: int
    flags: tuple[str, ...]
    internal_date: str | None
    modseq: int | None
    raw_compressed: bytes
    raw_sha256: str
    size: int
    parsed: ParsedMessage


_SUBJECT_PREFIX = re.compile(r"^\s*((re|fwd?|tr|aw|wg|rv|sv|vs|antw|réf|ref)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def normalize_subject(subject: str) -> str:
    """'Re: TR: Fwd: Where is my order?' → 'where is my order?' (for the subject fallback of threading)."""
    stripped = _SUBJECT_PREFIX.sub("", subject or "")
    return " ".join(stripped.split()).casefold()


def reply_subject(subject: str) -> str:
    return subject if re.match(r"^\s*re\s*:", subject or "", re.IGNORECASE) else f"Re: {subject}".strip()


def has_line_break(value: str) -> bool:
    """Header values must never carry CR or LF (header injection, CVE-2024-6923 class)."""
    return "\r" in value or "\n" in value


@dataclass(frozen=True)
class AccountConfig:
    """A mailbox as the merchant configured it (the password is held separately, never logged)."""

    name: str
    email: str
    imap_host: str
    imap_port: int = 993
    imap_security: Security = Security.TLS
    imap_user: str = ""
    smtp_host: str = ""
    smtp_port: int = 465
    smtp_security: Security = Security.TLS
    smtp_user: str = ""
    display_name: str = ""
    signature: str = ""
    trusted_cert_sha256: str | None = None
    id: int | None = None
    folders: tuple[str, ...] = field(default=())
