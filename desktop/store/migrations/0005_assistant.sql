-- The assistant: LLM providers (any OpenAI-compatible endpoint) and triage confidence.
-- The API key is a secret: it lives here, in the encrypted database, and nowhere else.
CREATE TABLE llm_providers (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL DEFAULT 'custom',      -- 'ollama' | 'lmstudio' | 'llamacpp' | 'openai' | 'mistral' | 'custom'
    base_url      TEXT NOT NULL,                       -- https, or http to loopback only
    api_key       TEXT,                                -- secret
    model_draft   TEXT NOT NULL DEFAULT '',            -- a model per task
    model_triage  TEXT NOT NULL DEFAULT '',
    model_chat    TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 0,          -- the one the assistant uses
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
ALTER TABLE threads ADD COLUMN intent_confidence REAL;
CREATE INDEX threads_intent ON threads(intent);
CREATE INDEX chat_messages_created ON chat_messages(created_at);
