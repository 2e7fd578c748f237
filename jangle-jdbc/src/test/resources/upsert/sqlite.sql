-- Read-model table of the versioned-upsert tests (SQLite). Money is TEXT so the scale survives.
CREATE TABLE IF NOT EXISTS accounts (
    id             TEXT NOT NULL PRIMARY KEY,
    name           TEXT,
    name_version   INTEGER,
    amount         TEXT,
    amount_version INTEGER,
    opened_at      TEXT,
    status         TEXT,
    deleted        INTEGER,
    status_rank    INTEGER,
    touched        TEXT
);
CREATE TABLE IF NOT EXISTS movements (
    account_id TEXT NOT NULL,
    version    INTEGER NOT NULL,
    amount     TEXT,
    PRIMARY KEY (account_id, version)
);
