"""Order look-ups: Comptoir's Shopify/WooCommerce clients against a bare HTTP request, and the order cache.

Two measurements, in one run:

1. Look-up overhead. The contract servers of the tests (`tests/platform_servers`: Shopify GraphQL Admin API and
   WooCommerce REST v3, HTTPS on loopback with a certificate from a throwaway CA) hold the demo shop plus one
   customer with 5 orders (tracking, a refund, variants). For each platform, interleaved in a rotating order:
   - `ShopifyClient.orders_by_email` / `WooCommerceClient.orders_by_email` (one client, kept open: keep-alive);
   - a bare `httpx.Client` (kept open, same pool limits, same TLS verification: certifi + system + the test CA,
     TLS ≥ 1.2) sending exactly the request the client sent (POST body, query string and headers captured from the
     server's request log), reading the body;
   - the same bare request plus `json.loads` of the answer (information).
   Wall time and the CPU time of the calling thread (the servers run in other threads of this process) are kept;
   target: client median ≤ 1.2× bare median. Then, for information, the full service path
   `PlatformService.customer_orders(customer_id, refresh=True)` in an ephemeral workspace (new client per call,
   egress ledger, cache writes in SQLCipher), with two what-ifs to size a fix (see bench/README.md).
2. Cache hits. An ephemeral workspace with 10,000 cached orders of 2,000 customers written by
   `platform_repo.cache_orders`; `customer_orders(customer_id)` for 1,000 random customers while the cache is
   fresh (no network: checked on the servers' request logs); target p95 ≤ 5 ms. Raw `platform_repo.cached_orders`
   timed on the DB thread, for information.

The test servers' request handler does not set TCP_NODELAY, so their answer (headers, then body, in two writes)
stalls on Nagle's algorithm and delayed ACKs. Real shops (nginx, Cloudflare) set it; so does this benchmark
(`disable_nagle_algorithm` on the handler class, in this process only), and it measures the servers as shipped
separately, for information.

Run from the repo root: `python -m bench.platforms [--lookups 200] [--cache-lookups 1000] [--write-results]`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import itertools
import json
import os
import random
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import certifi
import httpx

from bench.common import (
    fmt_bytes,
    machine_info,
    median,
    now_utc,
    percentile,
    replace_section,
    reproduce_command,
    work_dir,
)

SECTION = "platforms"
EMAIL = "camille.laurent@example.fr"
RATIO_TARGET = 1.2
CACHE_P95_TARGET = 0.005
NAGLE_LOOKUPS = 40
WARMUP = 10
PLATFORMS = ("shopify", "woocommerce")
LOOKUP_KINDS = ("client", "bare", "bare+json")
SERVICE_KINDS = ("as is", "cached TLS context", "client kept per shop")
Log = Callable[[str], None]

# The bench customer's five orders: (days ago, [(sku, quantity)], state, (carrier, number) or None, refund or None)
CATALOG = {
    "SAV-ALEP-200": ("Savon d'Alep 200 g", "", "9.90"),
    "BOU-FIGUE": ("Bougie parfumée figue", "", "24.00"),
    "TAB-LIN-M": ("Tablier en lin", "M", "39.00"),
    "TAB-LIN-S": ("Tablier en lin", "S", "39.00"),
    "COF-DECOUV": ("Coffret découverte", "", "49.90"),
    "HUI-MASS": ("Huile de massage", "", "18.50"),
    "CARTE-30": ("Carte cadeau 30 €", "", "30.00"),
}
BENCH_ORDERS: tuple[tuple[int, tuple[tuple[str, int], ...], str, tuple[str, str] | None, tuple[str, str] | None],
                    ...] = (
    (50, (("SAV-ALEP-200", 2),), "delivered", ("Colissimo", "6A30000000050"), None),
    (34, (("TAB-LIN-M", 1), ("BOU-FIGUE", 1), ("SAV-ALEP-200", 1)), "delivered", ("Chronopost", "XY135792468FR"),
     None),
    (21, (("COF-DECOUV", 1), ("SAV-ALEP-200", 1)), "delivered", ("Colissimo", "6A30000000021"),
     ("9.90", "Savon cassé à la livraison")),
    (10, (("HUI-MASS", 2),), "shipped", ("Colissimo", "6A30000000010"), None),
    (3, (("BOU-FIGUE", 1), ("CARTE-30", 1)), "unfulfilled", None, None),
)
TRACKING_URL = {"Colissimo": "https://www.laposte.fr/outils/suivre-vos-envois?code={}",
                "Chronopost": "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={}"}


# --- servers -----------------------------------------------------------------------------------------------------


def _seed_shopify(server: Any) -> None:
    customer = server.add_customer(EMAIL, "Camille", "Laurent", phone="+33478000000")
    address = {"name": "Camille Laurent", "firstName": "Camille", "lastName": "Laurent", "company": None,
               "address1": "7 rue Mercière", "address2": None, "city": "Lyon", "zip": "69002", "province": None,
               "provinceCode": None, "country": "France", "countryCodeV2": "FR", "phone": "+33478000000"}
    for days, items, state, tracking, refund in BENCH_ORDERS:
        created = (server.now - dt.timedelta(days=days)).replace(microsecond=0)
        fulfillments = []
        if tracking is not None:
            carrier, number = tracking
            fulfillments.append({
                "created_at": created + dt.timedelta(days=1),
                "display_status": "DELIVERED" if state == "delivered" else "IN_TRANSIT",
                "delivered_at": created + dt.timedelta(days=3) if state == "delivered" else None,
                "tracking": [{"company": carrier, "number": number, "url": TRACKING_URL[carrier].format(number)}]})
        server.add_order(
            email=EMAIL, customer=customer, created_at=created,
            line_items=[{"title": CATALOG[sku][0], "variant_title": CATALOG[sku][1] or None, "quantity": qty,
                         "price": CATALOG[sku][2], "sku": sku} for sku, qty in items],
            financial_status="PARTIALLY_REFUNDED" if refund else "PAID",
            fulfillment_status="FULFILLED" if fulfillments else "UNFULFILLED", fulfillments=fulfillments,
            refunds=[{"amount": refund[0], "note": refund[1]}] if refund else [],
            closed_at=created + dt.timedelta(days=5) if state == "delivered" else None,
            shipping_address=address, phone="+33478000000")


def _seed_woo(server: Any) -> None:
    billing = {"first_name": "Camille", "last_name": "Laurent", "company": "", "address_1": "7 rue Mercière",
               "address_2": "", "city": "Lyon", "state": "", "postcode": "69002", "country": "FR", "email": EMAIL,
               "phone": "+33478000000"}
    shipping = {k: v for k, v in billing.items() if k not in ("email", "phone")}
    customer = server.add_customer(EMAIL, "Camille", "Laurent", billing=billing)
    providers = {"Colissimo": "colissimo", "Chronopost": "chronopost"}
    for days, items, state, tracking, refund in BENCH_ORDERS:
        created = (server.now - dt.timedelta(days=days)).replace(microsecond=0)
        lines = []
        for sku, qty in items:
            title, variant, price = CATALOG[sku]
            lines.append({"name": f"{title} - {variant}" if variant else title, "quantity": qty, "price": price,
                          "sku": sku, "meta_data": [{"key": "pa_taille", "value": variant.lower(),
                                                     "display_key": "Taille", "display_value": variant}]
                          if variant else []})
        status = "processing" if state == "unfulfilled" else "completed"
        server.add_order(
            billing=billing, shipping=shipping, customer_id=customer["id"], status=status, created_at=created,
            paid_at=created + dt.timedelta(minutes=2),
            completed_at=created + dt.timedelta(days=1) if status == "completed" else None, line_items=lines,
            refunds=[{"amount": refund[0], "reason": refund[1]}] if refund else [],
            tracking=[{"provider": providers[tracking[0]], "number": tracking[1],
                       "date_shipped": created + dt.timedelta(days=1)}] if tracking else [])


@contextlib.contextmanager
def _servers(pki_dir: Path) -> Iterator[dict[str, Any]]:
    """Both contract servers, demo shop + the bench customer, the Shopify bucket large enough never to throttle."""
    from tests.platform_servers.shopify import ShopifyServer
    from tests.platform_servers.woocommerce import WooServer
    from tests.servers.tls import make_pki

    pki = make_pki(pki_dir)
    # Shopify's real bucket (2,000 points, 100/s) would make the client pace itself after a few dozen look-ups:
    # that measures Shopify's rate limit, not the client. The cost is still computed and reported.
    shopify = ShopifyServer(pki, bucket_size=1e12, restore_rate=1e12)
    shopify.seed_demo()
    _seed_shopify(shopify)
    woo = WooServer(pki)
    woo.seed_demo()
    _seed_woo(woo)
    started: list[Any] = []
    try:
        for server in (shopify, woo):
            server.start()
            started.append(server)
        yield {"shopify": shopify, "woocommerce": woo}
    finally:
        for server in started:
            server.stop()


@contextlib.contextmanager
def _nagle(enabled: bool) -> Iterator[None]:
    """Whether the servers' handler leaves Nagle's algorithm on (as shipped) for connections made meanwhile."""
    from tests.platform_servers import _http

    before = _http._Handler.disable_nagle_algorithm
    _http._Handler.disable_nagle_algorithm = not enabled
    try:
        yield
    finally:
        _http._Handler.disable_nagle_algorithm = before


# --- clients -------------------------------------------------------------------------------------------------------


def _make_client(platform: str, server: Any) -> Any:
    if platform == "shopify":
        from desktop.platforms.shopify import ShopifyClient

        return ShopifyClient(server.url, access_token=server.ACCESS_TOKEN, verify=server.ca_file,
                             base_url=server.url)
    from desktop.platforms.woocommerce import WooCommerceClient

    return WooCommerceClient(server.url, server.CONSUMER_KEY, server.CONSUMER_SECRET, verify=server.ca_file)


def _bare_context(ca_file: str) -> ssl.SSLContext:
    """The verification the app uses, built by hand: certifi's and the system's authorities, the CA file, TLS ≥ 1.2."""
    ctx = ssl.create_default_context(cafile=certifi.where())
    ctx.load_default_certs()
    ctx.load_verify_locations(cafile=ca_file)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    return ctx


def _bare_client(ca_file: str) -> httpx.Client:
    return httpx.Client(verify=_bare_context(ca_file), timeout=httpx.Timeout(30.0, connect=10.0),
                        limits=httpx.Limits(max_connections=4, max_keepalive_connections=2, keepalive_expiry=30),
                        follow_redirects=False, trust_env=False)


@dataclass
class Captured:
    """The one request a look-up sends, as the server logged it."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    def send(self, client: httpx.Client) -> httpx.Response:
        return client.request(self.method, self.url, headers=self.headers, content=self.body or None)


