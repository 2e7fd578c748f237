-- the example's read model (money as exact decimal text: TEXT keeps the scale, J3)
CREATE TABLE IF NOT EXISTS example_accounts (
    account_id      TEXT PRIMARY KEY,
    name            TEXT,
    balance         TEXT,
    balance_version INTEGER
);
