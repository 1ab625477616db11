"""Orders beside the mail: connected shops, cached look-ups, and the ownership rule enforced in code.

Every method blocks (network or DB): runs on the background pool or in the CLI. A customer's orders
come from the cache when it is fresh enough (setting `shops.cache_minutes`); otherwise every shop is
asked for every address merged into the customer. An order asked for by number is returned only if
its e-mail is one of the customer's addresses — whatever a mail or a model says.
"""

from __future__ import annotations

import logging
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from desktop.core.errors import UserFacingError
from desktop.core.platforms import Order, PlatformClient, PlatformError, Product, normalize_order_number, same_email
from desktop.store import platform_repo as repo
from desktop.store import repositories as store
from desktop.store.database import Database
from desktop.store.mail_repo import record_egress

log = logging.getLogger("comptoir.platforms")


@dataclass(frozen=True)
class CustomerOrders:
    """What the customer panel shows: the orders, how old the data is, and why it may be stale."""

    orders: tuple[repo.CachedOrder, ...]
    checked_at: str | None
    from_cache: bool
    error: str | None = None

    @property
    def age_seconds(self) -> float | None:
        if not self.checked_at:
            return None
        then = datetime.strptime(self.checked_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        return (datetime.now(UTC) - then).total_seconds()


class PlatformService:
    """Args:
        db: the workspace database.
        verify: a CA file to trust for shop APIs (tests, company proxies), or True for the system's.
    """

    def __init__(self, db: Database, *, verify: str | bool = True) -> None:
        self.db = db
        self.verify = verify

    # --- connections ------------------------------------------------------------------------------

    def add_shopify(self, domain: str, *, name: str = "", access_token: str | None = None,
                    client_id: str | None = None, client_secret: str | None = None,
                    api_version: str | None = None) -> int:
        domain = _domain(domain)
        if not access_token and not (client_id and client_secret):
            raise UserFacingError("Shopify needs an Admin API access token, or a client ID and secret.",
                                  "Create them in your Shopify admin (Dev Dashboard app with read_orders).")
        version = api_version or self.db.call(lambda c: store.get_setting(c, "shops.shopify_api_version"))
        secret = {k: v for k, v in (("access_token", access_token), ("client_id", client_id),
                                    ("client_secret", client_secret)) if v}
        return self.db.write(lambda c: repo.add_shop(c, "shopify", name or domain, domain, version, secret))

    def add_woocommerce(self, site_url: str, consumer_key: str, consumer_secret: str, *, name: str = "") -> int:
        url = site_url.strip().rstrip("/")
        parts = urlsplit(url if "://" in url else f"https://{url}")
        if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise UserFacingError("WooCommerce must be reached over HTTPS.",
                                  "Use your site's https:// address; keys must never travel in clear.")
        if not consumer_key or not consumer_secret:
            raise UserFacingError("WooCommerce needs a consumer key and secret.",
                                  "Create a REST API key with Read permission (WooCommerce → Settings → Advanced).")
        base = f"{parts.scheme}://{parts.netloc}{parts.path}"
        secret = {"consumer_key": consumer_key, "consumer_secret": consumer_secret}
        return self.db.write(lambda c: repo.add_shop(c, "woocommerce", name or parts.netloc, base, "wc/v3", secret))

    def shops(self) -> list[repo.ShopRow]:
        return [s for s in self.db.call(repo.shops) if s.platform != "demo"]

    def remove_shop(self, shop_id: int) -> int:
        self._shop(shop_id)
        return self.db.write(lambda c: repo.remove_shop(c, shop_id))

    def test_shop(self, shop_id: int) -> list[str]:
        with closing(self.client(shop_id, purpose="test connection")) as client:
            return client.test()

    def _shop(self, shop_id: int) -> repo.ShopRow:
        found = self.db.call(lambda c: repo.shop(c, shop_id))
        if found is None:
            raise UserFacingError(f"There is no shop number {shop_id}.", "See `shop list`.")
        return found

    def client(self, shop_id: int, *, purpose: str = "order look-up") -> PlatformClient:
        shop = self._shop(shop_id)
        secret = self.db.call(lambda c: repo.shop_secret(c, shop_id))

        def on_call(host: str, what: str, bytes_out: int, bytes_in: int, status: str) -> None:
            self.db.write(lambda c: record_egress(c, destination=host, kind=shop.platform, purpose=what or purpose,
                                                  categories="customer e-mail, order numbers", bytes_out=bytes_out,
                                                  bytes_in=bytes_in, status=status))

        if shop.platform == "shopify":
            from desktop.platforms.shopify import ShopifyClient

            base = shop.base_url if "://" in shop.base_url else None
            shopify: PlatformClient = ShopifyClient(shop.base_url, access_token=secret.get("access_token"),
                                 client_id=secret.get("client_id"), client_secret=secret.get("client_secret"),
                                 api_version=shop.api_version, verify=self.verify, base_url=base, on_call=on_call)
            return shopify
        if shop.platform == "woocommerce":
            from desktop.platforms.woocommerce import WooCommerceClient

            woo: PlatformClient = WooCommerceClient(
                shop.base_url, secret.get("consumer_key", ""), secret.get("consumer_secret", ""),
                verify=self.verify, on_call=on_call)
            return woo
        raise UserFacingError(f"The {shop.platform} shop has no online connection.", "")

    # --- look-ups ---------------------------------------------------------------------------------

    def customer_orders(self, customer_id: int, *, refresh: bool = False) -> CustomerOrders:
        """The customer's orders, from the cache when fresh, else from every shop for every address."""
        ttl_minutes = int(self.db.call(lambda c: store.get_setting(c, "shops.cache_minutes")))
        checked = self.db.call(lambda c: c.execute("SELECT orders_checked_at FROM customers WHERE id = ?",
                                                   (customer_id,)).fetchone())
        checked_at = checked[0] if checked else None
        live_shops = self.shops()
        fresh = checked_at is not None and (time.time() - _epoch(checked_at)) < ttl_minutes * 60
        if not live_shops or (fresh and not refresh):
            cached = tuple(self.db.call(lambda c: repo.cached_orders(c, customer_id)))
            return CustomerOrders(cached, checked_at, from_cache=True)
        emails = self.db.call(lambda c: repo.customer_emails(c, customer_id))
        errors: list[str] = []
        for shop in live_shops:
            try:
                found: list[Order] = []
                with closing(self.client(shop.id)) as client:
                    for email in emails:
                        found += [o for o in client.orders_by_email(email) if same_email(o.email, email)]
                self._cache(shop.id, customer_id, found)
            except PlatformError as exc:
                errors.append(f"{shop.name}: {exc.message}")
        if not errors:
            self.db.write(lambda c: c.execute(
                "UPDATE customers SET orders_checked_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
                (customer_id,)))
        cached = tuple(self.db.call(lambda c: repo.cached_orders(c, customer_id)))
        now_checked = self.db.call(lambda c: c.execute("SELECT orders_checked_at FROM customers WHERE id = ?",
                                                       (customer_id,)).fetchone()[0])
        return CustomerOrders(cached, now_checked, from_cache=bool(errors),
                              error=" ".join(errors) or None)

    def cached_orders(self, customer_id: int) -> list[repo.CachedOrder]:
        """The customer's orders as last fetched (no network)."""
        return self.db.call(lambda c: repo.cached_orders(c, customer_id))

    def _cache(self, shop_id: int, customer_id: int | None, orders: list[Order]) -> None:
        self.db.write(lambda c: repo.cache_orders(c, shop_id, customer_id, orders))

    def orders_for_email(self, email: str) -> list[tuple[repo.ShopRow, Order]]:
        """Every shop's orders for exactly this address (CLI `orders EMAIL`)."""
        out = []
        for shop in self.shops():
            with closing(self.client(shop.id)) as client:
                orders = [o for o in client.orders_by_email(email) if same_email(o.email, email)]
            customer_id = self.db.call(lambda c: repo.customer_by_email(c, email))
            self._cache(shop.id, customer_id, orders)
            out += [(shop, o) for o in orders]
        out.sort(key=lambda so: so[1].created_at, reverse=True)
        return out

    def order_for_customer(self, number: str, emails: list[str]) -> tuple[repo.ShopRow, Order] | None:
        """The order with this number — only if it belongs to one of `emails`. The rule lives here, in code."""
        wanted = normalize_order_number(number)
        if wanted is None:
            return None
        for shop in self.shops():
            with closing(self.client(shop.id)) as client:
                order = client.order_by_number(wanted)
            if order is not None and any(same_email(order.email, e) for e in emails):
                return shop, order
        return None

    def products(self, query: str) -> list[tuple[repo.ShopRow, Product]]:
        out = []
        for shop in self.shops():
            with closing(self.client(shop.id, purpose="product search")) as client:
                out += [(shop, p) for p in client.products(query)]
        return out


def _domain(domain: str) -> str:
    text = domain.strip().rstrip("/")
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise UserFacingError("Shopify must be reached over HTTPS.", "Use https://your-shop.myshopify.com")
        return text
    if not text or "." not in text:
        text = f"{text}.myshopify.com" if text else text
    if not text:
        raise UserFacingError("The Shopify shop domain is missing.", "For example: my-shop.myshopify.com")
    return text


def _epoch(iso: str) -> float:
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def order_summary(order: Order) -> dict[str, Any]:
    return {"number": order.number, "status": order.status, "financial_status": order.financial_status,
            "fulfillment_status": order.fulfillment_status, "total": order.total, "currency": order.currency,
            "created_at": order.created_at,
            "tracking": [{"number": f.tracking_number, "carrier": f.carrier, "url": f.tracking_url}
                         for f in order.fulfillments if f.tracking_number or f.tracking_url]}
