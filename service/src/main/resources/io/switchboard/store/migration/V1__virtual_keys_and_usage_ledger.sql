-- One set of migrations for SQLite and PostgreSQL: portable types only (TEXT, INTEGER, BIGINT,
-- BOOLEAN), times as BIGINT epoch milliseconds, money as BIGINT micro-dollars. The one thing the
-- two cannot say alike, an auto-numbered key, is the Flyway placeholder auto_id (DatabaseBackend).
-- Stored responses get their own table in a later migration.

-- Virtual keys. The secret is never stored: key_hash is its SHA-256 in hex, key_prefix its first
-- characters for listings. tags is a JSON object, models a JSON array of glob patterns ([] = all).
CREATE TABLE virtual_keys (
    id            TEXT    NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL,
    key_prefix    TEXT    NOT NULL,
    key_hash      TEXT    NOT NULL UNIQUE,
    tags          TEXT    NOT NULL,
    models        TEXT    NOT NULL,
    budget_micros BIGINT,
    budget_period TEXT,
    rpm           INTEGER,
    tpm           INTEGER,
    expires_at    BIGINT,
    enabled       BOOLEAN NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    revoked_at    BIGINT,
    CHECK (budget_period IN ('daily', 'weekly', 'monthly', 'total')),
    CHECK (budget_micros IS NULL OR budget_micros >= 0)
);

-- The poller that passes key changes on to running gateways reads by updated_at.
CREATE INDEX virtual_keys_updated_at ON virtual_keys (updated_at);

-- One row per client request. key_id has no foreign key: keys from config.yml are not in
-- virtual_keys. Token counts are null where the provider reported none; cost_micros is null where
-- the price is unknown (never 0 as a guess).
CREATE TABLE usage_ledger (
    id                 ${auto_id},
    request_id         TEXT    NOT NULL,
    ts                 BIGINT  NOT NULL,
    key_id             TEXT,
    endpoint           TEXT    NOT NULL,
    provider           TEXT,
    model_requested    TEXT,
    model_served       TEXT,
    streamed           BOOLEAN NOT NULL,
    status             INTEGER NOT NULL,
    error_kind         TEXT,
    attempts           INTEGER NOT NULL,
    prompt_tokens      BIGINT,
    completion_tokens  BIGINT,
    cached_read_tokens BIGINT,
    cache_write_tokens BIGINT,
    reasoning_tokens   BIGINT,
    cost_micros        BIGINT,
    latency_ms         BIGINT  NOT NULL,
    ttft_ms            BIGINT
);

-- Reports filter by time; budgets sum one key's spend since its period began.
CREATE INDEX usage_ledger_ts ON usage_ledger (ts);
CREATE INDEX usage_ledger_key_ts ON usage_ledger (key_id, ts);
