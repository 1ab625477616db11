"""A fake Shopify Admin API (GraphQL) over HTTPS on loopback, strict enough to catch client mistakes.

Endpoints (the shop's domain is `server.netloc`, i.e. 127.0.0.1:PORT; `server.url` is https://127.0.0.1:PORT):

- `POST /admin/api/{version}/graphql.json` — body `{"query", "variables", "operationName"}` as
  `application/json` (or the raw query as `application/graphql`); anything else → 400.
  Versions: `versions` (default 2025-10 … 2026-10) and `unstable` are served; an older quarterly version falls
  forward to the oldest supported one (as Shopify does: see the `X-Shopify-API-Version` response header);
  anything else (2026-05, 2027-01, "latest"…) → 404 `{"errors":"Not Found"}`.
- `POST /admin/oauth/access_token` — the client-credentials grant, form-encoded or JSON:
  `grant_type=client_credentials&client_id=…&client_secret=…` →
  `{"access_token":"shpat_…","scope":"read_orders,read_products,read_customers","expires_in":86399}`.
  A wrong id or secret → 400 `{"error":"invalid_client","error_description":"Client authentication failed"}`.

Auth: `X-Shopify-Access-Token` must be the static legacy token (`access_token`, a `shpat_…`) or an issued token
that has not expired (`token_lifetime` seconds; `expire_tokens()` ends them all now). Otherwise HTTP 401
`{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`.

GraphQL is executed for real (graphql-core, with a schema written after Shopify's): only the requested fields
come back, aliases, fragments and variables work, and an unknown field is an error (HTTP 200, `errors`, no data),
as Shopify does. Root fields: `orders`, `order(id:)`, `products`, `product(id:)`, `customers`, `shop`.
Connections need `first` or `last` (≤ 250) and page with opaque cursors (`after`/`before`, `pageInfo`).

Searching (`query:`), deliberately as loose as Shopify's — a client must filter the results itself:
- `email:ann@x.fr` matches every email that *contains* the value (so also joann@x.fr and ann@x.fr.example),
  case-insensitively;
- `name:1001`, `name:#1001`, `name:"#1001"` match order #1001 (exactly, after dropping `#`); `name:100*` is a prefix;
- also `financial_status:`, `fulfillment_status:`, `status:open|closed|cancelled`, `created_at:`/`processed_at:`/
  `updated_at:` with `>`/`>=`/`<`/`<=`, `id:`, `sku:`, `tag:`, `customer_id:`; bare words search name, email, customer
  and shipping names, line-item titles. An unknown field is ignored (so it matches everything!) and reported in
  `extensions.search[].warnings`, as Shopify does.
- Without the `read_all_orders` scope only orders processed in the last 60 days are visible (Shopify's rule).

Cost and throttling: every answer has `extensions.cost` (`requestedQueryCost` computed from the query before it
runs — object 1, scalar/enum 0, connection 2 + first × node, list first × item —, `actualQueryCost` from what came
back, `throttleStatus`). A leaky bucket of `bucket_size` points restoring `restore_rate` per second is enforced:
a query whose requested cost exceeds what is available gets HTTP 200 `{"errors":[{"message":"Throttled",
"extensions":{"code":"THROTTLED",…}}],"extensions":{"cost":{…,"actualQueryCost":null,…}}}` and no `data`; a query
costing more than `max_query_cost` (1000) gets `MAX_COST_EXCEEDED`.

Controls (besides the ones in `_http`, which default to `on="graphql"`; `on="token"` targets the token endpoint):
- `throttle_next(n=1, wait=0.5)`: the next n GraphQL answers are THROTTLED, reporting `currentlyAvailable` such
  that `(requestedQueryCost - currentlyAvailable) / restoreRate == wait`; the bucket really is drained to that
  level, so a client that retries at once without waiting is throttled again by the bucket (`currentlyAvailable`
  cannot go below 0, so the wait is at most requestedQueryCost / restoreRate: use a query that costs enough);
- `set_available(points)`: set the bucket's level;
- `expire_tokens()`, `scopes`, `protected_customer_data` (False: email, phone, addresses and customer come back null
  with ACCESS_DENIED errors, as for an app not approved for protected customer data).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    build_schema,
    execute_sync,
    get_named_type,
    is_leaf_type,
    parse,
    validate,
)
from graphql.execution.values import get_argument_values, get_variable_values

from tests.platform_servers import search_syntax
from tests.platform_servers._http import LoggedRequest, PlatformServer, Response
from tests.servers.tls import Pki

SUPPORTED_VERSIONS = ("2025-10", "2026-01", "2026-04", "2026-07", "2026-10")
DEFAULT_SCOPES = ("read_orders", "read_products", "read_customers")
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
MAX_PAGE = 250

SDL = """
scalar DateTime
scalar Decimal
scalar Money
scalar URL
scalar UnsignedInt64

enum CurrencyCode { EUR USD GBP CHF CAD }
enum CountryCode { FR BE CH DE LU ES IT NL GB US CA }
enum OrderSortKeys { CREATED_AT PROCESSED_AT UPDATED_AT ID ORDER_NUMBER TOTAL_PRICE CUSTOMER_NAME RELEVANCE }
enum ProductSortKeys { TITLE ID CREATED_AT UPDATED_AT INVENTORY_TOTAL PRODUCT_TYPE VENDOR RELEVANCE }
enum CustomerSortKeys { NAME ID CREATED_AT UPDATED_AT RELEVANCE }
enum OrderDisplayFinancialStatus { PENDING AUTHORIZED PARTIALLY_PAID PAID PARTIALLY_REFUNDED REFUNDED VOIDED EXPIRED }
enum OrderDisplayFulfillmentStatus {
  UNFULFILLED PARTIALLY_FULFILLED FULFILLED RESTOCKED PENDING_FULFILLMENT OPEN IN_PROGRESS ON_HOLD SCHEDULED
  REQUEST_DECLINED
}
enum OrderCancelReason { CUSTOMER DECLINED FRAUD INVENTORY OTHER STAFF }
enum FulfillmentStatus { CANCELLED ERROR FAILURE SUCCESS OPEN PENDING }
enum FulfillmentDisplayStatus {
  ATTEMPTED_DELIVERY CANCELED CONFIRMED DELIVERED FAILURE FULFILLED IN_TRANSIT LABEL_PRINTED LABEL_PURCHASED
  MARKED_AS_FULFILLED NOT_DELIVERED OUT_FOR_DELIVERY PICKED_UP READY_FOR_PICKUP SUBMITTED
}
enum ProductStatus { ACTIVE ARCHIVED DRAFT }

