-- The Kafka publisher's cursor: the highest global position acknowledged by Kafka, per publisher name.
-- One file for both dialects: every statement is valid SQLite (>= 3.24) and PostgreSQL.
-- name: create
CREATE TABLE IF NOT EXISTS jangle_kafka_cursor (
    name     VARCHAR(200) PRIMARY KEY,
    position BIGINT       NOT NULL
)
-- name: select
SELECT position FROM jangle_kafka_cursor WHERE name = ?
-- name: upsert
INSERT INTO jangle_kafka_cursor (name, position) VALUES (?, ?)
ON CONFLICT (name) DO UPDATE SET position = excluded.position
WHERE jangle_kafka_cursor.position < excluded.position
