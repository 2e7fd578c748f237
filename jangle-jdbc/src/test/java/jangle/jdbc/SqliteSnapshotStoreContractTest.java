package jangle.jdbc;

import jangle.TypeRegistry;
import jangle.spi.SnapshotStore;
import jangle.spi.StoreContext;
import jangle.test.SnapshotStoreContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;

import java.time.Clock;

/** The snapshot store contract (S8) on a SQLite file in a temporary folder. */
class SqliteSnapshotStoreContractTest extends SnapshotStoreContract {
    @TempDir
    Path dir;
    private JdbcDatabase db;

    @Override
    protected SnapshotStore createStore(TypeRegistry types) {
        db = JdbcDatabase.sqlite(dir.resolve(UUID.randomUUID() + ".db"));
        return db.stores().open(new StoreContext(types, Clock.systemUTC(), 7)).snapshots();
    }

    @Override
    protected void closeStore(SnapshotStore store) {
        db.close();
    }
}
