package jangle.banking.app.load;

import jangle.banking.app.views.NamedSql;
import jangle.jdbc.JdbcDatabase;

import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The physical limit of a run (issue 7): how many single-row INSERT + COMMIT transactions the application's own
 * database takes per second, on its own connection settings (SQLite WAL and {@code synchronous}; PostgreSQL
 * {@code synchronous_commit} and {@code fsync} as the server has them), measured by the load driver in the same run.
 * A command commits at least one such transaction, so its rate divided by this one says how close to the database
 * the whole pipeline comes. The rows go to a scratch table that is dropped afterwards.
 */
final class RawInsertAnchor {
    private static final String PAYLOAD = "x".repeat(200); // about the size of one event's JSON

    private final JdbcDatabase db;
    private final NamedSql sql;

    RawInsertAnchor(JdbcDatabase db) {
        this.db = db;
        this.sql = NamedSql.load("jangle/banking/load/" + db.dialect().name().toLowerCase(Locale.ROOT) + ".sql");
    }

    /** Inserts and commits one row per transaction from {@code threads} threads for {@code duration}; rows/s. */
    double measure(int threads, Duration duration) throws InterruptedException {
        db.inTransaction(c -> {
            try (var create = c.createStatement()) {
                create.execute(sql.get("anchor.create"));
                create.execute(sql.get("anchor.clear"));
            }
            return null;
        });
        AtomicLong ids = new AtomicLong();
        LongAdder rows = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        String insert = sql.get("anchor.insert");
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().name("anchor-" + t).start(() -> {
                while (!stop.get()) {
                    db.inTransaction(c -> {
                        try (PreparedStatement ps = c.prepareStatement(insert)) {
                            ps.setLong(1, ids.incrementAndGet());
                            ps.setString(2, PAYLOAD);
                            ps.executeUpdate();
                        }
                        return null;
                    });
                    rows.increment();
                }
            }));
        }
        Thread.sleep(duration.toMillis());
        stop.set(true);
        for (Thread w : workers) w.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        db.inTransaction(c -> {
            try (var drop = c.createStatement()) {
                drop.execute(sql.get("anchor.drop"));
            }
            return null;
        });
        return rows.sum() / seconds;
    }
}
