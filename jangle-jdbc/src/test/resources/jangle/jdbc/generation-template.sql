-- A table template for JdbcDatabaseTest: {items} is filled in per generation; the literal braces stay.
CREATE TABLE IF NOT EXISTS {items} (id TEXT PRIMARY KEY, note TEXT DEFAULT '{"json": 1}');
CREATE INDEX IF NOT EXISTS {items}_by_note ON {items} (note);
