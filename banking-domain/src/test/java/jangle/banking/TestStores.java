package jangle.banking;

import jangle.EventRecord;
import jangle.StoreException;
import jangle.memory.InMemoryStores;
import jangle.spi.AppendResult;
import jangle.spi.Delivery;
import jangle.spi.DeliveryKey;
import jangle.spi.DeliveryStatus;
import jangle.spi.DispatchLedger;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import jangle.spi.SagaStore;
import jangle.spi.StoreContext;
import jangle.spi.StoreProvider;
import jangle.spi.Stores;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The in-memory stores with instruments: events read per stream (B4), a one-shot append fault (a store failure while
 * a command commits, W2) and a one-shot failure of marking deliveries done (a crash after a handler's effect and
 * before its completion, which redelivers the event: D6, W4).
 */
final class TestStores implements StoreProvider {
    final Map<String, AtomicLong> eventsRead = new ConcurrentHashMap<>();
    private final AtomicReference<Predicate<List<NewEvent>>> appendFault = new AtomicReference<>();
    final AtomicBoolean failNextMarkDone = new AtomicBoolean();
    /** While not null, a saga commit recording a routed event of this type fails (the delivery stays pending). */
    volatile Class<?> holdSagaEventsOf;

    long read(String aggregateId) {
        AtomicLong n = eventsRead.get(aggregateId);
        return n == null ? 0 : n.get();
    }

    void resetCounts() {
        eventsRead.clear();
    }

    /** The next append matching {@code which} fails with a {@link StoreException} and writes nothing. */
    void failNextAppend(Predicate<List<NewEvent>> which) {
        appendFault.set(which);
    }

    /** The next append that holds an event of this type fails. */
    void failNextAppendOf(Class<?> eventType) {
        failNextAppend(list -> list.stream().anyMatch(e -> eventType.isInstance(e.event())));
    }

    boolean appendFaultPending() {
        return appendFault.get() != null;
    }

    @Override
    public Stores open(StoreContext context) {
        Stores inner = new InMemoryStores().open(context);
        return new Stores(new Events(inner.events()), inner.snapshots(), new Sagas(inner.sagas()), inner.onClose());
    }

    private final class Sagas implements SagaStore {
        private final SagaStore inner;

        Sagas(SagaStore inner) {
            this.inner = inner;
        }

        @Override
        public Optional<SagaState> get(String sagaId) {
            return inner.get(sagaId);
        }

        @Override
        public void commit(SagaState state, long expectedVersion, List<SagaEventEntry> newEvents) {
            Class<?> held = holdSagaEventsOf;
            if (held != null && newEvents.stream().anyMatch(e -> held.isInstance(e.event()))) {
                throw new StoreException("test", "saga commit", "injected fault: " + held.getSimpleName() + " held");
            }
            inner.commit(state, expectedVersion, newEvents);
        }

        @Override
        public List<String> dueIds(Instant now, int limit) {
            return inner.dueIds(now, limit);
        }

        @Override
        public List<String> claimDue(Instant now, Duration lease, int limit) {
            return inner.claimDue(now, lease, limit);
        }

        @Override
        public List<SagaState> list(boolean includeFinished, int limit) {
            return inner.list(includeFinished, limit);
        }
    }

    private final class Events implements EventStore {
        private final EventStore inner;
        private final DispatchLedger ledger;

        Events(EventStore inner) {
            this.inner = inner;
            this.ledger = new Ledger(inner.ledger());
        }

        @Override
        public AppendResult append(List<NewEvent> list, DeliveryKey completing) {
            Predicate<List<NewEvent>> fault = appendFault.get();
            if (fault != null && fault.test(list) && appendFault.compareAndSet(fault, null)) {
                throw new StoreException("test", "append", "injected fault");
            }
            return inner.append(list, completing);
        }

        @Override
        public Stream<EventRecord<?>> read(String aggregateId, long afterVersion) {
            AtomicLong n = eventsRead.computeIfAbsent(aggregateId, k -> new AtomicLong());
            return inner.read(aggregateId, afterVersion).peek(r -> n.incrementAndGet());
        }

        @Override
        public List<EventRecord<?>> readFeed(long afterPosition, int limit) {
            return inner.readFeed(afterPosition, limit);
        }

        @Override
        public Optional<EventRecord<?>> readEvent(UUID eventId) {
            return inner.readEvent(eventId);
        }

        @Override
        public long lastVersion(String aggregateId) {
            return inner.lastVersion(aggregateId);
        }

        @Override
        public long lastPosition() {
            return inner.lastPosition();
        }

        @Override
        public DispatchLedger ledger() {
            return ledger;
        }
    }

    private final class Ledger implements DispatchLedger {
        private final DispatchLedger inner;

        Ledger(DispatchLedger inner) {
            this.inner = inner;
        }

        @Override
        public List<Delivery> due(Instant now, Duration maxAge, int limit) {
            return inner.due(now, maxAge, limit);
        }

        @Override
        public List<Delivery> claim(String owner, Instant now, Duration maxAge, long maxPosition, boolean includeOwn,
                                    int limit) {
            return inner.claim(owner, now, maxAge, maxPosition, includeOwn, limit);
        }

        @Override
        public void markDone(Collection<DeliveryKey> deliveries) {
            if (!deliveries.isEmpty() && failNextMarkDone.compareAndSet(true, false)) {
                throw new StoreException("test", "markDone", "injected crash before completion");
            }
            inner.markDone(deliveries);
        }

        @Override
        public DeliveryStatus recordFailure(DeliveryKey delivery, String error, Instant now, int deadLetterAttempts) {
            return inner.recordFailure(delivery, error, now, deadLetterAttempts);
        }

        @Override
        public List<Delivery> list(DeliveryStatus status, String handler, int limit) {
            return inner.list(status, handler, limit);
        }

        @Override
        public int retry(UUID eventId, String handler) {
            return inner.retry(eventId, handler);
        }

        @Override
        public int retryAll(String handler) {
            return inner.retryAll(handler);
        }

        @Override
        public boolean skip(DeliveryKey delivery, String reason) {
            return inner.skip(delivery, reason);
        }

        @Override
        public OptionalLong lowestPosition(String handler, DeliveryStatus status) {
            return inner.lowestPosition(handler, status);
        }

        @Override
        public long count(UUID correlationId, DeliveryStatus status) {
            return inner.count(correlationId, status);
        }

        @Override
        public List<String> handlersWithWork() {
            return inner.handlersWithWork();
        }
    }
}
