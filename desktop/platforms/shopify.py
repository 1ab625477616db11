"""Shopify, through the GraphQL Admin API, from the merchant's computer.

Auth is either a static Admin API token (`shpat_…`, legacy custom apps) or a Dev Dashboard app's client ID and
secret, traded for a short-lived token with the client-credentials grant and renewed shortly before it expires
(and once on a 401). Throttling follows Shopify's leaky bucket: `THROTTLED` answers wait for the bucket to refill,
429/503 wait `Retry-After`, and calls slow down on their own when the bucket runs low.

Shopify's `email:` search is not an exact match, so `orders_by_email` keeps only orders whose e-mail is exactly
the one asked for; ownership checks beyond that (the customer asking is the one on the order) are the caller's.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

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
from desktop.platforms.http import READ_TIMEOUT, HttpSession, Reply, decode_json_or_none, parse_base_url

DEFAULT_API_VERSION = "2026-07"
ORDERS_PAGE = 8             # keeps one query's requested cost (~730 points) under Shopify's 1000 cap
MAX_PAGES = 20              # bound on pages read for one lookup (Shopify's search is fuzzy: skip strangers)
THROTTLE_ATTEMPTS = 5
THROTTLE_MIN_WAIT = 0.5
THROTTLE_MAX_WAIT = 10.0
TOKEN_MARGIN = 300.0        # renew a client-credentials token this many seconds before it expires
_VERSION_RE = re.compile(r"^(\d{4}-(0[1-9]|1[0-2])|unstable)$")
_SCOPE_RE = re.compile(r"\b((?:read|write)_[a-z_]+)\b")

_FINANCIAL = {
    "PENDING": "pending", "AUTHORIZED": "authorized", "PARTIALLY_PAID": "partially paid", "PAID": "paid",
    "PARTIALLY_REFUNDED": "partially refunded", "REFUNDED": "refunded", "VOIDED": "voided", "EXPIRED": "expired",
}
_FULFILLMENT = {
    "UNFULFILLED": "unfulfilled", "PARTIALLY_FULFILLED": "partially fulfilled", "FULFILLED": "fulfilled",
    "RESTOCKED": "restocked", "PENDING_FULFILLMENT": "pending fulfillment", "OPEN": "open",
    "IN_PROGRESS": "in progress", "ON_HOLD": "on hold", "SCHEDULED": "scheduled",
    "REQUEST_DECLINED": "request declined",
}
_SHIPMENT = {  # Fulfillment.displayStatus (falls back to Fulfillment.status)
    "ATTEMPTED_DELIVERY": "delivery attempted", "CANCELED": "cancelled", "CANCELLED": "cancelled",
    "CONFIRMED": "confirmed", "DELIVERED": "delivered", "FAILURE": "failed", "FULFILLED": "shipped",
    "IN_TRANSIT": "in transit", "LABEL_PRINTED": "label printed", "LABEL_PURCHASED": "label purchased",
    "LABEL_VOIDED": "label voided", "MARKED_AS_FULFILLED": "shipped", "NOT_DELIVERED": "not delivered",
    "OUT_FOR_DELIVERY": "out for delivery", "PICKED_UP": "picked up", "READY_FOR_PICKUP": "ready for pickup",
    "SUBMITTED": "submitted", "SUCCESS": "shipped", "OPEN": "open", "PENDING": "pending", "ERROR": "failed",
}

_MONEY = "shopMoney { amount currencyCode }"
_ORDER_FIELDS = f"""
      id
      name
      email
      createdAt
      processedAt
      cancelledAt
      closedAt
      note
      displayFinancialStatus
      displayFulfillmentStatus
      totalPriceSet {{ {_MONEY} }}
      subtotalPriceSet {{ {_MONEY} }}
      totalShippingPriceSet {{ {_MONEY} }}
      shippingAddress {{ name company address1 address2 city province zip country phone }}
      lineItems(first: 15) {{
        nodes {{ title quantity sku variantTitle originalUnitPriceSet {{ {_MONEY} }} }}
      }}
      fulfillments(first: 5) {{
        status
        displayStatus
        createdAt
        trackingInfo(first: 3) {{ number company url }}
      }}
      refunds(first: 5) {{ createdAt note totalRefundedSet {{ {_MONEY} }} }}
