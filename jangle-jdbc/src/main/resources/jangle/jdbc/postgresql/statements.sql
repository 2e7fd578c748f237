-- Statements of the PostgreSQL stores. Each starts with "-- name: <key>"; parameters are positional and bound in
-- the same order on every dialect (see the SQLite file). Times are bound as timestamptz, UUIDs as uuid.

-- name: schema.create
CREATE TABLE IF NOT EXISTS jangle_schema_version (
    component  TEXT    NOT NULL PRIMARY KEY,
    version    INTEGER NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)
-- name: schema.tables
SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name
-- name: schema.get
SELECT version FROM jangle_schema_version WHERE component = ?
-- name: probe.create
CREATE TABLE IF NOT EXISTS jangle_write_probe (id INTEGER PRIMARY KEY, written_at TEXT NOT NULL)
-- name: probe.write
INSERT INTO jangle_write_probe (id, written_at) VALUES (1, ?)
ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at
-- name: schema.set
INSERT INTO jangle_schema_version (component, version, applied_at) VALUES (?, ?, ?)
ON CONFLICT (component) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at
-- name: schema.lock
SELECT pg_advisory_xact_lock(7394027315920366091)
-- name: script.lock
SELECT pg_advisory_lock(7394027315920366091)
-- name: script.unlock
SELECT pg_advisory_unlock(7394027315920366091)

-- name: append.lock
SELECT pg_advisory_xact_lock(7394027315920366090)
-- name: append.check
SELECT COALESCE((SELECT MAX(position) FROM jangle_events), 0),
       COALESCE((SELECT MAX(version) FROM jangle_events WHERE aggregate_id = ?), 0)
-- name: append.insertEvent
INSERT INTO jangle_events (position, event_id, aggregate_id, version, type, schema_version, created_at,
                           correlation_id, causation_id, metadata, payload)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS json), CAST(? AS json))
