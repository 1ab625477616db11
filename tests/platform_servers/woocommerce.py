"""A fake WooCommerce REST API v3 (a WordPress site) over HTTPS on loopback, strict enough to catch client mistakes.

Routes (GET; `server.api_url` is https://127.0.0.1:PORT/wp-json/wc/v3). They are also reachable the way WordPress
sites without pretty permalinks need, `/?rest_route=/wc/v3/orders&…`; with `pretty_permalinks=False` only that works
and `/wp-json/…` is the theme's HTML 404 page.

- `/wp-json/` (site index, public) and `/wp-json/wc/v3` (namespace index: public, but wrong credentials → 401).
  Neither proves the keys work: use `system_status` or `orders?per_page=1`.
- `/wc/v3/orders`: `page` (≥1), `per_page` (1–100, default 10; else 400 `rest_invalid_param`), `offset`, `search`,
  `customer` (a WordPress user id — not an email), `status` (any|pending|processing|on-hold|completed|cancelled|
  refunded|failed|checkout-draft, comma-separated allowed), `after`/`before` (ISO 8601, `dates_are_gmt`),
  `orderby` (date|id|include|title|slug|modified), `order` (asc|desc), `include`, `exclude`, `_fields`.
  `search` is a case-insensitive substring over billing/shipping names, email, phone, address, line-item names and
  the order number, so `search=ann@x.fr` also finds joann@x.fr's orders: filter on `billing.email` yourself.
  Always sends `X-WP-Total`, `X-WP-TotalPages` and a `Link` header (rel="prev"/"next"), as WordPress builds it:
  from the request's own query string — consumer_key/consumer_secret included when they were sent that way.
- `/wc/v3/orders/{id}` (404 `woocommerce_rest_shop_order_invalid_id`); `/wc/v3/orders/{id}/refunds`.
  The order `number` is the id unless `seed_demo(number_prefix=…)`/`add_order(number=…)` says otherwise (a
  sequential-numbers plugin); `search` finds an order by its number too.
- `/wc/v3/customers` (`email` exact, case-insensitive; `search`; `role`, default customer) and `/customers/{id}`.
- `/wc/v3/products` (`search`, `sku` exact, comma-separated; `status`) , `/products/{id}`, `/products/{id}/variations`
  (a variation's SKU is NOT found by `/products?sku=`, as in WooCommerce).
- `/wc/v3/system_status`.
- Shipment Tracking (when `shipment_tracking=True`): `/wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings`
  → `[{tracking_id, tracking_provider, tracking_link, tracking_number, date_shipped}]`; orders also carry
  `meta_data` `_wc_shipment_tracking_items` (unless `expose_tracking_meta=False`, as on sites that hide
  protected meta).
Any other route, or a method other than GET/HEAD on a route → 404 `rest_no_route` (write methods with a read key
→ 401 "The API key provided does not have write permissions.").

Auth (WooCommerce's own rules): over HTTPS, HTTP Basic with consumer key/secret, or the `consumer_key`/
`consumer_secret` query parameters (they win when both are sent). `strip_authorization=True` drops the Authorization
header before WordPress sees it (some Apache/CGI set-ups), so only the query form works. An unknown key → 401
`woocommerce_rest_authentication_error` "Consumer key is invalid."; a wrong secret → "Consumer secret is invalid.";
no credentials (or credentials over plain HTTP, `tls=False`) → 401 `woocommerce_rest_cannot_view`.
`key_permissions="write"` → reads get 401 "The API key provided does not have read permissions.".
`rest_disabled=True` → every REST route answers 404 `rest_no_route`.

Failure controls: those of `_http` (429 as an HTML page from the web server, `Retry-After` in whole seconds; 503
is WordPress's maintenance page; `malformed_next` truncates the JSON), plus `php_notice_next(n)`: the real answer,
with a PHP notice printed before the JSON (a plugin's warning with display_errors on), status 200.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from base64 import b64decode
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.platform_servers._http import Fault, LoggedRequest, PlatformServer, Response
from tests.servers.tls import Pki

ORDER_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed",
                  "checkout-draft", "trash")
PROVIDERS = {
    "colissimo": ("Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code=%1$s"),
    "chronopost": ("Chronopost", "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=%1$s"),
    "dhl-express": ("DHL Express", "https://www.dhl.com/fr-fr/home/tracking/tracking-express.html?submit=1&tracking-id=%1$s"),
    "ups": ("UPS", "https://www.ups.com/track?loc=fr_FR&tracknum=%1$s"),
}
SITE = "{site}"  # stored links are relative to the site, whose port is known only once started

_MAINTENANCE = """<!DOCTYPE html>
<html lang="fr-FR"><head><meta charset="UTF-8"><title>Maintenance</title></head>
<body><div class="die-message"><p>Briefly unavailable for scheduled maintenance. Check back in a minute.</p></div>
</body>
</html>
"""
_THEME_404 = """<!DOCTYPE html>
<html lang="fr-FR"><head><meta charset="UTF-8"><title>Page non trouvée &#8211; Atelier Lumière</title></head>
<body class="error404"><main><h1>Oups ! Cette page est introuvable.</h1></main></body></html>
"""
_PHP_NOTICE = ("<br />\n<b>Deprecated</b>:  Creation of dynamic property WC_Shipping_Zone::$locations is deprecated "
               "in <b>/var/www/html/wp-content/plugins/old-shipping-plugin/includes/class-zones.php</b> on line "
               "<b>112</b><br />\n")


class WooError(Exception):
    def __init__(self, status: int, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.data = status, code, message, data

    def response(self) -> Response:
        return Response.json(self.status, {"code": self.code, "message": self.message,
                                           "data": {"status": self.status, **self.data}})


def _no_route() -> WooError:
    return WooError(404, "rest_no_route", "No route was found matching the URL and request method.")


def _invalid_param(name: str, detail: str) -> WooError:
    return WooError(400, "rest_invalid_param", f"Invalid parameter(s): {name}", params={name: detail},
                    details={name: {"code": "rest_invalid_param", "message": detail, "data": None}})


def _money(value: Decimal | str | float) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def _price_number(value: Decimal | str | float) -> int | float:
    """Line items' `price` is a JSON number (3, 12.5), unlike every other amount."""
    amount = Decimal(str(value))
    return int(amount) if amount == amount.to_integral_value() else float(amount)