"""
ORDERS_QUERY = f"""query ComptoirOrders($query: String!, $first: Int!, $after: String) {{
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT, reverse: true) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{{_ORDER_FIELDS}    }}
  }}
}}"""
SHOP_QUERY = "query ComptoirShop { shop { name myshopifyDomain currencyCode } }"
ONE_ORDER_QUERY = "query ComptoirCanReadOrders { orders(first: 1) { nodes { id name } } }"
PRODUCTS_QUERY = """query ComptoirProducts($query: String!, $first: Int!) {
  shop { currencyCode }
  products(first: $first, query: $query) {
    nodes {
      title
      handle
      status
      onlineStoreUrl
      totalInventory
      variants(first: 1) { nodes { sku price } }
    }
  }
}"""


class ShopifyClient:
    """One Shopify shop. Blocking: call from a background thread. Close it (or use `with`) when done."""

    platform = "shopify"

    def __init__(self, shop_domain: str, *, access_token: str | None = None, client_id: str | None = None,
                 client_secret: str | None = None, api_version: str = DEFAULT_API_VERSION,
                 verify: str | bool = True, base_url: str | None = None, on_call: EgressRecorder | None = None,
                 timeout: float = READ_TIMEOUT, sleep: Callable[[float], None] = time.sleep) -> None:
        self.shop_domain = normalize_shop_domain(shop_domain) if not base_url else (shop_domain or "").strip()
        if not access_token and not (client_id and client_secret):
            raise PlatformError("No Shopify credentials were given.",
                                "Enter the app's Admin API access token (shpat_…), or its client ID and secret.")
        if not _VERSION_RE.match(api_version or ""):
            raise PlatformError(f"“{api_version}” is not a Shopify API version.",
                                "Versions look like 2026-07 (year and quarter month).")
        self.api_version = api_version
        base = parse_base_url(base_url or f"https://{self.shop_domain}", "Shopify")
        self._session = HttpSession(base, label="Shopify", platform="shopify", verify=verify, timeout=timeout,
                                    on_call=on_call, sleep=sleep)
        self.host = self._session.host
        self._static_token = access_token or None
        self._client_id = client_id or None
        self._client_secret = client_secret or None
        for secret in (access_token, client_secret):
            self._session.add_secret(secret)
        self._token: str | None = self._static_token
        self._token_expires: float | None = None    # monotonic time; None = does not expire
        self._token_lock = threading.Lock()
        self.granted_scopes: tuple[str, ...] | None = None  # known after a client-credentials exchange
        self.served_api_version: str | None = None  # Shopify's X-Shopify-API-Version, when it answers
        self._bucket: tuple[float, float, float] | None = None  # (currentlyAvailable, restoreRate, monotonic time)
        self._costs: dict[tuple[str, Any], float] = {}  # (query, first) → requestedQueryCost Shopify computed

    def __repr__(self) -> str:
        auth = "token" if self._static_token else "client credentials"
        return f"ShopifyClient({self.host!r}, api_version={self.api_version!r}, auth={auth!r})"

    # --- PlatformClient -------------------------------------------------------------------------------

    def test(self) -> list[str]:
        data = self.graphql(SHOP_QUERY, purpose="shopify connection test")
        shop = data.get("shop") or {}
        lines = [f"Connected to the Shopify shop “{_s(shop.get('name'))}” ({_s(shop.get('myshopifyDomain'))}), "
                 f"currency {_s(shop.get('currencyCode'))}."]
        orders = self.graphql(ONE_ORDER_QUERY, purpose="shopify connection test")
        nodes = _nodes(orders.get("orders"))
        lines.append("Orders can be read (read_orders)." if nodes
                     else "Orders can be read (read_orders); the shop has no order yet.")
        if self.granted_scopes is not None and "read_all_orders" not in self.granted_scopes:
            lines.append("Only the last 60 days of orders are visible (the app does not have read_all_orders).")
        if self.served_api_version and self.served_api_version != self.api_version:
            lines.append(f"Shopify answered with API version {self.served_api_version} instead of "
                         f"{self.api_version}: update the version in the settings.")
        return lines

    def orders_by_email(self, email: str, *, limit: int = 50) -> list[Order]:
        email = (email or "").strip()
        if not email or limit <= 0:
            return []
        query = f"email:{_quote(email.lower())}"
        found: list[Order] = []
        for node in self._order_nodes(query, limit=limit, purpose="shopify orders by e-mail",
                                      keep=lambda n: same_email(_s(n.get("email")), email)):
            found.append(order_from_node(node))
        return found

    def order_by_number(self, number: str) -> Order | None:
        wanted = normalize_order_number(number)
        if wanted is None:
            return None
        for node in self._order_nodes(f"name:#{wanted}", limit=1, purpose="shopify order by number",
                                      keep=lambda n: _name_matches(_s(n.get("name")), wanted), max_pages=3,
                                      page_size=3):
            return order_from_node(node)
        return None

    def products(self, query: str, *, limit: int = 10) -> list[Product]:
        text = _product_search(query)
        if not text or limit <= 0:
            return []
        data = self.graphql(PRODUCTS_QUERY, {"query": text, "first": min(limit, 50)}, purpose="shopify products")
        currency = _s((data.get("shop") or {}).get("currencyCode"))
        out = []
        for node in _nodes(data.get("products")):
            if _s(node.get("status")) not in ("", "ACTIVE"):
                continue  # drafts and archived products are not for sale
            variants = _nodes(node.get("variants"))
            first = variants[0] if variants else {}
            stock = node.get("totalInventory")
            out.append(Product(
                title=_s(node.get("title")), price=_s(first.get("price")), currency=currency,
                sku=_s(first.get("sku")), stock=stock if isinstance(stock, int) else None,
                url=_safe_url(_s(node.get("onlineStoreUrl")))))
        return out[:limit]

    # --- GraphQL --------------------------------------------------------------------------------------

    def graphql(self, query: str, variables: dict[str, Any] | None = None, *, purpose: str) -> dict[str, Any]:
        """Run one query; returns `data`. Retries throttling; renews an expired client-credentials token once."""
        renewed = False
        for attempt in range(1, THROTTLE_ATTEMPTS + 1):
            cost_key = (query, (variables or {}).get("first"))
            self._pace(self._costs.get(cost_key))
            token = self._access_token()
            reply = self._session.request(
                "POST", f"/admin/api/{self.api_version}/graphql.json", purpose=purpose,
                headers={"X-Shopify-Access-Token": token, "Content-Type": "application/json"},
                json_body={"query": query, "variables": variables or {}})
            served = reply.headers.get("x-shopify-api-version")
            if served:
                self.served_api_version = served
            if reply.status == 401 and self._can_renew() and not renewed:
                renewed = True
                self._forget_token(token)
                continue
            if reply.status != 200:
                raise self._http_error(reply)
            body = self._session.json(reply)
            if not isinstance(body, dict):
                raise PlatformError("Shopify answered with JSON that is not a GraphQL answer.",
                                    "Check the shop address and the API version, then try again.")
            self._note_cost(body, cost_key)
            errors = body.get("errors")
            if errors:
                wait = _throttle_wait(body)
                if wait is not None:
                    if attempt < THROTTLE_ATTEMPTS:
                        self._session.sleep(wait)
                        self._bucket = None  # that wait was the pacing
                        continue
                    raise PlatformError(f"Shopify kept limiting Comptoir's requests (THROTTLED, {attempt} tries).",
                                        "Another app may be using the shop's API budget; try again in a minute.")
                raise self._graphql_error(errors)
            data = body.get("data")
            if not isinstance(data, dict):
                raise PlatformError("Shopify's answer has no data.", "Try again; if it persists, report it.")
            return data
        raise PlatformError("Shopify did not answer the query after several tries.", "Try again in a minute.")

    # --- pagination -----------------------------------------------------------------------------------

    def _order_nodes(self, query: str, *, limit: int, purpose: str, keep: Callable[[dict[str, Any]], bool],
                     max_pages: int = MAX_PAGES, page_size: int = ORDERS_PAGE) -> list[dict[str, Any]]:
        kept: list[dict[str, Any]] = []
        after: str | None = None
        for _page in range(max_pages):
            variables: dict[str, Any] = {"query": query, "first": page_size, "after": after}
            data = self.graphql(ORDERS_QUERY, variables, purpose=purpose)
            connection = data.get("orders") or {}
            for node in _nodes(connection):
                if keep(node):
                    kept.append(node)
                    if len(kept) >= limit:
                        return kept
            info = connection.get("pageInfo") or {}
            after = info.get("endCursor") if isinstance(info, dict) else None
            if not (isinstance(info, dict) and info.get("hasNextPage") and after):
                break
        return kept

    # --- rate limits ----------------------------------------------------------------------------------

    def _note_cost(self, body: dict[str, Any], cost_key: tuple[str, Any]) -> None:
        status = _throttle_status(body)
        if status is None:
            return
        available, restore, requested = status
        self._bucket = (available, restore, time.monotonic())
        if requested > 0:
            self._costs[cost_key] = requested

    def _pace(self, cost: float | None) -> None:
        """Before a query whose cost we know, wait until the bucket (as last seen, refilled since) can pay for it,
        instead of letting Shopify answer THROTTLED."""
        if self._bucket is None or cost is None:
            return
        available, restore, at = self._bucket
        if restore <= 0:
            return
        now_available = available + restore * (time.monotonic() - at)
        if now_available >= cost:
            return
        wait = min(THROTTLE_MAX_WAIT, (cost - now_available) / restore)
        if wait > 0.05:
            self._session.sleep(wait)
        self._bucket = None

    # --- tokens ---------------------------------------------------------------------------------------

    def _can_renew(self) -> bool:
        return self._static_token is None

    def _forget_token(self, token: str) -> None:
        with self._token_lock:
            if self._token == token:
                self._token = None
                self._token_expires = None

    def _access_token(self) -> str:
        if self._static_token:
            return self._static_token
        with self._token_lock:
            fresh = self._token is not None and (
                self._token_expires is None or time.monotonic() < self._token_expires)
            if not fresh:
                self._token, self._token_expires = self._exchange_client_credentials()
            assert self._token is not None
            return self._token

    def _exchange_client_credentials(self) -> tuple[str, float | None]:
        reply = self._session.request(
            "POST", "/admin/oauth/access_token", purpose="shopify sign-in (client credentials)",
            form={"grant_type": "client_credentials", "client_id": self._client_id or "",
                  "client_secret": self._client_secret or ""})
        body = decode_json_or_none(reply.body)
        if reply.status in (400, 401, 403):
            code = _s(body.get("error")) if isinstance(body, dict) else ""
            detail = _s(body.get("error_description")) if isinstance(body, dict) else ""
            detail = self._session.scrub(detail[:200])
            if code in ("invalid_client", "unauthorized_client") or reply.status == 401:
                raise PlatformError(f"Shopify refused the app's client ID or secret{_colon(detail)}.",
                                    "Copy the client ID and secret again from the app's settings in the Dev "
                                    "Dashboard, and check that the app is installed on this shop.")
            raise PlatformError(f"Shopify refused to issue an access token (HTTP {reply.status})"
                                f"{_colon(detail or code)}.",
                                "Check that the app is installed on this shop and allows the client-credentials "
                                "grant (apps of your own organisation only).")
        if reply.status == 404:
            raise self._not_found()
        if reply.status != 200:
            raise self._session.generic_error(reply)
        if not isinstance(body, dict):
            raise self._session.not_json(reply)
        token = _s(body.get("access_token"))
        if not token:
            raise PlatformError("Shopify's sign-in answer has no access token.", "Try again; if it persists, "
                                "check the app's settings in the Dev Dashboard.")
        self._session.add_secret(token)
        scope = body.get("scope")
        if isinstance(scope, str):
            self.granted_scopes = tuple(s.strip() for s in scope.split(",") if s.strip())
        expires_in = body.get("expires_in")
        if isinstance(expires_in, int | float) and expires_in > 0:
            margin = min(TOKEN_MARGIN, float(expires_in) / 10)
            return token, time.monotonic() + float(expires_in) - margin
        return token, None

    # --- errors ---------------------------------------------------------------------------------------

    def _http_error(self, reply: Reply) -> PlatformError:
        body = decode_json_or_none(reply.body)
        detail = self._session.scrub(_error_text(body))
        if reply.status == 401:
            how = ("Check the Admin API access token (shpat_…) in the app's settings: it may have been revoked "
                   "or the app uninstalled." if self._static_token else
                   "Check the app's client ID and secret, and that the app is still installed on this shop.")
            return PlatformError("Shopify refused the access token (HTTP 401).", how)
        if reply.status == 403:
            scopes = _SCOPE_RE.findall(detail)
            if scopes:
                return _missing_scopes(scopes)
            return PlatformError(f"Shopify refused access (HTTP 403){_colon(detail)}.",
                                 "Check the app's access scopes (read_orders, read_products…) and that it is "
                                 "installed on this shop.")
        if reply.status == 404:
            return self._not_found()
        if reply.status == 402:
            return PlatformError("This Shopify shop is frozen (HTTP 402): its subscription is unpaid.",
                                 "Settle the shop's bill in the Shopify admin, then try again.")
        if reply.status == 423:
            return PlatformError("This Shopify shop is locked (HTTP 423).", "Contact Shopify support.")
        if (200 <= reply.status < 300 or reply.status >= 500) and body is None:
            return self._session.not_json(reply, hint="Shopify may be having trouble; try again in a few "
                                                      "minutes (status: www.shopifystatus.com).")
        return self._session.generic_error(reply, detail)

    def _not_found(self) -> PlatformError:
        return PlatformError(
            f"Shopify answered 404 for {self.host}: the shop address or the API version ({self.api_version}) is "
            "wrong.", "Check the shop address (yourshop.myshopify.com) and use a supported API version "
                      f"(Comptoir's default is {DEFAULT_API_VERSION}).")

    def _graphql_error(self, errors: Any) -> PlatformError:
        if isinstance(errors, str):
            return PlatformError(f"Shopify refused the query: {self._session.scrub(errors[:200])}.",
                                 "Check the app's settings, then try again.")
        messages: list[str] = []
        codes: set[str] = set()
        for error in errors if isinstance(errors, list) else [errors]:
            if isinstance(error, dict):
                messages.append(_s(error.get("message")))
                ext = error.get("extensions")
                if isinstance(ext, dict) and ext.get("code"):
                    codes.add(_s(ext.get("code")))
            else:
                messages.append(_s(error))
        unique = list(dict.fromkeys(m.strip().rstrip(".") for m in messages if m.strip()))
        more = f" (and {len(unique) - 2} more)" if len(unique) > 2 else ""
        text = self._session.scrub(("; ".join(unique[:2]) + more)[:400])
        if "not approved to access" in text.lower():
            return PlatformError(f"Shopify does not let this app read customer data: {text}.",
                                 "In the app's settings (Dev Dashboard › API access requests), request access to "
                                 "protected customer data (name, e-mail, address), then release the app again.")
        if "ACCESS_DENIED" in codes or "access denied" in text.lower():
            scopes = _SCOPE_RE.findall(text)
            if scopes:
                return _missing_scopes(scopes)
            return PlatformError(f"Shopify refused access: {text}.",
                                 "Check the app's access scopes (read_orders, read_products…).")
        return PlatformError(f"Shopify could not run the query: {text or 'no reason given'}.",
                             f"Check the API version ({self.api_version}); if it persists, report it.")

    # --- lifecycle ------------------------------------------------------------------------------------

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> ShopifyClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


# --- mapping --------------------------------------------------------------------------------------------


def order_from_node(node: dict[str, Any]) -> Order:
    """A GraphQL `Order` node as Comptoir's Order."""
    total = _money(node.get("totalPriceSet"))
    financial_code = _s(node.get("displayFinancialStatus"))
    fulfillment_code = _s(node.get("displayFulfillmentStatus"))
    financial = _FINANCIAL.get(financial_code, _words(financial_code))
    fulfillment = _FULFILLMENT.get(fulfillment_code, _words(fulfillment_code))
    items = tuple(
        OrderItem(title=_s(li.get("title")), quantity=_int(li.get("quantity")),
                  price=_money(li.get("originalUnitPriceSet"))[0], variant=_variant(li.get("variantTitle")),
                  sku=_s(li.get("sku")))
        for li in _nodes(node.get("lineItems")))
    fulfillments: list[Fulfillment] = []
    for f in _list(node.get("fulfillments")):
        code = _s(f.get("displayStatus")) or _s(f.get("status"))
        status = _SHIPMENT.get(code, _words(code))
        infos = _list(f.get("trackingInfo"))
        for info in infos or [{}]:
            fulfillments.append(Fulfillment(
                status=status, tracking_number=_s(info.get("number")), carrier=_s(info.get("company")),
                tracking_url=_safe_url(_s(info.get("url"))), created_at=_s(f.get("createdAt"))))
    refunds = tuple(
        Refund(amount=_money(r.get("totalRefundedSet"))[0], created_at=_s(r.get("createdAt")), note=_s(r.get("note")))
        for r in _list(node.get("refunds")))
    address = node.get("shippingAddress") if isinstance(node.get("shippingAddress"), dict) else {}
    assert isinstance(address, dict)
    shipping = {k: _s(v) for k, v in address.items() if v not in (None, "")}
    cancelled_at = _s(node.get("cancelledAt"))
    shipped = [f for f in fulfillments if f.status != "cancelled"]
    fulfilled_at = max((f.created_at for f in shipped), default="") if fulfillment_code == "FULFILLED" else ""
    return Order(
        platform="shopify", external_id=_s(node.get("id")), number=_s(node.get("name")),
        email=_s(node.get("email")), created_at=_s(node.get("createdAt")), financial_status=financial,
        fulfillment_status=fulfillment, currency=total[1], total=total[0], items=items,
        fulfillments=tuple(fulfillments), refunds=refunds, shipping_address=shipping, paid_at="",
        fulfilled_at=fulfilled_at, cancelled_at=cancelled_at,
        status=_status_line(financial, fulfillment, shipped, cancelled=bool(cancelled_at)),
        subtotal=_money(node.get("subtotalPriceSet"))[0], shipping_total=_money(node.get("totalShippingPriceSet"))[0],
        note=_s(node.get("note")), customer_name=shipping.get("name", ""), raw=node)


