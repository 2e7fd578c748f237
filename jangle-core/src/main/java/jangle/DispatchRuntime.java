package jangle;

import jangle.spi.Delivery;
import jangle.spi.DeliveryKey;
import jangle.spi.DeliveryStatus;
import jangle.spi.DispatchLedger;
import jangle.spi.EventStore;
import jangle.spi.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Everything that happens after a commit (§8, §8.1, §9, §12, §16): the live dispatcher fed by a bounded, never
 * blocking hand-off (D2), the event daemon with dead letters (D9–D14), the saga engine and its daemon (§9), replay
 * (R1–R3) and the consistency waits (CA1, CA3). The seam between the command side ({@link JangleApp}) and dispatch.
 *
 * <p>Bindings are built once here: every handler (projection, reactor, and the reactor {@code saga:<Name>} of each
 * saga) is looked up by event type name on the live path and by (handler, type) on the ledger path.
 *
 * <p>Every delivery, whichever path runs it, first claims its (event, handler) key, so no delivery runs twice at the
 * same time; the claim is released after the delivery's completion is written. Deliveries are at-least-once (D6):
 * in rare races (the daemon's catch-up at start, or the moment the hand-off overflows) a handler may see an event
 * twice, never zero times.
 */
final class DispatchRuntime {
    static final Logger LOG = LoggerFactory.getLogger("jangle.dispatch");
    static final Logger DAEMON_LOG = LoggerFactory.getLogger("jangle.daemon.events");
    private static final Duration CLOSE_DRAIN = Duration.ofSeconds(5);

    /** How one delivery attempt ended. BUSY: another path holds its claim, so it was not run. */
    enum Outcome { DONE, FAILED, BUSY }

    /** Which path ran a delivery; decides the logger of a failure (§15). */
    enum Source { LIVE, DAEMON, OPERATOR }

    private enum State { NEW, STARTED, CLOSED }

    private final Map<String, DispatchBinding[]> byType;
    private final Map<String, List<String>> namesByType;
    private final Map<String, Map<String, DispatchBinding>> byHandler;
    private final Map<String, ReplayRunner.Target> projections;
    private final Map<String, SagaBinding> sagaBindings;
    private final EventStore events;
    private final DispatchLedger ledger;
    private final Settings settings;
    private final Clock clock;
    private final SagaEngine sagas;
    private final EventDaemon eventDaemon;
    private final SagaDaemon sagaDaemon;
    private final DispatchOperations operations;
    private final Set<DeliveryKey> claims = ConcurrentHashMap.newKeySet();
    private volatile CommandGateway gateway;
    private volatile State state = State.NEW;
    private volatile DispatchWorker[] workers = new DispatchWorker[0];
    /** Set once at build, before the application is published: handlers are fed only through {@link #externalDelivery()}. */
    private boolean externalOnly;
    /** Set once by the builder before the application is published; {@link Telemetry#NONE} by default. */
    private Telemetry telemetry = Telemetry.NONE;

    /**
     * Binds every handler and saga; adds every problem found to {@code problems} (CR2: bad saga classes SG11,
     * duplicate saga type names, routed or flag types that are not registered).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    DispatchRuntime(List<HandlerRegistration> handlers, List<SagaRegistration<?>> sagaRegistrations,
                    TypeRegistry types, Stores stores, Settings settings, Clock clock, Supplier<UUID> ids,
                    List<String> problems) {
        this.events = stores.events();
        this.ledger = stores.events().ledger();
        this.settings = settings;
        this.clock = clock;

        Map<String, List<DispatchBinding>> typeLists = new LinkedHashMap<>();
        Map<String, Map<String, DispatchBinding>> handlerMaps = new LinkedHashMap<>();
        Map<String, ReplayRunner.Target> projectionTargets = new LinkedHashMap<>();
        for (HandlerRegistration h : handlers) {
            String typeName = typeName(types, h.type(), "handler '" + h.name() + "'", problems);
            if (typeName == null) continue;
            DispatchBinding.Invoker invoker;
            if (h.projection() != null) {
                Projection<?> p = h.projection();
                invoker = (record, ctx) -> ProjectionCalls.handle(p, record);
            } else {
                EventHandler raw = h.handler();
                invoker = (record, ctx) -> raw.handle(record, ctx);
            }
            DispatchBinding b = new DispatchBinding(h.name(), typeName, h.isProjection(), invoker, h.projection());
            if (handlerMaps.computeIfAbsent(h.name(), k -> new LinkedHashMap<>()).putIfAbsent(typeName, b) != null) {
                continue; // a duplicate name on one type is reported by the builder (D4)
            }
            typeLists.computeIfAbsent(typeName, k -> new ArrayList<>()).add(b);
            if (h.isProjection()) {
                projectionTargets.computeIfAbsent(h.name(), ReplayRunner.Target::new).add(typeName, h);
            }
        }

        Map<String, SagaBinding> sagaMap = new LinkedHashMap<>();
        for (SagaRegistration<?> reg : sagaRegistrations) {
            SagaBinding sb = SagaBinding.bind(reg, types, problems);
            if (sb == null) continue;
            SagaBinding clash = sagaMap.putIfAbsent(sb.typeName(), sb);
            if (clash != null) {
                problems.add("saga type name '" + sb.typeName() + "' is used by both " + clash.type().getName()
                        + " and " + sb.type().getName() + " (CR2: saga type names must be unique)");
            }
        }
        this.sagaBindings = Map.copyOf(sagaMap);
        this.sagas = new SagaEngine(sagaBindings, stores.sagas(), events, types, settings, clock, ids,
                () -> gateway);
        for (SagaBinding sb : sagaMap.values()) {
            String name = sb.handlerName();
            for (Map.Entry<String, Class<? extends Event>> routed : sb.routedTypes().entrySet()) {
                DispatchBinding b = new DispatchBinding(name, routed.getKey(), false,
                        (record, ctx) -> sagas.onEvent(sb, record), null);
                handlerMaps.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(routed.getKey(), b);
                typeLists.computeIfAbsent(routed.getKey(), k -> new ArrayList<>()).add(b);
            }
        }

        Map<String, DispatchBinding[]> bt = new java.util.HashMap<>();
        Map<String, List<String>> nt = new java.util.HashMap<>();
        for (var e : typeLists.entrySet()) {
            bt.put(e.getKey(), e.getValue().toArray(DispatchBinding[]::new));
            nt.put(e.getKey(), e.getValue().stream().map(DispatchBinding::name).toList());
        }
        this.byType = Map.copyOf(bt);
        this.namesByType = Map.copyOf(nt);
        Map<String, Map<String, DispatchBinding>> bh = new java.util.HashMap<>();
        handlerMaps.forEach((k, v) -> bh.put(k, Map.copyOf(v)));
        this.byHandler = Map.copyOf(bh);
        this.projections = Collections.unmodifiableMap(projectionTargets);
        this.eventDaemon = new EventDaemon(this, events, settings, clock);
        this.sagaDaemon = new SagaDaemon(sagas, stores.sagas(), settings, clock);
        this.operations = new DispatchOperations(this, ledger, stores.sagas(), eventDaemon, sagaDaemon, settings);
    }

    private static String typeName(TypeRegistry types, Class<? extends Event> type, String who,
                                   List<String> problems) {
        for (TypeRegistry.EventTypeInfo info : types.all()) {
            if (info.type() == type) return info.name();
        }
        problems.add(who + " subscribes to " + type.getName()
                + ", which is not in a registered event family (JangleBuilder.events)");
        return null;
    }

    // ======================= the seam =======================

    /** The command loop that handler contexts and sagas send through (H5). */
    void bind(CommandGateway commandGateway) {
        this.gateway = Objects.requireNonNull(commandGateway, "commandGateway");
    }

    /** Every registered handler name (projections, reactors, sagas), sorted, for operators (D12). */
    List<String> handlers() {
        return byHandler.keySet().stream().sorted().toList();
    }

    /** The handler names subscribed to an event type, for its pending deliveries (D1). Precomputed. */
    List<String> handlerNames(String typeName) {
        if (externalOnly) return List.of(); // no delivery rows: the transport delivers (JangleBuilder.externallyDelivered)
        List<String> names = namesByType.get(typeName);
        return names == null ? List.of() : names;
    }

    /**
     * Hands committed records to the live dispatcher without ever blocking (D2). Before {@link #start()} and after
     * {@link #close()} nothing is handed off: the deliveries wait in the ledger for the catch-up pass (CR4, D10).
     */
    void offer(List<EventRecord<?>> committed) {
        if (state != State.STARTED || externalOnly) return;
        DispatchWorker[] ws = workers;
        for (EventRecord<?> r : committed) {
            if (!byType.containsKey(r.type())) continue;
            ws[ws.length == 1 ? 0 : Math.floorMod(r.aggregateId().hashCode(), ws.length)].offer(r);
        }
    }

    /**
     * Starts the dispatcher and both daemons (CR4). The catch-up pass (D10) and the first saga pass (SG9) run on the
     * caller's thread before {@code start()} returns, so work left by a previous run is done (or failed and recorded)
     * by then; the live workers already run meanwhile. Idempotent.
     */
    synchronized void start() {
        if (state != State.NEW) return;
        int n = settings.dispatchWorkers();
        int capacity = Math.max(1, (settings.dispatchHandoffSize() + n - 1) / n);
        DispatchWorker[] ws = new DispatchWorker[n];
        for (int i = 0; i < n; i++) ws[i] = new DispatchWorker(this, events, ledger, i, n, capacity, settings);
        workers = ws;
        state = State.STARTED;
        for (DispatchWorker w : ws) w.start();
        LOG.atInfo().addKeyValue("point", "dispatch.started").addKeyValue("workers", n)
                .addKeyValue("handoffSize", settings.dispatchHandoffSize()).log("event dispatcher ready");
        warnUnregisteredHandlers();
        eventDaemon.start();
        sagaDaemon.start();
    }

    /** D13: deliveries for handler names that are no longer registered, reported once at start. */
    private void warnUnregisteredHandlers() {
        try {
            for (String name : ledger.handlersWithWork()) {
                if (!byHandler.containsKey(name)) {
                    LOG.atWarn().addKeyValue("point", "dispatch.unregistered-handler").addKeyValue("handler", name)
                            .log("the ledger holds deliveries for a handler that is not registered; they will be "
                                    + "dead letters with the error 'handler not registered'");
                }
            }
        } catch (RuntimeException e) {
            LOG.atError().addKeyValue("point", "dispatch.error").setCause(e).log("could not list handlers with work");
        }
    }

    /**
     * Stops taking work, lets the hand-off drain for up to about five seconds, stops both daemons; whatever is
     * unfinished stays pending in the ledger (CR4). Idempotent.
     */
    synchronized void close() {
        State previous = state;
        state = State.CLOSED;
        if (previous != State.STARTED) return;
        long deadline = System.nanoTime() + CLOSE_DRAIN.toNanos();
        for (DispatchWorker w : workers) w.close(deadline);
        for (DispatchWorker w : workers) w.join(deadline + Duration.ofSeconds(1).toNanos());
        eventDaemon.stop();
        sagaDaemon.stop();
    }

    DispatchOperations operations() {
        return operations;
    }

    Set<String> projectionNames() {
        return projections.keySet();
    }

    ReplayResult replay(Collection<String> projectionNames, long fromPosition, boolean reset,
                        ReplayListener listener) {
        return new ReplayRunner(projections, events, settings.replayBatchSize(), clock).run(projectionNames, fromPosition,
                reset, listener == null ? ReplayListener.NONE : listener);
    }

    // ======================= consistency waits (§16) =======================

    /**
     * CA1: returns when none of the handlers (none named: every projection) has a pending delivery at or below the
     * token's position. A dead letter at or below it fails at once. Polls the ledger with a short, growing sleep.
     */
    void awaitHandled(ConsistencyToken token, Duration timeout, String... handlerNames) {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(timeout, "timeout");
        Set<String> names = new LinkedHashSet<>();
        if (handlerNames == null || handlerNames.length == 0) {
            names.addAll(projections.keySet());
        } else {
            for (String n : handlerNames) {
                if (!byHandler.containsKey(n)) {
                    throw new IllegalArgumentException("no handler is registered under the name '" + n + "'");
                }
                names.add(n);
            }
        }
        long position = token.position();
        String awaited = token.aggregateId() + "@" + token.version() + " (position " + position + ")";
        Poller poller = new Poller(timeout);
        while (true) {
            List<String> lagging = new ArrayList<>();
            for (String name : names) {
                // pending before dead: a delivery moves pending → dead by being added to dead first
                OptionalLong pending = ledger.lowestPosition(name, DeliveryStatus.PENDING);
                OptionalLong dead = ledger.lowestPosition(name, DeliveryStatus.DEAD);
                if (dead.isPresent() && dead.getAsLong() <= position) {
                    throw new ConsistencyTimeoutException(awaited, List.of(name), "handler '" + name
                            + "' has a dead letter at position " + dead.getAsLong() + ", at or below " + awaited);
                }
                if (pending.isPresent() && pending.getAsLong() <= position) lagging.add(name);
            }
            if (lagging.isEmpty()) return;
            if (!poller.sleep()) {
                throw new ConsistencyTimeoutException(awaited, lagging, "handlers " + lagging
                        + " have not handled " + awaited + " within " + timeout);
            }
        }
    }

    /** CA3: returns when no pending delivery belongs to an event with this correlation id; dead letters fail at once. */
    void awaitSettled(UUID correlationId, Duration timeout) {
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(timeout, "timeout");
        String awaited = "correlation " + correlationId;
        Poller poller = new Poller(timeout);
        while (true) {
            long pending = ledger.count(correlationId, DeliveryStatus.PENDING);
            long dead = ledger.count(correlationId, DeliveryStatus.DEAD);
            if (dead > 0) {
                throw new ConsistencyTimeoutException(awaited, handlersOf(correlationId, DeliveryStatus.DEAD),
                        awaited + " has " + dead + " dead letter(s)");
            }
            if (pending == 0) return;
            if (!poller.sleep()) {
                throw new ConsistencyTimeoutException(awaited, handlersOf(correlationId, DeliveryStatus.PENDING),
                        awaited + " still has " + pending + " pending deliveries after " + timeout);
            }
        }
    }

    /** The handlers still holding deliveries of a correlation id, for the exception (bounded scan, errors only). */
    private List<String> handlersOf(UUID correlationId, DeliveryStatus status) {
        Set<String> names = new LinkedHashSet<>();
        for (Delivery d : ledger.list(status, null, 10_000)) {
            if (correlationId.equals(d.correlationId())) names.add(d.handler());
        }
        return List.copyOf(names);
    }

    /** Sleeps 1 ms, doubling up to 20 ms, until the deadline (real time, not the application's clock). */
    private static final class Poller {
        private final long deadline;
        private long sleepMillis = 1;

        Poller(Duration timeout) {
            this.deadline = System.nanoTime() + timeout.toNanos();
        }

        boolean sleep() {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            try {
                Thread.sleep(Math.max(1, Math.min(sleepMillis, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            sleepMillis = Math.min(20, sleepMillis * 2);
            return true;
        }
    }

    // ======================= delivery =======================

    // ======================= external deliveries =======================

    /** Called by the builder before the application is published. */
    void observe(Telemetry t) {
        this.telemetry = t == null ? Telemetry.NONE : t;
        sagas.observe(this.telemetry);
    }

    Telemetry telemetry() {
        return telemetry;
    }

    /** For health: dispatch state, and whether every live worker and both daemons are still running. */
    boolean started() {
        return state == State.STARTED;
    }

    boolean closed() {
        return state == State.CLOSED;
    }

    /** The live dispatcher threads that have died (0 while healthy). */
    int deadWorkers() {
        int dead = 0;
        for (DispatchWorker w : workers) if (!w.alive()) dead++;
        return dead;
    }

    EventDaemon eventDaemon() {
        return eventDaemon;
    }

    SagaDaemon sagaDaemon() {
        return sagaDaemon;
    }

    /** See {@link JangleBuilder#externallyDelivered()}; called by the builder before the application exists. */
    void deliverExternallyOnly() {
        externalOnly = true;
    }

    /** The door for relayed events (a Kafka consumer): runs one binding once, no ledger row, failures thrown. */
    ExternalDelivery externalDelivery() {
        return new ExternalDelivery() {
            @Override
            public List<String> handlerNames(String eventTypeName) {
                List<String> names = namesByType.get(eventTypeName);
                return names == null ? List.of() : names;
            }

            @Override
            public void deliver(EventRecord<?> record, String handlerName) {
                Map<String, DispatchBinding> forHandler = byHandler.get(handlerName);
                DispatchBinding b = forHandler == null ? null : forHandler.get(record.type());
                if (b == null) {
                    throw new IllegalArgumentException("no handler '" + handlerName + "' subscribes to event type '"
                            + record.type() + "'");
                }
                DispatchContext ctx = new DispatchContext(record, b.name(), gateway, clock);
                String previous = MDC.get("correlationId");
                MDC.put("correlationId", record.metadata().correlationId().toString());
                Telemetry.Activity activity = telemetry.handler(b.name(), record);
                try {
                    b.invoker().invoke(record, ctx);
                } catch (RuntimeException | Error e) {
                    activity.failed(e);
                    throw e;
                } catch (Exception e) {
                    activity.failed(e);
                    throw new JangleException("handler '" + handlerName + "' failed: " + e.getMessage(), e);
                } finally {
                    activity.close();
                    ctx.close();
                    if (previous == null) MDC.remove("correlationId");
                    else MDC.put("correlationId", previous);
                }
            }
        };
    }

    /** The bindings of an event type, in registration order (sagas last); null when none. */
    DispatchBinding[] bindings(String typeName) {
        return byType.get(typeName);
    }

    boolean claim(DeliveryKey key) {
        return claims.add(key);
    }

    void release(Collection<DeliveryKey> keys) {
        for (DeliveryKey k : keys) claims.remove(k);
    }

    void release(DeliveryKey key) {
        claims.remove(key);
    }

    /**
     * Runs one handler for one event with a fresh context and the correlation id in the MDC; the caller holds the
     * delivery's claim. Success: DONE, and the caller marks it done (batched) and then releases the claim. Failure:
     * the claim is released and the failure recorded in the ledger at once (D3), parked when attempts run out (D11).
     */
    Outcome run(DispatchBinding b, EventRecord<?> record, int attempt, Source source) {
        DispatchContext ctx = new DispatchContext(record, b.name(), gateway, clock);
        String previous = MDC.get("correlationId");
        MDC.put("correlationId", record.metadata().correlationId().toString());
        Telemetry.Activity activity = telemetry.handler(b.name(), record);
        try {
            b.invoker().invoke(record, ctx);
            if (LOG.isDebugEnabled()) {
                LOG.atDebug().addKeyValue("point", "dispatch.delivered").addKeyValue("handler", b.name())
                        .addKeyValue("eventId", record.eventId()).addKeyValue("eventType", record.type())
                        .addKeyValue("position", record.position()).log("delivered");
            }
            return Outcome.DONE;
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            activity.failed(t);
            activity.close();
            activity = Telemetry.Activity.NONE; // the failure below is recorded outside the handler's span
            DeliveryKey key = new DeliveryKey(record.eventId(), b.name());
            release(key); // before the failure is visible, so whoever sees it can claim the delivery at once
            fail(key, record.type(), record.aggregateId(), record.position(), describe(t), t, attempt, source);
            return Outcome.FAILED;
        } finally {
            activity.close();
            ctx.close();
            if (previous == null) MDC.remove("correlationId");
            else MDC.put("correlationId", previous);
        }
    }

    /**
     * Runs one projection for several committed events at once ({@link Projection#handleBatch}: one transaction for
     * the lot). Returns false when the batch failed; nothing of it counts as done then, and the caller runs the events
     * one by one through {@link #run}, so that only the failing deliveries are recorded as failed (D3, D6).
     */
    boolean runBatch(Projection<?> projection, List<EventRecord<?>> records) {
        Telemetry.Activity activity = telemetry.handlerBatch(projection.name(), records);
        try {
            ProjectionCalls.handleBatch(projection, records);
            if (LOG.isDebugEnabled()) {
                LOG.atDebug().addKeyValue("point", "dispatch.delivered-batch").addKeyValue("handler", projection.name())
                        .addKeyValue("events", records.size()).log("delivered a batch");
            }
            return true;
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            activity.failed(t);
            LOG.atDebug().addKeyValue("point", "dispatch.batch-failed").addKeyValue("handler", projection.name())
                    .addKeyValue("events", records.size()).setCause(t).log("batch failed; running its events one by one");
            return false;
        } finally {
            activity.close();
        }
    }

    /**
     * Runs a delivery read from the ledger (daemon, operator retry). The event is read by id (cached per pass in
     * {@code cache}); an unreadable payload fails only this delivery (D14), an unknown handler is recorded as "handler
     * not registered" (D13). The caller holds the claim; as in {@link #run}, a failure releases it.
     */
    Outcome runPending(Delivery d, Map<UUID, Object> cache, Source source) {
        int attempt = d.attempts() + 1;
        Map<String, DispatchBinding> forHandler = byHandler.get(d.handler());
        DispatchBinding b = forHandler == null ? null : forHandler.get(d.eventType());
        if (b == null) {
            String error = "handler not registered";
            if (forHandler != null) {
                // a stored type no handler of this name subscribes to: an unknown type is unreadable (D14), not D13
                Object unreadable = readPending(d, cache);
                error = unreadable instanceof SerializationException e ? describe(e)
                        : "handler not registered for event type '" + d.eventType() + "'";
            }
            release(d.key());
            fail(d.key(), d.eventType(), d.aggregateId(), d.position(), error, null, attempt, source);
            return Outcome.FAILED;
        }
        Object cached = readPending(d, cache);
        if (cached instanceof EventRecord<?> record) return run(b, record, attempt, source);
        String error = cached instanceof Throwable t ? describe(t) : cached.toString();
        release(d.key());
        fail(d.key(), d.eventType(), d.aggregateId(), d.position(), error, null, attempt, source);
        return Outcome.FAILED;
    }

    /** The delivery's event read by id (cached per pass): the record, its SerializationException, or a message. */
    private Object readPending(Delivery d, Map<UUID, Object> cache) {
        Object cached = cache.get(d.eventId());
        if (cached == null) {
            try {
                cached = events.readEvent(d.eventId()).<Object>map(r -> r).orElse("event not found in the store");
            } catch (SerializationException e) {
                cached = e;
            }
            cache.put(d.eventId(), cached);
        }
        return cached;
    }

    static String describe(Throwable t) {
        return t.getClass().getName() + ": " + t.getMessage();
    }

    private void fail(DeliveryKey key, String eventType, String aggregateId, long position, String error,
                      Throwable cause, int attempt, Source source) {
        DeliveryStatus status;
        try {
            status = ledger.recordFailure(key, error, clock.instant(), settings.deadLetterAttempts());
        } catch (RuntimeException storeFailure) {
            LOG.atError().addKeyValue("point", "dispatch.error").addKeyValue("handler", key.handler())
                    .addKeyValue("eventId", key.eventId()).setCause(storeFailure)
                    .log("could not record a handler failure; the delivery stays pending");
            return;
        }
        int of = settings.deadLetterAttempts();
        if (status != DeliveryStatus.DONE) telemetry.deliveryFailed(key.handler(), status == DeliveryStatus.DEAD);
        switch (status) {
            case DEAD -> LOG.atError().addKeyValue("point", "dispatch.dead-lettered").addKeyValue("handler",
                            key.handler()).addKeyValue("eventId", key.eventId()).addKeyValue("eventType", eventType)
                    .addKeyValue("aggregateId", aggregateId).addKeyValue("position", position)
                    .addKeyValue("attempt", attempt).addKeyValue("error", error).setCause(cause)
                    .log("handler failed for the last time; parked as a dead letter");
            case PENDING -> (source == Source.DAEMON ? DAEMON_LOG : LOG).atWarn()
                    .addKeyValue("point", source == Source.DAEMON ? "daemon.events.retry-failed"
                            : "dispatch.handler-failed")
                    .addKeyValue("handler", key.handler()).addKeyValue("eventId", key.eventId())
                    .addKeyValue("eventType", eventType).addKeyValue("position", position)
                    .addKeyValue("attempt", attempt).addKeyValue("of", of).addKeyValue("error", error)
                    .setCause(cause).log("handler failed; it will be retried");
            case DONE -> LOG.atWarn().addKeyValue("point", "dispatch.handler-failed").addKeyValue("handler",
                            key.handler()).addKeyValue("eventId", key.eventId()).addKeyValue("error", error)
                    .setCause(cause).log("handler threw after its delivery was already completed (for example by "
                            + "an accepted sendAndComplete); the failure is not recorded");
        }
    }

    /** Logged when an offer finds the hand-off full (D2). */
    static void logOverflow(int worker) {
        if (LOG.isDebugEnabled()) {
            LOG.atDebug().addKeyValue("point", "dispatch.overflow").addKeyValue("worker", worker)
                    .log("hand-off full; deliveries stay in the ledger and are read back once it drains");
        }
    }

    /** For tests: the runtime's saga engine. */
    SagaEngine sagaEngine() {
        return sagas;
    }
}
