package jangle.bench;

import jangle.Jangle;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * How close the banking pipeline can come to issue 12's PostgreSQL anchor (the raw single-row insert+commit loop) on
 * this machine, whatever the framework does: the database alone writing the rows a deposit writes, with no framework
 * in between. Not JMH (a few fixed phases side by side): a load driver that prints its figures.
 *
 * <p>A "command" here is four rows, fewer than the pipeline's measured average of about five per client command
 * (docs/benchmarks.md): the event in the store's own {@code jangle_events} (its three unique indexes, its JSON
 * columns), the account's {@code bank_summary} row as a versioned upsert, a {@code transactions} row and a
 * {@code deposits} row (the bank's view shapes, without their lookup-table foreign keys). It leaves out what the
 * pipeline cannot: the feed's lock and its max-position lookup, checkpoints, saga rows, the mediator's commands,
 * the reads. So its rate is a ceiling for the pipeline, not an estimate of it. Each transaction carries
 * {@code perCommit} commands in four batched statements (one round trip each) and one commit; the anchor is one row
 * per commit, as the load driver measures it. Every phase runs {@code threads} threads for {@code seconds}, in the
 * order anchor, ceilings, anchor again, in one process on one server.
 *
 * <p>Usage: {@code java -cp jangle-benchmarks.jar jangle.bench.RowCeilingDriver [store] [threads] [seconds]
 * [perCommit,...]}, store {@code pg-sync} (fsync on, the default), {@code pg-async} or {@code pg-nofsync}; defaults
 * 4 threads, 8 s, {@code 1,4,16}. Bad arguments are refused by name.
 */
public final class RowCeilingDriver {
    private static final int ACCOUNTS = 1_000;

    private RowCeilingDriver() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "pg-sync";
        int threads = args.length > 1 ? DriverArgs.positive("threads", args[1]) : 4;
        int seconds = args.length > 2 ? DriverArgs.positive("seconds", args[2]) : 8;
        int[] perCommit = args.length > 3
                ? Arrays.stream(args[3].split(",")).mapToInt(k -> DriverArgs.positive("perCommit", k))
                .toArray() : new int[]{1, 4, 16};
        DriverArgs.postgresKind(kind);
        try (BenchStore store = BenchStore.open(kind)) {
            System.out.println("[store] " + store.durability() + "; " + threads + " threads, " + seconds + " s a phase");
            try (Jangle schema = store.configure(Jangle.builder().environment(Map.of()))
                    .commands(LongAccount.Cmd.class).events(LongAccount.Evt.class)
                    .aggregate(LongAccount.class, id -> new LongAccount(id, 0)).build();
                 Connection c = store.rawConnection(); Statement s = c.createStatement()) {
                for (String name : List.of("raw.create", "upsert.create", "ceiling.createTransactions",
                        "ceiling.indexTransactions", "ceiling.createDeposits")) {
                    s.execute(store.rawSql(name));
                }
                c.commit();
            }
            double anchor = anchor(store, threads, seconds);
            System.out.printf("anchor: raw single-row insert+commit  %,10.0f rows/s%n", anchor);
            AtomicLong positions = new AtomicLong(1_000_000_000L);
            for (int k : perCommit) {
                double rate = ceiling(store, threads, seconds, k, positions);
                System.out.printf("ceiling: %2d deposit(s) per commit    %,10.0f commands/s = %.2f x anchor%n",
                        k, rate, rate / anchor);
            }
            System.out.printf("anchor again                          %,10.0f rows/s%n", anchor(store, threads, seconds));
        }
    }

    /** The load driver's anchor: one row inserted and committed per operation. */
    private static double anchor(BenchStore store, int threads, int seconds) throws Exception {
        AtomicLong ids = new AtomicLong(ThreadLocalRandom.current().nextLong(1L << 40) << 20);
        return run(threads, seconds, c -> {
            PreparedStatement ps = c.prepareStatement(store.rawSql("raw.insert")); // closed with the connection
            return () -> {
                long id = ids.incrementAndGet();
                ps.setLong(1, id);
                ps.setString(2, "a-" + (id % ACCOUNTS));
                ps.setString(3, "{\"amount\":\"1.00\"}");
                ps.executeUpdate();
                c.commit();
                return 1;
            };
        }, store);
    }

    /** {@code k} deposits' rows per transaction; returns deposits committed per second. */
    private static double ceiling(BenchStore store, int threads, int seconds, int k, AtomicLong positions)
            throws Exception {
        return run(threads, seconds, c -> {
            PreparedStatement event = c.prepareStatement(store.rawSql("eventRow.insert"));
            PreparedStatement summary = c.prepareStatement(store.rawSql("ceiling.summary"));
            PreparedStatement transaction = c.prepareStatement(store.rawSql("ceiling.transaction"));
            PreparedStatement deposit = c.prepareStatement(store.rawSql("ceiling.deposit"));
            return () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                int[] accounts = random.ints(k, 0, ACCOUNTS).sorted().distinct().toArray(); // key order: no deadlocks
                for (int account : accounts) {
                    long position = positions.incrementAndGet();
                    UUID eventId = UUID.randomUUID();
                    String accountId = "acc-" + account;
                    Instant now = Instant.now();
                    event.setLong(1, position);
                    event.setObject(2, store.uuid(eventId));
                    event.setString(3, accountId);
                    event.setLong(4, position); // unique per aggregate and rising
                    event.setString(5, "FundsDeposited");
                    event.setInt(6, 1);
                    event.setObject(7, store.instant(now));
                    event.setObject(8, store.uuid(eventId));
                    event.setObject(9, null);
                    event.setString(10, null);
                    event.setString(11, "{\"accountId\":\"" + accountId + "\",\"amount\":\"1.00\",\"balance\":\"1.00\"}");
                    event.addBatch();
                    summary.setString(1, accountId);
                    summary.setLong(2, position);
                    summary.setLong(3, 100);
                    summary.addBatch();
                    transaction.setString(1, eventId.toString());
                    transaction.setString(2, eventId.toString());
                    transaction.setString(3, accountId);
                    transaction.setLong(4, position);
                    transaction.setObject(5, store.instant(now));
                    transaction.setLong(6, 100);
                    transaction.addBatch();
                    deposit.setString(1, eventId.toString());
                    deposit.setString(2, eventId.toString());
                    deposit.setString(3, accountId);
                    deposit.setLong(4, 100);
                    deposit.addBatch();
                }
                event.executeBatch();
                summary.executeBatch();
                transaction.executeBatch();
                deposit.executeBatch();
                c.commit();
                return accounts.length;
            };
        }, store);
    }

    @FunctionalInterface
    private interface Op {
        /** One transaction; returns the operations it committed. */
        int run() throws SQLException;
    }

    @FunctionalInterface
    private interface OpFactory {
        Op open(Connection c) throws SQLException;
    }

    /** Runs {@code threads} closed loops of {@code op} for a second of warm-up and {@code seconds} measured. */
    private static double run(int threads, int seconds, OpFactory factory, BenchStore store) throws Exception {
        LongAdder done = new LongAdder();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try (Connection c = store.rawConnection()) {
                    Op op = factory.open(c);
                    while (!stop.get()) {
                        int n = op.run();
                        if (measuring.get()) done.add(n);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        Thread.sleep(1_000);
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1_000L);
        measuring.set(false);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long count = done.sum();
        stop.set(true);
        for (Thread w : workers) w.join();
        if (!failures.isEmpty()) throw new IllegalStateException("a worker failed", failures.getFirst());
        return count / elapsed;
    }
}
