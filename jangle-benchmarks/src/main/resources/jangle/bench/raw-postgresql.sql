-- Statements of the raw limits in StoreThroughputBenchmark, PostgreSQL. Each starts with "-- name: <key>".

-- name: raw.create
CREATE TABLE bench_raw (id BIGINT PRIMARY KEY, aggregate_id TEXT NOT NULL, payload TEXT NOT NULL)
-- name: raw.insert
INSERT INTO bench_raw (id, aggregate_id, payload) VALUES (?, ?, ?)
-- name: eventRow.insert
INSERT INTO jangle_events (position, event_id, aggregate_id, version, type, schema_version, created_at,
                           correlation_id, causation_id, metadata, payload)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS json), CAST(? AS json))