def _capture(server: Any, client: Any) -> tuple[Captured, int]:
    server.clear_log()
    found = client.orders_by_email(EMAIL)
    assert len(found) == len(BENCH_ORDERS), f"{type(client).__name__} found {len(found)} orders, not 5"
    logged = list(server.requests)
    last = logged[-1]
    query = f"?{urlencode(last.query, doseq=True)}" if last.query else ""
    headers = {k: v for k, v in last.headers.items() if k not in ("host", "content-length")}
    return Captured(last.method, f"{server.url}{last.path}{query}", headers, last.body), len(logged)


# --- 1. look-ups ---------------------------------------------------------------------------------------------------


@dataclass
class Timings:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)   # CPU time of the calling thread

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    c0, t0 = time.thread_time(), time.perf_counter()
    result = fn()
    t1, c1 = time.perf_counter(), time.thread_time()
    return t1 - t0, c1 - c0, result


@dataclass
class LookupResult:
    platform: str
    timings: dict[str, Timings]
    requests_per_lookup: int
    method: str
    request_bytes: int
    answer_bytes: int
    identical_requests: bool
    query_cost: tuple[Any, Any] | None = None    # Shopify (requested, actual)
    nagle: dict[str, Timings] = field(default_factory=dict)
    work: dict[str, float] = field(default_factory=dict)   # the client's own steps, medians (s)


