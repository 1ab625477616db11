"""Shops and the order cache: connections (secrets in the encrypted DB) and orders with their fetch time."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from desktop.core.platforms import Fulfillment, Order, OrderItem, Refund

Conn = Any  # sqlcipher3.Connection (untyped library)


@dataclass(frozen=True)
class ShopRow:
    id: int
    platform: str
    name: str
    base_url: str
    api_version: str
    last_sync_at: str | None


def add_shop(conn: Conn, platform: str, name: str, base_url: str, api_version: str, secret: dict[str, str]) -> int:
    return int(conn.execute(
        "INSERT INTO shops(platform, name, base_url, api_version, secret) VALUES (?, ?, ?, ?, ?)",
        (platform, name, base_url, api_version, json.dumps(secret))).lastrowid)


def shops(conn: Conn) -> list[ShopRow]:
    return [ShopRow(*r) for r in conn.execute(
        "SELECT id, platform, name, base_url, api_version, last_sync_at FROM shops ORDER BY id")]


def shop(conn: Conn, shop_id: int) -> ShopRow | None:
    row = conn.execute("SELECT id, platform, name, base_url, api_version, last_sync_at FROM shops WHERE id = ?",
                       (shop_id,)).fetchone()
    return ShopRow(*row) if row else None


def shop_secret(conn: Conn, shop_id: int) -> dict[str, str]:
    row = conn.execute("SELECT secret FROM shops WHERE id = ?", (shop_id,)).fetchone()
    return dict(json.loads(row[0] or "{}")) if row else {}


def remove_shop(conn: Conn, shop_id: int) -> int:
    n = conn.execute("SELECT count(*) FROM orders WHERE shop_id = ?", (shop_id,)).fetchone()[0]
    conn.execute("DELETE FROM shops WHERE id = ?", (shop_id,))
    return int(n)


def customer_emails(conn: Conn, customer_id: int) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT email FROM customer_addresses WHERE customer_id = ? ORDER BY is_primary DESC, id", (customer_id,))]


def customer_by_email(conn: Conn, email: str) -> int | None:
    """The customer who has `email` among their addresses (case-insensitive: the column is NOCASE), or None."""
    row = conn.execute("SELECT customer_id FROM customer_addresses WHERE email = ?", (email.strip(),)).fetchone()
    return int(row[0]) if row else None


def _order_json(order: Order) -> dict[str, Any]:
    data = asdict(order)
    data.pop("raw", None)
    return data


def order_from_row(platform: str, row: dict[str, Any]) -> Order:
    """Rebuild an Order from the cache (the `raw` column holds our normalised form)."""
    data = json.loads(row["raw"] or "{}") if row.get("raw") else {}
    if data.get("external_id"):
        return Order(
            **{k: v for k, v in data.items() if k not in ("items", "fulfillments", "refunds", "raw")},
            items=tuple(OrderItem(**i) for i in data.get("items", [])),
            fulfillments=tuple(Fulfillment(**f) for f in data.get("fulfillments", [])),
            refunds=tuple(Refund(**r) for r in data.get("refunds", [])),
        )
    # Rows written by other means (the demo shop): rebuild from the columns.
    items = tuple(OrderItem(title=str(i.get("title", "")), quantity=int(i.get("quantity", 1)),
                            price=str(i.get("price", ""))) for i in json.loads(row.get("items") or "[]"))
    tracking = tuple(Fulfillment(status=row.get("fulfillment_status") or "", tracking_number=t.get("number", ""),
                                 carrier=t.get("carrier", ""), tracking_url=t.get("url", ""))
                     for t in json.loads(row.get("tracking") or "[]"))
    address = json.loads(row["shipping_address"]) if row.get("shipping_address") else {}
    return Order(platform=platform, external_id=str(row["external_id"]), number=str(row["number"]),
                 email=str(row.get("email") or ""), created_at=str(row.get("placed_at") or ""),
                 financial_status=str(row.get("financial_status") or ""),
                 fulfillment_status=str(row.get("fulfillment_status") or ""), currency=str(row.get("currency") or ""),
                 total=str(row.get("total") or ""), items=items, fulfillments=tracking,
                 shipping_address={str(k): str(v) for k, v in address.items()} if isinstance(address, dict) else {},
                 status=str(row.get("status") or ""))


def cache_orders(conn: Conn, shop_id: int, customer_id: int | None, orders: list[Order]) -> None:
    for o in orders:
        tracking = [{"number": f.tracking_number, "url": f.tracking_url, "carrier": f.carrier, "status": f.status}
                    for f in o.fulfillments if f.tracking_number or f.tracking_url]
        items = [asdict(i) for i in o.items]
        conn.execute(
            "INSERT INTO orders(shop_id, customer_id, external_id, number, email, status, financial_status, "
            "fulfillment_status, currency, total, placed_at, shipping_address, items, tracking, raw, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now')) "
            "ON CONFLICT(shop_id, external_id) DO UPDATE SET customer_id = COALESCE(excluded.customer_id, "
            "customer_id), number = excluded.number, email = excluded.email, status = excluded.status, "
            "financial_status = excluded.financial_status, fulfillment_status = excluded.fulfillment_status, "
            "currency = excluded.currency, total = excluded.total, placed_at = excluded.placed_at, "
            "shipping_address = excluded.shipping_address, items = excluded.items, tracking = excluded.tracking, "
            "raw = excluded.raw, fetched_at = excluded.fetched_at",
            (shop_id, customer_id, o.external_id, o.number, o.email, o.status, o.financial_status,
             o.fulfillment_status, o.currency, o.total, o.created_at, json.dumps(o.shipping_address),
             json.dumps(items), json.dumps(tracking), json.dumps(_order_json(o))),
        )
    conn.execute("UPDATE shops SET last_sync_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?", (shop_id,))


@dataclass(frozen=True)
class CachedOrder:
    shop_id: int
    shop_name: str
    order: Order
    fetched_at: str


def cached_orders(conn: Conn, customer_id: int) -> list[CachedOrder]:
    cur = conn.execute(
        "SELECT o.*, s.platform AS platform, s.name AS shop_name FROM orders o JOIN shops s ON s.id = o.shop_id "
        "WHERE o.customer_id = ? ORDER BY o.placed_at DESC, o.id DESC", (customer_id,))
    names = [d[0] for d in cur.description]
    out = []
    for values in cur.fetchall():
        row = dict(zip(names, values, strict=True))
        out.append(CachedOrder(row["shop_id"], row["shop_name"], order_from_row(row["platform"], row),
                               row["fetched_at"]))
    return out


def oldest_fetch(conn: Conn, customer_id: int) -> str | None:
    row = conn.execute("SELECT min(fetched_at) FROM orders WHERE customer_id = ?", (customer_id,)).fetchone()
    return row[0] if row else None
