-- Read-only statements of StoreCheck (jangle-bank check). Each starts with "-- name: <key>".
-- NOT INDEXED makes SQLite scan the table itself, so a damaged index cannot hide a damaged row.

-- name: check.events
SELECT position, event_id, aggregate_id, version, type, schema_version, created_at, correlation_id, causation_id,
       metadata, payload
FROM jangle_events NOT INDEXED ORDER BY position
-- Streams whose versions are not exactly 1..n.
-- name: check.gaps
SELECT aggregate_id, COUNT(*), MIN(version), MAX(version), COUNT(DISTINCT version)
FROM jangle_events NOT INDEXED GROUP BY aggregate_id
HAVING MIN(version) <> 1 OR MAX(version) <> COUNT(*) OR COUNT(DISTINCT version) <> COUNT(*)
-- name: check.positions
SELECT position, COUNT(*) FROM jangle_events NOT INDEXED GROUP BY position HAVING COUNT(*) > 1
-- name: check.eventIds
SELECT event_id, COUNT(*) FROM jangle_events NOT INDEXED GROUP BY event_id HAVING COUNT(*) > 1
-- name: check.aggregates
SELECT COUNT(DISTINCT aggregate_id) FROM jangle_events NOT INDEXED
-- A snapshot must sit on an event of its stream: same version, same position.
-- name: check.snapshots
SELECT s.aggregate_id, s.version, s.position, e.position
FROM jangle_snapshots s LEFT JOIN jangle_events e ON e.aggregate_id = s.aggregate_id AND e.version = s.version
WHERE e.position IS NULL OR e.position <> s.position OR s.fingerprint IS NULL OR s.state IS NULL
-- name: check.sagas
SELECT saga_id, saga_type, version FROM jangle_sagas ORDER BY saga_id
-- name: check.sagaEvents
SELECT saga_id, saga_version, seq, event_id, type, schema_version, payload
FROM jangle_saga_events ORDER BY saga_id, saga_version, seq
-- History entries beyond their saga's version, or of no saga at all.
-- name: check.sagaOrphans
SELECT e.saga_id, MAX(e.saga_version), MAX(s.version)
FROM jangle_saga_events e LEFT JOIN jangle_sagas s ON s.saga_id = e.saga_id
GROUP BY e.saga_id HAVING MAX(s.version) IS NULL OR MAX(e.saga_version) > MAX(s.version)
-- Schema 3 (tracking processors): is there a checkpoints table to check?
-- name: check.hasCheckpoints
SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'jangle_checkpoints'
-- name: check.processors
SELECT COUNT(DISTINCT processor) FROM jangle_checkpoints
-- Checkpoints that cannot be: a segment outside its count, a count that differs within one processor, a position
-- below 0 or beyond the feed's head (leases are not checked: they run out by themselves).
-- name: check.checkpoints
SELECT c.processor, c.segment, c.segments, c.position, (SELECT COALESCE(MAX(position), 0) FROM jangle_events)
FROM jangle_checkpoints c
WHERE c.segment < 0 OR c.segment >= c.segments OR c.position < 0
   OR c.position > (SELECT COALESCE(MAX(position), 0) FROM jangle_events)
   OR c.segments <> (SELECT MIN(o.segments) FROM jangle_checkpoints o WHERE o.processor = c.processor)
   OR c.segments <> (SELECT MAX(o.segments) FROM jangle_checkpoints o WHERE o.processor = c.processor)
ORDER BY c.processor, c.segment
-- Deliveries whose event is missing or sits at another position.
-- name: check.deliveries
SELECT d.event_id, d.handler, d.position, e.position
FROM jangle_deliveries d LEFT JOIN jangle_events e ON e.event_id = d.event_id
WHERE e.position IS NULL OR e.position <> d.position
-- name: check.integrity
PRAGMA integrity_check
