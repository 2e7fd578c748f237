package jangle.memory;

import jangle.spi.StoreContext;
import jangle.spi.StoreProvider;
import jangle.spi.Stores;

/**
 * Opens a fresh set of in-memory stores for one application: events with their dispatch ledger, snapshots and sagas.
 * The default of {@code JangleBuilder.stores(...)}. Every {@link #open} returns new, empty stores, so two applications
 * never share state (CR3).
 */
public final class InMemoryStores implements StoreProvider {
    public InMemoryStores() {
    }

    public static StoreProvider provider() {
        return new InMemoryStores();
    }

    @Override
    public Stores open(StoreContext context) {
        return Stores.of(new InMemoryEventStore(context.nodeId()), new InMemorySnapshotStore(), new InMemorySagaStore());
    }
}