class WooServer(PlatformServer):
    server_header = "nginx"
    default_on = "api"

    CONSUMER_KEY = "ck_5b1f0e8a3c2d4e6f7a8b9c0d1e2f3a4b5c6d7e8f"
    CONSUMER_SECRET = "cs_9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6"

    def __init__(self, pki: Pki, *, consumer_key: str = CONSUMER_KEY, consumer_secret: str = CONSUMER_SECRET,
                 key_permissions: str = "read", strip_authorization: bool = False, rest_disabled: bool = False,
                 pretty_permalinks: bool = True, shipment_tracking: bool = True, expose_tracking_meta: bool = True,
                 site_name: str = "Atelier Lumière", currency: str = "EUR", timezone: str = "Europe/Paris",
                 wc_version: str = "10.3.2", now: dt.datetime | None = None, cert: str = "server",
                 tls: bool = True) -> None:
        super().__init__(pki, cert=cert, tls=tls)
        assert key_permissions in ("read", "write", "read_write")
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.key_permissions = key_permissions
        self.strip_authorization = strip_authorization
        self.rest_disabled = rest_disabled
        self.pretty_permalinks = pretty_permalinks
        self.shipment_tracking = shipment_tracking
        self.expose_tracking_meta = expose_tracking_meta
        self.site_name = site_name
        self.currency = currency
        self.wc_version = wc_version
        try:
            self.tz: dt.tzinfo = ZoneInfo(timezone)
        except ZoneInfoNotFoundError:
            self.tz = dt.timezone(dt.timedelta(hours=1))
        self.now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.orders: dict[int, dict[str, Any]] = {}
        self.customers: dict[int, dict[str, Any]] = {}
        self.products: dict[int, dict[str, Any]] = {}
        self._next_post_id = 4100
        self._next_meta_id = 21000

    # --- URLs -----------------------------------------------------------------------------------------------------

    def rest_url(self, route: str) -> str:
        return f"{self.url}/wp-json{route}" if self.pretty_permalinks else f"{self.url}/?rest_route={route}"

    @property
    def api_url(self) -> str:
        return self.rest_url("/wc/v3")

    @property
    def tracking_api_url(self) -> str:
        return self.rest_url("/wc-shipment-tracking/v3")

    # --- controls -------------------------------------------------------------------------------------------------

    def php_notice_next(self, n: int = 1, *, on: str | None = None) -> None:
        self._queue(n, Fault("php_notice", on or self.default_on))

    def fault_applies(self, on: str, request: LoggedRequest) -> bool:
        if on == "api":
            return True
        return super().fault_applies(on, request)

    def format_retry_after(self, value: float) -> str:
        return str(math.ceil(value)) if value >= 1 or value == 0 else f"{value:g}"

    def rate_limit_response(self, request: LoggedRequest) -> Response:
        return self.html_error_response(request, 429)

    def unavailable_response(self, request: LoggedRequest) -> Response:
        return Response.html(503, _MAINTENANCE)

    def _fault_response(self, fault: Fault, request: LoggedRequest) -> Response:
        if fault.kind == "php_notice":
            response = self.dispatch(request)
            response.body = _PHP_NOTICE.encode() + response.body
            return response
        return super()._fault_response(fault, request)

    # --- seed data ------------------------------------------------------------------------------------------------

    def _post_id(self, step: int = 0) -> int:
        with self._lock:
            # Orders share WordPress's post ids with products, pages, refunds…: never consecutive.
            self._next_post_id += 1 + step
            return self._next_post_id

    def _meta_id(self) -> int:
        with self._lock:
            self._next_meta_id += 1
            return self._next_meta_id

    def _dates(self, name: str, moment: dt.datetime | None) -> dict[str, str | None]:
        if moment is None:
            return {f"date_{name}": None, f"date_{name}_gmt": None}
        moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        return {f"date_{name}": moment.astimezone(self.tz).strftime("%Y-%m-%dT%H:%M:%S"),
                f"date_{name}_gmt": moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")}

    def add_customer(self, email: str, first_name: str, last_name: str, *, id: int | None = None,
                     billing: dict[str, str] | None = None, created_at: dt.datetime | None = None) -> dict[str, Any]:
        customer_id = id or self._post_id()
        avatar = hashlib.md5(email.lower().encode(), usedforsecurity=False).hexdigest()
        empty = {"first_name": first_name, "last_name": last_name, "company": "", "address_1": "", "address_2": "",
                 "city": "", "state": "", "postcode": "", "country": "", "email": email, "phone": ""}
        bill = {**empty, **(billing or {})}
        ship = {k: v for k, v in bill.items() if k not in ("email", "phone")} | {"phone": ""}
        customer = {
            "id": customer_id, **self._dates("created", created_at or self.now - dt.timedelta(days=300)),
            **self._dates("modified", self.now - dt.timedelta(days=30)), "email": email, "first_name": first_name,
            "last_name": last_name, "role": "customer", "username": email.split("@")[0].replace(".", ""),
            "billing": bill, "shipping": ship, "is_paying_customer": True,
            "avatar_url": f"https://secure.gravatar.com/avatar/{avatar}?s=96&d=mm&r=g",
            "meta_data": [],
        }
        with self._lock:
            self.customers[customer_id] = customer
        return customer

    def add_product(self, name: str, *, sku: str = "", price: Decimal | str = "10.00", status: str = "publish",
                    virtual: bool = False, stock_quantity: int | None = None,
                    variations: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
        """`variations`: dicts with sku, price, attribute=(name, option), stock_status."""
        product_id = self._post_id(step=2)
        slug = "-".join(name.lower().replace("'", "-").split())
        variation_list = []
        for variation in variations:
            attr_name, option = variation["attribute"]
            variation_list.append({
                "id": self._post_id(), "sku": variation["sku"], "price": _money(variation["price"]),
                "regular_price": _money(variation["price"]), "sale_price": "", "status": "publish",
                "stock_status": variation.get("stock_status", "instock"), "stock_quantity": None,
                "manage_stock": False, "permalink": f"{SITE}/produit/{slug}/?attribute_pa_taille={option.lower()}",
                "attributes": [{"id": 1, "name": attr_name, "slug": "pa_" + attr_name.lower(), "option": option}],
                "meta_data": [],
            })
        product = {
            "id": product_id, "name": name, "slug": slug, "permalink": f"{SITE}/produit/{slug}/",
            **self._dates("created", self.now - dt.timedelta(days=200)),
            **self._dates("modified", self.now - dt.timedelta(days=20)),
            "type": "variable" if variation_list else "simple", "status": status, "featured": False,
            "catalog_visibility": "visible", "description": f"<p>{name}, fabriqué en France.</p>\n",
            "short_description": "", "sku": sku, "price": _money(price), "regular_price": _money(price),
            "sale_price": "", "on_sale": False, "purchasable": status == "publish", "total_sales": 0,
            "virtual": virtual, "downloadable": False, "manage_stock": stock_quantity is not None,
            "stock_quantity": stock_quantity, "stock_status": "instock", "categories": [], "tags": [], "images": [],
            "attributes": [], "variations": [v["id"] for v in variation_list], "meta_data": [],
            "_variations": variation_list,
        }
        with self._lock:
            self.products[product_id] = product
        return product

    def add_order(self, *, billing: dict[str, str], shipping: dict[str, str] | None = None, customer_id: int = 0,
                  status: str = "processing", created_at: dt.datetime | None = None,
                  paid_at: dt.datetime | None = None, completed_at: dt.datetime | None = None,
                  line_items: Sequence[dict[str, Any]] = ({"name": "Savon d'Alep 200 g", "quantity": 1,
                                                           "price": "9.90"},),
                  shipping_total: Decimal | str = "4.90", shipping_method: str = "Colissimo",
                  refunds: Sequence[dict[str, Any]] = (), customer_note: str = "",
                  tracking: Sequence[dict[str, Any]] = (), meta_data: Sequence[dict[str, Any]] = (),
                  number: str | None = None, id: int | None = None,
                  payment_method: tuple[str, str] = ("stripe", "Carte bancaire"),
                  currency: str | None = None) -> dict[str, Any]:
        """Add an order; returns its stored dict (the REST payload without `_links`).

        `billing` needs first_name, last_name, email (phone, address fields optional). `line_items`: dicts with name,
        quantity, price (decimal string), and optionally sku, product_id, variation_id, meta_data, parent_name.
        `tracking`: dicts with provider (a slug of PROVIDERS, or None with custom_provider/custom_link), number,
        date_shipped (datetime). `refunds`: dicts with amount (positive) and reason.
        """
        assert status in ORDER_STATUSES, status
        order_id = id or self._post_id(step=(len(self.orders) * 7) % 4)
        created = created_at or self.now
        blank = {"first_name": "", "last_name": "", "company": "", "address_1": "", "address_2": "", "city": "",
                 "state": "", "postcode": "", "country": "", "email": "", "phone": ""}
        bill = {**blank, **billing}
        ship = {**{k: v for k, v in blank.items() if k != "email"},
                **{k: v for k, v in (shipping or billing).items() if k != "email"}}
        items = []
        subtotal = Decimal(0)
        for item in line_items:
            price = Decimal(str(item["price"]))
            quantity = int(item.get("quantity", 1))
            line_total = price * quantity
            subtotal += line_total
            items.append({
                "id": self._meta_id(), "name": item["name"], "product_id": item.get("product_id", 0),
                "variation_id": item.get("variation_id", 0), "quantity": quantity, "tax_class": "",
                "subtotal": _money(line_total), "subtotal_tax": "0.00", "total": _money(line_total),
                "total_tax": "0.00",
                "taxes": [], "meta_data": [{"id": self._meta_id(), **m} for m in item.get("meta_data", ())],
                "sku": item.get("sku", ""), "price": _price_number(price), "image": {"id": "", "src": ""},
                "parent_name": item.get("parent_name"),
            })
        ship_total = Decimal(str(shipping_total))
        total = subtotal + ship_total
        refund_list = [{"id": self._post_id(), "reason": r.get("reason", ""), "total": "-" + _money(r["amount"]),
                        "refunded_payment": True} for r in refunds]
        meta = [{"id": self._meta_id(), **m} for m in meta_data]
        tracking_items = []
        for t in tracking:
            shipped = t.get("date_shipped") or created
            tracking_items.append({
                "tracking_provider": t.get("provider") or "", "custom_tracking_provider": t.get("custom_provider", ""),
                "custom_tracking_link": t.get("custom_link", ""), "tracking_number": t["number"],
                "date_shipped": str(int(shipped.timestamp())),
                "tracking_id": hashlib.md5(f"{order_id}-{t['number']}".encode(), usedforsecurity=False).hexdigest(),
            })
        if tracking_items:
            meta.append({"id": self._meta_id(), "key": "_wc_shipment_tracking_items", "value": tracking_items})
        order = {
            "id": order_id, "parent_id": 0, "status": status, "currency": currency or self.currency,
            "version": self.wc_version, "prices_include_tax": True,
            **self._dates("created", created), **self._dates("modified", completed_at or paid_at or created),
            "discount_total": "0.00", "discount_tax": "0.00", "shipping_total": _money(ship_total),
            "shipping_tax": "0.00", "cart_tax": "0.00", "total": _money(total), "total_tax": "0.00",
            "customer_id": customer_id, "order_key": "wc_order_" + secrets.token_hex(6)[:13],
            "billing": bill, "shipping": ship, "payment_method": payment_method[0],
            "payment_method_title": payment_method[1], "transaction_id": "" if paid_at is None else
            "pi_" + secrets.token_hex(12), "customer_ip_address": "", "customer_user_agent": "",
            "created_via": "checkout", "customer_note": customer_note,
            **self._dates("completed", completed_at), **self._dates("paid", paid_at), "cart_hash": "",
            "number": number or str(order_id), "meta_data": meta, "line_items": items, "tax_lines": [],
            "shipping_lines": [{"id": self._meta_id(), "method_title": shipping_method, "method_id": "flat_rate",
                                "instance_id": "1", "total": _money(ship_total), "total_tax": "0.00", "taxes": [],
                                "meta_data": []}] if ship_total or shipping_method else [],
            "fee_lines": [], "coupon_lines": [], "refunds": refund_list,
            "payment_url": f"{SITE}/commande/order-pay/{order_id}/", "is_editable": status == "pending",
            "needs_payment": status in ("pending", "failed"), "needs_processing": True,
            "date_created_ts": created.timestamp(),  # internal: sort key
        }
        with self._lock:
            self.orders[order_id] = order
        return order

    def seed_demo(self, *, number_prefix: str | None = None) -> WooServer:
        """The demo shop (see demo.py). `number_prefix`: order numbers like "CMD-1001" (a sequential-numbers plugin)."""
        from tests.platform_servers.demo import seed_woo

        seed_woo(self)
        if number_prefix is not None:
            for sequence, order in enumerate(sorted(self.orders.values(), key=lambda o: o["id"]), start=1001):
                order["number"] = f"{number_prefix}{sequence}"
        return self

    def orders_for(self, email: str) -> list[dict[str, Any]]:
        """Orders billed to exactly `email` (case-insensitive), newest first."""
        found = [o for o in self.orders.values() if o["billing"]["email"].lower() == email.lower()]
        return sorted(found, key=lambda o: (o["date_created_ts"], o["id"]), reverse=True)

    def order_by_number(self, number: str) -> dict[str, Any]:
        return next(o for o in self.orders.values() if o["number"] == number)

    # --- routing --------------------------------------------------------------------------------------------------

    def dispatch(self, request: LoggedRequest) -> Response:
        route: str | None = None
        rest_route = request.param("rest_route")
        if rest_route is not None and request.path in ("/", "/index.php"):
            route = rest_route
        elif self.pretty_permalinks and (request.path == "/wp-json" or request.path.startswith("/wp-json/")):
            route = request.path[len("/wp-json"):]
        if route is None:
            return Response.html(404, _THEME_404)
        route = "/" + route.strip("/") if route.strip("/") else "/"
        headers = [("X-Robots-Tag", "noindex"), ("X-Content-Type-Options", "nosniff"),
                   ("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link")]
        try:
            if self.rest_disabled:
                raise _no_route()
            response = self._route(request, route)
        except WooError as error:
            response = error.response()
        response.headers = headers + response.headers
        return response

    def _route(self, request: LoggedRequest, route: str) -> Response:
        parts = route.strip("/").split("/") if route != "/" else []
        if not parts:
            return Response.json(200, self._site_index())
        namespace = "/".join(parts[:2])
        rest = parts[2:]
        if namespace == "wc/v3":
            self._authenticate(request, require=bool(rest), single=len(rest) > 1)
            if not rest:
                return Response.json(200, self._namespace_index())
            return self._wc(request, rest)
        tracking_route = (len(rest) == 3 and rest[0] == "orders" and rest[1].isdigit()
                          and rest[2] == "shipment-trackings")
        if namespace == "wc-shipment-tracking/v3" and self.shipment_tracking and tracking_route:
            self._authenticate(request, require=True, single=False)
            self._check_method(request)
            return Response.json(200, self._trackings(int(rest[1])))
        raise _no_route()

    def _check_method(self, request: LoggedRequest) -> None:
        if request.method in ("GET", "HEAD"):
            return
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and self.key_permissions == "read":
            raise WooError(401, "woocommerce_rest_authentication_error",
                           "The API key provided does not have write permissions.")
        raise _no_route()

    def _wc(self, request: LoggedRequest, rest: list[str]) -> Response:
        resource = rest[0]
        if resource == "system_status" and len(rest) == 1:
            self._check_method(request)
            return Response.json(200, self._system_status())
        collections = {"orders": self.orders, "customers": self.customers, "products": self.products}
        if resource not in collections:
            raise _no_route()
        store = collections[resource]
        if len(rest) == 1:
            self._check_method(request)
            return self._list(request, resource)
        if not rest[1].isdigit():
            raise _no_route()
        item_id = int(rest[1])
        if len(rest) == 2:
            self._check_method(request)
            item = store.get(item_id)
            if item is None:
                post_type = {"orders": "shop_order", "customers": "customer", "products": "product"}[resource]
                if resource == "customers":
                    raise WooError(400, "woocommerce_rest_invalid_id", "Invalid resource ID.")
                raise WooError(404, f"woocommerce_rest_{post_type}_invalid_id", "Invalid ID.")
            return Response.json(200, _select(self._render(resource, item), request.param("_fields")))
        if len(rest) == 3 and resource == "orders" and rest[2] == "refunds":
            self._check_method(request)
            order = self.orders.get(item_id)
            if order is None:
                raise WooError(404, "woocommerce_rest_invalid_order_id", "Invalid order ID.")
            return Response.json(200, [self._refund_payload(order, r) for r in order["refunds"]])
        if len(rest) == 3 and resource == "products" and rest[2] == "variations":
            self._check_method(request)
            product = self.products.get(item_id)
            if product is None:
                raise WooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
            return Response.json(200, [self._variation_payload(product, v) for v in product["_variations"]])
        raise _no_route()

    # --- authentication -------------------------------------------------------------------------------------------

    def _credentials(self, request: LoggedRequest) -> tuple[str, str] | None:
        if not self.tls:
            return None  # over plain HTTP WooCommerce only does OAuth 1.0a; Basic/query keys are ignored
        key = secret = None
        header = request.headers.get("authorization", "")
        if not self.strip_authorization and header[:6].lower() == "basic ":
            try:
                key, _, secret = b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                key = secret = None
        if request.param("consumer_key") and request.param("consumer_secret"):
            key, secret = request.param("consumer_key"), request.param("consumer_secret")
        if not key or not secret:
            return None
        return key, secret

    def _authenticate(self, request: LoggedRequest, *, require: bool, single: bool) -> None:
        credentials = self._credentials(request)
        if credentials is None:
            if require:
                message = "Sorry, you cannot view this resource." if single else "Sorry, you cannot list resources."
                raise WooError(401, "woocommerce_rest_cannot_view", message)
            return
        key, secret = credentials
        if not secrets.compare_digest(key, self.consumer_key):
            raise WooError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        if not secrets.compare_digest(secret, self.consumer_secret):
            raise WooError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
        if request.method in ("GET", "HEAD") and self.key_permissions == "write":
            raise WooError(401, "woocommerce_rest_authentication_error",
                           "The API key provided does not have read permissions.")

    # --- listing --------------------------------------------------------------------------------------------------

    def _int_param(self, request: LoggedRequest, name: str, default: int | None, low: int | None = None,
                   high: int | None = None) -> int | None:
        raw = request.param(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise _invalid_param(name, f"{name} is not of type integer.") from None
        if (low is not None and value < low) or (high is not None and value > high):
            detail = (f"{name} must be between {low} (inclusive) and {high} (inclusive)" if high is not None
                      else f"{name} must be greater than or equal to {low}")
            raise _invalid_param(name, detail)
        return value

    def _list(self, request: LoggedRequest, resource: str) -> Response:
        page = self._int_param(request, "page", 1, low=1)
        per_page = self._int_param(request, "per_page", 10, low=1, high=100)
        offset = self._int_param(request, "offset", None, low=0)
        assert page is not None and per_page is not None
        order = (request.param("order") or ("asc" if resource == "customers" else "desc")).lower()
        if order not in ("asc", "desc"):
            raise _invalid_param("order", "order is not one of asc and desc.")
        with self._lock:
            if resource == "orders":
                items = self._filter_orders(request)
            elif resource == "customers":
                items = self._filter_customers(request)
            else:
                items = self._filter_products(request)
        include = _id_list(request, "include")
        exclude = _id_list(request, "exclude")
        if include:
            items = [i for i in items if i["id"] in include]
        if exclude:
            items = [i for i in items if i["id"] not in exclude]
        items = self._sort(request, resource, items, descending=order == "desc")
        total = len(items)
        pages = math.ceil(total / per_page) if total else 0
        start = offset if offset is not None else (page - 1) * per_page
        window = items[start:start + per_page]
        fields = request.param("_fields")
        payload = [_select(self._render(resource, i), fields) for i in window]
        headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))]
        links = []
        base_params = {k: v[-1] for k, v in request.query.items() if k not in ("page", "rest_route")}
        route = f"/wc/v3/{resource}"
        if page > 1:
            links.append(f'<{self._page_url(route, base_params, min(page - 1, max(pages, 1)))}>; rel="prev"')
        if pages > page:
            links.append(f'<{self._page_url(route, base_params, page + 1)}>; rel="next"')
        if links:
            headers.append(("Link", ", ".join(links)))
        return Response.json(200, payload, headers)

    def _page_url(self, route: str, params: dict[str, str], page: int) -> str:
        query = urlencode({**params, "page": page})
        base = self.rest_url(route)
        return f"{base}{'&' if '?' in base else '?'}{query}"

    def _sort(self, request: LoggedRequest, resource: str, items: list[dict[str, Any]],
              *, descending: bool) -> list[dict[str, Any]]:
        allowed = {"orders": ("date", "id", "include", "title", "slug", "modified"),
                   "customers": ("id", "include", "name", "registered_date"),
                   "products": ("date", "id", "include", "title", "slug", "price", "popularity", "rating",
                                "modified")}[resource]
        default = {"orders": "date", "customers": "name", "products": "date"}[resource]
        orderby = request.param("orderby") or default
        if orderby not in allowed:
            raise _invalid_param("orderby", f"orderby is not one of {', '.join(allowed[:-1])}, and {allowed[-1]}.")
        if orderby == "include":
            wanted = _id_list(request, "include")
            return sorted(items, key=lambda i: wanted.index(i["id"]) if i["id"] in wanted else len(wanted))

        def key(item: dict[str, Any]) -> Any:
            if orderby in ("date", "registered_date"):
                return (item.get("date_created_gmt") or "", item["id"])
            if orderby == "modified":
                return (item.get("date_modified_gmt") or "", item["id"])
            if orderby == "name":
                return (f"{item.get('first_name', '')} {item.get('last_name', '')}".lower(), item["id"])
            if orderby in ("title", "slug"):
                return (str(item.get("name") or item.get("slug") or "").lower(), item["id"])
            if orderby == "price":
                return (Decimal(item.get("price") or 0), item["id"])
            return (item["id"],)

        return sorted(items, key=key, reverse=descending)

    def _filter_orders(self, request: LoggedRequest) -> list[dict[str, Any]]:
        items = list(self.orders.values())
        statuses = [s.strip() for raw in request.query.get("status", []) + request.query.get("status[]", [])
                    for s in raw.split(",") if s.strip()] or ["any"]
        for status in statuses:
            if status != "any" and status not in ORDER_STATUSES:
                raise _invalid_param("status", f"status[0] is not one of any, {', '.join(ORDER_STATUSES)}.")
        if "any" in statuses:
            items = [o for o in items if o["status"] != "trash"]
        else:
            items = [o for o in items if o["status"] in statuses]
        customer = self._int_param(request, "customer", None)
        if customer is not None:
            items = [o for o in items if o["customer_id"] == customer]
        search = request.param("search")
        if search:
            items = [o for o in items if _order_search(o, search)]
        gmt = (request.param("dates_are_gmt") or "").lower() in ("1", "true")
        for name, keep in (("after", lambda a, b: a > b), ("before", lambda a, b: a < b)):
            raw = request.param(name)
            if raw:
                moment = _parse_date(raw, name)
                field_name = "date_created_gmt" if gmt else "date_created"
                items = [o for o in items if keep(o[field_name], moment)]
        return items

    def _filter_customers(self, request: LoggedRequest) -> list[dict[str, Any]]:
        items = list(self.customers.values())
        email = request.param("email")
        if email is not None:
            if "@" not in email:
                raise _invalid_param("email", "Invalid email address.")
            items = [c for c in items if c["email"].lower() == email.lower()]
        search = (request.param("search") or "").lower()
        if search:
            items = [c for c in items if any(search in str(c[k]).lower()
                                             for k in ("email", "username", "first_name", "last_name"))]
        role = request.param("role") or "customer"
        if role != "all":
            items = [c for c in items if c["role"] == role]
        return items

    def _filter_products(self, request: LoggedRequest) -> list[dict[str, Any]]:
        items = list(self.products.values())
        status = request.param("status") or "any"
        if status != "any":
            items = [p for p in items if p["status"] == status]
        search = (request.param("search") or "").lower()
        if search:
            items = [p for p in items if search in p["name"].lower() or search in p["description"].lower()
                     or search in p["short_description"].lower()]
        sku = request.param("sku")
        if sku:
            wanted = {s.strip().lower() for s in sku.split(",")}
            items = [p for p in items if p["sku"].lower() in wanted]
        return items

    # --- payloads -------------------------------------------------------------------------------------------------

    def _links(self, route: str, collection: str, **extra: str) -> dict[str, list[dict[str, str]]]:
        links = {"self": [{"href": self.rest_url(route)}], "collection": [{"href": self.rest_url(collection)}]}
        for name, href in extra.items():
            links[name] = [{"href": href}]
        return links

    def _render(self, resource: str, item: dict[str, Any]) -> dict[str, Any]:
        payload = self._absolute({k: v for k, v in item.items() if not k.startswith("_") and k != "date_created_ts"})
        if resource == "orders":
            if not self.expose_tracking_meta:
                payload["meta_data"] = [m for m in payload["meta_data"] if m["key"] != "_wc_shipment_tracking_items"]
            extra = {}
            if item["customer_id"]:
                extra["customer"] = self.rest_url(f"/wc/v3/customers/{item['customer_id']}")
            payload["_links"] = self._links(f"/wc/v3/orders/{item['id']}", "/wc/v3/orders", **extra)
        elif resource == "customers":
            payload["_links"] = self._links(f"/wc/v3/customers/{item['id']}", "/wc/v3/customers")
        else:
            payload["_links"] = self._links(f"/wc/v3/products/{item['id']}", "/wc/v3/products")
        return payload

    def _absolute(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(SITE, self.url) if value.startswith(SITE) else value
        if isinstance(value, dict):
            return {k: self._absolute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._absolute(v) for v in value]
        return value

    def _refund_payload(self, order: dict[str, Any], refund: dict[str, Any]) -> dict[str, Any]:
        amount = refund["total"].lstrip("-")
        return {"id": refund["id"], **self._dates("created", self.now - dt.timedelta(days=1)), "amount": amount,
                "reason": refund["reason"], "refunded_by": 1, "refunded_payment": True, "meta_data": [],
                "line_items": [], "shipping_lines": [], "tax_lines": [], "fee_lines": [],
                "_links": self._links(f"/wc/v3/orders/{order['id']}/refunds/{refund['id']}",
                                      f"/wc/v3/orders/{order['id']}/refunds")}

    def _variation_payload(self, product: dict[str, Any], variation: dict[str, Any]) -> dict[str, Any]:
        base = f"/wc/v3/products/{product['id']}"
        links = self._links(f"{base}/variations/{variation['id']}", f"{base}/variations", up=self.rest_url(base))
        return {**self._absolute(variation), "_links": links}

    def _trackings(self, order_id: int) -> list[dict[str, Any]]:
        order = self.orders.get(order_id)
        if order is None:
            raise WooError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        out = []
        for meta in order["meta_data"]:
            if meta["key"] != "_wc_shipment_tracking_items":
                continue
            for item in meta["value"]:
                name, template = PROVIDERS.get(item["tracking_provider"], (item["custom_tracking_provider"], None))
                link = (template.replace("%1$s", item["tracking_number"]) if template
                        else item["custom_tracking_link"])
                shipped = dt.datetime.fromtimestamp(int(item["date_shipped"]), dt.UTC).astimezone(self.tz)
                route = f"/wc-shipment-tracking/v3/orders/{order_id}/shipment-trackings"
                out.append({"tracking_id": item["tracking_id"], "tracking_provider": name, "tracking_link": link,
                            "tracking_number": item["tracking_number"], "date_shipped": shipped.strftime("%Y-%m-%d"),
                            "_links": {"self": [{"href": self.rest_url(f"{route}/{item['tracking_id']}")}],
                                       "collection": [{"href": self.rest_url(route)}],
                                       "up": [{"href": self.rest_url(f"/wc/v3/orders/{order_id}")}]}})
        return out

    def _namespaces(self) -> list[str]:
        spaces = ["oembed/1.0", "wc/v3", "wc/v2", "wc/v1", "wc/store/v1", "wc-admin", "wc-analytics", "wp/v2",
                  "wp-site-health/v1"]
        return [*spaces, "wc-shipment-tracking/v3"] if self.shipment_tracking else spaces

    def _site_index(self) -> dict[str, Any]:
        return {"name": self.site_name, "description": "Savons, bougies et linge de maison", "url": self.url,
                "home": self.url, "gmt_offset": "1", "timezone_string": "Europe/Paris",
                "namespaces": self._namespaces(), "authentication": {},
                "routes": {"/": {"namespace": "", "methods": ["GET"]}},
                "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]}}

    def _namespace_index(self) -> dict[str, Any]:
        routes = {f"/wc/v3/{name}": {"namespace": "wc/v3", "methods": ["GET", "POST"]}
                  for name in ("orders", "customers", "products", "system_status")}
        return {"namespace": "wc/v3", "routes": {"/wc/v3": {"namespace": "wc/v3", "methods": ["GET"]}, **routes},
                "_links": {"up": [{"href": self.rest_url("/")}]}}

    def _system_status(self) -> dict[str, Any]:
        plugins = [{"plugin": "woocommerce/woocommerce.php", "name": "WooCommerce", "version": self.wc_version,
                    "version_latest": self.wc_version, "url": "https://woocommerce.com/", "author_name": "Automattic"}]
        if self.shipment_tracking:
            plugins.append({"plugin": "woocommerce-shipment-tracking/woocommerce-shipment-tracking.php",
                            "name": "WooCommerce Shipment Tracking", "version": "2.6.4", "version_latest": "2.6.4",
                            "url": "https://woocommerce.com/products/shipment-tracking/", "author_name": "WooCommerce"})
        return {
            "environment": {"home_url": self.url, "site_url": self.url, "version": self.wc_version,
                            "wp_version": "6.8.3", "wp_multisite": False, "wp_debug_mode": False, "language": "fr_FR",
                            "server_info": "nginx/1.24.0", "php_version": "8.3.12", "default_timezone": "UTC"},
            "database": {"wc_database_version": self.wc_version, "database_prefix": "wp_"},
            "active_plugins": plugins, "inactive_plugins": [],
            "theme": {"name": "Storefront", "version": "4.6.1"},
            "settings": {"api_enabled": True, "force_ssl": False, "currency": self.currency,
                         "currency_symbol": "&euro;", "currency_position": "right_space", "thousand_separator": " ",
                         "decimal_separator": ",", "number_of_decimals": 2, "geolocation_enabled": False,
                         "taxonomies": {}, "woocommerce_com_connected": "no"},
            "security": {"secure_connection": self.tls, "hide_errors": True},
            "pages": [],
        }


# --- helpers ---------------------------------------------------------------------------------------------------------

def _order_search(order: dict[str, Any], term: str) -> bool:
    needle = term.lower().strip()
    if needle.isdigit() and int(needle) == order["id"]:
        return True
    haystacks = [order["number"]]
    for part in ("billing", "shipping"):
        address = order[part]
        haystacks.append(" ".join(str(v) for v in address.values()))
        haystacks.extend(str(v) for v in address.values())
    haystacks.extend(i["name"] for i in order["line_items"])
    return any(needle in h.lower() for h in haystacks if h)


def _parse_date(raw: str, name: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid_param(name, "Invalid date.") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _id_list(request: LoggedRequest, name: str) -> list[int]:
    raw = request.query.get(name, []) + request.query.get(f"{name}[]", [])
    out = []
    for chunk in raw:
        for piece in chunk.split(","):
            if piece.strip():
                if not piece.strip().isdigit():
                    raise _invalid_param(name, f"{name}[0] is not of type integer.")
                out.append(int(piece))
    return out


def _select(payload: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """WordPress's `_fields=id,number,billing.email`: only those (nested with dots); `_links` only if named."""
    if not fields:
        return payload
    wanted = [f.strip() for f in fields.split(",") if f.strip()]
    out: dict[str, Any] = {}
    for path in wanted:
        head, _, tail = path.partition(".")
        if head not in payload:
            continue
        if not tail:
            out[head] = payload[head]
        elif isinstance(payload[head], dict):
            sub = _select(payload[head], tail)
            out.setdefault(head, {}).update(sub)
    return out