type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
type MoneyBag { shopMoney: MoneyV2! presentmentMoney: MoneyV2! }
type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }

type MailingAddress {
  name: String firstName: String lastName: String company: String
  address1: String address2: String city: String zip: String
  province: String provinceCode: String country: String countryCodeV2: CountryCode phone: String
}

type CustomerEmailAddress { emailAddress: String }

type Customer {
  id: ID! legacyResourceId: UnsignedInt64! displayName: String! firstName: String lastName: String
  email: String phone: String defaultEmailAddress: CustomerEmailAddress numberOfOrders: UnsignedInt64!
  createdAt: DateTime! note: String tags: [String!]!
}
type CustomerEdge { cursor: String! node: Customer! }
type CustomerConnection { nodes: [Customer!]! edges: [CustomerEdge!]! pageInfo: PageInfo! }

type LineItem {
  id: ID! title: String! name: String! variantTitle: String quantity: Int! currentQuantity: Int! sku: String
  vendor: String originalUnitPriceSet: MoneyBag! discountedUnitPriceSet: MoneyBag! originalTotalSet: MoneyBag!
}
type LineItemEdge { cursor: String! node: LineItem! }
type LineItemConnection { nodes: [LineItem!]! edges: [LineItemEdge!]! pageInfo: PageInfo! }

type FulfillmentTrackingInfo { number: String company: String url: URL }
type Fulfillment {
  id: ID! name: String! status: FulfillmentStatus! displayStatus: FulfillmentDisplayStatus
  createdAt: DateTime! updatedAt: DateTime! deliveredAt: DateTime inTransitAt: DateTime estimatedDeliveryAt: DateTime
  trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
}

type Refund { id: ID! createdAt: DateTime note: String totalRefundedSet: MoneyBag! }

type Order {
  id: ID! legacyResourceId: UnsignedInt64! name: String! email: String phone: String
  createdAt: DateTime! processedAt: DateTime! updatedAt: DateTime! closedAt: DateTime cancelledAt: DateTime
  cancelReason: OrderCancelReason closed: Boolean! confirmed: Boolean! test: Boolean!
  displayFinancialStatus: OrderDisplayFinancialStatus displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
  currencyCode: CurrencyCode! presentmentCurrencyCode: CurrencyCode!
  totalPriceSet: MoneyBag! currentTotalPriceSet: MoneyBag! subtotalPriceSet: MoneyBag
  currentSubtotalPriceSet: MoneyBag! totalShippingPriceSet: MoneyBag! totalRefundedSet: MoneyBag!
  totalTaxSet: MoneyBag
  lineItems(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): LineItemConnection!
  shippingAddress: MailingAddress billingAddress: MailingAddress
  fulfillments(first: Int): [Fulfillment!]!
  refunds(first: Int): [Refund!]!
  note: String tags: [String!]! customer: Customer statusPageUrl: URL!
}
type OrderEdge { cursor: String! node: Order! }
type OrderConnection { nodes: [Order!]! edges: [OrderEdge!]! pageInfo: PageInfo! }

type ProductVariant {
  id: ID! title: String! sku: String price: Money! compareAtPrice: Money inventoryQuantity: Int barcode: String
}
type ProductVariantEdge { cursor: String! node: ProductVariant! }
type ProductVariantConnection { nodes: [ProductVariant!]! edges: [ProductVariantEdge!]! pageInfo: PageInfo! }

type Product {
  id: ID! legacyResourceId: UnsignedInt64! title: String! handle: String! status: ProductStatus!
  vendor: String! productType: String! description: String! onlineStoreUrl: URL totalInventory: Int!
  tags: [String!]! createdAt: DateTime! updatedAt: DateTime!
  variants(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): ProductVariantConnection!
}
type ProductEdge { cursor: String! node: Product! }
type ProductConnection { nodes: [Product!]! edges: [ProductEdge!]! pageInfo: PageInfo! }

type Domain { host: String! url: URL! }
type Shop {
  id: ID! name: String! email: String! myshopifyDomain: String! currencyCode: CurrencyCode! ianaTimezone: String!
  primaryDomain: Domain! url: URL! contactEmail: String!
}

type QueryRoot {
  orders(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
         sortKey: OrderSortKeys = PROCESSED_AT, query: String, savedSearchId: ID): OrderConnection!
  order(id: ID!): Order
  products(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
           sortKey: ProductSortKeys = ID, query: String): ProductConnection!
  product(id: ID!): Product
  customers(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
            sortKey: CustomerSortKeys = ID, query: String): CustomerConnection!
  shop: Shop!
}

schema { query: QueryRoot }
"""


# --- value helpers --------------------------------------------------------------------------------------------------

def money_string(value: Decimal | str | float) -> str:
    """Shopify's Decimal: no trailing zeros past the first decimal ("10.0", "49.9", "199.65")."""
    text = format(Decimal(str(value)).quantize(Decimal("0.01")).normalize(), "f")
    return text if "." in text else text + ".0"


def iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _moment(value: dt.datetime | str | None, default: dt.datetime | None = None) -> dt.datetime | None:
    if value is None:
        return default
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _access_denied(what: str, scope: str) -> GraphQLError:
    return GraphQLError(
        f"Access denied for {what} field. Required access: `{scope}` access scope.",
        extensions={"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes",
                    "requiredAccess": f"`{scope}` access scope."})


def _protected(what: str) -> GraphQLError:
    return GraphQLError(
        f"This app is not approved to access the {what} field. "
        "See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.",
        extensions={"code": "ACCESS_DENIED"})


class _BadCursor(GraphQLError):
    def __init__(self) -> None:
        super().__init__("Invalid cursor for current pagination sort.", extensions={"code": "BAD_REQUEST"})


