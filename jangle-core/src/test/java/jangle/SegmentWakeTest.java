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
import jangle.spi.Stores;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static jangle.DispatchFixtures.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/** D24: a segment is woken only for its own records, and still moves its checkpoint over the rest without reading. */
class SegmentWakeTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /**
     * The in-memory store; once {@link #freeze} is called, {@code lastPosition()} keeps answering the head of that
     * moment, so a worker can no longer learn of later commits by asking the store, only from its hand-offs.
     */
    private static final class FrozenHead extends ForwardingEvents {
        private volatile boolean frozen;
        private volatile long head;

        FrozenHead() {
            super(new InMemoryEventStore("test"));
        }

        void freeze() {
            head = inner.lastPosition();
            frozen = true;
        }

        @Override
        public long lastPosition() {
            return frozen ? head : inner.lastPosition();
        }
    }

    @Test
    @Tag("D24")
    @DisplayName("D24: commits for segment 0 only wake segment 0; segment 1 still reaches the head, from its quiet "
            + "note alone")
    void onlyTheSegmentWithRecordsIsWoken() {
        FrozenHead events = new FrozenHead();
        Recorder<Added> views = new Recorder<>();
        String other = null;
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < 3 || other == null; i++) {
            String id = "acc-" + i;
            if (FeedFilter.segmentOf(id, 2) == 0) {
                if (ids.size() < 3) ids.add(id);
            } else if (other == null) {
                other = id;
            }
        }
        try (Jangle j = DispatchFixtures.builder(new MutableClock()).processorSegments(2)
                .stores(context -> Stores.of(events, new InMemorySnapshotStore(), new InMemorySagaStore()))
                .projection("views", Added.class, views).build()) {
            j.start();
            // segment 1 live at its first event: from here on it could learn of later commits only from the store's
            // head, which is frozen, or from what it is handed
            j.awaitHandled(j.send(new Add(other, 1)).token(), WAIT, "views");
            events.freeze();
            ConsistencyToken last = null;
            for (int i = 0; i < 30; i++) last = j.send(new Add(ids.get(i % ids.size()), 1)).token();
            j.awaitHandled(last, WAIT, "views");
            long head = last.position();
            eventually(() -> events.checkpoints().all().stream()
                            .anyMatch(c -> c.processor().equals("views") && c.segment() == 1 && c.position() == head),
                    "segment 1 of views stored at the head");

            DispatchRuntime dispatch = ((JangleApp) j).dispatch();
            assertThat(dispatch.handoffs(0, 2)).as("the first commit, which starts every chain, and all 30")
                    .isEqualTo(31);
            assertThat(dispatch.handoffs(1, 2)).as("only segment 1's own commit").isEqualTo(1);
            assertThat(views.seen).hasSize(31).doesNotHaveDuplicates();
            assertThat(events.checkpoints().all()).filteredOn(c -> c.processor().equals("views"))
                    .extracting(Checkpoint::position).containsOnly(head);
        }
    }
}
