package jangle.test;

import jangle.EventRecord;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The triple-shuffle check (R5, §17 CR5): a read model is replay-safe only if the tables it builds from a history
 * delivered once, in order, equal, row for row, the tables it builds from the same history delivered three times over
 * in a random order. That is what at-least-once, out-of-order delivery (D5, D6) and replay during live traffic (R4)
 * demand of every projection, and what versioned upserts (V1–V4) are for.
 *
 * <p>The shuffle is seeded so a failure can be reproduced; the seed, the table and the first differing row are in the
 * failure message. Rows are compared in the order {@link ShuffleTarget#rows()} returns them, so targets must return
 * them in a deterministic order (for example {@code ORDER BY} every key column). Cells are compared with
 * {@link Objects#deepEquals}, so a {@code BigDecimal} of another scale is a difference.
 *
 * {@snippet :
 * TripleShuffle.check(history, () -> freshViewsInNewDatabase(), 20260301L);
 * }
 */
public final class TripleShuffle {
    /** Events handed to {@link ShuffleTarget#apply} at a time, unless given. */
    public static final int DEFAULT_BATCH_SIZE = 100;

    private TripleShuffle() {
    }

    /** A read model built from scratch: empty tables, fed batches of events, and dumped for comparison. */
    public interface ShuffleTarget {
        /** Delivers one batch of events (it may hold the same event more than once, and in any order). */
        void apply(List<EventRecord<?>> batch);

        /** Every table: name → all rows in a deterministic order, each row a list of column values. */
        Map<String, List<List<Object>>> rows();
    }

    /**
     * Builds {@code fresh.get()} from {@code history} in order, builds another {@code fresh.get()} from the history
     * repeated three times and shuffled with {@code seed}, and compares every row of every table.
     *
     * @throws AssertionError naming the seed, the table and the first differing row when they differ
     */
    public static void check(List<EventRecord<?>> history, Supplier<? extends ShuffleTarget> fresh, long seed) {
        check(history, fresh, seed, DEFAULT_BATCH_SIZE);
    }

    /** {@link #check(List, Supplier, long)} delivering {@code batchSize} events per {@link ShuffleTarget#apply}. */
    public static void check(List<EventRecord<?>> history, Supplier<? extends ShuffleTarget> fresh, long seed,
                             int batchSize) {
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(fresh, "fresh");
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);

        ShuffleTarget inOrder = fresh.get();
        deliver(inOrder, history, batchSize);
        Map<String, List<List<Object>>> expected = inOrder.rows();

        List<EventRecord<?>> tripled = new ArrayList<>(history.size() * 3);
        for (int i = 0; i < 3; i++) tripled.addAll(history);
        Collections.shuffle(tripled, new Random(seed));
        ShuffleTarget shuffled = fresh.get();
        if (shuffled == inOrder) {
            throw new IllegalArgumentException("the supplier must return a fresh, empty target on every call");
        }
        deliver(shuffled, tripled, batchSize);
        compare(expected, shuffled.rows(), seed, history.size());
    }

    private static void deliver(ShuffleTarget target, List<EventRecord<?>> events, int batchSize) {
        for (int from = 0; from < events.size(); from += batchSize) {
            target.apply(List.copyOf(events.subList(from, Math.min(events.size(), from + batchSize))));
        }
    }

    /** The first difference between two table dumps, as an assertion error; nothing when they are equal. */
    static void compare(Map<String, List<List<Object>>> inOrder, Map<String, List<List<Object>>> shuffled, long seed,
                        int events) {
        String head = "Triple shuffle failed (seed " + seed + ", " + events + " events delivered in order vs "
                + (3L * events) + " shuffled): ";
        TreeSet<String> tables = new TreeSet<>(inOrder.keySet());
        tables.addAll(shuffled.keySet());
        for (String table : tables) {
            List<List<Object>> a = inOrder.get(table);
            List<List<Object>> b = shuffled.get(table);
            if (a == null || b == null) {
                throw new AssertionError(head + "table '" + table + "' exists only in the "
                        + (a == null ? "shuffled" : "in-order") + " build");
            }
            int n = Math.min(a.size(), b.size());
            for (int i = 0; i < n; i++) {
                if (!rowEquals(a.get(i), b.get(i))) {
                    throw new AssertionError(head + "table '" + table + "' differs at row " + i + ":\n  in order: "
                            + a.get(i) + "\n  shuffled: " + b.get(i));
                }
            }
            if (a.size() != b.size()) {
                boolean extraInOrder = a.size() > b.size();
                throw new AssertionError(head + "table '" + table + "' has " + a.size() + " rows in order but "
                        + b.size() + " shuffled; first row only in the " + (extraInOrder ? "in-order" : "shuffled")
                        + " build: " + (extraInOrder ? a.get(n) : b.get(n)));
            }
        }
    }

    private static boolean rowEquals(List<Object> a, List<Object> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            if (!Objects.deepEquals(a.get(i), b.get(i))) return false;
        }
        return true;
    }
}
