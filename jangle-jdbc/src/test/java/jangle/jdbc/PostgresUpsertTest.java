package jangle.jdbc;

import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresUpsertTest extends UpsertCases {
    private String url;

    @Override
    protected JdbcDatabase newDatabase() {
        url = EmbeddedPg.newSchemaUrl();
        return JdbcDatabase.open(url, EmbeddedPg.USER, EmbeddedPg.PASSWORD);
    }

    @Test
    @Tag("V7")
    @DisplayName("Two batches in concurrent transactions take their rows' locks in key order, whatever order the rows "
            + "were added in: the later one waits for the earlier one's commit instead of deadlocking with it")
    void batchesTakeRowLocksInKeyOrder() throws Exception {
        db.inTransaction(new SqlBatch().add(named("a", 1)).add(named("b", 1))::execute);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (Connection first = connect(); Connection second = connect()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            new SqlBatch().add(named("a", 2)).execute(first); // holds a until its commit
            int secondPid = backendPid(second);
            Future<Integer> secondRun = other.submit(() -> {
                // added b first: in the order added it would hold b while it waits for a
                int n = new SqlBatch().add(named("b", 3)).add(named("a", 3)).execute(second);
                second.commit();
                return n;
            });
            awaitLockWait(secondPid);
            // with the second batch holding b this would deadlock, and PostgreSQL would fail one of the two
            new SqlBatch().add(named("b", 2)).execute(first);
            first.commit();
            assertThat(secondRun.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        } finally {
            other.shutdownNow();
        }
        String rows = db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT id || ':' || name_version FROM accounts ORDER BY id")) {
                StringBuilder text = new StringBuilder();
                while (rs.next()) text.append(rs.getString(1)).append(' ');
                return text.toString().trim();
            }
        });
        assertThat(rows).isEqualTo("a:3 b:3");
    }

    private static SqlStatement named(String id, long version) {
        return VersionedUpsert.into("accounts").key("id", id).versioned("name", id + version, "name_version", version)
                .build(SqlDialect.POSTGRESQL);
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, EmbeddedPg.USER, EmbeddedPg.PASSWORD);
    }

    private static int backendPid(Connection c) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Returns once the backend {@code pid} waits for a lock (it has sent its batch and holds what it took). */
    private void awaitLockWait(int pid) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < giveUp) {
            boolean waiting = db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT 1 FROM pg_stat_activity WHERE pid = ? AND wait_event_type = 'Lock'")) {
                    ps.setInt(1, pid);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next();
                    }
                }
            });
            if (waiting) return;
            Thread.sleep(10);
        }
        throw new AssertionError("backend " + pid + " never waited for a row lock");
    }
}