def _encode_cursor(last_id: int, last_value: Any) -> str:
    raw = json.dumps({"last_id": last_id, "last_value": last_value}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[Any, int]:
    try:
        data = json.loads(base64.b64decode(cursor.encode(), validate=True))
        return data["last_value"], int(data["last_id"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise _BadCursor() from None


# --- the server ------------------------------------------------------------------------------------------------------

class ShopifyServer(PlatformServer):
    server_header = "cloudflare"
    default_on = "graphql"

    ACCESS_TOKEN = "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"
    CLIENT_ID = "7c1e4b9a2d6f8e3c5a0b1d2e3f4a5b6c"
    CLIENT_SECRET = "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"

    def __init__(self, pki: Pki, *, access_token: str | None = ACCESS_TOKEN, client_id: str = CLIENT_ID,
                 client_secret: str = CLIENT_SECRET, token_lifetime: float = 86399,
                 scopes: Iterable[str] = DEFAULT_SCOPES, versions: Sequence[str] = SUPPORTED_VERSIONS,
                 shop_name: str = "Atelier Lumière", shop_handle: str = "atelier-lumiere", currency: str = "EUR",
                 bucket_size: float = 2000.0, restore_rate: float = 100.0, max_query_cost: int = 1000,
                 protected_customer_data: bool = True, now: dt.datetime | None = None,
                 cert: str = "server", tls: bool = True) -> None:
        super().__init__(pki, cert=cert, tls=tls)
        self.access_token = access_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.scopes = set(scopes)
        self.versions = tuple(versions)
        self.shop_name = shop_name
        self.shop_handle = shop_handle
        self.currency = currency
        self.bucket_size = float(bucket_size)
        self.restore_rate = float(restore_rate)
        self.max_query_cost = max_query_cost
        self.protected_customer_data = protected_customer_data
        self.now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.issued_tokens: dict[str, float] = {}   # token → monotonic expiry
        self.orders: list[dict[str, Any]] = []
        self.products: list[dict[str, Any]] = []
        self.customers: dict[str, dict[str, Any]] = {}  # lower-case email → customer
        self._available = self.bucket_size
        self._bucket_time = time.monotonic()
        self._throttle_next: list[float] = []
        self._next_id = 5_990_000_000_000
        self._next_number = 1001
        self._bucket_lock = threading.Lock()
        self.schema = self._build_schema()

    # --- URLs -----------------------------------------------------------------------------------------------------

    @property
    def latest_version(self) -> str:
        return self.versions[-1]

    def graphql_url(self, version: str | None = None) -> str:
        return f"{self.url}/admin/api/{version or self.latest_version}/graphql.json"

    @property
    def token_url(self) -> str:
        return f"{self.url}/admin/oauth/access_token"

    # --- controls -------------------------------------------------------------------------------------------------

    def throttle_next(self, n: int = 1, wait: float = 0.5) -> None:
        with self._lock:
            self._throttle_next.extend([wait] * n)

    def set_available(self, points: float) -> None:
        with self._bucket_lock:
            self._restore()
            self._available = max(0.0, min(self.bucket_size, float(points)))

    @property
    def currently_available(self) -> float:
        with self._bucket_lock:
            self._restore()
            return self._available

    def expire_tokens(self) -> None:
        with self._lock:
            for token in self.issued_tokens:
                self.issued_tokens[token] = 0.0

    def issue_token(self) -> str:
        """A token as the client-credentials grant would give (for tests that skip the grant)."""
        token = "shpat_" + secrets.token_hex(16)
        with self._lock:
            self.issued_tokens[token] = time.monotonic() + self.token_lifetime
        return token

    def rate_limit_response(self, request: LoggedRequest) -> Response:
        return Response.json(429, {"errors": "Exceeded 2 calls per second for api client. Reduce request rates to "
                                             "resume uninterrupted service."})

    def fault_applies(self, on: str, request: LoggedRequest) -> bool:
        if on == "graphql":
            return request.path.endswith("/graphql.json")
        if on == "token":
            return request.path == "/admin/oauth/access_token"
        return super().fault_applies(on, request)

    # --- seed data ------------------------------------------------------------------------------------------------

    def _gid(self, kind: str) -> tuple[str, int]:
        with self._lock:
            self._next_id += 1
            return f"gid://shopify/{kind}/{self._next_id}", self._next_id

    def _bag(self, amount: Decimal | str | float, currency: str | None = None) -> dict[str, Any]:
        money = {"amount": money_string(amount), "currencyCode": currency or self.currency}
        return {"shopMoney": money, "presentmentMoney": dict(money)}

    def add_customer(self, email: str | None, first_name: str, last_name: str, *, phone: str | None = None,
                     created_at: dt.datetime | str | None = None) -> dict[str, Any]:
        key = (email or f"{first_name} {last_name}").lower()
        if key in self.customers:
            return self.customers[key]
        gid, legacy = self._gid("Customer")
        customer = {
            "id": gid, "legacyResourceId": str(legacy), "displayName": f"{first_name} {last_name}".strip(),
            "firstName": first_name, "lastName": last_name, "email": email, "phone": phone,
            "defaultEmailAddress": {"emailAddress": email} if email else None, "numberOfOrders": "0",
            "createdAt": iso(_moment(created_at, self.now - dt.timedelta(days=400))), "note": None, "tags": [],
        }
        self.customers[key] = customer
        return customer

    def add_order(self, *, email: str | None, customer: tuple[str, str] | dict[str, Any] | None = None,
                  number: int | None = None, created_at: dt.datetime | str | None = None,
                  processed_at: dt.datetime | str | None = None,
                  line_items: Sequence[dict[str, Any]] = ({"title": "Savon d'Alep", "quantity": 1, "price": "9.90"},),
                  shipping: Decimal | str = "4.90", financial_status: str = "PAID",
                  fulfillment_status: str | None = None, fulfillments: Sequence[dict[str, Any]] = (),
                  refunds: Sequence[dict[str, Any]] = (), cancelled_at: dt.datetime | str | None = None,
                  cancel_reason: str | None = None, closed_at: dt.datetime | str | None = None,
                  shipping_address: dict[str, Any] | None = None, phone: str | None = None, note: str | None = None,
                  tags: Sequence[str] = (), currency: str | None = None) -> dict[str, Any]:
        """Add an order; returns its stored dict (GraphQL field names). Amounts are decimal strings.

        `customer`: (first, last) or a dict from `add_customer`; None for an order without customer.
        `line_items`: dicts with title, quantity, price, and optionally sku, variant_title, vendor.
        `fulfillments`: dicts with status (SUCCESS), display_status, created_at, delivered_at, tracking: a list of
        {number, company, url}. `refunds`: dicts with amount, note, created_at.
        """
        currency = currency or self.currency
        created = _moment(created_at, self.now)
        assert created is not None
        processed = _moment(processed_at, created)
        gid, legacy = self._gid("Order")
        with self._lock:
            if number is None:
                number = self._next_number
            self._next_number = max(self._next_number, number + 1)
        cust = None
        if isinstance(customer, dict):
            cust = customer
        elif customer is not None:
            cust = self.add_customer(email, *customer)
        if cust is not None:
            cust["numberOfOrders"] = str(int(cust["numberOfOrders"]) + 1)

        items = []
        subtotal = Decimal(0)
        for index, item in enumerate(line_items):
            price = Decimal(str(item["price"]))
            quantity = int(item.get("quantity", 1))
            subtotal += price * quantity
            variant = item.get("variant_title")
            items.append({
                "id": f"gid://shopify/LineItem/{legacy * 10 + index}", "title": item["title"],
                "name": f"{item['title']} - {variant}" if variant else item["title"], "variantTitle": variant,
                "quantity": quantity, "currentQuantity": quantity, "sku": item.get("sku"),
                "vendor": item.get("vendor", self.shop_name),
                "originalUnitPriceSet": self._bag(price, currency),
                "discountedUnitPriceSet": self._bag(price, currency),
                "originalTotalSet": self._bag(price * quantity, currency),
            })
        shipping_amount = Decimal(str(shipping))
        total = subtotal + shipping_amount
        refund_list = []
        refunded = Decimal(0)
        for index, refund in enumerate(refunds):
            amount = Decimal(str(refund["amount"]))
            refunded += amount
            refund_list.append({
                "id": f"gid://shopify/Refund/{legacy * 10 + index}",
                "createdAt": iso(_moment(refund.get("created_at"), created + dt.timedelta(days=3))),
                "note": refund.get("note"), "totalRefundedSet": self._bag(amount, currency),
            })
        fulfillment_list = []
        for index, ful in enumerate(fulfillments):
            when = _moment(ful.get("created_at"), created + dt.timedelta(days=1))
            assert when is not None
            fulfillment_list.append({
                "id": f"gid://shopify/Fulfillment/{legacy * 10 + index}", "name": f"#{number}-F{index + 1}",
                "status": ful.get("status", "SUCCESS"), "displayStatus": ful.get("display_status", "FULFILLED"),
                "createdAt": iso(when), "updatedAt": iso(_moment(ful.get("delivered_at"), when)),
                "deliveredAt": iso(_moment(ful.get("delivered_at"))),
                "inTransitAt": iso(_moment(ful.get("in_transit_at"))),
                "estimatedDeliveryAt": iso(_moment(ful.get("estimated_delivery_at"))),
                "trackingInfo": [{"number": t.get("number"), "company": t.get("company"), "url": t.get("url")}
                                 for t in ful.get("tracking", ())],
            })
        if fulfillment_status is None:
            done = any(f["status"] == "SUCCESS" for f in fulfillment_list)
            fulfillment_status = "FULFILLED" if done else "UNFULFILLED"
        cancelled = _moment(cancelled_at)
        closed = _moment(closed_at)
        order = {
            "id": gid, "legacyResourceId": str(legacy), "name": f"#{number}", "number": number, "email": email,
            "phone": phone, "createdAt": iso(created), "processedAt": iso(processed),
            "updatedAt": iso(max([created, *(x for x in (cancelled, closed) if x)])),
            "closedAt": iso(closed), "cancelledAt": iso(cancelled),
            "cancelReason": cancel_reason or ("CUSTOMER" if cancelled else None), "closed": closed is not None,
            "confirmed": True, "test": False,
            "displayFinancialStatus": financial_status, "displayFulfillmentStatus": fulfillment_status,
            "currencyCode": currency, "presentmentCurrencyCode": currency,
            "totalPriceSet": self._bag(total, currency),
            "currentTotalPriceSet": self._bag(max(Decimal(0), total - refunded), currency),
            "subtotalPriceSet": self._bag(subtotal, currency), "currentSubtotalPriceSet": self._bag(subtotal, currency),
            "totalShippingPriceSet": self._bag(shipping_amount, currency),
            "totalRefundedSet": self._bag(refunded, currency), "totalTaxSet": self._bag(total / 6, currency),
            "_lineItems": items, "shippingAddress": shipping_address, "billingAddress": shipping_address,
            "_fulfillments": fulfillment_list, "_refunds": refund_list, "note": note, "tags": list(tags),
            "_customer": cust,
            "statusPageUrl": f"https://{self.shop_handle}.myshopify.com/123/orders/{secrets.token_hex(8)}/authenticate",
        }
        with self._lock:
            self.orders.append(order)
        return order

    def add_product(self, title: str, *, handle: str | None = None, variants: Sequence[dict[str, Any]] = (),
                    status: str = "ACTIVE", published: bool = True, vendor: str | None = None,
                    product_type: str = "", description: str = "", tags: Sequence[str] = ()) -> dict[str, Any]:
        """`variants`: dicts with sku, price, and optionally title, inventory (default 10)."""
        gid, legacy = self._gid("Product")
        handle = handle or "-".join(title.lower().replace("'", " ").split())
        variant_list = []
        for index, variant in enumerate(variants or ({"sku": None, "price": "10.00"},)):
            variant_list.append({
                "id": f"gid://shopify/ProductVariant/{legacy * 10 + index}",
                "title": variant.get("title", "Default Title"), "sku": variant.get("sku"),
                "price": money_string(variant["price"]), "compareAtPrice": None,
                "inventoryQuantity": int(variant.get("inventory", 10)), "barcode": variant.get("barcode"),
            })
        product = {
            "id": gid, "legacyResourceId": str(legacy), "title": title, "handle": handle, "status": status,
            "vendor": vendor or self.shop_name, "productType": product_type, "description": description,
            "onlineStoreUrl": f"https://{self.shop_handle}.example/products/{handle}"
            if published and status == "ACTIVE" else None,
            "totalInventory": sum(v["inventoryQuantity"] for v in variant_list), "tags": list(tags),
            "createdAt": iso(self.now - dt.timedelta(days=200)), "updatedAt": iso(self.now - dt.timedelta(days=10)),
            "_variants": variant_list,
        }
        with self._lock:
            self.products.append(product)
        return product

    def seed_demo(self) -> ShopifyServer:
        from tests.platform_servers.demo import seed_shopify

        seed_shopify(self)
        return self

    def order_by_name(self, name: str) -> dict[str, Any]:
        wanted = name if name.startswith("#") else f"#{name}"
        return next(o for o in self.orders if o["name"] == wanted)

    def orders_for(self, email: str) -> list[dict[str, Any]]:
        """Orders whose email is exactly `email` (case-insensitive), visible or not, newest first."""
        found = [o for o in self.orders if (o["email"] or "").lower() == email.lower()]
        return sorted(found, key=lambda o: o["processedAt"], reverse=True)

    def visible(self, order: dict[str, Any]) -> bool:
        """Whether the 60-day window (without `read_all_orders`) lets the API see this order."""
        if "read_all_orders" in self.scopes:
            return True
        return order["processedAt"] >= iso(self.now - dt.timedelta(days=60))

    # --- HTTP -----------------------------------------------------------------------------------------------------

    def dispatch(self, request: LoggedRequest) -> Response:
        if request.path == "/admin/oauth/access_token":
            return self._token(request)
        parts = request.path.strip("/").split("/")
        if len(parts) == 4 and parts[:2] == ["admin", "api"] and parts[3] == "graphql.json":
            version = self._resolve_version(parts[2])
            if version is None or request.method != "POST":
                return Response.json(404, {"errors": "Not Found"})
            return self._graphql(request, version)
        return Response.json(404, {"errors": "Not Found"})

    def _resolve_version(self, asked: str) -> str | None:
        if asked == "unstable" or asked in self.versions:
            return asked
        try:
            year, month = (int(x) for x in asked.split("-"))
        except ValueError:
            return None
        if len(asked) != 7 or month not in (1, 4, 7, 10):
            return None
        if asked < self.versions[0] and year >= 2019:
            return self.versions[0]  # Shopify falls forward to the oldest supported stable version
        return None

    def _token(self, request: LoggedRequest) -> Response:
        if request.method != "POST":
            return Response.json(404, {"errors": "Not Found"})
        content_type = request.headers.get("content-type", "")
        params: dict[str, Any] = {}
        if "json" in content_type:
            data = request.json
            params = data if isinstance(data, dict) else {}
        else:
            params = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        if params.get("grant_type") != "client_credentials":
            return Response.json(400, {"error": "unsupported_grant_type",
                                       "error_description": "The authorization grant type is not supported."})
        if params.get("client_id") != self.client_id or params.get("client_secret") != self.client_secret:
            return Response.json(400, {"error": "invalid_client", "error_description": "Client authentication failed"})
        token = self.issue_token()
        return Response.json(200, {"access_token": token, "scope": ",".join(sorted(self.scopes, key=_scope_order)),
                                   "expires_in": max(1, round(self.token_lifetime))})

    def _authorized(self, request: LoggedRequest) -> bool:
        token = request.headers.get("x-shopify-access-token")
        if not token:
            return False
        if self.access_token is not None and secrets.compare_digest(token, self.access_token):
            return True
        with self._lock:
            expiry = self.issued_tokens.get(token)
        return expiry is not None and time.monotonic() < expiry

    def _headers(self, version: str) -> list[tuple[str, str]]:
        return [("X-Shopify-API-Version", version), ("X-Request-Id", secrets.token_hex(16))]

    def _graphql(self, request: LoggedRequest, version: str) -> Response:
        headers = self._headers(version)
        if not self._authorized(request):
            return Response.json(401, {"errors": INVALID_TOKEN}, headers)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        missing = Response.json(400, {"errors": {"query": "Required parameter missing or invalid"}}, headers)
        variables: Any = None
        operation_name = None
        if content_type == "application/json":
            body = request.json
            if not isinstance(body, dict) or not isinstance(body.get("query"), str):
                return missing
            query_text = body["query"]
            variables = body.get("variables")
            if isinstance(variables, str):
                try:
                    variables = json.loads(variables) if variables else None
                except ValueError:
                    return missing
            operation_name = body.get("operationName")
        elif content_type == "application/graphql":
            query_text = request.body.decode("utf-8", "replace")
        else:
            return missing
        if variables is not None and not isinstance(variables, dict):
            return missing
        return Response.json(200, self._run(query_text, variables or {}, operation_name), headers)

    # --- GraphQL execution ----------------------------------------------------------------------------------------

    def _run(self, query_text: str, variables: dict[str, Any], operation_name: str | None) -> dict[str, Any]:
        try:
            document = parse(query_text)
        except GraphQLError as error:
            return {"errors": [_format(error)]}
        problems = validate(self.schema, document)
        if problems:
            return {"errors": [_shopify_validation_error(p) for p in problems]}
        operation = _operation(document, operation_name)
        if operation is None:
            return {"errors": [{"message": "An operation name is required" if operation_name is None
                                else f'No operation named "{operation_name}"'}]}
        coerced = get_variable_values(self.schema, operation.variable_definitions or [], variables)
        if isinstance(coerced, list):
            return {"errors": [_format(e) for e in coerced]}
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        query_type = self.schema.query_type
        assert query_type is not None
        requested = _cost(query_type, operation.selection_set, fragments, coerced, None, self.schema)

        with self._bucket_lock:
            self._restore()
            if requested > self.max_query_cost:
                return {"errors": [{
                    "message": f"Query cost is {requested}, which exceeds the single query max cost limit "
                               f"({self.max_query_cost}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits "
                               "for more information on how the\ncost of a query is calculated.\n\nTo query larger "
                               "amounts of data with fewer limits, bulk operations should be used instead.\nSee "
                               "https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage "
                               "details.\n",
                    "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": self.max_query_cost,
                                   "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                    "extensions": {"cost": self._cost_extension(requested, None)}}
            with self._lock:
                forced_wait = self._throttle_next.pop(0) if self._throttle_next else None
            if forced_wait is not None:
                self._available = max(0.0, requested - forced_wait * self.restore_rate)
            if forced_wait is not None or requested > self._available:
                return {"errors": [{"message": "Throttled", "extensions": {
                    "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                    "extensions": {"cost": self._cost_extension(requested, None)}}
            self._available -= requested

        context: dict[str, Any] = {"search": []}
        result = execute_sync(self.schema, document, variable_values=variables, operation_name=operation_name,
                              context_value=context)
        actual = _cost(query_type, operation.selection_set, fragments, coerced, result.data, self.schema)
        with self._bucket_lock:
            self._restore()
            self._available = min(self.bucket_size, self._available + max(0, requested - actual))
            extension = self._cost_extension(requested, actual)
        payload: dict[str, Any] = {}
        if result.errors:
            payload["errors"] = [_format(e) for e in result.errors]
        payload["data"] = result.data
        payload["extensions"] = {"cost": extension}
        if context["search"]:
            payload["extensions"]["search"] = context["search"]
        return payload

    def _restore(self) -> None:
        now = time.monotonic()
        self._available = min(self.bucket_size, self._available + (now - self._bucket_time) * self.restore_rate)
        self._bucket_time = now

    def _cost_extension(self, requested: int, actual: int | None) -> dict[str, Any]:
        return {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": {
            "maximumAvailable": self.bucket_size, "currentlyAvailable": int(self._available),
            "restoreRate": self.restore_rate}}

    # --- resolvers ------------------------------------------------------------------------------------------------

    def _build_schema(self) -> GraphQLSchema:
        schema = build_schema(SDL)

        def field(type_name: str, name: str, resolver: Callable[..., Any]) -> None:
            object_type = schema.type_map[type_name]
            assert isinstance(object_type, GraphQLObjectType)
            object_type.fields[name].resolve = resolver

        field("QueryRoot", "orders", self._resolve_orders)
        field("QueryRoot", "order", self._resolve_order)
        field("QueryRoot", "products", self._resolve_products)
        field("QueryRoot", "product", self._resolve_product)
        field("QueryRoot", "customers", self._resolve_customers)
        field("QueryRoot", "shop", lambda _root, _info: self._shop())
        field("Order", "lineItems", lambda order, _info, **a: _connection(order["_lineItems"], a, "lineItems",
                                                                           key=None))
        field("Order", "fulfillments", lambda order, _info, first=None: _truncate(order["_fulfillments"], first))
        field("Order", "refunds", lambda order, _info, first=None: _truncate(order["_refunds"], first))
        field("Fulfillment", "trackingInfo", lambda ful, _info, first=None: _truncate(ful["trackingInfo"], first))
        field("Product", "variants", lambda product, _info, **a: _connection(product["_variants"], a, "variants",
                                                                             key=None))
        field("Order", "customer", self._resolve_order_customer)
        for type_name, names in (("Order", ("email", "phone", "shippingAddress", "billingAddress")),
                                 ("Customer", ("email", "phone", "firstName", "lastName", "displayName",
                                               "defaultEmailAddress"))):
            for name in names:
                field(type_name, name, self._protected_field(type_name, name))
        return schema

    def _protected_field(self, type_name: str, name: str) -> Callable[..., Any]:
        def resolve(source: dict[str, Any], _info: Any) -> Any:
            if not self.protected_customer_data:
                raise _protected(f"{type_name}.{name}")
            return source.get(name)
        return resolve

    def _need(self, scope: str, what: str) -> None:
        if scope not in self.scopes:
            raise _access_denied(what, scope)

    def _resolve_orders(self, _root: Any, info: Any, **args: Any) -> dict[str, Any]:
        self._need("read_orders", "orders")
        node = self._search(info, "orders", args.get("query"), _ORDER_FIELDS)
        with self._lock:
            orders = [o for o in self.orders if self.visible(o)]
        found = [o for o in orders if search_syntax.evaluate(node, lambda t, o=o: _order_matches(o, t))]
        sort_key = args.get("sortKey") or "PROCESSED_AT"
        return _connection(found, args, "orders", key=_ORDER_SORT[sort_key], sort_name=sort_key)

    def _resolve_order(self, _root: Any, _info: Any, id: str) -> dict[str, Any] | None:
        self._need("read_orders", "order")
        _check_gid(id, "Order")
        with self._lock:
            return next((o for o in self.orders if o["id"] == id and self.visible(o)), None)

    def _resolve_order_customer(self, order: dict[str, Any], _info: Any) -> dict[str, Any] | None:
        if order["_customer"] is None:
            return None
        self._need("read_customers", "customer")
        if not self.protected_customer_data:
            raise _protected("Order.customer")
        return order["_customer"]

    def _resolve_products(self, _root: Any, info: Any, **args: Any) -> dict[str, Any]:
        self._need("read_products", "products")
        node = self._search(info, "products", args.get("query"), _PRODUCT_FIELDS)
        with self._lock:
            found = [p for p in self.products if search_syntax.evaluate(node, lambda t, p=p: _product_matches(p, t))]
        sort_key = args.get("sortKey") or "ID"
        return _connection(found, args, "products", key=_PRODUCT_SORT[sort_key], sort_name=sort_key)

    def _resolve_product(self, _root: Any, _info: Any, id: str) -> dict[str, Any] | None:
        self._need("read_products", "product")
        _check_gid(id, "Product")
        with self._lock:
            return next((p for p in self.products if p["id"] == id), None)

    def _resolve_customers(self, _root: Any, info: Any, **args: Any) -> dict[str, Any]:
        self._need("read_customers", "customers")
        node = self._search(info, "customers", args.get("query"), _CUSTOMER_FIELDS)
        with self._lock:
            found = [c for c in self.customers.values()
                     if search_syntax.evaluate(node, lambda t, c=c: _customer_matches(c, t))]
        sort_key = args.get("sortKey") or "ID"
        return _connection(found, args, "customers", key=_CUSTOMER_SORT[sort_key], sort_name=sort_key)

    def _search(self, info: Any, root: str, query: str | None, known: frozenset[str]) -> search_syntax.Node | None:
        try:
            node = search_syntax.parse(query or "")
        except search_syntax.SearchSyntaxError:  # Shopify answers unparseable searches, never with an error
            info.context["search"].append({"path": [root], "query": query, "warnings": [
                {"field": None, "message": "Query could not be parsed; it was ignored."}]})
            return None
        unknown = [t for t in search_syntax.terms(node) if t.field is not None and t.field not in known]
        if unknown:
            info.context["search"].append({"path": [root], "query": query, "warnings": [
                {"field": t.field, "message": "Invalid search field for this query."} for t in unknown]})
            node = _drop_unknown(node, known)
        return node

    def _shop(self) -> dict[str, Any]:
        domain = f"{self.shop_handle}.myshopify.com"
        email = f"bonjour@{self.shop_handle}.example"
        return {"id": "gid://shopify/Shop/690933842", "name": self.shop_name, "email": email,
                "contactEmail": email, "myshopifyDomain": domain,
                "currencyCode": self.currency, "ianaTimezone": "Europe/Paris",
                "primaryDomain": {"host": f"{self.shop_handle}.example", "url": f"https://{self.shop_handle}.example"},
                "url": f"https://{self.shop_handle}.example"}


# --- search matching -------------------------------------------------------------------------------------------------

_ORDER_FIELDS = frozenset({"email", "name", "financial_status", "fulfillment_status", "status", "created_at",
                           "processed_at", "updated_at", "id", "sku", "tag", "customer_id"})
_PRODUCT_FIELDS = frozenset({"title", "handle", "sku", "status", "vendor", "product_type", "tag", "id"})
_CUSTOMER_FIELDS = frozenset({"email", "first_name", "last_name", "phone", "id"})

_FULFILLMENT_ALIASES = {"shipped": "FULFILLED", "unshipped": "UNFULFILLED", "partial": "PARTIALLY_FULFILLED",
                        "unfulfilled": "UNFULFILLED", "fulfilled": "FULFILLED"}


def _drop_unknown(node: search_syntax.Node | None, known: frozenset[str]) -> search_syntax.Node | None:
    """Shopify ignores a term on an unknown field: it matches everything."""
    if node is None:
        return None
    if isinstance(node, search_syntax.Term):
        return None if node.field is not None and node.field not in known else node
    if isinstance(node, search_syntax.Not):
        inner = _drop_unknown(node.node, known)
        return None if inner is None else search_syntax.Not(inner)
    children = [c for c in (_drop_unknown(c, known) for c in node.nodes) if c is not None]
    if not children:
        return None
    return type(node)(tuple(children))


def _contains(haystack: str | None, needle: str) -> bool:
    needle = needle.lower().replace("*", "")
    return bool(haystack) and needle in str(haystack).lower()


def _compare(actual: str | int | None, term: search_syntax.Term) -> bool:
    if actual is None:
        return False
    value: Any = term.value
    if isinstance(actual, int):
        try:
            value = int(value)
        except ValueError:
            return False
    elif term.op == ":":
        return str(actual).startswith(value)  # created_at:2026-07-01 is that day
    if term.op == ":":
        return bool(actual == value)
    comparisons: dict[str, Callable[[Any, Any], bool]] = {
        ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}
    return comparisons[term.op](actual, value)


def _order_matches(order: dict[str, Any], term: search_syntax.Term) -> bool:
    value = term.value
    customer = order["_customer"] or {}
    match term.field:
        case "email":
            return _contains(order["email"], value) or _contains(customer.get("email"), value)
        case "name":
            wanted = value.lstrip("#").lower()
            name = order["name"].lstrip("#").lower()
            return name.startswith(wanted[:-1]) if wanted.endswith("*") else name == wanted
        case "financial_status":
            return order["displayFinancialStatus"] == value.upper()
        case "fulfillment_status":
            return order["displayFulfillmentStatus"] == _FULFILLMENT_ALIASES.get(value.lower(), value.upper())
        case "status":
            state = "cancelled" if order["cancelledAt"] else "closed" if order["closed"] else "open"
            return value.lower() in (state, "any")
        case "created_at" | "processed_at" | "updated_at":
            key = {"created_at": "createdAt", "processed_at": "processedAt", "updated_at": "updatedAt"}[term.field]
            return _compare(order[key], term)
        case "id":
            return _compare(int(order["legacyResourceId"]), term)
        case "customer_id":
            return bool(customer) and _compare(int(customer["legacyResourceId"]), term)
        case "sku":
            return any(_contains(i["sku"], value) for i in order["_lineItems"])
        case "tag":
            return value.lower() in (t.lower() for t in order["tags"])
        case _:
            address = order["shippingAddress"] or {}
            return any(_contains(text, value) for text in (
                order["name"], order["email"], customer.get("displayName"), address.get("name"),
                *(i["title"] for i in order["_lineItems"])))


def _product_matches(product: dict[str, Any], term: search_syntax.Term) -> bool:
    value = term.value
    match term.field:
        case "title":
            return _contains(product["title"], value)
        case "handle":
            return product["handle"] == value
        case "sku":
            return any((v["sku"] or "").lower().startswith(value.lower().rstrip("*")) for v in product["_variants"])
        case "status":
            return product["status"] == value.upper()
        case "vendor":
            return _contains(product["vendor"], value)
        case "product_type":
            return _contains(product["productType"], value)
        case "tag":
            return value.lower() in (t.lower() for t in product["tags"])
        case "id":
            return _compare(int(product["legacyResourceId"]), term)
        case _:
            return any(_contains(text, value) for text in (product["title"], product["handle"], product["vendor"],
                                                           *(v["sku"] for v in product["_variants"])))


def _customer_matches(customer: dict[str, Any], term: search_syntax.Term) -> bool:
    value = term.value
    match term.field:
        case "email":
            return _contains(customer["email"], value)
        case "first_name":
            return _contains(customer["firstName"], value)
        case "last_name":
            return _contains(customer["lastName"], value)
        case "phone":
            return _contains(customer["phone"], value)
        case "id":
            return _compare(int(customer["legacyResourceId"]), term)
        case _:
            return any(_contains(text, value) for text in (customer["displayName"], customer["email"]))


def _scope_order(scope: str) -> int:
    order = ["read_orders", "read_all_orders", "read_products", "read_customers"]
    return order.index(scope) if scope in order else len(order)


_ORDER_SORT: dict[str, Callable[[dict[str, Any]], Any]] = {
    "CREATED_AT": lambda o: o["createdAt"], "PROCESSED_AT": lambda o: o["processedAt"],
    "UPDATED_AT": lambda o: o["updatedAt"], "ID": lambda o: int(o["legacyResourceId"]),
    "ORDER_NUMBER": lambda o: o["number"],
    "TOTAL_PRICE": lambda o: str(Decimal(o["totalPriceSet"]["shopMoney"]["amount"]).quantize(Decimal("0.01"))
                                 ).rjust(16, "0"),
    "CUSTOMER_NAME": lambda o: ((o["_customer"] or {}).get("displayName") or "").lower(),
    "RELEVANCE": lambda o: int(o["legacyResourceId"]),
}
_PRODUCT_SORT: dict[str, Callable[[dict[str, Any]], Any]] = {
    "TITLE": lambda p: p["title"].lower(), "ID": lambda p: int(p["legacyResourceId"]),
    "CREATED_AT": lambda p: p["createdAt"], "UPDATED_AT": lambda p: p["updatedAt"],
    "INVENTORY_TOTAL": lambda p: p["totalInventory"], "PRODUCT_TYPE": lambda p: p["productType"],
    "VENDOR": lambda p: p["vendor"], "RELEVANCE": lambda p: int(p["legacyResourceId"]),
}
_CUSTOMER_SORT: dict[str, Callable[[dict[str, Any]], Any]] = {
    "NAME": lambda c: c["displayName"].lower(), "ID": lambda c: int(c["legacyResourceId"]),
    "CREATED_AT": lambda c: c["createdAt"], "UPDATED_AT": lambda c: c["createdAt"],
    "RELEVANCE": lambda c: int(c["legacyResourceId"]),
}


# --- connections -----------------------------------------------------------------------------------------------------

def _truncate(items: list[Any], first: int | None) -> list[Any]:
    if first is not None and first < 0:
        raise GraphQLError("first must be a non-negative number", extensions={"code": "BAD_REQUEST"})
    return items if first is None else items[:first]


def _connection(items: list[dict[str, Any]], args: dict[str, Any], field_name: str,
                key: Callable[[dict[str, Any]], Any] | None, sort_name: str = "POSITION") -> dict[str, Any]:
    first, last = args.get("first"), args.get("last")
    after, before = args.get("after"), args.get("before")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last", extensions={"code": "BAD_REQUEST"})
    if first is not None and last is not None:
        raise GraphQLError("providing both first and last is not supported", extensions={"code": "BAD_REQUEST"})
    for label, size in (("first", first), ("last", last)):
        if size is not None and not 0 <= size <= MAX_PAGE:
            raise GraphQLError(f"Argument '{label}' on Field '{field_name}' has an invalid value ({size}). "
                               f"Expected a page size from 0 to {MAX_PAGE}.", extensions={"code": "BAD_REQUEST"})

    def sort_value(index: int, item: dict[str, Any]) -> Any:
        return index if key is None else key(item)

    def ident(index: int, item: dict[str, Any]) -> int:
        return index if key is None else int(item["legacyResourceId"])

    reverse = bool(args.get("reverse"))
    ranked = sorted(((sort_value(i, it), ident(i, it), it) for i, it in enumerate(items)),
                    key=lambda t: (t[0], t[1]), reverse=reverse)

    def position(cursor: str) -> tuple[Any, int]:
        value, last_id = _decode_cursor(cursor)
        if ranked and type(value) is not type(ranked[0][0]):
            raise _BadCursor()
        return value, last_id

    def beyond(entry: tuple[Any, int, Any], mark: tuple[Any, int]) -> bool:
        return (entry[0], entry[1]) < mark if reverse else (entry[0], entry[1]) > mark

    window = ranked
    if after:
        mark = position(after)
        window = [e for e in window if beyond(e, mark)]
    if before:
        mark = position(before)
        window = [e for e in window if not beyond(e, mark) and (e[0], e[1]) != mark]
    has_next = has_previous = False
    if first is not None:
        has_next = len(window) > first
        window = window[:first]
        has_previous = bool(after)
    elif last is not None:
        has_previous = len(window) > last
        window = window[len(window) - last:] if last else []
        has_next = bool(before)
    edges = [{"cursor": _encode_cursor(e[1], e[0]), "node": e[2]} for e in window]
    return {"nodes": [e["node"] for e in edges], "edges": edges, "pageInfo": {
        "hasNextPage": has_next, "hasPreviousPage": has_previous,
        "startCursor": edges[0]["cursor"] if edges else None, "endCursor": edges[-1]["cursor"] if edges else None}}


def _check_gid(gid: str, kind: str) -> None:
    prefix = f"gid://shopify/{kind}/"
    if not gid.startswith("gid://shopify/") or not gid.rsplit("/", 1)[-1].isdigit():
        raise GraphQLError(f"Invalid global id '{gid}'", extensions={"code": "argumentLiteralsIncompatible"})
    if not gid.startswith(prefix):
        raise GraphQLError(f"Invalid global id '{gid}': expected a {kind}",
                           extensions={"code": "argumentLiteralsIncompatible"})


# --- cost ------------------------------------------------------------------------------------------------------------

def _fields(selection_set: SelectionSetNode | None,
            fragments: dict[str, FragmentDefinitionNode]) -> list[FieldNode]:
    out: list[FieldNode] = []
    for selection in (selection_set.selections if selection_set else ()):
        if isinstance(selection, FieldNode):
            out.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            out.extend(_fields(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            out.extend(_fields(fragments[selection.name.value].selection_set, fragments))
    return out


def _cost(parent: GraphQLObjectType, selection_set: SelectionSetNode | None,
          fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any], data: Any,
          schema: GraphQLSchema) -> int:
    """Shopify's calculated cost: requested (data None, sized by first/last) or actual (data: what came back)."""
    actual = data is not None
    total = 0
    for node in _fields(selection_set, fragments):
        name = node.name.value
        if name.startswith("__") or name not in parent.fields:
            continue
        definition = parent.fields[name]
        named = get_named_type(definition.type)
        if is_leaf_type(named) or not isinstance(named, GraphQLObjectType):
            continue
        key = node.alias.value if node.alias else name
        value = data.get(key) if isinstance(data, dict) else None
        if actual and value is None:
            continue
        args = get_argument_values(definition, node, variables)
        size = args.get("first") if args.get("first") is not None else args.get("last")
        if named.name.endswith("Connection"):
            node_type = schema.type_map[named.name[: -len("Connection")]]
            assert isinstance(node_type, GraphQLObjectType)
            cost = 2
            for sub in _fields(node.selection_set, fragments):
                sub_key = sub.alias.value if sub.alias else sub.name.value
                if sub.name.value == "nodes":
                    items = value.get(sub_key) if actual else [None] * (size or 0)
                    cost += sum(1 + _cost(node_type, sub.selection_set, fragments, variables, item, schema)
                                for item in items or ())
                elif sub.name.value == "edges":
                    edges = value.get(sub_key) if actual else [None] * (size or 0)
                    for edge in edges or ():
                        for edge_field in _fields(sub.selection_set, fragments):
                            if edge_field.name.value == "node":
                                edge_key = edge_field.alias.value if edge_field.alias else "node"
                                item = edge.get(edge_key) if actual else None
                                cost += 1 + _cost(node_type, edge_field.selection_set, fragments, variables, item,
                                                  schema)
            total += cost
        elif _is_list(definition.type):
            items = value if actual else [None] * (size if size is not None else 1)
            total += sum(1 + _cost(named, node.selection_set, fragments, variables, item, schema)
                         for item in items or ())
        else:
            total += 1 + _cost(named, node.selection_set, fragments, variables, value, schema)
    return total


def _is_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


# --- errors ----------------------------------------------------------------------------------------------------------

def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


def _format(error: GraphQLError) -> dict[str, Any]:
    formatted = dict(error.formatted)
    if not formatted.get("extensions"):
        formatted.pop("extensions", None)
    return formatted


def _shopify_validation_error(error: GraphQLError) -> dict[str, Any]:
    """graphql-core's wording, re-shaped where Shopify (graphql-ruby) says it differently."""
    formatted = _format(error)
    message = error.message
    if message.startswith("Cannot query field "):
        # Cannot query field 'foo' on type 'Order'. [Did you mean …?]
        field_name = message.split("'")[1]
        type_name = message.split("'")[3]
        formatted["message"] = f"Field '{field_name}' doesn't exist on type '{type_name}'"
        formatted["extensions"] = {"code": "undefinedField", "typeName": type_name, "fieldName": field_name}
    elif message.startswith("Unknown argument "):
        formatted["extensions"] = {"code": "argumentNotAccepted"}
    elif "is required, but it was not provided" in message:
        formatted["extensions"] = {"code": "missingRequiredArguments"}
    elif message.startswith("Variable "):
        formatted["extensions"] = {"code": "variableMismatch"}
    return formatted
