package jangle.bench;

import jangle.CommandResponse;
import jangle.Jangle;
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
import org.openjdk.jmh.annotations.Warmup;

import java.math.BigDecimal;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Issue 2's throughput figure: commands per second through the whole command handler (route, cached aggregate, read
 * after version, validate, number, append with bookkeeping, hand-off) on the in-memory store, one thread, 1,000
 * aggregates, deposits and withdrawals. No handlers are registered, so dispatch costs nothing here. Each iteration
 * starts from an empty store: the in-memory store keeps every event, and a store that grows for minutes measures
 * the garbage collector, not the command path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class CommandThroughputBenchmark {
    @Param({"1000"})
    int accounts;

    /** Cache on (default 10,000 entries) or off (every command rebuilds from the store). */
    @Param({"10000"})
    int cacheSize;

    private Jangle jangle;
    private String[] ids;
    private SplittableRandom random;
    private BigDecimal[] amounts;

    @Setup(Level.Iteration)
    public void setUp() {
        jangle = Jangle.builder().environment(Map.of())
                .commands(BenchAccount.Cmd.class).events(BenchAccount.Evt.class)
                .aggregate(BenchAccount.class, BenchAccount::new)
                .aggregateCacheSize(cacheSize)
                .build();
        ids = new String[accounts];
        for (int i = 0; i < accounts; i++) ids[i] = String.format("%06d", i + 1);
        amounts = new BigDecimal[]{new BigDecimal("1.00"), new BigDecimal("5.50"), new BigDecimal("20.00")};
        random = new SplittableRandom(42);
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
        jangle.close();
    }

    @Benchmark
    public CommandResponse depositOrWithdraw() {
        String id = ids[random.nextInt(ids.length)];
        BigDecimal amount = amounts[random.nextInt(amounts.length)];
        return random.nextBoolean()
                ? jangle.send(new BenchAccount.Deposit(id, amount))
                : jangle.send(new BenchAccount.Withdraw(id, amount));
    }
}
