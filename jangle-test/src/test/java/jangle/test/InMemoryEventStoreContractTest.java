package jangle.test;

import jangle.TypeRegistry;
import jangle.memory.InMemoryEventStore;
import jangle.spi.EventStore;

/** The event store contract (§7, §7.1, §8.2) on the in-memory store, which serialises commits (no G4 hook). */
class InMemoryEventStoreContractTest extends EventStoreContract {
    @Override
    protected EventStore createStore(TypeRegistry types) {
        return new InMemoryEventStore();
    }
}
