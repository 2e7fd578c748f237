package jangle.jdbc;

import jangle.TypeRegistry;
import jangle.spi.SagaStore;
import jangle.spi.StoreContext;
import jangle.test.EmbeddedPg;
import jangle.test.SagaStoreContract;


import java.time.Clock;

/** The saga store contract (SG4, SG7, SG8) on a fresh schema of the embedded PostgreSQL server. */
class PostgresSagaStoreContractTest extends SagaStoreContract {
    private JdbcDatabase db;

    @Override
    protected SagaStore createStore(TypeRegistry types) {
        db = JdbcDatabase.open(EmbeddedPg.newSchemaUrl(), EmbeddedPg.USER, EmbeddedPg.PASSWORD);
        return db.stores().open(new StoreContext(types, Clock.systemUTC(), 7)).sagas();
    }

    @Override
    protected void closeStore(SagaStore store) {
        db.close();
    }
}
