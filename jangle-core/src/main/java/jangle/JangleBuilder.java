package jangle;

import jangle.spi.StoreProvider;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one composition root (CR1). Collects everything an application consists of; {@link #build()} checks it all and
 * returns an immutable {@link Jangle}, or throws one {@link ConfigurationException} listing every problem (CR2).
 * Not thread-safe; use once.
 */
public final class JangleBuilder {
    JangleBuilder() {
    }

    // ---- infrastructure ----
    public JangleBuilder clock(Clock clock) { throw todo(); }

    public JangleBuilder idSupplier(Supplier<UUID> ids) { throw todo(); }

    /** Default: the in-memory stores. */
    public JangleBuilder stores(StoreProvider provider) { throw todo(); }

    /** The environment read for {@code JANGLE_*} settings; default {@link System#getenv()}. */
    public JangleBuilder environment(Map<String, String> environment) { throw todo(); }

    // ---- message families ----
    /** Registers every permitted record of a sealed command family; each needs exactly one aggregate route. */
    public JangleBuilder commands(Class<? extends Command> family) { throw todo(); }

    /** Registers every permitted record of a sealed event family with its type name (J2). */
    public JangleBuilder events(Class<? extends Event> family) { throw todo(); }

    /** Registers every permitted record of a sealed query family; each needs exactly one handler. */
    public JangleBuilder queries(Class<? extends Query<?>> family) { throw todo(); }

    public JangleBuilder upcaster(Upcaster upcaster) { throw todo(); }

    // ---- behaviour ----
    public <A extends Aggregate> JangleBuilder aggregate(Class<A> type, Function<String, A> factory) { throw todo(); }

    public <E extends Event> JangleBuilder projection(String name, Class<E> type, EventHandler<E> handler) { throw todo(); }

    public JangleBuilder projection(Projection projection) { throw todo(); }

    public <E extends Event> JangleBuilder reactor(String name, Class<E> type, EventHandler<E> handler) { throw todo(); }

    /** Registers a saga with its routes; installs the reactor {@code saga:<SagaTypeName>} (§9). */
    public <S extends Saga> JangleBuilder saga(Class<S> type, Function<String, S> factory, Consumer<SagaRoutes> routes) { throw todo(); }

    /** One handler per query type; {@code readsFrom} names the projections it reads (Q4, CA1). */
    public <Q extends Query<R>, R> JangleBuilder query(Class<Q> type, QueryHandler<Q, R> handler, String... readsFrom) { throw todo(); }

    // ---- settings (§14) ----
    public JangleBuilder batchSize(int n) { throw todo(); }
    public JangleBuilder dispatchHandoffSize(int n) { throw todo(); }
    public JangleBuilder dispatchWorkers(int n) { throw todo(); }
    public JangleBuilder failedEventsRetryInterval(Duration d) { throw todo(); }
    public JangleBuilder failedEventsMaxAge(Duration d) { throw todo(); }
    public JangleBuilder deadLetterAttempts(int n) { throw todo(); }
    public JangleBuilder sagaRetryInterval(Duration d) { throw todo(); }
    public JangleBuilder commandMaxAttempts(int n) { throw todo(); }
    public JangleBuilder commandBackoff(Duration base, Duration max) { throw todo(); }
    public JangleBuilder aggregateCacheSize(int n) { throw todo(); }
    /** Any setting by its name in {@link Settings#ENVIRONMENT_VARIABLES}, as text (checked at build). */
    public JangleBuilder setting(String name, String value) { throw todo(); }

    public Jangle build() { throw todo(); }

    private static UnsupportedOperationException todo() {
        return new UnsupportedOperationException("skeleton: being implemented");
    }
}
