-- Jangle store schema, version 1, PostgreSQL (12+).
-- Times are timestamptz (UTC instants, microsecond precision: createdAt round-trips exactly, ST2; SG8).
-- JSON columns are json (kept verbatim, validated by the server).

-- Every committed event. position is assigned by the store as max + 1 while it holds a transaction-scoped
-- advisory lock that it keeps until commit, so position order is commit order (G1, G3a).
CREATE TABLE IF NOT EXISTS jangle_events (
    position       BIGINT      NOT NULL PRIMARY KEY,
    event_id       UUID        NOT NULL,
    aggregate_id   TEXT        NOT NULL,
    version        BIGINT      NOT NULL,
    type           TEXT        NOT NULL,
    schema_version INTEGER     NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    correlation_id UUID        NOT NULL,
    causation_id   UUID,
    metadata       JSON,
    payload        JSON        NOT NULL,
    CONSTRAINT jangle_events_event_id_key UNIQUE (event_id),
    CONSTRAINT jangle_events_stream_key UNIQUE (aggregate_id, version)
);

-- Pending and dead deliveries (D1, §8.2); a done delivery is deleted.
CREATE TABLE IF NOT EXISTS jangle_deliveries (
    event_id         UUID        NOT NULL,
    handler          TEXT        NOT NULL,
    position         BIGINT      NOT NULL,
    correlation_id   UUID        NOT NULL,
    status           TEXT        NOT NULL CHECK (status IN ('PENDING', 'DEAD')),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    due_from         TIMESTAMPTZ NOT NULL,
    first_failure_at TIMESTAMPTZ,
    last_attempt_at  TIMESTAMPTZ,
    last_error       TEXT,
    CONSTRAINT jangle_deliveries_pkey PRIMARY KEY (event_id, handler)
);
CREATE INDEX IF NOT EXISTS jangle_deliveries_due ON jangle_deliveries (status, position, handler);
CREATE INDEX IF NOT EXISTS jangle_deliveries_handler ON jangle_deliveries (handler, status, position);
CREATE INDEX IF NOT EXISTS jangle_deliveries_correlation ON jangle_deliveries (correlation_id, status);

-- One snapshot per aggregate (S8).
CREATE TABLE IF NOT EXISTS jangle_snapshots (
    aggregate_id TEXT   NOT NULL PRIMARY KEY,
    version      BIGINT NOT NULL,
    position     BIGINT NOT NULL,
    fingerprint  TEXT   NOT NULL,
    state        JSON   NOT NULL
);

-- Sagas (SG7). complete and timed_out are separate columns (bug #17).
CREATE TABLE IF NOT EXISTS jangle_sagas (
    saga_id    TEXT        NOT NULL PRIMARY KEY,
    saga_type  TEXT        NOT NULL,
    version    BIGINT      NOT NULL,
    retry_at   TIMESTAMPTZ,
    timeout_at TIMESTAMPTZ,
    complete   BOOLEAN     NOT NULL,
    timed_out  BOOLEAN     NOT NULL,
    wake_at    TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS jangle_sagas_due ON jangle_sagas (wake_at, saga_id) WHERE NOT complete AND NOT timed_out;

-- A saga's history: the events recorded by the commit that produced saga_version, in order (seq).
CREATE TABLE IF NOT EXISTS jangle_saga_events (
    saga_id        TEXT        NOT NULL,
    saga_version   BIGINT      NOT NULL,
    seq            INTEGER     NOT NULL,
    event_id       UUID        NOT NULL,
    type           TEXT        NOT NULL,
    schema_version INTEGER     NOT NULL,
    payload        JSON        NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (saga_id, saga_version, seq)
);
