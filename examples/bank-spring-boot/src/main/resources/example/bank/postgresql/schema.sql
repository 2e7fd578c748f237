-- the example's read model
CREATE TABLE IF NOT EXISTS example_accounts (
    account_id      TEXT PRIMARY KEY,
    name            TEXT,
    balance         NUMERIC(19, 2),
    balance_version BIGINT
);
