package jangle.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jangle.Aggregate;
import jangle.Command;
import jangle.CommandResponse;
import jangle.Event;
import jangle.EventRecord;
import jangle.Jangle;
import jangle.JangleBuilder;
import jangle.Projection;
import jangle.ReconstituteState;
import jangle.ValidateCommand;
import jangle.memory.InMemoryEventStore;
import jangle.memory.InMemorySagaStore;
import jangle.memory.InMemorySnapshotStore;
import jangle.spi.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OB8 (docs/observability.md): the per-processor and per-segment gauges read the real runtime's checkpoints through
 * {@code Operations.backlog()}: lag rises while a handler is held back and falls to zero once it runs; a processor
 * started later gets its gauges; the held-segments gauge counts only this node's leases; the projection batch size
 * and handler timers are recorded by the processors' hooks.
 */
class ProcessorMetersTest {
    private final List<Jangle> apps = new ArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);

    @AfterEach
    void close() {
        gate.countDown(); // never leave a worker blocked in the held handler
        for (Jangle j : apps) j.close();
    }

    // ---- a tiny domain: counters that can be bumped ----

    sealed interface Cmd extends Command permits Bump {
    }

    record Bump(String id) implements Cmd {
        @Override
        public String aggregateId() {
            return id;
        }
    }

    sealed interface Evt extends Event permits Bumped {
    }

    record Bumped(int n) implements Evt {
    }

    static final class Counter extends Aggregate {
        private int n;

        Counter(String id) {
            super(id);
        }

        @ValidateCommand
        CommandResponse bump(Bump c) {
            post(new Bumped(n + 1));
            return CommandResponse.accepted();
        }

        @ReconstituteState
        void on(Bumped e) {
            n = e.n();
        }
    }

    /** A batched projection that only counts what it saw. */
    static final class Totals implements Projection<Evt> {
        final AtomicInteger seen = new AtomicInteger();

        @Override
        public String name() {
            return "totals";
        }

        @Override
        public Set<Class<? extends Evt>> eventTypes() {
            return Set.of(Bumped.class);
        }

        @Override
        public void handle(EventRecord<? extends Evt> record) {
            seen.incrementAndGet();
        }
    }

    private JangleBuilder builder(SimpleMeterRegistry registry, String node) {
        return Jangle.builder().environment(Map.of()).setting("nodeId", node).processorSegments(2)
                .failedEventsRetryInterval(Duration.ofHours(1)).sagaRetryInterval(Duration.ofHours(1))
                .commands(Cmd.class).events(Evt.class).aggregate(Counter.class, Counter::new)
                .telemetry(JangleObservability.metrics(registry));
    }

    private Jangle keep(Jangle j) {
        apps.add(j);
        return j;
    }

    /** What a scrape does: reads every gauge (the first read of a scrape may register segments seen first). */
    private static void scrape(SimpleMeterRegistry registry) {
        for (Meter m : registry.getMeters()) {
            if (m instanceof Gauge g) g.value();
        }
    }

    private static List<Gauge> gauges(SimpleMeterRegistry registry, String name, String processor) {
        return List.copyOf(registry.find(name).tag("processor", processor).gauges());
    }

    private static double max(SimpleMeterRegistry registry, String name, String processor) {
        return gauges(registry, name, processor).stream().mapToDouble(Gauge::value).max().orElse(Double.NaN);
    }

    /** Scrapes until {@code condition} holds (the gauges re-read the stores at most once a second). */
    private static void eventually(SimpleMeterRegistry registry, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            scrape(registry);
            if (condition.getAsBoolean()) return;
            if (System.nanoTime() > deadline) throw new AssertionError("never happened: " + what);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what);
            }
        }
    }

    @Test
    @Tag("OB8")
    @DisplayName("OB8: a held-back handler's lag in events and seconds rises per segment, then falls to zero")
    void lagRisesWhileHeldAndFallsToZero() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicInteger mailed = new AtomicInteger();
        Totals totals = new Totals();
        Jangle app = keep(builder(registry, "node-a")
                .reactor("mailer", Bumped.class, (record, context) -> {
                    if (!gate.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("gate never opened");
                    mailed.incrementAndGet();
                })
                .projection(totals).build());

        scrape(registry); // before start() no processor is stored: no processor gauges yet
        assertThat(registry.find("jangle.processor.checkpoint").gauges()).isEmpty();

        app.start();
        List<String> ids = List.of("a", "b", "c", "d", "e", "f", "g", "h");
        for (String id : ids) app.send(new Bump(id));
        eventually(registry, () -> gauges(registry, "jangle.processor.checkpoint", "mailer").size() == 2
                        && gauges(registry, "jangle.processor.checkpoint", "totals").size() == 2,
                "checkpoint gauges for both segments of both processors");
        assertThat(registry.get("jangle.processor.segments.held").tag("processor", "mailer").gauge().value())
                .isEqualTo(2.0); // the only node holds both segments

        eventually(registry, () -> max(registry, "jangle.processor.lag.events", "mailer") > 0
                && max(registry, "jangle.processor.lag.seconds", "mailer") > 0, "the held handler lags");
        double events1 = max(registry, "jangle.processor.lag.events", "mailer");
        double seconds1 = max(registry, "jangle.processor.lag.seconds", "mailer");
        assertThat(mailed).hasValue(0);

        for (String id : ids) app.send(new Bump(id)); // more work while it is held: the lag grows
        eventually(registry, () -> max(registry, "jangle.processor.lag.events", "mailer") > events1
                        && max(registry, "jangle.processor.lag.seconds", "mailer") > seconds1,
                "the lag in events and in seconds rises while the handler is held");
        assertThat(max(registry, "jangle.processor.lag.events", "mailer")).isLessThanOrEqualTo(2.0 * ids.size());

        gate.countDown();
        eventually(registry, () -> mailed.get() == 2 * ids.size()
                        && max(registry, "jangle.processor.lag.events", "mailer") == 0
                        && max(registry, "jangle.processor.lag.seconds", "mailer") == 0
                        && max(registry, "jangle.processor.lag.events", "totals") == 0,
                "every segment's lag falls to zero once the handler runs");
        double head = registry.get("jangle.feed.position").gauge().value();
        assertThat(head).isEqualTo(2.0 * ids.size());
        for (String p : List.of("mailer", "totals")) {
            assertThat(gauges(registry, "jangle.processor.checkpoint", p)).extracting(Gauge::value)
                    .containsOnly(head);
        }

        // the processors' hooks: per-event handler timings and projection batch sizes
        assertThat(registry.get("jangle.handler.invocations").tag("handler", "mailer").tag("outcome", "success")
                .timer().count()).isEqualTo(2L * ids.size());
        var batches = registry.get("jangle.handler.batch.size").tag("handler", "totals").summary();
        assertThat(batches.count()).isPositive();
        assertThat(batches.totalAmount()).isEqualTo(totals.seen.get()).isEqualTo(2.0 * ids.size());
        assertThat(registry.get("jangle.handler.batches").tag("handler", "totals").tag("outcome", "success")
                .timer().count()).isEqualTo(batches.count());
    }

    @Test
    @Tag("OB8")
    @DisplayName("OB8: a processor started later by another node sharing the store gets gauges; it holds none here")
    void aProcessorThatAppearsLaterGetsGauges() {
        var events = new InMemoryEventStore("node-a");
        var shared = Stores.of(events, new InMemorySnapshotStore(), new InMemorySagaStore());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Jangle a = keep(builder(registry, "node-a").stores(context -> shared)
                .reactor("early", Bumped.class, (record, context) -> { }).build());
        a.start();
        a.send(new Bump("x"));
        eventually(registry, () -> gauges(registry, "jangle.processor.checkpoint", "early").size() == 2,
                "gauges of the processor present at start");
        assertThat(gauges(registry, "jangle.processor.checkpoint", "late")).isEmpty();
        assertThat(registry.get("jangle.processor.segments.held").tag("processor", "early").gauge().value())
                .isEqualTo(2.0);

        Jangle b = keep(builder(new SimpleMeterRegistry(), "node-b").stores(context -> shared)
                .reactor("late", Bumped.class, (record, context) -> { }).build());
        b.start(); // stores the new processor's segments; node-b holds them
        eventually(registry, () -> gauges(registry, "jangle.processor.checkpoint", "late").size() == 2
                        && gauges(registry, "jangle.processor.lag.events", "late").size() == 2
                        && gauges(registry, "jangle.processor.lag.seconds", "late").size() == 2,
                "node-a's registry gets the later processor's gauges");
        assertThat(gauges(registry, "jangle.processor.checkpoint", "late")).extracting(Gauge::value)
                .allSatisfy(v -> assertThat(v).isBetween(0.0, 1.0)); // a real reading, not NaN
        assertThat(registry.get("jangle.processor.segments.held").tag("processor", "late").gauge().value())
                .isZero(); // node-b's leases, not this node's
    }

    @Test
    @Tag("OB10")
    @DisplayName("OB10: with percentiles on, the function meters still count what the application does (the copy "
            + "reads the adders the registry registered first)")
    void percentilesKeepTheFunctionMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Jangle app = keep(Jangle.builder().environment(Map.of()).commands(Cmd.class).events(Evt.class)
                .aggregate(Counter.class, Counter::new)
                .telemetry(JangleObservability.of(registry, null).withPercentiles()).build());
        app.send(new Bump("x"));
        app.send(new Bump("x"));
        app.send(new Bump("y"));
        assertThat(registry.get("jangle.append.events").functionCounter().count()).isEqualTo(3.0);
        assertThat(registry.get("jangle.appends").tag("outcome", "committed").functionTimer().count())
                .isEqualTo(3.0);
        double hits = registry.get("jangle.aggregate.cache").tag("result", "hit").functionCounter().count();
        double misses = registry.get("jangle.aggregate.cache").tag("result", "miss").functionCounter().count();
        assertThat(hits).isEqualTo(1.0);
        assertThat(misses).isEqualTo(2.0);
        assertThat(registry.get("jangle.commands").tag("outcome", "accepted").timer().takeSnapshot()
                .percentileValues()).as("the copy's own timers carry the percentiles").hasSize(3);
    }
}
