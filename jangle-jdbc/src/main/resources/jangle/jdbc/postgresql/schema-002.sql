-- Jangle store schema, version 2, PostgreSQL: claims, so several nodes can share one database.
-- A delivery records the node that holds it: the committing node from its append (its live dispatch), then any
-- node whose event daemon claims it once its age (due_from) is past the lease. A saga records how long the saga
-- daemon that claimed it holds it; a commit of the saga ends the claim.
ALTER TABLE jangle_deliveries ADD COLUMN IF NOT EXISTS claimed_by TEXT;
ALTER TABLE jangle_sagas ADD COLUMN IF NOT EXISTS claimed_until TIMESTAMPTZ;
