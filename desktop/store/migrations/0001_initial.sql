-- Comptoir schema 1: the whole data model of DESIGN.md section 4.
-- Times are UTC ISO-8601 text ('2026-11-23T18:46:00Z') unless named *_ts (Unix seconds).
-- Secrets (passwords, tokens, API keys) live here, in the encrypted database, and nowhere else.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,                -- JSON, validated by the settings registry
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL,
    display_name    TEXT NOT NULL DEFAULT '',
    signature       TEXT NOT NULL DEFAULT '',
    imap_host       TEXT NOT NULL DEFAULT '',
    imap_port       INTEGER NOT NULL DEFAULT 993,
    imap_security   TEXT NOT NULL DEFAULT 'tls' CHECK (imap_security IN ('tls', 'starttls', 'none')),
    imap_user       TEXT NOT NULL DEFAULT '',
    smtp_host       TEXT NOT NULL DEFAULT '',
    smtp_port       INTEGER NOT NULL DEFAULT 465,
    smtp_security   TEXT NOT NULL DEFAULT 'tls' CHECK (smtp_security IN ('tls', 'starttls', 'none')),
    smtp_user       TEXT NOT NULL DEFAULT '',
    auth_method     TEXT NOT NULL DEFAULT 'password',   -- 'password' | 'xoauth2' (later)
    secret          TEXT,                               -- password / app password / token (JSON)
    trusted_cert_sha256 TEXT,                           -- one self-signed certificate the merchant trusted
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE folders (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL DEFAULT 'other' CHECK (role IN ('inbox', 'sent', 'drafts', 'other')),
    selected       INTEGER NOT NULL DEFAULT 1,
    uidvalidity    INTEGER,
    uidnext        INTEGER,
    highestmodseq  INTEGER,
    last_sync_at   TEXT,
    UNIQUE (account_id, name)
);

