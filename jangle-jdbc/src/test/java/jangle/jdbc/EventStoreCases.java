package jangle.jdbc;

import jangle.DuplicateEventIdException;
import jangle.EventRecord;
import jangle.Metadata;
import jangle.SerializationException;
import jangle.StoreException;
import jangle.VersionConflictException;
import jangle.jdbc.TestEvents.Deposited;
import jangle.jdbc.TestEvents.Withdrawn;
import jangle.LeaseLostException;
import jangle.spi.AppendResult;
import jangle.spi.Checkpoint;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.FeedFilter;
import jangle.spi.FeedPage;
import jangle.spi.Park;
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
import java.util.Set;
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
                new Deposited("acc-1", new BigDecimal("100.00"), Instant.parse("2026-03-01T10:15:30.000001Z")));
        NewEvent b = new NewEvent(UUID.randomUUID(), "acc-2", 1, "test.Withdrawn", 2,
                Instant.parse("1999-12-31T23:59:59.999999Z"), Metadata.of(correlation),
                new Withdrawn("acc-2", new BigDecimal("-0.5")));
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
    @DisplayName("ST3: a failed multi-aggregate append leaves no event, no consumed position, its completion unapplied")
    void failedAppendLeavesNoTrace() {
        store.append(List.of(noted("b", 1)));
        EventRecord<?> c1 = store.append(List.of(noted("c", 1))).records().get(0);
        DeliveryKey completing = new DeliveryKey(c1.eventId(), "h");
        park(c1, "h", 1, false);
        assertThatThrownBy(() -> store.append(List.of(noted("a", 1), noted("b", 1)),
                new Completion.Resolve(completing))).isInstanceOf(VersionConflictException.class);
        assertThat(store.lastVersion("a")).isZero();
        assertThat(store.lastPosition()).isEqualTo(2);
        assertThat(deliveryRows()).isEqualTo(1); // the parked row is still there (D15 not applied)
        assertThat(store.append(List.of(noted("a", 1))).records().get(0).position()).isEqualTo(3);
    }

    @Test
    @DisplayName("§7: a repeated event id raises DuplicateEventIdException and writes nothing")
    void duplicateEventId() {
        NewEvent first = noted("a", 1);
        store.append(List.of(first));
        NewEvent again = new NewEvent(first.eventId(), "b", 1, first.type(), first.schemaVersion(),
                first.createdAt(), first.metadata(), first.event());
        assertThatThrownBy(() -> store.append(List.of(noted("c", 1), again)))
                .isInstanceOfSatisfying(DuplicateEventIdException.class,
                        e -> assertThat(e.eventId()).isEqualTo(first.eventId()));
        assertThat(store.lastVersion("b")).isZero();
        assertThat(store.lastVersion("c")).isZero();
        assertThat(deliveryRows()).isZero();
        NewEvent twice = noted("d", 1);
        NewEvent twin = new NewEvent(twice.eventId(), "d", 2, twice.type(), 1, T0, twice.metadata(), twice.event());
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
    @DisplayName("D1/D9/bug #19: appends write no delivery; a parked delivery is due from its failure, with the "
            + "right sign of now - maxAge")
    void dueDeliveries() {
        UUID corr = UUID.randomUUID();
        EventRecord<?> a1 = store.append(List.of(event("a", 1, new TestEvents.Noted("x", 1), corr))).records().get(0);
        store.append(List.of(event("a", 2, new TestEvents.Noted("y", 2), corr)));
        EventRecord<?> b1 = store.append(List.of(event("b", 1, new TestEvents.Noted("z", 1), corr))).records().get(0);
        assertThat(deliveryRows()).as("D1: the append writes events only").isZero();
        Instant failed = T0.plusSeconds(1);
        park(a1, "h2", 1, false, failed);
        park(a1, "h1", 1, false, failed);
        park(b1, "h1", 1, false, failed);
        Duration maxAge = Duration.ofSeconds(30);
        assertThat(ledger.due(T0.plusSeconds(10), maxAge, 10)).isEmpty(); // too young
        assertThat(ledger.due(T0.plusSeconds(31), maxAge, 10)).hasSize(3); // exactly at the boundary: due
        List<Delivery> due = ledger.due(T0.plusSeconds(3600), maxAge, 10);
        assertThat(due).extracting(Delivery::position).containsExactly(1L, 1L, 3L);
        assertThat(due).extracting(Delivery::handler).containsExactly("h1", "h2", "h1");
        Delivery d = due.get(0);
        assertThat(d.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(d.attempts()).isEqualTo(1);
        assertThat(d.eventType()).isEqualTo("test.Noted");
        assertThat(d.aggregateId()).isEqualTo("a");
        assertThat(d.version()).isEqualTo(1);
        assertThat(d.committedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(d.correlationId()).isEqualTo(corr);
        assertThat(d.firstFailureAt()).isEqualTo(failed);
        assertThat(d.lastError()).isEqualTo("boom");
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
        EventRecord<?> r = store.append(List.of(event("a", 1, new TestEvents.Noted("x", 1), corr))).records().get(0);
        DeliveryKey k1 = new DeliveryKey(r.eventId(), "h1");
        DeliveryKey k2 = new DeliveryKey(r.eventId(), "h2");
        park(r, "h1", 1, false, T0);
        park(r, "h2", 1, false, T0);
        resetAttempts(k1); // as the old ledger's fresh row: no failure yet
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
    @DisplayName("D15: a Resolve completion deletes the parked delivery in the append's transaction")
    void appendResolvesParkedDelivery() {
        EventRecord<?> r = store.append(List.of(noted("a", 1))).records().get(0);
        park(r, "mediator", 2, false);
        park(r, "views", 1, true);
        DeliveryKey mediator = new DeliveryKey(r.eventId(), "mediator");
        store.append(List.of(noted("b", 1)), new Completion.Resolve(mediator));
        assertThat(ledger.list(DeliveryStatus.PENDING, null, 10)).isEmpty();
        assertThat(ledger.list(DeliveryStatus.DEAD, null, 10)).extracting(Delivery::handler).containsExactly("views");
        store.append(List.of(noted("b", 2)), new Completion.Resolve(mediator)); // already gone: not an error
        store.append(List.of(noted("b", 3), noted("c", 1)), // the multi-event path
                new Completion.Resolve(new DeliveryKey(r.eventId(), "views")));
        assertThat(deliveryRows()).isZero();
        store.append(List.of(noted("b", 4)), new Completion.Resolve(new DeliveryKey(UUID.randomUUID(), "unknown")));
        assertThat(store.lastVersion("b")).isEqualTo(4);
    }

    @Test
    @Tag("D15")
    @Tag("D21")
    @DisplayName("D15/D21: an Advance moves the checkpoint with the append, never back; after another owner claimed "
            + "the segment it is LeaseLostException and the append writes nothing")
    void fencedAdvance() {
        Checkpoints cps = store.checkpoints();
        cps.register("p", 2, Checkpoints.Start.BEGINNING);
        Instant now = Instant.now();
        assertThat(cps.claim("p", "n1", now, Duration.ofSeconds(10), 2)).hasSize(2);
        store.append(List.of(noted("a", 1)), new Completion.Advance("p", 1, 1, "n1"));
        store.append(List.of(noted("a", 2), noted("b", 1)), new Completion.Advance("p", 1, 3, "n1"));
        store.append(List.of(noted("a", 3)), new Completion.Advance("p", 1, 2, "n1")); // lower: kept at 3
        assertThat(position(cps, "p", 1)).isEqualTo(3);
        assertThat(position(cps, "p", 0)).isZero();

        // n1's lease runs out and n2 takes segment 1
        Instant later = now.plusSeconds(60);
        assertThat(cps.claim("p", "n2", later, Duration.ofSeconds(10), 2)).extracting(Checkpoint::segment)
                .containsExactly(0, 1);
        for (List<NewEvent> events : List.of(List.of(noted("a", 4)), List.of(noted("a", 4), noted("c", 1)))) {
            assertThatThrownBy(() -> store.append(events, new Completion.Advance("p", 1, 9, "n1")))
                    .isInstanceOfSatisfying(LeaseLostException.class, e -> {
                        assertThat(e.processor()).isEqualTo("p");
                        assertThat(e.segment()).isEqualTo(1);
                        assertThat(e.owner()).isEqualTo("n1");
                    });
        }
        assertThat(store.lastVersion("a")).isEqualTo(3);
        assertThat(store.lastVersion("c")).isZero();
        assertThat(store.lastPosition()).isEqualTo(4);
        assertThat(position(cps, "p", 1)).isEqualTo(3);
        assertThatThrownBy(() -> store.append(List.of(noted("z", 1)), new Completion.Advance("nobody", 0, 1, "n2")))
                .isInstanceOf(LeaseLostException.class);
        assertThat(store.append(List.of(noted("a", 4)), new Completion.Advance("p", 1, 5, "n2")).lastPosition())
                .as("gapless after the refusals").isEqualTo(5);
        assertThat(position(cps, "p", 1)).isEqualTo(5);
    }

    @Test
    @Tag("D17")
    @Tag("D14")
    @DisplayName("D17/D14: readFeed(after, limit, filter) looks at limit positions, decodes only accepted rows (an "
            + "unreadable payload of another segment does not fail it; an accepted one is listed as unreadable) and "
            + "says where it stopped")
    void filteredFeed() {
        // two aggregates in different segments of 2
        String mine = "acc-0";
        String other = null;
        int seg = FeedFilter.segmentOf(mine, 2);
        for (int i = 1; other == null; i++) if (FeedFilter.segmentOf("acc-" + i, 2) != seg) other = "acc-" + i;
        store.append(List.of(noted(mine, 1)));
        store.append(List.of(noted(other, 1)));
        String json = db.dialect() == SqlDialect.POSTGRESQL ? "CAST(? AS json)" : "?";
        String otherId = other;
        db.inTransaction(c -> new SqlStatement("INSERT INTO jangle_events (position, event_id, aggregate_id, version, "
                + "type, schema_version, created_at, correlation_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, " + json
                + ")", List.of(3L, UUID.randomUUID(), otherId, 2L, "test.Noted", 1, T0, UUID.randomUUID(),
                "{\"text\":\"x\",\"wrong\":true}")).execute(c));
        store.append(List.of(noted(mine, 2))); // position 4
        store.append(List.of(TestEvents.event(mine, 3, new Withdrawn(mine, BigDecimal.ONE), UUID.randomUUID())));

        FeedFilter filter = new FeedFilter(seg, 2, Set.of());
        FeedPage page = store.readFeed(0, 10, filter);
        assertThat(page.records()).extracting(EventRecord::position).containsExactly(1L, 4L, 5L);
        assertThat(page.scannedTo()).isEqualTo(5);
        FeedPage first = store.readFeed(0, 3, filter);
        assertThat(first.records()).extracting(EventRecord::position).containsExactly(1L);
        assertThat(first.scannedTo()).as("looked at 3 positions").isEqualTo(3);
        FeedPage typed = store.readFeed(0, 10, new FeedFilter(seg, 2, Set.of("test.Withdrawn")));
        assertThat(typed.records()).extracting(EventRecord::position).containsExactly(5L);
        assertThat(store.readFeed(5, 10, filter)).isEqualTo(new FeedPage(List.of(), 5));
        assertThat(store.readFeed(2, 0, filter)).isEqualTo(new FeedPage(List.of(), 2));
        assertThat(page.unreadable()).isEmpty();
        FeedPage others = store.readFeed(0, 10, new FeedFilter(1 - seg, 2, Set.of()));
        assertThat(others.records()).as("the read goes on past the bad row (D14)").extracting(EventRecord::position)
                .containsExactly(2L);
        assertThat(others.unreadable()).singleElement().satisfies(u -> {
            assertThat(u.position()).isEqualTo(3);
            assertThat(u.aggregateId()).isEqualTo(otherId);
            assertThat(u.type()).isEqualTo("test.Noted");
            assertThat(u.error()).contains("test.Noted");
        });
        assertThat(others.scannedTo()).isEqualTo(5);
    }

    @Test
    @Tag("D21")
    @DisplayName("D21: heartbeat renews a node and lists the live nodes sorted; an expired or released node drops out")
    void heartbeats() {
        Checkpoints cps = store.checkpoints();
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        Duration lease = Duration.ofSeconds(10);
        assertThat(cps.heartbeat("node-b", now, lease)).containsExactly("node-b");
        assertThat(cps.heartbeat("Node-a", now.plusSeconds(1), lease)).containsExactly("Node-a", "node-b");
        assertThat(cps.heartbeat("node-c", now.plusSeconds(10), lease)).as("node-b ran out at +10 s")
                .containsExactly("Node-a", "node-c");
        cps.releaseAll("Node-a");
        assertThat(cps.heartbeat("node-c", now.plusSeconds(11), lease)).containsExactly("node-c");
    }

    @Test
    @Tag("CA3")
    @DisplayName("CA3: correlated(id, limit) returns the committed events of that correlation id by position")
    void correlatedEvents() {
        UUID corr = UUID.randomUUID();
        store.append(List.of(event("a", 1, new TestEvents.Noted("x", 1), corr)));
        store.append(List.of(noted("b", 1)));
        store.append(List.of(event("a", 2, new TestEvents.Noted("y", 2), corr),
                event("c", 1, new TestEvents.Noted("z", 1), corr)));
        assertThat(store.correlated(corr, 10)).extracting(EventRecord::position).containsExactly(1L, 3L, 4L);
        assertThat(store.correlated(corr, 2)).extracting(EventRecord::position).containsExactly(1L, 3L);
        assertThat(store.correlated(UUID.randomUUID(), 10)).isEmpty();
        assertThat(store.correlated(corr, 0)).isEmpty();
    }

    @Test
    @Tag("D17")
    @Tag("D19")
    @DisplayName("D17/D19: register stores free rows at 0 or the head once, keeps the stored segment count, and "
            + "all() lists them")
    void registerCheckpoints() {
        Checkpoints cps = store.checkpoints();
        store.append(List.of(noted("a", 1), noted("a", 2)));
        List<Checkpoint> begin = cps.register("begin", 3, Checkpoints.Start.BEGINNING);
        assertThat(begin).extracting(Checkpoint::segment).containsExactly(0, 1, 2);
        assertThat(begin).allSatisfy(c -> {
            assertThat(c.position()).isZero();
            assertThat(c.segments()).isEqualTo(3);
            assertThat(c.owner()).isEmpty();
        });
        assertThat(cps.register("head", 2, Checkpoints.Start.HEAD)).extracting(Checkpoint::position)
                .containsExactly(2L, 2L);
        store.append(List.of(noted("a", 3)));
        assertThat(cps.register("head", 4, Checkpoints.Start.BEGINNING)).as("stored already: kept as it was")
                .extracting(Checkpoint::position).containsExactly(2L, 2L);
        assertThat(cps.all()).extracting(c -> c.processor() + "/" + c.segment())
                .containsExactly("begin/0", "begin/1", "begin/2", "head/0", "head/1");
    }

    @Test
    @Tag("D21")
    @DisplayName("D21: claim renews its own, takes free or expired up to the target, gives back the highest above it; "
            + "releaseAll frees an owner's segments")
    void claimAndRelease() {
        Checkpoints cps = store.checkpoints();
        cps.register("p", 4, Checkpoints.Start.BEGINNING);
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        Duration lease = Duration.ofSeconds(10);
        assertThat(cps.claim("p", "n1", now, lease, 3)).extracting(Checkpoint::segment).containsExactly(0, 1, 2);
        List<Checkpoint> n2 = cps.claim("p", "n2", now, lease, 2);
        assertThat(n2).extracting(Checkpoint::segment).containsExactly(3);
        assertThat(n2.get(0).owner()).contains("n2");
        assertThat(n2.get(0).leaseUntil()).isEqualTo(now.plus(lease));
        assertThat(cps.claim("p", "n1", now.plusSeconds(5), lease, 2)).extracting(Checkpoint::segment)
                .containsExactly(0, 1);
        assertThat(cps.claim("p", "n2", now.plusSeconds(5), lease, 2)).extracting(Checkpoint::segment)
                .containsExactly(2, 3);
        // n2 stops renewing: after its lease n1 takes its segments
        assertThat(cps.claim("p", "n1", now.plusSeconds(16), lease, 4)).extracting(Checkpoint::segment)
                .containsExactly(0, 1, 2, 3);
        assertThat(cps.claim("p", "n2", now.plusSeconds(16), lease, 2)).isEmpty();
        cps.releaseAll("n1");
        assertThat(cps.all()).allSatisfy(c -> assertThat(c.owner()).isEmpty());
        assertThat(cps.claim("p", "n2", now.plusSeconds(16), lease, 2)).extracting(Checkpoint::segment)
                .containsExactly(0, 1);
        assertThat(cps.claim("unknown", "n2", now, lease, 2)).isEmpty();
    }

    @Test
    @Tag("D18")
    @Tag("D3")
    @DisplayName("D18/D3: commit runs the work on the store's transaction, then parks, then fenced advances; work that "
            + "throws, or a lost lease, writes nothing")
    void commitIsOneTransaction() {
        db.inTransaction(c -> new SqlStatement("CREATE TABLE view_rows (id TEXT PRIMARY KEY)", List.of()).execute(c));
        Checkpoints cps = store.checkpoints();
        cps.register("view", 1, Checkpoints.Start.BEGINNING);
        cps.claim("view", "n1", Instant.now(), Duration.ofSeconds(30), 1);
        EventRecord<?> r = store.append(List.of(noted("a", 1))).records().get(0);
        Park parked = new Park(new DeliveryKey(r.eventId(), "view"), r.position(), r.metadata().correlationId(), 3,
                T0, "failed thrice", true, "n1");

        assertThatThrownBy(() -> cps.commit(List.of(new Completion.Advance("view", 0, 1, "n1")), List.of(parked),
                tx -> {
                    insertView(tx, "one");
                    throw new IllegalStateException("the projection fails");
                })).isInstanceOf(IllegalStateException.class).hasMessage("the projection fails");
        assertThat(viewRows()).isZero();
        assertThat(deliveryRows()).isZero();
        assertThat(position(cps, "view", 0)).isZero();

        assertThatThrownBy(() -> cps.commit(List.of(new Completion.Advance("view", 0, 1, "n9")), List.of(parked),
                tx -> insertView(tx, "two"))).isInstanceOf(LeaseLostException.class);
        assertThat(viewRows()).isZero();
        assertThat(deliveryRows()).isZero();

        cps.commit(List.of(new Completion.Advance("view", 0, 1, "n1")), List.of(parked), tx -> {
            insertView(tx, "three");
            SqlBatch batch = new SqlBatch(); // as a projection in another module writes (see JdbcCheckpoints)
            batch.add(new SqlStatement("INSERT INTO view_rows (id) VALUES (?)", List.of("four")));
            batch.execute(tx.unwrap(java.sql.Connection.class).orElseThrow());
            assertThat(tx.unwrap(SqlDialect.class)).contains(db.dialect());
            assertThat(tx.unwrap(JdbcDatabase.class)).as("the database the transaction belongs to").containsSame(db);
            assertThat(tx.unwrap(String.class)).isEmpty();
        });
        assertThat(viewRows()).isEqualTo(2);
        assertThat(position(cps, "view", 0)).isEqualTo(1);
        Delivery dead = ledger.list(DeliveryStatus.DEAD, "view", 10).get(0);
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.lastError()).isEqualTo("failed thrice");
        assertThat(dead.firstFailureAt()).isEqualTo(T0);
        // a second park of the same delivery replaces the row
        cps.commit(List.of(), List.of(new Park(parked.key(), r.position(), r.metadata().correlationId(), 1,
                T0.plusSeconds(5), "again", false, "n1")), Checkpoints.Work.NONE);
        assertThat(ledger.list(DeliveryStatus.PENDING, "view", 10)).singleElement()
                .satisfies(d -> assertThat(d.lastError()).isEqualTo("again"));
        assertThat(deliveryRows()).isEqualTo(1);
    }

    @Test
    @Tag("D17")
    @DisplayName("D17: reset sets every segment's position, frees it (the old holder is refused) and drops the "
            + "processor's parked deliveries above the position")
    void resetProcessor() {
        Checkpoints cps = store.checkpoints();
        cps.register("p", 2, Checkpoints.Start.BEGINNING);
        cps.claim("p", "n1", Instant.now(), Duration.ofSeconds(30), 2);
        List<EventRecord<?>> rs = store.append(List.of(noted("a", 1), noted("a", 2), noted("a", 3))).records();
        park(rs.get(0), "p", 1, false);
        park(rs.get(2), "p", 1, true);
        park(rs.get(2), "other", 1, false);
        assertThat(cps.reset("p", 1)).isEqualTo(2);
        assertThat(cps.all()).allSatisfy(c -> {
            assertThat(c.position()).isEqualTo(1);
            assertThat(c.owner()).isEmpty();
        });
        assertThat(ledger.list(DeliveryStatus.PENDING, null, 10)).extracting(d -> d.handler() + "@" + d.position())
                .containsExactlyInAnyOrder("p@1", "other@3");
        assertThat(ledger.list(DeliveryStatus.DEAD, null, 10)).isEmpty();
        assertThatThrownBy(() -> cps.commit(List.of(new Completion.Advance("p", 0, 3, "n1")), List.of(),
                Checkpoints.Work.NONE)).isInstanceOf(LeaseLostException.class);
        assertThat(cps.reset("nobody", 0)).isZero();
    }

    // ---- helpers ----

    private void park(EventRecord<?> r, String handler, int attempts, boolean dead) {
        park(r, handler, attempts, dead, T0);
    }

    private void park(EventRecord<?> r, String handler, int attempts, boolean dead, Instant failedAt) {
        store.checkpoints().commit(List.of(), List.of(new Park(new DeliveryKey(r.eventId(), handler), r.position(),
                r.metadata().correlationId(), attempts, failedAt, "boom", dead, "node")), Checkpoints.Work.NONE);
    }

    private void resetAttempts(DeliveryKey k) {
        db.inTransaction(c -> new SqlStatement("UPDATE jangle_deliveries SET attempts = 0, first_failure_at = NULL, "
                + "last_attempt_at = NULL, last_error = NULL WHERE event_id = ? AND handler = ?",
                List.of(k.eventId(), k.handler())).execute(c));
    }

    private static long position(Checkpoints cps, String processor, int segment) {
        return cps.all().stream().filter(c -> c.processor().equals(processor) && c.segment() == segment)
                .findFirst().orElseThrow().position();
    }

    private static void insertView(jangle.spi.StoreTransaction tx, String id) throws java.sql.SQLException {
        new SqlStatement("INSERT INTO view_rows (id) VALUES (?)", List.of(id))
                .execute(tx.unwrap(java.sql.Connection.class).orElseThrow());
    }

    private long viewRows() {
        return db.read(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM view_rows")) {
                rs.next();
                return rs.getLong(1);
            }
        });
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
