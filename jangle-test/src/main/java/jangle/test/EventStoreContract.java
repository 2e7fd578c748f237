package jangle.test;

import jangle.DuplicateEventIdException;
import jangle.EventRecord;
import jangle.LeaseLostException;
import jangle.Metadata;
import jangle.TypeRegistry;
import jangle.VersionConflictException;
import jangle.spi.AppendResult;
import jangle.spi.Checkpoint;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.Delivery;
import jangle.spi.DeliveryKey;
import jangle.spi.DeliveryStatus;
import jangle.spi.DispatchLedger;
import jangle.spi.EventStore;
import jangle.spi.FeedFilter;
import jangle.spi.FeedPage;
import jangle.spi.NewEvent;
import jangle.spi.Park;
import jangle.spi.StoreTransaction;
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
 * The contract every {@link EventStore}, its {@link DispatchLedger} of parked deliveries and its {@link Checkpoints}
 * must pass (§7, §7.1, §8.2, §17 CR5, D15, D17–D21). A store's
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
 * then runs concurrent appenders against a polling reader instead. A store that lends a real transaction to
 * {@link Checkpoints#commit}'s work overrides {@link #transactionProbe} so the suite also sees that work roll back.
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

    /** A new event with the suite's correlation id and {@link #T0} as createdAt. */
    protected final NewEvent event(String aggregateId, long version, ContractEvent payload) {
        return event(aggregateId, version, payload, Metadata.of(correlation));
    }

    protected final NewEvent event(String aggregateId, long version, ContractEvent payload, Metadata metadata) {
        TypeRegistry.EventTypeInfo info = types.byType(payload.getClass());
        return new NewEvent(UUID.randomUUID(), aggregateId, version, info.name(), info.schemaVersion(), T0, metadata,
                payload);
    }

    protected final NewEvent note(String aggregateId, long version) {
        return event(aggregateId, version, new Noted(aggregateId + "#" + version, version));
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
        assertThat(dead()).isEmpty();
        assertThat(ledger().handlersWithWork()).isEmpty();
        assertThat(store.checkpoints().all()).as("no processor stored").isEmpty();
        assertThat(store.correlated(correlation, 10)).isEmpty();
        FeedPage page = store.readFeed(0, 10, FeedFilter.ALL);
        assertThat(page.records()).isEmpty();
        assertThat(page.scannedTo()).isZero();
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
            + "createdAt micros, exact decimals) through read, readFeed (plain and filtered), correlated and readEvent")
    void roundTrip() {
        Metadata metadata = new Metadata(UUID.randomUUID(), UUID.randomUUID(),
                Map.of("userId", "ana", "ip.v4", "10.0.0.1", "note_x-1", "Grüße \"quoted\" ✓"));
        NewEvent opened = event("acct-1", 1, ContractEvents.opened("Ana Lima"), metadata);
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
        List<EventRecord<?>> filtered = store.readFeed(0, 10, FeedFilter.ALL).records();
        assertThat(read).hasSize(3);
        assertThat(fed).hasSize(3);
        assertThat(filtered).hasSize(3);
        assertThat(store.correlated(metadata.correlationId(), 10)).hasSize(2);
        for (int i = 0; i < 3; i++) {
            long position = result.records().get(i).position();
            assertSameAsAppended(read.get(i), appended.get(i), position);
            assertSameAsAppended(fed.get(i), appended.get(i), position);
            assertSameAsAppended(filtered.get(i), appended.get(i), position);
            if (i < 2) {
                assertSameAsAppended(store.correlated(metadata.correlationId(), 10).get(i), appended.get(i), position);
            }
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
            + "consumed version, no used event id, nothing correlated")
    void failedAppendLeavesNoTrace() {
        store.append(List.of(note("a", 1)));
        long position = store.lastPosition();
        NewEvent b1 = note("b", 1);
        NewEvent a1again = note("a", 1);
        Throwable thrown = catchThrowable(() -> store.append(List.of(b1, a1again)));
        assertVersionConflict(thrown, "a", 1);

        assertThat(store.lastVersion("b")).as("no consumed version").isZero();
        assertThat(readAll("b", 0)).isEmpty();
        assertThat(store.readEvent(b1.eventId())).isEmpty();
        assertThat(store.lastPosition()).isEqualTo(position);
        assertThat(feed()).hasSize(1);
        assertThat(store.correlated(correlation, 10)).as("only the committed event is correlated").hasSize(1);
        assertThat(pending()).as("no bookkeeping row (D1)").isEmpty();

        // the same event, and its id, can still be appended at version 1
        AppendResult retried = store.append(List.of(b1));
        assertThat(retried.records().get(0).version()).isEqualTo(1);
        assertThat(store.lastVersion("b")).isEqualTo(1);
        assertThat(store.correlated(correlation, 10)).hasSize(2);
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
                first.metadata(), first.event());
        Throwable thrown = catchThrowable(() -> store.append(List.of(sameId)));
        assertThat(thrown).isInstanceOf(DuplicateEventIdException.class);
        assertThat(((DuplicateEventIdException) thrown).eventId()).isEqualTo(first.eventId());
        assertThat(store.lastVersion("b")).isZero();

        NewEvent c1 = note("c", 1);
        NewEvent d1 = new NewEvent(c1.eventId(), "d", 1, c1.type(), c1.schemaVersion(), T0, c1.metadata(),
                c1.event());
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
                        NewEvent shared = note("race", round);
                        NewEvent mine = note(own, ownVersion + 1);
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
        assertThat(pending()).as("appends write no delivery rows (D1)").isEmpty();
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
        List<NewEvent> held = List.of(note("held", 1), note("held-too", 1));
        HeldAppend handle = holdAppend(store, held);
        if (handle == null) {
            concurrentAppendersAndReader(6, 40);
            return;
        }
        handle.awaitPositionsTaken();
        List<NewEvent> later = new ArrayList<>();
        for (int i = 1; i <= 5; i++) later.add(note("later", i));
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
                        NewEvent e = note(aggregate, v);
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

    // ======================= parked deliveries (the dispatch ledger) =======================

    /** The stored record of an appended event. */
    private EventRecord<?> storedRecord(NewEvent e) {
        return store.readEvent(e.eventId()).orElseThrow(() -> new AssertionError("event not stored: " + e.eventId()));
    }

    /** A park of the appended event {@code e} for {@code handler}, as a processor of node {@code owner} writes it. */
    protected final Park parkOf(NewEvent e, String handler, int attempts, Instant failedAt, String error,
                                boolean dead, String owner) {
        EventRecord<?> r = storedRecord(e);
        return new Park(new DeliveryKey(e.eventId(), handler), r.position(), r.metadata().correlationId(), attempts,
                failedAt, error, dead, owner);
    }

    /** Parks {@code e} for each handler, pending, one attempt, failed at {@link #T0}, held by {@code n0}. */
    protected final void park(NewEvent e, String... handlers) {
        List<Park> parks = new ArrayList<>();
        for (String h : handlers) parks.add(parkOf(e, h, 1, T0, "java.lang.IllegalStateException: parked", false, "n0"));
        store.checkpoints().commit(List.of(), parks, Checkpoints.Work.NONE);
    }

    /** Parks {@code e} for {@code handler} as a dead letter (attempts 1, at {@link #T0}). */
    protected final void parkDead(NewEvent e, String handler) {
        store.checkpoints().commit(List.of(),
                List.of(parkOf(e, handler, 1, T0, "java.lang.IllegalStateException: dead", true, "n0")),
                Checkpoints.Work.NONE);
    }

    @Test
    @Tag("D1")
    @DisplayName("D1: an append writes no delivery row and no checkpoint, whatever handlers exist")
    void appendWritesOnlyEvents() {
        store.checkpoints().register("views", 2, Checkpoints.Start.BEGINNING);
        List<Checkpoint> before = store.checkpoints().all();
        store.append(List.of(note("acct", 1), note("acct", 2), note("other", 1)));
        assertThat(pending()).isEmpty();
        assertThat(dead()).isEmpty();
        assertThat(ledger().handlersWithWork()).isEmpty();
        assertThat(ledger().backlog()).isEmpty();
        assertThat(ledger().count(correlation, DeliveryStatus.PENDING)).isZero();
        assertThat(store.checkpoints().all()).as("checkpoints untouched").isEqualTo(before);
    }

    @Test
    @Tag("D3")
    @Tag("D11")
    @DisplayName("D3, D11: commit(parks) writes a PENDING or DEAD row with the event's facts, the given attempts, "
            + "error and failure time, and replaces an existing row of the same key")
    void parkWritesRowWithEventFacts() {
        UUID corr = UUID.randomUUID();
        NewEvent first = event("acct", 1, new Noted("x", 1), Metadata.of(corr));
        NewEvent second = note("acct", 2);
        AppendResult r = store.append(List.of(first, second));
        long position = r.records().get(0).position();
        Instant failedAt = T0.plusSeconds(7);
        store.checkpoints().commit(List.of(), List.of(
                parkOf(first, "views", 2, failedAt, "java.lang.IllegalStateException: two", false, "n1"),
                parkOf(first, "mediator", 3, failedAt, "java.lang.IllegalStateException: three", true, "n1")),
                Checkpoints.Work.NONE);

        Delivery views = find(pending(), new DeliveryKey(first.eventId(), "views"));
        assertThat(views.eventType()).isEqualTo("contract.Noted");
        assertThat(views.aggregateId()).isEqualTo("acct");
        assertThat(views.version()).isEqualTo(1);
        assertThat(views.position()).isEqualTo(position);
        assertThat(views.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(views.attempts()).isEqualTo(2);
        assertThat(views.committedAt()).isEqualTo(T0);
        assertThat(views.firstFailureAt()).isEqualTo(failedAt);
        assertThat(views.lastAttemptAt()).isEqualTo(failedAt);
        assertThat(views.lastError()).isEqualTo("java.lang.IllegalStateException: two");
        assertThat(views.correlationId()).isEqualTo(corr);
        Delivery mediator = find(dead(), new DeliveryKey(first.eventId(), "mediator"));
        assertThat(mediator.status()).isEqualTo(DeliveryStatus.DEAD);
        assertThat(mediator.attempts()).isEqualTo(3);
        assertThat(mediator.lastError()).isEqualTo("java.lang.IllegalStateException: three");
        assertThat(pending()).extracting(Delivery::key).containsExactly(views.key());
        assertThat(ledger().handlersWithWork()).containsExactlyInAnyOrder("views", "mediator");

        Instant later = failedAt.plusSeconds(60);
        store.checkpoints().commit(List.of(), List.of(
                parkOf(first, "views", 5, later, "java.lang.IllegalStateException: five", true, "n2")),
                Checkpoints.Work.NONE);
        assertThat(pending()).as("the pending row was replaced").isEmpty();
        Delivery replaced = find(dead(), views.key());
        assertThat(replaced.attempts()).isEqualTo(5);
        assertThat(replaced.lastError()).isEqualTo("java.lang.IllegalStateException: five");
        assertThat(replaced.lastAttemptAt()).isEqualTo(later);
        assertThat(dead()).hasSize(2);
        assertThat(ledger().count(corr, DeliveryStatus.DEAD)).isEqualTo(2);
    }

    @Test
    @Tag("D15")
    @Tag("ST3")
    @DisplayName("D15: append(events, Resolve) deletes the parked delivery in the same transaction; an unknown or "
            + "resolved one is not an error; a failed append leaves it parked (ST3)")
    void resolveDeletesParkedRow() {
        NewEvent debited = note("a", 1);
        store.append(List.of(debited));
        park(debited, "mediator", "views");
        DeliveryKey mediator = new DeliveryKey(debited.eventId(), "mediator");
        Completion resolve = new Completion.Resolve(mediator);

        Throwable conflict = catchThrowable(() -> store.append(List.of(note("a", 1)), resolve));
        assertVersionConflict(conflict, "a", 1);
        assertThat(pending()).extracting(Delivery::key).contains(mediator);

        NewEvent credited = note("b", 1);
        store.append(List.of(credited), resolve);
        assertThat(pending()).extracting(Delivery::key)
                .containsExactly(new DeliveryKey(debited.eventId(), "views"));
        assertThat(store.lastVersion("b")).isEqualTo(1);

        store.append(List.of(note("b", 2)), resolve); // already resolved
        store.append(List.of(note("b", 3)), new Completion.Resolve(new DeliveryKey(UUID.randomUUID(), "mediator")));
        assertThat(store.lastVersion("b")).isEqualTo(3);
        assertThat(pending()).hasSize(1);
        parkDead(credited, "mediator");
        store.append(List.of(note("b", 4)), new Completion.Resolve(new DeliveryKey(credited.eventId(), "mediator")));
        assertThat(dead()).as("a dead letter is resolved too").isEmpty();
    }

    @Test
    @Tag("D9")
    @DisplayName("D9, §19 bug 19: due(now, maxAge) has the right sign: a delivery parked now is not due with maxAge "
            + "30s, is due with 0, and is due once its age reaches maxAge")
    void dueMaxAgeSign() {
        NewEvent e = note("a", 1);
        store.append(List.of(e));
        park(e, "h");
        Duration maxAge = Duration.ofSeconds(30);
        assertThat(ledger().due(T0, maxAge, 10)).as("fresh: not due with max age 30s").isEmpty();
        assertThat(ledger().due(T0.plusSeconds(29), maxAge, 10)).isEmpty();
        assertThat(ledger().due(T0, Duration.ZERO, 10)).extracting(Delivery::eventId).containsExactly(e.eventId());
        assertThat(ledger().due(T0.plusSeconds(30), maxAge, 10)).as("at now - maxAge: due")
                .extracting(Delivery::eventId).containsExactly(e.eventId());
        assertThat(ledger().due(T0.plus(Duration.ofHours(5)), maxAge, 10)).hasSize(1);
        assertThat(ledger().due(T0.minusSeconds(1), Duration.ZERO, 10)).as("parked after now").isEmpty();
    }

    @Test
    @Tag("D9")
    @DisplayName("D9: due is oldest position first, honours limit, and counts age from the last failed attempt")
    void dueOrderLimitAndLastAttempt() {
        List<NewEvent> events = new ArrayList<>();
        for (int v = 1; v <= 6; v++) events.add(note("a", v));
        store.append(events.subList(0, 3));
        store.append(events.subList(3, 6));
        for (NewEvent e : events.reversed()) park(e, "h");
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
        for (int v = 1; v <= 4; v++) events.add(note("a", v));
        store.append(events);
        for (NewEvent e : events) park(e, "h"); // held by n0 from T0
        long last = store.lastPosition();
        Duration lease = Duration.ofSeconds(30);
        Instant t1 = T0.plusSeconds(30);
        assertThat(ledger().claim("n1", T0.plusSeconds(29), lease, last, false, 10)).as("the parking node's lease holds")
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
                .allSatisfy(d -> assertThat(d.attempts()).isEqualTo(1));
    }

    @Test
    @Tag("MN1")
    @DisplayName("Claims: with includeOwn a node takes back at any age what it holds (it parked it) and never what "
            + "another node holds within its lease")
    void claimIncludeOwn() {
        NewEvent other = note("b", 1);
        store.append(List.of(other));
        NewEvent mine = note("a", 1);
        store.append(List.of(mine));
        Park p1 = parkOf(other, "h", 1, T0, "x", false, "local");
        Park p2 = parkOf(mine, "h", 1, T0, "x", false, "local");
        store.checkpoints().commit(List.of(), List.of(p1, p2), Checkpoints.Work.NONE);
        long first = storedRecord(other).position();
        assertThat(ledger().claim("n2", T0.plusSeconds(30), Duration.ofSeconds(30), first, false, 10))
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
        for (int v = 1; v <= 200; v++) events.add(note("c", v));
        store.append(events);
        List<Park> parks = new ArrayList<>();
        for (NewEvent e : events) parks.add(parkOf(e, "h", 1, T0, "x", false, "n0"));
        store.checkpoints().commit(List.of(), parks, Checkpoints.Work.NONE);
        long last = store.lastPosition();
        Instant now = T0.plusSeconds(60);
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Future<List<UUID>>> results = new ArrayList<>();
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
            for (var f : results) all.addAll(f.get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertThat(all).as("every delivery claimed exactly once").hasSize(200).doesNotHaveDuplicates();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("§8.2: markDone is idempotent; unknown deliveries are not an error; done deliveries are never listed")
    void markDoneIdempotent() {
        NewEvent e = note("a", 1);
        store.append(List.of(e));
        park(e, "h1", "h2");
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
    @DisplayName("D3, D11: recordFailure on a parked delivery counts attempts, keeps the first failure, stores the last "
            + "attempt and error, and makes it DEAD when attempts reach the limit")
    void recordFailureParksAtLimit() {
        NewEvent e = note("a", 1);
        store.append(List.of(e));
        DeliveryKey key = new DeliveryKey(e.eventId(), "h");
        Instant f1 = T0.plusSeconds(1);
        Instant f2 = T0.plusSeconds(40);
        Instant f3 = T0.plusSeconds(90);
        store.checkpoints().commit(List.of(), List.of(
                parkOf(e, "h", 1, f1, "java.lang.RuntimeException: one", false, "n0"),
                parkOf(e, "other", 1, f1, "java.lang.RuntimeException: one", false, "n0")), Checkpoints.Work.NONE);
        Delivery after1 = find(pending(), key);
        assertThat(after1.attempts()).isEqualTo(1);
        assertThat(after1.firstFailureAt()).isEqualTo(f1);
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
        NewEvent once = note("b", 1);
        store.append(List.of(once));
        park(once, "h");
        assertThat(ledger().recordFailure(new DeliveryKey(once.eventId(), "h"), "x", f1, 2))
                .as("a limit of 2 makes the second failure dead").isEqualTo(DeliveryStatus.DEAD);
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
        for (int v = 1; v <= 4; v++) events.add(note("a", v));
        store.append(events.subList(0, 2));
        store.append(events.subList(2, 4));
        for (NewEvent e : events.reversed()) park(e, "h1", "h2");
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
        assertThat(ledger().list(DeliveryStatus.DEAD, null, 100)).hasSize(2).allMatch(d -> d.attempts() == 2);
    }

    @Test
    @Tag("D12")
    @DisplayName("D12: retry puts dead deliveries back to pending with attempts reset and due at once; per handler "
            + "or for all handlers of the event; not for pending ones")
    void retryDeadLetters() {
        NewEvent e = note("a", 1);
        store.append(List.of(e));
        park(e, "h3");
        parkDead(e, "h1");
        parkDead(e, "h2");
        Instant failedAt = T0.plusSeconds(100);
        assertThat(dead()).hasSize(2);

        assertThat(ledger().retry(e.eventId(), "h3")).as("h3 is pending, not dead").isZero();
        assertThat(ledger().retry(e.eventId(), "h1")).isEqualTo(1);
        Delivery h1 = find(pending(), new DeliveryKey(e.eventId(), "h1"));
        assertThat(h1.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(h1.attempts()).isZero();
        assertThat(ledger().due(failedAt, Duration.ofSeconds(300), 10)).as("due at once after an operator retry")
                .extracting(Delivery::key).containsExactly(new DeliveryKey(e.eventId(), "h1"));
        assertThat(dead()).extracting(Delivery::handler).containsExactly("h2");

        ledger().recordFailure(new DeliveryKey(e.eventId(), "h1"), "err", failedAt, 1);
        assertThat(ledger().retry(e.eventId(), null)).as("all handlers of the event").isEqualTo(2);
        assertThat(dead()).isEmpty();
        assertThat(pending()).hasSize(3);
        assertThat(ledger().list(DeliveryStatus.PENDING, "h1", 10)).allMatch(d -> d.attempts() == 0);
        assertThat(ledger().list(DeliveryStatus.PENDING, "h2", 10)).allMatch(d -> d.attempts() == 0);
        assertThat(ledger().retry(UUID.randomUUID(), null)).isZero();
    }

    @Test
    @Tag("D12")
    @DisplayName("D12: retryAll resets every dead letter of one handler, or of all handlers")
    void retryAll() {
        List<NewEvent> events = List.of(note("a", 1), note("a", 2));
        store.append(events);
        for (NewEvent e : events) {
            for (String h : List.of("h1", "h2")) parkDead(e, h);
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
        NewEvent e = note("a", 1);
        store.append(List.of(e));
        park(e, "h1", "h3");
        parkDead(e, "h2");
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
        List<NewEvent> events = List.of(note("a", 1), note("a", 2), note("a", 3));
        AppendResult r = store.append(events);
        long p2 = r.records().get(1).position();
        long p3 = r.records().get(2).position();
        long p1 = r.records().get(0).position();
        park(events.get(2), "h", "g");
        park(events.get(1), "h");
        park(events.get(0), "h");
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
    @DisplayName("CA3: count(correlationId, status) counts the parked deliveries of events carrying that correlation id")
    void countByCorrelation() {
        UUID chain = UUID.randomUUID();
        UUID otherChain = UUID.randomUUID();
        NewEvent a = event("a", 1, new Noted("a", 1), new Metadata(chain, null, Map.of()));
        NewEvent b = event("b", 1, new Noted("b", 1), new Metadata(chain, UUID.randomUUID(), Map.of()));
        NewEvent c = event("c", 1, new Noted("c", 1), Metadata.of(otherChain));
        NewEvent quiet = event("d", 1, new Noted("d", 1), Metadata.of(chain));
        store.append(List.of(a, b));
        store.append(List.of(c, quiet));
        park(a, "h1", "h2");
        park(b, "h1");
        park(c, "h1");
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
        NewEvent e = note("a", 1);
        store.append(List.of(e));
        park(e, "views", "mediator", "saga:Transfer");
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
        for (int v = 1; v <= total; v++) events.add(note("scan", v));
        store.append(events.subList(0, 30));
        store.append(events.subList(30, total));
        List<Park> parks = new ArrayList<>();
        for (NewEvent e : events) parks.add(parkOf(e, "h", 1, T0, "x", false, "n0"));
        store.checkpoints().commit(List.of(), parks, Checkpoints.Work.NONE);
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
        for (int v = total + 1; v <= total * 2; v++) more.add(note("scan", v));
        store.append(more);
        List<Park> moreParks = new ArrayList<>();
        for (NewEvent e : more) moreParks.add(parkOf(e, "h", 1, T0, "x", false, "n0"));
        store.checkpoints().commit(List.of(), moreParks, Checkpoints.Work.NONE);
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
        List<NewEvent> events = List.of(note("a", 1), note("a", 2), note("a", 3));
        AppendResult r = store.append(events);
        park(events.get(0), "g");
        park(events.get(1), "h");
        park(events.get(2), "h");
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

    // ======================= filtered feed and correlation (D17, G1, CA3) =======================

    /** Appends {@code n} events spread over {@code aggregates} aggregates, every third one a deposit. */
    private List<NewEvent> appendMixed(int n, int aggregates) {
        List<NewEvent> all = new ArrayList<>();
        Map<String, Long> versions = new java.util.HashMap<>();
        List<NewEvent> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "agg-" + (i * 7 % aggregates);
            long v = versions.merge(id, 1L, Long::sum);
            NewEvent e = i % 3 == 0
                    ? event(id, v, new Deposited(new BigDecimal("1.00"), new BigDecimal(i + ".00"), "r" + i))
                    : note(id, v);
            batch.add(e);
            if (batch.size() == 4 || i == n - 1) {
                store.append(batch);
                all.addAll(batch);
                batch = new ArrayList<>();
            }
        }
        return all;
    }

    /** Reads the whole feed through {@code filter} in pages of {@code limit}, checking every page's promises. */
    private List<EventRecord<?>> scan(FeedFilter filter, int limit) {
        List<EventRecord<?>> out = new ArrayList<>();
        long head = store.lastPosition();
        long after = 0;
        for (int pages = 0; ; pages++) {
            assertThat(pages).as("a scan that ends (scannedTo must move on)").isLessThanOrEqualTo((int) head + 1);
            FeedPage page = store.readFeed(after, limit, filter);
            if (after >= head) {
                assertThat(page.records()).as("nothing after the head").isEmpty();
                assertThat(page.scannedTo()).as("scannedTo at the head").isEqualTo(after);
                return out;
            }
            assertThat(page.scannedTo()).as("scannedTo after %d with limit %d", after, limit)
                    .isGreaterThan(after).isLessThanOrEqualTo(head);
            long previous = after;
            for (EventRecord<?> r : page.records()) {
                assertThat(r.position()).as("records ascending within (after, scannedTo]").isGreaterThan(previous)
                        .isLessThanOrEqualTo(page.scannedTo());
                assertThat(filter.accepts(r.aggregateId(), r.type())).as("filter accepts %s", r).isTrue();
                previous = r.position();
            }
            assertThat(page.records()).hasSizeLessThanOrEqualTo(limit);
            assertThat(page.unreadable()).as("every contract event is readable (D14)").isEmpty();
            out.addAll(page.records());
            after = page.scannedTo();
        }
    }

    @Test
    @Tag("D17")
    @Tag("G1")
    @DisplayName("D17, G1: readFeed(after, limit, segment filter): the segments partition the feed: the union of full "
            + "scans of every segment is the feed, each event exactly once, in its aggregate's segment")
    void segmentsPartitionTheFeed() {
        appendMixed(45, 11);
        List<EventRecord<?>> feed = feed();
        for (int segments = 1; segments <= 4; segments++) {
            List<UUID> union = new ArrayList<>();
            for (int segment = 0; segment < segments; segment++) {
                FeedFilter filter = new FeedFilter(segment, segments, Set.of());
                for (int limit : new int[] {1, 4, 1_000}) {
                    List<EventRecord<?>> scanned = scan(filter, limit);
                    List<EventRecord<?>> expected = feed.stream()
                            .filter(r -> FeedFilter.segmentOf(r.aggregateId(), filter.segments()) == filter.segment())
                            .toList();
                    assertThat(ids(scanned)).as("segment %d of %d, pages of %d", filter.segment(), filter.segments(),
                            limit).containsExactlyElementsOf(ids(expected));
                    if (limit == 4) union.addAll(ids(scanned));
                }
            }
            assertThat(union).as("every event in exactly one of %d segments", segments)
                    .containsExactlyInAnyOrderElementsOf(ids(feed));
        }
    }

    @Test
    @Tag("D17")
    @Tag("G1")
    @DisplayName("D17: readFeed with a type filter returns exactly the events of those types (with their segment), "
            + "decoded as appended")
    void typeFilter() {
        List<NewEvent> appended = appendMixed(30, 5);
        List<EventRecord<?>> feed = feed();
        FeedFilter deposits = new FeedFilter(0, 1, Set.of("contract.Deposited"));
        List<EventRecord<?>> scanned = scan(deposits, 5);
        assertThat(ids(scanned)).containsExactlyElementsOf(
                ids(feed.stream().filter(r -> r.type().equals("contract.Deposited")).toList()));
        assertThat(scanned).hasSize(10);
        for (EventRecord<?> r : scanned) {
            NewEvent source = appended.stream().filter(e -> e.eventId().equals(r.eventId())).findFirst().orElseThrow();
            assertSameAsAppended(r, source, r.position());
        }
        FeedFilter both = new FeedFilter(1, 2, Set.of("contract.Noted", "contract.Deposited"));
        assertThat(ids(scan(both, 3))).containsExactlyElementsOf(
                ids(feed.stream().filter(r -> FeedFilter.segmentOf(r.aggregateId(), 2) == 1).toList()));
        FeedFilter notesOfSegment = new FeedFilter(1, 3, Set.of("contract.Noted"));
        assertThat(ids(scan(notesOfSegment, 2))).containsExactlyElementsOf(ids(feed.stream()
                .filter(r -> r.type().equals("contract.Noted") && FeedFilter.segmentOf(r.aggregateId(), 3) == 1)
                .toList()));
    }

    @Test
    @Tag("D17")
    @Tag("G1")
    @DisplayName("D17, G1: when no event of a page passes the filter, readFeed returns none and scannedTo still moves "
            + "on; at the head scannedTo stays where the reader is")
    void scannedToMovesOnWhenNothingPasses() {
        appendMixed(12, 3);
        long head = store.lastPosition();
        FeedFilter none = new FeedFilter(0, 1, Set.of("contract.Opened"));
        FeedPage first = store.readFeed(0, 5, none);
        assertThat(first.records()).isEmpty();
        assertThat(first.scannedTo()).as("looked at up to 5 positions").isGreaterThan(0).isLessThanOrEqualTo(head);
        assertThat(scan(none, 5)).isEmpty();
        FeedPage atHead = store.readFeed(head, 5, none);
        assertThat(atHead.records()).isEmpty();
        assertThat(atHead.scannedTo()).isEqualTo(head);
        FeedPage all = store.readFeed(0, 1_000, FeedFilter.ALL);
        assertThat(all.scannedTo()).isEqualTo(head);
        assertThat(ids(all.records())).containsExactlyElementsOf(ids(feed()));
        FeedPage tight = store.readFeed(3, 4, FeedFilter.ALL);
        assertThat(ids(tight.records())).as("the same window as the unfiltered read")
                .containsExactlyElementsOf(ids(store.readFeed(3, 4)));
        assertThat(tight.scannedTo()).isEqualTo(tight.records().get(tight.records().size() - 1).position());
    }

    @Test
    @Tag("D17")
    @Tag("G1")
    @DisplayName("G1: a filtered reader polling while appenders write never skips an event of its segment")
    void filteredReaderNeverSkips() throws Exception {
        FeedFilter filter = new FeedFilter(1, 3, Set.of());
        int writers = 3;
        int appendsEach = 40;
        ExecutorService executor = Executors.newFixedThreadPool(writers + 1);
        AtomicBoolean writing = new AtomicBoolean(true);
        List<EventRecord<?>> seen = Collections.synchronizedList(new ArrayList<>());
        try {
            Future<?> reader = executor.submit(() -> {
                long after = 0;
                while (true) {
                    boolean last = !writing.get();
                    while (true) {
                        FeedPage page = store.readFeed(after, 3, filter);
                        seen.addAll(page.records());
                        if (page.scannedTo() == after) break;
                        after = page.scannedTo();
                    }
                    if (last) return null;
                    Thread.sleep(1);
                }
            });
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(executor.submit(() -> {
                    for (int v = 1; v <= appendsEach; v++) {
                        store.append(List.of(note("w" + writer + "-a", v), note("w" + writer + "-b", v)));
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
        List<EventRecord<?>> expected = feed().stream()
                .filter(r -> filter.accepts(r.aggregateId(), r.type())).toList();
        assertThat(expected).as("the segment has events").isNotEmpty();
        assertThat(ids(seen)).containsExactlyElementsOf(ids(expected));
    }

    @Test
    @Tag("CA3")
    @DisplayName("CA3: correlated(id, limit) returns the committed events carrying the correlation id, ascending by "
            + "position, at most limit; none for an unknown id")
    void correlatedEvents() {
        UUID chain = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        NewEvent a1 = event("a", 1, new Noted("a", 1), Metadata.of(chain));
        NewEvent b1 = event("b", 1, new Noted("b", 1), Metadata.of(other));
        NewEvent c1 = event("c", 1, new Noted("c", 1), new Metadata(chain, a1.eventId(), Map.of()));
        store.append(List.of(a1, b1));
        store.append(List.of(c1));
        NewEvent a2 = event("a", 2, new Noted("a", 2), Metadata.of(chain));
        store.append(List.of(a2));
        catchThrowable(() -> store.append(List.of(event("d", 1, new Noted("d", 1), Metadata.of(chain)),
                event("a", 1, new Noted("a", 1), Metadata.of(chain))))); // conflicts: writes nothing

        List<EventRecord<?>> correlated = store.correlated(chain, 100);
        assertThat(ids(correlated)).containsExactly(a1.eventId(), c1.eventId(), a2.eventId());
        assertStrictlyIncreasingPositions(correlated);
        assertThat(correlated).allMatch(r -> r.metadata().correlationId().equals(chain));
        assertThat(ids(store.correlated(chain, 2))).containsExactly(a1.eventId(), c1.eventId());
        assertThat(ids(store.correlated(other, 100))).containsExactly(b1.eventId());
        assertThat(store.correlated(UUID.randomUUID(), 100)).isEmpty();
        assertSameAsAppended(correlated.get(1), c1, store.readEvent(c1.eventId()).orElseThrow().position());
    }

    // ======================= checkpoints (D17–D21) =======================

    private static final Duration LEASE = Duration.ofSeconds(10);

    private Checkpoints checkpoints() {
        return store.checkpoints();
    }

    /** The stored checkpoints of {@code processor}, by segment. */
    private List<Checkpoint> stored(String processor) {
        return checkpoints().all().stream().filter(c -> c.processor().equals(processor))
                .sorted(java.util.Comparator.comparingInt(Checkpoint::segment)).toList();
    }

    private Checkpoint stored(String processor, int segment) {
        return stored(processor).stream().filter(c -> c.segment() == segment).findFirst()
                .orElseThrow(() -> new AssertionError("no checkpoint " + processor + "/" + segment));
    }

    private static List<Integer> segmentsOf(List<Checkpoint> held) {
        return held.stream().map(Checkpoint::segment).toList();
    }

    private static Completion.Advance advance(String processor, int segment, long position, String owner) {
        return new Completion.Advance(processor, segment, position, owner);
    }

    @Test
    @Tag("D19")
    @DisplayName("D19: register stores free checkpoints at 0 (BEGINNING) or at the head (HEAD); it is idempotent "
            + "and a stored processor keeps its segment count and position")
    void registerBeginningHeadIdempotent() {
        appendMixed(5, 2);
        long head = store.lastPosition();
        List<Checkpoint> p = checkpoints().register("p", 3, Checkpoints.Start.BEGINNING);
        assertThat(p).extracting(Checkpoint::segment).containsExactly(0, 1, 2);
        assertThat(p).allSatisfy(c -> {
            assertThat(c.processor()).isEqualTo("p");
            assertThat(c.segments()).isEqualTo(3);
            assertThat(c.position()).isZero();
            assertThat(c.owner()).isEmpty();
        });
        List<Checkpoint> q = checkpoints().register("q", 2, Checkpoints.Start.HEAD);
        assertThat(q).extracting(Checkpoint::position).containsExactly(head, head);
        assertThat(q).extracting(Checkpoint::segments).containsOnly(2);

        store.append(List.of(note("later", 1)));
        checkpoints().claim("p", "a", T0, LEASE, 3);
        checkpoints().commit(List.of(advance("p", 1, 4, "a")), List.of(), Checkpoints.Work.NONE);
        List<Checkpoint> again = checkpoints().register("p", 5, Checkpoints.Start.HEAD);
        assertThat(again).as("stored: same rows, same segment count").extracting(Checkpoint::segment)
                .containsExactly(0, 1, 2);
        assertThat(again).extracting(Checkpoint::segments).containsOnly(3);
        assertThat(again).extracting(Checkpoint::position).containsExactly(0L, 4L, 0L);
        assertThat(checkpoints().register("q", 2, Checkpoints.Start.BEGINNING)).extracting(Checkpoint::position)
                .as("a stored processor is not moved").containsExactly(head, head);
        assertThat(checkpoints().all()).extracting(c -> c.processor() + "/" + c.segment())
                .containsExactly("p/0", "p/1", "p/2", "q/0", "q/1");
        assertThat(checkpoints().claim("unknown", "a", T0, LEASE, 2)).as("no rows, nothing to claim").isEmpty();
    }

    @Test
    @Tag("D21")
    @DisplayName("D21: claim takes free segments up to the target; renewal keeps ownership; a live lease is not "
            + "taken; an expired one is taken by another owner; above target the highest segments are given back")
    void claimTargetRenewalTakeover() {
        checkpoints().register("p", 4, Checkpoints.Start.BEGINNING);
        List<Checkpoint> a = checkpoints().claim("p", "a", T0, LEASE, 2);
        assertThat(a).hasSize(2).allSatisfy(c -> assertThat(c.heldBy("a", T0)).isTrue());
        assertThat(a).extracting(Checkpoint::leaseUntil).containsOnly(T0.plus(LEASE));
        List<Integer> aSegments = segmentsOf(a);

        List<Checkpoint> b = checkpoints().claim("p", "b", T0.plusSeconds(1), LEASE, 4);
        assertThat(segmentsOf(b)).as("b gets only the free segments").hasSize(2).doesNotContainAnyElementsOf(aSegments);
        List<Integer> bSegments = segmentsOf(b);

        Instant t5 = T0.plusSeconds(5);
        List<Checkpoint> renewed = checkpoints().claim("p", "a", t5, LEASE, 2);
        assertThat(segmentsOf(renewed)).as("renewal keeps the same segments")
                .containsExactlyInAnyOrderElementsOf(aSegments);
        assertThat(renewed).extracting(Checkpoint::leaseUntil).containsOnly(t5.plus(LEASE));
        assertThat(stored("p")).filteredOn(c -> aSegments.contains(c.segment()))
                .allSatisfy(c -> assertThat(c.owner()).hasValue("a"));

        Instant t12 = T0.plusSeconds(12); // b's leases ran out at T0 + 11s, a's run to T0 + 15s
        List<Checkpoint> c = checkpoints().claim("p", "c", t12, LEASE, 4);
        assertThat(segmentsOf(c)).as("c takes b's expired segments, not a's live ones")
                .containsExactlyInAnyOrderElementsOf(bSegments);
        assertThat(checkpoints().claim("p", "b", t12, LEASE, 4)).as("b lost them").isEmpty();
        assertThat(checkpoints().claim("p", "a", t12, LEASE, 2)).extracting(Checkpoint::segment)
                .containsExactlyInAnyOrderElementsOf(aSegments);

        List<Checkpoint> shrunk = checkpoints().claim("p", "c", t12, LEASE, 1);
        int kept = bSegments.stream().min(Integer::compare).orElseThrow();
        int given = bSegments.stream().max(Integer::compare).orElseThrow();
        assertThat(segmentsOf(shrunk)).as("above target: the highest segment is given back").containsExactly(kept);
        assertThat(stored("p", given).owner()).as("given back: free").isEmpty();
        assertThat(segmentsOf(checkpoints().claim("p", "d", t12, LEASE, 4))).containsExactly(given);
        assertThat(checkpoints().claim("p", "c", t12, LEASE, 0)).as("target 0 gives everything back").isEmpty();
        assertThat(stored("p", kept).owner()).isEmpty();
    }

    @Test
    @Tag("D21")
    @DisplayName("D21: owners claiming concurrently never both hold a segment at one instant")
    void concurrentClaimsNeverShareASegment() throws Exception {
        int segments = 16;
        int threads = 8;
        int phases = 20;
        checkpoints().register("p", segments, Checkpoints.Start.BEGINNING);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int phase = 0; phase < phases; phase++) {
                // every phase starts after all earlier leases ran out; within a phase every lease is live
                Instant now = T0.plus(LEASE.multipliedBy(2L * phase));
                int target = phase % 2 == 0 ? segments : 3;
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Map<Integer, String>>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String owner = "node-" + t;
                    results.add(pool.submit(() -> {
                        start.await(WAIT_SECONDS, TimeUnit.SECONDS);
                        Map<Integer, String> got = new java.util.HashMap<>();
                        for (int round = 0; round < 5; round++) {
                            for (Checkpoint c : checkpoints().claim("p", owner, now, LEASE, target)) {
                                assertThat(c.owner()).hasValue(owner);
                                got.put(c.segment(), owner);
                            }
                        }
                        return got;
                    }));
                }
                Map<Integer, String> holders = new java.util.HashMap<>();
                for (Future<Map<Integer, String>> f : results) {
                    for (var e : f.get(WAIT_SECONDS, TimeUnit.SECONDS).entrySet()) {
                        String previous = holders.put(e.getKey(), e.getValue());
                        assertThat(previous).as("phase %d: segment %d held by %s and %s", phase, e.getKey(), previous,
                                e.getValue()).isNull();
                    }
                }
                assertThat(holders.keySet()).allSatisfy(s -> assertThat(s).isBetween(0, segments - 1));
                for (Checkpoint c : stored("p")) {
                    if (c.owner().isPresent() && c.leaseUntil().isAfter(now)) {
                        assertThat(holders.get(c.segment())).as("stored holder of %d", c.segment())
                                .isEqualTo(c.owner().get());
                    }
                }
                if (target == segments) {
                    assertThat(holders).as("greedy owners take every segment").hasSize(segments);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Tag("D21")
    @DisplayName("D21: heartbeats list the nodes alive now, sorted, a node holding nothing included; releaseAll forgets one")
    void heartbeatsListLiveNodes() {
        assertThat(checkpoints().heartbeat("b", T0, LEASE)).containsExactly("b");
        assertThat(checkpoints().heartbeat("a", T0.plusSeconds(1), LEASE)).containsExactly("a", "b");
        // b's heartbeat runs out; a's renewal still counts
        assertThat(checkpoints().heartbeat("a", T0.plus(LEASE).plusSeconds(1), LEASE)).containsExactly("a");
        assertThat(checkpoints().heartbeat("b", T0.plus(LEASE).plusSeconds(2), LEASE)).containsExactly("a", "b");
        checkpoints().releaseAll("b");
        assertThat(checkpoints().heartbeat("a", T0.plus(LEASE).plusSeconds(3), LEASE)).containsExactly("a");
    }

    @Test
    @Tag("D21")
    @DisplayName("D21: releaseAll frees every segment of the owner, of every processor, and no one else's")
    void releaseAllFreesOwnSegments() {
        checkpoints().register("p", 3, Checkpoints.Start.BEGINNING);
        checkpoints().register("q", 2, Checkpoints.Start.BEGINNING);
        checkpoints().claim("p", "a", T0, LEASE, 2);
        checkpoints().claim("q", "a", T0, LEASE, 1);
        checkpoints().claim("p", "b", T0, LEASE, 3);
        checkpoints().claim("q", "b", T0, LEASE, 3);
        checkpoints().releaseAll("a");
        assertThat(checkpoints().all()).noneMatch(c -> c.owner().equals(java.util.Optional.of("a")));
        assertThat(checkpoints().all()).filteredOn(c -> c.owner().isPresent()).hasSize(2)
                .allSatisfy(c -> assertThat(c.owner()).hasValue("b"));
        assertThat(checkpoints().claim("p", "c", T0.plusSeconds(1), LEASE, 3)).as("a's segments are free at once")
                .hasSize(2);
        assertThat(checkpoints().claim("q", "c", T0.plusSeconds(1), LEASE, 3)).hasSize(1);
        checkpoints().releaseAll("nobody");
        assertThat(checkpoints().all()).allMatch(c -> c.owner().isPresent());
    }

    @Test
    @Tag("D18")
    @Tag("D21")
    @DisplayName("D18, D21: commit runs the work inside, writes parks and moves held checkpoints forward, never back")
    void commitRunsWorkAndAdvances() {
        List<NewEvent> events = List.of(note("a", 1), note("a", 2), note("a", 3));
        store.append(events);
        checkpoints().register("p", 2, Checkpoints.Start.BEGINNING);
        List<Integer> held = segmentsOf(checkpoints().claim("p", "a", T0, LEASE, 2));
        assertThat(held).containsExactlyInAnyOrder(0, 1);
        AtomicInteger ran = new AtomicInteger();
        List<StoreTransaction> lent = new ArrayList<>();
        checkpoints().commit(List.of(advance("p", 0, 3, "a"), advance("p", 1, 2, "a")),
                List.of(parkOf(events.get(1), "p", 3, T0, "java.lang.IllegalStateException: no", false, "a")),
                tx -> {
                    ran.incrementAndGet();
                    lent.add(tx);
                });
        assertThat(ran).as("the work ran once").hasValue(1);
        assertThat(lent).singleElement().isNotNull();
        assertThat(stored("p", 0).position()).isEqualTo(3);
        assertThat(stored("p", 1).position()).isEqualTo(2);
        assertThat(stored("p", 0).owner()).as("an advance keeps the lease").hasValue("a");
        assertThat(find(pending(), new DeliveryKey(events.get(1).eventId(), "p")).attempts()).isEqualTo(3);

        checkpoints().commit(List.of(advance("p", 0, 1, "a")), List.of(), Checkpoints.Work.NONE);
        assertThat(stored("p", 0).position()).as("never backwards").isEqualTo(3);
        checkpoints().commit(List.of(), List.of(), Checkpoints.Work.NONE);
        store.append(List.of(note("a", 4)), advance("p", 1, 1, "a"));
        assertThat(stored("p", 1).position()).as("never backwards through an append either").isEqualTo(2);
    }

    @Test
    @Tag("D18")
    @DisplayName("D18: a commit whose work throws writes nothing: no park, no advance; the exception propagates")
    void commitWithThrowingWorkWritesNothing() {
        NewEvent e = note("a", 1);
        store.append(List.of(e));
        checkpoints().register("p", 1, Checkpoints.Start.BEGINNING);
        checkpoints().claim("p", "a", T0, LEASE, 1);
        IllegalStateException boom = new IllegalStateException("projection failed");
        TransactionProbe probe = transactionProbe(store);
        Throwable thrown = catchThrowable(() -> checkpoints().commit(List.of(advance("p", 0, 1, "a")),
                List.of(parkOf(e, "p", 1, T0, "x", false, "a")), tx -> {
                    if (probe != null) probe.write(tx, "thrown-work");
                    throw boom;
                }));
        assertThat(causes(thrown)).as("the work's exception propagates").contains(boom);
        assertThat(stored("p", 0).position()).as("no advance").isZero();
        assertThat(pending()).as("no park").isEmpty();
        assertThat(dead()).isEmpty();
        if (probe != null) assertThat(probe.written("thrown-work")).as("the work's own writes rolled back").isFalse();

        checkpoints().commit(List.of(advance("p", 0, 1, "a")), List.of(), tx -> {
            if (probe != null) probe.write(tx, "kept-work");
        });
        assertThat(stored("p", 0).position()).as("the owner still commits after a failed work").isEqualTo(1);
        if (probe != null) assertThat(probe.written("kept-work")).as("a committed work's writes stay").isTrue();
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> out = new ArrayList<>();
        for (Throwable c = t; c != null && !out.contains(c); c = c.getCause()) out.add(c);
        return out;
    }

    @Test
    @Tag("D21")
    @DisplayName("D21: an advance by a node that does not own the segment raises LeaseLostException and writes "
            + "nothing of the commit: no advance (not even of held segments), no park, no work; alone or with others")
    void commitByNonOwnerIsRefused() {
        NewEvent e = note("a", 1);
        store.append(List.of(e));
        checkpoints().register("p", 2, Checkpoints.Start.BEGINNING);
        int aSeg = checkpoints().claim("p", "a", T0, LEASE, 1).getFirst().segment();
        int bSeg = checkpoints().claim("p", "b", T0, LEASE, 1).getFirst().segment();
        assertThat(aSeg).isNotEqualTo(bSeg);
        assertThat(stored("p", aSeg).owner()).hasValue("a");
        TransactionProbe probe = transactionProbe(store);
        Throwable thrown = catchThrowable(() -> checkpoints().commit(
                List.of(advance("p", aSeg, 1, "a"), advance("p", bSeg, 1, "a")),
                List.of(parkOf(e, "p", 1, T0, "x", false, "a")), tx -> {
                    if (probe != null) probe.write(tx, "fenced-work");
                }));
        assertThat(thrown).isInstanceOf(LeaseLostException.class);
        LeaseLostException lost = (LeaseLostException) thrown;
        assertThat(lost.processor()).isEqualTo("p");
        assertThat(lost.segment()).isEqualTo(bSeg);
        assertThat(lost.owner()).isEqualTo("a");
        assertThat(stored("p")).extracting(Checkpoint::position).as("no advance at all").containsOnly(0L);
        assertThat(pending()).as("no park").isEmpty();
        if (probe != null) assertThat(probe.written("fenced-work")).as("no work").isFalse();

        Throwable alone = catchThrowable(() -> checkpoints().commit(List.of(advance("p", bSeg, 1, "a")),
                List.of(parkOf(e, "p", 1, T0, "x", false, "a")), tx -> {
                    if (probe != null) probe.write(tx, "fenced-alone");
                }));
        assertThat(alone).as("one advance alone, which a store may send with its commit")
                .isInstanceOf(LeaseLostException.class);
        assertThat(((LeaseLostException) alone).segment()).isEqualTo(bSeg);
        assertThat(stored("p")).extracting(Checkpoint::position).as("no advance").containsOnly(0L);
        assertThat(pending()).as("no park").isEmpty();
        if (probe != null) assertThat(probe.written("fenced-alone")).as("no work").isFalse();

        assertThat(catchThrowable(() -> checkpoints().commit(List.of(advance("p", aSeg, 1, "z")), List.of(),
                Checkpoints.Work.NONE))).as("a node that never held it").isInstanceOf(LeaseLostException.class);
        checkpoints().releaseAll("b");
        assertThat(catchThrowable(() -> checkpoints().commit(List.of(advance("p", bSeg, 1, "b")), List.of(),
                Checkpoints.Work.NONE))).as("a node that released it").isInstanceOf(LeaseLostException.class);
        assertThat(checkpoints().claim("p", "c", T0.plusSeconds(11), LEASE, 2)).as("a's lease ran out: c takes both")
                .hasSize(2);
        assertThat(catchThrowable(() -> checkpoints().commit(List.of(advance("p", aSeg, 1, "a")), List.of(),
                Checkpoints.Work.NONE))).as("a node whose segment was taken over").isInstanceOf(LeaseLostException.class);
        assertThat(stored("p")).extracting(Checkpoint::position).containsOnly(0L);
        checkpoints().commit(List.of(advance("p", 0, 1, "c"), advance("p", 1, 1, "c")), List.of(),
                Checkpoints.Work.NONE);
        assertThat(stored("p")).extracting(Checkpoint::position).containsOnly(1L);
    }

    @Test
    @Tag("D15")
    @Tag("D21")
    @DisplayName("D15, D21: append(events, Advance) commits the checkpoint with the events when the owner holds the "
            + "segment; otherwise LeaseLostException and no event is written; a conflicting append moves nothing")
    void appendWithAdvanceIsFenced() {
        store.append(List.of(note("a", 1)));
        checkpoints().register("p", 2, Checkpoints.Start.BEGINNING);
        int held = checkpoints().claim("p", "a", T0, LEASE, 1).getFirst().segment();
        int free = 1 - held;
        long head = store.lastPosition();

        NewEvent refused = note("b", 1);
        Throwable thrown = catchThrowable(() -> store.append(List.of(refused), advance("p", held, head, "b")));
        assertThat(thrown).isInstanceOf(LeaseLostException.class);
        assertThat(store.lastPosition()).as("no event written").isEqualTo(head);
        assertThat(store.readEvent(refused.eventId())).isEmpty();
        assertThat(store.lastVersion("b")).isZero();
        assertThat(catchThrowable(() -> store.append(List.of(note("b", 1)), advance("p", free, head, "a"))))
                .as("a free segment: a does not hold it").isInstanceOf(LeaseLostException.class);
        assertThat(store.lastVersion("b")).isZero();

        Throwable conflict = catchThrowable(() -> store.append(List.of(note("a", 1)), advance("p", held, head, "a")));
        assertVersionConflict(conflict, "a", 1);
        assertThat(stored("p", held).position()).as("a failed append moves no checkpoint (ST3)").isZero();

        AppendResult accepted = store.append(List.of(refused), advance("p", held, head, "a"));
        assertThat(accepted.records()).hasSize(1);
        assertThat(stored("p", held).position()).isEqualTo(head);
        assertThat(stored("p", free).position()).isZero();
        store.append(List.of(note("b", 2)), advance("p", held, head + 1, "a"));
        assertThat(stored("p", held).position()).isEqualTo(head + 1);
    }

    @Test
    @Tag("D12")
    @Tag("D21")
    @DisplayName("D12, D21: reset sets every segment's position, frees the owners so the old owner's advance is "
            + "refused, and deletes the processor's parked rows above the position, keeping those at or below")
    void resetMovesFreesAndUnparks() {
        List<NewEvent> events = new ArrayList<>();
        for (int v = 1; v <= 8; v++) events.add(note("a", v));
        AppendResult r = store.append(events);
        long p3 = r.records().get(2).position();
        long p5 = r.records().get(4).position();
        long p7 = r.records().get(6).position();
        checkpoints().register("p", 2, Checkpoints.Start.BEGINNING);
        checkpoints().register("q", 1, Checkpoints.Start.BEGINNING);
        checkpoints().claim("p", "a", T0, LEASE, 2);
        checkpoints().claim("q", "a", T0, LEASE, 1);
        checkpoints().commit(List.of(advance("p", 0, p7, "a"), advance("p", 1, p7, "a"), advance("q", 0, p7, "a")),
                List.of(parkOf(events.get(2), "p", 1, T0, "x", false, "a"),
                        parkOf(events.get(4), "p", 1, T0, "x", true, "a"),
                        parkOf(events.get(6), "p", 1, T0, "x", false, "a"),
                        parkOf(events.get(6), "q", 1, T0, "x", false, "a")),
                Checkpoints.Work.NONE);

        assertThat(checkpoints().reset("p", p5)).as("segments changed").isEqualTo(2);
        assertThat(stored("p")).allSatisfy(c -> {
            assertThat(c.position()).isEqualTo(p5);
            assertThat(c.owner()).as("freed").isEmpty();
        });
        assertThat(stored("q", 0).position()).as("other processors untouched").isEqualTo(p7);
        assertThat(stored("q", 0).owner()).hasValue("a");
        assertThat(pending()).extracting(Delivery::key).containsExactlyInAnyOrder(
                new DeliveryKey(events.get(2).eventId(), "p"), new DeliveryKey(events.get(6).eventId(), "q"));
        assertThat(dead()).extracting(Delivery::position).as("at the position: kept").containsExactly(p5);
        assertThat(pending()).extracting(Delivery::position).as("below the position: kept").contains(p3);

        assertThat(catchThrowable(() -> checkpoints().commit(List.of(advance("p", 0, p7, "a")), List.of(),
                Checkpoints.Work.NONE))).as("the old owner is refused").isInstanceOf(LeaseLostException.class);
        assertThat(stored("p", 0).position()).isEqualTo(p5);
        assertThat(checkpoints().reset("p", 0)).isEqualTo(2);
        assertThat(stored("p")).extracting(Checkpoint::position).containsOnly(0L);
        assertThat(pending()).extracting(Delivery::handler).containsExactly("q");
        assertThat(dead()).isEmpty();
        assertThat(checkpoints().reset("unknown", 0)).isZero();
    }

    /**
     * Optional hook for {@link #commitWithThrowingWorkWritesNothing} and {@link #commitByNonOwnerIsRefused}: a store
     * that lends a real transaction to {@link Checkpoints#commit}'s work returns a probe that writes a mark through
     * it and reads the mark back afterwards, so the suite sees the work's writes roll back with the commit. Null (the
     * default) when the store lends nothing to write through.
     */
    protected TransactionProbe transactionProbe(EventStore store) {
        return null;
    }

    /** Writes through a commit's {@link StoreTransaction} and tells whether the write was committed. */
    public interface TransactionProbe {
        /** Writes {@code mark} through {@code tx} (inside the commit). */
        void write(StoreTransaction tx, String mark) throws Exception;

        /** True when {@code mark} was committed. */
        boolean written(String mark);
    }
}
