package jangle.test;

import jangle.TypeRegistry;
import jangle.spi.Snapshot;
import jangle.spi.SnapshotStore;
import jangle.test.ContractEvents.AccountState;
import jangle.test.ContractEvents.EmptyState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link SnapshotStore} must pass (S3, S7, S8, §17 CR5). A store's test constructs a fresh, empty
 * store in {@link #createStore}; the suite does the rest.
 *
 * <p>Why: the command handler trusts the snapshot store for one thing only, to hand back the newest snapshot it was
 * given, with its exact state, or nothing usable. Each store must show that the same way: one snapshot per aggregate,
 * an older put never replaces a newer one, deleting a missing snapshot is fine, a fingerprint mismatch yields the
 * snapshot with a null state (so the handler deletes it and replays, S3), and a state with no components is a valid
 * state (S7, §19 bug 4). If the store is {@link AutoCloseable} it is closed after each test.
 */
public abstract class SnapshotStoreContract {
    private static final String FP = "fingerprint-1";
    private static final Instant AT = Instant.parse("2026-03-01T10:15:30.123456Z");

    /** A fresh, empty store that reads and writes the given registry's types (see {@link ContractEvents}). */
    protected abstract SnapshotStore createStore(TypeRegistry types) throws Exception;

    /** Closes the store after each test; the default closes an {@link AutoCloseable} store. */
    protected void closeStore(SnapshotStore store) throws Exception {
        if (store instanceof AutoCloseable closeable) closeable.close();
    }

    protected final TypeRegistry types = ContractEvents.registry();
    protected SnapshotStore store;

    @BeforeEach
    final void openContractStore() throws Exception {
        store = createStore(types);
        assertThat(store).as("createStore must return a store").isNotNull();
    }

    @AfterEach
    final void closeContractStore() throws Exception {
        if (store != null) closeStore(store);
    }

    private static AccountState state(String balance) {
        return new AccountState("Zoë \"Z\" Ng", new BigDecimal(balance), AT, List.of("gold", "✓"));
    }

    private static Snapshot snapshot(String id, long version, long position, Record state) {
        return new Snapshot(id, version, position, FP, state);
    }

    @Test
    @Tag("S8")
    @DisplayName("S8: an aggregate without a snapshot has none")
    void missing() {
        assertThat(store.get("nobody", AccountState.class, FP)).isEmpty();
    }

    @Test
    @Tag("J3")
    @Tag("J4")
    @Tag("S8")
    @DisplayName("S8, J3, J4: put then get returns id, version, position, fingerprint and the exact state")
    void roundTrip() {
        Snapshot s = snapshot("acct-1", 40, 1234, state("100.50"));
        store.put(s);
        Snapshot read = store.get("acct-1", AccountState.class, FP).orElseThrow();
        assertThat(read).isEqualTo(s);
        AccountState st = (AccountState) read.state();
        assertThat(st.balance().toPlainString()).as("scale kept").isEqualTo("100.50");
        assertThat(st.lastChange()).as("microseconds kept").isEqualTo(AT);
        assertThat(st.tags()).containsExactly("gold", "✓");
    }

    @Test
    @Tag("S8")
    @DisplayName("S8: a newer snapshot replaces the one held")
    void newerOverwrites() {
        store.put(snapshot("acct-1", 10, 100, state("1.00")));
        Snapshot newer = snapshot("acct-1", 20, 250, state("2.00"));
        store.put(newer);
        assertThat(store.get("acct-1", AccountState.class, FP)).contains(newer);
    }

    @Test
    @Tag("S8")
    @DisplayName("S8: storing an older version than the one held is a no-op")
    void olderPutIgnored() {
        Snapshot newer = snapshot("acct-1", 20, 250, state("2.00"));
        store.put(newer);
        store.put(snapshot("acct-1", 10, 100, state("1.00")));
        assertThat(store.get("acct-1", AccountState.class, FP)).contains(newer);
    }

    @Test
    @Tag("S8")
    @DisplayName("S8: one snapshot per aggregate; aggregates do not see each other's snapshots")
    void onePerAggregate() {
        Snapshot a = snapshot("a", 5, 10, state("5.00"));
        Snapshot b = snapshot("b", 3, 11, state("3.00"));
        store.put(a);
        store.put(b);
        assertThat(store.get("a", AccountState.class, FP)).contains(a);
        assertThat(store.get("b", AccountState.class, FP)).contains(b);
        store.delete("a");
        assertThat(store.get("a", AccountState.class, FP)).isEmpty();
        assertThat(store.get("b", AccountState.class, FP)).contains(b);
    }

    @Test
    @Tag("S8")
    @DisplayName("S8: delete removes the snapshot; deleting a missing snapshot is not an error")
    void deleteMissingIsFine() {
        store.delete("never-stored");
        store.put(snapshot("acct-1", 10, 100, state("1.00")));
        store.delete("acct-1");
        store.delete("acct-1");
        assertThat(store.get("acct-1", AccountState.class, FP)).isEmpty();
        Snapshot again = snapshot("acct-1", 3, 30, state("3.00"));
        store.put(again);
        assertThat(store.get("acct-1", AccountState.class, FP)).as("after delete an older version may be stored")
                .contains(again);
    }

    @Test
    @Tag("S3")
    @DisplayName("S3: a fingerprint mismatch returns the snapshot with its own fingerprint and a null state")
    void fingerprintMismatch() {
        store.put(snapshot("acct-1", 10, 100, state("1.00")));
        Snapshot read = store.get("acct-1", AccountState.class, "fingerprint-2").orElseThrow();
        assertThat(read.state()).isNull();
        assertThat(read.fingerprint()).isEqualTo(FP);
        assertThat(read.aggregateId()).isEqualTo("acct-1");
        assertThat(read.version()).isEqualTo(10);
        assertThat(read.position()).isEqualTo(100);
    }

    @Test
    @Tag("S7")
    @DisplayName("S7, §19 bug 4: a state record with no components is a valid snapshot and comes back non-null")
    void emptyStateRecord() {
        store.put(snapshot("creation", 7, 70, new EmptyState()));
        Snapshot read = store.get("creation", EmptyState.class, FP).orElseThrow();
        assertThat(read.state()).isNotNull().isEqualTo(new EmptyState());
        assertThat(read.version()).isEqualTo(7);
    }
}
