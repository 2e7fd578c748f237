-- Jangle store schema, version 2, SQLite: claims, so several processes can share one database file.
-- A delivery records the node that holds it: the committing node from its append (its live dispatch), then any
-- node whose event daemon claims it once its age (due_from) is past the lease. A saga records how long the saga
-- daemon that claimed it holds it; a commit of the saga ends the claim. (Applied once, recorded in
-- jangle_schema_version, since SQLite has no ADD COLUMN IF NOT EXISTS.)
ALTER TABLE jangle_deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE jangle_sagas ADD COLUMN claimed_until TEXT;
