"""Fake e-commerce platforms on loopback for the platform clients' tests: Shopify's GraphQL Admin API
(`shopify.ShopifyServer`) and WooCommerce's REST API v3 (`woocommerce.WooServer`), both over HTTPS with the test
PKI, seeded with the same demo shop (`demo.py`). Fixtures: `tests.platform_servers.fixtures`.
"""
