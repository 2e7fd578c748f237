-- An application schema run again by a node started beside running nodes (JdbcDatabaseTest#scriptBesideWriters).
CREATE TABLE IF NOT EXISTS view_a (id TEXT PRIMARY KEY, n BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS view_b (id TEXT PRIMARY KEY, n BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS view_a_n ON view_a (n);
CREATE INDEX IF NOT EXISTS view_b_n ON view_b (n);