-- A Completion.Advance (D15): fenced by the owner, never backwards; 0 rows means the lease is lost (D21).
-- name: append.advance
UPDATE jangle_checkpoints SET position = GREATEST(position, ?), updated_at = ?
WHERE processor = ? AND segment = ? AND owner = ?
-- One event in one round trip (G5): the ST4 check, the fenced checkpoint advance (D15, D21; a NULL processor
-- matches no row and asks for none), the position (max + 1, under the append lock), the event and the resolved
-- parked delivery (NULLs match nothing). Nothing is written when the check fails or the advance finds no row it
-- owns: then the first column is NULL, and the second says whether the version check passed.
-- name: append.one
WITH chk AS (
    SELECT (SELECT COALESCE(MAX(version), 0) FROM jangle_events WHERE aggregate_id = ?) = ? AS ok
), adv AS (
    UPDATE jangle_checkpoints SET position = GREATEST(position, ?), updated_at = ?
    WHERE processor = ? AND segment = ? AND owner = ? AND (SELECT ok FROM chk)
    RETURNING 1
), ins AS (
    INSERT INTO jangle_events (position, event_id, aggregate_id, version, type, schema_version, created_at,
                               correlation_id, causation_id, metadata, payload)
    SELECT (SELECT COALESCE(MAX(position), 0) FROM jangle_events) + 1, ?, ?, ?, ?, ?, ?, ?, ?,
           CAST(? AS json), CAST(? AS json)
    WHERE (SELECT ok FROM chk) AND (CAST(? AS text) IS NULL OR EXISTS (SELECT 1 FROM adv))
    RETURNING position
), done AS (
    DELETE FROM jangle_deliveries WHERE event_id = ? AND handler = ? AND EXISTS (SELECT 1 FROM ins)
)
SELECT (SELECT position FROM ins), (SELECT ok FROM chk)
-- name: append.next
-- A later event of the same aggregate in one append (after an append.one, in the same text): written only when the
-- event before it in that append was (the third parameter is that event's id), so a refused first event refuses the
-- whole run, even when another node's event now holds the version before this one.
WITH chk AS (
    SELECT (SELECT COALESCE(MAX(version), 0) FROM jangle_events WHERE aggregate_id = ?) = ?
           AND EXISTS (SELECT 1 FROM jangle_events WHERE event_id = ?) AS ok
), ins AS (
    INSERT INTO jangle_events (position, event_id, aggregate_id, version, type, schema_version, created_at,
                               correlation_id, causation_id, metadata, payload)
    SELECT (SELECT COALESCE(MAX(position), 0) FROM jangle_events) + 1, ?, ?, ?, ?, ?, ?, ?, ?,
           CAST(? AS json), CAST(? AS json)
    WHERE (SELECT ok FROM chk)
    RETURNING position
)
SELECT (SELECT position FROM ins), (SELECT ok FROM chk)
-- name: append.existingIds
SELECT event_id FROM jangle_events WHERE event_id = ?

-- name: events.lastVersion
SELECT COALESCE(MAX(version), 0) FROM jangle_events WHERE aggregate_id = ?
-- name: events.lastPosition
SELECT COALESCE(MAX(position), 0) FROM jangle_events
-- name: events.stream
SELECT position, event_id, aggregate_id, version, type, schema_version, created_at, correlation_id, causation_id,
       metadata, payload
FROM jangle_events WHERE aggregate_id = ? AND version > ? ORDER BY version LIMIT ?
-- name: events.feed
SELECT position, event_id, aggregate_id, version, type, schema_version, created_at, correlation_id, causation_id,
       metadata, payload
FROM jangle_events WHERE position > ? ORDER BY position LIMIT ?
-- Filtered feed reads (D17): a range of positions (gapless, so position <= after + limit looks at limit positions).
-- name: events.range
SELECT position, event_id, aggregate_id, version, type, schema_version, created_at, correlation_id, causation_id,
       metadata, payload
FROM jangle_events WHERE position > ? AND position <= ? ORDER BY position
-- name: events.correlated
SELECT position, event_id, aggregate_id, version, type, schema_version, created_at, correlation_id, causation_id,
       metadata, payload
FROM jangle_events WHERE correlation_id = ? ORDER BY position LIMIT ?
-- name: events.byId
SELECT position, event_id, aggregate_id, version, type, schema_version, created_at, correlation_id, causation_id,
       metadata, payload
FROM jangle_events WHERE event_id = ?

-- name: ledger.due
SELECT d.event_id, d.handler, e.type, e.aggregate_id, e.version, d.position, d.status, d.attempts, e.created_at,
       d.first_failure_at, d.last_attempt_at, d.last_error, d.correlation_id
FROM jangle_deliveries d JOIN jangle_events e ON e.event_id = d.event_id
WHERE d.status = 'PENDING' AND d.due_from <= ? ORDER BY d.position, d.handler LIMIT ?
-- Claims (schema 2): rows locked by another node's claim in progress are skipped, not waited for; the update
-- runs in the same transaction, so two nodes never claim one delivery (or saga) within a lease.
-- name: ledger.claim
SELECT d.event_id, d.handler, e.type, e.aggregate_id, e.version, d.position, d.status, d.attempts, e.created_at,
       d.first_failure_at, d.last_attempt_at, d.last_error, d.correlation_id
FROM jangle_deliveries d JOIN jangle_events e ON e.event_id = d.event_id
WHERE d.status = 'PENDING' AND d.position <= ? AND d.due_from <= ?
ORDER BY d.position, d.handler LIMIT ?
FOR UPDATE OF d SKIP LOCKED
-- name: ledger.claimOwn
SELECT d.event_id, d.handler, e.type, e.aggregate_id, e.version, d.position, d.status, d.attempts, e.created_at,
       d.first_failure_at, d.last_attempt_at, d.last_error, d.correlation_id
FROM jangle_deliveries d JOIN jangle_events e ON e.event_id = d.event_id
WHERE d.status = 'PENDING' AND d.position <= ? AND (d.due_from <= ? OR d.claimed_by IS NULL OR d.claimed_by = ?)
ORDER BY d.position, d.handler LIMIT ?
FOR UPDATE OF d SKIP LOCKED
-- name: ledger.claimMark
UPDATE jangle_deliveries SET due_from = ?, claimed_by = ? WHERE event_id = ? AND handler = ?
-- name: ledger.list
SELECT d.event_id, d.handler, e.type, e.aggregate_id, e.version, d.position, d.status, d.attempts, e.created_at,
       d.first_failure_at, d.last_attempt_at, d.last_error, d.correlation_id
FROM jangle_deliveries d JOIN jangle_events e ON e.event_id = d.event_id
WHERE d.status = ? ORDER BY d.position, d.handler LIMIT ?
-- name: ledger.listHandler
SELECT d.event_id, d.handler, e.type, e.aggregate_id, e.version, d.position, d.status, d.attempts, e.created_at,
       d.first_failure_at, d.last_attempt_at, d.last_error, d.correlation_id
FROM jangle_deliveries d JOIN jangle_events e ON e.event_id = d.event_id
WHERE d.handler = ? AND d.status = ? ORDER BY d.position LIMIT ?
-- name: ledger.delete
DELETE FROM jangle_deliveries WHERE event_id = ? AND handler = ?
-- name: ledger.get
SELECT status, attempts FROM jangle_deliveries WHERE event_id = ? AND handler = ?
-- name: ledger.fail
UPDATE jangle_deliveries
SET status = ?, attempts = ?, first_failure_at = COALESCE(first_failure_at, ?), last_attempt_at = ?, last_error = ?,
    due_from = ?
WHERE event_id = ? AND handler = ?
-- name: ledger.retry
UPDATE jangle_deliveries SET status = 'PENDING', attempts = 0, due_from = ?
WHERE event_id = ? AND handler = ? AND status = 'DEAD'
-- name: ledger.retryEvent
UPDATE jangle_deliveries SET status = 'PENDING', attempts = 0, due_from = ?
WHERE event_id = ? AND status = 'DEAD'
-- name: ledger.retryHandler
UPDATE jangle_deliveries SET status = 'PENDING', attempts = 0, due_from = ? WHERE handler = ? AND status = 'DEAD'
-- name: ledger.retryAll
UPDATE jangle_deliveries SET status = 'PENDING', attempts = 0, due_from = ? WHERE status = 'DEAD'
-- name: ledger.lowest
SELECT MIN(position) FROM jangle_deliveries WHERE handler = ? AND status = ?
-- name: ledger.count
SELECT COUNT(*) FROM jangle_deliveries WHERE correlation_id = ? AND status = ?
-- name: ledger.handlers
SELECT DISTINCT handler FROM jangle_deliveries ORDER BY handler

-- name: snapshots.get
SELECT version, position, fingerprint, state FROM jangle_snapshots WHERE aggregate_id = ?
-- name: snapshots.put
INSERT INTO jangle_snapshots (aggregate_id, version, position, fingerprint, state) VALUES (?, ?, ?, ?, CAST(? AS json))
ON CONFLICT (aggregate_id) DO UPDATE
SET version = excluded.version, position = excluded.position, fingerprint = excluded.fingerprint,
    state = excluded.state
WHERE jangle_snapshots.version <= excluded.version
-- name: snapshots.delete
DELETE FROM jangle_snapshots WHERE aggregate_id = ?

-- name: sagas.get
SELECT saga_type, version, retry_at, timeout_at, complete, timed_out, wake_at FROM jangle_sagas WHERE saga_id = ?
-- name: sagas.events
SELECT event_id, type, schema_version, payload, recorded_at FROM jangle_saga_events
WHERE saga_id = ? AND saga_version <= ? ORDER BY saga_version, seq
-- name: sagas.insert
INSERT INTO jangle_sagas (saga_type, version, retry_at, timeout_at, complete, timed_out, wake_at, saga_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (saga_id) DO NOTHING
-- name: sagas.update
UPDATE jangle_sagas
SET saga_type = ?, version = ?, retry_at = ?, timeout_at = ?, complete = ?, timed_out = ?, wake_at = ?,
    claimed_until = NULL
WHERE saga_id = ? AND version = ?
-- name: sagas.insertEvent
INSERT INTO jangle_saga_events (saga_id, saga_version, seq, event_id, type, schema_version, payload, recorded_at)
VALUES (?, ?, ?, ?, ?, ?, CAST(? AS json), ?)
-- sagas.insert and sagas.update with their row count checked in the server (schema-004): a saga that is not at the
-- expected version raises JG002, so the saga's events and the COMMIT can follow in the same text (one round trip).
-- name: sagas.insertChecked
WITH w AS (
    INSERT INTO jangle_sagas (saga_type, version, retry_at, timeout_at, complete, timed_out, wake_at, saga_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (saga_id) DO NOTHING
    RETURNING 1
)
SELECT jangle_require_saga_row((SELECT COUNT(*) FROM w), ?)
-- name: sagas.updateChecked
WITH w AS (
    UPDATE jangle_sagas
    SET saga_type = ?, version = ?, retry_at = ?, timeout_at = ?, complete = ?, timed_out = ?, wake_at = ?,
        claimed_until = NULL
    WHERE saga_id = ? AND version = ?
    RETURNING 1
)
SELECT jangle_require_saga_row((SELECT COUNT(*) FROM w), ?)
-- name: sagas.due
SELECT saga_id FROM jangle_sagas
WHERE NOT complete AND NOT timed_out AND wake_at IS NOT NULL AND wake_at <= ?
ORDER BY wake_at, saga_id LIMIT ?
-- name: sagas.claim
SELECT saga_id FROM jangle_sagas
WHERE NOT complete AND NOT timed_out AND wake_at IS NOT NULL AND wake_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
ORDER BY wake_at, saga_id LIMIT ?
FOR UPDATE SKIP LOCKED
-- name: sagas.claimMark
UPDATE jangle_sagas SET claimed_until = ? WHERE saga_id = ?
-- name: sagas.listOpen
SELECT saga_id FROM jangle_sagas WHERE NOT complete AND NOT timed_out ORDER BY saga_id LIMIT ?
-- name: sagas.listAll
SELECT saga_id FROM jangle_sagas ORDER BY saga_id LIMIT ?
-- Backlog for gauges and health (jangle-observability): counts per handler and status, and one event's commit time.
-- name: ledger.backlog
SELECT handler, status, COUNT(*), MIN(position) FROM jangle_deliveries GROUP BY handler, status ORDER BY handler
-- name: ledger.positionTime
SELECT created_at FROM jangle_events WHERE position = ?
-- name: sagas.backlog
SELECT COUNT(*), COALESCE(SUM(CASE WHEN wake_at <= ? THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN wake_at <= ? THEN 1 ELSE 0 END), 0)
FROM jangle_sagas WHERE NOT complete AND NOT timed_out

-- Checkpoints of tracking processors (schema 3, D17). Free rows have owner NULL and lease_until the epoch.
-- name: checkpoints.lock
SELECT pg_advisory_xact_lock(7394027315920366092)
-- name: checkpoints.migrationHead
SELECT MAX(head) FROM jangle_ledger_migration
-- name: checkpoints.insert
INSERT INTO jangle_checkpoints (processor, segment, segments, position, owner, lease_until, updated_at)
VALUES (?, ?, ?, ?, NULL, ?, ?)
ON CONFLICT (processor, segment) DO NOTHING
-- name: checkpoints.ofProcessor
SELECT processor, segment, segments, position, owner, lease_until, updated_at FROM jangle_checkpoints
WHERE processor = ? ORDER BY segment
-- name: checkpoints.all
SELECT processor, segment, segments, position, owner, lease_until, updated_at FROM jangle_checkpoints
ORDER BY processor, segment
-- Claims: free or expired rows locked by another claim in progress are skipped, not waited for; the update runs in
-- the same transaction and re-checks the row, so two owners never take one segment (D21).
-- name: checkpoints.mine
SELECT segment FROM jangle_checkpoints WHERE processor = ? AND owner = ? AND lease_until > ? ORDER BY segment
-- name: checkpoints.mineLock
SELECT segment FROM jangle_checkpoints WHERE processor = ? AND owner = ? AND lease_until > ? ORDER BY segment
FOR UPDATE SKIP LOCKED
-- name: checkpoints.free
SELECT segment FROM jangle_checkpoints
WHERE processor = ? AND (owner IS NULL OR lease_until <= ?) ORDER BY segment LIMIT ?
FOR UPDATE SKIP LOCKED
-- name: checkpoints.take
UPDATE jangle_checkpoints SET owner = ?, lease_until = ?
WHERE processor = ? AND segment = ? AND (owner = ? OR owner IS NULL OR lease_until <= ?)
-- name: checkpoints.release
UPDATE jangle_checkpoints SET owner = NULL, lease_until = ? WHERE processor = ? AND segment = ? AND owner = ?
-- name: checkpoints.held
SELECT processor, segment, segments, position, owner, lease_until, updated_at FROM jangle_checkpoints
WHERE processor = ? AND owner = ? AND lease_until > ? ORDER BY segment
-- Heartbeats (D21): renew this node, forget expired ones, list the live ones.
-- name: checkpoints.heartbeat
INSERT INTO jangle_nodes (node, alive_until) VALUES (?, ?)
ON CONFLICT (node) DO UPDATE SET alive_until = excluded.alive_until
-- name: checkpoints.expired
DELETE FROM jangle_nodes WHERE alive_until <= ?
-- name: checkpoints.alive
SELECT node FROM jangle_nodes WHERE alive_until > ?
-- name: checkpoints.forget
DELETE FROM jangle_nodes WHERE node = ?
-- name: checkpoints.releaseAll
UPDATE jangle_checkpoints SET owner = NULL, lease_until = ? WHERE owner = ?
-- name: checkpoints.advance
UPDATE jangle_checkpoints SET position = GREATEST(position, ?), updated_at = ?
WHERE processor = ? AND segment = ? AND owner = ?
-- checkpoints.advance and the transaction's COMMIT in one round trip (schema-004): a lost lease raises JG001, which
-- skips the COMMIT and leaves the transaction to roll back.
-- name: checkpoints.advanceAndCommit
SELECT jangle_advance_checkpoint(?, ?, ?, ?, ?); COMMIT
-- A park (D3) replaces the row of the same delivery: status PENDING or DEAD, its age counting from the failure.
-- name: checkpoints.park
INSERT INTO jangle_deliveries (event_id, handler, position, correlation_id, status, attempts, due_from,
                               first_failure_at, last_attempt_at, last_error, claimed_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (event_id, handler) DO UPDATE
SET position = excluded.position, correlation_id = excluded.correlation_id, status = excluded.status,
    attempts = excluded.attempts, due_from = excluded.due_from, first_failure_at = excluded.first_failure_at,
    last_attempt_at = excluded.last_attempt_at, last_error = excluded.last_error, claimed_by = excluded.claimed_by
-- name: checkpoints.reset
UPDATE jangle_checkpoints SET position = ?, owner = NULL, lease_until = ?, updated_at = ? WHERE processor = ?
-- name: checkpoints.unparkAbove
DELETE FROM jangle_deliveries WHERE handler = ? AND position > ?
