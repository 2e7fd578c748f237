package jangle.banking;

import jangle.EventRecord;
import jangle.StoreException;
import jangle.memory.InMemoryStores;
import jangle.spi.AppendResult;
import jangle.spi.DeliveryKey;
import jangle.spi.DispatchLedger;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import jangle.spi.SagaStore;
import jangle.spi.StoreContext;
import jangle.spi.StoreProvider;
import jangle.spi.Stores;
import jangle.test.ForwardingDispatchLedger;
import jangle.test.ForwardingEventStore;
import jangle.test.ForwardingSagaStore;

import java.util.Collection;
import java.util.List;
import java.util.Map;
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

    private final class Sagas extends ForwardingSagaStore {
        Sagas(SagaStore inner) {
            super(inner);
        }

        @Override
        public void commit(SagaState state, long expectedVersion, List<SagaEventEntry> newEvents) {
            Class<?> held = holdSagaEventsOf;
            if (held != null && newEvents.stream().anyMatch(e -> held.isInstance(e.event()))) {
                throw new StoreException("test", "saga commit", "injected fault: " + held.getSimpleName() + " held");
            }
            super.commit(state, expectedVersion, newEvents);
        }
    }

    private final class Events extends ForwardingEventStore {
        private final DispatchLedger ledger;

        Events(EventStore inner) {
            super(inner);
            this.ledger = new Ledger(inner.ledger());
        }

        @Override
        public AppendResult append(List<NewEvent> list, DeliveryKey completing) {
            Predicate<List<NewEvent>> fault = appendFault.get();
            if (fault != null && fault.test(list) && appendFault.compareAndSet(fault, null)) {
                throw new StoreException("test", "append", "injected fault");
            }
            return super.append(list, completing);
        }

        @Override
        public Stream<EventRecord<?>> read(String aggregateId, long afterVersion) {
            AtomicLong n = eventsRead.computeIfAbsent(aggregateId, k -> new AtomicLong());
            return super.read(aggregateId, afterVersion).peek(r -> n.incrementAndGet());
        }

        @Override
        public DispatchLedger ledger() {
            return ledger;
        }
    }

    private final class Ledger extends ForwardingDispatchLedger {
        Ledger(DispatchLedger inner) {
            super(inner);
        }

        @Override
        public void markDone(Collection<DeliveryKey> deliveries) {
            if (!deliveries.isEmpty() && failNextMarkDone.compareAndSet(true, false)) {
                throw new StoreException("test", "markDone", "injected crash before completion");
            }
            super.markDone(deliveries);
        }
    }
}
