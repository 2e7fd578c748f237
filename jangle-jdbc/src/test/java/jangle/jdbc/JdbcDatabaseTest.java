package jangle.jdbc;

import jangle.StoreException;
import jangle.spi.EventStore;
import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static jangle.jdbc.TestEvents.noted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JdbcDatabaseTest {
    @TempDir
    Path dir;

    private static String query(JdbcDatabase db, boolean writer, String sql) {
        SqlWork<String> work = c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                return rs.next() ? rs.getString(1) : null;
            }
        };
        return writer ? db.inTransaction(work) : db.read(work);
    }

    @Test
    @Tag("D20")
    @DisplayName("§7/issue 3: the schema is created once, recorded as version 4, and reopening keeps the data; a new database records no migration head (D20)")
    void schemaCreatedAndKept() {
        Path file = dir.resolve("nested/folder/app.db");
        try (JdbcDatabase db = JdbcDatabase.sqlite(file)) {
            TestEvents.open(db, 10).events().append(List.of(noted("a", 1)));
        }
        try (JdbcDatabase db = JdbcDatabase.open("jdbc:sqlite:" + file, null, null)) {
            assertThat(db.dialect()).isEqualTo(SqlDialect.SQLITE);
            assertThat(TestEvents.open(db, 10).events().lastVersion("a")).isEqualTo(1);
            assertThat(query(db, false, "SELECT version FROM jangle_schema_version WHERE component = 'jangle'"))
                    .isEqualTo("4");
            assertThat(query(db, false, "SELECT COUNT(*) FROM jangle_schema_version")).isEqualTo("1");
            assertThat(query(db, false, "SELECT COUNT(*) FROM jangle_ledger_migration")).isEqualTo("0");
        }
    }

    @Test
    @Tag("MN4")
    @DisplayName("§7, issue 6: a version-1 database is brought to the current version at open, keeping its pending "
            + "deliveries (parked now), which belong to no node and are taken back by a catch-up claim")
    void schemaOneMigrates() {
        Path file = dir.resolve("v1.db");
        try (JdbcDatabase db = JdbcDatabase.sqlite(file)) {
            TestEvents.open(db, 10).events().append(List.of(TestEvents.noted("a", 1)));
            db.inTransaction(c -> { // back to what schema-001 alone created
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("ALTER TABLE jangle_deliveries DROP COLUMN claimed_by");
                    s.executeUpdate("ALTER TABLE jangle_sagas DROP COLUMN claimed_until");
                    s.executeUpdate("DROP TABLE jangle_checkpoints"); // schema 3
                    s.executeUpdate("DROP TABLE jangle_ledger_migration");
                    s.executeUpdate("DROP TABLE jangle_nodes");
                    s.executeUpdate("DROP INDEX jangle_events_correlation");
                    // a pending delivery as the schema-1 append wrote it
                    s.executeUpdate("INSERT INTO jangle_deliveries (event_id, handler, position, correlation_id, "
                            + "status, attempts, due_from) SELECT event_id, 'h', position, correlation_id, 'PENDING', "
                            + "0, created_at FROM jangle_events");
                    return s.executeUpdate("UPDATE jangle_schema_version SET version = 1");
                }
            });
        }
        try (JdbcDatabase db = JdbcDatabase.sqlite(file)) {
            assertThat(query(db, false, "SELECT version FROM jangle_schema_version")).isEqualTo("4");
            assertThat(query(db, false, "SELECT head FROM jangle_ledger_migration")).as("D20").isEqualTo("1");
            assertThat(query(db, false, "SELECT COUNT(*) FROM jangle_deliveries WHERE claimed_by IS NULL"))
                    .isEqualTo("1");
            var ledger = TestEvents.open(db, 10).events().ledger();
            var now = java.time.Instant.now();
            assertThat(ledger.claim("n1", now, java.time.Duration.ofHours(1), 10, true, 10)).hasSize(1);
            assertThat(query(db, false, "SELECT claimed_by FROM jangle_deliveries")).isEqualTo("n1");
        }
    }

    @Test
    @Tag("MN5")
    @DisplayName("Issue 6: nodes started together on a new PostgreSQL database run the same application schema script "
            + "without failing on a duplicate catalog entry (the script holds the schema lock)")
    void concurrentScripts() throws Exception {
        for (int round = 0; round < 3; round++) {
            String url = EmbeddedPg.newSchemaUrl();
            int nodes = 4;
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(nodes);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(nodes);
            try {
                List<java.util.concurrent.Future<?>> runs = new java.util.ArrayList<>();
                for (int n = 0; n < nodes; n++) {
                    runs.add(pool.submit(() -> {
                        try (JdbcDatabase db = JdbcDatabase.open(url, "postgres", "postgres")) {
                            together.await();
                            db.executeScript("jangle/jdbc/concurrent-schema.sql");
                        }
                        return null;
                    }));
                }
                for (var run : runs) run.get(60, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            try (JdbcDatabase db = JdbcDatabase.open(url, "postgres", "postgres")) {
                assertThat(query(db, false, "SELECT COUNT(DISTINCT table_name) FROM information_schema.tables "
                        + "WHERE table_name IN ('app_one', 'app_two', 'app_three')")).isEqualTo("3");
            }
        }
    }

    @Test
    @Tag("MN5")
    @DisplayName("Issue 6 (found by the soak): a node restarted beside running nodes runs the application script "
            + "without deadlocking with their read-model transactions")
    void scriptBesideWriters() throws Exception {
        String url = EmbeddedPg.newSchemaUrl();
        String script = "jangle/jdbc/restart-schema.sql";
        try (JdbcDatabase running = JdbcDatabase.open(url, "postgres", "postgres");
             JdbcDatabase restarted = JdbcDatabase.open(url, "postgres", "postgres")) {
            running.executeScript(script);
            var inB = new java.util.concurrent.CountDownLatch(1);
            var scriptWaits = new java.util.concurrent.CountDownLatch(1);
            var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                // a running node's read-model transaction: a row in view_b, then (later) one in view_a
                var writer = pool.submit(() -> running.inTransaction(c -> {
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("INSERT INTO view_b VALUES ('b1', 1)");
                        inB.countDown();
                        scriptWaits.await();
                        return s.executeUpdate("INSERT INTO view_a VALUES ('a1', 1)");
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }));
                inB.await();
                var restart = pool.submit(() -> {
                    restarted.executeScript(script);
                    return null;
                });
                // the restarted node's script now waits for view_b's lock, having passed view_a's index
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                while (!"1".equals(query(running, false, "SELECT COUNT(*) FROM pg_stat_activity WHERE "
                        + "wait_event_type = 'Lock' AND query LIKE 'CREATE INDEX IF NOT EXISTS view_b_n%'"))) {
                    assertThat(System.nanoTime()).as("the script reaches view_b").isLessThan(deadline);
                    Thread.sleep(10);
                }
                scriptWaits.countDown();
                assertThat(writer.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
                restart.get(30, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertThat(query(running, false, "SELECT COUNT(*) FROM view_a")).isEqualTo("1");
            assertThat(query(running, false, "SELECT COUNT(*) FROM pg_indexes WHERE indexname IN "
                    + "('view_a_n', 'view_b_n')")).isEqualTo("2");
        }
    }

    @Test
    @DisplayName("§7: a database whose schema is newer than the code refuses to open")
    void newerSchemaRefused() {
        Path file = dir.resolve("future.db");
        try (JdbcDatabase db = JdbcDatabase.sqlite(file)) {
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("UPDATE jangle_schema_version SET version = 99");
                }
            });
        }
        assertThatThrownBy(() -> JdbcDatabase.sqlite(file)).isInstanceOf(StoreException.class)
                .hasMessageContaining("version 99");
    }

    @Test
    @DisplayName("SQLite settings: WAL, synchronous=NORMAL, busy_timeout, foreign keys; readers are query-only")
    void sqliteSettings() {
        try (JdbcDatabase db = JdbcDatabase.sqlite(dir.resolve("settings.db"))) {
            assertThat(query(db, true, "PRAGMA journal_mode")).isEqualToIgnoringCase("wal");
            assertThat(query(db, true, "PRAGMA synchronous")).isEqualTo("1"); // NORMAL
            assertThat(query(db, true, "PRAGMA busy_timeout")).isEqualTo("10000");
            assertThat(query(db, true, "PRAGMA foreign_keys")).isEqualTo("1");
            assertThat(query(db, false, "PRAGMA query_only")).isEqualTo("1");
            assertThatThrownBy(() -> db.read(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("DELETE FROM jangle_events");
                }
            })).isInstanceOf(StoreException.class);
        }
    }

    @Test
    @DisplayName("inTransaction rolls back when the work throws, and nested calls join the outer transaction")
    void transactions() {
        try (JdbcDatabase db = JdbcDatabase.sqlite(dir.resolve("tx.db"))) {
            db.executeScript("upsert/sqlite.sql");
            assertThatThrownBy(() -> db.inTransaction(c -> {
                VersionedUpsert.into("accounts").key("id", "a").always("name", "x").build(db.dialect()).execute(c);
                throw new IllegalStateException("boom");
            })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            assertThat(query(db, false, "SELECT COUNT(*) FROM accounts")).isEqualTo("0");
            db.inTransaction(c -> {
                VersionedUpsert.into("accounts").key("id", "a").always("name", "x").build(db.dialect()).execute(c);
                return db.inTransaction(inner -> VersionedUpsert.into("accounts").key("id", "b")
                        .always("name", "y").build(db.dialect()).execute(inner));
            });
            assertThat(query(db, false, "SELECT COUNT(*) FROM accounts")).isEqualTo("2");
        }
    }

    @Test
    @DisplayName("open(): in-memory SQLite works on one connection; an unknown URL is rejected")
    void openUrls() {
        try (JdbcDatabase db = JdbcDatabase.open("jdbc:sqlite::memory:", null, null)) {
            EventStore events = TestEvents.open(db, 10).events();
            events.append(List.of(noted("m", 1)));
            assertThat(events.readFeed(0, 10)).hasSize(1);
        }
        assertThatThrownBy(() -> JdbcDatabase.open("jdbc:mysql://x/y", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("executeScript splits on semicolons outside quotes, comments and dollar-quoted bodies")
    void scriptSplitting() {
        List<String> parts = Sql.split("""
                -- a comment; with a semicolon
                CREATE TABLE t (a TEXT DEFAULT 'x;y'); /* block; comment */
                INSERT INTO t VALUES ('it''s; fine');
                CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
                ;
                """);
        assertThat(parts).containsExactly("CREATE TABLE t (a TEXT DEFAULT 'x;y')",
                "INSERT INTO t VALUES ('it''s; fine')",
                "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql");
    }

    @Test
    @DisplayName("executeScript of a template: each {name} becomes the identifier given, so one script makes two "
            + "generations of a table side by side; a missing or non-identifier name is refused")
    void scriptTemplates() {
        String template = "jangle/jdbc/generation-template.sql";
        try (JdbcDatabase db = JdbcDatabase.sqlite(dir.resolve("templates.db"))) {
            db.executeScript(template, Map.of("items", "items"));
            db.executeScript(template, Map.of("items", "items_next"));
            db.executeScript(template, Map.of("items", "items")); // idempotent, as at every start
            assertThat(query(db, false, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
                    + "WHERE name LIKE 'items%' ORDER BY name)"))
                    .isEqualTo("items,items_by_note,items_next,items_next_by_note");
            assertThat(query(db, true, "INSERT INTO items_next (id) VALUES ('a') RETURNING note"))
                    .isEqualTo("{\"json\": 1}");
        }
        assertThat(SqlScripts.statements(template)).hasSize(2).allSatisfy(s -> assertThat(s).contains("{items}"));
        assertThatThrownBy(() -> SqlScripts.render("DROP TABLE {items}", Map.of("items", "x; DROP TABLE y")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a plain identifier");
        assertThatThrownBy(() -> SqlScripts.render("DROP TABLE {items}", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{items}");
    }

    @Test
    @DisplayName("PostgreSQL: schema created and recorded; the same database opens twice")
    void postgresSchema() {
        String url = EmbeddedPg.newSchemaUrl();
        try (JdbcDatabase a = JdbcDatabase.open(url, "postgres", "postgres");
             JdbcDatabase b = JdbcDatabase.open(url, "postgres", "postgres")) {
            assertThat(a.dialect()).isEqualTo(SqlDialect.POSTGRESQL);
            TestEvents.open(a, 10).events().append(List.of(noted("p", 1)));
            assertThat(TestEvents.open(b, 10).events().lastVersion("p")).isEqualTo(1);
            assertThat(query(b, false, "SELECT version FROM jangle_schema_version")).isEqualTo("4");
            assertThat(query(b, false, "SELECT COUNT(*) FROM jangle_ledger_migration")).isEqualTo("0");
            assertThat(a.toString()).doesNotContain("password");
        }
    }
}
