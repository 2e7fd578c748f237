package jangle.jdbc;

import jangle.DuplicateEventIdException;
import jangle.EventRecord;
import jangle.Metadata;
import jangle.SerializationException;
import jangle.StoreException;
import jangle.VersionConflictException;
import jangle.jdbc.TestEvents.Deposited;
import jangle.jdbc.TestEvents.Withdrawn;
import jangle.spi.AppendResult;
import jangle.spi.Delivery;
import jangle.spi.DeliveryKey;
import jangle.spi.DeliveryStatus;
import jangle.spi.DispatchLedger;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;

import static jangle.jdbc.TestEvents.T0;
import static jangle.jdbc.TestEvents.event;
import static jangle.jdbc.TestEvents.noted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Direct tests of the SQL event store and ledger, run on both dialects by the subclasses. */
abstract class EventStoreCases {
    protected JdbcDatabase db;
    protected EventStore store;
    protected DispatchLedger ledger;

    protected abstract JdbcDatabase newDatabase() throws Exception;

    @BeforeEach
    void open() throws Exception {
        db = newDatabase();
        store = TestEvents.open(db, 3).events();
        ledger = store.ledger();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private long deliveryRows() {
        return db.read(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM jangle_deliveries")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    @Tag("ST2")
    @DisplayName("ST2: records read back (by stream, feed and id) equal the appended ones field by field")
    void exactRoundTrip() {
        UUID correlation = UUID.randomUUID();
        UUID causation = UUID.randomUUID();
        NewEvent a = new NewEvent(UUID.randomUUID(), "acc-1", 1, "test.Deposited", 1,
                Instant.parse("2026-03-01T10:15:30.123456Z"),
                new Metadata(correlation, causation, Map.of("userId", "u-1", "note", "é \"q\"")),
                new Deposited("acc-1", new BigDecimal("100.00"), Instant.parse("2026-03-01T10:15:30.000001Z")),
                List.of("views", "mediator"));
        NewEvent b = new NewEvent(UUID.randomUUID(), "acc-2", 1, "test.Withdrawn", 2,
                Instant.parse("1999-12-31T23:59:59.999999Z"), Metadata.of(correlation),
                new Withdrawn("acc-2", new BigDecimal("-0.5")), List.of());
        AppendResult result = store.append(List.of(a, b));

        assertThat(result.records()).extracting(EventRecord::position).containsExactly(1L, 2L);
        assertThat(result.lastPosition()).isEqualTo(2);
        EventRecord<?> ra = result.records().get(0);
        EventRecord<?> rb = result.records().get(1);
        assertThat(ra.metadata().entries()).containsEntry("note", "é \"q\"");
        try (Stream<EventRecord<?>> s = store.read("acc-1", 0)) {
            assertThat(s.toList()).containsExactly(ra);
        }
        assertThat(store.readFeed(0, 10)).containsExactly(ra, rb);
        assertThat(store.readEvent(b.eventId())).contains(rb);
        assertThat(((Withdrawn) store.readEvent(b.eventId()).orElseThrow().event()).amount().scale()).isEqualTo(1);
        assertThat(store.readEvent(UUID.randomUUID())).isEmpty();
        assertThat(store.lastVersion("acc-1")).isEqualTo(1);
        assertThat(store.lastVersion("nobody")).isZero();
        assertThat(store.lastPosition()).isEqualTo(2);
    }

    @Test
    @Tag("ST4")
    @DisplayName("ST4: the first version must be last + 1 and versions consecutive, else VersionConflictException")
    void gaplessVersions() {
        assertThatThrownBy(() -> store.append(List.of(noted("a", 2))))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> {
                    assertThat(e.aggregateId()).isEqualTo("a");
                    assertThat(e.version()).isEqualTo(2);
                });
        store.append(List.of(noted("a", 1)));
        assertThatThrownBy(() -> store.append(List.of(noted("a", 1))))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> assertThat(e.version()).isEqualTo(1));
        assertThatThrownBy(() -> store.append(List.of(noted("a", 2), noted("a", 4))))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> assertThat(e.version()).isEqualTo(4));
        store.append(List.of(noted("a", 2), noted("a", 3)));
        assertThat(store.lastVersion("a")).isEqualTo(3);
    }

