"""The Shopify and WooCommerce clients against the fake platforms (tests/platform_servers): real HTTPS on loopback,
real GraphQL and REST, scripted failures. Nothing in the clients is mocked; waits go through the `sleep` injection
so they can be checked (and, where the fake's rate-limit bucket needs it, really slept)."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest

from desktop.core.platforms import PlatformClient, PlatformError
from desktop.platforms.shopify import DEFAULT_API_VERSION, ShopifyClient
from desktop.platforms.woocommerce import WooCommerceClient
from tests.platform_servers.shopify import ShopifyServer
from tests.platform_servers.woocommerce import WooServer

# --- helpers -----------------------------------------------------------------------------------------------------


@dataclass
class Egress:
    """The egress recorder: what a client reported, one tuple per HTTP request."""

    calls: list[tuple[str, str, int, int, str]] = field(default_factory=list)

    def __call__(self, host: str, purpose: str, bytes_out: int, bytes_in: int, status: str) -> None:
        self.calls.append((host, purpose, bytes_out, bytes_in, status))

    def assert_clean(self, secrets: list[str]) -> None:
        for call in self.calls:
            _host, purpose, bytes_out, bytes_in, status = call
            assert isinstance(bytes_out, int) and bytes_out > 0 and isinstance(bytes_in, int) and bytes_in >= 0
            assert purpose and status
            for secret in secrets:
                assert secret not in " ".join(map(str, call)), call


@dataclass
class Sleeper:
    """The injected sleep: records every wait; really sleeps up to `real` seconds of each (0: never)."""

    real: float = 0.0
    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self.real:
            time.sleep(min(seconds, self.real))


def assert_no_secret(exc: BaseException, secrets: list[str]) -> None:
    for text in (str(exc), repr(exc), getattr(exc, "message", ""), getattr(exc, "hint", "")):
        for secret in secrets:
            assert secret not in text


def woo_auth(server: WooServer) -> str:
    return "Basic " + base64.b64encode(f"{server.consumer_key}:{server.consumer_secret}".encode()).decode()


SHOPIFY_SECRETS = [ShopifyServer.ACCESS_TOKEN, ShopifyServer.CLIENT_SECRET]
WOO_SECRETS = [WooServer.CONSUMER_KEY, WooServer.CONSUMER_SECRET]


class Clients:
    """Builds clients wired to a fake server, the recorder and the sleeper; closes them all at the end."""

    def __init__(self) -> None:
        self.egress = Egress()
        self.sleeper = Sleeper()
        self.made: list[ShopifyClient | WooCommerceClient] = []
        self.secrets: list[str] = list(SHOPIFY_SECRETS + WOO_SECRETS)

    def shopify(self, server: ShopifyServer, **kwargs: Any) -> ShopifyClient:
        if "client_id" not in kwargs:
            kwargs.setdefault("access_token", server.access_token)
        kwargs.setdefault("base_url", server.url)
        kwargs.setdefault("verify", server.ca_file)
        kwargs.setdefault("on_call", self.egress)
        kwargs.setdefault("sleep", self.sleeper)
        client = ShopifyClient(kwargs.pop("shop_domain", server.netloc), **kwargs)
        self.made.append(client)
        return client

    def woo(self, server: WooServer, **kwargs: Any) -> WooCommerceClient:
        kwargs.setdefault("verify", server.ca_file)
        kwargs.setdefault("on_call", self.egress)
        kwargs.setdefault("sleep", self.sleeper)
        client = WooCommerceClient(kwargs.pop("site_url", server.url), kwargs.pop("key", server.consumer_key),
                                   kwargs.pop("secret", server.consumer_secret), **kwargs)
        self.made.append(client)
        return client

    def close(self) -> None:
        for client in self.made:
            client.close()


@pytest.fixture
def clients() -> Iterator[Clients]:
    made = Clients()
    try:
        yield made
    finally:
        made.close()
    made.egress.assert_clean(made.secrets)  # every test: nothing secret ever reached the egress ledger


def graphql_requests(server: ShopifyServer) -> list[Any]:
    return server.requests_to("/graphql.json")


def token_requests(server: ShopifyServer) -> list[Any]:
    return server.requests_to("/admin/oauth/access_token")


def digits(name: str) -> str:
    return name.lstrip("#")


# --- the protocol ---------------------------------------------------------------------------------------------------


def test_both_clients_implement_the_platform_protocol(clients: Clients, shopify_server: ShopifyServer,
                                                       woo_server: WooServer) -> None:
    shop: PlatformClient = clients.shopify(shopify_server)
    woo: PlatformClient = clients.woo(woo_server)
    assert (shop.platform, woo.platform) == ("shopify", "woocommerce")
    assert shop.host == shopify_server.netloc and woo.host == woo_server.netloc
    for client in (shop, woo):
        text = repr(client)
        for secret in SHOPIFY_SECRETS + WOO_SECRETS:
            assert secret not in text


# --- Shopify: auth ---------------------------------------------------------------------------------------------------


def test_shopify_static_token_is_sent_in_its_header_and_test_reports_the_shop(
        clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server)
    lines = client.test()
    assert "Atelier Lumière" in lines[0] and "atelier-lumiere.myshopify.com" in lines[0] and "EUR" in lines[0]
    assert any("read_orders" in line for line in lines)
    requests = graphql_requests(shopify_server)
    assert len(requests) == 2
    for request in requests:
        assert request.path == f"/admin/api/{DEFAULT_API_VERSION}/graphql.json"
        assert request.headers["x-shopify-access-token"] == shopify_server.access_token
        assert request.headers["content-type"].startswith("application/json")
        assert set(request.json) >= {"query", "variables"}
    assert not token_requests(shopify_server)
    assert [c[0] for c in clients.egress.calls] == [shopify_server.netloc] * 2
    assert [c[4] for c in clients.egress.calls] == ["200", "200"]


def test_shopify_wrong_token_is_a_clear_error(clients: Clients, shopify_server: ShopifyServer) -> None:
    wrong = "shpat_00000000000000000000000000000bad"
    clients.secrets.append(wrong)
    client = clients.shopify(shopify_server, access_token=wrong)
    with pytest.raises(PlatformError, match="refused the access token") as caught:
        client.orders_by_email("ann@x.fr")
    assert "token" in caught.value.hint
    assert_no_secret(caught.value, [wrong, *SHOPIFY_SECRETS])
    assert len(graphql_requests(shopify_server)) == 1  # a static token is not retried
    assert clients.egress.calls[-1][4] == "401"


def test_shopify_client_credentials_grant(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server, client_id=shopify_server.client_id,
                             client_secret=shopify_server.client_secret)
    assert client.orders_by_email("ann@x.fr")
    client.test()
    grants = token_requests(shopify_server)
    assert len(grants) == 1  # the token is reused until it expires
    form = {k: v[-1] for k, v in parse_qs(grants[0].body.decode()).items()}
    assert form == {"grant_type": "client_credentials", "client_id": shopify_server.client_id,
                    "client_secret": shopify_server.client_secret}
    issued = set(shopify_server.issued_tokens)
    clients.secrets.extend(issued)
    assert {r.headers["x-shopify-access-token"] for r in graphql_requests(shopify_server)} == issued
    assert client.granted_scopes is not None and "read_orders" in client.granted_scopes
    assert clients.egress.calls[0][1].startswith("shopify sign-in")


def test_shopify_wrong_client_secret_is_a_clear_error(clients: Clients, shopify_server: ShopifyServer) -> None:
    wrong = "shpss_0000000000000000000000000000dead"
    clients.secrets.append(wrong)
    client = clients.shopify(shopify_server, client_id=shopify_server.client_id, client_secret=wrong)
    with pytest.raises(PlatformError, match="client ID or secret") as caught:
        client.test()
    assert_no_secret(caught.value, [wrong, *SHOPIFY_SECRETS])
    assert not graphql_requests(shopify_server)


def test_shopify_token_revoked_mid_session_is_renewed_once(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server, client_id=shopify_server.client_id,
                             client_secret=shopify_server.client_secret)
    first = client.orders_by_email("ann@x.fr")
    shopify_server.expire_tokens()
    assert client.orders_by_email("ann@x.fr") == first
    clients.secrets.extend(shopify_server.issued_tokens)
    assert len(token_requests(shopify_server)) == 2
    assert [r.status for r in graphql_requests(shopify_server)] == [200, 401, 200]


def test_shopify_token_is_renewed_before_it_expires(clients: Clients,
                                                    shopify_factory: Callable[..., ShopifyServer]) -> None:
    server = shopify_factory(token_lifetime=1)
    client = clients.shopify(server, client_id=server.client_id, client_secret=server.client_secret)
    client.test()
    time.sleep(1.05)
    client.test()
    clients.secrets.extend(server.issued_tokens)
    assert len(token_requests(server)) == 2
    assert all(r.status == 200 for r in graphql_requests(server))  # renewed in time: never a 401


# --- Shopify: lookups ------------------------------------------------------------------------------------------------


def test_shopify_orders_by_email_keeps_exact_matches_only(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server)
    orders = client.orders_by_email("ann@x.fr")
    expected = [o["name"] for o in shopify_server.orders_for("ann@x.fr") if shopify_server.visible(o)]
    assert [o.number for o in orders] == expected and len(expected) == 3  # the 4th is past the 60-day window
    assert {o.email.lower() for o in orders} == {"ann@x.fr"}  # joann@x.fr, ann@x.free.fr left out; Ann@x.fr kept
    assert "Ann@x.fr" in {o.email for o in orders}
    query = graphql_requests(shopify_server)[0].json
    assert "email:" in query["variables"]["query"] and "ann@x.fr" in query["variables"]["query"]
    assert "sortKey: CREATED_AT" in query["query"] and "reverse: true" in query["query"]
    assert [o.created_at for o in orders] == sorted((o.created_at for o in orders), reverse=True)

    shipped = next(o for o in orders if o.fulfillments and o.fulfillments[0].status == "in transit")
    assert shipped.platform == "shopify" and shipped.external_id.startswith("gid://shopify/Order/")
    assert shipped.fulfillments[0].tracking_number == "6A98765432109"
    assert shipped.fulfillments[0].carrier == "Colissimo"
    assert shipped.fulfillments[0].tracking_url.endswith("code=6A98765432109")
    assert shipped.financial_status == "paid" and shipped.fulfillment_status == "fulfilled"
    assert shipped.status == "paid · in transit"
    refunded = next(o for o in orders if o.refunds)
    assert refunded.financial_status == "partially refunded"
    assert refunded.refunds[0].amount in ("9.9", "9.90") and "cassé" in refunded.refunds[0].note
    assert refunded.fulfillments[0].status == "delivered"
    newest = orders[0]
    assert newest.fulfillment_status == "unfulfilled" and newest.status == "paid · not shipped yet"
    assert newest.note == "Merci d'emballer pour un cadeau"
    assert newest.currency == "EUR" and newest.total and len(newest.items) == 2
    assert newest.shipping_address["city"] == "Lyon" and newest.customer_name == "Ann Martin"


def test_shopify_orders_by_email_follows_cursors_over_several_pages(clients: Clients,
                                                                    shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server)
    orders = client.orders_by_email("marie.dupont@example.fr")
    assert [o.number for o in orders] == [o["name"] for o in shopify_server.orders_for("marie.dupont@example.fr")]
    assert len(orders) == 12
    requests = graphql_requests(shopify_server)
    assert len(requests) == 2
    assert requests[0].json["variables"]["after"] is None
    assert requests[1].json["variables"]["after"]  # the first page's endCursor
    assert len({o.external_id for o in orders}) == 12

    shopify_server.clear_log()
    assert len(client.orders_by_email("marie.dupont@example.fr", limit=5)) == 5
    assert len(graphql_requests(shopify_server)) == 1


def test_shopify_order_by_number(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server)
    wanted = shopify_server.orders_for("joann@x.fr")[0]
    order = client.order_by_number(f"commande n°{digits(wanted['name'])}")
    assert order is not None and order.number == wanted["name"] and order.email == "joann@x.fr"
    query = graphql_requests(shopify_server)[0].json["variables"]["query"]
    assert query == f"name:#{digits(wanted['name'])}"
    assert client.order_by_number("#99999") is None
    assert client.order_by_number("no number here") is None


def test_shopify_products(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server)
    products = client.products("Tablier")
    assert len(products) == 1
    apron = products[0]
    assert apron.title == "Tablier en lin" and apron.sku == "TAB-LIN-S" and apron.price.startswith("39")
    assert apron.currency == "EUR" and apron.stock == 24 and apron.url.startswith("https://")
    assert client.products("Huile") == []  # a draft is not for sale


# --- Shopify: rate limits and failures -------------------------------------------------------------------------------


def test_shopify_throttled_waits_as_the_bucket_says_then_succeeds(clients: Clients,
                                                                  shopify_server: ShopifyServer) -> None:
    clients.sleeper.real = 2.0  # the fake's bucket refills in real time
    client = clients.shopify(shopify_server)
    shopify_server.throttle_next(1, wait=0.8)
    orders = client.orders_by_email("ann@x.fr")
    assert len(orders) == 3
    assert len(clients.sleeper.waits) == 1 and 0.75 <= clients.sleeper.waits[0] <= 0.85
    requests = graphql_requests(shopify_server)
    assert len(requests) == 2 and requests[1].time - requests[0].time >= 0.75


def test_shopify_throttled_waits_at_least_half_a_second(clients: Clients, shopify_server: ShopifyServer) -> None:
    clients.sleeper.real = 2.0
    client = clients.shopify(shopify_server)
    shopify_server.throttle_next(1, wait=0.1)
    client.test()
    assert clients.sleeper.waits == [0.5]


def test_shopify_keeps_being_throttled_gives_up_with_a_clear_error(clients: Clients,
                                                                   shopify_server: ShopifyServer) -> None:
    clients.sleeper.real = 0.6
    client = clients.shopify(shopify_server)
    shopify_server.throttle_next(5, wait=0.5)
    with pytest.raises(PlatformError, match="THROTTLED"):
        client.orders_by_email("ann@x.fr")
    assert len(graphql_requests(shopify_server)) == 5 and len(clients.sleeper.waits) == 4


def test_shopify_paces_itself_when_the_bucket_runs_low(clients: Clients,
                                                       shopify_factory: Callable[..., ShopifyServer]) -> None:
    server = shopify_factory(restore_rate=1000.0)
    clients.sleeper.real = 2.0
    client = clients.shopify(server)
    client.orders_by_email("ann@x.fr")  # learns what this query costs (~720 points requested)
    server.set_available(100)
    client.test()  # learns, from the answers' throttleStatus, that the bucket is low
    client.orders_by_email("ann@x.fr")
    assert len(clients.sleeper.waits) == 1 and 0.3 < clients.sleeper.waits[0] < 0.7
    assert len(graphql_requests(server)) == 4  # waited before asking: never answered THROTTLED


def test_shopify_429_waits_retry_after_then_succeeds(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server)
    shopify_server.rate_limit_next(1, retry_after=3.0)
    assert len(client.orders_by_email("ann@x.fr")) == 3
    assert clients.sleeper.waits == [3.0]
    assert [r.status for r in graphql_requests(shopify_server)] == [429, 200]
    assert [c[4] for c in clients.egress.calls] == ["429", "200"]


def test_shopify_429_without_retry_after_waits_two_seconds(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server)
    shopify_server.rate_limit_next(1, retry_after=None)
    client.test()
    assert clients.sleeper.waits == [2.0]


def test_shopify_5xx_backs_off_exponentially(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server)
    shopify_server.unavailable_next(2)
    assert client.orders_by_email("ann@x.fr")
    assert clients.sleeper.waits == [1.0, 2.0]


def test_shopify_html_error_page_is_named(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server)
    shopify_server.html_error_next(4, status=502)
    with pytest.raises(PlatformError) as caught:
        client.orders_by_email("ann@x.fr")
    message = caught.value.message
    assert message.startswith("Shopify answered with something that is not JSON (HTTP 502)")
    assert "502 Bad Gateway" in message
    assert clients.sleeper.waits == [1.0, 2.0, 4.0]  # bounded: four tries
    assert len(graphql_requests(shopify_server)) == 4


def test_shopify_malformed_json_is_a_clear_error(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server)
    shopify_server.malformed_next(1)
    with pytest.raises(PlatformError, match=r"not JSON \(HTTP 200\)"):
        client.orders_by_email("ann@x.fr")


def test_shopify_timeout_is_a_clear_error(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server, timeout=0.5)
    shopify_server.delay_next(5)
    started = time.monotonic()
    with pytest.raises(PlatformError, match=r"did not answer within 0\.5 seconds"):
        client.test()
    assert time.monotonic() - started < 4
    assert clients.egress.calls[-1][4] == "timeout"


def test_shopify_dropped_connection_is_retried(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server)
    shopify_server.drop_next(1)
    assert client.test()
    assert [c[4] for c in clients.egress.calls][:2] == ["connection lost", "200"]


def test_shopify_missing_scope_is_named(clients: Clients, shopify_factory: Callable[..., ShopifyServer]) -> None:
    server = shopify_factory(scopes=("read_products",))
    client = clients.shopify(server)
    with pytest.raises(PlatformError, match="missing the permission read_orders") as caught:
        client.orders_by_email("ann@x.fr")
    assert "read_orders" in caught.value.hint


def test_shopify_protected_customer_data_is_explained(clients: Clients,
                                                      shopify_factory: Callable[..., ShopifyServer]) -> None:
    server = shopify_factory(protected_customer_data=False)
    client = clients.shopify(server)
    with pytest.raises(PlatformError, match="customer data") as caught:
        client.orders_by_email("ann@x.fr")
    assert "protected customer data" in caught.value.hint


def test_shopify_unknown_api_version_is_a_404_with_words(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server, api_version="2026-05")
    with pytest.raises(PlatformError, match="shop address or the API version") as caught:
        client.test()
    assert "2026-05" in caught.value.message


def test_shopify_old_api_version_is_reported_by_test(clients: Clients, shopify_server: ShopifyServer) -> None:
    client = clients.shopify(shopify_server, api_version="2025-01")
    lines = client.test()
    assert any("2025-10" in line and "2025-01" in line for line in lines)


def test_shopify_untrusted_and_expired_certificates(clients: Clients, shopify_server: ShopifyServer,
                                                    shopify_factory: Callable[..., ShopifyServer]) -> None:
    client = clients.shopify(shopify_server, verify=True)  # the system's authorities do not know the test CA
    with pytest.raises(PlatformError, match=r"certificate .* is not valid") as caught:
        client.test()
    assert "Nothing was sent" in caught.value.hint
    assert not shopify_server.requests  # the token never left
    expired = shopify_factory(cert="expired")
    with pytest.raises(PlatformError, match="expired"):
        clients.shopify(expired).test()
    assert clients.egress.calls[-1][4] == "tls error"


def test_shopify_connection_refused_and_unknown_host(clients: Clients, shopify_server: ShopifyServer) -> None:
    port = shopify_server.port
    shopify_server.stop()
    client = clients.shopify(shopify_server, base_url=f"https://127.0.0.1:{port}")
    with pytest.raises(PlatformError, match="refused the connection"):
        client.test()
    unknown = clients.shopify(shopify_server, shop_domain="no-such-shop.invalid", base_url="https://no-such-shop.invalid")
    with pytest.raises(PlatformError, match="could not be found"):
        unknown.test()


def test_shopify_refuses_plain_http_except_to_loopback(clients: Clients, shopify_server: ShopifyServer) -> None:
    with pytest.raises(PlatformError, match="HTTPS"):
        ShopifyClient("shop.example.com", access_token="shpat_x", base_url="http://shop.example.com")
    with pytest.raises(PlatformError, match="credentials"):
        ShopifyClient("shop.example.com")
    local = clients.shopify(shopify_server, base_url=f"http://127.0.0.1:{shopify_server.port}")
    assert local.host == shopify_server.netloc  # allowed (loopback); this server speaks TLS, so it fails cleanly
    with pytest.raises(PlatformError):
        local.test()


def test_shopify_shop_domain_is_normalised() -> None:
    with ShopifyClient("https://Atelier-Lumiere.myshopify.com/admin/orders", access_token="shpat_x") as client:
        assert client.host == "atelier-lumiere.myshopify.com"
    with ShopifyClient("atelier-lumiere", access_token="shpat_x") as client:
        assert client.host == "atelier-lumiere.myshopify.com"


# --- WooCommerce: auth -----------------------------------------------------------------------------------------------


def test_woo_basic_auth_and_test(clients: Clients, woo_server: WooServer) -> None:
    client = clients.woo(woo_server)
    lines = client.test()
    assert woo_server.netloc in lines[0] and "Authorization header" in lines[0]
    assert any("Orders can be read" in line for line in lines)
    request = woo_server.last_request
    assert request.path == "/wp-json/wc/v3/orders" and request.param("per_page") == "1"
    assert request.headers["authorization"] == woo_auth(woo_server)
    assert request.param("consumer_secret") is None
    assert client.auth_mode == "basic"


def test_woo_wrong_secret_is_a_clear_error(clients: Clients, woo_server: WooServer) -> None:
    wrong = "cs_0000000000000000000000000000000000000bad"
    clients.secrets.append(wrong)
    client = clients.woo(woo_server, secret=wrong)
    with pytest.raises(PlatformError, match="Consumer secret is invalid") as caught:
        client.orders_by_email("ann@x.fr")
    assert "REST API" in caught.value.hint
    assert_no_secret(caught.value, [wrong, *WOO_SECRETS])


def test_woo_key_without_read_permission(clients: Clients, woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(key_permissions="write")
    with pytest.raises(PlatformError, match="no read permission") as caught:
        clients.woo(server).test()
    assert "Read" in caught.value.hint


def test_woo_stripped_authorization_header_falls_back_to_the_query_string(
        clients: Clients, woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(strip_authorization=True)
    client = clients.woo(server)
    assert len(client.orders_by_email("ann@x.fr")) == 4
    assert client.auth_mode == "query"
    first, second, *_rest = server.requests_to("/wc/v3/orders")
    assert first.status == 401 and first.param("consumer_key") is None
    assert second.status == 200 and second.param("consumer_key") == server.consumer_key
    assert second.param("consumer_secret") == server.consumer_secret
    client.test()  # remembered: straight to the query form
    assert server.last_request.status == 200 and server.last_request.param("consumer_key") == server.consumer_key
    assert "address" in client.test()[0]
    assert [r.status for r in server.requests].count(401) == 1


def test_woo_query_mode_can_be_chosen_upfront(clients: Clients, woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(strip_authorization=True)
    client = clients.woo(server, auth_mode="query")
    client.test()
    assert [r.status for r in server.requests] == [200]
    assert "authorization" not in server.last_request.headers


# --- WooCommerce: lookups --------------------------------------------------------------------------------------------


def test_woo_orders_by_email_exact_matches_and_guest_orders(clients: Clients, woo_server: WooServer) -> None:
    client = clients.woo(woo_server)
    orders = client.orders_by_email("ann@x.fr")
    assert [o.number for o in orders] == [o["number"] for o in woo_server.orders_for("ann@x.fr")]
    assert len(orders) == 4
    assert {o.email.lower() for o in orders} == {"ann@x.fr"}  # joann@x.fr and ann@x.free.fr are left out
    assert any(o.raw["customer_id"] == 0 for o in orders)  # the guest order is found too
    listing = woo_server.requests_to("/wc/v3/orders")[0]
    assert listing.param("search") == "ann@x.fr" and listing.param("customer") is None
    assert listing.param("per_page") == "100" and listing.param("orderby") == "date"
    assert listing.param("order") == "desc"

    newest = orders[0]
    assert newest.status == "paid, to ship" and newest.financial_status == "paid"
    assert newest.fulfillment_status == "unfulfilled" and newest.note == "Merci d'emballer pour un cadeau"
    assert newest.created_at.endswith("Z") and newest.customer_name == "Ann Martin"
    shipped = orders[1]
    assert shipped.email == "Ann@x.fr" and shipped.status == "completed"
    assert shipped.fulfillments[0].carrier == "Colissimo"
    assert shipped.fulfillments[0].tracking_number == "6A98765432109"
    assert shipped.fulfillments[0].tracking_url == "https://www.laposte.fr/outils/suivre-vos-envois?code=6A98765432109"
    refunded = orders[2]
    assert refunded.refunds[0].amount == "9.90" and "partially refunded" in refunded.status
    assert refunded.items[0].sku == "SAV-ALEP-200" and refunded.items[0].quantity == 2
    assert refunded.items[1].variant == "Taille: M"


def test_woo_orders_by_email_reads_every_page(clients: Clients, woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(seed=False)
    for i in range(130):
        server.add_order(billing={"first_name": "Bulk", "last_name": str(i), "email": "bulk@x.fr"})
    for i in range(30):
        server.add_order(billing={"first_name": "Other", "last_name": str(i), "email": "xbulk@x.fr"})
    client = clients.woo(server)
    orders = client.orders_by_email("bulk@x.fr", limit=500)
    assert len(orders) == 130 and {o.email for o in orders} == {"bulk@x.fr"}
    pages = [r.param("page") for r in server.requests_to("/wc/v3/orders")]
    assert pages == ["1", "2"]
    server.clear_log()
    assert len(client.orders_by_email("bulk@x.fr", limit=10)) == 10
    assert [r.param("page") for r in server.requests_to("/wc/v3/orders")] == ["1"]


def test_woo_order_by_number(clients: Clients, woo_server: WooServer) -> None:
    client = clients.woo(woo_server)
    wanted = woo_server.orders_for("joann@x.fr")[0]
    order = client.order_by_number(f"#{wanted['number']}")
    assert order is not None and order.number == wanted["number"] and order.email == "joann@x.fr"
    assert woo_server.requests_to("/wc/v3/orders")[0].path == f"/wp-json/wc/v3/orders/{wanted['id']}"
    assert client.order_by_number("99999") is None


def test_woo_order_by_number_with_a_sequential_numbers_plugin(clients: Clients,
                                                              woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(number_prefix="CMD-")
    client = clients.woo(server)
    wanted = server.orders_for("hans.mueller@example.de")[0]
    order = client.order_by_number(f"ma commande {wanted['number']}")
    assert order is not None and order.number == wanted["number"] and order.email == "hans.mueller@example.de"
    assert server.requests_to("/wc/v3/orders")[-1].param("search") == wanted["number"].removeprefix("CMD-")


def test_woo_tracking_from_the_endpoint_when_meta_is_hidden(clients: Clients,
                                                            woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(expose_tracking_meta=False)
    client = clients.woo(server)
    orders = client.orders_by_email("hans.mueller@example.de")
    assert orders[0].fulfillments[0].tracking_number == "2345678901"
    assert orders[0].fulfillments[0].tracking_url.startswith("https://www.dhl.com/")
    assert server.requests_to("/wc-shipment-tracking/v3/orders/")


def test_woo_without_the_tracking_plugin_asks_once(clients: Clients, woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(shipment_tracking=False, expose_tracking_meta=False)
    client = clients.woo(server)
    orders = client.orders_by_email("marie.dupont@example.fr")
    assert len(orders) == 12
    assert len(server.requests_to("/wc-shipment-tracking/")) == 1  # 404 rest_no_route: not asked again
    assert all(not f.tracking_number for o in orders for f in o.fulfillments)


def test_woo_tracking_without_link_gets_a_carrier_url(clients: Clients, woo_server: WooServer) -> None:
    client = clients.woo(woo_server)
    orders = client.orders_by_email("marie.dupont@example.fr")
    relay = next(f for o in orders for f in o.fulfillments if f.tracking_number == "48213377")
    assert relay.carrier == "Mondial Relay" and "mondialrelay" in relay.tracking_url
    assert not woo_server.requests_to("/wc-shipment-tracking/")  # the meta had it all


def test_woo_products(clients: Clients, woo_server: WooServer) -> None:
    client = clients.woo(woo_server)
    products = client.products("Savon")
    assert [p.title for p in products] == ["Savon d'Alep 200 g"] and products[0].price == "9.90"
    assert products[0].url.endswith("/produit/savon-d-alep-200-g/")
    by_sku = client.products("BOU-FIGUE")
    assert [p.sku for p in by_sku] == ["BOU-FIGUE"]
    assert woo_server.last_request.param("sku") == "BOU-FIGUE"
    assert client.products("Huile") == []  # a draft
    assert client.products("HUI-MASS") == []  # not by its SKU either


# --- WooCommerce: failures -------------------------------------------------------------------------------------------


def test_woo_rest_api_disabled(clients: Clients, woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(rest_disabled=True)
    with pytest.raises(PlatformError, match="the WooCommerce REST API is disabled or the site URL is wrong"):
        clients.woo(server).test()


def test_woo_wrong_site_url_gives_the_same_words(clients: Clients, woo_server: WooServer) -> None:
    client = clients.woo(woo_server, site_url=woo_server.url + "/not-wordpress")
    with pytest.raises(PlatformError, match="REST API is disabled or the site URL is wrong"):
        client.test()


def test_woo_plain_permalinks_use_rest_route(clients: Clients, woo_factory: Callable[..., WooServer]) -> None:
    server = woo_factory(pretty_permalinks=False)
    client = clients.woo(server)
    assert len(client.orders_by_email("ann@x.fr")) == 4
    last = server.last_request
    assert last.path == "/" and last.param("rest_route") == "/wc/v3/orders"


def test_woo_429_waits_retry_after(clients: Clients, woo_server: WooServer) -> None:
    client = clients.woo(woo_server)
    woo_server.rate_limit_next(1, retry_after=4)
    client.test()
    assert clients.sleeper.waits == [4.0]
    assert [r.status for r in woo_server.requests] == [429, 200]


def test_woo_retry_after_too_long_is_not_waited(clients: Clients, woo_server: WooServer) -> None:
    client = clients.woo(woo_server)
    woo_server.rate_limit_next(1, retry_after=600)
    with pytest.raises(PlatformError, match="wait 600 seconds"):
        client.test()
    assert clients.sleeper.waits == []


def test_woo_maintenance_page(clients: Clients, woo_server: WooServer) -> None:
    client = clients.woo(woo_server)
    woo_server.unavailable_next(4)
    with pytest.raises(PlatformError, match=r"not JSON \(HTTP 503\).*Maintenance"):
        client.test()
    assert clients.sleeper.waits == [1.0, 2.0, 4.0]


def test_woo_php_notice_before_json_is_tolerated(clients: Clients, woo_server: WooServer) -> None:
    client = clients.woo(woo_server)
    woo_server.php_notice_next(1)
    assert len(client.orders_by_email("ann@x.fr")) == 4


def test_woo_malformed_json(clients: Clients, woo_server: WooServer) -> None:
    client = clients.woo(woo_server)
    woo_server.malformed_next(1)
    with pytest.raises(PlatformError, match=r"WooCommerce answered with something that is not JSON \(HTTP 200\)"):
        client.orders_by_email("ann@x.fr")


def test_woo_timeout(clients: Clients, woo_server: WooServer) -> None:
    client = clients.woo(woo_server, timeout=0.5)
    woo_server.delay_next(5)
    with pytest.raises(PlatformError, match=r"WooCommerce did not answer within 0\.5 seconds"):
        client.orders_by_email("ann@x.fr")


def test_woo_refuses_plain_http_except_to_loopback(woo_server: WooServer) -> None:
    with pytest.raises(PlatformError, match="HTTPS"):
        WooCommerceClient("http://boutique.example.fr", "ck_x", "cs_y")
    with pytest.raises(PlatformError, match="key or secret is missing"):
        WooCommerceClient("https://boutique.example.fr", "ck_x", "")
    with WooCommerceClient("boutique.example.fr/wp-admin/", "ck_x", "cs_y") as client:
        assert client.site_url == "https://boutique.example.fr"
    with WooCommerceClient("http://localhost:8080", "ck_x", "cs_y") as client:
        assert client.host == "localhost:8080"


def test_every_call_is_recorded(clients: Clients, shopify_server: ShopifyServer, woo_factory: Callable[..., WooServer]
                                ) -> None:
    shop = clients.shopify(shopify_server, client_id=shopify_server.client_id,
                           client_secret=shopify_server.client_secret)
    shop.test()
    shop.orders_by_email("marie.dupont@example.fr")
    woo_site = woo_factory(strip_authorization=True, expose_tracking_meta=False)
    woo = clients.woo(woo_site)
    woo.orders_by_email("ann@x.fr")
    woo.order_by_number("#123456")
    clients.secrets.extend(shopify_server.issued_tokens)
    by_host: dict[str, int] = {}
    for host, *_ in clients.egress.calls:
        by_host[host] = by_host.get(host, 0) + 1
    assert by_host == {shopify_server.netloc: len(shopify_server.requests),
                       woo_site.netloc: len(woo_site.requests)}
    purposes = {c[1] for c in clients.egress.calls}
    assert {"shopify sign-in (client credentials)", "shopify connection test", "shopify orders by e-mail",
            "woocommerce orders by e-mail", "woocommerce shipment tracking",
            "woocommerce order by number"} <= purposes
