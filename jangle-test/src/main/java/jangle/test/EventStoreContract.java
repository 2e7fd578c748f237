package jangle.test;

import jangle.DuplicateEventIdException;
import jangle.EventRecord;
import jangle.Metadata;
import jangle.TypeRegistry;
import jangle.VersionConflictException;
import jangle.spi.AppendResult;
import jangle.spi.Delivery;
import jangle.spi.DeliveryKey;
import jangle.spi.DeliveryStatus;
import jangle.spi.DispatchLedger;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.test.ContractEvents.ContractEvent;
import jangle.test.ContractEvents.Deposited;
import jangle.test.ContractEvents.Noted;
import jangle.test.ContractEvents.Opened;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link EventStore} and its {@link DispatchLedger} must pass (§7, §7.1, §8.2, §17 CR5). A store's
 * test is a few lines that construct a fresh, empty store:
 *
 * {@snippet :
 * class SqliteEventStoreContractTest extends EventStoreContract {
 *     @TempDir Path dir;
 *
 *     @Override
 *     protected EventStore createStore(TypeRegistry types) {
 *         return SqliteStores.open(dir.resolve("events.db"), types, 7).events(); // small batch: streams span batches
 *     }
 * }
 * }
 *
 * <p>Why a shared suite: the framework's guarantees (atomic appends, gapless versions, the no-skip feed, bookkeeping in
 * the same transaction) are the store's, so every store must show them the same way, including under concurrent
 * appends and with a late commit (G4). Stores that can hold an append open between taking its positions and committing
 * override {@link #holdAppend}; a store that serialises position assignment and commit leaves it null, and the G4 test
 * then runs concurrent appenders against a polling reader instead.
 *
 * <p>Create the store with a small read batch size (under 100) so that stream and feed reads cross batch boundaries.
 * If the store is {@link AutoCloseable} it is closed after each test ({@link #closeStore}). Tests use no wall-clock
 * time: every instant is given to the store explicitly. Display names cite the rule ids they check.
 */
public abstract class EventStoreContract {
    /** The {@code createdAt} of appended events: microseconds, so ST2 sees them kept. */
    protected static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456Z");
    private static final long WAIT_SECONDS = 60; // deadlock guard only, never a timing assertion

    /**
     * A fresh, empty store that reads and writes the given registry's types (see {@link ContractEvents}).
     */
    protected abstract EventStore createStore(TypeRegistry types) throws Exception;

    /**
     * Optional G4 hook: start appending {@code events} on another thread, pause after positions are taken and before
     * commit, and return a handle. Null (the default) means the store serialises assignment and commit; the G4 test
     * then uses concurrent appenders and a polling reader instead.
     */
    protected HeldAppend holdAppend(EventStore store, List<NewEvent> events) throws Exception {
        return null;
    }

    /** An append paused between taking its positions and committing (G4). */
    public interface HeldAppend {
        /** Blocks until the held append has taken its global positions. */
        void awaitPositionsTaken() throws Exception;

        /** Lets the held append commit and waits until it has. */
        void commit() throws Exception;
    }

    /** Closes the store after each test; the default closes an {@link AutoCloseable} store. */
    protected void closeStore(EventStore store) throws Exception {
        if (store instanceof AutoCloseable closeable) closeable.close();
    }

    protected final TypeRegistry types = ContractEvents.registry();
    protected EventStore store;
    private final UUID correlation = UUID.randomUUID();

    @BeforeEach
    final void openContractStore() throws Exception {
        store = createStore(types);
        assertThat(store).as("createStore must return a store").isNotNull();
    }

    @AfterEach
    final void closeContractStore() throws Exception {
        if (store != null) closeStore(store);
    }

    // ======================= helpers =======================

    /** A new event with the suite's correlation id, {@link #T0} as createdAt, and the given handler names. */
    protected final NewEvent event(String aggregateId, long version, ContractEvent payload, String... handlers) {
        return event(aggregateId, version, payload, Metadata.of(correlation), handlers);
    }

    protected final NewEvent event(String aggregateId, long version, ContractEvent payload, Metadata metadata,
                                   String... handlers) {
        TypeRegistry.EventTypeInfo info = types.byType(payload.getClass());
        return new NewEvent(UUID.randomUUID(), aggregateId, version, info.name(), info.schemaVersion(), T0, metadata,
                payload, List.of(handlers));
    }

    protected final NewEvent note(String aggregateId, long version, String... handlers) {
        return event(aggregateId, version, new Noted(aggregateId + "#" + version, version), handlers);
    }

    protected final List<EventRecord<?>> readAll(String aggregateId, long afterVersion) {
        try (Stream<EventRecord<?>> s = store.read(aggregateId, afterVersion)) {
            return s.toList();
        }
    }

    /** The whole feed, read in small pages. */
    protected final List<EventRecord<?>> feed() {
        List<EventRecord<?>> out = new ArrayList<>();
        long after = 0;
        while (true) {
            List<EventRecord<?>> page = store.readFeed(after, 7);
            if (page.isEmpty()) return out;
            out.addAll(page);
            after = page.get(page.size() - 1).position();
        }
    }

    private DispatchLedger ledger() {
        return store.ledger();
    }

    private List<Delivery> pending() {
        return ledger().list(DeliveryStatus.PENDING, null, 10_000);
    }

    private List<Delivery> dead() {
        return ledger().list(DeliveryStatus.DEAD, null, 10_000);
    }

    private static List<UUID> ids(List<? extends EventRecord<?>> records) {
        return records.stream().map(EventRecord::eventId).toList();
    }

    private static List<UUID> newIds(List<NewEvent> events) {
        return events.stream().map(NewEvent::eventId).toList();
    }

    private static void assertSameAsAppended(EventRecord<?> read, NewEvent appended, long position) {
        assertThat(read.eventId()).as("eventId").isEqualTo(appended.eventId());
        assertThat(read.aggregateId()).as("aggregateId").isEqualTo(appended.aggregateId());
        assertThat(read.version()).as("version").isEqualTo(appended.version());
        assertThat(read.type()).as("type").isEqualTo(appended.type());
        assertThat(read.schemaVersion()).as("schemaVersion").isEqualTo(appended.schemaVersion());
        assertThat(read.createdAt()).as("createdAt (to the microsecond)").isEqualTo(appended.createdAt());
        assertThat(read.position()).as("position").isEqualTo(position);
        assertThat(read.metadata()).as("metadata").isEqualTo(appended.metadata());
        assertThat(read.event()).as("payload").isEqualTo(appended.event());
    }

    private static void assertVersionConflict(Throwable thrown, String aggregateId, long version) {
        assertThat(thrown).isInstanceOf(VersionConflictException.class);
        VersionConflictException e = (VersionConflictException) thrown;
        assertThat(e.aggregateId()).as("conflict aggregateId").isEqualTo(aggregateId);
        assertThat(e.version()).as("conflict version").isEqualTo(version);
    }

    private static void assertStrictlyIncreasingPositions(List<EventRecord<?>> records) {
        for (int i = 1; i < records.size(); i++) {
            assertThat(records.get(i).position())
                    .as("position after %s (index %d)", records.get(i - 1).position(), i)
                    .isGreaterThan(records.get(i - 1).position());
        }
    }

    // ======================= append and read =======================

    @Test
    @DisplayName("§7: an empty store has lastVersion 0, lastPosition 0, an empty feed, no stream and no ledger work")
    void emptyStore() {
        assertThat(store.lastVersion("nobody")).isZero();
        assertThat(store.lastPosition()).isZero();
        assertThat(store.readFeed(0, 10)).isEmpty();
        assertThat(readAll("nobody", 0)).isEmpty();
        assertThat(store.readEvent(UUID.randomUUID())).isEmpty();
        assertThat(pending()).isEmpty();
        assertThat(ledger().handlersWithWork()).isEmpty();
    }

    @Test
    @DisplayName("§7: appending an empty list commits nothing")
    void emptyAppend() {
        AppendResult r = store.append(List.of());
        assertThat(r.records()).isEmpty();
        assertThat(r.lastPosition()).isZero();
        assertThat(store.lastPosition()).isZero();
    }

    @Test
    @Tag("J3")
    @Tag("J4")
    @Tag("ST2")
    @DisplayName("ST2, J3, J4: a record read back equals the one appended field by field (payload, metadata, "
            + "createdAt micros, exact decimals) through read, readFeed and readEvent")
    void roundTrip() {
        Metadata metadata = new Metadata(UUID.randomUUID(), UUID.randomUUID(),
                Map.of("userId", "ana", "ip.v4", "10.0.0.1", "note_x-1", "Grüße \"quoted\" ✓"));
        NewEvent opened = event("acct-1", 1, ContractEvents.opened("Ana Lima"), metadata, "view");
        NewEvent deposited = event("acct-1", 2, new Deposited(new BigDecimal("10.50"),
                new BigDecimal("12345678901234567890.123456789"), "ref-1"), metadata);
        NewEvent tiny = event("acct-1", 3, new Deposited(new BigDecimal("-0.01"), new BigDecimal("100.00"), ""),
                Metadata.of(UUID.randomUUID()));
        AppendResult result = store.append(List.of(opened, deposited, tiny));

        List<NewEvent> appended = List.of(opened, deposited, tiny);
        assertThat(result.records()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            EventRecord<?> committed = result.records().get(i);
            assertSameAsAppended(committed, appended.get(i), committed.position());
        }
        List<EventRecord<?>> read = readAll("acct-1", 0);
        List<EventRecord<?>> fed = store.readFeed(0, 10);
        assertThat(read).hasSize(3);
        assertThat(fed).hasSize(3);
        for (int i = 0; i < 3; i++) {
            long position = result.records().get(i).position();
            assertSameAsAppended(read.get(i), appended.get(i), position);
            assertSameAsAppended(fed.get(i), appended.get(i), position);
            assertSameAsAppended(store.readEvent(appended.get(i).eventId()).orElseThrow(), appended.get(i), position);
        }
        Deposited d = (Deposited) read.get(1).event();
        assertThat(d.amount().toPlainString()).as("scale kept (J3)").isEqualTo("10.50");
        assertThat(d.balance().toPlainString()).isEqualTo("12345678901234567890.123456789");
        Deposited t = (Deposited) read.get(2).event();
        assertThat(t.amount().toPlainString()).isEqualTo("-0.01");
        assertThat(t.balance().toPlainString()).isEqualTo("100.00");
        assertThat(read.get(0).createdAt().getNano()).as("microseconds kept").isEqualTo(123_456_000);
        assertThat(((Opened) read.get(0).event()).openedAt()).isEqualTo(Instant.parse("2026-03-01T10:15:30.123456Z"));
        assertThat(read.get(1).schemaVersion()).as("schema version of contract.Deposited").isEqualTo(2);
        assertThat(read.get(2).metadata().causationId()).as("null causation stays null").isNull();
        assertThat(read.get(2).metadata().entries()).isEmpty();
    }

    @Test
    @Tag("G1")
    @DisplayName("§7, G1: append returns the records in the order given with strictly increasing positions; "
            + "lastVersion and lastPosition follow")
    void positionsAndLastValues() {
        AppendResult first = store.append(List.of(note("a", 1), note("a", 2)));
        AppendResult second = store.append(List.of(note("b", 1)));
        AppendResult third = store.append(List.of(note("a", 3), note("b", 2), note("c", 1)));
        List<EventRecord<?>> all = new ArrayList<>(first.records());
        all.addAll(second.records());
        all.addAll(third.records());
        assertThat(all).extracting(EventRecord::aggregateId).containsExactly("a", "a", "b", "a", "b", "c");
        assertThat(all.get(0).position()).isPositive();
        assertStrictlyIncreasingPositions(all);
        assertThat(third.lastPosition()).isEqualTo(all.get(all.size() - 1).position());
        assertThat(store.lastPosition()).isEqualTo(third.lastPosition());
        assertThat(store.lastVersion("a")).isEqualTo(3);
        assertThat(store.lastVersion("b")).isEqualTo(2);
        assertThat(store.lastVersion("c")).isEqualTo(1);
        assertThat(store.lastVersion("d")).isZero();
        assertThat(ids(feed())).containsExactlyElementsOf(ids(all));
    }

    @Test
    @Tag("A6")
    @Tag("C1")
    @DisplayName("§7, A6, C1: one append for several aggregates commits them all, visible together")
    void multiAggregateAppend() {
        List<NewEvent> events = List.of(note("creation", 1), note("acct-7", 1), note("acct-7", 2), note("log", 1));
        AppendResult r = store.append(events);
        assertThat(ids(r.records())).containsExactlyElementsOf(newIds(events));
        assertThat(ids(readAll("creation", 0))).containsExactly(events.get(0).eventId());
        assertThat(ids(readAll("acct-7", 0))).containsExactly(events.get(1).eventId(), events.get(2).eventId());
        assertThat(ids(readAll("log", 0))).containsExactly(events.get(3).eventId());
        assertThat(ids(feed())).containsExactlyElementsOf(newIds(events));
    }

    @Test
    @Tag("ST3")
    @DisplayName("ST3: an append that conflicts on one aggregate writes nothing for any aggregate: no event, no "
            + "delivery, no consumed version, no used event id")
    void failedAppendLeavesNoTrace() {
        store.append(List.of(note("a", 1, "h")));
        long position = store.lastPosition();
        NewEvent b1 = note("b", 1, "h", "h2");
        NewEvent a1again = note("a", 1, "h");
        Throwable thrown = catchThrowable(() -> store.append(List.of(b1, a1again)));
        assertVersionConflict(thrown, "a", 1);

        assertThat(store.lastVersion("b")).as("no consumed version").isZero();
        assertThat(readAll("b", 0)).isEmpty();
        assertThat(store.readEvent(b1.eventId())).isEmpty();
        assertThat(store.lastPosition()).isEqualTo(position);
        assertThat(feed()).hasSize(1);
        assertThat(pending()).as("no bookkeeping row").hasSize(1).allMatch(d -> d.aggregateId().equals("a"));
        assertThat(ledger().handlersWithWork()).containsExactly("h");

        // the same event, and its id, can still be appended at version 1
        AppendResult retried = store.append(List.of(b1));
        assertThat(retried.records().get(0).version()).isEqualTo(1);
        assertThat(store.lastVersion("b")).isEqualTo(1);
        assertThat(pending()).hasSize(3);
    }

    @Test
    @Tag("H1")
    @DisplayName("H1: a second event with the same (aggregate id, version) is VersionConflictException with the facts")
    void uniqueAggregateVersion() {
        store.append(List.of(note("acct", 1), note("acct", 2)));
        NewEvent duplicate = note("acct", 2);
        assertVersionConflict(catchThrowable(() -> store.append(List.of(duplicate))), "acct", 2);
        assertVersionConflict(catchThrowable(() -> store.append(List.of(note("acct", 1)))), "acct", 1);
        assertThat(readAll("acct", 0)).hasSize(2);
        assertThat(store.readEvent(duplicate.eventId())).isEmpty();
    }

    @Test
    @DisplayName("§7: an event id appended twice is DuplicateEventIdException naming it, across appends and within one")
    void uniqueEventId() {
        NewEvent first = note("a", 1);
        store.append(List.of(first));
        NewEvent sameId = new NewEvent(first.eventId(), "b", 1, first.type(), first.schemaVersion(), T0,
                first.metadata(), first.event(), List.of("h"));
        Throwable thrown = catchThrowable(() -> store.append(List.of(sameId)));
        assertThat(thrown).isInstanceOf(DuplicateEventIdException.class);
        assertThat(((DuplicateEventIdException) thrown).eventId()).isEqualTo(first.eventId());
        assertThat(store.lastVersion("b")).isZero();
        assertThat(pending()).isEmpty();

        NewEvent c1 = note("c", 1);
        NewEvent d1 = new NewEvent(c1.eventId(), "d", 1, c1.type(), c1.schemaVersion(), T0, c1.metadata(),
                c1.event(), List.of());
        Throwable within = catchThrowable(() -> store.append(List.of(c1, d1)));
        assertThat(within).isInstanceOf(DuplicateEventIdException.class);
        assertThat(((DuplicateEventIdException) within).eventId()).isEqualTo(c1.eventId());
        assertThat(store.lastVersion("c")).isZero();
        assertThat(store.lastVersion("d")).isZero();
        assertThat(feed()).hasSize(1);
    }

    @Test
    @Tag("ST4")
    @DisplayName("ST4: a new stream must start at 1, an append must continue at lastVersion + 1, and versions "
            + "within one append must be consecutive; otherwise nothing is written")
    void gaplessVersions() {
        assertVersionConflict(catchThrowable(() -> store.append(List.of(note("a", 2)))), "a", 2);
        assertThat(store.lastVersion("a")).isZero();

        store.append(List.of(note("a", 1)));
        assertVersionConflict(catchThrowable(() -> store.append(List.of(note("a", 3)))), "a", 3);

        assertVersionConflict(catchThrowable(() -> store.append(List.of(note("a", 2), note("a", 4)))), "a", 4);
        assertVersionConflict(catchThrowable(() -> store.append(List.of(note("a", 2), note("a", 2)))), "a", 2);
        assertVersionConflict(catchThrowable(() -> store.append(List.of(note("b", 1), note("b", 3)))), "b", 3);
        assertThat(store.lastVersion("a")).isEqualTo(1);
        assertThat(store.lastVersion("b")).isZero();
        assertThat(feed()).hasSize(1);

        store.append(List.of(note("a", 2), note("a", 3), note("b", 1)));
        assertThat(readAll("a", 0)).extracting(EventRecord::version).containsExactly(1L, 2L, 3L);
    }

    @Test
    @Tag("ST1")
    @DisplayName("ST1: reads are ordered by the store: a stream by version, the feed by position, whatever the "
            + "interleaving of appends")
    void readOrdering() {
        List<NewEvent> order = new ArrayList<>();
        long a = 0, b = 0;
        for (int round = 0; round < 12; round++) {
            List<NewEvent> batch = new ArrayList<>();
            if (round % 3 != 2) batch.add(note("a", ++a));
            batch.add(note("b", ++b));
            if (round % 2 == 0) batch.add(note("a", ++a));
            store.append(batch);
            order.addAll(batch);
        }
        List<EventRecord<?>> streamA = readAll("a", 0);
        assertThat(streamA).extracting(EventRecord::version)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, a).boxed().toList());
        assertThat(ids(streamA)).containsExactlyElementsOf(
                order.stream().filter(e -> e.aggregateId().equals("a")).map(NewEvent::eventId).toList());
        List<EventRecord<?>> all = feed();
        assertThat(ids(all)).containsExactlyElementsOf(newIds(order));
        assertStrictlyIncreasingPositions(all);
    }

    @Test
    @DisplayName("§7: read(aggregateId, afterVersion) returns exactly the versions after the given one")
    void readAfterVersion() {
        List<NewEvent> events = new ArrayList<>();
        for (int v = 1; v <= 10; v++) events.add(note("a", v));
        store.append(events);
        store.append(List.of(note("b", 1)));
        assertThat(readAll("a", 0)).extracting(EventRecord::version).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L,
                9L, 10L);
        assertThat(readAll("a", 7)).extracting(EventRecord::version).containsExactly(8L, 9L, 10L);
        assertThat(ids(readAll("a", 7))).containsExactlyElementsOf(newIds(events.subList(7, 10)));
        assertThat(readAll("a", 10)).isEmpty();
        assertThat(readAll("a", 99)).isEmpty();
        assertThat(readAll("missing", 0)).isEmpty();
    }

    @Test
    @Tag("ST1")
    @DisplayName("§7, ST1: a stream of 5,000 events is streamed in order across many batches")
    void longStream() {
        int total = 5_000;
        for (int from = 1; from <= total; from += 250) {
            List<NewEvent> chunk = new ArrayList<>(250);
            for (int v = from; v < from + 250; v++) chunk.add(note("long", v));
            store.append(chunk);
        }
        long expected = 1;
        try (Stream<EventRecord<?>> s = store.read("long", 0)) {
            Iterator<EventRecord<?>> it = s.iterator();
            while (it.hasNext()) {
                EventRecord<?> r = it.next();
                assertThat(r.version()).isEqualTo(expected);
                assertThat(((Noted) r.event()).n()).isEqualTo(expected);
                expected++;
            }
        }
        assertThat(expected - 1).as("events streamed").isEqualTo(total);
        assertThat(readAll("long", 4_990)).extracting(EventRecord::version)
                .containsExactly(4_991L, 4_992L, 4_993L, 4_994L, 4_995L, 4_996L, 4_997L, 4_998L, 4_999L, 5_000L);
        assertThat(store.lastVersion("long")).isEqualTo(total);
    }

    @Test
    @DisplayName("§7, §19 bug 22: appending from another thread while a read stream is open neither blocks nor "
            + "breaks the stream")
    void appendWhileStreamOpen() throws Exception {
        int total = 300;
        for (int from = 1; from <= total; from += 100) {
            List<NewEvent> chunk = new ArrayList<>();
            for (int v = from; v < from + 100; v++) chunk.add(note("open", v));
            store.append(chunk);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Stream<EventRecord<?>> s = store.read("open", 0)) {
            Iterator<EventRecord<?>> it = s.iterator();
            List<Long> versions = new ArrayList<>();
            for (int i = 0; i < 10; i++) versions.add(it.next().version());
            Future<AppendResult> other = executor.submit(() -> store.append(List.of(note("other", 1))));
            assertThat(other.get(WAIT_SECONDS, TimeUnit.SECONDS).records()).hasSize(1);
            while (it.hasNext()) versions.add(it.next().version());
            assertThat(versions).hasSize(total);
            for (int i = 0; i < total; i++) assertThat(versions.get(i)).isEqualTo(i + 1L);
        } finally {
            executor.shutdownNow();
        }
        assertThat(store.lastVersion("other")).isEqualTo(1);
    }

    @Test
    @Tag("G1")
    @DisplayName("§7, G1: readFeed returns up to limit events after a position, ascending; pages join without "
            + "gaps or repeats")
    void readFeedPages() {
        List<NewEvent> all = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            List<NewEvent> batch = List.of(note("x", 2L * i - 1), note("x", 2L * i), note("y" + i, 1));
            store.append(batch);
            all.addAll(batch);
        }
        List<EventRecord<?>> first = store.readFeed(0, 4);
        assertThat(ids(first)).containsExactlyElementsOf(newIds(all.subList(0, 4)));
        List<EventRecord<?>> second = store.readFeed(first.get(3).position(), 4);
        assertThat(ids(second)).containsExactlyElementsOf(newIds(all.subList(4, 8)));
        List<EventRecord<?>> rest = store.readFeed(second.get(3).position(), 100);
        assertThat(ids(rest)).containsExactlyElementsOf(newIds(all.subList(8, 15)));
        assertThat(store.readFeed(store.lastPosition(), 10)).isEmpty();
        assertThat(store.readFeed(0, 1)).hasSize(1);
        List<EventRecord<?>> whole = store.readFeed(0, 1_000);
        assertThat(whole).hasSize(15);
        assertStrictlyIncreasingPositions(whole);
        long middle = whole.get(6).position();
        assertThat(ids(store.readFeed(middle, 3))).containsExactlyElementsOf(ids(whole.subList(7, 10)));
        for (int size = 1; size <= 4; size++) { // every page boundary
            List<EventRecord<?>> paged = new ArrayList<>();
            long after = 0;
            for (List<EventRecord<?>> page = store.readFeed(after, size); !page.isEmpty();
                 page = store.readFeed(after, size)) {
                assertThat(page).hasSizeLessThanOrEqualTo(size);
                paged.addAll(page);
                after = page.get(page.size() - 1).position();
            }
            assertThat(ids(paged)).as("pages of %d", size).containsExactlyElementsOf(newIds(all));
        }
    }

    @Test
    @DisplayName("§7: readEvent finds one event by id anywhere in the store, and nothing for an unknown id")
    void readEvent() {
        List<NewEvent> events = List.of(note("a", 1), note("b", 1), note("a", 2));
        AppendResult r = store.append(events);
        for (int i = 0; i < events.size(); i++) {
            assertSameAsAppended(store.readEvent(events.get(i).eventId()).orElseThrow(), events.get(i),
                    r.records().get(i).position());
        }
        assertThat(store.readEvent(UUID.randomUUID())).isEmpty();
    }

    // ======================= concurrency =======================

    @Test
    @Tag("H1")
    @Tag("ST3")
    @Tag("ST4")
    @DisplayName("H1, ST3, ST4: threads racing to append the same version: exactly one wins each version, losers get "
            + "VersionConflictException and leave nothing (not even their events for other aggregates)")
    void concurrentAppendRace() throws Exception {
        int threads = 6;
        int rounds = 25;
        CyclicBarrier barrier = new CyclicBarrier(threads);
        AtomicInteger[] winners = new AtomicInteger[rounds + 1];
        for (int i = 0; i <= rounds; i++) winners[i] = new AtomicInteger();
        Set<UUID> winningIds = ConcurrentHashMap.newKeySet();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String own = "own-" + t;
                futures.add(executor.submit(() -> {
                    long ownVersion = 0;
                    for (int round = 1; round <= rounds; round++) {
                        barrier.await(WAIT_SECONDS, TimeUnit.SECONDS);
                        NewEvent shared = note("race", round, "h");
                        NewEvent mine = note(own, ownVersion + 1, "h");
                        try {
                            store.append(List.of(shared, mine));
                            winners[round].incrementAndGet();
                            winningIds.add(shared.eventId());
                            winningIds.add(mine.eventId());
                            ownVersion++;
                        } catch (VersionConflictException e) {
                            if (!e.aggregateId().equals("race") || e.version() != round) unexpected.add(e);
                        } catch (RuntimeException e) {
                            unexpected.add(e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } finally {
            executor.shutdownNow();
        }
        assertThat(unexpected).as("only VersionConflictException(race, round) may be thrown").isEmpty();
        for (int round = 1; round <= rounds; round++) {
            assertThat(winners[round].get()).as("winners of version %d", round).isEqualTo(1);
        }
        List<EventRecord<?>> race = readAll("race", 0);
        assertThat(race).extracting(EventRecord::version)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, rounds).boxed().toList());
        int ownEvents = 0;
        for (int t = 0; t < threads; t++) {
            List<EventRecord<?>> own = readAll("own-" + t, 0);
            for (int i = 0; i < own.size(); i++) assertThat(own.get(i).version()).isEqualTo(i + 1L);
            ownEvents += own.size();
        }
        assertThat(ownEvents).as("losers' events for other aggregates were not written").isEqualTo(rounds);
        List<EventRecord<?>> all = feed();
        assertThat(all).hasSize(2 * rounds);
        assertThat(new HashSet<>(ids(all))).isEqualTo(winningIds);
        assertThat(pending()).as("deliveries only for committed events").hasSize(2 * rounds)
                .allMatch(d -> winningIds.contains(d.eventId()));
    }

    @Test
    @Tag("G1")
    @DisplayName("G1: concurrent appenders and a polling reader: the reader receives every event exactly once, in "
            + "strictly increasing position order")
    void concurrentAppendersWithPollingReader() throws Exception {
        concurrentAppendersAndReader(4, 60);
    }

    @Test
    @Tag("G1")
    @Tag("G2")
    @Tag("G4")
    @DisplayName("G4, G1, G2: an append held open after taking its positions is not skipped by a reader that saw "
            + "later commits (fallback without the hook: concurrent appenders and a polling reader)")
    void lateCommitIsNeverSkipped() throws Exception {
        List<NewEvent> held = List.of(note("held", 1, "h"), note("held-too", 1, "h"));
        HeldAppend handle = holdAppend(store, held);
        if (handle == null) {
            concurrentAppendersAndReader(6, 40);
            return;
        }
        handle.awaitPositionsTaken();
        List<NewEvent> later = new ArrayList<>();
        for (int i = 1; i <= 5; i++) later.add(note("later", i, "h"));
        ExecutorService executor = Executors.newSingleThreadExecutor();
        List<EventRecord<?>> seen = new ArrayList<>();
        try {
            Future<?> writer = executor.submit(() -> {
                for (NewEvent e : later) store.append(List.of(e));
                return null;
            });
            try {
                writer.get(2, TimeUnit.SECONDS); // a store using technique (b) commits these now
            } catch (TimeoutException serialising) {
                // technique (a): the later appends wait for the held one; the reader must still see nothing new
            }
            long after = 0;
            for (int poll = 0; poll < 10; poll++) after = poll(seen, after);
            assertThat(seen).as("nothing of the held append is visible before it commits")
                    .noneMatch(r -> r.aggregateId().startsWith("held"));
            handle.commit();
            writer.get(WAIT_SECONDS, TimeUnit.SECONDS);
            poll(seen, after);
        } finally {
            executor.shutdownNow();
        }
        List<UUID> expected = new ArrayList<>(newIds(held));
        expected.addAll(newIds(later));
        assertThat(ids(seen)).as("every event received exactly once").containsExactlyInAnyOrderElementsOf(expected);
        assertStrictlyIncreasingPositions(seen);
        assertThat(pending()).hasSize(expected.size());
    }

    /** Reads everything after {@code after} into {@code seen}; returns the last position seen. */
    private long poll(List<EventRecord<?>> seen, long after) {
        while (true) {
            List<EventRecord<?>> page = store.readFeed(after, 5);
            if (page.isEmpty()) return after;
            seen.addAll(page);
            after = page.get(page.size() - 1).position();
        }
    }

    private void concurrentAppendersAndReader(int writers, int appendsEach) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(writers + 1);
        AtomicBoolean writing = new AtomicBoolean(true);
        Set<UUID> written = ConcurrentHashMap.newKeySet();
        List<EventRecord<?>> seen = Collections.synchronizedList(new ArrayList<>());
        try {
            Future<?> reader = executor.submit(() -> {
                long after = 0;
                while (true) {
                    boolean last = !writing.get(); // read once more after the writers finished
                    after = poll(seen, after);
                    if (last) return null;
                    Thread.sleep(1);
                }
            });
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String aggregate = "writer-" + w;
                futures.add(executor.submit(() -> {
                    for (int v = 1; v <= appendsEach; v++) {
                        NewEvent e = v % 5 == 0
                                ? note(aggregate, v)
                                : note(aggregate, v, "h");
                        store.append(List.of(e));
                        written.add(e.eventId());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            writing.set(false);
            reader.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } finally {
            writing.set(false);
            executor.shutdownNow();
        }
        List<EventRecord<?>> received = List.copyOf(seen);
        assertThat(received).hasSize(writers * appendsEach);
        assertThat(new HashSet<>(ids(received))).isEqualTo(written);
        assertStrictlyIncreasingPositions(received);
    }

    // ======================= dispatch ledger =======================

    @Test
    @Tag("D1")
    @DisplayName("D1: the append writes one pending delivery per subscribed handler with the event's facts, and "
            + "none for an event without handlers")
    void deliveriesWrittenWithAppend() {
        UUID corr = UUID.randomUUID();
        NewEvent withHandlers = event("acct", 1, new Noted("x", 1), Metadata.of(corr), "views", "mediator");
        NewEvent without = note("acct", 2);
        AppendResult r = store.append(List.of(withHandlers, without));
        long position = r.records().get(0).position();

        List<Delivery> pending = pending();
        assertThat(pending).extracting(Delivery::handler).containsExactlyInAnyOrder("views", "mediator");
        for (Delivery d : pending) {
            assertThat(d.eventId()).isEqualTo(withHandlers.eventId());
            assertThat(d.eventType()).isEqualTo("contract.Noted");
            assertThat(d.aggregateId()).isEqualTo("acct");
            assertThat(d.version()).isEqualTo(1);
            assertThat(d.position()).isEqualTo(position);
            assertThat(d.status()).isEqualTo(DeliveryStatus.PENDING);
            assertThat(d.attempts()).isZero();
            assertThat(d.committedAt()).isEqualTo(T0);
            assertThat(d.firstFailureAt()).isNull();
            assertThat(d.lastAttemptAt()).isNull();
            assertThat(d.lastError()).isNull();
            assertThat(d.correlationId()).isEqualTo(corr);
            assertThat(d.key()).isEqualTo(new DeliveryKey(withHandlers.eventId(), d.handler()));
        }
        assertThat(pending).noneMatch(d -> d.eventId().equals(without.eventId()));
        assertThat(dead()).isEmpty();
        assertThat(ledger().handlersWithWork()).containsExactlyInAnyOrder("views", "mediator");
    }

    @Test
    @Tag("D15")
    @Tag("ST3")
    @DisplayName("D15: append(events, completing) marks the delivery done in the same transaction; an unknown or done "
            + "delivery is not an error; a failed append leaves it pending (ST3)")
    void completingDelivery() {
        NewEvent debited = note("a", 1, "mediator", "views");
        store.append(List.of(debited));
        DeliveryKey mediator = new DeliveryKey(debited.eventId(), "mediator");

        Throwable conflict = catchThrowable(() -> store.append(List.of(note("a", 1)), mediator));
        assertVersionConflict(conflict, "a", 1);
        assertThat(pending()).extracting(Delivery::key).contains(mediator);

        NewEvent credited = note("b", 1, "views");
        store.append(List.of(credited), mediator);
        assertThat(pending()).extracting(Delivery::key).containsExactlyInAnyOrder(
                new DeliveryKey(debited.eventId(), "views"), new DeliveryKey(credited.eventId(), "views"));
        assertThat(store.lastVersion("b")).isEqualTo(1);

        store.append(List.of(note("b", 2)), mediator); // already done
        store.append(List.of(note("b", 3)), new DeliveryKey(UUID.randomUUID(), "mediator")); // unknown
        assertThat(store.lastVersion("b")).isEqualTo(3);
        assertThat(pending()).hasSize(2);
    }

    @Test
    @Tag("D9")
    @DisplayName("D9, §19 bug 19: due(now, maxAge) has the right sign: a fresh delivery is not due with maxAge 30s, "
            + "is due with 0, and is due once its age reaches maxAge")
    void dueMaxAgeSign() {
        NewEvent e = note("a", 1, "h");
        store.append(List.of(e));
        Duration maxAge = Duration.ofSeconds(30);
        assertThat(ledger().due(T0, maxAge, 10)).as("fresh: not due with max age 30s").isEmpty();
        assertThat(ledger().due(T0.plusSeconds(29), maxAge, 10)).isEmpty();
        assertThat(ledger().due(T0, Duration.ZERO, 10)).extracting(Delivery::eventId).containsExactly(e.eventId());
        assertThat(ledger().due(T0.plusSeconds(30), maxAge, 10)).as("at now - maxAge: due")
                .extracting(Delivery::eventId).containsExactly(e.eventId());
        assertThat(ledger().due(T0.plus(Duration.ofHours(5)), maxAge, 10)).hasSize(1);
        assertThat(ledger().due(T0.minusSeconds(1), Duration.ZERO, 10)).as("committed after now").isEmpty();
    }

    @Test
    @Tag("D9")
    @DisplayName("D9: due is oldest position first, honours limit, and counts age from the last failed attempt")
    void dueOrderLimitAndLastAttempt() {
        List<NewEvent> events = new ArrayList<>();
        for (int v = 1; v <= 6; v++) events.add(note("a", v, "h"));
        store.append(events.subList(0, 3));
        store.append(events.subList(3, 6));
        Instant later = T0.plus(Duration.ofMinutes(10));
        assertThat(ledger().due(later, Duration.ZERO, 4)).extracting(Delivery::eventId)
                .containsExactlyElementsOf(newIds(events.subList(0, 4)));

        Instant failedAt = T0.plus(Duration.ofMinutes(1));
        ledger().recordFailure(new DeliveryKey(events.get(0).eventId(), "h"), "java.lang.IllegalStateException: x",
                failedAt, 5);
        Duration maxAge = Duration.ofSeconds(30);
        assertThat(ledger().due(failedAt.plusSeconds(29), maxAge, 10)).extracting(Delivery::eventId)
                .as("the failed delivery waits maxAge from its last attempt")
                .doesNotContain(events.get(0).eventId()).contains(events.get(1).eventId());
        assertThat(ledger().due(failedAt.plusSeconds(30), maxAge, 10)).extracting(Delivery::eventId)
                .containsExactlyElementsOf(newIds(events));
    }

    @Test
    @Tag("MN1")
    @DisplayName("Claims: a claim restarts the delivery's age, so another node gets it only when the lease (maxAge) "
            + "has run out; claims honour maxPosition, order and limit")
    void claimLeaseAndTakeover() {
        List<NewEvent> events = new ArrayList<>();
        for (int v = 1; v <= 4; v++) events.add(note("a", v, "h"));
        store.append(events);
        long last = store.lastPosition();
        Duration lease = Duration.ofSeconds(30);
        Instant t1 = T0.plusSeconds(30);
        assertThat(ledger().claim("n1", T0.plusSeconds(29), lease, last, false, 10)).as("live node's lease holds")
                .isEmpty();
        assertThat(ledger().claim("n1", t1, lease, last - 1, false, 2)).extracting(Delivery::eventId)
                .as("oldest first, limit").containsExactlyElementsOf(newIds(events.subList(0, 2)));
        assertThat(ledger().claim("n2", t1, lease, last - 1, false, 10)).extracting(Delivery::eventId)
                .as("n1's claims are skipped; maxPosition stops before the last event")
                .containsExactly(events.get(2).eventId());
        assertThat(ledger().claim("n2", t1.plusSeconds(29), lease, last, false, 10)).extracting(Delivery::eventId)
                .as("within every lease only the never-claimed last event").containsExactly(events.get(3).eventId());
        assertThat(ledger().claim("n2", t1.plusSeconds(30), lease, last, false, 10)).extracting(Delivery::eventId)
                .as("the leases taken at t1 ran out (n1's are taken over); the one of t1 + 29s holds")
                .containsExactlyElementsOf(newIds(events.subList(0, 3)));
        assertThat(pending()).as("claiming changes no status or attempt").hasSize(4)
                .allSatisfy(d -> assertThat(d.attempts()).isZero());
    }

    @Test
    @Tag("MN1")
    @DisplayName("Claims: with includeOwn a node takes back at any age what it holds (appended by it: node 'local') "
            + "and never what another node holds within its lease")
    void claimIncludeOwn() {
        NewEvent other = note("b", 1, "h");
        store.append(List.of(other)); // both held by this store's node, "local", from their commit
        NewEvent mine = note("a", 1, "h");
        store.append(List.of(mine));
        assertThat(ledger().claim("n2", T0.plusSeconds(30), Duration.ofSeconds(30), 1, false, 10))
                .extracting(Delivery::eventId).containsExactly(other.eventId());
        long last = store.lastPosition();
        assertThat(ledger().claim("local", T0.plusSeconds(32), Duration.ofSeconds(30), last, true, 10))
                .extracting(Delivery::eventId).as("own work at any age, n2's not").containsExactly(mine.eventId());
        assertThat(ledger().claim("n3", T0.plusSeconds(32), Duration.ofSeconds(30), last, true, 10))
                .as("n3 holds nothing").isEmpty();
    }

    @Test
    @Tag("MN1")
    @DisplayName("Claims: threads of different nodes claiming at once never get the same delivery")
    void concurrentClaimsAreDisjoint() throws Exception {
        List<NewEvent> events = new ArrayList<>();
        for (int v = 1; v <= 200; v++) events.add(note("c", v, "h"));
        store.append(events);
        long last = store.lastPosition();
        Instant now = T0.plusSeconds(60);
        int threads = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<List<UUID>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String owner = "node-" + t;
                results.add(pool.submit(() -> {
                    go.await();
                    List<UUID> got = new ArrayList<>();
                    for (int round = 0; round < 100; round++) { // bounded: a store that never leases repeats forever
                        List<Delivery> batch = ledger().claim(owner, now, Duration.ofSeconds(30), last, false, 7);
                        if (batch.isEmpty()) break;
                        for (Delivery d : batch) got.add(d.eventId());
                    }
                    return got;
                }));
            }
            go.countDown();
            List<UUID> all = new ArrayList<>();
            for (var f : results) all.addAll(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            assertThat(all).as("every delivery claimed exactly once").hasSize(200).doesNotHaveDuplicates();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("§8.2: markDone is idempotent; unknown deliveries are not an error; done deliveries are never listed")
    void markDoneIdempotent() {
        NewEvent e = note("a", 1, "h1", "h2");
        store.append(List.of(e));
        DeliveryKey h1 = new DeliveryKey(e.eventId(), "h1");
        ledger().markDone(List.of(h1));
        ledger().markDone(List.of(h1, new DeliveryKey(UUID.randomUUID(), "h1"), new DeliveryKey(e.eventId(), "zz")));
        ledger().markDone(List.of());
        assertThat(pending()).extracting(Delivery::handler).containsExactly("h2");
        assertThat(ledger().list(DeliveryStatus.DONE, null, 10)).as("done is never listed").isEmpty();
        assertThat(ledger().recordFailure(h1, "late failure", T0, 5)).as("a done delivery stays done")
                .isEqualTo(DeliveryStatus.DONE);
        assertThat(pending()).extracting(Delivery::handler).containsExactly("h2");
        assertThat(ledger().due(T0, Duration.ZERO, 10)).extracting(Delivery::handler).containsExactly("h2");
    }

    @Test
    @Tag("D3")
    @Tag("D11")
    @DisplayName("D3, D11: recordFailure counts attempts, keeps first and last failure and the error, and parks the "
            + "delivery as DEAD when attempts reach the limit")
    void recordFailureParksAtLimit() {
        NewEvent e = note("a", 1, "h", "other");
        store.append(List.of(e));
        DeliveryKey key = new DeliveryKey(e.eventId(), "h");
        Instant f1 = T0.plusSeconds(1);
        Instant f2 = T0.plusSeconds(40);
        Instant f3 = T0.plusSeconds(90);

        assertThat(ledger().recordFailure(key, "java.lang.RuntimeException: one", f1, 3))
                .isEqualTo(DeliveryStatus.PENDING);
        Delivery after1 = find(pending(), key);
        assertThat(after1.attempts()).isEqualTo(1);
        assertThat(after1.firstFailureAt()).isEqualTo(f1);
        assertThat(after1.lastAttemptAt()).isEqualTo(f1);
        assertThat(after1.lastError()).isEqualTo("java.lang.RuntimeException: one");
        assertThat(after1.committedAt()).isEqualTo(T0);

        assertThat(ledger().recordFailure(key, "java.lang.RuntimeException: two", f2, 3))
                .isEqualTo(DeliveryStatus.PENDING);
        Delivery after2 = find(pending(), key);
        assertThat(after2.attempts()).isEqualTo(2);
        assertThat(after2.firstFailureAt()).isEqualTo(f1);
        assertThat(after2.lastAttemptAt()).isEqualTo(f2);
        assertThat(after2.lastError()).isEqualTo("java.lang.RuntimeException: two");

        assertThat(ledger().recordFailure(key, "java.lang.RuntimeException: three", f3, 3))
                .isEqualTo(DeliveryStatus.DEAD);
        assertThat(pending()).extracting(Delivery::key).doesNotContain(key);
        Delivery parked = find(dead(), key);
        assertThat(parked.status()).isEqualTo(DeliveryStatus.DEAD);
        assertThat(parked.attempts()).isEqualTo(3);
        assertThat(parked.firstFailureAt()).isEqualTo(f1);
        assertThat(parked.lastAttemptAt()).isEqualTo(f3);
        assertThat(parked.lastError()).isEqualTo("java.lang.RuntimeException: three");
        assertThat(ledger().due(f3.plus(Duration.ofDays(1)), Duration.ZERO, 10)).as("dead is never due")
                .extracting(Delivery::key).containsExactly(new DeliveryKey(e.eventId(), "other"));
        assertThat(ledger().handlersWithWork()).as("dead letters are work (D13)").contains("h", "other");

        assertThat(ledger().recordFailure(new DeliveryKey(UUID.randomUUID(), "h"), "x", f3, 3))
                .as("unknown delivery").isEqualTo(DeliveryStatus.DONE);
        NewEvent once = note("b", 1, "h");
        store.append(List.of(once));
        assertThat(ledger().recordFailure(new DeliveryKey(once.eventId(), "h"), "x", f1, 1))
                .as("a limit of 1 parks at the first failure").isEqualTo(DeliveryStatus.DEAD);
    }

    private static Delivery find(List<Delivery> deliveries, DeliveryKey key) {
        return deliveries.stream().filter(d -> d.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no delivery " + key + " in " + deliveries));
    }

    @Test
    @Tag("D12")
    @DisplayName("D12: list(status, handler, limit) shows pending or dead deliveries, oldest position first, per "
            + "handler or all, at most limit")
    void listByStatusAndHandler() {
        List<NewEvent> events = new ArrayList<>();
        for (int v = 1; v <= 4; v++) events.add(note("a", v, "h1", "h2"));
        store.append(events.subList(0, 2));
        store.append(events.subList(2, 4));
        ledger().recordFailure(new DeliveryKey(events.get(1).eventId(), "h2"), "e", T0, 1);
        ledger().recordFailure(new DeliveryKey(events.get(3).eventId(), "h2"), "e", T0, 1);

        assertThat(ledger().list(DeliveryStatus.PENDING, "h1", 10)).extracting(Delivery::eventId)
                .containsExactlyElementsOf(newIds(events));
        assertThat(ledger().list(DeliveryStatus.PENDING, "h1", 2)).extracting(Delivery::eventId)
                .containsExactlyElementsOf(newIds(events.subList(0, 2)));
        assertThat(ledger().list(DeliveryStatus.PENDING, "h2", 10)).extracting(Delivery::eventId)
                .containsExactly(events.get(0).eventId(), events.get(2).eventId());
        assertThat(ledger().list(DeliveryStatus.DEAD, "h2", 10)).extracting(Delivery::eventId)
                .containsExactly(events.get(1).eventId(), events.get(3).eventId());
        assertThat(ledger().list(DeliveryStatus.DEAD, "h1", 10)).isEmpty();
        assertThat(ledger().list(DeliveryStatus.DEAD, "nobody", 10)).isEmpty();
        List<Delivery> allPending = ledger().list(DeliveryStatus.PENDING, null, 100);
        assertThat(allPending).hasSize(6);
        for (int i = 1; i < allPending.size(); i++) {
            assertThat(allPending.get(i).position()).isGreaterThanOrEqualTo(allPending.get(i - 1).position());
        }
        assertThat(ledger().list(DeliveryStatus.PENDING, null, 3)).hasSize(3);
        assertThat(ledger().list(DeliveryStatus.DEAD, null, 100)).hasSize(2).allMatch(d -> d.attempts() == 1);
    }

    @Test
    @Tag("D12")
    @DisplayName("D12: retry puts dead deliveries back to pending with attempts reset and due at once; per handler "
            + "or for all handlers of the event; not for pending ones")
    void retryDeadLetters() {
        NewEvent e = note("a", 1, "h1", "h2", "h3");
        store.append(List.of(e));
        Instant failedAt = T0.plusSeconds(100);
        for (String h : List.of("h1", "h2")) ledger().recordFailure(new DeliveryKey(e.eventId(), h), "err", failedAt, 1);
        assertThat(dead()).hasSize(2);

        assertThat(ledger().retry(e.eventId(), "h3")).as("h3 is pending, not dead").isZero();
        assertThat(ledger().retry(e.eventId(), "h1")).isEqualTo(1);
        Delivery h1 = find(pending(), new DeliveryKey(e.eventId(), "h1"));
        assertThat(h1.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(h1.attempts()).isZero();
        assertThat(ledger().due(failedAt, Duration.ofSeconds(30), 10)).as("due at once after an operator retry")
                .extracting(Delivery::key).contains(new DeliveryKey(e.eventId(), "h1"));
        assertThat(dead()).extracting(Delivery::handler).containsExactly("h2");

        ledger().recordFailure(new DeliveryKey(e.eventId(), "h1"), "err", failedAt, 1);
        assertThat(ledger().retry(e.eventId(), null)).as("all handlers of the event").isEqualTo(2);
        assertThat(dead()).isEmpty();
        assertThat(pending()).hasSize(3).allMatch(d -> d.attempts() == 0);
        assertThat(ledger().retry(UUID.randomUUID(), null)).isZero();
    }

    @Test
    @Tag("D12")
    @DisplayName("D12: retryAll resets every dead letter of one handler, or of all handlers")
    void retryAll() {
        List<NewEvent> events = List.of(note("a", 1, "h1", "h2"), note("a", 2, "h1", "h2"));
        store.append(events);
        for (NewEvent e : events) {
            for (String h : List.of("h1", "h2")) ledger().recordFailure(new DeliveryKey(e.eventId(), h), "x", T0, 1);
        }
        assertThat(ledger().retryAll("h1")).isEqualTo(2);
        assertThat(dead()).extracting(Delivery::handler).containsOnly("h2").hasSize(2);
        assertThat(ledger().list(DeliveryStatus.PENDING, "h1", 10)).hasSize(2);
        assertThat(ledger().retryAll(null)).isEqualTo(2);
        assertThat(dead()).isEmpty();
        assertThat(pending()).hasSize(4);
        assertThat(ledger().retryAll(null)).isZero();
    }

    @Test
    @Tag("D12")
    @DisplayName("D12: skip marks a pending or dead delivery done without running it; false when there is none")
    void skip() {
        NewEvent e = note("a", 1, "h1", "h2", "h3");
        store.append(List.of(e));
        ledger().recordFailure(new DeliveryKey(e.eventId(), "h2"), "x", T0, 1);
        assertThat(ledger().skip(new DeliveryKey(e.eventId(), "h1"), "operator: not needed")).isTrue();
        assertThat(ledger().skip(new DeliveryKey(e.eventId(), "h2"), "operator: poison")).isTrue();
        assertThat(ledger().skip(new DeliveryKey(e.eventId(), "h1"), "again")).isFalse();
        assertThat(ledger().skip(new DeliveryKey(UUID.randomUUID(), "h1"), "unknown")).isFalse();
        assertThat(pending()).extracting(Delivery::handler).containsExactly("h3");
        assertThat(dead()).isEmpty();
        assertThat(ledger().handlersWithWork()).containsExactly("h3");
    }

    @Test
    @Tag("CA1")
    @DisplayName("CA1: lowestPosition(handler, status) is the lowest position with such a delivery, empty when none")
    void lowestPosition() {
        List<NewEvent> events = List.of(note("a", 1, "h"), note("a", 2, "h"), note("a", 3, "h", "g"));
        AppendResult r = store.append(events);
        long p1 = r.records().get(0).position();
        long p2 = r.records().get(1).position();
        long p3 = r.records().get(2).position();
        assertThat(ledger().lowestPosition("h", DeliveryStatus.PENDING)).hasValue(p1);
        assertThat(ledger().lowestPosition("g", DeliveryStatus.PENDING)).hasValue(p3);
        assertThat(ledger().lowestPosition("h", DeliveryStatus.DEAD)).isEmpty();
        ledger().markDone(List.of(new DeliveryKey(events.get(0).eventId(), "h")));
        assertThat(ledger().lowestPosition("h", DeliveryStatus.PENDING)).hasValue(p2);
        ledger().recordFailure(new DeliveryKey(events.get(1).eventId(), "h"), "x", T0, 1);
        assertThat(ledger().lowestPosition("h", DeliveryStatus.PENDING)).hasValue(p3);
        assertThat(ledger().lowestPosition("h", DeliveryStatus.DEAD)).hasValue(p2);
        assertThat(ledger().lowestPosition("nobody", DeliveryStatus.PENDING)).isEmpty();
        ledger().markDone(List.of(new DeliveryKey(events.get(2).eventId(), "h")));
        assertThat(ledger().lowestPosition("h", DeliveryStatus.PENDING)).isEmpty();
    }

    @Test
    @Tag("CA3")
    @DisplayName("CA3: count(correlationId, status) counts the deliveries of events carrying that correlation id")
    void countByCorrelation() {
        UUID chain = UUID.randomUUID();
        UUID otherChain = UUID.randomUUID();
        NewEvent a = event("a", 1, new Noted("a", 1), new Metadata(chain, null, Map.of()), "h1", "h2");
        NewEvent b = event("b", 1, new Noted("b", 1), new Metadata(chain, UUID.randomUUID(), Map.of()), "h1");
        NewEvent c = event("c", 1, new Noted("c", 1), Metadata.of(otherChain), "h1");
        NewEvent quiet = event("d", 1, new Noted("d", 1), Metadata.of(chain));
        store.append(List.of(a, b));
        store.append(List.of(c, quiet));
        assertThat(ledger().count(chain, DeliveryStatus.PENDING)).isEqualTo(3);
        assertThat(ledger().count(otherChain, DeliveryStatus.PENDING)).isEqualTo(1);
        assertThat(ledger().count(UUID.randomUUID(), DeliveryStatus.PENDING)).isZero();
        ledger().recordFailure(new DeliveryKey(a.eventId(), "h2"), "x", T0, 1);
        assertThat(ledger().count(chain, DeliveryStatus.PENDING)).isEqualTo(2);
        assertThat(ledger().count(chain, DeliveryStatus.DEAD)).isEqualTo(1);
        ledger().markDone(List.of(new DeliveryKey(a.eventId(), "h1"), new DeliveryKey(b.eventId(), "h1")));
        assertThat(ledger().count(chain, DeliveryStatus.PENDING)).isZero();
        assertThat(ledger().count(chain, DeliveryStatus.DEAD)).isEqualTo(1);
        assertThat(ledger().count(otherChain, DeliveryStatus.PENDING)).isEqualTo(1);
    }

    @Test
    @Tag("D13")
    @DisplayName("D13: handlersWithWork names the handlers with pending or dead deliveries, and drops finished ones")
    void handlersWithWork() {
        NewEvent e = note("a", 1, "views", "mediator", "saga:Transfer");
        store.append(List.of(e));
        assertThat(ledger().handlersWithWork()).containsExactlyInAnyOrder("views", "mediator", "saga:Transfer");
        ledger().markDone(List.of(new DeliveryKey(e.eventId(), "views")));
        ledger().recordFailure(new DeliveryKey(e.eventId(), "mediator"), "x", T0, 1);
        assertThat(ledger().handlersWithWork()).containsExactlyInAnyOrder("mediator", "saga:Transfer");
        ledger().skip(new DeliveryKey(e.eventId(), "mediator"), "done by hand");
        ledger().markDone(List.of(new DeliveryKey(e.eventId(), "saga:Transfer")));
        assertThat(ledger().handlersWithWork()).isEmpty();
    }

    @Test
    @DisplayName("§19 bug 3: marking deliveries done while scanning due ones neither breaks the scan nor skips or "
            + "repeats work")
    void markDoneDuringDueScan() throws Exception {
        int total = 60;
        List<NewEvent> events = new ArrayList<>();
        for (int v = 1; v <= total; v++) events.add(note("scan", v, "h"));
        store.append(events.subList(0, 30));
        store.append(events.subList(30, total));
        Instant now = T0.plusSeconds(60);

        // page through due work, marking each delivery done while still iterating the page
        List<UUID> processed = new ArrayList<>();
        while (true) {
            List<Delivery> page = ledger().due(now, Duration.ZERO, 7);
            if (page.isEmpty()) break;
            for (Delivery d : page) {
                processed.add(d.eventId());
                ledger().markDone(List.of(d.key()));
            }
            assertThat(processed.size()).as("no endless scan").isLessThanOrEqualTo(total);
        }
        assertThat(processed).containsExactlyElementsOf(newIds(events));

        // and concurrently: one thread scans while another marks done
        List<NewEvent> more = new ArrayList<>();
        for (int v = total + 1; v <= total * 2; v++) more.add(note("scan", v, "h"));
        store.append(more);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        AtomicBoolean marking = new AtomicBoolean(true);
        try {
            Future<Integer> scanner = executor.submit(() -> {
                int scans = 0;
                while (marking.get() || scans == 0) {
                    List<Delivery> due = ledger().due(now, Duration.ZERO, 1_000);
                    for (Delivery d : due) {
                        if (d.status() != DeliveryStatus.PENDING) throw new AssertionError("not pending: " + d);
                    }
                    scans++;
                }
                return scans;
            });
            Future<?> marker = executor.submit(() -> {
                for (NewEvent e : more) ledger().markDone(List.of(new DeliveryKey(e.eventId(), "h")));
                return null;
            });
            marker.get(WAIT_SECONDS, TimeUnit.SECONDS);
            marking.set(false);
            assertThat(scanner.get(WAIT_SECONDS, TimeUnit.SECONDS)).isPositive();
        } finally {
            marking.set(false);
            executor.shutdownNow();
        }
        assertThat(ledger().due(now, Duration.ZERO, 1_000)).isEmpty();
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected an exception, but the call succeeded");
    }

    @Test
    @Tag("OB4")
    @DisplayName("OB4: backlog() counts pending and dead deliveries per handler, with the oldest pending one's commit")
    void backlogPerHandler() {
        assertThat(ledger().backlog()).isEmpty();
        List<NewEvent> events = List.of(note("a", 1, "h", "g"), note("a", 2, "h"), note("a", 3, "h"));
        AppendResult r = store.append(events);
        ledger().markDone(List.of(new DeliveryKey(events.get(0).eventId(), "h")));
        ledger().recordFailure(new DeliveryKey(events.get(1).eventId(), "h"), "x", T0, 1);
        var backlog = ledger().backlog();
        assertThat(backlog).extracting(jangle.spi.HandlerBacklog::handler).containsExactly("g", "h");
        var g = backlog.get(0);
        var h = backlog.get(1);
        assertThat(g.pending()).isEqualTo(1);
        assertThat(g.dead()).isZero();
        assertThat(g.lowestPendingPosition()).isEqualTo(r.records().get(0).position());
        assertThat(g.oldestPendingCommit()).isEqualTo(r.records().get(0).createdAt());
        assertThat(h.pending()).isEqualTo(1);
        assertThat(h.dead()).isEqualTo(1);
        assertThat(h.lowestPendingPosition()).isEqualTo(r.records().get(2).position());
        assertThat(h.oldestPendingCommit()).isEqualTo(r.records().get(2).createdAt());
    }
}
