-- Statements of the raw limits in StoreThroughputBenchmark and of UpsertBenchmark, PostgreSQL.
-- Each starts with "-- name: <key>".

-- name: raw.create
CREATE TABLE bench_raw (id BIGINT PRIMARY KEY, aggregate_id TEXT NOT NULL, payload TEXT NOT NULL)
-- name: raw.insert
INSERT INTO bench_raw (id, aggregate_id, payload) VALUES (?, ?, ?)
-- name: eventRow.insert
INSERT INTO jangle_events (position, event_id, aggregate_id, version, type, schema_version, created_at,
                           correlation_id, causation_id, metadata, payload)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS json), CAST(? AS json))
-- the banking app's bank_summary read model (banking-app views/<dialect>.sql), for UpsertBenchmark
-- name: upsert.create
CREATE TABLE bank_summary (account_id TEXT PRIMARY KEY, name TEXT, name_version BIGINT, balance_cents BIGINT,
                           balance_version BIGINT, is_deleted INTEGER, deleted_version BIGINT)
-- name: upsert.plain
INSERT INTO bank_summary (account_id, balance_version, balance_cents) VALUES (?, ?, ?)
ON CONFLICT (account_id) DO UPDATE SET balance_version = excluded.balance_version, balance_cents = excluded.balance_cents
-- RowCeilingDriver: the rows a deposit writes in the banking pipeline, without the framework (jangle_events is the
-- store's own table; these two mirror the bank's views, without their lookup-table foreign keys)
-- name: ceiling.createTransactions
CREATE TABLE ceiling_transactions (event_id TEXT PRIMARY KEY, transaction_id TEXT, account_id TEXT, version BIGINT,
                                   initiated_at TIMESTAMPTZ, amount_cents BIGINT, transaction_type INTEGER)
-- name: ceiling.indexTransactions
CREATE INDEX ceiling_transactions_by_account ON ceiling_transactions (account_id, initiated_at, version)
-- name: ceiling.createDeposits
CREATE TABLE ceiling_deposits (event_id TEXT PRIMARY KEY, transaction_id TEXT, account_id TEXT, amount_cents BIGINT)
-- name: ceiling.summary
INSERT INTO bank_summary (account_id, balance_version, balance_cents) VALUES (?, ?, ?)
ON CONFLICT (account_id) DO UPDATE SET balance_version = excluded.balance_version, balance_cents = excluded.balance_cents
WHERE bank_summary.balance_version IS NULL OR bank_summary.balance_version < excluded.balance_version
-- name: ceiling.transaction
INSERT INTO ceiling_transactions (event_id, transaction_id, account_id, version, initiated_at, amount_cents,
                                  transaction_type)
VALUES (?, ?, ?, ?, ?, ?, 1)
-- name: ceiling.deposit
INSERT INTO ceiling_deposits (event_id, transaction_id, account_id, amount_cents) VALUES (?, ?, ?, ?)
-- CommitTripDriver: a processor's checkpoint advance and its commit, as two round trips (the statement before schema
-- 4, its row count read in Java) and as one (schema 4's function, then COMMIT in the same text)
-- name: trip.advance
UPDATE jangle_checkpoints SET position = GREATEST(position, ?), updated_at = ?
WHERE processor = ? AND segment = ? AND owner = ?
-- name: trip.advanceAndCommit
SELECT jangle_advance_checkpoint(?, ?, ?, ?, ?); COMMIT
