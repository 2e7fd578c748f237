package jangle;

import jangle.DispatchFixtures.Add;
import jangle.DispatchFixtures.Added;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * D16: live dispatch hands committed records over in feed order, whatever order the sending threads return in; H9:
 * commands for one aggregate on one node are decided one after another (no self-conflicts, none exhausted).
 */
class FeedOrderAndFairnessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int THREADS = 4;
    private static final int PER_THREAD = 2_000;

    /** "total = event.total" with a version guard: a reordered pair leaves it short of the truth. */
    private static final class GuardedTotals implements EventHandler<Added> {
        final ConcurrentHashMap<String, long[]> rows = new ConcurrentHashMap<>(); // {version, total}
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger outOfFeedOrder = new AtomicInteger();
        final AtomicLong lastPosition = new AtomicLong();
        final AtomicInteger handled = new AtomicInteger();

        @Override
        public void handle(EventRecord<Added> record, HandlerContext ctx) {
            if (record.position() <= lastPosition.getAndSet(record.position())) outOfFeedOrder.incrementAndGet();
            long[] row = rows.computeIfAbsent(record.aggregateId(), k -> new long[2]);
            if (record.version() <= row[0]) {
                refused.incrementAndGet(); // an older event after a newer one: its amount is lost
            } else {
                row[0] = record.version();
                row[1] += record.event().amount();
            }
            handled.incrementAndGet();
        }
    }

    @Test
    @Tag("D16")
    @Tag("H9")
    @DisplayName("D16 H9: several senders on one hot aggregate and a few others: the handler sees feed order, no command conflicts or exhausts")
    void feedOrderAndNoSelfConflicts() throws Exception {
        GuardedTotals totals = new GuardedTotals();
        try (Jangle j = DispatchFixtures.builder(new DispatchFixtures.MutableClock()).processorSegments(1)
                .projection("totals", Added.class, totals).build()) {
            j.start();
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> futures = new ArrayList<>();
            AtomicInteger exhausted = new AtomicInteger();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < PER_THREAD; i++) {
                        // three in four commands go to the hot aggregate, the rest to one of the thread's own
                        String id = i % 4 == 3 ? "own-" + thread : "hot";
                        try {
                            assertThat(j.send(new Add(id, 1)).isAccepted()).isTrue();
                        } catch (RetriesExhaustedException e) {
                            exhausted.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) f.get();
            pool.shutdown();
            ConsistencyToken last = j.send(new Add("hot", 1)).token();
            j.awaitHandled(last, WAIT, "totals");

            CommandCounts counts = j.operations().commandCounts();
            assertThat(exhausted.get()).as("retries exhausted").isZero();
            assertThat(counts.conflicts()).as("version conflicts on one node (H9)").isZero();
            assertThat(totals.outOfFeedOrder.get()).as("records handed over out of position order").isZero();
            assertThat(totals.refused.get()).as("older events after newer ones").isZero();
            long hot = j.stores().events().lastVersion("hot");
            assertThat(hot).isEqualTo(THREADS * PER_THREAD * 3L / 4 + 1);
            assertThat(totals.rows.get("hot")[1]).isEqualTo(hot);
            for (int t = 0; t < THREADS; t++) {
                assertThat(totals.rows.get("own-" + t)[1]).isEqualTo(PER_THREAD / 4);
            }
        }
    }

    @Test
    @Tag("D16")
    @DisplayName("D16: a failed append lets the records after it through; nothing waits for it")
    void failedAppendDoesNotHoldLaterRecords() {
        List<List<EventRecord<?>>> out = new ArrayList<>();
        FeedOrderedHandoff handoff = new FeedOrderedHandoff(out::add);
        FeedOrderedHandoff.Slot first = handoff.slot();
        FeedOrderedHandoff.Slot second = handoff.slot();
        FeedOrderedHandoff.Slot third = handoff.slot();
        first.enqueue();
        second.enqueue();
        third.enqueue();
        EventRecord<?> r2 = record(2);
        EventRecord<?> r3 = record(3);
        third.fill(List.of(r3));
        second.fill(List.of(r2));
        assertThat(out).as("held behind the unresolved first slot").isEmpty();
        first.cancel();
        assertThat(out).containsExactly(List.of(r2), List.of(r3));
    }

    private static EventRecord<?> record(long position) {
        return new EventRecord<>(java.util.UUID.randomUUID(), "a", position, "Added", 1,
                java.time.Instant.EPOCH, position, new Metadata(java.util.UUID.randomUUID(), null, java.util.Map.of()),
                new Added(1));
    }
}
