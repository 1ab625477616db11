"""Orders beside the mail: the service over real contract servers (Shopify GraphQL, WooCommerce REST)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop.services.session import Session
from desktop.services.workspace import WorkspaceService
from tests.platform_servers.shopify import ShopifyServer
from tests.platform_servers.woocommerce import WooServer


@contextmanager
def shop_session(service: WorkspaceService, folder: Path, ca_file: str) -> Iterator[Session]:
    workspace = service.create_ephemeral(folder)
    session = Session(workspace, ca_file=ca_file)
    try:
        yield session
    finally:
        session.close()


def add_customer(session: Session, name: str, *emails: str) -> int:
    def _add(conn: object) -> int:
        cid = conn.execute("INSERT INTO customers(display_name) VALUES (?)", (name,)).lastrowid  # type: ignore[attr-defined]
        for i, e in enumerate(emails):
            conn.execute("INSERT INTO customer_addresses(customer_id, email, is_primary) VALUES (?, ?, ?)",  # type: ignore[attr-defined]
                         (cid, e, int(i == 0)))
        return int(cid)

    return session.db.write(_add)


def numbers(result: object) -> list[str]:
    return sorted(c.order.number for c in result.orders)  # type: ignore[attr-defined]


def test_customer_orders_from_shopify_only_ever_the_customers_own(
        no_keyring_service: WorkspaceService, tmp_path: Path, shopify_server: ShopifyServer) -> None:
    with shop_session(no_keyring_service, tmp_path / "ws", str(shopify_server.ca_file)) as session:
        shop = session.platforms.add_shopify(shopify_server.url, access_token=shopify_server.ACCESS_TOKEN)
        assert any("Atelier" in line or "shop" in line.lower() for line in session.platforms.test_shop(shop))
        ann = add_customer(session, "Ann", "ann@x.fr")
        result = session.platforms.customer_orders(ann)
        got = numbers(result)
        assert got and all(o.order.email.casefold() == "ann@x.fr" for o in result.orders)  # not joann@x.fr
        assert "#1018" not in got and "#1027" not in got
        assert "#1024" in got  # billed as Ann@x.fr: same address, other case
        tracked = [f for c in result.orders for f in c.order.fulfillments if f.tracking_number == "6A12345678901"]
        assert tracked and tracked[0].tracking_url.endswith("6A12345678901")
        # an order number that exists but is someone else's is never returned for Ann
        assert session.platforms.order_for_customer("#1018", ["ann@x.fr"]) is None
        found = session.platforms.order_for_customer("commande 1012", ["ann@x.fr"])
        assert found is not None and found[1].number == "#1012"
        # every call is in the ledger, with no secret
        ledger = session.db.call(lambda c: c.execute(
            "SELECT destination, kind, purpose, data_categories, bytes_out, bytes_in, status FROM egress_ledger "
            "WHERE kind = 'shopify'").fetchall())
        assert ledger and all(row[4] > 0 for row in ledger)
        assert shopify_server.ACCESS_TOKEN not in json.dumps(ledger)


def test_cache_is_served_while_fresh_and_kept_when_the_shop_is_down(
        no_keyring_service: WorkspaceService, tmp_path: Path, shopify_server: ShopifyServer) -> None:
    with shop_session(no_keyring_service, tmp_path / "ws", str(shopify_server.ca_file)) as session:
        session.platforms.add_shopify(shopify_server.url, access_token=shopify_server.ACCESS_TOKEN)
        ann = add_customer(session, "Ann", "ann@x.fr")
        first = session.platforms.customer_orders(ann)
        assert not first.from_cache and first.orders
        calls = len(shopify_server.requests)
        again = session.platforms.customer_orders(ann)
        assert again.from_cache and len(shopify_server.requests) == calls  # fresh: no network at all
        assert numbers(again) == numbers(first)
        shopify_server.html_error_next(5, status=502)
        down = session.platforms.customer_orders(ann, refresh=True)
        assert down.from_cache and down.error and numbers(down) == numbers(first)  # nothing lost


def test_merged_addresses_are_all_looked_up_on_woocommerce(
        no_keyring_service: WorkspaceService, tmp_path: Path, woo_server: WooServer) -> None:
    with shop_session(no_keyring_service, tmp_path / "ws", str(woo_server.ca_file)) as session:
        session.platforms.add_woocommerce(woo_server.url, woo_server.CONSUMER_KEY, woo_server.CONSUMER_SECRET)
        marie = add_customer(session, "Marie Dupont", "marie.dupont@example.fr", "m.dupont@pro.example")
        result = session.platforms.customer_orders(marie)
        emails = {c.order.email.casefold() for c in result.orders}
        assert emails == {"marie.dupont@example.fr", "m.dupont@pro.example"}
        assert len(result.orders) == 13
        guest = add_customer(session, "Guest", "invite.sans.compte@example.org")
        assert len(session.platforms.customer_orders(guest).orders) == 1  # guest order, customer_id 0
