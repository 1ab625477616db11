"""Store-platform adapters: Shopify (GraphQL Admin API) and WooCommerce (REST v3), over verified HTTPS."""