def _status_line(financial: str, fulfillment: str, shipped: list[Fulfillment], *, cancelled: bool) -> str:
    if cancelled:
        return "cancelled" + (f" · {financial}" if financial in ("refunded", "partially refunded") else "")
    latest = max(shipped, key=lambda f: f.created_at).status if shipped else ""
    delivery = latest if latest and latest not in ("shipped", "open", "pending") else ""
    if fulfillment == "fulfilled":
        words = delivery or "shipped"
    elif fulfillment == "partially fulfilled":
        words = "partly shipped" + (f" ({delivery})" if delivery else "")
    elif fulfillment in ("unfulfilled", ""):
        words = "not shipped yet"
    else:
        words = fulfillment
    return " · ".join(w for w in (financial, words) if w)


def normalize_shop_domain(text: str) -> str:
    """'myshop', 'myshop.myshopify.com', 'https://myshop.myshopify.com/admin' → 'myshop.myshopify.com'."""
    value = (text or "").strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0].split("?", 1)[0].rstrip(".")
    if value.startswith("admin.shopify.com"):
        raise PlatformError("That is the Shopify admin's address, not the shop's.",
                            "Enter the shop's own address: yourshop.myshopify.com (Settings › Domains).")
    if value and "." not in value:
        value += ".myshopify.com"
    if not value:
        raise PlatformError("No Shopify shop address was given.", "Enter it as yourshop.myshopify.com.")
    return value


