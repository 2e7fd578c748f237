package jangle.jdbc;

import jangle.SerializationException;
import jangle.VersionConflictException;
import jangle.jdbc.TestEvents.Deposited;
import jangle.jdbc.TestEvents.Noted;
import jangle.jdbc.TestEvents.State;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import jangle.spi.SagaStore;
import jangle.spi.Snapshot;
import jangle.spi.SnapshotStore;
import jangle.spi.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static jangle.jdbc.TestEvents.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Direct tests of the SQL snapshot and saga stores, run on both dialects by the subclasses. */
abstract class SnapshotAndSagaCases {
    protected JdbcDatabase db;
    protected SnapshotStore snapshots;
    protected SagaStore sagas;

    protected abstract JdbcDatabase newDatabase() throws Exception;

    record Empty() {
    }

    record OtherState(String owner) {
    }

    @BeforeEach
    void open() throws Exception {
        db = newDatabase();
        Stores stores = TestEvents.open(db, 100);
        snapshots = stores.snapshots();
        sagas = stores.sagas();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static State state(String owner) {
        return new State(owner, new BigDecimal("10.50"), Map.of("t1", new BigDecimal("-0.10"), "t2", BigDecimal.TEN));
    }

    @Test
    @Tag("S8")
    @DisplayName("S8: one snapshot per aggregate; older versions are ignored; fingerprint mismatch gives no state")
    void snapshots() {
        assertThat(snapshots.get("a", State.class, "f1")).isEmpty();
        snapshots.put(new Snapshot("a", 5, 50, "f1", state("five")));
        assertThat(snapshots.get("a", State.class, "f1")).contains(new Snapshot("a", 5, 50, "f1", state("five")));
        snapshots.put(new Snapshot("a", 3, 30, "f1", state("three")));
        assertThat(snapshots.get("a", State.class, "f1").orElseThrow().version()).isEqualTo(5);
        snapshots.put(new Snapshot("a", 8, 80, "f2", state("eight")));
        Snapshot other = snapshots.get("a", State.class, "f1").orElseThrow();
        assertThat(other.state()).isNull();
        assertThat(other.fingerprint()).isEqualTo("f2");
        assertThat(other.version()).isEqualTo(8);
        assertThat(((State) snapshots.get("a", State.class, "f2").orElseThrow().state()).balance().scale())
                .isEqualTo(2);
        snapshots.delete("a");
        snapshots.delete("a");
        assertThat(snapshots.get("a", State.class, "f2")).isEmpty();
    }

    @Test
    @Tag("S7")
    @DisplayName("S7: a state with no components is a valid snapshot")
    void emptyState() {
        snapshots.put(new Snapshot("e", 1, 1, "f", new Empty()));
        assertThat(snapshots.get("e", Empty.class, "f").orElseThrow().state()).isEqualTo(new Empty());
    }

    @Test
    @Tag("J7")
    @Tag("S5")
    @DisplayName("S5/J7: a stored state that does not decode raises SerializationException")
    void undecodableState() {
        snapshots.put(new Snapshot("a", 1, 1, "f", state("x")));
        assertThatThrownBy(() -> snapshots.get("a", OtherState.class, "f")).isInstanceOf(SerializationException.class);
    }

    private static SagaEventEntry entry(Object payload, Instant at) {
        String type = payload instanceof Deposited ? "test.Deposited" : "test.Noted";
        return new SagaEventEntry(UUID.randomUUID(), type, (TestEvents.TestEvent) payload, at);
    }

    private static SagaState saga(String id, long version, Instant retryAt, Instant timeoutAt, boolean complete,
                                  boolean timedOut, Instant wakeAt) {
        return new SagaState(id, "Transfer", version, retryAt, timeoutAt, complete, timedOut, wakeAt, List.of());
    }

    @Test
    @Tag("SG7")
    @DisplayName("SG7/bug #17: a saga's fields and history are restored exactly; complete is not the timeout")
    void sagaRoundTrip() {
        Instant retry = Instant.parse("2026-03-01T10:00:00.000001Z");
        Instant timeout = Instant.parse("2026-03-02T10:00:00Z");
        SagaEventEntry e1 = entry(new Deposited("a", new BigDecimal("5.00"), T0), T0);
        SagaEventEntry e2 = entry(new Noted("step", 2), T0.plusSeconds(1));
        sagas.commit(saga("s1", 1, retry, timeout, false, false, retry), 0, List.of(e1, e2));
        SagaState loaded = sagas.get("s1").orElseThrow();
        assertThat(loaded).isEqualTo(new SagaState("s1", "Transfer", 1, retry, timeout, false, false, retry,
                List.of(e1, e2)));

        SagaEventEntry e3 = entry(new Noted("done", 3), T0.plusSeconds(2));
        sagas.commit(saga("s1", 2, null, timeout, true, false, null), 1, List.of(e3));
        assertThat(sagas.get("s1").orElseThrow()).isEqualTo(new SagaState("s1", "Transfer", 2, null, timeout, true,
                false, null, List.of(e1, e2, e3)));
        sagas.commit(saga("s2", 1, null, timeout, false, true, null), 0, List.of());
        SagaState timedOut = sagas.get("s2").orElseThrow();
        assertThat(timedOut.complete()).isFalse();
        assertThat(timedOut.timedOut()).isTrue();
        assertThat(sagas.get("none")).isEmpty();
    }

    @Test
    @Tag("SG4")
    @DisplayName("SG4: a commit whose expected version is stale raises VersionConflictException and writes nothing, "
            + "neither the saga nor its events")
    void sagaConflicts() {
        sagas.commit(saga("s", 1, null, null, false, false, null), 0, List.of(entry(new Noted("a", 1), T0)));
        assertThatThrownBy(() -> sagas.commit(saga("s", 1, null, null, true, false, null), 0,
                List.of(entry(new Noted("b", 1), T0))))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> {
                    assertThat(e.aggregateId()).isEqualTo("s");
                    assertThat(e.version()).isEqualTo(1);
                });
        sagas.commit(saga("s", 2, null, null, false, false, null), 1, List.of());
        assertThatThrownBy(() -> sagas.commit(saga("s", 2, null, null, true, false, null), 1, List.of()))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> assertThat(e.version()).isEqualTo(2));
        assertThatThrownBy(() -> sagas.commit(saga("s", 5, null, null, true, false, null), 2, List.of()))
                .isInstanceOf(VersionConflictException.class);
        assertThatThrownBy(() -> sagas.commit(saga("s", 2, null, null, true, false, null), 1,
                List.of(entry(new Noted("stale", 2), T0), entry(new Noted("stale", 3), T0))))
                .as("a stale update with events").isInstanceOf(VersionConflictException.class);
        SagaState held = sagas.get("s").orElseThrow();
        assertThat(held.version()).isEqualTo(2);
        assertThat(held.complete()).isFalse();
        assertThat(held.events()).hasSize(1);
    }

    @Test
    @Tag("SG4")
    @DisplayName("SG4: of two racing commits on one saga version exactly one wins")
    void sagaRace() throws Exception {
        sagas.commit(saga("r", 1, null, null, false, false, null), 0, List.of());
        int threads = 4;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int n = i;
                Callable<Boolean> attempt = () -> {
                    start.await();
                    try {
                        sagas.commit(saga("r", 2, null, null, false, false, null), 1,
                                List.of(entry(new Noted("t" + n, n), T0)));
                        return true;
                    } catch (VersionConflictException e) {
                        return false;
                    }
                };
                results.add(pool.submit(attempt));
            }
            int wins = 0;
            for (Future<Boolean> f : results) wins += f.get() ? 1 : 0;
            assertThat(wins).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(sagas.get("r").orElseThrow().events()).hasSize(1);
    }

    @Test
    @Tag("SG8")
    @DisplayName("SG8/bugs #20, #23: dueIds compares instants, skips finished sagas, orders by wakeAt, honours limit")
    void dueSagas() {
        Instant now = Instant.parse("2026-03-01T09:00:00.5Z");
        sagas.commit(saga("late", 1, null, null, false, false, now.plusNanos(1000)), 0, List.of());
        sagas.commit(saga("exact", 1, now, null, false, false, now), 0, List.of());
        sagas.commit(saga("whole", 1, null, null, false, false, Instant.parse("2026-03-01T09:00:00Z")), 0, List.of());
        sagas.commit(saga("early", 1, null, null, false, false, Instant.parse("2026-02-28T23:00:00Z")), 0, List.of());
        sagas.commit(saga("done", 1, null, null, true, false, Instant.parse("2026-01-01T00:00:00Z")), 0, List.of());
        sagas.commit(saga("timedout", 1, null, null, false, true, Instant.parse("2026-01-01T00:00:00Z")), 0,
                List.of());
        sagas.commit(saga("idle", 1, null, null, false, false, null), 0, List.of());
        assertThat(sagas.dueIds(now, 10)).containsExactly("early", "whole", "exact");
        assertThat(sagas.dueIds(now, 2)).containsExactly("early", "whole");
        assertThat(sagas.dueIds(now.minusSeconds(86_400), 10)).isEmpty();
        assertThat(sagas.list(false, 10)).extracting(SagaState::sagaId)
                .containsExactly("early", "exact", "idle", "late", "whole");
        assertThat(sagas.list(true, 100)).hasSize(7);
        assertThat(sagas.list(true, 3)).extracting(SagaState::sagaId).containsExactly("done", "early", "exact");
    }
}
