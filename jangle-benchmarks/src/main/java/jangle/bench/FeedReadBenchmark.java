package jangle.bench;

import jangle.CommandResponse;
import jangle.EventRecord;
import jangle.Jangle;
import jangle.spi.EventStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 3's global-feed read throughput: {@code EventStore.readFeed(after, 1000)} in a loop over a feed of 100,000
 * events (100 aggregates × 1,000 {@link LongAccount.Credited} events), wrapping to the start at the end. Each
 * invocation reads one batch of 1,000 and counts as 1,000 operations, so the score is events per second, including
 * the SQL query, the JSON decoding of every payload and the building of each {@link EventRecord}. One thread, as a
 * projection catching up or a replay reads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
@Threads(1)
public class FeedReadBenchmark {
    private static final int BATCH = 1_000;

    @Param({"memory", "sqlite", "pg-sync"})
    String store;

    @Param({"100"})
    int aggregates;

    private BenchStore opened;
    private Jangle jangle;
    private EventStore events;
    private long last;
    private long cursor;

    @Setup(Level.Trial)
    public void setUp() {
        opened = BenchStore.open(store);
        jangle = opened.configure(Jangle.builder().environment(Map.of()))
                .commands(LongAccount.Cmd.class).events(LongAccount.Evt.class)
                .aggregate(LongAccount.class, id -> new LongAccount(id, 0))
                .build();
        BigDecimal amount = new BigDecimal("5.50");
        for (int i = 1; i <= aggregates; i++) {
            CommandResponse r = jangle.send(new LongAccount.Credit("feed-" + i, BATCH, amount));
            if (r instanceof CommandResponse.Rejected rejected) {
                throw new IllegalStateException("population failed: " + rejected.reason());
            }
        }
        events = jangle.stores().events();
        last = events.lastPosition();
        if (last != (long) aggregates * BATCH) throw new IllegalStateException("feed has " + last + " events");
        System.out.println("\n[store] " + opened.durability() + "; feed of " + last + " events");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (jangle != null) jangle.close();
        } finally {
            opened.close();
        }
    }

    /** One batch of 1,000 events from the global feed. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<EventRecord<?>> readFeedBatch() {
        List<EventRecord<?>> batch = events.readFeed(cursor, BATCH);
        if (batch.size() != BATCH) throw new IllegalStateException("short batch after " + cursor + ": " + batch.size());
        cursor = batch.get(BATCH - 1).position();
        if (cursor >= last) cursor = 0;
        return batch;
    }
}
