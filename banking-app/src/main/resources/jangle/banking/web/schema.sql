-- The HTTP server's tables (jangle-bank serve), the same text on SQLite and PostgreSQL.
-- Idempotent: runs at every start.

-- API users: a name, a role (teller | operator) and the SHA-256 of the bearer token (never the token itself).
CREATE TABLE IF NOT EXISTS web_users (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- The first answer to each (user, Idempotency-Key), so a repeat, even after a restart, gets that answer again.
CREATE TABLE IF NOT EXISTS web_idempotency (
    principal    TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
