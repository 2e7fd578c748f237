package jangle.jdbc;

import jangle.Event;
import jangle.EventType;
import jangle.Metadata;
import jangle.TypeRegistry;
import jangle.spi.NewEvent;
import jangle.spi.StoreContext;
import jangle.spi.Stores;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A small event family and helpers for the store tests of this module. */
final class TestEvents {
    private TestEvents() {
    }

    sealed interface TestEvent extends Event permits Deposited, Withdrawn, Noted {
    }

    @EventType(name = "test.Deposited")
    record Deposited(String accountId, BigDecimal amount, Instant at) implements TestEvent {
    }

    @EventType(name = "test.Withdrawn", schemaVersion = 2)
    record Withdrawn(String accountId, BigDecimal amount) implements TestEvent {
    }

    @EventType(name = "test.Noted")
    record Noted(String text, long n) implements TestEvent {
    }

    record State(String owner, BigDecimal balance, Map<String, BigDecimal> holds) {
    }

    static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456Z");

    static TypeRegistry registry() {
        return TypeRegistry.of(List.of(TestEvent.class), List.of());
    }

    static Stores open(JdbcDatabase db, int batchSize) {
        return db.stores().open(new StoreContext(registry(), Clock.systemUTC(), batchSize));
    }

    static NewEvent noted(String aggregateId, long version) {
        return event(aggregateId, version, new Noted("n" + version, version), UUID.randomUUID());
    }

    static NewEvent event(String aggregateId, long version, TestEvent payload, UUID correlation) {
        TypeRegistry.EventTypeInfo info = registry().byType(payload.getClass());
        return new NewEvent(UUID.randomUUID(), aggregateId, version, info.name(), info.schemaVersion(),
                T0.plusSeconds(version), new Metadata(correlation, null, Map.of()), payload);
    }
}
