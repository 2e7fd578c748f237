package jangle.bench;

import jangle.Metadata;
import jangle.TypeRegistry;
import jangle.memory.InMemoryStores;
import jangle.spi.AppendResult;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.spi.StoreContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The physical anchor for {@link CommandThroughputBenchmark}: the in-memory store's own append of one event (with
 * its duplicate-id and version checks), no command handling around it. Run both in one JMH invocation and quote the
 * command figure as a ratio of this one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class StoreAppendBenchmark {
    private EventStore store;
    private String[] ids;
    private long[] versions;
    private SplittableRandom random;
    private Metadata metadata;
    private BenchAccount.Deposited event;

    @Setup(Level.Iteration)
    public void setUp() {
        TypeRegistry types = TypeRegistry.of(List.of(BenchAccount.Evt.class), List.of());
        store = new InMemoryStores().open(new StoreContext(types, Clock.systemUTC(), 100)).events();
        ids = new String[1000];
        versions = new long[1000];
        for (int i = 0; i < ids.length; i++) ids[i] = String.format("%06d", i + 1);
        random = new SplittableRandom(42);
        metadata = Metadata.of(UUID.randomUUID());
        event = new BenchAccount.Deposited(new BigDecimal("1.00"), new BigDecimal("1.00"));
    }

    @Benchmark
    public AppendResult appendOne() {
        int i = random.nextInt(ids.length);
        return store.append(List.of(new NewEvent(new UUID(random.nextLong() | 0x4000L, random.nextLong()), ids[i],
                ++versions[i], "Deposited", 1, Instant.EPOCH, metadata, event)));
    }
}
