"""Immutable snapshots handed from services to the UI and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class KeyMode(StrEnum):
    """Where the database key is protected."""

    KEYRING = "keyring"        # in the OS keyring (Secret Service, Keychain, Credential Manager, KWallet)
    PASSPHRASE = "passphrase"  # noqa: S105 - wrapped with a key derived from the merchant's passphrase (Argon2id)
    EPHEMERAL = "ephemeral"    # only in memory (throw-away demo and self-test workspaces)


@dataclass(frozen=True)
class KeyringStatus:
    """The outcome of probing the OS keyring."""

    usable: bool
    backend: str           # e.g. "keyring.backends.SecretService.Keyring"
    reason: str = ""       # why it is not usable, for the merchant


@dataclass(frozen=True)
class WorkspaceInfo:
    """What is known about a workspace before and after unlocking (no secret)."""

    path: str
    workspace_id: str
    key_mode: KeyMode
    keyring_backend: str = ""
    demo: bool = False
    ui_language: str = "system"
    created_at: str = ""


@dataclass(frozen=True)
class CreatedWorkspace:
    """Returned once at creation: the recovery key is shown to the merchant and then forgotten."""

    info: WorkspaceInfo
    recovery_key: str


@dataclass(frozen=True)
class ThreadSummary:
    id: int
    subject: str
    customer_name: str
    customer_email: str
    snippet: str
    last_message_at: str
    message_count: int
    unread: bool
    status: str
    intent: str | None
    language: str | None


@dataclass(frozen=True)
class MessageView:
    id: int
    direction: str
    from_name: str
    from_addr: str
    to_addrs: str
    subject: str
    date: str
    body_text: str
    flags: tuple[str, ...] = ()          # 'hidden-html-text', 'invisible-unicode', 'unparsed: …'
    attachments: tuple[str, ...] = ()    # 'invoice.pdf (12 KB)'
    attachment_ids: tuple[int, ...] = ()
    body_html: str | None = None         # sanitised: no scripts, no remote content


@dataclass(frozen=True)
class TrackingInfo:
    number: str
    url: str
    carrier: str


@dataclass(frozen=True)
class OrderView:
    id: int
    number: str
    status: str
    financial_status: str
    fulfillment_status: str
    placed_at: str
    total: str
    currency: str
    items: tuple[str, ...]
    tracking: tuple[TrackingInfo, ...]
    shipping_address: str


@dataclass(frozen=True)
class CustomerSummary:
    id: int
    display_name: str
    emails: tuple[str, ...]
    thread_count: int
    order_count: int
    no_ai: bool
    no_marketing: bool


@dataclass(frozen=True)
class ThreadDetail:
    thread: ThreadSummary
    messages: tuple[MessageView, ...]
    orders: tuple[OrderView, ...] = field(default=())
    customer_id: int | None = None
    orders_note: str = ""      # e.g. "checked 3 min ago" or why the shop could not be reached


@dataclass(frozen=True)
class WorkspaceStats:
    """Counts shown on the Settings and Privacy pages."""

    counts: dict[str, int]
    size_bytes: int
