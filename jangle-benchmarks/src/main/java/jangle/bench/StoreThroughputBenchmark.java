package jangle.bench;

import jangle.CommandResponse;
import jangle.Jangle;
import jangle.JangleBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Issue 3's command throughput on the durable stores, side by side with the raw limit of the same database.
 *
 * <p>{@code commands*}: {@code Jangle.send} through the whole command path (route, cached aggregate, read of the
 * events after its version, validate, number, serialise, append with the dispatch bookkeeping, answer) on 1,000
 * {@link BenchAccount}s, uniformly random deposits and withdrawals of 1.00 / 5.50 / 20.00 (each account starts with a
 * deposit of 100.00, so some withdrawals are rejected by the floor, as in the in-memory benchmark). The aggregate cache
 * is on (default 10,000 entries, all 1,000 accounts fit). {@code handlers=none} (the default) registers no handler.
 * {@code handlers=projection} registers one trivial projection on both event types and starts dispatch: the append
 * writes the event only, and the projection's processor follows the feed and writes its checkpoint once per batch
 * (D1, D17).
 *
 * <p>{@code rawInsertCommit*}: the ceiling: a plain JDBC loop of one single-row {@code INSERT} + {@code COMMIT} on
 * the same database file or server, same settings (see {@link BenchStore#rawConnection}), into a narrow table
 * (bigint key, text, a payload of the same size as an event's). {@code rawEventRow*}: the same loop inserting one
 * row into {@code jangle_events} itself (its three unique indexes, random event ids, 1,000 aggregates with
 * per-aggregate versions), so the gap between the two is the schema's cost and the gap to {@code commands*} is the
 * store's and the framework's. On SQLite both threads share one connection behind a lock (one writer, as the store
 * does); on PostgreSQL each thread has its own connection. Quote every {@code commands*} figure as a ratio to the
 * raw figures with the same store and threads from the same run. The store kinds are described in
 * {@link BenchStore}; {@code pg-nofsync} and {@code memory} (commands only) can be added with {@code -p store=...}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
public class StoreThroughputBenchmark {
    private static final String PAYLOAD = "{\"amount\":\"5.50\",\"balance\":\"105.50\"}";

    @Param({"sqlite", "pg-sync", "pg-async"})
    String store;

    /** {@code none} or {@code projection}; see the class comment. */
    @Param({"none"})
    String handlers;

    @Param({"1000"})
    int accounts;

    private BenchStore opened;
    private Jangle jangle;
    private String[] ids;
    private final BigDecimal[] amounts = {new BigDecimal("1.00"), new BigDecimal("5.50"), new BigDecimal("20.00")};
    private final AtomicInteger seeds = new AtomicInteger(42);
    private final AtomicLong rawIds = new AtomicLong();
    /** Raw event rows: positions far above the commands' ones, per-aggregate versions. */
    private final AtomicLong rawPositions = new AtomicLong(1_000_000_000L);
    private AtomicLongArray rawVersions;
    private String[] rawAggregates;
    private final LongAdder handled = new LongAdder();
    /** SQLite raw limit: one connection shared by the threads behind this lock (one writer). */
    private final ReentrantLock rawLock = new ReentrantLock();
    private Connection sharedRaw;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        opened = BenchStore.open(store);
        System.out.println("\n[store] " + opened.durability() + "; handlers=" + handlers);
        JangleBuilder builder = opened.configure(Jangle.builder().environment(Map.of()))
                .commands(BenchAccount.Cmd.class).events(BenchAccount.Evt.class)
                .aggregate(BenchAccount.class, BenchAccount::new);
        switch (handlers) {
            case "none" -> { }
            case "projection" -> builder
                    .projection("bench-count", BenchAccount.Deposited.class, (r, ctx) -> handled.increment())
                    .projection("bench-count", BenchAccount.Withdrawn.class, (r, ctx) -> handled.increment());
            default -> throw new IllegalArgumentException("handlers must be none or projection");
        }
        jangle = builder.build();
        if (handlers.equals("projection")) jangle.start();
        ids = new String[accounts];
        BigDecimal opening = new BigDecimal("100.00");
        for (int i = 0; i < accounts; i++) {
            ids[i] = String.format("%06d", i + 1);
            CommandResponse r = jangle.send(new BenchAccount.Deposit(ids[i], opening));
            if (r instanceof CommandResponse.Rejected rejected) {
                throw new IllegalStateException("pre-population failed: " + rejected.reason());
            }
        }
        if (!opened.memory()) {
            try (Connection c = opened.rawConnection(); Statement s = c.createStatement()) {
                s.execute(opened.rawSql("raw.create"));
                c.commit();
            }
            rawVersions = new AtomicLongArray(accounts);
            rawAggregates = new String[accounts];
            for (int i = 0; i < accounts; i++) rawAggregates[i] = String.format("raw-%06d", i + 1);
            if (opened.sqlite()) sharedRaw = opened.rawConnection();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        try {
            if (sharedRaw != null) sharedRaw.close();
            System.out.println("\n[store] " + store + ": last position " + jangle.stores().events().lastPosition()
                    + "; raw rows " + rawIds.get() + "; raw event rows " + (rawPositions.get() - 1_000_000_000L)
                    + "; projection calls " + handled.sum());
            jangle.close();
        } finally {
            opened.close();
        }
    }

    /** Per-thread random stream and (PostgreSQL) raw connection. */
    @State(Scope.Thread)
    public static class Worker {
        SplittableRandom random;
        Connection raw;
        PreparedStatement insert;
        PreparedStatement eventRow;

        @Setup(Level.Trial)
        public void setUp(StoreThroughputBenchmark b) throws SQLException {
            random = new SplittableRandom(b.seeds.getAndIncrement());
            if (b.opened.memory()) return;
            raw = b.opened.sqlite() ? b.sharedRaw : b.opened.rawConnection();
            insert = raw.prepareStatement(b.opened.rawSql("raw.insert"));
            eventRow = raw.prepareStatement(b.opened.rawSql("eventRow.insert"));
        }

        @TearDown(Level.Trial)
        public void tearDown(StoreThroughputBenchmark b) throws SQLException {
            if (insert != null) insert.close();
            if (eventRow != null) eventRow.close();
            if (raw != null && raw != b.sharedRaw) raw.close();
        }
    }

    private CommandResponse sendOne(SplittableRandom random) {
        String id = ids[random.nextInt(ids.length)];
        BigDecimal amount = amounts[random.nextInt(amounts.length)];
        return random.nextBoolean()
                ? jangle.send(new BenchAccount.Deposit(id, amount))
                : jangle.send(new BenchAccount.Withdraw(id, amount));
    }

    private int insertOne(Worker w) throws SQLException {
        if (w.insert == null) throw new IllegalStateException("the raw limit needs a database, not " + store);
        boolean shared = w.raw == sharedRaw;
        if (shared) rawLock.lock();
        try {
            w.insert.setLong(1, rawIds.incrementAndGet());
            w.insert.setString(2, ids[w.random.nextInt(ids.length)]);
            w.insert.setString(3, PAYLOAD);
            int n = w.insert.executeUpdate();
            w.raw.commit();
            return n;
        } finally {
            if (shared) rawLock.unlock();
        }
    }

    /**
     * One row into {@code jangle_events} itself (same indexes, same bound types and sizes as the store's append) and
     * a commit: what the database charges for an event row, without the store's lock, version check, JSON or
     * framework.
     */
    private int insertEventRow(Worker w) throws SQLException {
        if (w.eventRow == null) throw new IllegalStateException("the raw limit needs a database, not " + store);
        boolean shared = w.raw == sharedRaw;
        if (shared) rawLock.lock();
        try {
            int a = w.random.nextInt(accounts);
            PreparedStatement ps = w.eventRow;
            UUID correlation = randomUuid(w.random);
            ps.setLong(1, rawPositions.incrementAndGet());
            ps.setObject(2, opened.uuid(randomUuid(w.random)));
            ps.setString(3, rawAggregates[a]);
            ps.setLong(4, rawVersions.incrementAndGet(a));
            ps.setString(5, "Deposited");
            ps.setInt(6, 1);
            ps.setObject(7, opened.instant(Instant.now()));
            ps.setObject(8, opened.uuid(correlation));
            ps.setObject(9, opened.uuid(correlation));
            ps.setString(10, null);
            ps.setString(11, PAYLOAD);
            int n = ps.executeUpdate();
            w.raw.commit();
            return n;
        } finally {
            if (shared) rawLock.unlock();
        }
    }

    /** A version-4 UUID from the thread's own random stream (the store's ids are random version-4 UUIDs too). */
    private static UUID randomUuid(SplittableRandom random) {
        long hi = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(hi, lo);
    }

    @Benchmark
    @Threads(1)
    public CommandResponse commands1Thread(Worker w) {
        return sendOne(w.random);
    }

    @Benchmark
    @Threads(2)
    public CommandResponse commands2Threads(Worker w) {
        return sendOne(w.random);
    }

    @Benchmark
    @Threads(1)
    public int rawInsertCommit1Thread(Worker w) throws SQLException {
        return insertOne(w);
    }

    @Benchmark
    @Threads(2)
    public int rawInsertCommit2Threads(Worker w) throws SQLException {
        return insertOne(w);
    }

    @Benchmark
    @Threads(1)
    public int rawEventRow1Thread(Worker w) throws SQLException {
        return insertEventRow(w);
    }

    @Benchmark
    @Threads(2)
    public int rawEventRow2Threads(Worker w) throws SQLException {
        return insertEventRow(w);
    }
}
