package jangle.jdbc;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group commit on SQLite: writers queued behind a running transaction are committed together, each in its own
 * savepoint. A work that throws loses only its own writes and its caller gets the exception; the others commit and
 * their callers return only after the COMMIT.
 */
class SqliteGroupCommitTest {
    @TempDir
    Path dir;

    @Test
    @Tag("ST2")
    @Tag("ST4")
    @DisplayName("ST2, ST4: a failing work in a commit group rolls back alone; every other work commits")
    void failingWorkRollsBackAlone() throws Exception {
        try (JdbcDatabase db = JdbcDatabase.sqlite(dir.resolve("group.db"))) {
            db.inTransaction(c -> {
                try (var s = c.createStatement()) {
                    s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
                }
                return null;
            });
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch queued = new CountDownLatch(1);
            // the first work holds the writer until the others have queued, so they commit as one group
            Thread first = Thread.ofPlatform().start(() -> db.inTransaction(c -> {
                insert(c, 0);
                holding.countDown();
                try {
                    queued.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            Set<Integer> failed = ConcurrentHashMap.newKeySet();
            Set<Integer> committed = ConcurrentHashMap.newKeySet();
            List<Thread> writers = new ArrayList<>();
            for (int i = 1; i <= 24; i++) {
                int id = i;
                writers.add(Thread.ofPlatform().start(() -> {
                    try {
                        db.inTransaction(c -> {
                            insert(c, id);
                            if (id % 4 == 0) throw new IllegalStateException("work " + id + " refuses");
                            return null;
                        });
                        committed.add(id);
                    } catch (IllegalStateException e) {
                        assertThat(e).hasMessage("work " + id + " refuses");
                        failed.add(id);
                    }
                }));
            }
            Thread.sleep(300); // let them queue behind the first work
            queued.countDown();
            first.join(10_000);
            for (Thread w : writers) w.join(10_000);

            Set<Integer> rows = db.read(c -> {
                Set<Integer> ids = new HashSet<>();
                try (var s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM t")) {
                    while (rs.next()) ids.add(rs.getInt(1));
                }
                return ids;
            });
            assertThat(failed).containsExactlyInAnyOrder(4, 8, 12, 16, 20, 24);
            assertThat(committed).hasSize(18);
            Set<Integer> expected = new HashSet<>(committed);
            expected.add(0);
            assertThat(rows).isEqualTo(expected);
        }
    }

    private static void insert(java.sql.Connection c, int id) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id) VALUES (?)")) {
            ps.setInt(1, id);
            ps.executeUpdate();
        }
    }
}
