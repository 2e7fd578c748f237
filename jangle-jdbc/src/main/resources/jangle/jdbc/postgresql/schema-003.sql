-- Jangle store schema, version 3, PostgreSQL: tracking processors (D17).

-- One row per (processor, segment): every event of the segment at or below position is handled or parked; owner is
-- the node holding the segment's lease until lease_until (NULL owner: free; lease_until is then the epoch).
CREATE TABLE IF NOT EXISTS jangle_checkpoints (
    processor   TEXT        NOT NULL,
    segment     INTEGER     NOT NULL,
    segments    INTEGER     NOT NULL,
    position    BIGINT      NOT NULL,
    owner       TEXT,
    lease_until TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT jangle_checkpoints_pkey PRIMARY KEY (processor, segment)
);

-- The nodes sharing the processors' segments (D21): each renews its row every lease round; the live ones are those
-- whose alive_until is still ahead, so a node that holds no segment yet is counted and gets its share.
CREATE TABLE IF NOT EXISTS jangle_nodes (
    node        TEXT        NOT NULL PRIMARY KEY,
    alive_until TIMESTAMPTZ NOT NULL
);

-- The head of the feed when a schema-2 store (the per-event delivery ledger) was migrated (D20): the ledger had
-- dispatched or recorded every event up to it, so a processor stored for the first time starts there. One row, and
-- only when the store already had events; a new database records nothing. (This script runs once, under the
-- migration's lock, so the insert is not repeated.)
CREATE TABLE IF NOT EXISTS jangle_ledger_migration (
    head BIGINT NOT NULL
);
INSERT INTO jangle_ledger_migration (head)
SELECT position FROM jangle_events WHERE position = (SELECT MAX(position) FROM jangle_events);

-- EventStore.correlated (CA3): the events of one correlation id, by position.
CREATE INDEX IF NOT EXISTS jangle_events_correlation ON jangle_events (correlation_id, position);

-- jangle_deliveries now holds parked deliveries only (PENDING: awaiting the daemon's retry; DEAD: dead letters),
-- carried over as they are. Its three indexes stay: an index costs a write per row written, and rows are now written
-- only when a processor parks or the daemon settles a failure, which is rare; but dead letters can pile up without
-- bound, and the daemon's poll (status, position), read-your-writes per handler (handler, status, position) and the
-- count per correlation id must stay index lookups however many there are.
