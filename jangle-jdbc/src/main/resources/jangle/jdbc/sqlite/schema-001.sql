-- Jangle store schema, version 1, SQLite (3.35+).
-- Times are fixed-width ISO-8601 UTC text with six fraction digits and Z ("2026-03-01T10:15:30.123456Z"), so text
-- order is time order (SG8) and createdAt round-trips to the microsecond (ST2). UUIDs are canonical text.

-- Every committed event. position is the rowid: assigned by the store as max + 1 inside the single write
-- transaction, so position order is commit order (G1, G3a).
CREATE TABLE IF NOT EXISTS jangle_events (
    position       INTEGER PRIMARY KEY,
    event_id       TEXT    NOT NULL,
    aggregate_id   TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    type           TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    created_at     TEXT    NOT NULL,
    correlation_id TEXT    NOT NULL,
    causation_id   TEXT,
    metadata       TEXT,              -- free-form entries as a JSON object; NULL when there are none
    payload        TEXT    NOT NULL,  -- JSON (J1)
    CONSTRAINT jangle_events_event_id_key UNIQUE (event_id),
    CONSTRAINT jangle_events_stream_key UNIQUE (aggregate_id, version)
);

-- Pending and dead deliveries (D1, §8.2); a done delivery is deleted.
-- due_from: the instant a delivery's age counts from (commit, last failure, or the epoch after an operator retry).
CREATE TABLE IF NOT EXISTS jangle_deliveries (
    event_id         TEXT    NOT NULL,
    handler          TEXT    NOT NULL,
    position         INTEGER NOT NULL,
    correlation_id   TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('PENDING', 'DEAD')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    due_from         TEXT    NOT NULL,
    first_failure_at TEXT,
    last_attempt_at  TEXT,
    last_error       TEXT,
    PRIMARY KEY (event_id, handler)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS jangle_deliveries_due ON jangle_deliveries (status, position, handler);
CREATE INDEX IF NOT EXISTS jangle_deliveries_handler ON jangle_deliveries (handler, status, position);
CREATE INDEX IF NOT EXISTS jangle_deliveries_correlation ON jangle_deliveries (correlation_id, status);

-- One snapshot per aggregate (S8).
CREATE TABLE IF NOT EXISTS jangle_snapshots (
    aggregate_id TEXT    NOT NULL PRIMARY KEY,
    version      INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    fingerprint  TEXT    NOT NULL,
    state        TEXT    NOT NULL
);

-- Sagas (SG7). complete and timed_out are separate columns (bug #17).
CREATE TABLE IF NOT EXISTS jangle_sagas (
    saga_id    TEXT    NOT NULL PRIMARY KEY,
    saga_type  TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    retry_at   TEXT,
    timeout_at TEXT,
    complete   INTEGER NOT NULL,
    timed_out  INTEGER NOT NULL,
    wake_at    TEXT
);
CREATE INDEX IF NOT EXISTS jangle_sagas_due ON jangle_sagas (wake_at, saga_id) WHERE complete = 0 AND timed_out = 0;

-- A saga's history: the events recorded by the commit that produced saga_version, in order (seq).
CREATE TABLE IF NOT EXISTS jangle_saga_events (
    saga_id        TEXT    NOT NULL,
    saga_version   INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    event_id       TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    payload        TEXT    NOT NULL,
    recorded_at    TEXT    NOT NULL,
    PRIMARY KEY (saga_id, saga_version, seq)
) WITHOUT ROWID;