    @Test
    @Tag("ST3")
    @DisplayName("ST3: a failed multi-aggregate append leaves no event, no delivery, no consumed position")
    void failedAppendLeavesNoTrace() {
        store.append(List.of(noted("b", 1)));
        DeliveryKey completing = new DeliveryKey(store.append(List.of(noted("c", 1, "h"))).records().get(0).eventId(),
                "h");
        assertThatThrownBy(() -> store.append(List.of(noted("a", 1, "h1", "h2"), noted("b", 1, "h1")), completing))
                .isInstanceOf(VersionConflictException.class);
        assertThat(store.lastVersion("a")).isZero();
        assertThat(store.lastPosition()).isEqualTo(2);
        assertThat(deliveryRows()).isEqualTo(1); // only the completing one, still pending (D15 not applied)
        assertThat(store.append(List.of(noted("a", 1))).records().get(0).position()).isEqualTo(3);
    }

    @Test
    @DisplayName("§7: a repeated event id raises DuplicateEventIdException and writes nothing")
    void duplicateEventId() {
        NewEvent first = noted("a", 1);
        store.append(List.of(first));
        NewEvent again = new NewEvent(first.eventId(), "b", 1, first.type(), first.schemaVersion(),
                first.createdAt(), first.metadata(), first.event(), List.of("h"));
        assertThatThrownBy(() -> store.append(List.of(noted("c", 1), again)))
                .isInstanceOfSatisfying(DuplicateEventIdException.class,
                        e -> assertThat(e.eventId()).isEqualTo(first.eventId()));
        assertThat(store.lastVersion("b")).isZero();
        assertThat(store.lastVersion("c")).isZero();
        assertThat(deliveryRows()).isZero();
        NewEvent twice = noted("d", 1);
        NewEvent twin = new NewEvent(twice.eventId(), "d", 2, twice.type(), 1, T0, twice.metadata(), twice.event(),
                List.of());
        assertThatThrownBy(() -> store.append(List.of(twice, twin))).isInstanceOf(DuplicateEventIdException.class);
    }

