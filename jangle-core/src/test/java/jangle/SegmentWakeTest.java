package jangle;

import jangle.DispatchFixtures.Add;
import jangle.DispatchFixtures.Added;
import jangle.DispatchFixtures.MutableClock;
import jangle.DispatchFixtures.Recorder;
import jangle.memory.InMemoryEventStore;
import jangle.memory.InMemorySagaStore;
import jangle.memory.InMemorySnapshotStore;
import jangle.spi.Checkpoint;
import jangle.spi.FeedFilter;
import jangle.spi.FeedPage;
import jangle.spi.Stores;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static jangle.DispatchFixtures.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/** D24: a segment is woken only for its own records, and still moves its checkpoint over the rest without reading. */
class SegmentWakeTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** The in-memory store, counting the filtered feed reads of each segment. */
    private static final class FeedReads extends ForwardingEvents {
        final Map<Integer, AtomicInteger> bySegment = new ConcurrentHashMap<>();

        FeedReads() {
            super(new InMemoryEventStore("test"));
        }

        @Override
        public FeedPage readFeed(long afterPosition, int limit, FeedFilter filter) {
            bySegment.computeIfAbsent(filter.segment(), k -> new AtomicInteger()).incrementAndGet();
            return inner.readFeed(afterPosition, limit, filter);
        }

        int of(int segment) {
            AtomicInteger n = bySegment.get(segment);
            return n == null ? 0 : n.get();
        }
    }

    @Test
    @Tag("D24")
    @DisplayName("D24: commits for segment 0 only wake segment 0; segment 1 reaches the head without a feed read")
    void onlyTheSegmentWithRecordsIsWoken() {
        FeedReads events = new FeedReads();
        Recorder<Added> views = new Recorder<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < 3; i++) if (FeedFilter.segmentOf("acc-" + i, 2) == 0) ids.add("acc-" + i);
        try (Jangle j = DispatchFixtures.builder(new MutableClock()).processorSegments(2)
                .stores(context -> Stores.of(events, new InMemorySnapshotStore(), new InMemorySagaStore()))
                .projection("views", Added.class, views).build()) {
            j.start();
            ConsistencyToken last = null;
            for (int i = 0; i < 30; i++) last = j.send(new Add(ids.get(i % ids.size()), 1)).token();
            j.awaitHandled(last, WAIT, "views");
            int segmentOneReads = events.of(1);
            long head = last.position();
            eventually(() -> events.checkpoints().all().stream()
                            .anyMatch(c -> c.processor().equals("views") && c.segment() == 1 && c.position() == head),
                    "segment 1 of views stored at the head");

            DispatchRuntime dispatch = ((JangleApp) j).dispatch();
            assertThat(dispatch.handoffs(0, 2)).as("every commit handed to segment 0").isEqualTo(30);
            assertThat(dispatch.handoffs(1, 2)).as("only the first commit, which starts segment 1's chain")
                    .isEqualTo(1);
            assertThat(events.of(1)).as("segment 1 passed the quiet stretch without reading the feed")
                    .isEqualTo(segmentOneReads);
            assertThat(views.seen).hasSize(30).doesNotHaveDuplicates();
            assertThat(events.checkpoints().all()).filteredOn(c -> c.processor().equals("views"))
                    .extracting(Checkpoint::position).containsOnly(head);
        }
    }
}
