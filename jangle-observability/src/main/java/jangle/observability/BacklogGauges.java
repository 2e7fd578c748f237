package jangle.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import jangle.Backlog;
import jangle.Jangle;
import jangle.ProcessorStatus;
import jangle.spi.HandlerBacklog;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Gauges read from the stores: each handler's parked and dead deliveries, each processor segment's checkpoint and lag,
 * the segments this node holds, the feed's head and the sagas. The backlog ({@link jangle.Operations#backlog()}) is
 * read when a gauge is scraped, at most once a second for all of them, so a scrape of many gauges costs one read of
 * the stores. A processor segment first seen in a read (a processor started later, here or on another node sharing
 * the store) gets its gauges then: they are in the scrape after the one that first saw it. A segment no longer stored
 * reports NaN. A store failure makes the gauges report NaN until the next successful read; it is logged, never thrown
 * into the scrape. The gauges hold this object strongly (Micrometer holds a gauge's object weakly by default, and
 * nothing else refers to it).
 */
final class BacklogGauges {
    private static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final MeterRegistry registry;
    private final Jangle jangle;
    private final String node;
    private Backlog last;
    /** The last read's segments by processor and segment number, and the segments held by this node by processor. */
    private Map<String, Map<Integer, ProcessorStatus>> segments = Map.of();
    private Map<String, Integer> held = Map.of();
    /** Segments seen in some read, and those of them whose gauges are not registered yet. */
    private final Set<String> seen = new HashSet<>();
    private final List<ProcessorStatus> unregistered = new ArrayList<>();
    private long readAt;
    private boolean failing;

    private BacklogGauges(MeterRegistry registry, Jangle jangle) {
        this.registry = registry;
        this.jangle = jangle;
        this.node = jangle.settings().nodeId();
    }

    static void register(MeterRegistry registry, Jangle jangle) {
        BacklogGauges g = new BacklogGauges(registry, jangle);
        for (String handler : jangle.operations().handlers()) {
            // since issue 12 a handler's lag is its processor's (jangle.processor.lag.*); these count parked rows
            Gauge.builder("jangle.handler.pending", g, s -> s.handler(handler, h -> h.pending()))
                    .description("Deliveries of the handler parked after failing, pending a retry by the event daemon")
                    .baseUnit("events").tag("handler", handler).strongReference(true).register(registry);
            Gauge.builder("jangle.handler.dead", g, s -> s.handler(handler, h -> h.dead()))
                    .description("Dead letters of the handler").baseUnit("events").tag("handler", handler)
                    .strongReference(true).register(registry);
            TimeGauge.builder("jangle.handler.lag", g, TimeUnit.SECONDS, s -> s.lagSeconds(handler))
                    .description("Age of the handler's oldest parked delivery pending a retry, since its event's commit")
                    .tag("handler", handler).strongReference(true).register(registry);
        }
        Gauge.builder("jangle.feed.position", g, s -> s.read(b -> b.feedPosition()))
                .description("Position of the last committed event in the global feed").strongReference(true).register(registry);
        Gauge.builder("jangle.sagas.active", g, s -> s.read(b -> b.sagas().active()))
                .description("Sagas neither complete nor timed out").strongReference(true).register(registry);
        Gauge.builder("jangle.sagas.due", g, s -> s.read(b -> b.sagas().due()))
                .description("Active sagas whose wake-up time has passed").strongReference(true).register(registry);
        Gauge.builder("jangle.sagas.overdue", g, s -> s.read(b -> b.sagas().overdue()))
                .description("Sagas due for longer than one saga retry interval").strongReference(true).register(registry);
    }

