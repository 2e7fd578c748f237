package jangle.bench;

import jangle.CommandResponse;
import jangle.EventRecord;
import jangle.Jangle;
import jangle.Projection;
import jangle.ProcessorStatus;
import jangle.spi.EventStore;
import jangle.spi.StoreTransaction;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Issue 12's catch-up target: a projection registered on a store that already holds {@code events} events catches up
 * at ≥ 50,000 events/s. Not JMH (one long run, not a loop): a load driver that prints its figures.
 *
 * <p>It fills the store through the command path ({@link LongAccount.Credit}, 1,000 events per command over
 * {@code aggregates} accounts), then measures, side by side in one process: (1) the anchor, one thread reading the
 * whole feed with {@code readFeed(after, 2000)} (query and JSON decoding of every event); (2) a new projection
 * starting at position 0 on a fresh {@code Jangle} over the same store, from {@code start()} until every one of its
 * segments' checkpoints reaches the head. The projection writes versioned upserts into a table through
 * the store's transaction (D18) on a JDBC store (the last version of each account in the batch), or only counts
 * on the in-memory one.
 *
 * <p>Usage: {@code java -cp jangle-benchmarks.jar jangle.bench.CatchUpDriver [store] [events] [segments]}, store one
 * of {@code sqlite}, {@code pg-sync}, {@code pg-async}, {@code memory} (default sqlite 1000000 4).
 */
public final class CatchUpDriver {
    private static final int PER_COMMAND = 1_000;

    private CatchUpDriver() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "sqlite";
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int segments = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int aggregates = 1_000;
        try (BenchStore store = BenchStore.open(kind)) {
            System.out.println("[store] " + store.durability() + "; " + events + " events, " + segments + " segments");
            long t0 = System.nanoTime();
            try (Jangle writer = app(store).build()) {
                BigDecimal amount = new BigDecimal("1.25");
                for (int i = 0; i < events / PER_COMMAND; i++) {
                    CommandResponse r = writer.send(new LongAccount.Credit("acc-" + (i % aggregates), PER_COMMAND,
                            amount));
                    if (r instanceof CommandResponse.Rejected rejected) throw new IllegalStateException(rejected.reason());
                }
            }
            System.out.printf("filled in %.1f s%n", (System.nanoTime() - t0) / 1e9);

            try (Jangle reader = app(store).build()) {
                EventStore feed = reader.stores().events();
                long head = feed.lastPosition();
                long s0 = System.nanoTime();
                long after = 0;
                long read = 0;
                while (after < head) {
                    List<EventRecord<?>> page = feed.readFeed(after, 2_000);
                    read += page.size();
                    after = page.get(page.size() - 1).position();
                }
                double scan = read / ((System.nanoTime() - s0) / 1e9);
                System.out.printf("anchor: feed scan   %,.0f events/s (%,d events, one thread)%n", scan, read);

                Totals totals = new Totals(kind.equals("memory"));
                try (Jangle follower = app(store).processorSegments(segments).projection(totals).build()) {
                    if (!totals.memory) totals.createTable(store);
                    long c0 = System.nanoTime();
                    follower.start();
                    while (!caughtUp(follower, head)) Thread.sleep(5);
                    double seconds = (System.nanoTime() - c0) / 1e9;
                    double rate = head / seconds;
                    System.out.printf("catch-up: new projection %,.0f events/s = %.2f × anchor (%,d events in %.1f s,"
                            + " %,d handled, %s)%n", rate, rate / scan, head, seconds, totals.handled.sum(),
                            totals.memory ? "counting" : "a versioned upsert per account and batch in the checkpoint's transaction");
                }
            }
        }
    }

    private static jangle.JangleBuilder app(BenchStore store) {
        return store.configure(Jangle.builder().environment(Map.of()))
                .commands(LongAccount.Cmd.class).events(LongAccount.Evt.class)
                .aggregate(LongAccount.class, id -> new LongAccount(id, 0));
    }

    private static boolean caughtUp(Jangle j, long head) {
        List<ProcessorStatus> all = j.operations().processors();
        if (all.isEmpty()) return false;
        for (ProcessorStatus s : all) if (s.position() < head) return false;
        return true;
    }

    /** The projection that catches up: an upsert of each account's last version, or a count in memory. */
    static final class Totals implements Projection<LongAccount.Evt> {
        final boolean memory;
        final LongAdder handled = new LongAdder();

        Totals(boolean memory) {
            this.memory = memory;
        }

        void createTable(BenchStore store) throws SQLException {
            try (Connection c = store.rawConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS catchup_totals (aggregate_id TEXT PRIMARY KEY, version BIGINT)");
                c.commit(); // the raw connection does not auto-commit
            }
        }

        @Override
        public String name() {
            return "catch-up";
        }

        @Override
        public Set<Class<? extends LongAccount.Evt>> eventTypes() {
            return Set.of(LongAccount.Evt.class);
        }

        @Override
        public void handle(EventRecord<? extends LongAccount.Evt> record) {
            handled.increment();
        }

        @Override
        public void handleBatch(List<EventRecord<? extends LongAccount.Evt>> records, StoreTransaction tx)
                throws SQLException {
            Connection c = tx.unwrap(Connection.class).orElse(null);
            if (c == null) {
                handled.add(records.size());
                return;
            }
            // one row per account and batch: PostgreSQL's driver rewrites a batch into one multi-row INSERT, and
            // ON CONFLICT cannot touch one row twice in a statement (the bank's SqlBatch splits such rows into rounds)
            Map<String, Long> last = new java.util.HashMap<>();
            for (EventRecord<? extends LongAccount.Evt> r : records) last.merge(r.aggregateId(), r.version(), Math::max);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO catchup_totals (aggregate_id, version) "
                    + "VALUES (?, ?) ON CONFLICT (aggregate_id) DO UPDATE SET version = excluded.version "
                    + "WHERE excluded.version > catchup_totals.version")) {
                for (Map.Entry<String, Long> e : last.entrySet()) {
                    ps.setString(1, e.getKey());
                    ps.setLong(2, e.getValue());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            handled.add(records.size());
        }
    }
}
