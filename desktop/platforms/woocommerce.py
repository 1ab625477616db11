"""WooCommerce, through its REST API v3 (`/wp-json/wc/v3/`), from the merchant's computer.

Auth is HTTP Basic with the consumer key and secret, over HTTPS only. Some servers (CGI/FastCGI set-ups) strip the
Authorization header; WooCommerce then sees an anonymous request and answers 401 `woocommerce_rest_cannot_view`.
In `auth_mode="auto"` the client then retries once with the key in the query string and, if that works, keeps
doing so (`auth_mode` becomes "query": the service may store it).

`search=` is a substring search over addresses, names and items, so `orders_by_email` keeps only orders whose
billing e-mail is exactly the one asked for. Guest orders have `customer_id: 0`, so `customer=` is never used.
Ownership checks beyond that are the caller's.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from types import TracebackType
from typing import Any
from urllib.parse import quote

from desktop.core.platforms import (
    EgressRecorder,
    Fulfillment,
    Order,
    OrderItem,
    PlatformError,
    Product,
    Refund,
    normalize_order_number,
    same_email,
)
from desktop.platforms.http import READ_TIMEOUT, HttpSession, NotJson, Reply, decode_json, parse_base_url

log = logging.getLogger("comptoir.platforms")

API = "/wc/v3/"             # REST routes: under /wp-json, or ?rest_route= on sites with "Plain" permalinks
TRACKING_API = "/wc-shipment-tracking/v3/orders/{id}/shipment-trackings"
PER_PAGE = 100
MAX_PAGES = 10
MAX_TRACKING_LOOKUPS = 10   # extra calls per lookup for orders whose tracking is not in their meta data
AUTH_MODES = ("auto", "basic", "query")
TRACKING_META = "_wc_shipment_tracking_items"
_NO_TRACKING_STATUSES = {"pending", "failed", "cancelled", "on-hold", "checkout-draft", "trash", "draft"}

STATUS_WORDS = {
    "processing": "paid, to ship", "completed": "completed", "on-hold": "on hold (awaiting payment)",
    "pending": "pending payment", "cancelled": "cancelled", "refunded": "refunded", "failed": "failed",
}
_FINANCIAL = {
    "processing": "paid", "completed": "paid", "on-hold": "pending", "pending": "pending",
    "cancelled": "cancelled", "refunded": "refunded", "failed": "failed",
}

# provider (lower case, letters and digits only) -> (display name, tracking URL with {n} for the number)
CARRIERS: dict[str, tuple[str, str]] = {
    "colissimo": ("Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code={n}"),
    "laposte": ("La Poste", "https://www.laposte.fr/outils/suivre-vos-envois?code={n}"),
    "lapostecolissimo": ("Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code={n}"),
    "lettresuivie": ("La Poste", "https://www.laposte.fr/outils/suivre-vos-envois?code={n}"),
    "chronopost": ("Chronopost", "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={n}"),
    "dhl": ("DHL", "https://www.dhl.com/fr-fr/home/tracking.html?tracking-id={n}"),
    "dhlexpress": ("DHL Express", "https://www.dhl.com/fr-fr/home/tracking.html?tracking-id={n}"),
    "dhlparcel": ("DHL Parcel", "https://www.dhl.com/fr-fr/home/tracking.html?tracking-id={n}"),
    "ups": ("UPS", "https://www.ups.com/track?tracknum={n}"),
    "fedex": ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={n}"),
    "tnt": ("TNT", "https://www.tnt.com/express/fr_fr/site/shipping-tools/tracking.html?searchType=con&cons={n}"),
    "usps": ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}"),
    "mondialrelay": ("Mondial Relay", "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition={n}"),
    "dpd": ("DPD", "https://trace.dpd.fr/fr/trace/{n}"),
    "dpdfrance": ("DPD", "https://trace.dpd.fr/fr/trace/{n}"),
    "gls": ("GLS", "https://gls-group.com/FR/fr/suivi-colis?match={n}"),
    "colisprive": ("Colis Privé", "https://www.colisprive.com/moncolis/pages/detailColis.aspx?numColis={n}"),
    "relaiscolis": ("Relais Colis", "https://www.relaiscolis.com/suivi-de-colis/index/tracking/?codeEnseigne=&"
                                    "nomClient=&typeRecherche=EXP&valeur={n}"),
    "royalmail": ("Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{n}"),
    "postnl": ("PostNL", "https://postnl.nl/tracktrace/?B={n}"),
    "bpost": ("bpost", "https://track.bpost.cloud/btr/web/#/search?itemCode={n}"),
    "correos": ("Correos", "https://www.correos.es/es/es/herramientas/localizador/envios/detalle?tracking-number={n}"),
    "deutschepost": ("Deutsche Post", "https://www.deutschepost.de/de/s/sendungsverfolgung.html?piececode={n}"),
    "swisspost": ("Swiss Post", "https://service.post.ch/ekp-web/ui/entry/shipping/1/{n}"),
    "canadapost": ("Canada Post", "https://www.canadapost-postescanada.ca/track-reperage/en#/details/{n}"),
}


class WooCommerceClient:
    """One WooCommerce site. Blocking: call from a background thread. Close it (or use `with`) when done."""

    platform = "woocommerce"

    def __init__(self, site_url: str, consumer_key: str, consumer_secret: str, *, verify: str | bool = True,
                 on_call: EgressRecorder | None = None, timeout: float = READ_TIMEOUT,
                 sleep: Callable[[float], None] = time.sleep, auth_mode: str = "auto") -> None:
        if auth_mode not in AUTH_MODES:
            raise ValueError(f"auth_mode must be one of {AUTH_MODES}")
        consumer_key, consumer_secret = (consumer_key or "").strip(), (consumer_secret or "").strip()
        if not consumer_key or not consumer_secret:
            raise PlatformError("The WooCommerce consumer key or secret is missing.",
                                "Create a key in WooCommerce › Settings › Advanced › REST API (Permissions: Read) "
                                "and paste both the key (ck_…) and the secret (cs_…).")
        base = parse_base_url(normalize_site_url(site_url), "WooCommerce")
        self.site_url = str(base).rstrip("/")
        self._session = HttpSession(base, label="WooCommerce", platform="woocommerce", verify=verify,
                                    timeout=timeout, on_call=on_call, sleep=sleep)
        self.host = self._session.host
        self._key = consumer_key
        self._secret = consumer_secret
        self._session.add_secret(consumer_key)
        self._session.add_secret(consumer_secret)
        self._auth_mode = auth_mode
        self._pretty: bool | None = None         # /wp-json/ works (True) or only ?rest_route= does (False)
        self._tracking_api: bool | None = None  # False once the shipment-tracking route is known to be absent
        self._tracking_meta_seen = False        # the site shows tracking meta: its absence means no tracking

    def __repr__(self) -> str:
        return f"WooCommerceClient({self.site_url!r}, auth_mode={self._auth_mode!r})"

    @property
    def auth_mode(self) -> str:
        """'auto' until a call settles it, then 'basic' or 'query' (worth storing with the shop)."""
        return self._auth_mode

    # --- PlatformClient -------------------------------------------------------------------------------

    def test(self) -> list[str]:
        reply = self._get("orders", {"per_page": 1}, purpose="woocommerce connection test")
        orders = self._json_list(reply)
        how = ("the key travels in the address, because this server drops the Authorization header"
               if self._auth_mode == "query" else "the key travels in the Authorization header")
        lines = [f"Connected to WooCommerce at {self.host} ({how})."]
        total = reply.headers.get("x-wp-total", "")
        if total.isdigit():
            lines.append(f"Orders can be read: {total} in total.")
        else:
            lines.append("Orders can be read." if orders else "Orders can be read; the shop has no order yet.")
        return lines

    def orders_by_email(self, email: str, *, limit: int = 50) -> list[Order]:
        email = (email or "").strip()
        if not email or limit <= 0:
            return []
        kept: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            reply = self._get("orders", {"search": email.lower(), "per_page": PER_PAGE, "page": page, "orderby": "date",
                                         "order": "desc"}, purpose="woocommerce orders by e-mail")
            batch = self._json_list(reply)
            kept.extend(o for o in batch if same_email(_s(_dict(o.get("billing")).get("email")), email))
            if len(kept) >= limit or not batch or page >= _int(reply.headers.get("x-wp-totalpages"), 1):
                break
        return self._orders(kept[:limit])

    def order_by_number(self, number: str) -> Order | None:
        wanted = normalize_order_number(number)
        if wanted is None:
            return None
        reply = self._get(f"orders/{wanted}", None, purpose="woocommerce order by number", missing_ok=True)
        if reply.status == 200:
            data = self._json(reply)
            if isinstance(data, dict) and _number_matches(data, wanted):
                return self._orders([data])[0]
        reply = self._get("orders", {"search": wanted, "per_page": PER_PAGE, "orderby": "date", "order": "desc"},
                          purpose="woocommerce order by number")
        for data in self._json_list(reply):
            if _number_matches(data, wanted):
                return self._orders([data])[0]
        return None

    def products(self, query: str, *, limit: int = 10) -> list[Product]:
        text = " ".join((query or "").split())[:100]
        if not text or limit <= 0:
            return []
        per_page = max(1, min(limit, PER_PAGE))
        found: dict[Any, dict[str, Any]] = {}
        reply = self._get("products", {"search": text, "per_page": per_page, "status": "publish"},
                          purpose="woocommerce products")
        for p in self._json_list(reply):
            found.setdefault(p.get("id"), p)
        if len(found) < limit and " " not in text:
            reply = self._get("products", {"sku": text, "per_page": per_page, "status": "publish"},
                              purpose="woocommerce products")
            for p in self._json_list(reply):
                found.setdefault(p.get("id"), p)
        return [product_from_json(p) for p in list(found.values())[:limit]]

    # --- requests -------------------------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, str | int] | None, *, purpose: str,
             missing_ok: bool = False, route: str | None = None) -> Reply:
        """GET the REST route /wc/v3/`path` (or `route`), with auth and error words, and two fallbacks:
        `?rest_route=` when /wp-json/ is not there ("Plain" permalinks), the key in the query string when the
        Authorization header does not reach WooCommerce.

        Returns 2xx answers (and 404s when `missing_ok`); raises PlatformError for everything else.
        """
        target = route or API + path
        reply = self._send(target, params, purpose, query_auth=self._auth_mode == "query")
        if self._pretty is None:
            if reply.status == 404 and _json_or_none(reply.body) is None:
                second = self._send(target, params, purpose, query_auth=self._auth_mode == "query", plain=True)
                if _json_or_none(second.body) is not None:
                    log.info("%s: /wp-json/ is missing; using ?rest_route= (Plain permalinks)", self.host)
                    self._pretty = False
                    reply = second
            elif _json_or_none(reply.body) is not None:
                self._pretty = True
        if reply.status == 401 and self._auth_mode == "auto" and _auth_missing(reply):
            log.info("%s: the Authorization header seems stripped; retrying with the key in the address", self.host)
            second = self._send(target, params, purpose, query_auth=True)
            if second.status < 400 or (second.status == 404 and not _auth_missing(second)):
                self._auth_mode = "query"
            reply = second
            if reply.status == 401 and _auth_missing(reply):
                raise PlatformError(
                    "WooCommerce did not receive the API key (HTTP 401), neither in the Authorization header nor "
                    "in the address.", "A security plugin, a cache or the web server may be removing it; check "
                    "them, or ask your host to pass the Authorization header to WordPress.")
        elif self._auth_mode == "auto" and reply.status < 400:
            self._auth_mode = "basic"
        if 200 <= reply.status < 300 or (missing_ok and reply.status == 404):
            return reply
        raise self._error(reply)

    def _send(self, route: str, params: Mapping[str, str | int] | None, purpose: str, *,
              query_auth: bool, plain: bool | None = None) -> Reply:
        all_params: dict[str, str | int] = {}
        if plain or (plain is None and self._pretty is False):
            path = "/"
            all_params["rest_route"] = route.rstrip("/")
        else:
            path = "/wp-json" + route
        all_params.update(params or {})
        headers: dict[str, str] = {}
        if query_auth:
            all_params["consumer_key"] = self._key
            all_params["consumer_secret"] = self._secret
        else:
            token = base64.b64encode(f"{self._key}:{self._secret}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        return self._session.request("GET", path, purpose=purpose, headers=headers, params=all_params)

    # --- answers --------------------------------------------------------------------------------------

    def _json(self, reply: Reply) -> Any:
        try:
            return _lenient_json(reply.body)
        except NotJson:
            raise self._session.not_json(
                reply, hint="A security plugin, a maintenance mode or a cache may have answered instead of "
                            "WooCommerce. Open the site in a browser to check, then try again.") from None

    def _json_list(self, reply: Reply) -> list[dict[str, Any]]:
        data = self._json(reply)
        if not isinstance(data, list):
            raise PlatformError(f"WooCommerce answered with something other than a list (HTTP {reply.status}).",
                                "Check the site address, then try again.")
        return [d for d in data if isinstance(d, dict)]

    def _error(self, reply: Reply) -> PlatformError:
        try:
            body = _lenient_json(reply.body)
        except NotJson:
            body = None
        code = _s(body.get("code")) if isinstance(body, dict) else ""
        message = self._session.scrub(_clean(_s(body.get("message")))) if isinstance(body, dict) else ""
        status = reply.status
        if status == 404 and (code == "rest_no_route" or body is None):
            what = "" if body is not None else " (no WordPress API answers there)"
            return PlatformError(
                f"{self.host} answered 404{what}: the WooCommerce REST API is disabled or the site URL is wrong.",
                "Check the site address (WordPress › Settings › General › Site Address) and that WooCommerce is "
                "active, and that no security plugin blocks the REST API.")
        if status == 401:
            lowered = message.lower()
            if "read permission" in lowered or "permissions" in lowered:
                return PlatformError("The WooCommerce API key has no read permission (HTTP 401).",
                                     "In WooCommerce › Settings › Advanced › REST API, edit the key and set "
                                     "Permissions to Read (or Read/Write).")
            if code == "woocommerce_rest_cannot_view":
                return PlatformError(f"WooCommerce did not accept the API key (HTTP 401){_colon(message)}.",
                                     "Check the key, or set the connection to send the key in the address.")
            return PlatformError(f"WooCommerce refused the API key (HTTP 401){_colon(message)}.",
                                 "Check the consumer key (ck_…) and secret (cs_…) in WooCommerce › Settings › "
                                 "Advanced › REST API; the key may have been revoked.")
        if status == 403:
            if body is None:
                return self._session.not_json(reply, hint="A firewall or security plugin blocked the request; allow "
                                                          "the WooCommerce REST API (/wp-json/wc/) in it.")
            return PlatformError(f"The WooCommerce API key is valid, but its WordPress user is not allowed to read "
                                 f"this (HTTP 403){_colon(message)}.",
                                 "Create the key for an administrator or shop manager, with Read permission.")
        if status == 404:
            return PlatformError(f"WooCommerce answered 404{_colon(message or code)}.",
                                 "Check the site address and that WooCommerce is up to date.")
        if status < 300 or (status >= 500 and body is None):
            return self._session.not_json(reply, hint="The site may be having trouble; open it in a browser, then "
                                                      "try again in a few minutes.")
        return self._session.generic_error(reply, message or code)

    # --- orders -----------------------------------------------------------------------------------------

    def _orders(self, raw_orders: list[dict[str, Any]]) -> list[Order]:
        """Map orders, asking the tracking endpoint only where the site may hide tracking meta (bounded)."""
        found = [(data, tracking_from_meta(data.get("meta_data"))) for data in raw_orders]
        if any(tracking is not None for _data, tracking in found):
            self._tracking_meta_seen = True
        lookups = 0
        out = []
        for data, meta_tracking in found:
            tracking = meta_tracking
            status = _s(data.get("status"))
            if (tracking is None and not self._tracking_meta_seen and self._tracking_api is not False
                    and lookups < MAX_TRACKING_LOOKUPS and status not in _NO_TRACKING_STATUSES
                    and data.get("id") is not None):
                lookups += 1
                tracking = self._tracking_from_api(data["id"])
            out.append(order_from_json(data, tracking or []))
        return out

    def _tracking_from_api(self, order_id: Any) -> list[Fulfillment]:
        path = TRACKING_API.format(id=quote(str(order_id), safe=""))
        try:
            reply = self._get("", None, purpose="woocommerce shipment tracking", missing_ok=True, route=path)
        except PlatformError as exc:  # tracking is a bonus: the order itself is what matters
            log.info("%s: shipment tracking unavailable (%s)", self.host, exc.message)
            return []
        if reply.status == 404:
            try:
                body = _lenient_json(reply.body)
            except NotJson:
                body = None
            if not isinstance(body, dict) or body.get("code") == "rest_no_route":
                self._tracking_api = False  # the plugin is not installed: stop asking
            return []
        self._tracking_api = True
        try:
            items = _lenient_json(reply.body)
        except NotJson:
            return []
        return tracking_items(items)

    # --- lifecycle ------------------------------------------------------------------------------------

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> WooCommerceClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


# --- mapping --------------------------------------------------------------------------------------------


def order_from_json(data: dict[str, Any], tracking: list[Fulfillment]) -> Order:
    """A WooCommerce order (REST v3 JSON) as Comptoir's Order."""
    status = _s(data.get("status"))
    refunds = tuple(Refund(amount=_s(r.get("total")).lstrip("-"), note=_clean(_s(r.get("reason"))))
                    for r in _dicts(data.get("refunds")))
    financial = _FINANCIAL.get(status, _words(status))
    if refunds and financial == "paid":
        financial = "partially refunded"
    shipped = bool(tracking) or status == "completed"
    fulfillment = "fulfilled" if shipped else "unfulfilled"
    words = STATUS_WORDS.get(status, _words(status))
    if status == "processing" and tracking:
        words = "paid, shipped"
    if refunds and status != "refunded":
        words += " · partially refunded"
    billing = _dict(data.get("billing"))
    shipping = _dict(data.get("shipping"))
    items = []
    subtotal = Decimal(0)
    for li in _dicts(data.get("line_items")):
        items.append(OrderItem(title=_clean(_s(li.get("name"))), quantity=_int(li.get("quantity"), 0),
                               price=_amount(li.get("price")), variant=_item_variant(li.get("meta_data")),
                               sku=_s(li.get("sku"))))
        subtotal += _decimal(li.get("subtotal"))
    return Order(
        platform="woocommerce", external_id=_s(data.get("id")), number=_s(data.get("number") or data.get("id")),
        email=_s(billing.get("email")), created_at=_gmt(data.get("date_created_gmt"), data.get("date_created")),
        financial_status=financial, fulfillment_status=fulfillment, currency=_s(data.get("currency")),
        total=_s(data.get("total")), items=tuple(items),
        fulfillments=tuple(tracking) if tracking else (
            (Fulfillment(status="shipped", created_at=_gmt(data.get("date_completed_gmt"))),)
            if status == "completed" else ()),
        refunds=refunds, shipping_address=_address(shipping), paid_at=_gmt(data.get("date_paid_gmt")),
        fulfilled_at=_gmt(data.get("date_completed_gmt")), cancelled_at="", status=words,
        subtotal=f"{subtotal:.2f}" if items else "", shipping_total=_s(data.get("shipping_total")),
        note=_clean(_s(data.get("customer_note"))),
        customer_name=" ".join(p for p in (_s(billing.get("first_name")), _s(billing.get("last_name"))) if p),
        raw=data)


