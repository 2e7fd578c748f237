package jangle;

import jangle.DispatchFixtures.Add;
import jangle.DispatchFixtures.Added;
import jangle.DispatchFixtures.MutableClock;
import jangle.DispatchFixtures.Recorder;
import jangle.memory.InMemoryEventStore;
import jangle.memory.InMemorySagaStore;
import jangle.memory.InMemorySnapshotStore;
import jangle.spi.Checkpoints;
import jangle.spi.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static jangle.DispatchFixtures.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tracking processors on the in-memory store: catch-up, start position, reset, status, and two nodes sharing one store. */
class ProcessorsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final MutableClock clock = new MutableClock();
    private final List<Jangle> open = new ArrayList<>();
    private final Stores shared = Stores.of(new InMemoryEventStore(), new InMemorySnapshotStore(),
            new InMemorySagaStore());

    @AfterEach
    void close() {
        for (Jangle j : open) j.close();
    }

    private Jangle node(JangleBuilder b) {
        Jangle j = b.stores(ctx -> shared).build();
        open.add(j);
        return j;
    }

    /** Sends {@code n} deposits spread over {@code accounts} accounts; returns the last token of each account. */
    private static Map<String, ConsistencyToken> load(Jangle j, int n, int accounts) {
        Map<String, ConsistencyToken> last = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String id = "acc-" + (i % accounts);
            last.put(id, j.send(new Add(id, 1)).token());
        }
        return last;
    }

    @Test
    @Tag("D19")
    @DisplayName("D19: a processor added to a store that holds events catches up on all of them while commands keep flowing")
    void newProcessorCatchesUp() {
        Jangle first = node(DispatchFixtures.builder(clock).reactor("old", Added.class, new Recorder<>()));
        first.start();
        load(first, 300, 10);
        first.close();
        open.remove(first);

        Recorder<Added> late = new Recorder<>();
        Jangle second = node(DispatchFixtures.builder(clock).replayBatchSize(16)
                .reactor("old", Added.class, new Recorder<>()).projection("late", Added.class, late));
        second.start();
        Map<String, ConsistencyToken> during = load(second, 200, 10); // commands flow during the catch-up
        for (ConsistencyToken t : during.values()) second.awaitHandled(t, WAIT, "late");
        assertThat(late.seen).hasSize(500).doesNotHaveDuplicates();
    }

    @Test
    @Tag("D19")
    @DisplayName("D19: a processor configured to start at the head skips the history and sees only what follows")
    void startAtHead() {
        Jangle first = node(DispatchFixtures.builder(clock));
        load(first, 50, 5);
        first.close();
        open.remove(first);

        Recorder<Added> fresh = new Recorder<>();
        Jangle second = node(DispatchFixtures.builder(clock).processorStart(Checkpoints.Start.HEAD)
                .projection("fresh", Added.class, fresh));
        second.start();
        Map<String, ConsistencyToken> after = load(second, 20, 5);
        for (ConsistencyToken t : after.values()) second.awaitHandled(t, WAIT, "fresh");
        assertThat(fresh.seen).hasSize(20);
    }

    @Test
    @Tag("D12")
    @DisplayName("D12: resetting a processor to 0 makes it handle the feed again; status shows checkpoints and lag")
    void resetAndStatus() {
        Recorder<Added> rec = new Recorder<>();
        Jangle j = node(DispatchFixtures.builder(clock).processorSegments(2).projection("p", Added.class, rec));
        j.start();
        Map<String, ConsistencyToken> last = load(j, 40, 4);
        for (ConsistencyToken t : last.values()) j.awaitHandled(t, WAIT, "p");
        assertThat(rec.seen).hasSize(40);
        long head = j.stores().events().lastPosition();
        eventually(() -> j.operations().processors().stream().allMatch(s -> s.position() == head),
                "idle segments write their checkpoints too");
        assertThat(j.operations().processors()).hasSize(2)
                .allSatisfy(s -> assertThat(s.lagEvents()).isZero());

        assertThat(j.operations().resetProcessor("p", 0)).isEqualTo(2);
        eventually(() -> rec.calls.get() == 80, "the feed handled a second time");
        assertThatThrownBy(() -> j.operations().resetProcessor("nobody", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nobody");
        assertThatThrownBy(() -> j.operations().resetProcessor("p", head + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position");
    }

    @Test
    @Tag("D21")
    @DisplayName("D21: two nodes on one store split every processor's segments evenly; when one stops the other takes all")
    void nodesShareSegments() {
        Recorder<Added> a = new Recorder<>();
        Recorder<Added> b = new Recorder<>();
        Jangle n1 = node(DispatchFixtures.builder(clock).setting("nodeId", "n1").processorSegments(4)
                .processorLease(Duration.ofSeconds(3)).projection("p", Added.class, a));
        Jangle n2 = node(DispatchFixtures.builder(clock).setting("nodeId", "n2").processorSegments(4)
                .processorLease(Duration.ofSeconds(3)).projection("p", Added.class, b));
        n1.start();
        n2.start();
        eventually(() -> owners(n1).getOrDefault("n1", 0) == 2 && owners(n1).getOrDefault("n2", 0) == 2,
                "two segments each");
        Map<String, ConsistencyToken> last = load(n1, 100, 20);
        for (ConsistencyToken t : last.values()) n1.awaitHandled(t, WAIT, "p");
        if (a.seen.size() + b.seen.size() != 100) {
            for (EventRecord<?> r : n1.stores().events().readFeed(0, 1000)) {
                System.err.println("DEBUG pos=" + r.position() + " seg=" + jangle.spi.FeedFilter.segmentOf(r.aggregateId(), 4)
                        + " a=" + a.callsFor(r.eventId()) + " b=" + b.callsFor(r.eventId()));
            }
        }
        assertThat(a.seen.size() + b.seen.size()).isEqualTo(100);
        assertThat(a.seen).doesNotContainAnyElementsOf(b.seen);
        assertThat(a.seen).isNotEmpty();
        assertThat(b.seen).as("events committed by n1 are handled by n2 for its segments").isNotEmpty();

        n2.close();
        open.remove(n2);
        eventually(() -> owners(n1).getOrDefault("n1", 0) == 4, "n1 takes the freed segments");
        Map<String, ConsistencyToken> more = load(n1, 40, 20);
        for (ConsistencyToken t : more.values()) n1.awaitHandled(t, WAIT, "p");
        assertThat(a.seen.size() + b.seen.size()).isEqualTo(140);
    }

    @Test
    @Tag("D17")
    @DisplayName("D17: runProcessorsPass drives processors on the caller's thread before start, once per event; not after")
    void processorsPassBeforeStart() {
        Recorder<Added> rec = new Recorder<>();
        Jangle j = node(DispatchFixtures.builder(clock).processorSegments(3).projection("p", Added.class, rec));
        load(j, 30, 6);
        assertThat(j.operations().runProcessorsPass()).isEqualTo(30);
        assertThat(j.operations().runProcessorsPass()).isZero();
        assertThat(rec.seen).hasSize(30).doesNotHaveDuplicates();
        assertThat(j.operations().processors()).allSatisfy(s -> assertThat(s.owner()).isEmpty());
        j.start();
        assertThatThrownBy(() -> j.operations().runProcessorsPass()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not started");
    }

    @Test
    @Tag("D21")
    @DisplayName("D21: a node that does not run a processor takes no share of it: each processor's segments stay held")
    void sharesArePerProcessor() {
        Recorder<Added> early = new Recorder<>();
        Recorder<Added> late = new Recorder<>();
        Jangle n1 = node(DispatchFixtures.builder(clock).setting("nodeId", "n1").processorSegments(2)
                .projection("early", Added.class, early));
        Jangle n2 = node(DispatchFixtures.builder(clock).setting("nodeId", "n2").processorSegments(2)
                .projection("late", Added.class, late));
        n1.start();
        n2.start();
        eventually(() -> n1.operations().processors().stream().allMatch(s -> s.owner().isPresent())
                && n1.operations().processors().size() == 4, "every segment of both processors held");
        assertThat(n1.operations().processors()).allSatisfy(s -> assertThat(s.owner())
                .contains(s.processor().equals("early") ? "n1" : "n2"));
        Map<String, ConsistencyToken> last = load(n1, 20, 4);
        for (ConsistencyToken t : last.values()) {
            n1.awaitHandled(t, WAIT, "early");
            n2.awaitHandled(t, WAIT, "late");
        }
        assertThat(early.seen).hasSize(20);
        assertThat(late.seen).hasSize(20);
    }

    private static Map<String, Integer> owners(Jangle j) {
        Map<String, Integer> out = new HashMap<>();
        for (ProcessorStatus s : j.operations().processors()) {
            s.owner().ifPresent(o -> out.merge(o, 1, Integer::sum));
        }
        return out;
    }
}
