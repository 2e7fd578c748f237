package jangle.memory;

import jangle.Event;
import jangle.VersionConflictException;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemorySagaStoreTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    record Step(String name) implements Event {
    }

    private final InMemorySagaStore store = new InMemorySagaStore();

    private static SagaState state(String id, long version, Instant retryAt, Instant timeoutAt, boolean complete,
                                   boolean timedOut) {
        Instant wake = complete || timedOut ? null
                : retryAt == null ? timeoutAt : timeoutAt == null || retryAt.isBefore(timeoutAt) ? retryAt : timeoutAt;
        return new SagaState(id, "S", version, retryAt, timeoutAt, complete, timedOut, wake, List.of());
    }

    private static SagaEventEntry entry(String name) {
        return new SagaEventEntry(UUID.randomUUID(), "Step", new Step(name), T0);
    }

    @Test
    @Tag("SG7")
    @Tag("SG8")
    @DisplayName("SG7, SG8: a commit stores every field and appends the new events to the history")
    void commitAndGet() {
        SagaEventEntry a = entry("a");
        SagaEventEntry b = entry("b");
        store.commit(state("s", 1, T0, T0.plusSeconds(60), false, false), 0, List.of(a));
        store.commit(state("s", 2, null, T0.plusSeconds(60), true, false), 1, List.of(b));
        SagaState s = store.get("s").orElseThrow();
        assertThat(s.version()).isEqualTo(2);
        assertThat(s.retryAt()).isNull();
        assertThat(s.timeoutAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(s.complete()).isTrue();
        assertThat(s.timedOut()).isFalse();
        assertThat(s.events()).containsExactly(a, b);
        assertThat(store.get("missing")).isEmpty();
    }

    @Test
    @Tag("SG4")
    @DisplayName("SG4: a commit with a stale expected version is VersionConflictException(sagaId, expected + 1)")
    void optimisticCommit() {
        store.commit(state("s", 1, null, null, false, false), 0, List.of(entry("a")));
        assertThatThrownBy(() -> store.commit(state("s", 1, null, null, false, false), 0, List.of(entry("x"))))
                .isInstanceOf(VersionConflictException.class)
                .satisfies(e -> {
                    assertThat(((VersionConflictException) e).aggregateId()).isEqualTo("s");
                    assertThat(((VersionConflictException) e).version()).isEqualTo(1);
                });
        assertThat(store.get("s").orElseThrow().events()).hasSize(1);
        assertThatThrownBy(() -> store.commit(state("t", 1, null, null, false, false), 3, List.of()))
                .isInstanceOf(VersionConflictException.class);
        assertThat(store.get("t")).isEmpty();
    }

    @Test
    @Tag("SG8")
    @DisplayName("SG8, §19 bugs 17, 20, 23: dueIds compares instants, skips finished sagas, orders by wakeAt, honours limit")
    void dueIds() {
        store.commit(state("late", 1, T0.plusSeconds(30), null, false, false), 0, List.of());
        store.commit(state("early", 1, T0.plusSeconds(10), null, false, false), 0, List.of());
        store.commit(state("timeout", 1, null, T0.plusSeconds(20), false, false), 0, List.of());
        store.commit(state("future", 1, T0.plusSeconds(3600), null, false, false), 0, List.of());
        store.commit(state("done", 1, T0, null, true, false), 0, List.of());
        store.commit(state("expired", 1, T0, null, false, true), 0, List.of());
        store.commit(state("idle", 1, null, null, false, false), 0, List.of());
        assertThat(store.dueIds(T0.plusSeconds(60), 10)).containsExactly("early", "timeout", "late");
        assertThat(store.dueIds(T0.plusSeconds(60), 2)).containsExactly("early", "timeout");
        assertThat(store.dueIds(T0.plusSeconds(10), 10)).containsExactly("early");
        // a commit moves the saga in the index
        store.commit(state("early", 2, null, null, true, false), 1, List.of());
        assertThat(store.dueIds(T0.plusSeconds(60), 10)).containsExactly("timeout", "late");
        // a saga that loaded as not complete stays not complete (bug 17)
        assertThat(store.get("timeout").orElseThrow().complete()).isFalse();
    }

    @Test
    @Tag("SG8")
    @DisplayName("SG8: list shows open sagas, and finished ones when asked, within the limit")
    void listForOperators() {
        store.commit(state("a", 1, null, null, false, false), 0, List.of());
        store.commit(state("b", 1, null, null, true, false), 0, List.of());
        store.commit(state("c", 1, null, null, false, true), 0, List.of());
        assertThat(store.list(false, 10)).extracting(SagaState::sagaId).containsExactly("a");
        assertThat(store.list(true, 10)).extracting(SagaState::sagaId).containsExactly("a", "b", "c");
        assertThat(store.list(true, 2)).hasSize(2);
    }
}
