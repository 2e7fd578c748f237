package jangle.jdbc;

import jangle.TypeRegistry;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.spi.StoreContext;
import jangle.test.EmbeddedPg;
import jangle.test.EventStoreContract;


import java.time.Clock;
import java.util.List;

/** The event store contract (§7, §7.1, §8.2) on a fresh schema of the embedded PostgreSQL server, with the G4 hold hook. */
class PostgresEventStoreContractTest extends EventStoreContract {
    private JdbcDatabase db;
    private HoldHook hook;

    @Override
    protected EventStore createStore(TypeRegistry types) {
        db = JdbcDatabase.open(EmbeddedPg.newSchemaUrl(), EmbeddedPg.USER, EmbeddedPg.PASSWORD);
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
