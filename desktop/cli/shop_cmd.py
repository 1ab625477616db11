"""Store-platform commands: shop add|list|test|remove, orders EMAIL, order NUMBER --customer EMAIL."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from desktop.cli import CliContext, json_flag
from desktop.core.errors import UserFacingError
from desktop.services.platforms import PlatformService, order_summary


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("shop", help="connected shops (Shopify, WooCommerce)")
    ssub = p.add_subparsers(dest="shop_command", required=True, metavar="ACTION")
    q = ssub.add_parser("add", help="connect a shop")
    kind = q.add_subparsers(dest="platform", required=True, metavar="PLATFORM")
    s = kind.add_parser("shopify", help="a Shopify shop (GraphQL Admin API)")
    s.add_argument("domain", help="my-shop.myshopify.com")
    s.add_argument("--name", default="")
    s.add_argument("--token-env", metavar="VAR", help="env var holding an Admin API access token (shpat_…)")
    s.add_argument("--client-id", help="Dev Dashboard app client ID")
    s.add_argument("--client-secret-env", metavar="VAR", help="env var holding the app's client secret")
    s.add_argument("--api-version", help="Admin API version (default: the shops.shopify_api_version setting)")
    json_flag(s)
    s.set_defaults(func=cmd_add)
    w = kind.add_parser("woocommerce", help="a WooCommerce shop (REST API v3)")
    w.add_argument("site", help="https://myshop.fr")
    w.add_argument("--name", default="")
    w.add_argument("--key-env", metavar="VAR", required=True, help="env var holding the consumer key (ck_…)")
    w.add_argument("--secret-env", metavar="VAR", required=True, help="env var holding the consumer secret (cs_…)")
    json_flag(w)
    w.set_defaults(func=cmd_add)
    q = ssub.add_parser("list", help="connected shops")
    json_flag(q)
    q.set_defaults(func=cmd_list)
    q = ssub.add_parser("test", help="check a shop connection")
    q.add_argument("id", type=int)
    q.set_defaults(func=cmd_test)
    q = ssub.add_parser("remove", help="disconnect a shop (its cached orders are deleted)")
    q.add_argument("id", type=int)
    q.set_defaults(func=cmd_remove)

    p = sub.add_parser("orders", help="a customer's orders in every connected shop")
    p.add_argument("email")
    json_flag(p)
    p.set_defaults(func=cmd_orders)
    p = sub.add_parser("products", help="find products by title or SKU in every connected shop")
    p.add_argument("query")
    json_flag(p)
    p.set_defaults(func=cmd_products)
    p = sub.add_parser("order", help="one order by its number, only if it belongs to the customer")
    p.add_argument("number")
    p.add_argument("--customer", required=True, metavar="EMAIL")
    json_flag(p)
    p.set_defaults(func=cmd_order)


@contextmanager
def _platforms(ctx: CliContext) -> Iterator[PlatformService]:
    with ctx.open_workspace() as workspace:
        yield PlatformService(workspace.db, verify=ctx.args.ca_file or True)


def _env(ctx: CliContext, option: str) -> str | None:
    return ctx.secret_from_env(option)


def cmd_add(ctx: CliContext) -> int:
    a = ctx.args
    with _platforms(ctx) as shops:
        if a.platform == "shopify":
            shop_id = shops.add_shopify(a.domain, name=a.name, access_token=_env(ctx, "token-env"),
                                        client_id=a.client_id, client_secret=_env(ctx, "client-secret-env"),
                                        api_version=a.api_version)
        else:
            shop_id = shops.add_woocommerce(a.site, _env(ctx, "key-env") or "", _env(ctx, "secret-env") or "",
                                            name=a.name)
    ctx.emit({"id": shop_id}, f"Connected shop {shop_id}. Check it with `shop test {shop_id}`.")
    return 0


def cmd_list(ctx: CliContext) -> int:
    with _platforms(ctx) as shops:
        rows = shops.shops()
    ctx.emit([{"id": s.id, "platform": s.platform, "name": s.name, "url": s.base_url, "last_sync_at": s.last_sync_at}
              for s in rows],
             [f"{s.id}: {s.platform} {s.name} ({s.base_url})" for s in rows] or ["No shop connected yet."])
    return 0


def cmd_test(ctx: CliContext) -> int:
    with _platforms(ctx) as shops:
        lines = shops.test_shop(ctx.args.id)
    ctx.emit({"ok": True, "details": lines}, lines)
    return 0


def cmd_remove(ctx: CliContext) -> int:
    with _platforms(ctx) as shops:
        n = shops.remove_shop(ctx.args.id)
    ctx.emit({"removed": ctx.args.id, "orders_deleted": n}, f"Disconnected shop {ctx.args.id} ({n} cached orders "
             "deleted).")
    return 0


def cmd_orders(ctx: CliContext) -> int:
    with _platforms(ctx) as shops:
        if not shops.shops():
            raise UserFacingError("No shop is connected.", "Connect one with `shop add shopify|woocommerce`.")
        found = shops.orders_for_email(ctx.args.email)
    ctx.emit([{"shop": s.name, **order_summary(o)} for s, o in found],
             [f"{o.number:>8}  {o.created_at[:10]}  {o.status:<28} {o.total} {o.currency}  ({s.name})"
              + "".join(f"\n          {f.carrier} {f.tracking_number} {f.tracking_url}" for f in o.fulfillments
                        if f.tracking_number)
              for s, o in found] or [f"No order for {ctx.args.email}."])
    return 0


def cmd_order(ctx: CliContext) -> int:
    with _platforms(ctx) as shops:
        found = shops.order_for_customer(ctx.args.number, [ctx.args.customer])
    if found is None:
        ctx.emit(None, f"No order {ctx.args.number} for {ctx.args.customer}.")
        return 1
    shop, order = found
    ctx.emit({"shop": shop.name, **order_summary(order)},
             [f"{order.number} ({shop.name}): {order.status}", f"{order.total} {order.currency}, placed "
              f"{order.created_at[:10]}"] + [f"{f.carrier} {f.tracking_number} {f.tracking_url}"
                                             for f in order.fulfillments if f.tracking_number])
    return 0


def cmd_products(ctx: CliContext) -> int:
    with _platforms(ctx) as shops:
        found = shops.products(ctx.args.query)
    ctx.emit([{"shop": s.name, "title": p.title, "sku": p.sku, "price": p.price, "currency": p.currency,
               "stock": p.stock, "url": p.url} for s, p in found],
             [f"{p.title}  {p.price} {p.currency}  SKU {p.sku or '-'}  stock {p.stock if p.stock is not None else '?'}"
              f"  {p.url}" for _s, p in found] or ["No product found."])
    return 0
