-- Statements of a zero-downtime rebuild of bank-views (R6, R7), SQLite dialect. Loaded by NamedSql; {name}
-- placeholders are table names filled in by ViewGeneration (identifiers, never values). The swap needs no lock
-- statement: its write transaction is the only writer of the file.

-- name: drop_table
DROP TABLE IF EXISTS {table}

-- name: checkpoint_max
-- params: processor
SELECT COALESCE(MAX(position), 0) FROM jangle_checkpoints WHERE processor = ?

-- name: rename_table
ALTER TABLE {from} RENAME TO {to}