    /** Registers the gauges of one processor segment (and of its processor, once); idempotent, as registries are. */
    private void registerSegment(String processor, int segment) {
        Gauge.builder("jangle.processor.segments.held", this, s -> s.heldBy(processor)) // once per processor
                .description("Segments of the processor whose unexpired lease this node (Settings.nodeId) holds")
                .tag("processor", processor).strongReference(true).register(registry);
        String tag = Integer.toString(segment);
        Gauge.builder("jangle.processor.checkpoint", this, s -> s.segment(processor, segment, p -> p.position()))
                .description("Checkpoint of the processor segment: every event of the segment at or below it is "
                        + "handled or parked").tag("processor", processor).tag("segment", tag)
                .strongReference(true).register(registry);
        Gauge.builder("jangle.processor.lag.events", this, s -> s.segment(processor, segment, p -> p.lagEvents()))
                .description("Positions between the segment's checkpoint and the head of the feed")
                .baseUnit("events").tag("processor", processor).tag("segment", tag).strongReference(true)
                .register(registry);
        TimeGauge.builder("jangle.processor.lag.seconds", this, TimeUnit.SECONDS,
                        s -> s.segment(processor, segment, p -> p.lagTime().toNanos() / 1e9))
                .description("Time since the commit of the first event after the segment's checkpoint; 0 when "
                        + "caught up").tag("processor", processor).tag("segment", tag).strongReference(true)
                .register(registry);
    }

    private double handler(String name, ToDoubleFunction<HandlerBacklog> f) {
        return read(b -> f.applyAsDouble(b.handler(name)));
    }

    private double lagSeconds(String name) {
        return read(b -> b.lag(b.handler(name)).toNanos() / 1e9);
    }

    private double segment(String processor, int segment, ToDoubleFunction<ProcessorStatus> f) {
        double value;
        synchronized (this) {
            ProcessorStatus p = current() == null ? null : segments.getOrDefault(processor, Map.of()).get(segment);
            value = p == null ? Double.NaN : f.applyAsDouble(p);
        }
        registerNew();
        return value;
    }

    private double heldBy(String processor) {
        double value;
        synchronized (this) {
            value = current() == null ? Double.NaN : held.getOrDefault(processor, 0);
        }
        registerNew();
        return value;
    }

    private double read(ToDoubleFunction<Backlog> f) {
        double value;
        synchronized (this) {
            Backlog b = current();
            value = b == null ? Double.NaN : f.applyAsDouble(b);
        }
        registerNew();
        return value;
    }

    /**
     * Registers the gauges of segments a read saw first, outside this object's lock: a registry takes its own lock
     * to register, and a scrape that holds it while reading gauges must never wait for ours.
     */
    private void registerNew() {
        List<ProcessorStatus> fresh;
        synchronized (this) {
            if (unregistered.isEmpty()) return;
            fresh = List.copyOf(unregistered);
            unregistered.clear();
        }
        for (ProcessorStatus p : fresh) registerSegment(p.processor(), p.segment());
    }

    /** The backlog read at most a second ago, or null after a failed read. Called under the lock. */
    private Backlog current() {
        long now = System.nanoTime();
        if (last == null && !failing || now - readAt > MAX_AGE_NANOS) {
            readAt = now;
            try {
                last = jangle.operations().backlog();
                failing = false;
            } catch (RuntimeException e) {
                if (!failing) {
                    LoggerFactory.getLogger("jangle.observability").atWarn().addKeyValue("point",
                            "observability.backlog-failed").setCause(e).log("reading the backlog for gauges failed");
                }
                failing = true;
                last = null;
                return null;
            }
            index(last);
        }
        return last;
    }

    /**
     * Indexes a read's segments, counts those this node holds (its id as owner, lease not expired at the read) and
     * queues those seen for the first time for {@link #registerNew}.
     */
    private void index(Backlog b) {
        Map<String, Map<Integer, ProcessorStatus>> bySegment = new HashMap<>();
        Map<String, Integer> mine = new HashMap<>();
        for (ProcessorStatus p : b.processors()) {
            bySegment.computeIfAbsent(p.processor(), k -> new HashMap<>()).put(p.segment(), p);
            if (p.owner().isPresent() && p.owner().get().equals(node) && p.leaseUntil().isAfter(b.at())) {
                mine.merge(p.processor(), 1, Integer::sum);
            }
            if (seen.add(p.processor() + '\u0000' + p.segment())) unregistered.add(p);
        }
        segments = bySegment;
        held = mine;
    }
}
