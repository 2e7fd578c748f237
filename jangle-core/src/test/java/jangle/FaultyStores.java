package jangle;

import jangle.memory.InMemoryStores;
import jangle.spi.AppendResult;
import jangle.spi.Completion;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.spi.Snapshot;
import jangle.spi.SnapshotStore;
import jangle.spi.StoreContext;
import jangle.spi.StoreProvider;
import jangle.spi.Stores;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-memory stores with switchable faults, for tests of how the command handler treats store failures
 * (H3, H4, S6). Each switch counts down: a positive value fails that many calls, then the store behaves again.
 */
final class FaultyStores implements StoreProvider {
    final AtomicInteger failAppendsWithConflict = new AtomicInteger();
    final AtomicInteger failSnapshotReads = new AtomicInteger();
    final AtomicInteger failSnapshotWrites = new AtomicInteger();

    @Override
    public Stores open(StoreContext context) {
        Stores inner = new InMemoryStores().open(context);
        return new Stores(new Events(inner.events()), new Snapshots(inner.snapshots()), inner.sagas(),
                inner.onClose());
    }

    private static boolean take(AtomicInteger counter) {
        return counter.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0;
    }

    private final class Events extends ForwardingEvents {
        Events(EventStore inner) {
            super(inner);
        }

        @Override
        public AppendResult append(List<NewEvent> events, Completion completing) {
            if (take(failAppendsWithConflict)) {
                throw new VersionConflictException(events.get(0).aggregateId(), events.get(0).version());
            }
            return inner.append(events, completing);
        }
    }

    private final class Snapshots implements SnapshotStore {
        private final SnapshotStore inner;

        Snapshots(SnapshotStore inner) {
            this.inner = inner;
        }

        @Override
        public Optional<Snapshot> get(String aggregateId, Class<? extends Record> stateType, String fingerprint) {
            if (take(failSnapshotReads)) throw new StoreException("snapshots", "get", "disk on fire");
            return inner.get(aggregateId, stateType, fingerprint);
        }

        @Override
        public void put(Snapshot snapshot) {
            if (take(failSnapshotWrites)) throw new StoreException("snapshots", "put", "disk full");
            inner.put(snapshot);
        }

        @Override
        public void delete(String aggregateId) {
            inner.delete(aggregateId);
        }
    }
}
