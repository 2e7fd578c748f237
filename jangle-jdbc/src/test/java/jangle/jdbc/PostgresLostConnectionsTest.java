package jangle.jdbc;

import jangle.StoreException;
import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every pooled connection lost at once (a restarted server, a cut network), seen by a real PostgreSQL that terminates
 * the pool's backends. The pool must not hand out the other dead connections one by one after the first failure.
 */
class PostgresLostConnectionsTest {
    private static final int WARM = 8;

    @Test
    @DisplayName("issue 16.5: after the server drops every pooled connection, at most one call fails and the next "
            + "one connects afresh, even when the dead connections were used moments before (no validation then)")
    void oneFailureThenFreshConnections() throws Exception {
        String name = "l_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = EmbeddedPg.server().getPostgresDatabase().getConnection();
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        try (JdbcDatabase db = JdbcDatabase.postgres(EmbeddedPg.server().getDatabase("postgres", name))) {
            warm(db);
            int killed = terminateBackends(name);
            assertThat(killed).as("backends of the pool terminated").isGreaterThanOrEqualTo(WARM);

            List<String> failures = new ArrayList<>();
            long answered = -1;
            for (int attempt = 0; attempt < WARM && answered < 0; attempt++) {
                try {
                    answered = db.read(c -> {
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 42")) {
                            rs.next();
                            return rs.getLong(1);
                        }
                    });
                } catch (StoreException e) {
                    failures.add(e.getMessage());
                }
            }
            assertThat(answered).as("a read answered after the failures %s", failures).isEqualTo(42);
            assertThat(failures).as("reads that met a dead pooled connection").hasSizeLessThanOrEqualTo(1);
            failures.forEach(f -> assertThat(f).contains("the connection to the database failed or was lost"));
        }
    }

    /** Makes the pool open {@link #WARM} connections (reads held open together) and return them all just now. */
    private static void warm(JdbcDatabase db) throws Exception {
        CountDownLatch together = new CountDownLatch(WARM);
        ExecutorService pool = Executors.newFixedThreadPool(WARM);
        try {
            List<Future<Integer>> reads = new ArrayList<>();
            for (int i = 0; i < WARM; i++) {
                reads.add(pool.submit(() -> db.read(c -> {
                    together.countDown();
                    try {
                        together.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                        rs.next();
                        return rs.getInt(1);
                    }
                })));
            }
            for (Future<Integer> r : reads) assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Terminates every backend connected to {@code database} and waits until they are gone; returns how many. */
    private static int terminateBackends(String database) throws Exception {
        try (Connection c = EmbeddedPg.server().getPostgresDatabase().getConnection();
             Statement s = c.createStatement()) {
            int killed = 0;
            try (ResultSet rs = s.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                    + database + "'")) {
                while (rs.next()) if (rs.getBoolean(1)) killed++;
            }
            for (int i = 0; i < 200; i++) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '"
                        + database + "'")) {
                    rs.next();
                    if (rs.getInt(1) == 0) return killed;
                }
                Thread.sleep(2);
            }
            return killed;
        }
    }
}