def _client_work(platform: str, client: Any, captured: Captured, answer: bytes, repeat: int = 200) -> dict[str, float]:
    """Medians of the steps a look-up adds to a bare request: building it, decoding the JSON, mapping the orders."""
    data = json.loads(answer)
    if platform == "shopify":
        from desktop.platforms.shopify import order_from_node

        nodes = data["data"]["orders"]["nodes"]

        def mapping() -> Any:
            return [order_from_node(n) for n in nodes]
    else:
        from desktop.platforms.woocommerce import order_from_json, tracking_from_meta

        def mapping() -> Any:
            return [order_from_json(d, tracking_from_meta(d.get("meta_data")) or []) for d in data]

    session = client._session
    own = session.client

    def build() -> Any:
        return own.build_request(captured.method, captured.url, headers=captured.headers,
                                 content=captured.body or None)

    steps = {"build the request": build, "decode the JSON": lambda: json.loads(answer), "map 5 orders": mapping}
    out = {}
    for name, fn in steps.items():
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        out[name] = median(times)
    return out


def _lookup_round(platform: str, server: Any, lookups: int, kinds: Sequence[str], log: Log) -> LookupResult:
    client = _make_client(platform, server)
    bare = _bare_client(server.ca_file)
    try:
        for _ in range(WARMUP):
            client.orders_by_email(EMAIL)
        captured, per_lookup = _capture(server, client)
        probe = captured.send(bare)
        assert probe.status_code == 200, f"bare {platform} request answered {probe.status_code}"
        cost = None
        if platform == "shopify":
            extension = (probe.json().get("extensions") or {}).get("cost") or {}
            cost = (extension.get("requestedQueryCost"), extension.get("actualQueryCost"))
        for _ in range(WARMUP):
            captured.send(bare).read()

        def run_client() -> int:
            return len(client.orders_by_email(EMAIL))

        def run_bare() -> int:
            response = captured.send(bare)
            return response.status_code if response.content else 0

        def run_bare_json() -> int:
            response = captured.send(bare)
            return response.status_code if json.loads(response.content) else 0

        runners = {"client": (run_client, len(BENCH_ORDERS)), "bare": (run_bare, 200),
                   "bare+json": (run_bare_json, 200)}
        timings = {kind: Timings() for kind in kinds}
        server.clear_log()
        for i in range(lookups):
            for j in range(len(kinds)):
                kind = kinds[(i + j) % len(kinds)]
                fn, expected = runners[kind]
                wall, cpu, got = _timed(fn)
                assert got == expected, f"{platform} {kind}: got {got}, expected {expected}"
                timings[kind].add(wall, cpu)
        logged = [r for r in server.requests]
        identical = (len(logged) == lookups * (len(kinds) - 1 + per_lookup)
                     and all((r.body, r.path, r.query) == (logged[0].body, logged[0].path, logged[0].query)
                             for r in logged))
        return LookupResult(platform, timings, per_lookup, captured.method,
                            len(captured.body) or len(captured.url), len(probe.content), identical, cost,
                            work=_client_work(platform, client, captured, probe.content))
    finally:
        client.close()
        bare.close()


def measure_lookups(servers: dict[str, Any], lookups: int, log: Log) -> dict[str, LookupResult]:
    out = {}
    for platform in PLATFORMS:
        log(f"look-ups: {platform}, {lookups} × {len(LOOKUP_KINDS)} (TCP_NODELAY on the server)")
        with _nagle(False):
            out[platform] = _lookup_round(platform, servers[platform], lookups, LOOKUP_KINDS, log)
    for platform in PLATFORMS:
        log(f"look-ups: {platform}, {NAGLE_LOOKUPS} × 2 against the server as shipped (Nagle on)")
        with _nagle(True):
            out[platform].nagle = _lookup_round(platform, servers[platform], NAGLE_LOOKUPS,
                                                ("client", "bare"), log).timings
    return out


# --- 1b. the service path ------------------------------------------------------------------------------------------


@dataclass
class ServiceResult:
    platform: str
    totals: dict[str, list[float]]
    breakdown: dict[str, list[float]]   # plain runs only
    requests_per_call: int
    egress_rows_per_call: int


