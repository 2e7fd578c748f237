-- Statements of the raw limits in StoreThroughputBenchmark and of UpsertBenchmark, SQLite.
-- Each starts with "-- name: <key>".

-- name: raw.create
CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, aggregate_id TEXT NOT NULL, payload TEXT NOT NULL)
-- name: raw.insert
INSERT INTO bench_raw (id, aggregate_id, payload) VALUES (?, ?, ?)
-- name: eventRow.insert
INSERT INTO jangle_events (position, event_id, aggregate_id, version, type, schema_version, created_at,
                           correlation_id, causation_id, metadata, payload)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
-- the banking app's bank_summary read model (banking-app views/<dialect>.sql), for UpsertBenchmark
-- name: upsert.create
CREATE TABLE bank_summary (account_id TEXT PRIMARY KEY, name TEXT, name_version INTEGER, balance_cents INTEGER,
                           balance_version INTEGER, is_deleted INTEGER, deleted_version INTEGER)
-- name: upsert.plain
INSERT INTO bank_summary (account_id, balance_version, balance_cents) VALUES (?, ?, ?)
ON CONFLICT (account_id) DO UPDATE SET balance_version = excluded.balance_version, balance_cents = excluded.balance_cents
