"""The fake Shopify and WooCommerce servers honour the documented contracts (shared/reference/integrations.md
§1, §2), so the platform clients can be tested against them: real TLS, auth and its error bodies, token grant and
expiry, THROTTLED and 429, pagination, loose searches, only the requested GraphQL fields, and the WooCommerce quirks.
Plain http.client with the test CA: no client code of ours is involved."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from tests.platform_servers._http import PlatformServer
from tests.platform_servers.fixtures import *  # noqa: F403  (platform_pki, shopify_server, woo_server…)
from tests.platform_servers.shopify import INVALID_TOKEN, ShopifyServer
from tests.platform_servers.woocommerce import WooServer
from tests.servers.tls import Pki


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def call(server: PlatformServer, method: str, path: str, *, body: bytes | str | None = None,
         headers: dict[str, str] | None = None, timeout: float = 5, context: ssl.SSLContext | None = None) -> Reply:
    if server.tls:
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            server.host, server.port, context=context or server.pki.client_context(), timeout=timeout)
    else:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


# --- Shopify ---------------------------------------------------------------------------------------------------------

LOOKUP = """
query OrdersLookup($query: String!, $first: Int!, $after: String) {
  orders(first: $first, after: $after, query: $query, sortKey: PROCESSED_AT, reverse: true) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name email createdAt processedAt cancelledAt displayFinancialStatus displayFulfillmentStatus
      totalPriceSet { shopMoney { amount currencyCode } }
      shippingAddress { name address1 address2 city province provinceCode zip country countryCodeV2 phone }
      lineItems(first: 20) {
        nodes { title quantity sku variantTitle originalUnitPriceSet { shopMoney { amount currencyCode } } }
      }
      fulfillments(first: 10) { status displayStatus createdAt trackingInfo(first: 5) { number company url } }
    }
  }
}
"""

NAMES = "query Names($q: String!, $first: Int!, $after: String) { orders(first: $first, after: $after, query: $q, " \
        "sortKey: CREATED_AT, reverse: true) { pageInfo { hasNextPage endCursor } nodes { name email } } }"


def gql(server: ShopifyServer, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
        version: str = "2026-07", **kwargs: Any) -> Reply:
    headers = {"Content-Type": "application/json",
               "X-Shopify-Access-Token": token if token is not None else (server.access_token or "")}
    return call(server, "POST", f"/admin/api/{version}/graphql.json",
                body=json.dumps({"query": query, "variables": variables or {}}), headers=headers, **kwargs)


def emails(reply: Reply) -> list[str]:
    return [node["email"] for node in reply.json["data"]["orders"]["nodes"]]


def test_shopify_tls_is_verified_against_the_test_ca(shopify_server: ShopifyServer, platform_pki: Pki) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        call(shopify_server, "POST", "/admin/api/2026-07/graphql.json", context=ssl.create_default_context())
    assert gql(shopify_server, "{ shop { name } }").json["data"]["shop"]["name"] == "Atelier Lumière"
    assert shopify_server.url.startswith("https://127.0.0.1:")
    assert shopify_server.ca_file == str(platform_pki.ca_file)


def test_shopify_self_signed_certificate_is_refused(shopify_factory: Callable[..., ShopifyServer]) -> None:
    server = shopify_factory(cert="self_signed")
    with pytest.raises(ssl.SSLCertVerificationError):
        gql(server, "{ shop { name } }")


@pytest.mark.parametrize("token", ["", "shpat_wrong", ShopifyServer.CLIENT_SECRET])
def test_shopify_bad_or_missing_token_is_401_with_a_string_error(shopify_server: ShopifyServer, token: str) -> None:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Shopify-Access-Token"] = token
    reply = call(shopify_server, "POST", "/admin/api/2026-07/graphql.json",
                 body=json.dumps({"query": "{ shop { name } }"}), headers=headers)
    assert reply.status == 401
    assert reply.json == {"errors": INVALID_TOKEN}


def test_shopify_static_token_works_and_the_log_keeps_the_header(shopify_server: ShopifyServer) -> None:
    reply = gql(shopify_server, "{ shop { name myshopifyDomain currencyCode } }")
    assert reply.status == 200
    assert reply.json["data"]["shop"] == {"name": "Atelier Lumière", "myshopifyDomain": "atelier-lumiere.myshopify.com",
                                          "currencyCode": "EUR"}
    assert reply.header("X-Shopify-API-Version") == "2026-07"
    logged = shopify_server.last_request
    assert logged.headers["x-shopify-access-token"] == shopify_server.access_token
    assert logged.json["query"] == "{ shop { name myshopifyDomain currencyCode } }"
    assert logged.status == 200


@pytest.mark.parametrize("encoding", ["form", "json"])
def test_shopify_client_credentials_grant(shopify_server: ShopifyServer, encoding: str) -> None:
    fields = {"grant_type": "client_credentials", "client_id": shopify_server.client_id,
              "client_secret": shopify_server.client_secret}
    if encoding == "form":
        body, content_type = urlencode(fields), "application/x-www-form-urlencoded"
    else:
        body, content_type = json.dumps(fields), "application/json"
    reply = call(shopify_server, "POST", "/admin/oauth/access_token", body=body, headers={"Content-Type": content_type})
    assert reply.status == 200
    granted = reply.json
    assert granted["scope"] == "read_orders,read_products,read_customers"
    assert granted["expires_in"] == 86399
    assert granted["access_token"].startswith("shpat_")
    assert gql(shopify_server, "{ shop { name } }", token=granted["access_token"]).status == 200


def test_shopify_client_credentials_wrong_secret_or_grant(shopify_server: ShopifyServer) -> None:
    wrong = {"grant_type": "client_credentials", "client_id": shopify_server.client_id, "client_secret": "shpss_nope"}
    reply = call(shopify_server, "POST", "/admin/oauth/access_token", body=urlencode(wrong),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 400
    assert reply.json == {"error": "invalid_client", "error_description": "Client authentication failed"}
    no_grant = {"client_id": shopify_server.client_id, "client_secret": shopify_server.client_secret}
    reply = call(shopify_server, "POST", "/admin/oauth/access_token", body=json.dumps(no_grant),
                 headers={"Content-Type": "application/json"})
    assert reply.status == 400
    assert reply.json["error"] == "unsupported_grant_type"


def test_shopify_issued_token_expires_mid_session(shopify_factory: Callable[..., ShopifyServer]) -> None:
    server = shopify_factory(token_lifetime=1, access_token=None)
    fields = {"grant_type": "client_credentials", "client_id": server.client_id, "client_secret": server.client_secret}
    granted = call(server, "POST", "/admin/oauth/access_token", body=urlencode(fields),
                   headers={"Content-Type": "application/x-www-form-urlencoded"}).json
    assert granted["expires_in"] == 1
    assert gql(server, "{ shop { name } }", token=granted["access_token"]).status == 200
    time.sleep(1.1)
    expired = gql(server, "{ shop { name } }", token=granted["access_token"])
    assert (expired.status, expired.json) == (401, {"errors": INVALID_TOKEN})
    fresh = server.issue_token()
    assert gql(server, "{ shop { name } }", token=fresh).status == 200
    server.expire_tokens()
    assert gql(server, "{ shop { name } }", token=fresh).status == 401


def test_shopify_api_versions(shopify_server: ShopifyServer) -> None:
    for version in ("2026-05", "2027-01", "latest", "2026-7"):
        reply = gql(shopify_server, "{ shop { name } }", version=version)
        assert (reply.status, reply.json) == (404, {"errors": "Not Found"}), version
    old = gql(shopify_server, "{ shop { name } }", version="2024-01")
    assert old.status == 200 and old.header("X-Shopify-API-Version") == "2025-10"  # falls forward
    assert gql(shopify_server, "{ shop { name } }", version="unstable").status == 200
    assert call(shopify_server, "GET", "/admin/api/2026-07/graphql.json").status == 404


def test_shopify_needs_a_json_body(shopify_server: ShopifyServer) -> None:
    headers = {"X-Shopify-Access-Token": shopify_server.access_token or ""}
    reply = call(shopify_server, "POST", "/admin/api/2026-07/graphql.json",
                 body=json.dumps({"query": "{ shop { name } }"}), headers=headers)  # no Content-Type
    assert reply.status == 400
    assert reply.json == {"errors": {"query": "Required parameter missing or invalid"}}
    raw = call(shopify_server, "POST", "/admin/api/2026-07/graphql.json", body="{ shop { name } }",
               headers={**headers, "Content-Type": "application/graphql"})
    assert raw.json["data"] == {"shop": {"name": "Atelier Lumière"}}


def test_shopify_returns_only_the_requested_fields(shopify_server: ShopifyServer) -> None:
    reply = gql(shopify_server, "{ orders(first: 2) { nodes { name } } }")
    assert [set(node) for node in reply.json["data"]["orders"]["nodes"]] == [{"name"}, {"name"}]
    assert set(reply.json["data"]["orders"]) == {"nodes"}
    aliased = gql(shopify_server, """
        query { latest: orders(first: 1, sortKey: CREATED_AT, reverse: true) { edges { cursor node { ...N } } } }
        fragment N on Order { number: name total: currentTotalPriceSet { shopMoney { amount } } }""")
    edge = aliased.json["data"]["latest"]["edges"][0]
    assert set(edge) == {"cursor", "node"}
    assert set(edge["node"]) == {"number", "total"}
    assert set(edge["node"]["total"]["shopMoney"]) == {"amount"}


def test_shopify_unknown_field_is_an_error_without_data(shopify_server: ShopifyServer) -> None:
    reply = gql(shopify_server, "{ orders(first: 1) { nodes { name trackingNumber } } }")
    assert reply.status == 200
    assert "data" not in reply.json
    [error] = reply.json["errors"]
    assert error["message"] == "Field 'trackingNumber' doesn't exist on type 'Order'"
    assert error["extensions"]["code"] == "undefinedField"


def test_shopify_connections_need_first_or_last_within_250(shopify_server: ShopifyServer) -> None:
    missing = gql(shopify_server, "{ orders { nodes { name } } }").json
    assert missing["data"] is None
    assert missing["errors"][0]["message"] == "you must provide one of first or last"
    assert missing["errors"][0]["path"] == ["orders"]
    too_many = gql(shopify_server, "{ orders(first: 251) { nodes { name } } }").json
    assert too_many["data"] is None and "250" in too_many["errors"][0]["message"]


def test_shopify_email_search_is_loose(shopify_server: ShopifyServer) -> None:
    found = emails(gql(shopify_server, NAMES, {"q": 'email:"ann@x.fr"', "first": 50}))
    assert sorted(found) == ["Ann@x.fr", "ann@x.fr", "ann@x.fr", "ann@x.free.fr", "joann@x.fr", "joann@x.fr"]
    exact = [o for o in shopify_server.orders_for("ann@x.fr") if shopify_server.visible(o)]
    assert len(exact) == 3  # the fourth is 90 days old: outside the 60-day window
    assert emails(gql(shopify_server, NAMES, {"q": "email:ann@x.fr", "first": 50})) == found  # unquoted: same


def test_shopify_name_search(shopify_server: ShopifyServer) -> None:
    order = shopify_server.order_by_name("#1010")
    for query in ("name:#1010", "name:1010", 'name:"#1010"'):
        nodes = gql(shopify_server, NAMES, {"q": query, "first": 5}).json["data"]["orders"]["nodes"]
        assert nodes == [{"name": "#1010", "email": order["email"]}], query
    combined = gql(shopify_server, NAMES, {"q": f'name:#1010 AND email:"{order["email"]}"', "first": 1})
    assert len(combined.json["data"]["orders"]["nodes"]) == 1
    assert gql(shopify_server, NAMES, {"q": "name:#999999", "first": 5}).json["data"]["orders"]["nodes"] == []


def test_shopify_unknown_search_field_matches_everything_with_a_warning(shopify_server: ShopifyServer) -> None:
    reply = gql(shopify_server, NAMES, {"q": "mail:ann@x.fr", "first": 250}).json
    visible = [o for o in shopify_server.orders if shopify_server.visible(o)]
    assert len(reply["data"]["orders"]["nodes"]) == len(visible)
    assert reply["extensions"]["search"][0]["warnings"] == [
        {"field": "mail", "message": "Invalid search field for this query."}]


def test_shopify_pagination_newest_first(shopify_server: ShopifyServer) -> None:
    query = {"q": "email:marie.dupont@example.fr", "first": 10}
    first = gql(shopify_server, NAMES, query).json["data"]["orders"]
    assert len(first["nodes"]) == 10 and first["pageInfo"]["hasNextPage"] is True
    second = gql(shopify_server, NAMES, {**query, "after": first["pageInfo"]["endCursor"]}).json["data"]["orders"]
    assert len(second["nodes"]) == 2 and second["pageInfo"]["hasNextPage"] is False
    names = [n["name"] for n in first["nodes"] + second["nodes"]]
    assert names == [o["name"] for o in shopify_server.orders_for("marie.dupont@example.fr")]
    assert len(set(names)) == 12
    bad = gql(shopify_server, NAMES, {**query, "after": "not-a-cursor"}).json
    assert bad["data"] is None and bad["errors"][0]["message"] == "Invalid cursor for current pagination sort."


def test_shopify_order_details_have_tracking_refunds_and_money_as_shopify_writes_it(
        shopify_server: ShopifyServer) -> None:
    reply = gql(shopify_server, """query($q: String!) { orders(first: 5, query: $q) { nodes {
        name displayFinancialStatus displayFulfillmentStatus
        currentTotalPriceSet { shopMoney { amount currencyCode } } totalShippingPriceSet { shopMoney { amount } }
        subtotalPriceSet { shopMoney { amount } }
        fulfillments { status createdAt trackingInfo { number company url } }
        refunds { createdAt note totalRefundedSet { shopMoney { amount currencyCode } } }
        customer { displayName email } } } }""", {"q": "email:ann@x.fr AND financial_status:partially_refunded"})
    [order] = reply.json["data"]["orders"]["nodes"]
    assert order["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    assert order["fulfillments"][0]["trackingInfo"] == [{
        "number": "6A12345678901", "company": "Colissimo",
        "url": "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"}]
    assert order["refunds"][0]["note"] == "Savon cassé à la livraison"
    assert order["refunds"][0]["totalRefundedSet"]["shopMoney"] == {"amount": "9.9", "currencyCode": "EUR"}
    assert order["subtotalPriceSet"]["shopMoney"]["amount"] == "58.8"       # 2 × 9.90 + 39.00
    assert order["totalShippingPriceSet"]["shopMoney"]["amount"] == "4.9"
    assert order["currentTotalPriceSet"]["shopMoney"]["amount"] == "53.8"   # 63.70 − 9.90
    assert order["customer"] == {"displayName": "Ann Martin", "email": "ann@x.fr"}
    cancelled = gql(shopify_server, "{ orders(first: 5, query: \"status:cancelled\") { nodes { email cancelledAt "
                                    "displayFinancialStatus } } }").json["data"]["orders"]["nodes"]
    assert [(o["email"], o["displayFinancialStatus"]) for o in cancelled] == [("paul.girard@example.fr", "REFUNDED")]
    assert cancelled[0]["cancelledAt"].endswith("Z")


def test_shopify_products_and_shop(shopify_server: ShopifyServer) -> None:
    reply = gql(shopify_server, """{ products(first: 5, query: "sku:TAB-LIN") { nodes {
        title handle onlineStoreUrl totalInventory variants(first: 5) { nodes { sku price } } } } }""")
    [product] = reply.json["data"]["products"]["nodes"]
    assert product["title"] == "Tablier en lin" and product["handle"] == "tablier-en-lin"
    assert product["onlineStoreUrl"] == "https://atelier-lumiere.example/products/tablier-en-lin"
    assert product["totalInventory"] == 24
    assert product["variants"]["nodes"][1] == {"sku": "TAB-LIN-M", "price": "39.0"}
    draft = gql(shopify_server, '{ products(first: 1, query: "title:huile") { nodes { onlineStoreUrl } } }')
    assert draft.json["data"]["products"]["nodes"] == [{"onlineStoreUrl": None}]


def test_shopify_cost_extension_and_max_cost(shopify_server: ShopifyServer) -> None:
    reply = gql(shopify_server, LOOKUP, {"query": 'email:"ann@x.fr"', "first": 5}).json
    cost = reply["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 632
    assert 0 < cost["actualQueryCost"] < cost["requestedQueryCost"]
    assert cost["throttleStatus"] == {"maximumAvailable": 2000.0, "restoreRate": 100.0,
                                      "currentlyAvailable": cost["throttleStatus"]["currentlyAvailable"]}
    too_big = gql(shopify_server, LOOKUP, {"query": 'email:"ann@x.fr"', "first": 10}).json
    assert "data" not in too_big
    assert too_big["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert too_big["errors"][0]["extensions"]["cost"] == 1262


def test_shopify_throttled_then_ok(shopify_server: ShopifyServer) -> None:
    shopify_server.throttle_next(1, wait=1.0)  # long enough that the immediate retry below is surely too early
    throttled = gql(shopify_server, LOOKUP, {"query": "email:ann@x.fr", "first": 5})
    assert throttled.status == 200
    body = throttled.json
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    cost = body["extensions"]["cost"]
    assert cost["actualQueryCost"] is None
    status = cost["throttleStatus"]
    wait = (cost["requestedQueryCost"] - status["currentlyAvailable"]) / status["restoreRate"]
    assert 0.95 <= wait <= 1.05
    # Retrying at once is throttled again: the bucket really is that low.
    again = gql(shopify_server, LOOKUP, {"query": "email:ann@x.fr", "first": 5}).json
    assert again["errors"][0]["extensions"]["code"] == "THROTTLED"
    time.sleep(wait + 0.05)
    assert emails(gql(shopify_server, LOOKUP, {"query": "email:ann@x.fr", "first": 5}))


def test_shopify_bucket_is_enforced(shopify_factory: Callable[..., ShopifyServer]) -> None:
    server = shopify_factory(bucket_size=100, restore_rate=50)
    server.set_available(10)
    throttled = gql(server, NAMES, {"q": "email:ann@x.fr", "first": 5}).json  # costs 2 + 5 × 1 = 7
    assert throttled["extensions"]["cost"]["requestedQueryCost"] == 7
    assert throttled["data"]["orders"]["nodes"]  # 7 ≤ 10: fine
    server.set_available(3)
    refused = gql(server, NAMES, {"q": "email:ann@x.fr", "first": 5}).json
    assert refused["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert refused["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 100.0


def test_shopify_429_with_retry_after_is_logged_with_times(shopify_server: ShopifyServer) -> None:
    shopify_server.rate_limit_next(1, retry_after=0.5)
    limited = gql(shopify_server, "{ shop { name } }")
    assert limited.status == 429
    assert limited.header("Retry-After") == "0.5"
    assert "Exceeded" in limited.json["errors"]
    time.sleep(0.5)
    assert gql(shopify_server, "{ shop { name } }").status == 200
    first, second = shopify_server.requests_to("graphql.json")
    assert (first.status, first.fault, second.status) == (429, "rate_limit", 200)
    assert second.time - first.time >= 0.5


def test_shopify_faults_do_not_hit_the_token_endpoint_unless_asked(shopify_server: ShopifyServer) -> None:
    shopify_server.unavailable_next(1, retry_after=2)
    fields = {"grant_type": "client_credentials", "client_id": shopify_server.client_id,
              "client_secret": shopify_server.client_secret}
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert call(shopify_server, "POST", "/admin/oauth/access_token", body=urlencode(fields), headers=form).status == 200
    reply = gql(shopify_server, "{ shop { name } }")
    assert (reply.status, reply.header("Retry-After")) == (503, "2.0")
    shopify_server.html_error_next(on="token")
    reply = call(shopify_server, "POST", "/admin/oauth/access_token", body=urlencode(fields), headers=form)
    assert reply.status == 502 and (reply.header("Content-Type") or "").startswith("text/html")


def test_shopify_malformed_html_delay_and_drop(shopify_server: ShopifyServer) -> None:
    shopify_server.malformed_next()
    broken = gql(shopify_server, "{ shop { name } }")
    assert broken.status == 200
    with pytest.raises(json.JSONDecodeError):
        _ = broken.json
    shopify_server.html_error_next()
    page = gql(shopify_server, "{ shop { name } }")
    assert page.status == 502 and b"<html>" in page.body
    shopify_server.delay_next(2)
    with pytest.raises(TimeoutError):
        gql(shopify_server, "{ shop { name } }", timeout=0.3)
    shopify_server.drop_next()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        gql(shopify_server, "{ shop { name } }")
    assert gql(shopify_server, "{ shop { name } }").status == 200


def test_shopify_scopes_and_the_60_day_window(shopify_factory: Callable[..., ShopifyServer]) -> None:
    no_customers = shopify_factory(scopes=("read_orders",))
    reply = gql(no_customers, '{ orders(first: 1, query: "email:ann@x.fr") { nodes { name customer { email } } } }')
    body = reply.json
    assert body["data"]["orders"]["nodes"][0]["customer"] is None
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    no_products = gql(no_customers, "{ products(first: 1) { nodes { title } } }").json
    assert no_products["data"] is None and no_products["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    all_orders = shopify_factory(scopes=("read_orders", "read_all_orders", "read_customers"))
    found = emails(gql(all_orders, NAMES, {"q": "email:ann@x.fr", "first": 50}))
    assert found.count("ann@x.fr") == 3  # plus the 90-day-old one


def test_shopify_protected_customer_data_refused(shopify_factory: Callable[..., ShopifyServer]) -> None:
    server = shopify_factory(protected_customer_data=False)
    query = '{ orders(first: 1, query: "name:1010") { nodes { name email shippingAddress { city } } } }'
    body = gql(server, query).json
    assert body["data"]["orders"]["nodes"] == [{"name": "#1010", "email": None, "shippingAddress": None}]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"ACCESS_DENIED"}


def test_shopify_keep_alive_and_stop_with_an_idle_connection(shopify_factory: Callable[..., ShopifyServer]) -> None:
    server = shopify_factory(seed=False)
    conn = http.client.HTTPSConnection(server.host, server.port, context=server.pki.client_context(), timeout=5)
    try:
        headers = {"Content-Type": "application/json", "X-Shopify-Access-Token": server.access_token or ""}
        for _ in range(2):
            conn.request("POST", "/admin/api/2026-07/graphql.json", body=json.dumps({"query": "{ shop { name } }"}),
                         headers=headers)
            assert conn.getresponse().read()
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 3
    finally:
        conn.close()


# --- WooCommerce -----------------------------------------------------------------------------------------------------

def basic(server: WooServer, key: str | None = None, secret: str | None = None) -> dict[str, str]:
    pair = f"{key or server.consumer_key}:{secret or server.consumer_secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def woo(server: WooServer, route: str, params: dict[str, Any] | None = None, *, auth: bool = True,
        headers: dict[str, str] | None = None, **kwargs: Any) -> Reply:
    path = urlsplit(server.api_url).path + route
    if params:
        path += "?" + urlencode(params)
    return call(server, kwargs.pop("method", "GET"), path,
                headers={**(basic(server) if auth else {}), **(headers or {})}, **kwargs)


def test_woo_basic_auth_and_the_log(woo_server: WooServer) -> None:
    reply = woo(woo_server, "/orders", {"per_page": 1})
    assert reply.status == 200 and len(reply.json) == 1
    assert reply.header("Content-Type") == "application/json; charset=utf-8"
    assert woo_server.last_request.headers["authorization"] == basic(woo_server)["Authorization"]


@pytest.mark.parametrize(("key", "secret", "code", "message"), [
    (None, None, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    ("ck_wrong", None, "woocommerce_rest_authentication_error", "Consumer key is invalid."),
    (WooServer.CONSUMER_KEY, "cs_wrong", "woocommerce_rest_authentication_error", "Consumer secret is invalid."),
])
def test_woo_auth_errors(woo_server: WooServer, key: str | None, secret: str | None, code: str, message: str) -> None:
    headers = {} if key is None else basic(woo_server, key, secret)
    reply = woo(woo_server, "/orders", auth=False, headers=headers)
    assert reply.status == 401
    assert reply.json == {"code": code, "message": message, "data": {"status": 401}}


def test_woo_single_resource_without_auth(woo_server: WooServer) -> None:
    order_id = next(iter(woo_server.orders))
    reply = woo(woo_server, f"/orders/{order_id}", auth=False)
    assert reply.json == {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot view this resource.",
                          "data": {"status": 401}}


def test_woo_query_string_auth_when_the_header_is_stripped(woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(strip_authorization=True)
    assert woo(server, "/orders").json["code"] == "woocommerce_rest_cannot_view"
    assert server.last_request.headers["authorization"].startswith("Basic ")  # sent, but dropped on the way
    reply = woo(server, "/orders", {"consumer_key": server.consumer_key, "consumer_secret": server.consumer_secret,
                                    "per_page": 2}, auth=False)
    assert reply.status == 200 and len(reply.json) == 2
    assert "consumer_secret=" in (reply.header("Link") or "")  # WordPress echoes the query string in Link


def test_woo_plain_http_ignores_keys(woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(tls=False)
    assert server.url.startswith("http://")
    reply = woo(server, "/orders", {"consumer_key": server.consumer_key, "consumer_secret": server.consumer_secret})
    assert reply.status == 401 and reply.json["code"] == "woocommerce_rest_cannot_view"


def test_woo_write_only_key_cannot_read(woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(key_permissions="write")
    reply = woo(server, "/orders")
    assert reply.status == 401
    assert reply.json["message"] == "The API key provided does not have read permissions."


def test_woo_rest_disabled_is_404_everywhere(woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(rest_disabled=True)
    for path in ("/wp-json/", "/wp-json/wc/v3", "/wp-json/wc/v3/orders", "/wp-json/wc/v3/system_status"):
        reply = call(server, "GET", path, headers=basic(server))
        assert reply.status == 404, path
        assert reply.json == {"code": "rest_no_route",
                              "message": "No route was found matching the URL and request method.",
                              "data": {"status": 404}}


def test_woo_unknown_routes_and_writes(woo_server: WooServer) -> None:
    assert woo(woo_server, "/orders/abc").json["code"] == "rest_no_route"
    assert woo(woo_server, "/coupons").status == 404
    write = woo(woo_server, "/orders", method="POST", body="{}")
    assert write.status == 401 and "write permissions" in write.json["message"]


def test_woo_search_is_loose_and_customer_is_a_user_id(woo_server: WooServer) -> None:
    found = woo(woo_server, "/orders", {"search": "ann@x.fr", "per_page": 100}).json
    billed = sorted(o["billing"]["email"] for o in found)
    assert billed == ["Ann@x.fr", "ann@x.fr", "ann@x.fr", "ann@x.fr", "ann@x.free.fr", "joann@x.fr", "joann@x.fr"]
    assert len(woo_server.orders_for("ann@x.fr")) == 4
    guests = [o for o in found if o["billing"]["email"] == "ann@x.fr" and o["customer_id"] == 0]
    assert len(guests) == 1  # placed before she registered
    [customer] = woo(woo_server, "/customers", {"email": "ANN@x.fr"}).json
    assert customer["id"] == 12 and customer["email"] == "ann@x.fr"
    by_id = woo(woo_server, "/orders", {"customer": 12}).json
    assert len(by_id) == 3 and all(o["customer_id"] == 12 for o in by_id)
    assert woo(woo_server, "/customers", {"email": "joann@x.fr"}).json == []  # a guest: no account
    assert woo(woo_server, "/orders", {"customer": "ann@x.fr"}).json["code"] == "rest_invalid_param"


def test_woo_pagination_headers(woo_server: WooServer) -> None:
    first = woo(woo_server, "/orders", {"search": "marie.dupont@example.fr", "per_page": 10})
    assert (first.header("X-WP-Total"), first.header("X-WP-TotalPages")) == ("12", "2")
    assert len(first.json) == 10
    link = first.header("Link")
    assert link is not None and link.endswith('rel="next"') and "page=2" in link
    dates = [o["date_created_gmt"] for o in first.json]
    assert dates == sorted(dates, reverse=True)
    second = woo(woo_server, "/orders", {"search": "marie.dupont@example.fr", "per_page": 10, "page": 2})
    assert len(second.json) == 2 and 'rel="prev"' in (second.header("Link") or "")
    assert 'rel="next"' not in (second.header("Link") or "")
    assert {o["id"] for o in first.json}.isdisjoint(o["id"] for o in second.json)
    beyond = woo(woo_server, "/orders", {"search": "marie.dupont@example.fr", "page": 9})
    assert beyond.status == 200 and beyond.json == [] and beyond.header("X-WP-Total") == "12"
    too_big = woo(woo_server, "/orders", {"per_page": 101})
    assert too_big.status == 400 and too_big.json["code"] == "rest_invalid_param"
    assert too_big.json["data"]["params"] == {"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"}


def test_woo_order_shape_tracking_meta_and_endpoint(woo_server: WooServer) -> None:
    order_id = woo_server.orders_for("ann@x.fr")[2]["id"]  # 20 days ago: delivered, partly refunded
    order = woo(woo_server, f"/orders/{order_id}").json
    assert order["number"] == str(order_id) and order["status"] == "completed" and order["customer_id"] == 12
    assert order["total"] == "63.70" and order["shipping_total"] == "4.90"
    assert order["refunds"][0]["reason"] == "Savon cassé à la livraison" and order["refunds"][0]["total"] == "-9.90"
    tablier = next(i for i in order["line_items"] if i["sku"] == "TAB-LIN-M")
    assert tablier["price"] == 39 and tablier["variation_id"] > 0
    assert tablier["meta_data"][0]["display_value"] == "M"
    [meta] = [m for m in order["meta_data"] if m["key"] == "_wc_shipment_tracking_items"]
    assert meta["value"][0]["tracking_number"] == "6A12345678901"
    assert meta["value"][0]["tracking_provider"] == "colissimo"
    path = urlsplit(woo_server.tracking_api_url).path + f"/orders/{order_id}/shipment-trackings"
    [tracking] = call(woo_server, "GET", path, headers=basic(woo_server)).json
    assert tracking["tracking_provider"] == "Colissimo"
    assert tracking["tracking_link"] == "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"
    assert tracking["tracking_id"] == meta["value"][0]["tracking_id"]
    missing = woo(woo_server, "/orders/1")
    assert (missing.status, missing.json["code"]) == (404, "woocommerce_rest_shop_order_invalid_id")


def test_woo_tracking_meta_hidden_and_plugin_absent(woo_factory: Callable[..., WooServer]) -> None:
    hidden = woo_factory(expose_tracking_meta=False)
    order = hidden.orders_for("joann@x.fr")[1]
    meta = woo(hidden, f"/orders/{order['id']}").json["meta_data"]
    assert all(m["key"] != "_wc_shipment_tracking_items" for m in meta)
    path = urlsplit(hidden.tracking_api_url).path + f"/orders/{order['id']}/shipment-trackings"
    assert call(hidden, "GET", path, headers=basic(hidden)).json[0]["tracking_number"] == "1234567890"
    absent = woo_factory(shipment_tracking=False)
    path = urlsplit(absent.tracking_api_url).path + f"/orders/{order['id']}/shipment-trackings"
    assert call(absent, "GET", path, headers=basic(absent)).json["code"] == "rest_no_route"


def test_woo_order_numbers_from_a_plugin(woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(number_prefix="CMD-")
    order = server.order_by_number("CMD-1005")
    assert order["id"] != 1005
    found = woo(server, "/orders", {"search": "CMD-1005"}).json
    assert [o["id"] for o in found] == [order["id"]]


def test_woo_rest_route_fallback_and_fields(woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(pretty_permalinks=False)
    assert call(server, "GET", "/wp-json/wc/v3/orders", headers=basic(server)).status == 404  # the theme's page
    reply = call(server, "GET", "/?" + urlencode({"rest_route": "/wc/v3/orders", "per_page": 2,
                                                 "_fields": "id,number,billing.email"}), headers=basic(server))
    assert reply.status == 200
    assert [set(o) for o in reply.json] == [{"id", "number", "billing"}] * 2
    assert set(reply.json[0]["billing"]) == {"email"}
    assert "rest_route=" in (reply.header("Link") or "")


def test_woo_products_skus_and_variations(woo_server: WooServer) -> None:
    [soap] = woo(woo_server, "/products", {"sku": "SAV-ALEP-200"}).json
    assert soap["price"] == "9.90" and soap["permalink"].startswith(woo_server.url + "/produit/")
    assert woo(woo_server, "/products", {"sku": "TAB-LIN-M"}).json == []  # a variation's SKU
    [apron] = woo(woo_server, "/products", {"search": "tablier"}).json
    variations = woo(woo_server, f"/products/{apron['id']}/variations").json
    assert [v["sku"] for v in variations] == ["TAB-LIN-S", "TAB-LIN-M", "TAB-LIN-L"]
    assert variations[2]["stock_status"] == "outofstock"


def test_woo_indexes_and_system_status(woo_server: WooServer) -> None:
    site = call(woo_server, "GET", "/wp-json/").json
    assert "wc/v3" in site["namespaces"] and "wc-shipment-tracking/v3" in site["namespaces"]
    assert woo(woo_server, "", auth=False).status == 200  # the namespace index is public…
    assert woo(woo_server, "", headers=basic(woo_server, secret="cs_wrong")).status == 401  # …but checks given keys
    assert woo(woo_server, "/system_status", auth=False).status == 401
    status = woo(woo_server, "/system_status").json
    assert status["environment"]["version"] == woo_server.wc_version
    assert status["settings"]["currency"] == "EUR"


def test_woo_faults(woo_server: WooServer) -> None:
    woo_server.rate_limit_next(1, retry_after=1.0)
    limited = woo(woo_server, "/orders")
    assert (limited.status, limited.header("Retry-After")) == (429, "1")
    assert (limited.header("Content-Type") or "").startswith("text/html")
    woo_server.unavailable_next(1, retry_after="Wed, 21 Oct 2026 07:28:00 GMT")
    down = woo(woo_server, "/orders")
    assert down.status == 503 and down.header("Retry-After") == "Wed, 21 Oct 2026 07:28:00 GMT"
    assert b"Briefly unavailable for scheduled maintenance" in down.body
    woo_server.php_notice_next()
    noisy = woo(woo_server, "/orders", {"per_page": 1})
    assert noisy.status == 200 and noisy.body.startswith(b"<br />")
    assert json.loads(noisy.body[noisy.body.index(b"["):])[0]["id"]
    woo_server.malformed_next()
    with pytest.raises(json.JSONDecodeError):
        _ = woo(woo_server, "/orders").json
    woo_server.delay_next(2)
    with pytest.raises(TimeoutError):
        woo(woo_server, "/orders", timeout=0.3)
    assert woo(woo_server, "/orders").status == 200
    assert [r.fault for r in woo_server.requests] == ["rate_limit", "unavailable", "php_notice", "malformed", "delay",
                                                      None]


def test_servers_close_cleanly(platform_pki: Pki) -> None:
    for server in (ShopifyServer(platform_pki), WooServer(platform_pki)):
        server.start()
        port = server.port
        with socket.create_connection((server.host, port), timeout=2):
            time.sleep(0.1)  # a client that connects and says nothing must not hold the server up
            started = time.monotonic()
            server.stop()
            assert time.monotonic() - started < 3
        with pytest.raises(OSError), socket.create_connection((server.host, port), timeout=1):
            pass
        assert server.errors == []