class _KeptClient:
    """A client whose close() does nothing, so that `with closing(...)` leaves it open for the next look-up."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def close(self) -> None:
        pass


def _service(service_obj: Any) -> tuple[Callable[[str], Any], dict[str, list[float]], Callable[[], None]]:
    """Instrument one PlatformService instance: returns (set_mode, breakdown lists, close_kept)."""
    from desktop.platforms import http as http_mod
    from desktop.services.platforms import PlatformService

    original_tls = http_mod.tls_context
    cached_tls = functools.lru_cache(maxsize=8)(original_tls)
    breakdown: dict[str, list[float]] = {"client()": [], "orders_by_email": [], "egress writes": []}
    kept: dict[int, _KeptClient] = {}
    mode = {"name": SERVICE_KINDS[0]}
    egress_now: list[float] = []

    def instrumented(shop_id: int, *, purpose: str = "order look-up") -> Any:
        if mode["name"] == "client kept per shop":
            if shop_id not in kept:
                kept[shop_id] = _KeptClient(PlatformService.client(service_obj, shop_id, purpose=purpose))
            return kept[shop_id]
        t0 = time.perf_counter()
        client = PlatformService.client(service_obj, shop_id, purpose=purpose)
        made = time.perf_counter() - t0
        if mode["name"] != SERVICE_KINDS[0]:
            return client
        breakdown["client()"].append(made)
        session = client._session
        record = session.on_call

        def on_call(*args: Any) -> None:
            e0 = time.perf_counter()
            record(*args)
            egress_now.append(time.perf_counter() - e0)

        session.on_call = on_call
        lookup = client.orders_by_email

        def orders_by_email(email: str, **kwargs: Any) -> Any:
            egress_now.clear()
            o0 = time.perf_counter()
            found = lookup(email, **kwargs)
            breakdown["orders_by_email"].append(time.perf_counter() - o0)
            breakdown["egress writes"].append(sum(egress_now))
            return found

        client.orders_by_email = orders_by_email
        return client

    def set_mode(name: str) -> None:
        mode["name"] = name
        http_mod.tls_context = cached_tls if name == "cached TLS context" else original_tls

    def close() -> None:
        http_mod.tls_context = original_tls
        for client in kept.values():
            client._inner.close()
        kept.clear()

    service_obj.client = instrumented
    return set_mode, breakdown, close


def _add_customer(db: Any, name: str, *emails: str) -> int:
    def add(conn: Any) -> int:
        cid = int(conn.execute("INSERT INTO customers(display_name) VALUES (?)", (name,)).lastrowid)
        for i, email in enumerate(emails):
            conn.execute("INSERT INTO customer_addresses(customer_id, email, is_primary) VALUES (?, ?, ?)",
                         (cid, email, int(i == 0)))
        return cid

    return int(db.write(add))


@contextlib.contextmanager
def _session(folder: Path, ca_file: str) -> Iterator[Any]:
    import keyring.backends.fail

    from desktop.secrets.keyring_store import KeyringStore
    from desktop.services.session import Session
    from desktop.services.workspace import WorkspaceService

    workspace = WorkspaceService(KeyringStore(keyring.backends.fail.Keyring())).create_ephemeral(folder)
    session = Session(workspace, ca_file=ca_file)
    try:
        yield session
    finally:
        session.close()


def measure_service(servers: dict[str, Any], root: Path, calls: int, log: Log) -> dict[str, ServiceResult]:
    out = {}
    for platform in PLATFORMS:
        server = servers[platform]
        log(f"service path: {platform}, {calls} × {len(SERVICE_KINDS)} customer_orders(refresh=True)")
        with _nagle(False), _session(root / f"service-{platform}", server.ca_file) as session:
            service = session.platforms
            if platform == "shopify":
                service.add_shopify(server.url, access_token=server.ACCESS_TOKEN)
            else:
                service.add_woocommerce(server.url, server.CONSUMER_KEY, server.CONSUMER_SECRET)
            cid = _add_customer(session.db, "Camille Laurent", EMAIL)
            set_mode, breakdown, close = _service(service)
            try:
                totals: dict[str, list[float]] = {kind: [] for kind in SERVICE_KINDS}
                for kind in SERVICE_KINDS:   # warm-up, not counted
                    set_mode(kind)
                    for _ in range(3):
                        service.customer_orders(cid, refresh=True)
                for values in breakdown.values():
                    values.clear()
                server.clear_log()
                ledger0 = session.db.call(lambda c: c.execute("SELECT count(*) FROM egress_ledger").fetchone()[0])
                for i in range(calls):
                    for j in range(len(SERVICE_KINDS)):
                        kind = SERVICE_KINDS[(i + j) % len(SERVICE_KINDS)]
                        set_mode(kind)
                        t0 = time.perf_counter()
                        result = service.customer_orders(cid, refresh=True)
                        totals[kind].append(time.perf_counter() - t0)
                        assert not result.from_cache and result.error is None, result.error
                        assert len(result.orders) == len(BENCH_ORDERS), len(result.orders)
                ledger1 = session.db.call(lambda c: c.execute("SELECT count(*) FROM egress_ledger").fetchone()[0])
            finally:
                close()
            n = calls * len(SERVICE_KINDS)
            out[platform] = ServiceResult(platform, totals, breakdown, len(server.requests) // n,
                                          (ledger1 - ledger0) // n)
    return out


@dataclass
class TlsCost:
    context_wall: list[float]
    context_cpu: list[float]
    client_wall: list[float]
    authorities: int


def measure_tls_context(ca_file: str, repeat: int, log: Log) -> TlsCost:
    """What `PlatformService.client()` pays on every look-up before any byte is sent: a new SSLContext."""
    from desktop.platforms.http import make_client, tls_context

    log(f"TLS context: {repeat} × tls_context and make_client")
    cost = TlsCost([], [], [], 0)
    for _ in range(repeat):
        wall, cpu, ctx = _timed(lambda: tls_context(ca_file))
        cost.context_wall.append(wall)
        cost.context_cpu.append(cpu)
        cost.authorities = int(ctx.cert_store_stats()["x509_ca"])
        wall, _cpu, client = _timed(lambda: make_client(httpx.URL("https://127.0.0.1:1"), verify=ca_file))
        cost.client_wall.append(wall)
        client.close()
    return cost


# --- 2. cache hits -------------------------------------------------------------------------------------------------

FIRST = ("Camille", "Léa", "Hugo", "Chloé", "Louis", "Manon", "Jules", "Inès", "Arthur", "Jade", "Lucas", "Emma",
         "Nathan", "Sarah", "Paul", "Zoé", "Thomas", "Alice", "Anna", "Tom", "Julie", "Marc", "Sophie", "Hans")
LAST = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
        "Müller", "Peeters", "Janssens", "Rossi")
CITIES = (("Paris", "75011", "FR"), ("Lyon", "69003", "FR"), ("Marseille", "13006", "FR"), ("Nantes", "44000", "FR"),
          ("Lille", "59000", "FR"), ("Bordeaux", "33000", "FR"), ("Bruxelles", "1000", "BE"),
          ("Genève", "1201", "CH"), ("Berlin", "10119", "DE"), ("Toulouse", "31000", "FR"))
STREETS = ("rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Voltaire", "rue des Lilas",
           "place du Marché", "chemin des Vignes", "rue Nationale")
DOMAINS = ("gmail.com", "orange.fr", "free.fr", "laposte.net", "outlook.fr", "yahoo.fr", "proton.me", "sfr.fr")


def _orders_for(rng: random.Random, platform: str, number: int, email: str, name: str, count: int) -> list[Any]:
    from desktop.core.platforms import Fulfillment, Order, OrderItem, Refund

    city, zip_code, country = rng.choice(CITIES)
    address = {"name": name, "address1": f"{rng.randint(1, 120)} {rng.choice(STREETS)}", "city": city,
               "zip": zip_code, "country": country, "phone": f"+33{rng.randint(600000000, 799999999)}"}
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = []
    for k in range(count):
        created = now - dt.timedelta(days=rng.uniform(0, 720), seconds=k)
        items = []
        subtotal = 0.0
        for sku in rng.sample(sorted(CATALOG), rng.choice((1, 1, 1, 2, 2, 3, 4))):
            title, variant, price = CATALOG[sku]
            qty = rng.choice((1, 1, 1, 2, 3))
            subtotal += float(price) * qty
            items.append(OrderItem(title=title, quantity=qty, price=price,
                                   variant=f"Taille: {variant}" if variant else "", sku=sku))
        shipping = 0.0 if subtotal >= 60 else 4.90
        state = rng.choices(("delivered", "shipped", "unfulfilled", "cancelled", "refunded"), (70, 10, 10, 5, 5))[0]
        fulfillments: tuple[Any, ...] = ()
        if state in ("delivered", "shipped"):
            carrier = rng.choice(("Colissimo", "Chronopost"))
            tracking = f"6A{rng.randint(10**10, 10**11 - 1)}" if carrier == "Colissimo" else \
                f"XY{rng.randint(10**8, 10**9 - 1)}FR"
            fulfillments = (Fulfillment(status=state, tracking_number=tracking, carrier=carrier,
                                        tracking_url=TRACKING_URL[carrier].format(tracking),
                                        created_at=(created + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")),)
        refunds: tuple[Any, ...] = ()
        if state in ("cancelled", "refunded") or rng.random() < 0.04:
            refunds = (Refund(amount=f"{subtotal if state != 'delivered' else 9.90:.2f}",
                              created_at=(created + dt.timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                              note=rng.choice(("", "Colis abîmé", "Taille indisponible", "Annulée par le client"))),)
        financial = {"cancelled": "refunded", "refunded": "refunded"}.get(state, "partially refunded" if refunds
                                                                          else "paid")
        n = number + k
        out.append(Order(
            platform=platform,
            external_id=f"gid://shopify/Order/{5_990_000_000_000 + n}" if platform == "shopify" else str(40_000 + n),
            number=f"#{n}" if platform == "shopify" else str(40_000 + n), email=email,
            created_at=created.strftime("%Y-%m-%dT%H:%M:%SZ"), financial_status=financial,
            fulfillment_status="fulfilled" if fulfillments else "unfulfilled", currency="EUR",
            total=f"{subtotal + shipping:.2f}", items=tuple(items), fulfillments=fulfillments, refunds=refunds,
            shipping_address=address, paid_at=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            fulfilled_at=fulfillments[0].created_at if fulfillments else "",
            cancelled_at=created.strftime("%Y-%m-%dT%H:%M:%SZ") if state == "cancelled" else "",
            status={"delivered": "paid · delivered", "shipped": "paid · shipped", "unfulfilled": "paid · to ship",
                    "cancelled": "cancelled", "refunded": "refunded"}[state],
            subtotal=f"{subtotal:.2f}", shipping_total=f"{shipping:.2f}",
            note=rng.choice(("",) * 9 + ("Merci d'emballer pour un cadeau",)), customer_name=name))
    return out


def _order_counts(rng: random.Random, customers: int, orders: int) -> list[int]:
    """Orders per customer: at least one each, the rest skewed (a few loyal customers with many)."""
    weights = [rng.lognormvariate(0, 1.0) for _ in range(customers)]
    counts = [1] * customers
    for index in rng.choices(range(customers), weights, k=orders - customers):
        counts[index] += 1
    return counts


@dataclass
class CacheResult:
    customers: int
    orders: int
    counts: list[int]
    build_seconds: float
    db_bytes: int
    service: list[float]
    raw_inner: list[float]
    raw_call: list[float]
    sampled_orders: list[int]
    network_requests: int
    pages: dict[str, int]


def measure_cache(servers: dict[str, Any], root: Path, customers: int, orders: int, lookups: int, seed: int,
                  log: Log) -> CacheResult:
    from desktop.store import platform_repo as repo

    rng = random.Random(seed)
    folder = root / "cache"
    with _session(folder, servers["shopify"].ca_file) as session:
        service = session.platforms
        shop_ids = {"shopify": service.add_shopify(servers["shopify"].url,
                                                   access_token=servers["shopify"].ACCESS_TOKEN),
                    "woocommerce": service.add_woocommerce(servers["woocommerce"].url,
                                                           servers["woocommerce"].CONSUMER_KEY,
                                                           servers["woocommerce"].CONSUMER_SECRET)}
        counts = _order_counts(rng, customers, orders)
        log(f"cache: writing {orders:,} orders of {customers:,} customers through platform_repo.cache_orders")
        t0 = time.perf_counter()
        number = 1001
        expected: dict[int, int] = {}
        batch: list[tuple[str, list[str], list[tuple[str, list[Any]]], int]] = []

        def flush() -> None:
            def write(conn: Any) -> None:
                for name, emails, per_shop, count in batch:
                    first, last = name.split(" ", 1)
                    cid = int(conn.execute("INSERT INTO customers(display_name, first_name, last_name) "
                                           "VALUES (?, ?, ?)", (name, first, last)).lastrowid)
                    for i, email in enumerate(emails):
                        conn.execute("INSERT INTO customer_addresses(customer_id, email, is_primary) VALUES (?, ?, ?)",
                                     (cid, email, int(i == 0)))
                    for platform, found in per_shop:
                        repo.cache_orders(conn, shop_ids[platform], cid, found)
                    expected[cid] = count

            session.db.write(write)
            batch.clear()

        for index, count in enumerate(counts):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            local = name.lower().replace(" ", ".").encode("ascii", "ignore").decode()
            emails = [f"{local}{index}@{rng.choice(DOMAINS)}"]
            if rng.random() < 0.1:
                emails.append(f"{local.split('.')[0]}{index}@{rng.choice(DOMAINS)}")
            platform = "woocommerce" if rng.random() < 0.25 else "shopify"
            per_shop = []
            if platform == "shopify" and count >= 4 and rng.random() < 0.2:   # a few also bought on the other shop
                per_shop.append(("woocommerce", _orders_for(rng, "woocommerce", number, emails[-1], name, 1)))
                number += 1
                count_main = count - 1
            else:
                count_main = count
            per_shop.append((platform, _orders_for(rng, platform, number, emails[0], name, count_main)))
            number += count_main
            batch.append((name, emails, per_shop, count))
            if len(batch) >= 100:
                flush()
        if batch:
            flush()
        build = time.perf_counter() - t0
        stored = session.db.call(lambda c: c.execute("SELECT count(*) FROM orders").fetchone()[0])
        assert stored == orders, f"{stored} orders stored, expected {orders}"
        session.db.call(lambda c: c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())
        db_bytes = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        pages = session.db.call(lambda c: {k: c.execute(f"PRAGMA {k}").fetchone()[0]
                                           for k in ("page_count", "page_size", "cache_size")})

        ids = sorted(expected)
        network_before = sum(len(s.requests) for s in servers.values())
        session.db.write(lambda c: c.execute(
            "UPDATE customers SET orders_checked_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')"))
        log(f"cache: {lookups:,} look-ups of random customers (after 200 not counted)")
        for cid in rng.sample(ids, min(200, len(ids))):
            service.customer_orders(cid)
        sample = rng.sample(ids, min(lookups, len(ids)))
        service_times: list[float] = []
        raw_inner: list[float] = []
        raw_call: list[float] = []

        def raw(cid: int) -> Callable[[Any], tuple[float, int]]:
            def run(conn: Any) -> tuple[float, int]:
                r0 = time.perf_counter()
                rows = repo.cached_orders(conn, cid)
                return time.perf_counter() - r0, len(rows)

            return run

        for i, cid in enumerate(sample):
            steps = ("service", "raw") if i % 2 == 0 else ("raw", "service")
            for step in steps:
                if step == "service":
                    s0 = time.perf_counter()
                    result = service.customer_orders(cid)
                    service_times.append(time.perf_counter() - s0)
                    assert result.from_cache and len(result.orders) == expected[cid], (cid, len(result.orders))
                else:
                    c0 = time.perf_counter()
                    inner, n = session.db.call(raw(cid))
                    raw_call.append(time.perf_counter() - c0)
                    raw_inner.append(inner)
                    assert n == expected[cid]
        network = sum(len(s.requests) for s in servers.values()) - network_before
        return CacheResult(customers, orders, counts, build, db_bytes, service_times, raw_inner, raw_call,
                           [expected[c] for c in sample], network, pages)


# --- report --------------------------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _versions() -> str:
    import graphql
    import httpcore

    return (f"httpx {httpx.__version__}, httpcore {httpcore.__version__}, {ssl.OPENSSL_VERSION}, "
            f"graphql-core {graphql.__version__} (fake Shopify)")


def report(look: dict[str, LookupResult], svc: dict[str, ServiceResult], tls: TlsCost, cache: CacheResult,
           loads: tuple[float, float], versions: str, argv: Sequence[str] | None) -> tuple[str, bool]:
    rows = ["| Measurement | Median | p95 | Ratio (median / p95) | Target | Result |", "|---|---:|---:|---:|---|---|"]
    passed = True
    names = {"shopify": "Shopify", "woocommerce": "WooCommerce"}
    for platform, res in look.items():
        client, bare, bjson = (res.timings[k].wall for k in LOOKUP_KINDS)
        ratio = median(client) / median(bare)
        ok = ratio <= RATIO_TARGET
        passed &= ok
        what = ("`ShopifyClient.orders_by_email`" if platform == "shopify"
                else "`WooCommerceClient.orders_by_email`")
        rows += [
            f"| {names[platform]}: {what}, 5 orders, keep-alive | {_ms(median(client))} | "
            f"{_ms(percentile(client, 95))} | {ratio:.2f}× / {percentile(client, 95) / percentile(bare, 95):.2f}× "
            f"| ≤ {RATIO_TARGET}× bare (median) | **{'pass' if ok else 'FAIL'}** |",
            f"| {names[platform]}: bare httpx request, same bytes | {_ms(median(bare))} | "
            f"{_ms(percentile(bare, 95))} | 1.00× | — | baseline |",
            f"| {names[platform]}: bare request + `json.loads` | {_ms(median(bjson))} | "
            f"{_ms(percentile(bjson, 95))} | {median(bjson) / median(bare):.2f}× / "
            f"{percentile(bjson, 95) / percentile(bare, 95):.2f}× | — | info |",
        ]
    for platform, sres in svc.items():
        plain = sres.totals[SERVICE_KINDS[0]]
        client = look[platform].timings["client"].wall
        rows.append(f"| {names[platform]}: `PlatformService.customer_orders(id, refresh=True)` | {_ms(median(plain))} "
                    f"| {_ms(percentile(plain, 95))} | {median(plain) / median(client):.2f}× the client | — | info |")
    ok = percentile(cache.service, 95) <= CACHE_P95_TARGET
    passed &= ok
    rows += [
        f"| Cache hit: `customer_orders(id)`, {cache.orders:,} cached orders, {len(cache.service):,} random "
        f"customers | {_ms(median(cache.service))} | {_ms(percentile(cache.service, 95))} | — | p95 ≤ "
        f"{CACHE_P95_TARGET * 1000:.0f} ms | **{'pass' if ok else 'FAIL'}** |",
        f"| Cache: raw `platform_repo.cached_orders(conn, id)` on the DB thread | {_ms(median(cache.raw_inner))} | "
        f"{_ms(percentile(cache.raw_inner, 95))} | — | — | info |",
    ]

    lookups = len(next(iter(look.values())).timings["client"].wall)
    cpu_lines = []
    for platform, res in look.items():
        c_cpu, b_cpu, j_cpu = (median(res.timings[k].cpu) for k in LOOKUP_KINDS)
        c_wall, b_wall = median(res.timings["client"].wall), median(res.timings["bare"].wall)
        cost = (f"; Shopify's computed cost of the query: {res.query_cost[0]} points requested, {res.query_cost[1]} "
                "actual" if res.query_cost else "")
        holds = (f"at that overhead the 1.2× target holds for any shop whose bare answer takes "
                 f"{_ms(5 * (c_wall - b_wall))} or more" if c_wall > b_wall else "no overhead measurable in wall time")
        cpu_lines.append(
            f"- {names[platform]}: the client sends {res.requests_per_lookup} request per look-up ({res.method}, "
            f"{fmt_bytes(res.request_bytes)} {'body' if res.method == 'POST' else 'URL'}), answer "
            f"{fmt_bytes(res.answer_bytes)}; every request the server logged during the measured rounds was the "
            f"same: {'yes' if res.identical_requests else '**no**'}{cost}. Wall-time overhead of the client over "
            f"the bare request: {_ms(c_wall - b_wall)} (medians; client / bare + `json.loads`: "
            f"{c_wall / median(res.timings['bare+json'].wall):.2f}×; {holds}). CPU time of the calling "
            f"thread (medians; the server runs in other threads): client {_ms(c_cpu)}, bare {_ms(b_cpu)}, bare + "
            "`json.loads` "
            f"{_ms(j_cpu)}, so the client's own work is {_ms(c_cpu - b_cpu)} per look-up, "
            f"{c_cpu / b_cpu:.2f}× the bare request's; of which, timed apart (medians of 200): "
            + ", ".join(f"{name} {_ms(value)}" for name, value in res.work.items()) + ".")
    nagle_lines = []
    for platform, res in look.items():
        client, bare = res.nagle["client"].wall, res.nagle["bare"].wall
        nagle_lines.append(
            f"{names[platform]} client {_ms(median(client))} (p95 {_ms(percentile(client, 95))}), bare "
            f"{_ms(median(bare))} (p95 {_ms(percentile(bare, 95))})")

    svc_lines = []
    for platform, sres in svc.items():
        tot = {k: median(v) for k, v in sres.totals.items()}
        p95 = {k: percentile(v, 95) for k, v in sres.totals.items()}
        b = {k: median(v) for k, v in sres.breakdown.items()}
        rest = tot[SERVICE_KINDS[0]] - b["client()"] - b["orders_by_email"]
        svc_lines.append(
            f"- {names[platform]}, `customer_orders(id, refresh=True)` (medians of {len(sres.totals['as is'])}, "
            f"interleaved): as is {_ms(tot['as is'])} (p95 {_ms(p95['as is'])}); what-if with the TLS context "
            f"built once {_ms(tot['cached TLS context'])} (p95 {_ms(p95['cached TLS context'])}); what-if with one "
            f"client kept per shop {_ms(tot['client kept per shop'])} (p95 {_ms(p95['client kept per shop'])}). "
            f"As is: `PlatformService.client()` {_ms(b['client()'])} (2 DB reads + `make_client`, whose "
            f"`tls_context` parses certifi's and the system's CA bundles), `orders_by_email` "
            f"{_ms(b['orders_by_email'])} on a new connection (TCP + TLS handshake) including "
            f"{_ms(b['egress writes'])} of egress-ledger writes ({sres.egress_rows_per_call} per call, one "
            f"transaction each), the rest {_ms(rest)} (settings, shops, cache upsert, `UPDATE customers`, read "
            f"back). {sres.requests_per_call} HTTP request(s) per call.")
    svc_lines.append(
        f"- A new TLS context costs {_ms(median(tls.context_wall))} (CPU {_ms(median(tls.context_cpu))}, median of "
        f"{len(tls.context_wall)}): `desktop.platforms.http.tls_context` parses certifi's bundle, then the system's "
        f"(`load_default_certs`), {tls.authorities} distinct authorities; `make_client` in all "
        f"{_ms(median(tls.client_wall))}. `PlatformService.client()` builds one for every look-up and every shop, "
        "and `customer_orders` closes it after one use, so each refresh also opens a new TCP + TLS connection. "
        "The what-ifs patch this process only: `tls_context` memoised (`functools.lru_cache`), and "
        "`PlatformService.client` returning one open client per shop whose `close()` does nothing.")
    counts = sorted(cache.counts)
    sampled = sorted(cache.sampled_orders)
    cache_lines = [
        f"- Cache workspace: {cache.customers:,} customers (10% with two addresses), {cache.orders:,} orders written "
        f"by `platform_repo.cache_orders` in {cache.build_seconds:.1f} s (transactions of 100 customers); orders per "
        f"customer min {counts[0]}, median {median(counts):.0f}, p95 {percentile(counts, 95)}, max {counts[-1]}; "
        "about 75% of customers on the Shopify shop, 25% on the WooCommerce one, some on both. Orders carry items "
        "(1–4, variants, SKUs), tracking with URLs, refunds, addresses, notes, as the clients build them.",
        f"- Store after writing (checkpointed): {fmt_bytes(cache.db_bytes)} ({cache.pages['page_count']:,} pages of "
        f"{cache.pages['page_size']} B; cache_size {cache.pages['cache_size']}), so warm in SQLCipher's page cache "
        "after the 200 look-ups not counted.",
        f"- Measured: {len(cache.service):,} distinct random customers (orders each: median "
        f"{median(sampled):.0f}, max {sampled[-1]}), every `orders_checked_at` set to now just before (TTL "
        "`shops.cache_minutes` = 15), every answer checked `from_cache` with the expected number of orders; HTTP "
        f"requests to the servers meanwhile: {cache.network_requests}. One `customer_orders` cache hit is four "
        "round trips to the DB thread (setting, `orders_checked_at`, shops, `cached_orders`); the raw query rebuilds "
        f"each `Order` from the JSON in `raw`. Raw `cached_orders` seen from the calling thread (`db.call` round "
        f"trip): median {_ms(median(cache.raw_call))}, p95 {_ms(percentile(cache.raw_call, 95))}.",
    ]
    info = machine_info()
    machine = ", ".join(f"{k} {v}" for k, v in info.items())
    text = "\n".join([
        '## Order look-ups and order cache <a id="platforms"></a>',
        "",
        f"Measured {now_utc()} by `bench/platforms.py`: the contract servers of the tests (fake Shopify GraphQL "
        "Admin API and WooCommerce REST v3, HTTPS on loopback, certificate from a throwaway CA, in threads of the "
        "benchmark's process) with the demo shop and one customer with 5 orders; the client, a bare `httpx` "
        f"request with the same bytes, and the bare request + `json.loads` take turns, {lookups} look-ups each per "
        "platform.",
        "",
        *rows,
        "",
        "Details:",
        "",
        *cpu_lines,
        "- The servers' handler is given TCP_NODELAY for these figures (`disable_nagle_algorithm`, in this process "
        "only), as nginx and Cloudflare in front of real shops do. As shipped, the test servers write the answer's "
        "headers and body separately and leave Nagle on, so the body can wait for the client's delayed ACK (up to "
        "40 ms); whether it does depends on when the reader gets to the socket (httpx's non-streamed "
        "`Client.request`, the bare side, is hit almost every time; the clients, which stream the body, less "
        f"often). Measured the same way ({NAGLE_LOOKUPS} each, new connections): " + "; ".join(nagle_lines)
        + ". That stall belongs to the fake servers (and slows the tests that use them), not to the clients.",
        "- Each answer is dominated by the fake servers' own work (graphql-core parses, validates and costs the "
        "query on every call for Shopify), which is the same for the client and the bare request; the ratio "
        "therefore understates the client's relative CPU cost, shown above from the thread CPU times.",
        "- The Shopify fake's bucket is set large enough never to throttle; against real Shopify the client paces "
        "itself on the bucket it is told about, which no bare request does.",
        *svc_lines,
        *cache_lines,
        "",
        f"Machine: {machine}; {versions}. Load average (1 min) {loads[0]:.2f} before, {loads[1]:.2f} after: "
        "anything well above 1 means other work shared the machine and the figures are noisier.",
        "",
        "Reproduce from the repo root with the venv active:",
        "",
        "```sh",
        reproduce_command("bench.platforms", argv),
        "```",
    ])
    return text, passed


# --- main ----------------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.platforms", description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=200, help="look-ups per contender and platform (default 200)")
    parser.add_argument("--service-calls", type=int, default=60,
                        help="customer_orders(refresh=True) calls per variant and platform (default 60)")
    parser.add_argument("--cache-orders", type=int, default=10_000, help="cached orders (default 10000)")
    parser.add_argument("--cache-customers", type=int, default=2_000, help="customers they belong to (default 2000)")
    parser.add_argument("--cache-lookups", type=int, default=1_000,
                        help="cache-hit look-ups, distinct random customers (default 1000)")
    parser.add_argument("--seed", type=int, default=20261124, help="random seed for the cached orders")
    parser.add_argument("--write-results", action="store_true", help="update the platforms section of RESULTS.md")
    args = parser.parse_args(argv)
    if min(args.lookups, args.service_calls, args.cache_lookups, args.cache_customers) < 1 \
            or args.cache_orders < args.cache_customers:
        parser.error("counts must be positive, and --cache-orders at least --cache-customers")

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    load_before = os.getloadavg()[0]
    with work_dir("platforms") as root, _servers(root / "pki") as servers:
        look = measure_lookups(servers, args.lookups, log)
        svc = measure_service(servers, root, args.service_calls, log)
        tls = measure_tls_context(servers["shopify"].ca_file, 10, log)
        cache = measure_cache(servers, root, args.cache_customers, args.cache_orders, args.cache_lookups, args.seed,
                              log)
        errors = list(itertools.chain.from_iterable(s.errors for s in servers.values()))
        versions = _versions()
    if errors:
        log("the fake servers failed internally:\n" + "\n".join(errors))
        return 1
    leftover = [t.name for t in threading.enumerate() if t is not threading.current_thread() and not t.daemon]
    if leftover:
        log(f"warning: threads still running: {leftover}")
    text, passed = report(look, svc, tls, cache, (load_before, os.getloadavg()[0]), versions, argv)
    print(text)
    if args.write_results:
        replace_section(SECTION, text)
        log("updated bench/RESULTS.md")
    log("all targets met" if passed else "a target was missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
