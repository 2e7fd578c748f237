package jangle.memory;

import jangle.DuplicateEventIdException;
import jangle.EventRecord;
import jangle.VersionConflictException;
import jangle.spi.AppendResult;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.Delivery;
import jangle.spi.DeliveryKey;
import jangle.spi.DeliveryStatus;
import jangle.spi.DispatchLedger;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.spi.Park;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The in-memory event store and its dispatch ledger (§7, §8.2), for tests, fixtures and benchmarks. Thread-safe.
 *
 * <p>Writes (appends and every ledger change) take one lock, so an append is atomic across aggregates together with
 * its deliveries (D1) and the delivery it completes (D15). Each append is validated completely before anything is
 * written (ST3, ST4), and costs O(events appended): events go to per-stream {@link RecordLog}s and to one global feed
 * log, never copying earlier events (§19 bug 3). Reads take no lock: the store publishes the last committed position
 * last, and readers ignore anything above it, so a multi-aggregate append becomes visible all at once and the feed
 * never skips a late commit (G1: positions are assigned and published under the lock, in commit order).
 *
 * <p>The ledger keeps only pending and dead deliveries (done ones are dropped), indexed by position overall, by
 * handler and by correlation id, so {@code due}, {@code lowestPosition} and {@code count} never scan finished work.
 */
public final class InMemoryEventStore implements EventStore, DispatchLedger {
    private final ReentrantLock lock = new ReentrantLock();
    /** The node that appends through this store: its live dispatch holds the new deliveries. */
    private final String nodeId;
    private final Map<String, RecordLog> streams = new ConcurrentHashMap<>();
    private final IdIndex byId = new IdIndex(); // guarded by lock
    private final RecordLog feed = new RecordLog();
    /** The highest committed position; published after everything of an append is written. */
    private volatile long committed;
    /** Events by correlation id (CA3), guarded by lock. */
    private final Map<UUID, List<EventRecord<?>>> correlations = new HashMap<>();
    private final InMemoryCheckpoints checkpoints;

    // ---- ledger state, guarded by lock ----
    private final Map<DeliveryKey, Row> rows = new HashMap<>();
    private final TreeMap<PositionKey, Row> pendingIndex = new TreeMap<>();
    private final TreeMap<PositionKey, Row> deadIndex = new TreeMap<>();
    private final Map<String, TreeSet<Long>> pendingByHandler = new HashMap<>();
    private final Map<String, TreeSet<Long>> deadByHandler = new HashMap<>();
    private final Map<UUID, int[]> byCorrelation = new HashMap<>();

    /** Ledger position order: position, then handler name. */
    private record PositionKey(long position, String handler) implements Comparable<PositionKey> {
        @Override
        public int compareTo(PositionKey o) {
            int c = Long.compare(position, o.position);
            return c != 0 ? c : handler.compareTo(o.handler);
        }
    }

    /**
     * A ledger row: what operators see, the instant its age counts from (commit, claim, failure, or operator retry),
     * and the node that holds it (null: no one).
     */
    private record Row(Delivery delivery, Instant dueFrom, String owner) {
        PositionKey positionKey() {
            return new PositionKey(delivery.position(), delivery.handler());
        }
    }

    /** A store for node {@code local}. */
    public InMemoryEventStore() {
        this("local");
    }

    public InMemoryEventStore(String nodeId) {
        this.nodeId = java.util.Objects.requireNonNull(nodeId, "nodeId");
        this.checkpoints = new InMemoryCheckpoints(this);
    }

    // ======================= EventStore =======================

    @Override
    public AppendResult append(List<NewEvent> events, Completion completing) {
        return append(events, completing, null);
    }

