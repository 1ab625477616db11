"""Store-platform vocabulary: orders, products and the port every platform adapter implements."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from desktop.core.errors import UserFacingError


class PlatformError(UserFacingError):
    """A store platform call failed; the message says what and what to do (never a secret)."""


@dataclass(frozen=True)
class OrderItem:
    title: str
    quantity: int
    price: str                 # unit price as the platform gives it, e.g. '24.90'
    variant: str = ""
    sku: str = ""


@dataclass(frozen=True)
class Fulfillment:
    status: str                # merchant words: 'shipped', 'delivered', 'in transit'…
    tracking_number: str = ""
    carrier: str = ""
    tracking_url: str = ""
    created_at: str = ""       # ISO-8601 UTC


@dataclass(frozen=True)
class Refund:
    amount: str
    created_at: str = ""
    note: str = ""


@dataclass(frozen=True)
class Order:
    """One order as Comptoir shows it. Times are ISO-8601 UTC ('2026-11-23T18:46:00Z') or ''."""

    platform: str              # 'shopify' | 'woocommerce' | 'demo'
    external_id: str           # the platform's id (Shopify GID, WooCommerce numeric id)
    number: str                # what the customer sees: '#1001' (Shopify name) or '1001' (WooCommerce number)
    email: str
    created_at: str
    financial_status: str      # merchant words: 'paid', 'pending', 'refunded', 'partially refunded'…
    fulfillment_status: str    # 'unfulfilled', 'fulfilled', 'partially fulfilled'…
    currency: str
    total: str
    items: tuple[OrderItem, ...] = ()
    fulfillments: tuple[Fulfillment, ...] = ()
    refunds: tuple[Refund, ...] = ()
    shipping_address: dict[str, str] = field(default_factory=dict)
    paid_at: str = ""
    fulfilled_at: str = ""
    cancelled_at: str = ""
    status: str = ""           # one line a merchant reads: 'paid · shipped', 'cancelled'…
    subtotal: str = ""
    shipping_total: str = ""
    note: str = ""
    customer_name: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Product:
    title: str
    price: str
    currency: str = ""
    sku: str = ""
    stock: int | None = None
    url: str = ""


# on_call(host, purpose, bytes_out, bytes_in, status): every request, for the egress ledger (no payload).
EgressRecorder = Callable[[str, str, int, int, str], None]


class PlatformClient(Protocol):
    """One connected shop. Every method blocks (network): call it from a background thread."""

    platform: str
    host: str

    def test(self) -> list[str]:
        """Check the connection and permissions; lines a merchant reads. Raises PlatformError."""
        ...

    def orders_by_email(self, email: str, *, limit: int = 50) -> list[Order]:
        """Orders whose customer e-mail is exactly `email` (case-insensitive), newest first."""
        ...

    def order_by_number(self, number: str) -> Order | None:
        """The order with this number ('1001', '#1001'), whoever it belongs to; the caller checks the owner."""
        ...

    def products(self, query: str, *, limit: int = 10) -> list[Product]:
        ...

    def close(self) -> None:
        """Release the connection pool."""
        ...


_NUMBER = re.compile(r"(\d{2,12})")


def normalize_order_number(text: str) -> str | None:
    """'#1001', 'commande 1001', 'n°1001' → '1001'; None if no number."""
    m = _NUMBER.search(text or "")
    return m.group(1) if m else None


def same_email(a: str, b: str) -> bool:
    return bool(a) and bool(b) and a.strip().casefold() == b.strip().casefold()
