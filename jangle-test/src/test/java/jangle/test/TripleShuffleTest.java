package jangle.test;

import jangle.Event;
import jangle.EventRecord;
import jangle.Metadata;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TripleShuffleTest {
    record Balance(BigDecimal balance) implements Event {
    }

    record Closed() implements Event {
    }

    /** A random history: accounts whose balance changes, some closed at the end. */
    private static List<EventRecord<?>> history(long seed, int accounts, int events) {
        Random random = new Random(seed);
        List<EventRecord<?>> out = new ArrayList<>();
        Map<String, Long> versions = new HashMap<>();
        for (int i = 0; i < events; i++) {
            String id = "acct-" + random.nextInt(accounts);
            long v = versions.merge(id, 1L, Long::sum);
            Event e = v > 3 && random.nextInt(10) == 0 ? new Closed()
                    : new Balance(BigDecimal.valueOf(random.nextInt(100_000), 2));
            out.add(new EventRecord<>(UUID.randomUUID(), id, v, e.getClass().getSimpleName(), 1, Instant.EPOCH,
                    i + 1L, Metadata.of(UUID.randomUUID()), e));
        }
        return out;
    }

    /** One table: id → (balance, balance_version, closed, closed_version). */
    static class Views implements TripleShuffle.ShuffleTarget {
        final TreeMap<String, Object[]> rows = new TreeMap<>();
        private final boolean versioned;

        Views(boolean versioned) {
            this.versioned = versioned;
        }

        @Override
        public void apply(List<EventRecord<?>> batch) {
            for (EventRecord<?> r : batch) {
                Object[] row = rows.computeIfAbsent(r.aggregateId(), k -> new Object[]{null, 0L, false, 0L});
                if (r.event() instanceof Balance b && (!versioned || (long) row[1] < r.version())) {
                    row[0] = b.balance();
                    row[1] = r.version();
                } else if (r.event() instanceof Closed && (!versioned || (long) row[3] < r.version())) {
                    row[2] = true;
                    row[3] = r.version();
                }
            }
        }

        @Override
        public Map<String, List<List<Object>>> rows() {
            List<List<Object>> table = new ArrayList<>();
            rows.forEach((id, row) -> table.add(List.of(id, String.valueOf(row[0]), row[1], row[2])));
            return Map.of("accounts", table);
        }
    }

    @Test
    @Tag("R5")
    @DisplayName("R5: a read model of versioned upserts passes the triple shuffle")
    void convergingModelPasses() {
        List<EventRecord<?>> h = history(7, 20, 2_000);
        List<Views> built = new ArrayList<>();
        TripleShuffle.check(h, () -> {
            Views v = new Views(true);
            built.add(v);
            return v;
        }, 42L);
        assertThat(built).hasSize(2);
        assertThat(built.get(0).rows).hasSize(20);
    }

    @Test
    @Tag("R5")
    @DisplayName("R5: a last-writer-wins read model fails, and the message names the seed, table and first "
            + "differing row")
    void lastWriterWinsFails() {
        List<EventRecord<?>> h = history(7, 20, 2_000);
        assertThatThrownBy(() -> TripleShuffle.check(h, () -> new Views(false), 123456789L))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("seed 123456789")
                .hasMessageContaining("table 'accounts'")
                .hasMessageContaining("differs at row")
                .hasMessageContaining("in order: [acct-");
    }

    @Test
    @Tag("R5")
    @DisplayName("R5: missing rows, missing tables and a reused target are reported")
    void otherDifferences() {
        Map<String, List<List<Object>>> a = Map.of("t", List.of(List.of(1, "x"), List.of(2, "y")));
        assertThatThrownBy(() -> TripleShuffle.compare(a, Map.of("t", List.of(List.of(1, "x"))), 5, 10))
                .isInstanceOf(AssertionError.class).hasMessageContaining("seed 5")
                .hasMessageContaining("2 rows in order but 1 shuffled").hasMessageContaining("[2, y]");
        assertThatThrownBy(() -> TripleShuffle.compare(a, Map.of(), 5, 10))
                .isInstanceOf(AssertionError.class).hasMessageContaining("table 't' exists only in the in-order build");
        assertThatThrownBy(() -> TripleShuffle.compare(Map.of("t", List.of(List.of(new BigDecimal("1.0")))),
                Map.of("t", List.of(List.of(new BigDecimal("1.00")))), 5, 10))
                .as("decimals of another scale differ").isInstanceOf(AssertionError.class);
        TripleShuffle.compare(a, Map.of("t", List.of(List.of(1, "x"), List.of(2, "y"))), 5, 10);
        Views same = new Views(true);
        assertThatThrownBy(() -> TripleShuffle.check(history(1, 2, 10), () -> same, 1L))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
