-- The load driver's anchor: one row inserted and committed per operation, on the application's own database
-- and connection settings, so command figures can be quoted as a ratio to what the database itself can commit.

-- name: anchor.create
CREATE TABLE IF NOT EXISTS jangle_load_anchor (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)

-- name: anchor.clear
DELETE FROM jangle_load_anchor

-- name: anchor.insert
INSERT INTO jangle_load_anchor (id, payload) VALUES (?, ?)

-- name: anchor.drop
DROP TABLE IF EXISTS jangle_load_anchor

-- name: wal.position
-- bytes of write-ahead log written since the cluster began (the load report's WAL bytes per command)
SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint
