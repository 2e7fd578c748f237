-- Jangle Banking read models (banking.md section 8), PostgreSQL dialect.
-- Idempotent: every statement may run again on an existing database.
-- Money is integer cents (BIGINT). Times are timestamptz (UTC instants).
-- Every non-key column is nullable (V4): a late event may arrive before the one that creates the row.
-- A template: {table} names a table of the bank-views projection, rendered by ViewGeneration for the live generation
-- (bank_summary) or for a rebuild's next one (bank_summary_next, R6). Every index name starts with its table's
-- placeholder so that a generation's names never collide with the live ones and map back by that prefix. The lookup
-- tables are shared by every generation.

CREATE TABLE IF NOT EXISTS transaction_types (
    value       INTEGER PRIMARY KEY,
    description TEXT NOT NULL UNIQUE
);

INSERT INTO transaction_types (value, description) VALUES
    (1, 'deposit'), (2, 'withdrawal'), (3, 'transfer_debit'), (4, 'transfer_debit_rollback'),
    (5, 'transfer_credit'), (6, 'request_debit'), (7, 'request_debit_rollback'), (8, 'request_credit'),
    (9, 'debt_forgiveness')
ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS transaction_states (
    value       INTEGER PRIMARY KEY,
    description TEXT NOT NULL UNIQUE,
    state_rank  BIGINT NOT NULL
);

INSERT INTO transaction_states (value, description, state_rank) VALUES
    (1, 'request_sent', 1), (2, 'request_received', 2), (3, 'request_rejected', 3), (4, 'request_accepted', 3),
    (5, 'rejection_received', 4), (6, 'request_debited', 4), (7, 'request_credited', 5),
    (8, 'request_debit_rollback', 5), (9, 'transfer_debit', 1), (10, 'transfer_credit', 2),
    (11, 'transfer_debit_rollback', 2)
ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS {bank_summary} (
    account_id      TEXT PRIMARY KEY,
    name            TEXT,
    name_version    BIGINT,
    balance_cents   BIGINT,
    balance_version BIGINT,
    is_deleted      INTEGER,
    deleted_version BIGINT
);

CREATE TABLE IF NOT EXISTS {transactions} (
    event_id         TEXT PRIMARY KEY,
    transaction_id   TEXT,
    account_id       TEXT,
    version          BIGINT,
    initiated_at     TIMESTAMPTZ,
    amount_cents     BIGINT,
    transaction_type INTEGER REFERENCES transaction_types (value)
);

CREATE INDEX IF NOT EXISTS {transactions}_by_account ON {transactions} (account_id, initiated_at, version);

CREATE TABLE IF NOT EXISTS {transfers} (
    funding_account TEXT NOT NULL,
    transaction_id  TEXT NOT NULL,
    funded_account  TEXT,
    amount_cents    BIGINT,
    state           INTEGER REFERENCES transaction_states (value),
    state_rank      BIGINT,
    PRIMARY KEY (funding_account, transaction_id)
);

CREATE TABLE IF NOT EXISTS {transfer_requests} (
    funded_account  TEXT NOT NULL,
    transaction_id  TEXT NOT NULL,
    funding_account TEXT,
    amount_cents    BIGINT,
    timeout_at      TIMESTAMPTZ,
    state           INTEGER REFERENCES transaction_states (value),
    state_rank      BIGINT,
    PRIMARY KEY (funded_account, transaction_id)
);

CREATE INDEX IF NOT EXISTS {transfer_requests}_awaiting ON {transfer_requests} (funding_account, state, timeout_at);

CREATE TABLE IF NOT EXISTS {deposits} (
    event_id       TEXT PRIMARY KEY,
    transaction_id TEXT,
    account_id     TEXT,
    amount_cents   BIGINT
);

CREATE TABLE IF NOT EXISTS {withdrawals} (
    event_id       TEXT PRIMARY KEY,
    transaction_id TEXT,
    account_id     TEXT,
    amount_cents   BIGINT
);

CREATE TABLE IF NOT EXISTS {debts_forgiven} (
    event_id       TEXT PRIMARY KEY,
    transaction_id TEXT,
    account_id     TEXT,
    amount_cents   BIGINT
);
