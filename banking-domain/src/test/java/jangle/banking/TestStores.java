package jangle.banking;

import jangle.EventRecord;
import jangle.StoreException;
import jangle.memory.InMemoryStores;
import jangle.spi.AppendResult;
import jangle.spi.Checkpoint;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.EventStore;
import jangle.spi.FeedFilter;
import jangle.spi.NewEvent;
import jangle.spi.Park;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import jangle.spi.SagaStore;
import jangle.spi.StoreContext;
import jangle.spi.StoreProvider;
import jangle.spi.Stores;
import jangle.test.ForwardingCheckpoints;
import jangle.test.ForwardingEventStore;
import jangle.test.ForwardingSagaStore;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The in-memory stores with instruments: events read per stream (B4), a one-shot append fault (a store failure while
 * a command commits, W2), a saga commit held for one event type, and a one-shot failure of a processor's next
 * checkpoint write (a crash after a handler's effect and before its progress is stored: the next pass handles the
 * event again from the stored checkpoint, D17, W4).
 */
final class TestStores implements StoreProvider {
    final Map<String, AtomicLong> eventsRead = new ConcurrentHashMap<>();
    private final AtomicReference<Predicate<List<NewEvent>>> appendFault = new AtomicReference<>();
    private final AtomicReference<CheckpointFault> checkpointFault = new AtomicReference<>();

    /** Which checkpoint write fails: the one moving {@code processor}'s segment of {@code event} past the event. */
    private record CheckpointFault(String processor, EventRecord<?> event) {
    }

    /**
     * While not null, a saga commit recording a routed event of this type fails: the saga router fails for that event
     * and, after its in-line attempts, the event is parked for it (D3).
     */
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

    /**
     * The next checkpoint write that moves {@code processor} past {@code event} (in the event's segment) fails with a
     * {@link StoreException} and writes nothing, not the other advances of that write either: the handler's effects
     * are committed and its progress is not, as after a crash, so the next pass handles the event again from the
     * stored checkpoint. A checkpoint moved by a {@code sendAndComplete} inside its command's append (D15) is not
     * such a write and is not affected. The writes of the processor's other segments are not affected either (they
     * come first in a pass, in segment order).
     */
    void failNextCheckpointPast(String processor, EventRecord<?> event) {
        checkpointFault.set(new CheckpointFault(processor, event));
    }

    boolean checkpointFaultPending() {
        return checkpointFault.get() != null;
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
        private final Checkpoints checkpoints;

        Events(EventStore inner) {
            super(inner);
            this.checkpoints = new FaultyCheckpoints(inner.checkpoints());
        }

        @Override
        public AppendResult append(List<NewEvent> list, Completion completing) {
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
        public Checkpoints checkpoints() {
            return checkpoints;
        }
    }

    private final class FaultyCheckpoints extends ForwardingCheckpoints {
        FaultyCheckpoints(Checkpoints inner) {
            super(inner);
        }

        @Override
        public void commit(List<Completion.Advance> advances, List<Park> parks, Work work) {
            CheckpointFault fault = checkpointFault.get();
            if (fault != null && advances.stream().anyMatch(a -> hits(fault, a))
                    && checkpointFault.compareAndSet(fault, null)) {
                throw new StoreException("test", "checkpoint commit", "injected crash before " + fault.processor()
                        + " stored its progress past position " + fault.event().position());
            }
            super.commit(advances, parks, work);
        }

        private boolean hits(CheckpointFault fault, Completion.Advance a) {
            if (!a.processor().equals(fault.processor()) || a.position() < fault.event().position()) return false;
            int segments = delegate.all().stream().filter(c -> c.processor().equals(a.processor()))
                    .mapToInt(Checkpoint::segments).findFirst()
                    .orElseThrow(() -> new AssertionError(a.processor() + " has no stored checkpoint"));
            return a.segment() == FeedFilter.segmentOf(fault.event().aggregateId(), segments);
        }
    }
}
