package jangle;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

/** An aggregate whose snapshot frequency is 0 (snapshots off) never costs a snapshot-store read (issue 12 §11). */
class SnapshotOffTest {
    private static final int ARMED = 1_000;

    @Test
    @Tag("S1")
    @DisplayName("S1: frequency 0 reads no snapshot when rebuilding; a snapshotting aggregate still does")
    void frequencyZeroReadsNoSnapshot() {
        FaultyStores stores = new FaultyStores();
        // every snapshot read takes one from this counter (and fails, which a command survives, S6)
        stores.failSnapshotReads.set(ARMED);
        try (Jangle j = Bank.builder().stores(stores).aggregateCacheSize(0).build()) {
            String id = j.send(new Bank.Open("Off")).acceptedData(String.class); // the creator (frequency 10) reads one
            int afterOpen = stores.failSnapshotReads.get();
            assertThat(afterOpen).as("the creator, frequency 10, reads its snapshot").isLessThan(ARMED);
            for (int i = 0; i < 20; i++) assertThat(j.send(new Bank.Deposit(id, BigDecimal.ONE)).isAccepted()).isTrue();
            assertThat(stores.failSnapshotReads.get()).as("snapshot reads by the frequency-0 account")
                    .isEqualTo(afterOpen);
        }
    }
}