CREATE TABLE customers (
    id             INTEGER PRIMARY KEY,
    display_name   TEXT NOT NULL DEFAULT '',
    first_name     TEXT NOT NULL DEFAULT '',
    last_name      TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    locale         TEXT NOT NULL DEFAULT '',
    no_ai          INTEGER NOT NULL DEFAULT 0,          -- art. 18/21: never sent to an AI provider
    no_marketing   INTEGER NOT NULL DEFAULT 0,          -- excluded from newsletters
    notes          TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Several addresses can belong to one customer (merge).
CREATE TABLE customer_addresses (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    email        TEXT NOT NULL COLLATE NOCASE UNIQUE,
    is_primary   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX customer_addresses_customer ON customer_addresses(customer_id);

CREATE TABLE threads (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    customer_id        INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    subject            TEXT NOT NULL DEFAULT '',
    normalized_subject TEXT NOT NULL DEFAULT '',
    intent             TEXT,                            -- commerce taxonomy (assistant issue)
    intent_source      TEXT,                            -- 'rules' | 'llm' | 'merchant'
    language           TEXT,
    urgency            INTEGER,
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed', 'spam')),
    unread             INTEGER NOT NULL DEFAULT 0,
    message_count      INTEGER NOT NULL DEFAULT 0,
    first_message_at   TEXT,
    last_message_at    TEXT,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX threads_last ON threads(last_message_at DESC);
CREATE INDEX threads_customer ON threads(customer_id);

CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    folder_id        INTEGER REFERENCES folders(id) ON DELETE CASCADE,
    thread_id        INTEGER REFERENCES threads(id) ON DELETE SET NULL,
    uidvalidity      INTEGER,
    uid              INTEGER,
    modseq           INTEGER,
    message_id       TEXT,                              -- Message-ID header, without <>
    in_reply_to      TEXT,
    references_ids   TEXT NOT NULL DEFAULT '',          -- space-separated Message-IDs
    direction        TEXT NOT NULL DEFAULT 'in' CHECK (direction IN ('in', 'out')),
    subject          TEXT NOT NULL DEFAULT '',
    from_addr        TEXT NOT NULL DEFAULT '',
    from_name        TEXT NOT NULL DEFAULT '',
    to_addrs         TEXT NOT NULL DEFAULT '',          -- comma-separated addresses
    cc_addrs         TEXT NOT NULL DEFAULT '',
    names            TEXT NOT NULL DEFAULT '',          -- display names of all parties (search)
    date             TEXT,                              -- normalised Date (falls back to INTERNALDATE)
    internal_date    TEXT,
    flags            TEXT NOT NULL DEFAULT '',
    is_read          INTEGER NOT NULL DEFAULT 0,
    is_answered      INTEGER NOT NULL DEFAULT 0,
    snippet          TEXT NOT NULL DEFAULT '',
    body_text        TEXT NOT NULL DEFAULT '',
    body_html        TEXT,                              -- sanitised, no remote content
    ref_numbers      TEXT NOT NULL DEFAULT '',          -- order and tracking numbers found or linked
    language         TEXT,
    raw              BLOB,                              -- RFC 822 source (zlib), nothing lost to a parser bug
    raw_sha256       TEXT,
    size             INTEGER NOT NULL DEFAULT 0,
    has_attachments  INTEGER NOT NULL DEFAULT 0,
    parse_error      TEXT,                              -- why it could not be parsed (stored raw)
    hidden_content   TEXT,                              -- flags: hidden HTML text, invisible Unicode
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (folder_id, uidvalidity, uid)
);
CREATE INDEX messages_thread ON messages(thread_id, date);
CREATE INDEX messages_message_id ON messages(message_id);
CREATE INDEX messages_from ON messages(from_addr COLLATE NOCASE);

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    message_id    INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    filename      TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL DEFAULT 'application/octet-stream',
    content_id    TEXT,
    size          INTEGER NOT NULL DEFAULT 0,
    sha256        TEXT,
    content       BLOB                                  -- stored encrypted, like everything here
);
CREATE INDEX attachments_message ON attachments(message_id);

CREATE TABLE shops (
    id            INTEGER PRIMARY KEY,
    platform      TEXT NOT NULL CHECK (platform IN ('shopify', 'woocommerce', 'demo')),
    name          TEXT NOT NULL DEFAULT '',
    base_url      TEXT NOT NULL DEFAULT '',
    api_version   TEXT NOT NULL DEFAULT '',
    secret        TEXT,                                 -- token / client secret / consumer key+secret (JSON)
    last_sync_at  TEXT,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE orders (
    id                  INTEGER PRIMARY KEY,
    shop_id             INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    customer_id         INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    external_id         TEXT NOT NULL,
    number              TEXT NOT NULL,                  -- what the customer sees: '#1001', '4321'
    email               TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    status              TEXT NOT NULL DEFAULT '',
    financial_status    TEXT NOT NULL DEFAULT '',
    fulfillment_status  TEXT NOT NULL DEFAULT '',
    currency            TEXT NOT NULL DEFAULT '',
    total               TEXT NOT NULL DEFAULT '',
    placed_at           TEXT,
    updated_at_remote   TEXT,
    shipping_address    TEXT,                           -- JSON
    items               TEXT NOT NULL DEFAULT '[]',     -- JSON list
    tracking            TEXT NOT NULL DEFAULT '[]',     -- JSON list of {number, url, carrier}
    raw                 TEXT,                           -- JSON as the platform returned it
    fetched_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (shop_id, external_id)
);
CREATE INDEX orders_customer ON orders(customer_id);
CREATE INDEX orders_email ON orders(email);
CREATE INDEX orders_number ON orders(number);

CREATE TABLE drafts (
    id               INTEGER PRIMARY KEY,
    thread_id        INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    account_id       INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    reply_to_id      INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    to_addrs         TEXT NOT NULL DEFAULT '',
    subject          TEXT NOT NULL DEFAULT '',
    body             TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'editing'
                     CHECK (status IN ('editing', 'in_mailbox', 'sending', 'sent', 'failed')),
    imap_folder_id   INTEGER REFERENCES folders(id) ON DELETE SET NULL,
    imap_uid         INTEGER,
    provenance       TEXT NOT NULL DEFAULT '{}',        -- JSON: what it was grounded on
    warnings         TEXT NOT NULL DEFAULT '[]',        -- JSON: flags raised by the safety checks
    error            TEXT,
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    sent_at          TEXT
);
CREATE INDEX drafts_thread ON drafts(thread_id);

-- Mapping of pseudonymisation placeholders, kept only here and deleted with the thread.
CREATE TABLE pseudonyms (
    id           INTEGER PRIMARY KEY,
    thread_id    INTEGER REFERENCES threads(id) ON DELETE CASCADE,
    placeholder  TEXT NOT NULL,
    value        TEXT NOT NULL,
    UNIQUE (thread_id, placeholder)
);

CREATE TABLE chats (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE chat_messages (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool', 'system')),
    content     TEXT NOT NULL DEFAULT '',
    tool_calls  TEXT,                                   -- JSON
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX chat_messages_chat ON chat_messages(chat_id, id);

CREATE TABLE shop_profile (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    shop_name        TEXT NOT NULL DEFAULT '',
    website          TEXT NOT NULL DEFAULT '',
    tone             TEXT NOT NULL DEFAULT '',
    signature        TEXT NOT NULL DEFAULT '',
    languages        TEXT NOT NULL DEFAULT 'en',        -- comma-separated
    shipping_policy  TEXT NOT NULL DEFAULT '',
    returns_policy   TEXT NOT NULL DEFAULT '',
    refunds_policy   TEXT NOT NULL DEFAULT '',
    faq              TEXT NOT NULL DEFAULT '[]',        -- JSON list of {question, answer}
    updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE templates (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    intent      TEXT,
    language    TEXT NOT NULL DEFAULT 'en',
    subject     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE rules (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1,
    priority    INTEGER NOT NULL DEFAULT 100,
    conditions  TEXT NOT NULL DEFAULT '[]',             -- JSON
    actions     TEXT NOT NULL DEFAULT '[]',             -- JSON
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Every byte that left the machine: when, to whom, why, which categories of data, how much.
CREATE TABLE egress_ledger (
    id               INTEGER PRIMARY KEY,
    at               TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    destination      TEXT NOT NULL,                     -- host[:port]
    kind             TEXT NOT NULL,                     -- 'imap' | 'smtp' | 'shopify' | 'woocommerce' | 'llm'
    purpose          TEXT NOT NULL DEFAULT '',
    model            TEXT,
    data_categories  TEXT NOT NULL DEFAULT '',          -- comma-separated
    bytes_out        INTEGER NOT NULL DEFAULT 0,
    bytes_in         INTEGER NOT NULL DEFAULT 0,
    pseudonymised    INTEGER NOT NULL DEFAULT 0,
    customer_id      INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    thread_id        INTEGER REFERENCES threads(id) ON DELETE SET NULL,
    status           TEXT NOT NULL DEFAULT 'ok'
);
CREATE INDEX egress_ledger_at ON egress_ledger(at);

-- What the privacy center did (erasures, purges), with counts only: no personal data.
CREATE TABLE privacy_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    action   TEXT NOT NULL,
    details  TEXT NOT NULL DEFAULT '{}'
);

-- Full-text search over subjects, bodies, addresses, names, order and tracking numbers.
-- External content: the text stays in `messages`; 'secure-delete' removes erased tokens from the
-- index itself, so an erased customer leaves nothing searchable behind.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    subject, body_text, from_addr, to_addrs, names, ref_numbers,
    content='messages', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2',
    prefix='2 3'
);
INSERT INTO messages_fts(messages_fts, rank) VALUES ('secure-delete', 1);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, subject, body_text, from_addr, to_addrs, names, ref_numbers)
    VALUES (new.id, new.subject, new.body_text, new.from_addr, new.to_addrs, new.names, new.ref_numbers);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, subject, body_text, from_addr, to_addrs, names, ref_numbers)
    VALUES ('delete', old.id, old.subject, old.body_text, old.from_addr, old.to_addrs, old.names, old.ref_numbers);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, body_text, from_addr, to_addrs, names, ref_numbers
ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, subject, body_text, from_addr, to_addrs, names, ref_numbers)
    VALUES ('delete', old.id, old.subject, old.body_text, old.from_addr, old.to_addrs, old.names, old.ref_numbers);
    INSERT INTO messages_fts(rowid, subject, body_text, from_addr, to_addrs, names, ref_numbers)
    VALUES (new.id, new.subject, new.body_text, new.from_addr, new.to_addrs, new.names, new.ref_numbers);
END;