    @Test
    @DisplayName("§7/bug #22: stream reads are ordered, batched by keyset, and see appends made between batches")
    void batchedStreamRead() {
        for (int v = 1; v <= 10; v++) store.append(List.of(noted("a", v)));
        store.append(List.of(noted("other", 1)));
        try (Stream<EventRecord<?>> s = store.read("a", 4)) {
            assertThat(s.map(EventRecord::version).toList()).containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
        }
        List<Long> seen = new ArrayList<>();
        try (Stream<EventRecord<?>> s = store.read("a", 0)) {
            Iterator<EventRecord<?>> it = s.iterator();
            for (int i = 0; i < 3; i++) seen.add(it.next().version()); // one batch of 3
            store.append(List.of(noted("a", 11))); // a write while the stream is open must not block or be missed
            it.forEachRemaining(r -> seen.add(r.version()));
        }
        assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
        try (Stream<EventRecord<?>> s = store.read("a", 11)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    @Tag("G1")
    @Tag("ST1")
    @DisplayName("ST1/G1: the feed is ordered by position and honours after and limit")
    void feedPaging() {
        for (int v = 1; v <= 7; v++) store.append(List.of(noted("a" + (v % 2), (v + 1) / 2)));
        List<Long> positions = new ArrayList<>();
        long after = 0;
        while (true) {
            List<EventRecord<?>> page = store.readFeed(after, 3);
            if (page.isEmpty()) break;
            page.forEach(r -> positions.add(r.position()));
            after = page.get(page.size() - 1).position();
        }
        assertThat(positions).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(store.readFeed(0, 0)).isEmpty();
    }

    @Test
    @Tag("D1")
    @Tag("D9")
    @DisplayName("D1/D9/bug #19: deliveries are pending from commit; due uses now - maxAge with the right sign")
    void dueDeliveries() {
        UUID corr = UUID.randomUUID();
        store.append(List.of(event("a", 1, new TestEvents.Noted("x", 1), corr, "h2", "h1"))); // committed T0+1s
        store.append(List.of(event("a", 2, new TestEvents.Noted("y", 2), corr))); // no handler: no delivery
        store.append(List.of(event("b", 1, new TestEvents.Noted("z", 1), corr, "h1"))); // T0+1s, position 3
        Duration maxAge = Duration.ofSeconds(30);
        assertThat(ledger.due(T0.plusSeconds(10), maxAge, 10)).isEmpty(); // too young
        assertThat(ledger.due(T0.plusSeconds(31), maxAge, 10)).hasSize(3); // exactly at the boundary: due
        List<Delivery> due = ledger.due(T0.plusSeconds(3600), maxAge, 10);
        assertThat(due).extracting(Delivery::position).containsExactly(1L, 1L, 3L);
        assertThat(due).extracting(Delivery::handler).containsExactly("h1", "h2", "h1");
        Delivery d = due.get(0);
        assertThat(d.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(d.attempts()).isZero();
        assertThat(d.eventType()).isEqualTo("test.Noted");
        assertThat(d.aggregateId()).isEqualTo("a");
        assertThat(d.version()).isEqualTo(1);
        assertThat(d.committedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(d.correlationId()).isEqualTo(corr);
        assertThat(d.firstFailureAt()).isNull();
        assertThat(ledger.due(T0.plusSeconds(3600), maxAge, 2)).hasSize(2);
        assertThat(ledger.count(corr, DeliveryStatus.PENDING)).isEqualTo(3);
        assertThat(ledger.handlersWithWork()).containsExactly("h1", "h2");
        assertThat(ledger.lowestPosition("h1", DeliveryStatus.PENDING)).isEqualTo(OptionalLong.of(1));
        assertThat(ledger.lowestPosition("h2", DeliveryStatus.DEAD)).isEmpty();
    }

    @Test
    @Tag("D3")
    @Tag("D11")
    @Tag("D12")
    @DisplayName("D3/D11/D12: failures count attempts, park at deadLetterAttempts; retry, skip and markDone")
    void failuresRetryAndSkip() {
        UUID corr = UUID.randomUUID();
        EventRecord<?> r = store.append(List.of(event("a", 1, new TestEvents.Noted("x", 1), corr, "h1", "h2")))
                .records().get(0);
        DeliveryKey k1 = new DeliveryKey(r.eventId(), "h1");
        DeliveryKey k2 = new DeliveryKey(r.eventId(), "h2");
        Instant f1 = T0.plusSeconds(100);
        Instant f3 = T0.plusSeconds(300);
        assertThat(ledger.recordFailure(k1, "IllegalStateException: one", f1, 3)).isEqualTo(DeliveryStatus.PENDING);
        assertThat(ledger.due(f1.plusSeconds(10), Duration.ofSeconds(30), 10)).extracting(Delivery::handler)
                .containsExactly("h2"); // h1's age now counts from its failure
        assertThat(ledger.recordFailure(k1, "IllegalStateException: two", f1.plusSeconds(100), 3))
                .isEqualTo(DeliveryStatus.PENDING);
        assertThat(ledger.recordFailure(k1, "IllegalStateException: three", f3, 3)).isEqualTo(DeliveryStatus.DEAD);
        Delivery dead = ledger.list(DeliveryStatus.DEAD, null, 10).get(0);
        assertThat(dead.key()).isEqualTo(k1);
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.firstFailureAt()).isEqualTo(f1);
        assertThat(dead.lastAttemptAt()).isEqualTo(f3);
        assertThat(dead.lastError()).isEqualTo("IllegalStateException: three");
        assertThat(ledger.due(f3.plusSeconds(3600), Duration.ofSeconds(30), 10)).extracting(Delivery::handler)
                .containsExactly("h2");
        assertThat(ledger.list(DeliveryStatus.PENDING, "h1", 10)).isEmpty();
        assertThat(ledger.list(DeliveryStatus.DONE, null, 10)).isEmpty();
        assertThat(ledger.count(corr, DeliveryStatus.DEAD)).isEqualTo(1);
        assertThat(ledger.lowestPosition("h1", DeliveryStatus.DEAD)).isEqualTo(OptionalLong.of(r.position()));

        assertThat(ledger.retry(r.eventId(), "h2")).isZero(); // not dead
        assertThat(ledger.retry(r.eventId(), null)).isEqualTo(1);
        Delivery retried = ledger.list(DeliveryStatus.PENDING, "h1", 10).get(0);
        assertThat(retried.attempts()).isZero();
        assertThat(ledger.due(T0, Duration.ofSeconds(30), 10)).extracting(Delivery::handler).contains("h1");

        ledger.recordFailure(k1, "again", f3, 1);
        assertThat(ledger.retryAll("h2")).isZero();
        assertThat(ledger.retryAll("h1")).isEqualTo(1);
        ledger.recordFailure(k1, "again", f3, 1);
        assertThat(ledger.retryAll(null)).isEqualTo(1);

        assertThat(ledger.skip(k1, "operator said so")).isTrue();
        assertThat(ledger.skip(k1, "twice")).isFalse();
        assertThat(ledger.recordFailure(k1, "late", f3, 3)).isEqualTo(DeliveryStatus.DONE);
        ledger.markDone(List.of(k2, k2, new DeliveryKey(UUID.randomUUID(), "nobody")));
        assertThat(ledger.handlersWithWork()).isEmpty();
        assertThat(ledger.count(corr, DeliveryStatus.PENDING)).isZero();
        assertThat(ledger.lowestPosition("h2", DeliveryStatus.PENDING)).isEmpty();
    }

    @Test
    @Tag("D15")
    @DisplayName("D15: append marks the completing delivery done in the same transaction")
    void appendCompletesDelivery() {
        EventRecord<?> r = store.append(List.of(noted("a", 1, "mediator", "views"))).records().get(0);
        DeliveryKey mediator = new DeliveryKey(r.eventId(), "mediator");
        store.append(List.of(noted("b", 1)), mediator);
        assertThat(ledger.list(DeliveryStatus.PENDING, null, 10)).extracting(Delivery::handler)
                .containsExactly("views");
        store.append(List.of(noted("b", 2)), mediator); // already done: not an error
        store.append(List.of(noted("b", 3)), new DeliveryKey(UUID.randomUUID(), "unknown"));
        assertThat(store.lastVersion("b")).isEqualTo(3);
    }

    @Test
    @Tag("D14")
    @Tag("J7")
    @DisplayName("J7/D14: an unreadable payload or unknown type raises SerializationException naming id and type")
    void unreadablePayload() {
        UUID corrupt = UUID.randomUUID();
        UUID unknown = UUID.randomUUID();
        store.append(List.of(noted("a", 1)));
        String json = db.dialect() == SqlDialect.POSTGRESQL ? "CAST(? AS json)" : "?";
        db.inTransaction(c -> {
            long position = 2;
            for (Object[] row : List.of(new Object[]{corrupt, "test.Noted", "{\"text\":\"x\",\"wrong\":true}"},
                    new Object[]{unknown, "test.Vanished", "{}"})) {
                new SqlStatement("INSERT INTO jangle_events (position, event_id, aggregate_id, version, type, "
                        + "schema_version, created_at, correlation_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                        + json + ")", List.of(position, row[0], "broken", position, row[1], 1, T0,
                        UUID.randomUUID(), row[2])).execute(c);
                position++;
            }
            return null;
        });
        assertThatThrownBy(() -> store.readEvent(corrupt))
                .isInstanceOfSatisfying(SerializationException.class, e -> {
                    assertThat(e.eventId()).isEqualTo(corrupt);
                    assertThat(e.typeName()).isEqualTo("test.Noted");
                });
        assertThatThrownBy(() -> store.readEvent(unknown))
                .isInstanceOf(SerializationException.class).hasMessageContaining(unknown.toString())
                .hasMessageContaining("test.Vanished");
        assertThat(store.readEvent(store.readFeed(0, 1).get(0).eventId())).isPresent(); // others still read
    }

    @Test
    @DisplayName("§18/bug #25: a database fault is a StoreException naming store and operation")
    void faultsAreStoreExceptions() {
        db.close();
        assertThatThrownBy(() -> store.append(List.of(noted("a", 1))))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.store()).isEqualTo("event store");
                    assertThat(e.operation()).isEqualTo("append");
                });
        assertThatThrownBy(() -> store.lastVersion("a")).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> ledger.due(T0, Duration.ZERO, 1))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.store()).isEqualTo("dispatch ledger"));
    }
}
