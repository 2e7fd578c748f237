package jangle.jdbc;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SQLite writer does not copy its WAL into the database file inside its commits: a background checkpointer does,
 * off the write lock (see {@code SqliteConnections#checkpointLoop}).
 */
class SqliteCheckpointTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("issue 12: committed pages reach the database file from the background checkpointer, with no further "
            + "commit, and the writer's own automatic checkpoint is only a backstop")
    void walIsCopiedInTheBackground() throws Exception {
        Path file = dir.resolve("c.db");
        try (JdbcDatabase db = JdbcDatabase.sqlite(file)) {
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE bulk (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
                }
                return null;
            });
            long before = Files.size(file);
            // about 2 MB in one commit: ~500 WAL pages, under SQLite's default automatic threshold (1,000), so only
            // a checkpoint run by someone else copies them into the database file
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulk (id, payload) VALUES (?, ?)")) {
                    String payload = "x".repeat(1000);
                    for (int i = 0; i < 2000; i++) {
                        ps.setInt(1, i);
                        ps.setString(2, payload);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (Files.size(file) < before + 1_500_000 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(Files.size(file)).as("database file after the background checkpoint")
                    .isGreaterThan(before + 1_500_000);
            long backstop = db.inTransaction(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA wal_autocheckpoint")) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertThat(backstop).as("the writer's automatic checkpoint threshold, in pages").isGreaterThan(1000);
            long rows = db.read(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM bulk")) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertThat(rows).isEqualTo(2000);
        }
    }
}
