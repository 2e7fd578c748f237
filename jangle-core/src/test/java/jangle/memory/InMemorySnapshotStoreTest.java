package jangle.memory;

import jangle.spi.Snapshot;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InMemorySnapshotStoreTest {
    record State(int total) {
    }

    record Empty() {
    }

    private final InMemorySnapshotStore store = new InMemorySnapshotStore();

    @Test
    @Tag("S8")
    @DisplayName("S8: one snapshot per aggregate; an older version is a no-op, a newer one replaces it")
    void onePerAggregate() {
        store.put(new Snapshot("a", 10, 100, "fp", new State(10)));
        store.put(new Snapshot("a", 5, 50, "fp", new State(5)));
        assertThat(store.get("a", State.class, "fp")).contains(new Snapshot("a", 10, 100, "fp", new State(10)));
        store.put(new Snapshot("a", 20, 200, "fp", new State(20)));
        assertThat(store.get("a", State.class, "fp").orElseThrow().version()).isEqualTo(20);
        assertThat(store.get("b", State.class, "fp")).isEmpty();
    }

    @Test
    @Tag("S3")
    @DisplayName("S3: a different fingerprint returns the snapshot with a null state and its own fingerprint")
    void fingerprintMismatch() {
        store.put(new Snapshot("a", 10, 100, "old", new State(10)));
        Snapshot s = store.get("a", State.class, "new").orElseThrow();
        assertThat(s.state()).isNull();
        assertThat(s.fingerprint()).isEqualTo("old");
        assertThat(s.version()).isEqualTo(10);
    }

    @Test
    @Tag("S7")
    @Tag("S8")
    @DisplayName("S7, S8: an empty record is a valid state; deleting a missing snapshot is not an error")
    void emptyStateAndDelete() {
        store.put(new Snapshot("a", 1, 1, "fp", new Empty()));
        assertThat(store.get("a", Empty.class, "fp").orElseThrow().state()).isEqualTo(new Empty());
        store.delete("a");
        store.delete("a");
        assertThat(store.get("a", Empty.class, "fp")).isEmpty();
    }
}
