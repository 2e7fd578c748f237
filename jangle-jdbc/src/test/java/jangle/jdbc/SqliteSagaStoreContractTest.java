package jangle.jdbc;

import jangle.TypeRegistry;
import jangle.spi.SagaStore;
import jangle.spi.StoreContext;
import jangle.test.SagaStoreContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;

import java.time.Clock;

/** The saga store contract (SG4, SG7, SG8) on a SQLite file in a temporary folder. */
class SqliteSagaStoreContractTest extends SagaStoreContract {
    @TempDir
    Path dir;
    private JdbcDatabase db;

    @Override
    protected SagaStore createStore(TypeRegistry types) {
        db = JdbcDatabase.sqlite(dir.resolve(UUID.randomUUID() + ".db"));
        return db.stores().open(new StoreContext(types, Clock.systemUTC(), 7)).sagas();
    }

    @Override
    protected void closeStore(SagaStore store) {
        db.close();
    }
}
