package jangle.bench;

import jangle.CommandResponse;
import jangle.Jangle;
import jangle.spi.Snapshot;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Issue 3's rehydration figure: the time of one command that rebuilds an aggregate with a 100,000-event history, with
 * the aggregate cache off ({@code aggregateCacheSize(0)}), so every command reads from the store. The command is
 * {@link LongAccount.Inspect}, which posts nothing: the measured time is route, rebuild, validate and answer, and no
 * append, so the stream stays the same size across invocations.
 *
 * <p>{@code snapshot}:
 * <ul>
 *   <li>{@code none}: snapshots off; the whole history is replayed (read in batches of {@code batchSize}, 100 by
 *   default, decoded from JSON, applied).</li>
 *   <li>{@code exact}: snapshot frequency 1,000 and 100,000 events, written by one command, so the one snapshot sits
 *   at version 100,000, the last; a rebuild reads the snapshot, the stream's last version (the S4 check) and an empty
 *   tail.</li>
 *   <li>{@code 999-after}: the worst case of frequency 1,000: 99,000 events then 999 more, so the snapshot is at
 *   99,000 and 999 events are replayed after it (99,999 in all).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
@Threads(1)
public class RehydrationBenchmark {
    private static final String ID = "long-1";
    private static final int FREQUENCY = 1_000;

    @Param({"memory", "sqlite", "pg-sync"})
    String store;

    @Param({"none", "exact", "999-after"})
    String snapshot;

    @Param({"100000"})
    int events;

    /** Events fetched per query when replaying (the {@code batchSize} setting; 100 is its default). */
    @Param({"100"})
    int batchSize;

    private BenchStore opened;
    private Jangle jangle;
    private long expectedVersion;

    @Setup(Level.Trial)
    public void setUp() {
        opened = BenchStore.open(store);
        int frequency = snapshot.equals("none") ? 0 : FREQUENCY;
        jangle = opened.configure(Jangle.builder().environment(Map.of()))
                .commands(LongAccount.Cmd.class).events(LongAccount.Evt.class)
                .aggregate(LongAccount.class, id -> new LongAccount(id, frequency))
                .aggregateCacheSize(0)
                .batchSize(batchSize)
                .build();
        BigDecimal one = new BigDecimal("1.00");
        long snapshotAt;
        switch (snapshot) {
            case "none", "exact" -> {
                credit(events, one);
                expectedVersion = events;
                snapshotAt = frequency == 0 ? 0 : events;
            }
            case "999-after" -> {
                int head = (events / FREQUENCY - 1) * FREQUENCY;
                credit(head, one);
                credit(FREQUENCY - 1, one);
                expectedVersion = head + FREQUENCY - 1L;
                snapshotAt = head;
            }
            default -> throw new IllegalArgumentException("snapshot must be none, exact or 999-after");
        }
        Optional<Snapshot> stored = jangle.stores().snapshots().get(ID, LongAccount.State.class, "?");
        long storedAt = stored.map(Snapshot::version).orElse(0L);
        if (storedAt != snapshotAt) {
            throw new IllegalStateException("expected a snapshot at " + snapshotAt + " but found " + storedAt);
        }
        CommandResponse r = inspect();
        if (!r.isAccepted() || r.token().version() != expectedVersion) {
            throw new IllegalStateException("rebuild check failed: " + r);
        }
        System.out.println("\n[store] " + opened.durability() + "; " + expectedVersion + " events, snapshot at "
                + snapshotAt + ", replayed after it " + (expectedVersion - snapshotAt) + ", batchSize " + batchSize);
    }

    private void credit(int count, BigDecimal amount) {
        CommandResponse r = jangle.send(new LongAccount.Credit(ID, count, amount));
        if (r instanceof CommandResponse.Rejected rejected) {
            throw new IllegalStateException("population failed: " + rejected.reason());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (jangle != null) jangle.close();
        } finally {
            opened.close();
        }
    }

    /** One command that rebuilds the aggregate from the store (cache off) and posts nothing. */
    @Benchmark
    public CommandResponse inspect() {
        return jangle.send(new LongAccount.Inspect(ID));
    }
}
