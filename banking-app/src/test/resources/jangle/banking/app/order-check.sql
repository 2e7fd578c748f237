-- OrderCheck's tables (test only; the same text on SQLite and PostgreSQL)
CREATE TABLE IF NOT EXISTS order_check (
    account_id    VARCHAR(64) PRIMARY KEY,
    version       BIGINT      NOT NULL,
    balance_cents BIGINT      NOT NULL
);
CREATE TABLE IF NOT EXISTS order_violations (
    account_id VARCHAR(64) NOT NULL,
    expected   BIGINT      NOT NULL,
    got        BIGINT      NOT NULL
);
