-- Read-model table of the versioned-upsert tests (PostgreSQL).
CREATE TABLE IF NOT EXISTS accounts (
    id             TEXT NOT NULL PRIMARY KEY,
    name           TEXT,
    name_version   BIGINT,
    amount         NUMERIC,
    amount_version BIGINT,
    opened_at      TIMESTAMPTZ,
    status         TEXT,
    deleted        BOOLEAN,
    status_rank    BIGINT,
    touched        TEXT
);
CREATE TABLE IF NOT EXISTS movements (
    account_id TEXT   NOT NULL,
    version    BIGINT NOT NULL,
    amount     NUMERIC,
    PRIMARY KEY (account_id, version)
);