def _missing_scopes(scopes: list[str]) -> PlatformError:
    unique = list(dict.fromkeys(scopes))
    names = ", ".join(unique)
    plural = "s" if len(unique) > 1 else ""
    return PlatformError(f"The Shopify app is missing the permission{plural} {names}.",
                         f"Add the scope{plural} {names} to the app (Dev Dashboard › Versions, or Configuration "
                         "for a legacy custom app), release or reinstall it, then try again.")


def _throttle_status(body: dict[str, Any]) -> tuple[float, float, float] | None:
    ext = body.get("extensions")
    cost = ext.get("cost") if isinstance(ext, dict) else None
    if not isinstance(cost, dict):
        return None
    status = cost.get("throttleStatus")
    if not isinstance(status, dict):
        return None
    try:
        available = float(status["currentlyAvailable"])
        restore = float(status["restoreRate"])
        requested = float(cost.get("requestedQueryCost") or 0)
    except (KeyError, TypeError, ValueError):
        return None
    return available, restore, requested


def _throttle_wait(body: dict[str, Any]) -> float | None:
    """Seconds to wait if the answer says THROTTLED, else None."""
    errors = body.get("errors")
    throttled = isinstance(errors, list) and any(
        isinstance(e, dict) and isinstance(e.get("extensions"), dict)
        and e["extensions"].get("code") == "THROTTLED" for e in errors)
    if not throttled:
        return None
    status = _throttle_status(body)
    if status is None:
        return 1.0
    available, restore, requested = status
    wait = (requested - available) / restore if restore > 0 else THROTTLE_MAX_WAIT
    return max(THROTTLE_MIN_WAIT, min(THROTTLE_MAX_WAIT, wait))


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _product_search(text: str) -> str:
    """Free text for Shopify's product search, without its syntax characters."""
    return " ".join(re.sub(r"[\"'\\:()*]", " ", text or "").split())[:100]


