"""`shop`, `orders` and `order` from the command line, against the contract servers."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import PASSPHRASE
from tests.helpers import cli
from tests.platform_servers.shopify import ShopifyServer
from tests.platform_servers.woocommerce import WooServer


def test_shop_commands(tmp_path: Path, shopify_server: ShopifyServer, woo_server: WooServer) -> None:
    data = tmp_path / "data"
    env = {"PP": PASSPHRASE, "SHOPIFY_TOKEN": shopify_server.ACCESS_TOKEN, "WC_KEY": woo_server.CONSUMER_KEY,
           "WC_SECRET": woo_server.CONSUMER_SECRET}
    base = ["--passphrase-env", "PP", "--ca-file", str(shopify_server.ca_file)]
    assert cli("--passphrase-env", "PP", "init", data_dir=data, env=env).returncode == 0
    added = cli(*base, "shop", "add", "shopify", shopify_server.url, "--token-env", "SHOPIFY_TOKEN", "--json",
                data_dir=data, env=env)
    assert added.returncode == 0, added.stderr
    shop_id = json.loads(added.stdout)["id"]
    tested = cli(*base, "shop", "test", str(shop_id), data_dir=data, env=env)
    assert tested.returncode == 0, tested.stderr
    orders = json.loads(cli(*base, "orders", "ann@x.fr", "--json", data_dir=data, env=env).stdout)
    assert orders and {o["number"] for o in orders} >= {"#1012", "#1024"}
    assert "#1018" not in {o["number"] for o in orders}
    mine = cli(*base, "order", "#1012", "--customer", "ann@x.fr", "--json", data_dir=data, env=env)
    assert mine.returncode == 0 and json.loads(mine.stdout)["number"] == "#1012"
    theirs = cli(*base, "order", "1018", "--customer", "ann@x.fr", data_dir=data, env=env)
    assert theirs.returncode == 1 and "No order 1018" in theirs.stdout
    listed = cli(*base, "shop", "list", "--json", data_dir=data, env=env)
    assert shopify_server.ACCESS_TOKEN not in listed.stdout
    refused = cli(*base, "shop", "add", "woocommerce", "http://shop.example.com", "--key-env", "WC_KEY",
                  "--secret-env", "WC_SECRET", data_dir=data, env=env)
    assert refused.returncode == 1 and "HTTPS" in refused.stderr
    removed = cli(*base, "shop", "remove", str(shop_id), data_dir=data, env=env)
    assert removed.returncode == 0 and "cached orders deleted" in removed.stdout
    logs = "".join(p.read_text() for p in (data / "logs").glob("*.log*"))
    assert shopify_server.ACCESS_TOKEN not in logs and woo_server.CONSUMER_SECRET not in logs