    @Override
    public AppendResult append(List<NewEvent> events, Completion completing, Runnable inFeedOrder) {
        if (events.isEmpty()) return new AppendResult(List.of()); // commits nothing, so completes nothing (D15)
        lock.lock();
        try {
            validate(events);
            if (completing instanceof Completion.Advance a) checkpoints.checkHeld(a); // before anything is written
            if (inFeedOrder != null) inFeedOrder.run(); // under the lock that orders the feed (D16)
            long position = committed;
            List<EventRecord<?>> records = new ArrayList<>(events.size());
            for (NewEvent e : events) {
                EventRecord<?> r = new EventRecord<>(e.eventId(), e.aggregateId(), e.version(), e.type(),
                        e.schemaVersion(), e.createdAt(), ++position, e.metadata(), e.event());
                streams.computeIfAbsent(e.aggregateId(), k -> new RecordLog()).add(r);
                byId.put(r.eventId(), (int) (r.position() - 1));
                feed.add(r);
                correlations.computeIfAbsent(r.metadata().correlationId(), k -> new ArrayList<>(2)).add(r);
                records.add(r);
            }
            switch (completing) {
                case null -> { }
                case Completion.Advance a -> checkpoints.advance(a);
                case Completion.Resolve r -> removeRow(r.parked());
            }
            committed = position; // publish: readers see the whole append from here on
            return new AppendResult(records.size() == 1 ? List.of(records.get(0)) : records);
        } finally {
            lock.unlock();
        }
    }

    /** ST4 and unique ids, checked before anything is written so a failed append leaves no trace (ST3). */
    private void validate(List<NewEvent> events) {
        if (events.size() == 1) { // the common case, without allocating
            NewEvent e = events.get(0);
            if (byId.contains(e.eventId())) throw new DuplicateEventIdException(e.eventId());
            if (e.version() != lastVersion(e.aggregateId()) + 1) {
                throw new VersionConflictException(e.aggregateId(), e.version());
            }
            return;
        }
        Map<String, Long> next = new HashMap<>();
        java.util.Set<UUID> ids = new java.util.HashSet<>();
        for (NewEvent e : events) {
            if (byId.contains(e.eventId()) || !ids.add(e.eventId())) {
                throw new DuplicateEventIdException(e.eventId());
            }
            Long expected = next.get(e.aggregateId());
            if (expected == null) expected = lastVersion(e.aggregateId()) + 1;
            if (e.version() != expected) throw new VersionConflictException(e.aggregateId(), e.version());
            next.put(e.aggregateId(), expected + 1);
        }
    }

    @Override
    public Stream<EventRecord<?>> read(String aggregateId, long afterVersion) {
        RecordLog log = streams.get(aggregateId);
        if (log == null) return Stream.empty();
        long c = committed;
        int n = log.size();
        EventRecord<?>[] a = log.array();
        int to = visibleEnd(a, n, c);
        int from = (int) Math.max(0, Math.min(afterVersion, to)); // version v sits at index v − 1
        return from >= to ? Stream.empty() : Arrays.stream(a, from, to);
    }

    @Override
    public long forEachAfter(String aggregateId, long afterVersion, java.util.function.Consumer<EventRecord<?>> sink) {
        RecordLog log = streams.get(aggregateId);
        if (log == null) return 0;
        long c = committed;
        int n = log.size();
        EventRecord<?>[] a = log.array();
        int to = visibleEnd(a, n, c);
        int from = (int) Math.max(0, Math.min(afterVersion, to));
        for (int i = from; i < to; i++) sink.accept(a[i]);
        return to - from;
    }

    /** The number of leading elements whose position is committed (an append in progress may have added more). */
    private static int visibleEnd(EventRecord<?>[] a, int n, long committedPosition) {
        int to = n;
        while (to > 0 && a[to - 1].position() > committedPosition) to--;
        return to;
    }

    @Override
    public List<EventRecord<?>> readFeed(long afterPosition, int limit) {
        long c = committed;
        if (limit <= 0 || afterPosition >= c) return List.of();
        int n = feed.size();
        EventRecord<?>[] a = feed.array();
        int from = (int) Math.max(0, afterPosition); // position p sits at index p − 1
        int to = (int) Math.min(Math.min(c, n), (long) from + limit);
        return from >= to ? List.of() : List.of(Arrays.copyOfRange(a, from, to));
    }

    @Override
    public Optional<EventRecord<?>> readEvent(UUID eventId) {
        int index;
        lock.lock();
        try {
            index = byId.get(eventId);
        } finally {
            lock.unlock();
        }
        if (index < 0 || index >= committed) return Optional.empty();
        return Optional.of(feed.array()[index]);
    }

