-- When Comptoir last asked the store platforms for this customer's orders (cache freshness).
ALTER TABLE customers ADD COLUMN orders_checked_at TEXT;
