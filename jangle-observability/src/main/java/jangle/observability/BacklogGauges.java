package jangle.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import jangle.Backlog;
import jangle.Jangle;
import jangle.spi.HandlerBacklog;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Gauges read from the stores: each handler's pending and dead deliveries and lag, the feed's head and the sagas.
 * The backlog is read when a gauge is scraped, at most once a second for all of them (one ledger query and one saga
 * query), so a scrape of many gauges costs one round trip. A store failure makes the gauges report NaN until the
 * next successful read; it is logged, never thrown into the scrape. The gauges hold this object strongly (Micrometer
 * holds a gauge's object weakly by default, and nothing else refers to it).
 */
final class BacklogGauges {
    private static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Jangle jangle;
    private Backlog last;
    private long readAt;
    private boolean failing;

    private BacklogGauges(Jangle jangle) {
        this.jangle = jangle;
    }

    static void register(MeterRegistry registry, Jangle jangle) {
        BacklogGauges g = new BacklogGauges(jangle);
        for (String handler : jangle.operations().handlers()) {
            Gauge.builder("jangle.handler.pending", g, s -> s.handler(handler, h -> h.pending()))
                    .description("Pending deliveries of the handler: its lag in events").baseUnit("events")
                    .tag("handler", handler).strongReference(true).register(registry);
            Gauge.builder("jangle.handler.dead", g, s -> s.handler(handler, h -> h.dead()))
                    .description("Dead letters of the handler").baseUnit("events").tag("handler", handler)
                    .strongReference(true).register(registry);
            TimeGauge.builder("jangle.handler.lag", g, TimeUnit.SECONDS, s -> s.lagSeconds(handler))
                    .description("Age of the handler's oldest pending delivery since its commit")
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

    private double handler(String name, ToDoubleFunction<HandlerBacklog> f) {
        return read(b -> f.applyAsDouble(b.handler(name)));
    }

    private double lagSeconds(String name) {
        return read(b -> b.lag(b.handler(name)).toNanos() / 1e9);
    }

    private double read(ToDoubleFunction<Backlog> f) {
        Backlog b = current();
        return b == null ? Double.NaN : f.applyAsDouble(b);
    }

    private synchronized Backlog current() {
        long now = System.nanoTime();
        if (last == null || now - readAt > MAX_AGE_NANOS) {
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
            }
            readAt = now;
        }
        return last;
    }
}