    @Override
    public long lastVersion(String aggregateId) {
        RecordLog log = streams.get(aggregateId);
        if (log == null) return 0;
        long c = committed;
        int n = log.size();
        return visibleEnd(log.array(), n, c); // versions are 1..n without gaps
    }

    @Override
    public long lastPosition() {
        return committed;
    }

    @Override
    public DispatchLedger ledger() {
        return this;
    }

    @Override
    public List<EventRecord<?>> correlated(UUID correlationId, int limit) {
        lock.lock();
        try {
            List<EventRecord<?>> all = correlations.get(correlationId);
            if (all == null) return List.of();
            return List.copyOf(all.subList(0, Math.min(all.size(), Math.max(0, limit))));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Checkpoints checkpoints() {
        return checkpoints;
    }

    /** Park rows, written by {@link InMemoryCheckpoints#commit} under the store's lock. */
    void park(Park p) {
        removeRow(p.key());
        EventRecord<?> r = readEvent(p.key().eventId()).orElseThrow(() -> new IllegalArgumentException(
                "cannot park an event that is not in the store: " + p.key().eventId()));
        Delivery d = new Delivery(r.eventId(), p.key().handler(), r.type(), r.aggregateId(), r.version(),
                r.position(), p.dead() ? DeliveryStatus.DEAD : DeliveryStatus.PENDING, p.attempts(), r.createdAt(),
                p.failedAt(), p.failedAt(), p.error(), r.metadata().correlationId());
        addRow(new Row(d, p.failedAt(), p.owner()));
    }

    /** Drops the parked rows of {@code handler} above {@code position} (a processor reset), under the store's lock. */
    void unparkAbove(String handler, long position) {
        for (Row row : new ArrayList<>(rows.values())) {
            if (row.delivery().handler().equals(handler) && row.delivery().position() > position) {
                removeRow(row.delivery().key());
            }
        }
    }

    ReentrantLock lock() {
        return lock;
    }

    // ======================= DispatchLedger =======================

    private void addRow(Row row) {
        Delivery d = row.delivery();
        rows.put(d.key(), row);
        boolean dead = d.status() == DeliveryStatus.DEAD;
        (dead ? deadIndex : pendingIndex).put(row.positionKey(), row);
        (dead ? deadByHandler : pendingByHandler).computeIfAbsent(d.handler(), k -> new TreeSet<>()).add(d.position());
        byCorrelation.computeIfAbsent(d.correlationId(), k -> new int[2])[dead ? 1 : 0]++;
    }

    private Row removeRow(DeliveryKey key) {
        Row row = rows.remove(key);
        if (row == null) return null;
        Delivery d = row.delivery();
        boolean dead = d.status() == DeliveryStatus.DEAD;
        (dead ? deadIndex : pendingIndex).remove(row.positionKey());
        Map<String, TreeSet<Long>> byHandler = dead ? deadByHandler : pendingByHandler;
        TreeSet<Long> positions = byHandler.get(d.handler());
        if (positions != null) {
            positions.remove(d.position());
            if (positions.isEmpty()) byHandler.remove(d.handler());
        }
        int[] counts = byCorrelation.get(d.correlationId());
        if (counts != null) {
            counts[dead ? 1 : 0]--;
            if (counts[0] == 0 && counts[1] == 0) byCorrelation.remove(d.correlationId());
        }
        return row;
    }

    @Override
    public List<Delivery> due(Instant now, Duration maxAge, int limit) {
        Instant cutoff = now.minus(maxAge);
        List<Delivery> out = new ArrayList<>();
        lock.lock();
        try {
            for (Row row : pendingIndex.values()) {
                if (out.size() >= limit) break;
                if (!row.dueFrom().isAfter(cutoff)) out.add(row.delivery());
            }
        } finally {
            lock.unlock();
        }
        return out;
    }

    @Override
    public List<Delivery> claim(String owner, Instant now, Duration maxAge, long maxPosition, boolean includeOwn,
                                int limit) {
        Instant cutoff = now.minus(maxAge);
        List<Row> chosen = new ArrayList<>();
        lock.lock();
        try {
            for (Row row : pendingIndex.values()) {
                if (chosen.size() >= limit || row.delivery().position() > maxPosition) break;
                boolean own = row.owner() == null || row.owner().equals(owner);
                if (!row.dueFrom().isAfter(cutoff) || (includeOwn && own)) chosen.add(row);
            }
            List<Delivery> out = new ArrayList<>(chosen.size());
            for (Row row : chosen) {
                removeRow(row.delivery().key());
                addRow(new Row(row.delivery(), now, owner));
                out.add(row.delivery());
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void markDone(Collection<DeliveryKey> deliveries) {
        if (deliveries.isEmpty()) return;
        lock.lock();
        try {
            for (DeliveryKey k : deliveries) removeRow(k);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public DeliveryStatus recordFailure(DeliveryKey delivery, String error, Instant now, int deadLetterAttempts) {
        lock.lock();
        try {
            Row row = rows.get(delivery);
            if (row == null) return DeliveryStatus.DONE;
            Delivery d = row.delivery();
            int attempts = d.attempts() + 1;
            DeliveryStatus status = attempts >= deadLetterAttempts ? DeliveryStatus.DEAD : d.status();
            removeRow(delivery);
            addRow(new Row(new Delivery(d.eventId(), d.handler(), d.eventType(), d.aggregateId(), d.version(),
                    d.position(), status, attempts, d.committedAt(),
                    d.firstFailureAt() == null ? now : d.firstFailureAt(), now, error, d.correlationId()), now, row.owner()));
            return status;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Delivery> list(DeliveryStatus status, String handler, int limit) {
        if (status == DeliveryStatus.DONE) return List.of();
        List<Delivery> out = new ArrayList<>();
        lock.lock();
        try {
            for (Row row : (status == DeliveryStatus.DEAD ? deadIndex : pendingIndex).values()) {
                if (out.size() >= limit) break;
                if (handler == null || handler.equals(row.delivery().handler())) out.add(row.delivery());
            }
        } finally {
            lock.unlock();
        }
        return out;
    }

    @Override
    public int retry(UUID eventId, String handler) {
        lock.lock();
        try {
            List<Row> matches = new ArrayList<>();
            for (Row row : deadIndex.values()) {
                Delivery d = row.delivery();
                if (d.eventId().equals(eventId) && (handler == null || handler.equals(d.handler()))) matches.add(row);
            }
            for (Row row : matches) reset(row);
            return matches.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int retryAll(String handler) {
        lock.lock();
        try {
            List<Row> matches = new ArrayList<>();
            for (Row row : deadIndex.values()) {
                if (handler == null || handler.equals(row.delivery().handler())) matches.add(row);
            }
            for (Row row : matches) reset(row);
            return matches.size();
        } finally {
            lock.unlock();
        }
    }

    /** Operator retry: pending again, attempts reset, due at once; the failure history stays for operators. */
    private void reset(Row row) {
        Delivery d = row.delivery();
        removeRow(d.key());
        addRow(new Row(new Delivery(d.eventId(), d.handler(), d.eventType(), d.aggregateId(), d.version(),
                d.position(), DeliveryStatus.PENDING, 0, d.committedAt(), d.firstFailureAt(), d.lastAttemptAt(),
                d.lastError(), d.correlationId()), Instant.EPOCH, null));
    }

    @Override
    public boolean skip(DeliveryKey delivery, String reason) {
        lock.lock();
        try {
            return removeRow(delivery) != null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public OptionalLong lowestPosition(String handler, DeliveryStatus status) {
        if (status == DeliveryStatus.DONE) return OptionalLong.empty();
        lock.lock();
        try {
            TreeSet<Long> positions = (status == DeliveryStatus.DEAD ? deadByHandler : pendingByHandler).get(handler);
            return positions == null || positions.isEmpty() ? OptionalLong.empty() : OptionalLong.of(positions.first());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long count(UUID correlationId, DeliveryStatus status) {
        if (status == DeliveryStatus.DONE) return 0;
        lock.lock();
        try {
            int[] counts = byCorrelation.get(correlationId);
            return counts == null ? 0 : counts[status == DeliveryStatus.DEAD ? 1 : 0];
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<String> handlersWithWork() {
        lock.lock();
        try {
            TreeSet<String> names = new TreeSet<>(pendingByHandler.keySet());
            names.addAll(deadByHandler.keySet());
            return List.copyOf(names);
        } finally {
            lock.unlock();
        }
    }
}
