package jangle.test;

import jangle.TypeRegistry;
import jangle.memory.InMemorySagaStore;
import jangle.spi.SagaStore;

/** The saga store contract (SG4, SG7, SG8) on the in-memory store. */
class InMemorySagaStoreContractTest extends SagaStoreContract {
    @Override
    protected SagaStore createStore(TypeRegistry types) {
        return new InMemorySagaStore();
    }
}
