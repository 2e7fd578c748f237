package jangle.test;

import jangle.TypeRegistry;
import jangle.VersionConflictException;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import jangle.spi.SagaStore;
import jangle.test.ContractEvents.ContractEvent;
import jangle.test.ContractEvents.Deposited;
import jangle.test.ContractEvents.Noted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link SagaStore} must pass (SG4, SG7, SG8, §17 CR5). A store's test constructs a fresh, empty
 * store in {@link #createStore}; the suite does the rest.
 *
 * <p>Why: the saga engine relies on the store to restore every persisted field exactly (the original read
 * {@code complete} from the timeout column, §19 bug 17), to refuse a commit another evaluation has already made
 * without writing anything (SG4), and to select due sagas by comparing instants, earliest first, honouring the limit
 * (§19 bugs 20 and 23). If the store is {@link AutoCloseable} it is closed after each test.
 */
public abstract class SagaStoreContract {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final long WAIT_SECONDS = 60; // deadlock guard only

    /** A fresh, empty store that reads and writes the given registry's types (see {@link ContractEvents}). */
    protected abstract SagaStore createStore(TypeRegistry types) throws Exception;

    /** Closes the store after each test; the default closes an {@link AutoCloseable} store. */
    protected void closeStore(SagaStore store) throws Exception {
        if (store instanceof AutoCloseable closeable) closeable.close();
    }

    protected final TypeRegistry types = ContractEvents.registry();
    protected SagaStore store;

    @BeforeEach
    final void openContractStore() throws Exception {
        store = createStore(types);
        assertThat(store).as("createStore must return a store").isNotNull();
    }

    @AfterEach
    final void closeContractStore() throws Exception {
        if (store != null) closeStore(store);
    }

    /** A state whose wakeAt is computed as the engine computes it (SG7, without mustFinish). */
    protected static SagaState state(String id, long version, Instant retryAt, Instant timeoutAt, boolean complete,
                                     boolean timedOut) {
        Instant wake = complete || timedOut ? null
                : retryAt == null ? timeoutAt
                : timeoutAt == null || retryAt.isBefore(timeoutAt) ? retryAt : timeoutAt;
        return new SagaState(id, "TransferSaga", version, retryAt, timeoutAt, complete, timedOut, wake, List.of());
    }

    private static SagaState withWake(String id, Instant wakeAt) {
        return new SagaState(id, "TransferSaga", 1, wakeAt, null, false, false, wakeAt, List.of());
    }

    protected final SagaEventEntry entry(ContractEvent event, Instant recordedAt) {
        return new SagaEventEntry(UUID.randomUUID(), types.byType(event.getClass()).name(), event, recordedAt);
    }

    private SagaState load(String id) {
        return store.get(id).orElseThrow(() -> new AssertionError("saga " + id + " not found"));
    }

    private static void assertFields(SagaState read, SagaState written, List<SagaEventEntry> history) {
        assertThat(read.sagaId()).as("sagaId").isEqualTo(written.sagaId());
        assertThat(read.sagaType()).as("sagaType").isEqualTo(written.sagaType());
        assertThat(read.version()).as("version").isEqualTo(written.version());
        assertThat(read.retryAt()).as("retryAt").isEqualTo(written.retryAt());
        assertThat(read.timeoutAt()).as("timeoutAt").isEqualTo(written.timeoutAt());
        assertThat(read.complete()).as("complete").isEqualTo(written.complete());
        assertThat(read.timedOut()).as("timedOut").isEqualTo(written.timedOut());
        assertThat(read.wakeAt()).as("wakeAt").isEqualTo(written.wakeAt());
        assertThat(read.events()).as("events").containsExactlyElementsOf(history);
    }

    private static VersionConflictException conflict(Runnable commit) {
        try {
            commit.run();
        } catch (VersionConflictException e) {
            return e;
        }
        throw new AssertionError("expected VersionConflictException, but the commit succeeded");
    }

    @Test
    @Tag("SG8")
    @DisplayName("SG8: a saga never committed is not found")
    void missing() {
        assertThat(store.get("nobody")).isEmpty();
        assertThat(store.dueIds(T0.plusSeconds(3600), 10)).isEmpty();
        assertThat(store.list(true, 10)).isEmpty();
    }

    @Test
    @Tag("J3")
    @Tag("J4")
    @Tag("SG7")
    @DisplayName("SG7, J3, J4: commit then get restores every field and the events (id, type, payload, recorded "
            + "time) exactly")
    void roundTrip() {
        Instant retry = Instant.parse("2026-03-01T10:00:30.000001Z");
        Instant timeout = Instant.parse("2026-03-01T11:00:00.654321Z");
        SagaEventEntry opened = entry(ContractEvents.opened("Saga Owner"), Instant.parse("2026-03-01T10:00:00.123456Z"));
        SagaEventEntry credited = entry(new Deposited(new BigDecimal("50.50"), new BigDecimal("0.00"), "tx-1"),
                Instant.parse("2026-03-01T10:00:01.000009Z"));
        SagaState s = state("acct-1:tx-1", 1, retry, timeout, false, false);
        store.commit(s, 0, List.of(opened, credited));

        SagaState read = load("acct-1:tx-1");
        assertFields(read, s, List.of(opened, credited));
        assertThat(read.wakeAt()).isEqualTo(retry);
        Deposited d = (Deposited) read.events().get(1).event();
        assertThat(d.amount().toPlainString()).isEqualTo("50.50");
        assertThat(d.balance().toPlainString()).isEqualTo("0.00");
    }

    @Test
    @Tag("SG7")
    @DisplayName("SG7: a later commit updates every field (including clearing retryAt) and appends its events to "
            + "the history")
    void laterCommitAppends() {
        SagaEventEntry first = entry(new Noted("first", 1), T0);
        SagaEventEntry second = entry(new Noted("second", 2), T0.plusSeconds(1));
        SagaEventEntry third = entry(new Noted("third", 3), T0.plusSeconds(2));
        store.commit(state("s", 1, T0.plusSeconds(30), T0.plusSeconds(3600), false, false), 0, List.of(first));
        SagaState v2 = state("s", 2, null, T0.plusSeconds(3600), false, false);
        store.commit(v2, 1, List.of(second, third));
        assertFields(load("s"), v2, List.of(first, second, third));

        SagaState v3 = state("s", 3, null, T0.plusSeconds(3600), true, false);
        store.commit(v3, 2, List.of());
        assertFields(load("s"), v3, List.of(first, second, third));
    }

    @Test
    @Tag("SG7")
    @DisplayName("SG7, §19 bug 17: complete and timedOut are their own fields: a saga with a timeout loads as not "
            + "complete, and a timed-out saga loads as timed out")
    void completeIsNotTheTimeout() {
        SagaState withTimeout = state("waiting", 1, null, T0.plusSeconds(3600), false, false);
        store.commit(withTimeout, 0, List.of());
        assertThat(load("waiting").complete()).isFalse();
        assertThat(load("waiting").timedOut()).isFalse();
        assertThat(load("waiting").timeoutAt()).isEqualTo(T0.plusSeconds(3600));

        SagaState expired = state("expired", 1, null, T0.plusSeconds(60), false, true);
        store.commit(expired, 0, List.of());
        assertFields(load("expired"), expired, List.of());

        SagaState done = state("done", 1, null, null, true, false);
        store.commit(done, 0, List.of());
        assertFields(load("done"), done, List.of());
    }

    @Test
    @Tag("SG4")
    @DisplayName("SG4: a commit with a stale expected version raises VersionConflictException(sagaId, expected + 1) "
            + "and writes nothing")
    void optimisticConflict() {
        SagaEventEntry first = entry(new Noted("first", 1), T0);
        SagaState v1 = state("s", 1, T0.plusSeconds(30), null, false, false);
        store.commit(v1, 0, List.of(first));

        VersionConflictException e = conflict(() -> store.commit(state("s", 1, null, null, true, false), 0,
                List.of(entry(new Noted("lost", 9), T0))));
        assertThat(e.aggregateId()).isEqualTo("s");
        assertThat(e.version()).isEqualTo(1);
        assertFields(load("s"), v1, List.of(first));

        SagaState v2 = state("s", 2, null, null, false, false);
        store.commit(v2, 1, List.of());
        VersionConflictException stale = conflict(() -> store.commit(state("s", 2, null, null, true, false), 1,
                List.of(entry(new Noted("lost", 9), T0))));
        assertThat(stale.aggregateId()).isEqualTo("s");
        assertThat(stale.version()).isEqualTo(2);
        assertFields(load("s"), v2, List.of(first));

        conflict(() -> store.commit(state("fresh", 4, null, null, false, false), 3, List.of()));
        assertThat(store.get("fresh")).as("a new saga must start at expected version 0").isEmpty();
    }

    @Test
    @Tag("SG4")
    @DisplayName("SG4: evaluations racing to commit the same saga version: exactly one wins, the others conflict "
            + "and write nothing")
    void concurrentCommitRace() throws Exception {
        SagaEventEntry first = entry(new Noted("first", 1), T0);
        store.commit(state("s", 1, null, null, false, false), 0, List.of(first));
        int threads = 6;
        CyclicBarrier barrier = new CyclicBarrier(threads);
        AtomicInteger wins = new AtomicInteger();
        List<SagaEventEntry> winning = new CopyOnWriteArrayList<>();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int n = t;
                futures.add(executor.submit(() -> {
                    SagaEventEntry mine = entry(new Noted("thread-" + n, n), T0.plusSeconds(n));
                    barrier.await(WAIT_SECONDS, TimeUnit.SECONDS);
                    try {
                        store.commit(state("s", 2, T0.plusSeconds(n), null, false, false), 1, List.of(mine));
                        wins.incrementAndGet();
                        winning.add(mine);
                    } catch (VersionConflictException e) {
                        if (!e.aggregateId().equals("s") || e.version() != 2) unexpected.add(e);
                    } catch (RuntimeException e) {
                        unexpected.add(e);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } finally {
            executor.shutdownNow();
        }
        assertThat(unexpected).isEmpty();
        assertThat(wins.get()).isEqualTo(1);
        SagaState read = load("s");
        assertThat(read.version()).isEqualTo(2);
        assertThat(read.events()).containsExactly(first, winning.get(0));
        assertThat(read.retryAt()).isEqualTo(T0.plusSeconds(((Noted) winning.get(0).event()).n()));
    }

    @Test
    @Tag("SG8")
    @DisplayName("SG8, §19 bugs 17, 23: dueIds = not complete, not timed out, wakeAt <= now, earliest first, at most "
            + "limit")
    void dueIds() {
        store.commit(state("late", 1, T0.plusSeconds(30), null, false, false), 0, List.of());
        store.commit(state("early", 1, T0.plusSeconds(10), null, false, false), 0, List.of());
        store.commit(state("by-timeout", 1, null, T0.plusSeconds(20), false, false), 0, List.of());
        store.commit(state("exactly-now", 1, T0.plusSeconds(60), null, false, false), 0, List.of());
        store.commit(state("future", 1, T0.plusSeconds(61), null, false, false), 0, List.of());
        store.commit(new SagaState("done", "TransferSaga", 1, T0, null, true, false, T0, List.of()), 0, List.of());
        store.commit(new SagaState("expired", "TransferSaga", 1, T0, null, false, true, T0, List.of()), 0, List.of());
        store.commit(state("idle", 1, null, null, false, false), 0, List.of());

        Instant now = T0.plusSeconds(60);
        assertThat(store.dueIds(now, 10)).containsExactly("early", "by-timeout", "late", "exactly-now");
        assertThat(store.dueIds(now, 2)).as("limit honoured (bug 23)").containsExactly("early", "by-timeout");
        assertThat(store.dueIds(now, 1)).containsExactly("early");
        assertThat(store.dueIds(T0, 10)).isEmpty();
        assertThat(store.dueIds(T0.plusSeconds(3600), 100)).containsExactly("early", "by-timeout", "late",
                "exactly-now", "future");
    }

    @Test
    @Tag("SG8")
    @DisplayName("SG8, §19 bug 20: wake times are compared as instants, not as text (10:00:00Z is before "
            + "10:00:00.000001Z although it sorts after it as text)")
    void dueComparesInstants() {
        Instant whole = Instant.parse("2026-03-01T10:00:00Z");
        Instant micro = Instant.parse("2026-03-01T10:00:00.000001Z");
        Instant nextDay = Instant.parse("2026-03-02T09:00:00Z");
        store.commit(withWake("micro", micro), 0, List.of());
        store.commit(withWake("next-day", nextDay), 0, List.of());
        store.commit(withWake("whole", whole), 0, List.of());
        assertThat(store.dueIds(whole, 10)).containsExactly("whole");
        assertThat(store.dueIds(micro, 10)).containsExactly("whole", "micro");
        assertThat(store.dueIds(nextDay.minusNanos(1000), 10)).containsExactly("whole", "micro");
        assertThat(store.dueIds(nextDay, 10)).containsExactly("whole", "micro", "next-day");
    }

    @Test
    @Tag("SG8")
    @DisplayName("SG8: a commit moves the saga in or out of the due set (later wakeAt, completion, time-out)")
    void dueFollowsCommits() {
        store.commit(state("a", 1, T0, null, false, false), 0, List.of());
        store.commit(state("b", 1, T0, null, false, false), 0, List.of());
        store.commit(state("c", 1, T0, null, false, false), 0, List.of());
        assertThat(store.dueIds(T0, 10)).containsExactlyInAnyOrder("a", "b", "c");
        store.commit(state("a", 2, T0.plusSeconds(300), null, false, false), 1, List.of());
        store.commit(state("b", 2, null, null, true, false), 1, List.of());
        store.commit(state("c", 2, T0, null, false, true), 1, List.of());
        assertThat(store.dueIds(T0.plusSeconds(299), 10)).isEmpty();
        assertThat(store.dueIds(T0.plusSeconds(300), 10)).containsExactly("a");
    }

    @Test
    @Tag("MN1")
    @DisplayName("Claims: claimDue takes due sagas no one holds for a lease, earliest first, at most limit; a claimed "
            + "saga is still due but not claimed again until the lease runs out or the saga commits")
    void claimDueLeases() {
        store.commit(withWake("a", T0), 0, List.of());
        store.commit(withWake("b", T0.plusSeconds(1)), 0, List.of());
        store.commit(withWake("c", T0.plusSeconds(2)), 0, List.of());
        store.commit(withWake("later", T0.plusSeconds(600)), 0, List.of());
        Duration lease = Duration.ofSeconds(30);
        Instant now = T0.plusSeconds(10);
        assertThat(store.claimDue(now, lease, 2)).containsExactly("a", "b");
        assertThat(store.claimDue(now, lease, 10)).as("a and b are held").containsExactly("c");
        assertThat(store.claimDue(now.plusSeconds(29), lease, 10)).as("all held").isEmpty();
        assertThat(store.dueIds(now, 10)).as("held sagas are still due").containsExactly("a", "b", "c");
        store.commit(state("b", 2, T0.plusSeconds(5), null, false, false), 1, List.of());
        assertThat(store.claimDue(now.plusSeconds(1), lease, 10)).as("a commit ends the claim")
                .containsExactly("b");
        assertThat(store.claimDue(now.plusSeconds(30), lease, 10)).as("leases of a and c ran out")
                .containsExactly("a", "c");
    }

    @Test
    @Tag("MN1")
    @DisplayName("Claims: threads claiming due sagas at once never get the same saga")
    void concurrentSagaClaimsAreDisjoint() throws Exception {
        for (int i = 0; i < 120; i++) store.commit(withWake(String.format("s%03d", i), T0), 0, List.of());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<List<String>>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    go.await();
                    List<String> got = new java.util.ArrayList<>();
                    for (int round = 0; round < 100; round++) { // bounded: a store that never leases repeats forever
                        List<String> batch = store.claimDue(T0.plusSeconds(1), Duration.ofMinutes(5), 7);
                        if (batch.isEmpty()) break;
                        got.addAll(batch);
                    }
                    return got;
                }));
            }
            go.countDown();
            List<String> all = new java.util.ArrayList<>();
            for (var f : results) all.addAll(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            assertThat(all).as("every due saga claimed exactly once").hasSize(120).doesNotHaveDuplicates();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Tag("D12")
    @Tag("SG8")
    @DisplayName("SG8, D12: list shows open sagas, finished ones (complete or timed out) only when asked, at most "
            + "limit")
    void listForOperators() {
        store.commit(state("open-1", 1, T0, null, false, false), 0, List.of());
        store.commit(state("open-2", 1, null, null, false, false), 0, List.of());
        store.commit(state("complete", 1, null, null, true, false), 0, List.of());
        store.commit(state("timed-out", 1, null, T0, false, true), 0, List.of());

        assertThat(store.list(false, 10)).extracting(SagaState::sagaId).containsExactlyInAnyOrder("open-1", "open-2");
        assertThat(store.list(true, 10)).extracting(SagaState::sagaId)
                .containsExactlyInAnyOrder("open-1", "open-2", "complete", "timed-out");
        assertThat(store.list(true, 3)).hasSize(3);
        assertThat(store.list(false, 1)).hasSize(1).first().extracting(SagaState::sagaId)
                .isIn("open-1", "open-2");
        SagaState listed = store.list(true, 10).stream().filter(s -> s.sagaId().equals("timed-out")).findFirst()
                .orElseThrow();
        assertThat(listed.timedOut()).isTrue();
        assertThat(listed.complete()).isFalse();
        assertThat(listed.timeoutAt()).isEqualTo(T0);
    }

    @Test
    @Tag("OB4")
    @DisplayName("OB4: backlog(now, overdueAt) counts open sagas, those due at now and those due at overdueAt")
    void backlogCounts() {
        assertThat(store.backlog(T0, T0)).isEqualTo(new jangle.spi.SagaBacklog(0, 0, 0));
        store.commit(withWake("old", T0), 0, List.of());
        store.commit(withWake("recent", T0.plusSeconds(50)), 0, List.of());
        store.commit(withWake("later", T0.plusSeconds(600)), 0, List.of());
        store.commit(state("done", 1, null, null, true, false), 0, List.of());
        store.commit(state("sleeping", 1, null, null, false, false), 0, List.of());
        assertThat(store.backlog(T0.plusSeconds(60), T0.plusSeconds(30)))
                .isEqualTo(new jangle.spi.SagaBacklog(4, 2, 1));
    }
}
