"""Pytest fixtures for the fake Shopify and WooCommerce servers. To make them available to every test,
tests/conftest.py has

    from tests.platform_servers.fixtures import *  # noqa: F403  (platform_pki, shopify_server, woo_server…)

- `platform_pki` (session): the throwaway CA and certificates (`tests.servers.tls.Pki`); give clients
  `verify=platform_pki.ca_file` (or `server.ca_file`).
- `shopify_server` (function): a started `ShopifyServer` with the demo shop (`seed_demo()`), default settings.
- `woo_server` (function): a started `WooServer` with the demo shop, default settings.
- `shopify_factory` / `woo_factory` (function): `shopify_factory(token_lifetime=1, seed=True, **kwargs)` for other
  set-ups (kwargs go to the constructor); every server made is stopped at the end of the test.

At teardown a server that raised inside its own code (a bug in the fake, not in the client) fails the test, with
the traceback.

The server modules are imported lazily, so a missing graphql-core only breaks the tests that use Shopify.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.servers.tls import Pki, make_pki

if TYPE_CHECKING:
    from tests.platform_servers._http import PlatformServer
    from tests.platform_servers.shopify import ShopifyServer
    from tests.platform_servers.woocommerce import WooServer

__all__ = ["platform_pki", "shopify_factory", "shopify_server", "woo_factory", "woo_server"]


@pytest.fixture(scope="session")
def platform_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("platform-pki"))


def _stop_all(made: list[PlatformServer]) -> None:
    errors = []
    for server in made:
        server.stop()
        errors.extend(server.errors)
    if errors:
        pytest.fail("the fake platform server failed internally:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def shopify_factory(platform_pki: Pki) -> Iterator[Callable[..., ShopifyServer]]:
    from tests.platform_servers.shopify import ShopifyServer

    made: list[PlatformServer] = []

    def make(*, seed: bool = True, **kwargs: Any) -> ShopifyServer:
        server = ShopifyServer(platform_pki, **kwargs)
        if seed:
            server.seed_demo()
        made.append(server)
        server.start()
        return server

    try:
        yield make
    finally:
        _stop_all(made)


@pytest.fixture
def woo_factory(platform_pki: Pki) -> Iterator[Callable[..., WooServer]]:
    from tests.platform_servers.woocommerce import WooServer

    made: list[PlatformServer] = []

    def make(*, seed: bool = True, number_prefix: str | None = None, **kwargs: Any) -> WooServer:
        server = WooServer(platform_pki, **kwargs)
        if seed:
            server.seed_demo(number_prefix=number_prefix)
        made.append(server)
        server.start()
        return server

    try:
        yield make
    finally:
        _stop_all(made)


@pytest.fixture
def shopify_server(shopify_factory: Callable[..., ShopifyServer]) -> ShopifyServer:
    return shopify_factory()


@pytest.fixture
def woo_server(woo_factory: Callable[..., WooServer]) -> WooServer:
    return woo_factory()
