package jangle;

import jangle.spi.AppendResult;
import jangle.spi.Completion;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.spi.Snapshot;
import jangle.spi.SnapshotStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The command handler of §5: rebuild (cache, snapshot, events after it; a cached aggregate is confirmed by the
 * append's version check instead of a read, H7), check the expected version, validate,
 * append atomically with the dispatch bookkeeping, snapshot when due, hand off to dispatch, answer. Optimistic
 * concurrency across nodes: on a version conflict the attempt is thrown away and repeated against fresh state, with
 * bounded full-jitter back-off (H1–H3). On one node, commands for one aggregate id queue on a fair stripe lock (H9,
 * {@link AggregateStripes}), so they do not conflict with each other; nothing else is locked while validating.
 * Thread-safe.
 */
final class CommandBus implements CommandGateway {
    private static final Logger LOG = LoggerFactory.getLogger("jangle.command");
    private static final Logger AGG_LOG = LoggerFactory.getLogger("jangle.aggregate");
    private static final Logger SNAP_LOG = LoggerFactory.getLogger("jangle.snapshot");
    private static final Logger STORE_LOG = LoggerFactory.getLogger("jangle.store");

    /** What dispatch offers the command path: the non-blocking hand-off that wakes the processors (D2). */
    interface DispatchPort {
        void offer(List<EventRecord<?>> committed);
    }

    /** One command type's aggregate: binding, factory and its bound validator. */
    record Route(AggregateBinding<?> binding, Function<String, ? extends Aggregate> factory,
                 AggregateBinding.Validator validator) {
    }

    private final Map<Class<?>, Route> routes;
    private final EventStore events;
    private final SnapshotStore snapshots;
    private final TypeRegistry types;
    private final Settings settings;
    private final Clock clock;
    private final Supplier<UUID> ids;
    private final AggregateCache cache;
    private volatile DispatchPort dispatch;
    /** Set once by the builder before the application is published; {@link Telemetry#NONE} by default. */
    private Telemetry telemetry = Telemetry.NONE;
    /** Type name, schema version and handler names per event class, computed once per class (after attach). */
    private final ClassValue<PostedEvents.EventMeta> eventMeta = new ClassValue<>() {
        @Override
        @SuppressWarnings("unchecked")
        protected PostedEvents.EventMeta computeValue(Class<?> type) {
            TypeRegistry.EventTypeInfo info = types.byType((Class<? extends Event>) type);
            return new PostedEvents.EventMeta(info.name(), info.schemaVersion());
        }
    };
    /** H9: commands for one aggregate id on this node are decided one after another, in arrival order. */
    private final AggregateStripes stripes;
    /** H10: how long a holder of a recently contended aggregate waits for a follower; 0 never waits. */
    private final long lingerNanos;
    /** D16: committed records reach live dispatch in position order. */
    private final FeedOrderedHandoff handoff = new FeedOrderedHandoff(this::handOff);
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder conflicts = new LongAdder();
    private final LongAdder exhausted = new LongAdder();

    CommandBus(Map<Class<?>, Route> routes, EventStore events, SnapshotStore snapshots, TypeRegistry types,
               Settings settings, Clock clock, Supplier<UUID> ids) {
        this.routes = Map.copyOf(routes);
        this.events = events;
        this.snapshots = snapshots;
        this.types = types;
        this.settings = settings;
        this.stripes = new AggregateStripes(settings.commandSharingWindow().toNanos());
        this.lingerNanos = settings.commandSharingLinger().toNanos();
        this.clock = clock;
        this.ids = ids;
        this.cache = new AggregateCache(settings.aggregateCacheSize());
    }

    /** Called once by the application before any command is sent, so cached event metadata has its handlers. */
    void attach(DispatchPort port) {
        this.dispatch = port;
    }

    /** Called by the builder before the application is published. */
    void observe(Telemetry t) {
        this.telemetry = t == null ? Telemetry.NONE : t;
    }

    CommandCounts counts() {
        return new CommandCounts(accepted.sum(), rejected.sum(), conflicts.sum(), exhausted.sum());
    }

    CommandResponse send(Command command, SendOptions options) {
        return send(command, options, null, null);
    }

    @Override
    public CommandResponse send(Command command, SendOptions options, UUID causationId, Completion completing) {
        if (command == null) throw new InvalidMessageException("command", "command is required");
        Route route = routes.get(command.getClass());
        if (route == null) {
            LOG.atError().addKeyValue("point", "command.no-route").addKeyValue("commandType",
                    command.getClass().getName()).log("no aggregate handles this command type");
            throw new MissingHandlerException(MissingHandlerException.Kind.COMMAND_ROUTE, command.getClass().getName(),
                    "no aggregate is registered for command type " + command.getClass().getName());
        }
        String aggregateId = command.aggregateId();
        checkAggregateId(aggregateId);
        SendOptions opts = options == null ? SendOptions.NONE : options;
        UUID commandId = opts.commandId() != null ? opts.commandId() : ids.get();
        UUID correlationId = opts.correlationId() != null ? opts.correlationId() : commandId;
        Metadata metadata = new Metadata(correlationId, causationId != null ? causationId : commandId,
                opts.metadata());
        String previousMdc = MDC.get("correlationId");
        MDC.put("correlationId", correlationId.toString());
        try {
            if (LOG.isDebugEnabled()) {
                LOG.atDebug().addKeyValue("point", "command.received").addKeyValue("commandType",
                        command.getClass().getSimpleName()).addKeyValue("aggregateId", aggregateId)
                        .addKeyValue("commandId", commandId).log("command received");
            }
            return observed(route, command, aggregateId, opts.expectedVersion(), metadata, completing);
        } finally {
            if (previousMdc == null) MDC.remove("correlationId");
            else MDC.put("correlationId", previousMdc);
        }
    }

    /**
     * The command inside its telemetry activity (the activity's trace context goes into the events' metadata), on its
     * aggregate's stripe (H9). A command that finds the stripe taken and could share its holder's append (H10) waits
     * where the holder can claim it: then the holder decides and commits it, and this thread only answers.
     */
    private CommandResponse observed(Route route, Command command, String aggregateId, ExpectedVersion expected,
                                     Metadata metadata, Completion completing) {
        Telemetry.CommandActivity activity = telemetry.command(command, route.binding.type(), metadata);
        try {
            Metadata carried = carry(metadata, activity.propagation());
            AggregateStripes.Stripe stripe = stripes.of(aggregateId);
            java.util.concurrent.locks.Lock lock = stripe.tryNow();
            AggregateStripes.Waiting mine = null;
            boolean sharing = settings.commandSharing();
            if (lock == null) {
                // queued even when it cannot be shared: a holder then claims none of its aggregate queued after it
                if (sharing) {
                    mine = new AggregateStripes.Waiting(aggregateId, command, route, carried, completing == null
                            && expected instanceof ExpectedVersion.Any && route.binding.payloadOnly());
                }
                lock = stripe.await(mine);
            }
            CommandResponse response;
            try {
                response = mine != null && !ownTurn(stripe, mine) ? decidedByHolder(command, aggregateId, mine)
                        : loop(route, command, aggregateId, expected, carried, completing, activity,
                        lock != null && sharing ? stripe : null);
            } finally {
                if (lock != null) lock.unlock();
            }
            activity.outcome(response.isAccepted() ? "accepted" : "rejected");
            return response;
        } catch (RetriesExhaustedException e) {
            activity.outcome("exhausted");
            throw e;
        } catch (RuntimeException | Error e) {
            activity.failed(e);
            throw e;
        } finally {
            activity.close();
        }
    }

    /**
     * Whether this thread runs its own command: true unless a holder claimed it, in which case it returns once the
     * holder completed it (a holder settles what it claimed before it gives the stripe up; this thread only waits here
     * when its own wait for the stripe timed out first).
     */
    private static boolean ownTurn(AggregateStripes.Stripe stripe, AggregateStripes.Waiting mine) {
        boolean interrupted = false;
        try {
            while (true) {
                if (mine.takeBack()) {
                    if (mine.queued) stripe.waiting.remove(mine); // unless a holder claimed and handed it back
                    return true;
                }
                if (mine.state() == AggregateStripes.Waiting.DONE) return false;
                LockSupport.parkNanos(100_000);
                if (Thread.interrupted()) interrupted = true;
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** The answer a holder decided and committed for this thread's command (H10), counted and logged here. */
    private CommandResponse decidedByHolder(Command command, String aggregateId, AggregateStripes.Waiting mine) {
        if (mine.error != null) {
            LOG.atError().addKeyValue("point", "command.failed").addKeyValue("commandType",
                    command.getClass().getSimpleName()).addKeyValue("aggregateId", aggregateId).setCause(mine.error)
                    .log("validator threw");
            throw mine.error;
        }
        CommandResponse response = mine.response;
        if (response instanceof CommandResponse.Rejected rejection) {
            rejected.increment();
            if (LOG.isInfoEnabled()) {
                LOG.atInfo().addKeyValue("point", "command.rejected").addKeyValue("commandType",
                        command.getClass().getSimpleName()).addKeyValue("aggregateId", aggregateId)
                        .addKeyValue("reason", rejection.reason()).log("command rejected");
            }
        } else {
            accepted.increment();
            logAccepted(command, aggregateId);
        }
        return response;
    }

    /** Adds the telemetry's entries (trace context) to the metadata, replacing inherited ones; kept within E4. */
    private static Metadata carry(Metadata metadata, Map<String, String> carried) {
        if (carried.isEmpty()) return metadata;
        if (metadata.entries().isEmpty()) { // the common case: no map to merge (an immutable map is not copied again)
            return new Metadata(metadata.correlationId(), metadata.causationId(), carried);
        }
        Map<String, String> entries = new java.util.HashMap<>(metadata.entries());
        entries.putAll(carried);
        if (entries.size() > Metadata.MAX_ENTRIES) return metadata; // the caller's entries come first
        return new Metadata(metadata.correlationId(), metadata.causationId(), entries);
    }

    private static void checkAggregateId(String id) {
        PostedEvents.checkForeignId(id);
    }

    private CommandResponse loop(Route route, Command command, String aggregateId, ExpectedVersion expected,
                                 Metadata metadata, Completion completing, Telemetry.CommandActivity activity,
                                 AggregateStripes.Stripe held) {
        int maxAttempts = settings.commandMaxAttempts();
        long lastConflictVersion = 0;
        // H7: with CacheCheck.APPEND a cached aggregate is used without reading the store first; a decision the
        // append cannot confirm is taken again after that read, which is then made for the rest of this command
        boolean readFirst = settings.aggregateCacheCheck() == Settings.CacheCheck.READ;
        int attempt = 1;
        boolean backOffFirst = false;
        while (attempt <= maxAttempts) {
            if (backOffFirst) backOff(attempt);
            backOffFirst = false;
            Rebuilt rebuilt = rebuild(route, aggregateId, readFirst);
            Aggregate aggregate = rebuilt.aggregate;
            long version = aggregate.version();
            if (!expected.matches(version)) {
                cache.put(aggregateId, aggregate, rebuilt.position);
                if (!rebuilt.confirmed) {
                    readFirst = true; // a stale entry must not refuse the caller's expected version
                    continue;
                }
                rejected.increment();
                return CommandResponse.rejected(switch (expected) {
                            case ExpectedVersion.Exactly e -> "Expected version " + e.version() + " but found " + version;
                            case ExpectedVersion.NoStream n -> "Expected no events but found version " + version;
                            case ExpectedVersion.Any a -> throw new AssertionError("any version matches");
                        })
                        .withToken(new ConsistencyToken(aggregateId, version, rebuilt.position));
            }
            CommandResponse response;
            aggregate.frameworkClearPosted();
            try {
                response = route.validator.call(aggregate, command, version + 1);
            } catch (RuntimeException | Error e) {
                aggregate.frameworkClearPosted();
                LOG.atError().addKeyValue("point", "command.failed").addKeyValue("commandType",
                        command.getClass().getSimpleName()).addKeyValue("aggregateId", aggregateId).setCause(e)
                        .log("validator threw");
                throw new AggregateException(route.binding.type().getName(), aggregateId,
                        route.validator.methodName(), command.getClass().getSimpleName(), e);
            }
            if (response == null) response = CommandResponse.accepted();
            List<Aggregate.Posted> posted = aggregate.frameworkPosted();
            if (response instanceof CommandResponse.Rejected rejection) {
                boolean postedSomething = !posted.isEmpty();
                aggregate.frameworkClearPosted();
                if (!postedSomething) cache.put(aggregateId, aggregate, rebuilt.position); // H8: else evicted
                if (!rebuilt.confirmed) {
                    readFirst = true; // nothing is appended to confirm a rejection: read, then decide again
                    continue;
                }
                rejected.increment();
                if (LOG.isInfoEnabled()) {
                    LOG.atInfo().addKeyValue("point", "command.rejected").addKeyValue("commandType",
                            command.getClass().getSimpleName()).addKeyValue("aggregateId", aggregateId)
                            .addKeyValue("reason", rejection.reason()).log("command rejected");
                }
                return response.withToken(new ConsistencyToken(aggregateId, version, rebuilt.position));
            }
            if (posted.isEmpty()) {
                cache.put(aggregateId, aggregate, rebuilt.position);
                if (!rebuilt.confirmed) {
                    readFirst = true;
                    continue;
                }
                accepted.increment();
                logAccepted(command, aggregateId);
                return response.withToken(new ConsistencyToken(aggregateId, version, rebuilt.position));
            }
            List<NewEvent> newEvents = number(aggregateId, version, posted, metadata);
            aggregate.frameworkClearPosted();
            if (!rebuilt.confirmed && !writesOwn(newEvents, aggregateId)) {
                // only events of other aggregates: the append checks their versions, not this aggregate's
                cache.put(aggregateId, aggregate, rebuilt.position);
                readFirst = true;
                continue;
            }
            // H10: commands waiting for this stripe, decided now on the state these events make, commit with them
            Combined combined = held == null || completing != null ? null
                    : combine(held, route, aggregate, aggregateId, version, newEvents);
            List<NewEvent> appending = combined == null ? newEvents : combined.events;
            AppendResult result;
            FeedOrderedHandoff.Slot slot = handoff.slot();
            Telemetry.Activity append = activity.append(aggregateId, appending.size());
            try {
                result = events.append(appending, completing, slot::enqueue);
            } catch (VersionConflictException conflict) {
                slot.cancel();
                if (combined != null) combined.handBack();
                append.outcome("conflict");
                append.close();
                activity.conflict();
                conflicts.increment();
                lastConflictVersion = conflict.version();
                boolean stale = !rebuilt.confirmed && conflict.aggregateId().equals(aggregateId);
                if (LOG.isDebugEnabled()) {
                    LOG.atDebug().addKeyValue("point", "command.conflict").addKeyValue("aggregateId",
                            conflict.aggregateId()).addKeyValue("version", conflict.version())
                            .addKeyValue("attempt", attempt).addKeyValue("staleCache", stale)
                            .log("version conflict; retrying against fresh state");
                }
                readFirst = true;
                if (stale) {
                    // H7: the cached entry was behind the store. Its state is unchanged (posted events are applied
                    // only after a commit), so it catches up by the read instead of a rebuild; not an attempt. After
                    // H10 applied events ahead of the commit it is changed: then it is dropped and rebuilt.
                    if (combined == null) cache.put(aggregateId, aggregate, rebuilt.position);
                    continue;
                }
                attempt++;
                backOffFirst = true;
                continue; // the aggregate is discarded (not put back): H2, H8
            } catch (RuntimeException | Error e) {
                slot.cancel();
                if (combined != null) combined.handBack();
                append.failed(e);
                append.close();
                throw e;
            }
            append.close();
            slot.fill(result.records()); // D2, D16: never blocks, never throws
            if (STORE_LOG.isDebugEnabled()) {
                STORE_LOG.atDebug().addKeyValue("point", "store.committed").addKeyValue("aggregateId", aggregateId)
                        .addKeyValue("events", result.records().size()).addKeyValue("lastPosition",
                                result.lastPosition()).log("events committed");
            }
            // From here on the command has happened (H4): nothing below may turn it into an error.
            List<EventRecord<?>> mineRecords = result.records();
            long lastPosition = result.lastPosition();
            if (combined == null) {
                afterCommit(route, aggregate, aggregateId, version, result);
            } else { // the followers' records come after this command's own
                afterCombinedCommit(route, aggregate, aggregateId, version, result, combined.poisoned);
                mineRecords = mineRecords.subList(0, newEvents.size());
                lastPosition = mineRecords.getLast().position();
                combined.complete(result.records(), aggregateId);
            }
            accepted.increment();
            logAccepted(command, aggregateId);
            // §3.1: the position of the last event committed (a creation's new stream included), so a read-your-writes
            // wait on this token covers every event the command wrote
            return response.withToken(new ConsistencyToken(aggregateId, version + ownEvents(mineRecords, aggregateId),
                    lastPosition));
        }
        exhausted.increment();
        LOG.atWarn().addKeyValue("point", "command.retries-exhausted").addKeyValue("aggregateId", aggregateId)
                .addKeyValue("attempts", maxAttempts).addKeyValue("commandType", command.getClass().getSimpleName())
                .log("retries exhausted");
        throw new RetriesExhaustedException(aggregateId, lastConflictVersion, maxAttempts);
    }

    private void logAccepted(Command command, String aggregateId) {
        if (LOG.isDebugEnabled()) {
            LOG.atDebug().addKeyValue("point", "command.accepted").addKeyValue("commandType",
                    command.getClass().getSimpleName()).addKeyValue("aggregateId", aggregateId).log("command accepted");
        }
    }

    private static boolean writesOwn(List<NewEvent> events, String aggregateId) {
        for (NewEvent e : events) if (e.aggregateId().equals(aggregateId)) return true;
        return false;
    }

    private static long ownEvents(List<EventRecord<?>> records, String aggregateId) {
        long n = 0;
        for (EventRecord<?> r : records) if (r.aggregateId().equals(aggregateId)) n++;
        return n;
    }

    // ======================= H10: commands that wait for a holder share its append =======================

    /** Most waiting commands one holder decides and commits with its own. */
    private static final int MAX_COMBINED = 32;

    /**
     * The waiting commands a holder decided after its own, in order, and the events of them all (its own first).
     * {@code poisoned}: applying an event ahead of its commit failed, so the aggregate must not be cached after it.
     */
    private static final class Combined {
        final List<NewEvent> events;
        final List<AggregateStripes.Waiting> claimed;
        final List<Follower> followers = new ArrayList<>(2);
        boolean poisoned;

        Combined(List<NewEvent> own, List<AggregateStripes.Waiting> claimed) {
            this.events = new ArrayList<>(own);
            this.claimed = claimed;
        }

        /** One follower: its answer (or error), the aggregate's version before it, and its events' span. */
        record Follower(AggregateStripes.Waiting waiting, CommandResponse response, RuntimeException error,
                        long versionBefore, int from, int count) {
        }

        /** The append did not commit (or deciding failed): every claimed command runs again on its own turn. */
        void handBack() {
            for (AggregateStripes.Waiting w : claimed) {
                if (w.state() == AggregateStripes.Waiting.CLAIMED) w.handBack();
            }
        }

        /** The append committed: every follower gets its answer with the token of its own events. */
        void complete(List<EventRecord<?>> records, String aggregateId) {
            for (Follower f : followers) {
                if (f.error != null) {
                    f.waiting.complete(null, f.error);
                    continue;
                }
                // a follower without events reads what its predecessors committed (at least the holder's first event)
                long position = records.get(f.from + f.count - 1).position();
                f.waiting.complete(f.response.withToken(new ConsistencyToken(aggregateId,
                        f.versionBefore + f.count, position)), null);
            }
        }
    }

    /**
     * H10: claims the commands that wait for this stripe with the same aggregate (lingering a moment when the
     * aggregate was contended and none waits yet), applies the holder's events ahead of the commit and decides each
     * claimed command on the state so far, as its own turn would have (same validators, same version numbering, its own
     * metadata). Only a decision the shared append confirms is answered: the append checks the holder's first version,
     * which the holder's own decision also needed. Returns null when none was claimed.
     */
    private Combined combine(AggregateStripes.Stripe stripe, Route route, Aggregate aggregate, String aggregateId,
                             long version, List<NewEvent> own) {
        if (!route.binding.payloadOnly()) return null;
        List<AggregateStripes.Waiting> claimed = claim(stripe, aggregateId, route.binding);
        if (claimed.isEmpty()) return null;
        Combined combined = new Combined(own, claimed);
        try {
            decide(combined, route, aggregate, aggregateId, version, own);
        } catch (RuntimeException | Error e) { // a bug of ours: no claimed command may be left waiting for it
            aggregate.frameworkClearPosted();
            combined.handBack();
            throw e;
        }
        if (combined.followers.isEmpty() && !combined.poisoned) return null;
        return combined;
    }

    /** Decides the claimed commands of {@code combined} one after another (see {@link #combine}). */
    private void decide(Combined combined, Route route, Aggregate aggregate, String aggregateId, long version,
                        List<NewEvent> own) {
        long v = version;
        if (applyAhead(route, aggregate, aggregateId, own)) {
            v += ownNewEvents(own, aggregateId);
        } else {
            combined.poisoned = true;
        }
        for (AggregateStripes.Waiting w : combined.claimed) {
            if (combined.poisoned) {
                w.handBack();
                continue;
            }
            int from = combined.events.size();
            aggregate.frameworkClearPosted();
            CommandResponse response;
            try {
                response = w.route.validator.call(aggregate, w.command, v + 1);
            } catch (RuntimeException | Error e) {
                aggregate.frameworkClearPosted();
                combined.followers.add(new Combined.Follower(w, null, new AggregateException(
                        route.binding.type().getName(), aggregateId, w.route.validator.methodName(),
                        w.command.getClass().getSimpleName(), e), v, from, 0));
                continue;
            }
            if (response == null) response = CommandResponse.accepted();
            List<Aggregate.Posted> posted = aggregate.frameworkPosted();
            if (response instanceof CommandResponse.Rejected || posted.isEmpty()) {
                aggregate.frameworkClearPosted(); // A9: a rejection commits nothing
                combined.followers.add(new Combined.Follower(w, response, null, v, from, 0));
                continue;
            }
            List<NewEvent> mine;
            try {
                mine = number(aggregateId, v, posted, w.metadata);
            } catch (RuntimeException e) { // its posted events are not acceptable: its own error
                aggregate.frameworkClearPosted();
                combined.followers.add(new Combined.Follower(w, null, e, v, from, 0));
                continue;
            }
            aggregate.frameworkClearPosted();
            if (ownNewEvents(mine, aggregateId) != mine.size()) { // other streams: checked on its own turn
                w.handBack();
                continue;
            }
            if (!applyAhead(route, aggregate, aggregateId, mine)) {
                combined.poisoned = true;
                w.handBack();
                continue;
            }
            combined.events.addAll(mine);
            combined.followers.add(new Combined.Follower(w, response, null, v, from, mine.size()));
            v += mine.size();
        }
    }

    private static int ownNewEvents(List<NewEvent> events, String aggregateId) {
        int n = 0;
        for (NewEvent e : events) if (e.aggregateId().equals(aggregateId)) n++;
        return n;
    }

    /** The waiting commands of {@code aggregateId} this holder takes over, in arrival order. */
    private List<AggregateStripes.Waiting> claim(AggregateStripes.Stripe stripe, String aggregateId,
                                                 AggregateBinding<?> binding) {
        List<AggregateStripes.Waiting> claimed = new ArrayList<>(2);
        long deadline = 0;
        while (true) {
            boolean barred = false; // H9: nothing of this aggregate overtakes a command that cannot be shared
            for (var it = stripe.waiting.iterator(); it.hasNext() && claimed.size() < MAX_COMBINED; ) {
                AggregateStripes.Waiting w = it.next();
                if (!w.aggregateId.equals(aggregateId) || w.state() != AggregateStripes.Waiting.WAITING) continue;
                if (!w.shareable || w.route.binding != binding) {
                    barred = true;
                    break;
                }
                if (w.claim()) {
                    claimed.add(w);
                    it.remove();
                }
            }
            if (!claimed.isEmpty() || barred || lingerNanos == 0 || !stripe.contendedFor(aggregateId)) return claimed;
            long now = System.nanoTime();
            if (deadline == 0) deadline = now + lingerNanos;
            else if (now - deadline >= 0) return claimed;
            stripe.lingering = Thread.currentThread(); // a command that queues now wakes this thread
            try {
                if (!waits(stripe, aggregateId)) LockSupport.parkNanos(stripe, deadline - now);
            } finally {
                stripe.lingering = null;
            }
        }
    }

    private static boolean waits(AggregateStripes.Stripe stripe, String aggregateId) {
        for (AggregateStripes.Waiting w : stripe.waiting) {
            if (w.aggregateId.equals(aggregateId) && w.state() == AggregateStripes.Waiting.WAITING) return true;
        }
        return false;
    }

    /**
     * Applies the aggregate's own events among {@code events} before their commit (H10); they have no position yet,
     * which no reconstitutor can see ({@link AggregateBinding#payloadOnly()}). False when one threw: the aggregate is
     * then half changed and must be dropped.
     */
    private boolean applyAhead(Route route, Aggregate aggregate, String aggregateId, List<NewEvent> events) {
        try {
            for (NewEvent e : events) {
                if (!e.aggregateId().equals(aggregateId)) continue;
                route.binding.apply(aggregate, new EventRecord<>(e.eventId(), e.aggregateId(), e.version(), e.type(),
                        e.schemaVersion(), e.createdAt(), 0, e.metadata(), e.event()));
            }
            return true;
        } catch (RuntimeException e) {
            AGG_LOG.atError().addKeyValue("point", "aggregate.reconstitute-failed").addKeyValue("aggregateId",
                    aggregateId).setCause(e).log("applying a decided event failed; the aggregate is evicted");
            return false;
        }
    }

    /** H3: full jitter, sleep uniformly in [0, min(max, base × 2^(k−2))]. */
    private void backOff(int attempt) {
        long baseNanos = settings.commandBackoffBase().toNanos();
        long maxNanos = settings.commandBackoffMax().toNanos();
        int shift = Math.min(attempt - 2, 30);
        long cap = Math.min(maxNanos, baseNanos << shift);
        if (cap <= 0) return;
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(cap + 1));
    }

    /** Numbers posted events per A6 and wraps them for the store with type names and D1 handler names. */
    private List<NewEvent> number(String aggregateId, long version, List<Aggregate.Posted> posted, Metadata md) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return PostedEvents.number(aggregateId, version, posted, md, now, eventMeta::get, ids);
    }

    /**
     * Steps 8–9 and the cache: applies the own committed events to the aggregate (H8), snapshots when due (S1, S2),
     * (the records already went to dispatch through the command's slot, D2, D16). Returns the position of the
     * aggregate's latest event. Never throws (H4).
     */
    private long afterCommit(Route route, Aggregate aggregate, String aggregateId, long before, AppendResult result) {
        long ownPosition = 0;
        boolean applied = true;
        for (EventRecord<?> r : result.records()) {
            if (!r.aggregateId().equals(aggregateId)) continue;
            ownPosition = r.position();
            if (!applied) continue;
            try {
                route.binding.apply(aggregate, r);
            } catch (RuntimeException e) {
                applied = false;
                AGG_LOG.atError().addKeyValue("point", "aggregate.reconstitute-failed").addKeyValue("aggregateId",
                        aggregateId).addKeyValue("eventId", r.eventId()).setCause(e)
                        .log("applying a committed event failed; the aggregate is evicted");
            }
        }
        if (applied) {
            if (aggregate instanceof Snapshottable<?> s) maybeSnapshot(route, s, aggregate, before, ownPosition);
            cache.put(aggregateId, aggregate, ownPosition);
        }
        return ownPosition;
    }

    /**
     * {@link #afterCommit} for a shared append (H10): the events were applied before the commit, so only the snapshot
     * and the cache remain; a poisoned aggregate is evicted.
     */
    private void afterCombinedCommit(Route route, Aggregate aggregate, String aggregateId, long before,
                                     AppendResult result, boolean poisoned) {
        long ownPosition = 0;
        for (EventRecord<?> r : result.records()) if (r.aggregateId().equals(aggregateId)) ownPosition = r.position();
        if (poisoned) return; // not put back: the next command rebuilds it from the store
        if (aggregate instanceof Snapshottable<?> s) maybeSnapshot(route, s, aggregate, before, ownPosition);
        cache.put(aggregateId, aggregate, ownPosition);
    }

    /** The live hand-off (D2), in feed order through {@link #handoff}. */
    private void handOff(List<EventRecord<?>> records) {
        try {
            DispatchPort port = dispatch;
            if (port != null) port.offer(records);
        } catch (RuntimeException e) {
            LoggerFactory.getLogger("jangle.dispatch").atError().addKeyValue("point", "dispatch.error")
                    .setCause(e).log("hand-off to dispatch failed; the events stay pending in the ledger");
        }
    }

    /** S1: due when floor(b / f) > floor(a / f), counting the aggregate's own versions only. */
    private void maybeSnapshot(Route route, Snapshottable<?> s, Aggregate aggregate, long before, long position) {
        try {
            int f = s.snapshotFrequency();
            long after = aggregate.version();
            if (f <= 0 || after / f <= before / f) return;
            Record state = s.snapshot();
            if (state == null) return;
            String fp = route.binding.fingerprint(s.snapshotSchemaVersion());
            snapshots.put(new Snapshot(aggregate.id(), after, position, fp, state));
            telemetry.snapshotWritten(route.binding.type());
            if (SNAP_LOG.isDebugEnabled()) {
                SNAP_LOG.atDebug().addKeyValue("point", "snapshot.taken").addKeyValue("aggregateId", aggregate.id())
                        .addKeyValue("version", after).log("snapshot taken");
            }
        } catch (RuntimeException e) {
            SNAP_LOG.atWarn().addKeyValue("point", "snapshot.store-failed").addKeyValue("aggregateId",
                    aggregate.id()).setCause(e).log("taking a snapshot failed; the command is unaffected (S6)");
        }
    }

    /**
     * An aggregate and the position of its latest event; {@code confirmed} when the store was read for it (else it is
     * a cached entry taken as it is, H7).
     */
    private record Rebuilt(Aggregate aggregate, long position, boolean confirmed) {
    }

    /**
     * Steps 2–4: cached or blank aggregate, snapshot (S3–S6), then every event after its version; a cached entry is
     * returned without the read unless {@code readCached}.
     */
    private Rebuilt rebuild(Route route, String aggregateId, boolean readCached) {
        AggregateCache.Entry cached = cache.take(aggregateId);
        Aggregate aggregate;
        long position;
        boolean hit = cached != null && cached.aggregate().getClass() == route.binding.type();
        telemetry.aggregateCache(hit);
        long started = !hit && telemetry.timesRebuilds() ? System.nanoTime() : 0;
        if (hit) {
            aggregate = cached.aggregate();
            position = cached.position();
            if (!readCached) return new Rebuilt(aggregate, position, false);
        } else {
            aggregate = blank(route, aggregateId);
            position = 0;
            if (aggregate instanceof Snapshottable<?> s && s.snapshotFrequency() > 0) { // 0: snapshots off, none read
                Rebuilt fromSnapshot = applySnapshot(route, s, aggregate, aggregateId);
                aggregate = fromSnapshot.aggregate;
                position = fromSnapshot.position;
            }
        }
        long from = aggregate.version();
        Replayer replayer = new Replayer(route.binding, aggregate, position);
        long count;
        try {
            count = events.forEachAfter(aggregateId, from, replayer);
        } catch (SerializationException e) {
            // J7: the command cannot be decided on a history that cannot be read; nothing is written
            throw new SerializationException("aggregate '" + aggregateId + "' (" + route.binding.type().getSimpleName()
                    + ") cannot be rebuilt: its events after version " + aggregate.version() + " cannot be read", e);
        }
        position = replayer.position;
        if (started != 0) telemetry.aggregateRebuilt(route.binding.type(), count, System.nanoTime() - started);
        if (count > 0 && AGG_LOG.isDebugEnabled()) {
            AGG_LOG.atDebug().addKeyValue("point", "aggregate.events-read").addKeyValue("aggregateId",
                    aggregateId).addKeyValue("count", count).addKeyValue("fromVersion", from + 1)
                    .addKeyValue("toVersion", aggregate.version()).log("events read");
        }
        return new Rebuilt(aggregate, position, true);
    }

    /** Applies streamed events in order and remembers the position of the last one. */
    private static final class Replayer implements java.util.function.Consumer<EventRecord<?>> {
        private final AggregateBinding<?> binding;
        private final Aggregate aggregate;
        long position;

        Replayer(AggregateBinding<?> binding, Aggregate aggregate, long position) {
            this.binding = binding;
            this.aggregate = aggregate;
            this.position = position;
        }

        @Override
        public void accept(EventRecord<?> r) {
            binding.apply(aggregate, r);
            position = r.position();
        }
    }

    private Aggregate blank(Route route, String aggregateId) {
        Aggregate aggregate = route.factory.apply(aggregateId);
        if (aggregate == null || aggregate.getClass() != route.binding.type()) {
            throw new AggregateException(route.binding.type().getName(), aggregateId, "factory", "create",
                    new IllegalStateException("the registered factory returned "
                            + (aggregate == null ? "null" : aggregate.getClass().getName())));
        }
        if (!aggregateId.equals(aggregate.id())) {
            throw new AggregateException(route.binding.type().getName(), aggregateId, "factory", "create",
                    new IllegalStateException("the factory built an aggregate with id '" + aggregate.id() + "'"));
        }
        aggregate.frameworkSetClock(clock);
        if (AGG_LOG.isTraceEnabled()) {
            AGG_LOG.atTrace().addKeyValue("point", "aggregate.created").addKeyValue("aggregateId", aggregateId)
                    .log("blank aggregate created");
        }
        return aggregate;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Rebuilt applySnapshot(Route route, Snapshottable<?> s, Aggregate aggregate, String aggregateId) {
        String fingerprint = route.binding.fingerprint(s.snapshotSchemaVersion());
        Optional<Snapshot> found;
        try {
            found = snapshots.get(aggregateId, route.binding.snapshotStateType(), fingerprint);
        } catch (RuntimeException e) {
            SNAP_LOG.atWarn().addKeyValue("point", "snapshot.store-failed").addKeyValue("aggregateId", aggregateId)
                    .setCause(e).log("reading the snapshot failed; rebuilding from events (S6)");
            // a state that cannot be decoded will never be readable: delete it as S5 does (a store fault: keep it)
            if (e instanceof SerializationException) deleteSnapshot(aggregateId, "unreadable");
            return new Rebuilt(aggregate, 0, true);
        }
        if (found.isEmpty()) return new Rebuilt(aggregate, 0, true);
        Snapshot snap = found.get();
        if (!fingerprint.equals(snap.fingerprint()) || snap.state() == null) {
            deleteSnapshot(aggregateId, "fingerprint");
            return new Rebuilt(aggregate, 0, true);
        }
        long last;
        try {
            last = events.lastVersion(aggregateId);
        } catch (RuntimeException e) {
            throw e; // the event store itself failed: the command cannot be decided
        }
        if (snap.version() > last) {
            deleteSnapshot(aggregateId, "ahead of stream");
            return new Rebuilt(aggregate, 0, true);
        }
        try {
            ((Snapshottable) s).applySnapshot(snap.state());
            aggregate.frameworkSetVersion(snap.version());
            if (SNAP_LOG.isDebugEnabled()) {
                SNAP_LOG.atDebug().addKeyValue("point", "snapshot.applied").addKeyValue("aggregateId", aggregateId)
                        .addKeyValue("version", snap.version()).log("snapshot applied");
            }
            return new Rebuilt(aggregate, snap.position(), true);
        } catch (RuntimeException e) {
            SNAP_LOG.atWarn().addKeyValue("point", "snapshot.apply-failed").addKeyValue("aggregateId", aggregateId)
                    .setCause(e).log("applying the snapshot failed; rebuilding from events (S5)");
            deleteSnapshot(aggregateId, "failed");
            return new Rebuilt(blank(route, aggregateId), 0, true);
        }
    }

    private void deleteSnapshot(String aggregateId, String reason) {
        try {
            snapshots.delete(aggregateId);
            SNAP_LOG.atInfo().addKeyValue("point", "snapshot.deleted").addKeyValue("aggregateId", aggregateId)
                    .addKeyValue("reason", reason).log("snapshot deleted");
        } catch (RuntimeException e) {
            SNAP_LOG.atWarn().addKeyValue("point", "snapshot.store-failed").addKeyValue("aggregateId", aggregateId)
                    .setCause(e).log("deleting the snapshot failed (S6)");
        }
    }
}
