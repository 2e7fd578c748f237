-- An application schema run by several nodes at once on a new database (JdbcDatabaseTest#concurrentScripts).
CREATE TABLE IF NOT EXISTS app_one (id TEXT PRIMARY KEY, n BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS app_two (id TEXT PRIMARY KEY, n BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS app_three (id TEXT PRIMARY KEY, n BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS app_one_n ON app_one (n);
CREATE INDEX IF NOT EXISTS app_two_n ON app_two (n);
