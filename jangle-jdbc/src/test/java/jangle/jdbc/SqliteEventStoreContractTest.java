package jangle.jdbc;

import jangle.TypeRegistry;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.spi.StoreContext;
import jangle.test.EventStoreContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;

import java.time.Clock;
import java.util.List;

/** The event store contract (§7, §7.1, §8.2) on a SQLite file in a temporary folder, with the G4 hold hook. */
class SqliteEventStoreContractTest extends EventStoreContract {
    @TempDir
    Path dir;
    private JdbcDatabase db;
    private HoldHook hook;

    @Override
    protected EventStore createStore(TypeRegistry types) {
        db = JdbcDatabase.sqlite(dir.resolve(UUID.randomUUID() + ".db"));
        hook = new HoldHook();
        return db.stores(hook).open(new StoreContext(types, Clock.systemUTC(), 7)).events();
    }

    @Override
    protected HeldAppend holdAppend(EventStore store, List<NewEvent> events) {
        return hook.hold(store, events);
    }

    @Override
    protected void closeStore(EventStore store) {
        hook.close();
        db.close();
    }
}
