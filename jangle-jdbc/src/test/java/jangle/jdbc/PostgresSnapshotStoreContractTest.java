package jangle.jdbc;

import jangle.TypeRegistry;
import jangle.spi.SnapshotStore;
import jangle.spi.StoreContext;
import jangle.test.EmbeddedPg;
import jangle.test.SnapshotStoreContract;


import java.time.Clock;

/** The snapshot store contract (S8) on a fresh schema of the embedded PostgreSQL server. */
class PostgresSnapshotStoreContractTest extends SnapshotStoreContract {
    private JdbcDatabase db;

    @Override
    protected SnapshotStore createStore(TypeRegistry types) {
        db = JdbcDatabase.open(EmbeddedPg.newSchemaUrl(), EmbeddedPg.USER, EmbeddedPg.PASSWORD);
        return db.stores().open(new StoreContext(types, Clock.systemUTC(), 7)).snapshots();
    }

    @Override
    protected void closeStore(SnapshotStore store) {
        db.close();
    }
}