def _name_matches(name: str, wanted: str) -> bool:
    return normalize_order_number(name) == wanted and re.sub(r"\D", "", name) == wanted


def _error_text(body: Any) -> str:
    if isinstance(body, dict):
        errors = body.get("errors") or body.get("error_description") or body.get("error")
        if isinstance(errors, str):
            return errors[:300]
        if isinstance(errors, list):
            return "; ".join(_s(e.get("message")) if isinstance(e, dict) else _s(e) for e in errors)[:300]
        if isinstance(errors, dict):
            return "; ".join(f"{k}: {v}" for k, v in errors.items())[:300]
    return ""


def _colon(detail: str) -> str:
    return f": {detail.rstrip('.')}" if detail else ""


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _words(code: str) -> str:
    return code.replace("_", " ").lower()


def _variant(title: Any) -> str:
    text = _s(title)
    return "" if text == "Default Title" else text


def _money(value: Any) -> tuple[str, str]:
    if not isinstance(value, dict):
        return "", ""
    money = value.get("presentmentMoney") or value.get("shopMoney")
    if not isinstance(money, dict):
        return "", ""
    return _s(money.get("amount")), _s(money.get("currencyCode"))


def _nodes(connection: Any) -> list[dict[str, Any]]:
    if not isinstance(connection, dict):
        return []
    if isinstance(connection.get("nodes"), list):
        return [n for n in connection["nodes"] if isinstance(n, dict)]
    if isinstance(connection.get("edges"), list):
        return [e["node"] for e in connection["edges"] if isinstance(e, dict) and isinstance(e.get("node"), dict)]
    return []


def _list(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):  # a connection where a list was expected
        return _nodes(value)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _safe_url(url: str) -> str:
    """Only http(s) links reach the interface (never javascript: or file:)."""
    return url if re.match(r"^https?://[^\s]+$", url, re.IGNORECASE) else ""