def product_from_json(data: dict[str, Any]) -> Product:
    stock = data.get("stock_quantity")
    return Product(
        title=_clean(_s(data.get("name"))), price=_s(data.get("price")), sku=_s(data.get("sku")),
        stock=int(stock) if isinstance(stock, int | float) and data.get("manage_stock") is not False else None,
        url=_safe_url(_s(data.get("permalink"))))


def tracking_from_meta(meta: Any) -> list[Fulfillment] | None:
    """Tracking from the order's meta data; None when no tracking meta is there at all (then ask the API)."""
    entries = {_s(m.get("key")): m.get("value") for m in _dicts(meta)}
    if TRACKING_META in entries:
        return tracking_items(entries[TRACKING_META])
    if "_tracking_number" in entries:  # older single-value plugins
        return tracking_items([{"tracking_number": entries.get("_tracking_number"),
                                "tracking_provider": entries.get("_tracking_provider")}])
    return None


def tracking_items(value: Any) -> list[Fulfillment]:
    """`_wc_shipment_tracking_items` (or the tracking endpoint's list) as fulfillments."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if isinstance(value, dict):  # a PHP array with holes arrives as an object
        value = [value] if "tracking_number" in value else list(value.values())
    out = []
    for item in _dicts(value):
        number = _s(item.get("tracking_number")).strip()
        provider = _s(item.get("custom_tracking_provider")).strip() or _s(item.get("tracking_provider")).strip()
        link = _s(item.get("custom_tracking_link")).strip() or _s(item.get("tracking_link")).strip()
        if not number and not link:
            continue
        name, url = carrier_link(provider, number)
        out.append(Fulfillment(status="shipped", tracking_number=number, carrier=name,
                               tracking_url=_safe_url(link) or url, created_at=_shipped_at(item.get("date_shipped"))))
    return out


def carrier_link(provider: str, number: str) -> tuple[str, str]:
    """(display name, tracking URL or '') for a provider as tracking plugins store it ('colissimo', 'DHL'…)."""
    key = re.sub(r"[^a-z0-9]", "", provider.lower())
    known = CARRIERS.get(key)
    if known is None:
        return (provider.replace("-", " ").title() if provider.islower() else provider), ""
    name, template = known
    return name, template.format(n=quote(number, safe="")) if number else ""


def normalize_site_url(text: str) -> str:
    """'shop.example.com/', 'https://example.com/wp-admin/…' → 'https://shop.example.com', 'https://example.com'."""
    value = (text or "").strip()
    value = value.split("#", 1)[0].split("?", 1)[0]
    value = re.split(r"/(?:wp-json|wp-admin|wp-login\.php|index\.php)(?:/|$)", value, maxsplit=1)[0]
    return value.rstrip("/")


# --- helpers --------------------------------------------------------------------------------------------


def _number_matches(order: dict[str, Any], wanted: str) -> bool:
    """'1001' matches the number '1001' or, with a sequential-numbers plugin, 'CMD-1001' — never '11001'."""
    number = _s(order.get("number")) or _s(order.get("id"))
    return number == wanted or re.sub(r"\D", "", number) == wanted


def _json_or_none(body: bytes) -> Any:
    try:
        return _lenient_json(body)
    except NotJson:
        return None


def _auth_missing(reply: Reply) -> bool:
    """True when WooCommerce treated the request as anonymous (the Authorization header did not reach it)."""
    try:
        body = _lenient_json(reply.body)
    except NotJson:
        return False
    if not isinstance(body, dict):
        return False
    code, message = _s(body.get("code")), _s(body.get("message")).lower()
    return code in ("woocommerce_rest_cannot_view", "rest_not_logged_in", "woocommerce_rest_authentication_missing") \
        or "missing" in message


_PHP_NOISE = re.compile(rb"(?:<br\s*/?>|<b>(?:Notice|Warning|Deprecated|Strict Standards)</b>|"
                        rb"(?:PHP )?(?:Notice|Warning|Deprecated):)", re.IGNORECASE)


def _lenient_json(body: bytes) -> Any:
    """JSON, tolerating a BOM and PHP notices printed before it (a common WordPress misconfiguration)."""
    body = body.removeprefix(b"\xef\xbb\xbf")
    try:
        return decode_json(body)
    except NotJson:
        head = body[:4096]
        if not _PHP_NOISE.search(head):
            raise
    starts = [i for i in (body.find(b"\n["), body.find(b"\n{"), body.rfind(b">[", 0, 4096),
                          body.rfind(b">{", 0, 4096)) if i >= 0]
    for start in sorted(starts):
        try:
            data = decode_json(body[start + 1:])
        except NotJson:
            continue
        log.warning("WooCommerce printed PHP notices before its JSON; the site should turn WP_DEBUG_DISPLAY off")
        return data
    raise NotJson("invalid")


def _item_variant(meta: Any) -> str:
    parts = []
    for m in _dicts(meta):
        key = _s(m.get("display_key") or m.get("key"))
        value = m.get("display_value", m.get("value"))
        if not key or key.startswith("_") or not isinstance(value, str | int | float):
            continue
        parts.append(f"{_clean(key)}: {_clean(str(value))}")
    return ", ".join(parts)


def _address(data: dict[str, Any]) -> dict[str, str]:
    name = " ".join(p for p in (_s(data.get("first_name")), _s(data.get("last_name"))) if p)
    fields = {"name": name, "company": data.get("company"), "address1": data.get("address_1"),
              "address2": data.get("address_2"), "city": data.get("city"), "province": data.get("state"),
              "zip": data.get("postcode"), "country": data.get("country"), "phone": data.get("phone")}
    return {k: _s(v) for k, v in fields.items() if v not in (None, "")}


def _gmt(value: Any, fallback: Any = None) -> str:
    """WooCommerce's '2017-03-22T19:28:02' (GMT fields) → '2017-03-22T19:28:02Z'; '' when absent."""
    text = _s(value)
    if text:
        return text if text.endswith("Z") or re.search(r"[+-]\d\d:\d\d$", text) else text + "Z"
    return _s(fallback)  # local time without zone: better than nothing, not marked UTC


def _shipped_at(value: Any) -> str:
    text = _s(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return f"{text}T00:00:00Z"
    return text


def _amount(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"
    except InvalidOperation:
        return _s(value)


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


_TAG = re.compile(r"<[^>]+>")


def _clean(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())


def _colon(detail: str) -> str:
    return f": {detail.rstrip('.')}" if detail else ""


def _words(code: str) -> str:
    return code.removeprefix("wc-").replace("-", " ").replace("_", " ")


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _safe_url(url: str) -> str:
    """Only http(s) links reach the interface (never javascript: or file:)."""
    return url if re.match(r"^https?://[^\s]+$", url, re.IGNORECASE) else ""
