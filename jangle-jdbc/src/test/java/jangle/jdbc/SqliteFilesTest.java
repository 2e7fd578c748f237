package jangle.jdbc;

import jangle.StoreException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 17: the open-time size check of a SQLite file, and the online backup taken while another connection writes. */
class SqliteFilesTest {
    @TempDir
    Path dir;

    /** A closed database of several pages in rollback-journal mode (no -wal), 4,096-byte pages. */
    private Path database(String name) throws Exception {
        Path file = dir.resolve(name);
        JdbcDatabase.sqlite(file).close(); // a Jangle database (others are refused at open), then some bulk
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA page_size = 4096");
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
            for (int i = 0; i < 200; i++) s.execute("INSERT INTO t (v) VALUES ('" + "x".repeat(100) + i + "')");
        }
        assertThat(Files.size(file) % 4096).isZero();
        assertThat(Files.size(file)).isGreaterThan(3 * 4096);
        return file;
    }

    private static void cut(Path file, long bytes) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() - bytes);
        }
    }

    @Test
    @DisplayName("issue 17.2: a whole file passes; one cut mid-page or by whole pages is refused naming file and sizes")
    void cutFilesAreRefused() throws Exception {
        Path whole = database("whole.db");
        assertThat(SqliteFiles.wholeProblem(whole)).isNull();
        try (JdbcDatabase db = JdbcDatabase.sqlite(whole)) {
            assertThat(db.describe()).contains("whole.db");
        }

        Path midPage = database("mid.db");
        cut(midPage, 1000);
        assertThatThrownBy(() -> JdbcDatabase.sqlite(midPage)).isInstanceOf(StoreException.class)
                .hasMessageContaining(midPage.toAbsolutePath().toString())
                .hasMessageContaining("not a whole number of its 4,096-byte pages");

        Path onePage = database("page.db");
        long size = Files.size(onePage);
        cut(onePage, 4096);
        assertThat(SqliteFiles.wholeProblem(onePage)).contains(String.format("it is %,d bytes but its header records %,d"
                + " pages", size - 4096, size / 4096));

        Path notSqlite = dir.resolve("text.db");
        Files.writeString(notSqlite, "hello, not a database");
        assertThat(SqliteFiles.wholeProblem(notSqlite)).as("left to SQLite's own error").isNull();
    }

    @Test
    @DisplayName("issue 17.4: an online backup taken while another connection commits is a whole database of one commit")
    void backupWhileWriting() throws Exception {
        Path live = dir.resolve("live.db");
        try (JdbcDatabase db = JdbcDatabase.sqlite(live)) {
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE n (i INTEGER PRIMARY KEY)");
                }
                return null;
            });
            Thread writer = new Thread(() -> {
                for (int i = 1; i <= 2_000; i++) {
                    int v = i;
                    db.inTransaction(c -> {
                        try (Statement s = c.createStatement()) {
                            s.execute("INSERT INTO n (i) VALUES (" + v + ")");
                        }
                        return null;
                    });
                }
            });
            writer.start();
            while (count(live) < 100) Thread.sleep(5); // bounded by the writer's 2,000 rows
            Path copy = dir.resolve("copy.db");
            SqliteFiles.backup(live, copy);
            writer.join(120_000);
            long copied = count(copy);
            assertThat(copied).isBetween(100L, 2_000L);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT MAX(i), COUNT(*) FROM n")) {
                rs.next();
                assertThat(rs.getLong(1)).as("a prefix of the commits, no hole").isEqualTo(rs.getLong(2));
            }
            assertThat(SqliteFiles.wholeProblem(copy)).isNull();
            assertThat(Files.exists(Path.of(copy + "-wal"))).isFalse();
        }
        assertThat(SqliteFiles.inUse(live)).as("closed").isFalse();
    }

    private static long count(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, SqliteFiles.readOnly());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM n")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
