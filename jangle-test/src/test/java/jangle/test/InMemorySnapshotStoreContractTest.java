package jangle.test;

import jangle.TypeRegistry;
import jangle.memory.InMemorySnapshotStore;
import jangle.spi.SnapshotStore;

/** The snapshot store contract (S3, S7, S8) on the in-memory store. */
class InMemorySnapshotStoreContractTest extends SnapshotStoreContract {
    @Override
    protected SnapshotStore createStore(TypeRegistry types) {
        return new InMemorySnapshotStore();
    }
}
