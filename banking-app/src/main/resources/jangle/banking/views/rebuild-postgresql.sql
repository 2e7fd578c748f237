-- Statements of a zero-downtime rebuild of bank-views (R6, R7), PostgreSQL dialect. Loaded by NamedSql; {name}
-- placeholders are table, index or constraint names filled in by ViewGeneration (identifiers, never values).

-- name: drop_table
DROP TABLE IF EXISTS {table}

-- Readers queue behind a waiting ACCESS EXCLUSIVE request: wait briefly, then give up and try the swap again.
-- name: lock_wait
SET LOCAL lock_timeout = '500ms'

-- Taken first in the swap: no live projection batch commits view rows while the generations change places.
-- name: lock_live
LOCK TABLE {bank_summary}, {transactions}, {transfers}, {transfer_requests}, {deposits}, {withdrawals},
    {debts_forgiven} IN ACCESS EXCLUSIVE MODE

-- name: checkpoint_max
-- params: processor
SELECT COALESCE(MAX(position), 0) FROM jangle_checkpoints WHERE processor = ?

-- name: rename_table
ALTER TABLE {from} RENAME TO {to}

-- Every constraint of a table (primary key, foreign keys, and on PostgreSQL 18 the named NOT NULLs).
-- name: constraint_names
-- params: table
SELECT conname FROM pg_constraint WHERE conrelid = CAST(? AS regclass) ORDER BY conname

-- The indexes of a table that back none of its constraints (those are renamed with their constraint).
-- name: index_names
-- params: table
SELECT i.relname
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
 WHERE x.indrelid = CAST(? AS regclass)
   AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = x.indrelid AND k.conindid = x.indexrelid)
 ORDER BY i.relname

-- name: rename_constraint
ALTER TABLE {table} RENAME CONSTRAINT {from} TO {to}

-- name: rename_index
ALTER INDEX {from} RENAME TO {to}

-- One rebuild of a database at a time (R8): a session lock on a connection the rebuild holds, false when taken.
-- name: rebuild_guard
SELECT pg_try_advisory_lock(7394027315920366101)
