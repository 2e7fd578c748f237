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
    /** Every handler as a processor (D17), by name. */
    private final Map<String, Processor> processors;
    /** Segment workers by "segment/segments", created at start. */
    private final Map<String, SegmentWorker> workers = new ConcurrentHashMap<>();
    private final HandedOver handedOver = new HandedOver();
    private volatile ProcessorLeases leases;
    /** Set once at build, before the application is published: handlers are fed only through {@link #externalDelivery()}. */
    private boolean externalOnly;
    /** Set once by the builder before the application is published; {@link Telemetry#NONE} by default. */
    private Telemetry telemetry = Telemetry.NONE;
    private CheckpointListener checkpointListener = CheckpointListener.NONE;

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
        Map<String, Processor> procs = new LinkedHashMap<>();
        for (var e : byHandler.entrySet()) {
            Projection<?> target = null;
            for (DispatchBinding b : e.getValue().values()) if (b.batchTarget() != null) target = b.batchTarget();
            procs.put(e.getKey(), new Processor(e.getKey(), e.getValue(), target));
        }
        this.processors = Collections.unmodifiableMap(procs);
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

    /**
     * Hands committed records (one append's, in feed order) to the segment workers without ever blocking (D2); a worker
     * is woken only for a list that holds records of its segment or leaves a gap in what it was handed (D24).
     * Before {@link #start()} and after {@link #close()} nothing is handed off: the processors read the feed from
     * their checkpoints when they run (CR4).
     */
    void offer(List<EventRecord<?>> committed) {
        if (state != State.STARTED || externalOnly || committed.isEmpty()) return;
        synchronized (handedOver) { // uncontended: the feed-ordered hand-off passes one list at a time
            boolean follows = handedOver.follows(committed.getFirst().position());
            for (SegmentWorker w : workers.values()) w.handOver(committed, follows);
            handedOver.through(committed.getLast().position());
        }
    }

    /** The last position handed to the segment workers; guarded by itself. */
    private static final class HandedOver {
        private boolean any;
        private long through;

        boolean follows(long first) {
            return any && first == through + 1;
        }

        void through(long position) {
            any = true;
            through = position;
        }
    }

    /**
     * Stores every processor (D19), claims this node's share of their segments, starts a worker per segment held
     * and both daemons (CR4). The event daemon's first pass over parked deliveries (D10) and the first saga pass
     * (SG9) run on the caller's thread before {@code start()} returns; the processors catch up from their
     * checkpoints in the background. Idempotent.
     */
    synchronized void start() {
        if (state != State.NEW) return;
        state = State.STARTED;
        if (!externalOnly && !processors.isEmpty()) {
            var cps = events.checkpoints();
            jangle.spi.Checkpoints.Start start = settings.processorStart();
            ProcessorLeases l = new ProcessorLeases(cps, settings, clock, List.copyOf(processors.values()),
                    this::worker);
            for (Processor p : processors.values()) {
                List<jangle.spi.Checkpoint> stored = cps.register(p.name(), settings.processorSegments(), start);
                int segments = stored.isEmpty() ? settings.processorSegments() : stored.get(0).segments();
                l.segments(p.name(), segments);
                if (segments != settings.processorSegments()) {
                    LOG.atWarn().addKeyValue("point", "dispatch.segments-differ").addKeyValue("processor", p.name())
                            .addKeyValue("stored", segments).addKeyValue("configured", settings.processorSegments())
                            .log("the processor keeps the segment count it was stored with");
                }
            }
            leases = l;
            l.start();
        }
        LOG.atInfo().addKeyValue("point", "dispatch.started").addKeyValue("processors", processors.size())
                .addKeyValue("segments", settings.processorSegments())
                .addKeyValue("handoffSize", settings.dispatchHandoffSize()).log("event processors ready");
        warnUnregisteredHandlers();
        eventDaemon.start();
        sagaDaemon.start();
    }

    /**
     * Runs every processor from its checkpoint to the head of the feed on the caller's thread, for an application
     * whose dispatch is not started (fixtures and tools drive it deterministically, as {@code runCatchUpPass} does for
     * parked deliveries). Claims every segment for this node, handles, writes the checkpoints and frees the segments.
     * Returns the number of handler calls made; failures of the store propagate, handler failures are parked (D3).
     */
    synchronized int runProcessorsPass() {
        if (state != State.NEW) {
            throw new IllegalStateException("runProcessorsPass is for an application whose dispatch is not started; "
                    + "this one is " + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (externalOnly || processors.isEmpty()) return 0;
        var cps = events.checkpoints();
        String node = settings.nodeId();
        java.time.Instant now = clock.instant();
        Map<String, SegmentWorker> pass = new LinkedHashMap<>();
        try {
            for (Processor p : processors.values()) {
                List<jangle.spi.Checkpoint> stored = cps.register(p.name(), settings.processorSegments(),
                        settings.processorStart());
                int segments = stored.isEmpty() ? settings.processorSegments() : stored.get(0).segments();
                for (jangle.spi.Checkpoint c : cps.claim(p.name(), node, now, settings.processorLease(), segments)) {
                    pass.computeIfAbsent(c.segment() + "/" + c.segments(), k -> new SegmentWorker(this, events,
                            settings, clock, c.segment(), c.segments(), 1)).assign(p, c.position());
                }
            }
            int calls = 0;
            for (SegmentWorker w : pass.values()) calls += w.drain();
            return calls;
        } finally {
            cps.releaseAll(node);
        }
    }

    /** The worker of one segment, created and started on first use. */
    private SegmentWorker worker(int segment, int segments) {
        return workers.computeIfAbsent(segment + "/" + segments, k -> {
            int capacity = Math.max(1, settings.dispatchHandoffSize() / Math.max(1, segments));
            SegmentWorker w = new SegmentWorker(this, events, settings, clock, segment, segments, capacity);
            if (state == State.STARTED) w.start();
            return w;
        });
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
     * Stops taking work, lets the hand-off drain for up to about five seconds, writes the checkpoints, frees this
     * node's segments and stops both daemons; whatever is unfinished is read again from the checkpoints (CR4).
     * Idempotent.
     */
    synchronized void close() {
        State previous = state;
        state = State.CLOSED;
        if (previous != State.STARTED) return;
        long deadline = System.nanoTime() + CLOSE_DRAIN.toNanos();
        for (SegmentWorker w : workers.values()) w.close(deadline);
        for (SegmentWorker w : workers.values()) w.join(deadline + Duration.ofSeconds(1).toNanos());
        ProcessorLeases l = leases;
        if (l != null) l.stop();
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
     * CA1: returns when every named processor (none named: every projection) has moved the checkpoint of the segment
     * holding the token's aggregate to the token's position or past it, and holds no parked delivery pending a retry
     * at or below it. A dead letter at or below it fails at once. Polls the store with a short, growing sleep.
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
            Map<String, Map<Integer, jangle.spi.Checkpoint>> stored = checkpointsByProcessor();
            List<String> lagging = new ArrayList<>();
            for (String name : names) {
                OptionalLong dead = ledger.lowestPosition(name, DeliveryStatus.DEAD);
                if (dead.isPresent() && dead.getAsLong() <= position) {
                    throw new ConsistencyTimeoutException(awaited, List.of(name), "handler '" + name
                            + "' has a dead letter at position " + dead.getAsLong() + ", at or below " + awaited);
                }
                if (!handledUpTo(name, stored.get(name), token.aggregateId(), position)) {
                    lagging.add(name);
                    continue;
                }
                OptionalLong parked = ledger.lowestPosition(name, DeliveryStatus.PENDING);
                if (parked.isPresent() && parked.getAsLong() <= position) lagging.add(name);
            }
            if (lagging.isEmpty()) return;
            if (!poller.sleep()) {
                throw new ConsistencyTimeoutException(awaited, lagging, "handlers " + lagging
                        + " have not handled " + awaited + " within " + timeout);
            }
        }
    }

    /** The stored checkpoints, by processor and segment. */
    private Map<String, Map<Integer, jangle.spi.Checkpoint>> checkpointsByProcessor() {
        Map<String, Map<Integer, jangle.spi.Checkpoint>> out = new java.util.HashMap<>();
        for (jangle.spi.Checkpoint c : events.checkpoints().all()) {
            out.computeIfAbsent(c.processor(), k -> new java.util.HashMap<>()).put(c.segment(), c);
        }
        return out;
    }

    /**
     * True when the processor has handled every event it subscribes to in the aggregate's segment up to
     * {@code position}: its checkpoint is there, or the events between the checkpoint and the position (at most a
     * couple of thousand looked at) are none of its own.
     */
    private boolean handledUpTo(String processor, Map<Integer, jangle.spi.Checkpoint> segments, String aggregateId,
                                long position) {
        int count = segments == null || segments.isEmpty() ? settings.processorSegments()
                : segments.values().iterator().next().segments();
        int segment = jangle.spi.FeedFilter.segmentOf(aggregateId, count);
        jangle.spi.Checkpoint c = segments == null ? null : segments.get(segment);
        long from = c == null ? 0 : c.position();
        if (from >= position) return true;
        if (position - from > 2_000) return false;
        Processor p = processors.get(processor);
        if (p == null) return false;
        jangle.spi.FeedPage page = events.readFeed(from, (int) (position - from),
                new jangle.spi.FeedFilter(segment, count, p.types()));
        if (page.scannedTo() < position) return false;
        for (EventRecord<?> r : page.records()) if (r.position() <= position) return false;
        for (jangle.spi.FeedPage.Unreadable u : page.unreadable()) if (u.position() <= position) return false;
        return true;
    }

    /** True when the processor's checkpoint for the aggregate's segment is at or past {@code position}. */
    private static boolean passed(Map<Integer, jangle.spi.Checkpoint> segments, String aggregateId, long position) {
        if (segments == null || segments.isEmpty()) return false;
        int count = segments.values().iterator().next().segments();
        jangle.spi.Checkpoint c = segments.get(jangle.spi.FeedFilter.segmentOf(aggregateId, count));
        return c != null && c.position() >= position;
    }

    /**
     * CA3: returns when every event carrying the correlation id has been handled by every processor subscribed to
     * its type (checkpoint past it, nothing parked for it); dead letters fail at once. A command sent by a handler
     * commits before that handler's checkpoint moves, so events it adds to the correlation are seen before the
     * correlation counts as settled.
     */
    void awaitSettled(UUID correlationId, Duration timeout) {
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(timeout, "timeout");
        String awaited = "correlation " + correlationId;
        Poller poller = new Poller(timeout);
        while (true) {
            long dead = ledger.count(correlationId, DeliveryStatus.DEAD);
            if (dead > 0) {
                throw new ConsistencyTimeoutException(awaited, handlersOf(correlationId, DeliveryStatus.DEAD),
                        awaited + " has " + dead + " dead letter(s)");
            }
            List<EventRecord<?>> correlated = events.correlated(correlationId, 100_000);
            Map<String, Map<Integer, jangle.spi.Checkpoint>> stored = checkpointsByProcessor();
            Set<String> lagging = new LinkedHashSet<>();
            if (!externalOnly) {
                for (EventRecord<?> r : correlated) {
                    List<String> names = namesByType.get(r.type());
                    if (names == null) continue;
                    for (String name : names) {
                        if (!passed(stored.get(name), r.aggregateId(), r.position())) lagging.add(name);
                    }
                }
            }
            long parked = ledger.count(correlationId, DeliveryStatus.PENDING);
            if (parked > 0) lagging.addAll(handlersOf(correlationId, DeliveryStatus.PENDING));
            if (lagging.isEmpty() && events.correlated(correlationId, 100_000).size() == correlated.size()) return;
            if (!poller.sleep()) {
                throw new ConsistencyTimeoutException(awaited, List.copyOf(lagging),
                        awaited + " is still being handled by " + lagging + " after " + timeout);
            }
        }
    }

    /** The handlers with parked deliveries of a correlation id, for the exception (bounded scan, errors only). */
    private List<String> handlersOf(UUID correlationId, DeliveryStatus status) {
        Set<String> names = new LinkedHashSet<>();
        for (Delivery d : ledger.list(status, null, 10_000)) {
            if (correlationId.equals(d.correlationId())) names.add(d.handler());
        }
        return List.copyOf(names);
    }

    /**
     * Every stored processor segment with its lag (D12, D17): positions behind the head, and the time since the
     * commit of the first event after its checkpoint.
     */
    List<ProcessorStatus> processorStatus(java.time.Instant now) {
        long last = events.lastPosition();
        List<ProcessorStatus> out = new ArrayList<>();
        for (jangle.spi.Checkpoint c : events.checkpoints().all()) {
            long lag = Math.max(0, last - c.position());
            Duration lagTime = Duration.ZERO;
            if (lag > 0) {
                List<EventRecord<?>> next = events.readFeed(c.position(), 1);
                if (!next.isEmpty()) {
                    Duration d = Duration.between(next.get(0).createdAt(), now);
                    lagTime = d.isNegative() ? Duration.ZERO : d;
                }
            }
            out.add(new ProcessorStatus(c.processor(), c.segment(), c.segments(), c.position(), c.owner(),
                    c.leaseUntil(), lag, lagTime));
        }
        return out;
    }

    /**
     * Sets every segment of a registered processor to {@code position} (an operator's reset, D12): it handles the
     * feed again from there, and its parked deliveries above it are dropped (they are handled again). The segments
     * this node holds restart from the store at once; other nodes' at their next lease round.
     */
    int resetProcessor(String processor, long position) {
        if (!processors.containsKey(processor)) {
            throw new IllegalArgumentException("no processor is registered under the name '" + processor + "'");
        }
        if (position < 0 || position > events.lastPosition()) {
            throw new IllegalArgumentException("position must be between 0 and the head of the feed ("
                    + events.lastPosition() + "), got " + position);
        }
        ProcessorLeases l = leases;
        if (l != null) l.revokeLocally(processor);
        int changed = events.checkpoints().reset(processor, position);
        if (l != null) l.round();
        LOG.atWarn().addKeyValue("point", "dispatch.operator-reset").addKeyValue("processor", processor)
                .addKeyValue("position", position).log("operator reset a processor");
        return changed;
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

    /** Called by the builder before the application is published. */
    void listen(CheckpointListener listener) {
        this.checkpointListener = listener == null ? CheckpointListener.NONE : listener;
    }

    /** Whether a checkpoint listener was given (so callers need not build what {@link #committed} would drop). */
    boolean listening() {
        return checkpointListener != CheckpointListener.NONE;
    }

    /** Tells the listener what a segment worker has just committed; each failing call is logged, never rethrown. */
    void committed(List<jangle.spi.Completion.Advance> advances, List<jangle.spi.Park> parks) {
        if (!listening()) return;
        for (jangle.spi.Completion.Advance a : advances) {
            try {
                checkpointListener.advanced(a.processor(), a.segment(), a.position());
            } catch (RuntimeException e) {
                listenerFailed(e);
            }
        }
        for (jangle.spi.Park p : parks) {
            try {
                checkpointListener.parked(p.key().handler(), p.position());
            } catch (RuntimeException e) {
                listenerFailed(e);
            }
        }
    }

    private static void listenerFailed(RuntimeException e) {
        LOG.atWarn().addKeyValue("point", "dispatch.listener-failed").setCause(e)
                .log("the checkpoint listener threw; the commit stands");
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
        for (SegmentWorker w : workers.values()) if (!w.alive()) dead++;
        ProcessorLeases l = leases;
        if (l != null && !l.running()) dead++;
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
                DispatchContext ctx = new DispatchContext(record, b.name(), gateway, clock, null);
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
        DispatchContext ctx = new DispatchContext(record, b.name(), gateway, clock,
                new jangle.spi.Completion.Resolve(new DeliveryKey(record.eventId(), b.name())));
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

    /** What one handler call on a processor's live path came to. */
    sealed interface Invocation {
        /** Handled; {@code stored}: an accepted {@code sendAndComplete} committed the checkpoint past the event. */
        record Done(boolean stored) implements Invocation {
        }

        /** The failure, which the caller retries or parks. */
        record Failed(Throwable error) implements Invocation {
        }
    }

    /**
     * Runs one handler for one event on a processor's live path (D17), with a fresh context whose
     * {@code sendAndComplete} writes {@code completion} with its command (D15). Done when the handler succeeded, or
     * when it threw after an accepted {@code sendAndComplete} (its step is decided and must not run again; logged);
     * otherwise the failure.
     */
    Invocation invoke(DispatchBinding b, EventRecord<?> record, jangle.spi.Completion completion) {
        DispatchContext ctx = new DispatchContext(record, b.name(), gateway, clock, completion);
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
            return new Invocation.Done(ctx.completedByCommand());
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            activity.failed(t);
            if (ctx.completedByCommand()) {
                LOG.atWarn().addKeyValue("point", "dispatch.handler-failed").addKeyValue("handler", b.name())
                        .addKeyValue("eventId", record.eventId()).addKeyValue("error", describe(t)).setCause(t)
                        .log("handler threw after its accepted sendAndComplete had completed the event; the "
                                + "failure is not retried");
                return new Invocation.Done(true);
            }
            return new Invocation.Failed(t);
        } finally {
            activity.close();
            ctx.close();
            if (previous == null) MDC.remove("correlationId");
            else MDC.put("correlationId", previous);
        }
    }

    /**
     * Runs one projection for several committed events at once ({@link Projection#handleBatch(List,
     * jangle.spi.StoreTransaction)}) inside the store transaction that also moves its checkpoint (D18). Throws what
     * the projection throws; nothing of the batch is then committed.
     */
    void projectionBatch(Projection<?> projection, List<EventRecord<?>> records, jangle.spi.StoreTransaction tx)
            throws Exception {
        Telemetry.Activity activity = telemetry.handlerBatch(projection.name(), records);
        try {
            ProjectionCalls.handleBatch(projection, records, tx);
            if (LOG.isDebugEnabled()) {
                LOG.atDebug().addKeyValue("point", "dispatch.delivered-batch").addKeyValue("handler", projection.name())
                        .addKeyValue("events", records.size()).log("delivered a batch");
            }
        } catch (Exception | Error e) {
            activity.failed(e);
            throw e;
        } finally {
            activity.close();
        }
    }

    /** Logs and counts an unreadable event a processor parked for a handler (D14). */
    void unreadable(String handler, jangle.spi.FeedPage.Unreadable u, boolean dead) {
        telemetry.deliveryFailed(handler, dead);
        LOG.atError().addKeyValue("point", "dispatch.unreadable").addKeyValue("handler", handler)
                .addKeyValue("eventId", u.eventId()).addKeyValue("eventType", u.type())
                .addKeyValue("position", u.position()).addKeyValue("error", u.error())
                .log("an event's payload cannot be read; it is parked for this handler and the others flow on");
    }

    /** Logs and counts an event a processor parked for a handler (D3, D11). */
    void parked(String handler, EventRecord<?> record, int attempts, String error, Throwable cause, boolean dead) {
        telemetry.deliveryFailed(handler, dead);
        if (dead) {
            LOG.atError().addKeyValue("point", "dispatch.dead-lettered").addKeyValue("handler", handler)
                    .addKeyValue("eventId", record.eventId()).addKeyValue("eventType", record.type())
                    .addKeyValue("aggregateId", record.aggregateId()).addKeyValue("position", record.position())
                    .addKeyValue("attempt", attempts).addKeyValue("error", error).setCause(cause)
                    .log("handler failed for the last time; parked as a dead letter");
        } else {
            LOG.atWarn().addKeyValue("point", "dispatch.handler-failed").addKeyValue("handler", handler)
                    .addKeyValue("eventId", record.eventId()).addKeyValue("eventType", record.type())
                    .addKeyValue("position", record.position()).addKeyValue("attempt", attempts)
                    .addKeyValue("of", settings.deadLetterAttempts()).addKeyValue("error", error).setCause(cause)
                    .log("handler failed; the event is parked for it and the event daemon retries it");
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

    /** Logged when an offer finds a segment's hand-off full (D2). */
    static void logOverflow(int segment) {
        if (LOG.isDebugEnabled()) {
            LOG.atDebug().addKeyValue("point", "dispatch.overflow").addKeyValue("segment", segment)
                    .log("hand-off full; the segment reads the events back from the feed");
        }
    }

    /** For tests: how many hand-offs the worker of segment {@code segment} of {@code segments} was given. */
    long handoffs(int segment, int segments) {
        SegmentWorker w = workers.get(segment + "/" + segments);
        return w == null ? 0 : w.handoffs();
    }

    /** For tests: the runtime's saga engine. */
    SagaEngine sagaEngine() {
        return sagas;
    }
}
