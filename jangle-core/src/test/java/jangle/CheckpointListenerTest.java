package jangle;

import jangle.DispatchFixtures.Add;
import jangle.DispatchFixtures.Added;
import jangle.DispatchFixtures.MutableClock;
import jangle.DispatchFixtures.Recorder;
import jangle.spi.Checkpoint;
import jangle.spi.FeedFilter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static jangle.DispatchFixtures.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/** D23: the checkpoint listener hears this node's committed progress, after the commit, and cannot break dispatch. */
class CheckpointListenerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Records what it hears, checks the store already holds it, then throws (which must change nothing). */
    private static final class Heard implements CheckpointListener {
        final List<String> advances = Collections.synchronizedList(new ArrayList<>());
        final List<Long> parks = Collections.synchronizedList(new ArrayList<>());
        final List<String> notYetStored = Collections.synchronizedList(new ArrayList<>());
        final AtomicReference<Jangle> app = new AtomicReference<>();

        @Override
        public void advanced(String processor, int segment, long position) {
            advances.add(processor + "/" + segment + "@" + position);
            long stored = app.get().stores().events().checkpoints().all().stream()
                    .filter(c -> c.processor().equals(processor) && c.segment() == segment)
                    .mapToLong(Checkpoint::position).max().orElse(-1);
            if (stored < position) notYetStored.add(processor + "/" + segment + "@" + position + " stored " + stored);
            throw new IllegalStateException("a listener that always fails");
        }

        @Override
        public void parked(String processor, long position) {
            if (processor.equals("bad")) parks.add(position);
            throw new IllegalStateException("a listener that always fails");
        }

        long highest(String processor, int segment) {
            synchronized (advances) {
                return advances.stream().filter(a -> a.startsWith(processor + "/" + segment + "@"))
                        .mapToLong(a -> Long.parseLong(a.substring(a.indexOf('@') + 1))).max().orElse(0);
            }
        }
    }

    @Test
    @Tag("D23")
    @DisplayName("D23: the listener hears every segment's checkpoint and every park after they are stored; its failures change nothing")
    void hearsCommittedProgress() {
        Heard heard = new Heard();
        Recorder<Added> views = new Recorder<>();
        Recorder<Added> bad = new Recorder<>(Integer.MAX_VALUE);
        try (Jangle j = DispatchFixtures.builder(new MutableClock()).processorSegments(2).handlerAttempts(2)
                .deadLetterAttempts(5).projection("views", Added.class, views).reactor("bad", Added.class, bad)
                .checkpointListener(heard).build()) {
            heard.app.set(j);
            j.start();
            Map<String, ConsistencyToken> last = new HashMap<>();
            Map<Integer, Long> highestBySegment = new HashMap<>();
            for (int i = 0; i < 20; i++) {
                String id = "acc-" + (i % 4);
                ConsistencyToken t = j.send(new Add(id, 1)).token();
                last.put(id, t);
                highestBySegment.merge(FeedFilter.segmentOf(id, 2), t.position(), Math::max);
            }
            for (ConsistencyToken t : last.values()) j.awaitHandled(t, WAIT, "views");
            assertThat(views.seen).as("the throwing listener stopped no event").hasSize(20);

            for (var e : highestBySegment.entrySet()) {
                eventually(() -> heard.highest("views", e.getKey()) >= e.getValue(),
                        "the listener hears segment " + e.getKey() + " reach " + e.getValue());
            }
            eventually(() -> heard.parks.size() == 20, "every event parked for the failing reactor is heard");
            List<Long> positions = new ArrayList<>();
            for (EventRecord<?> r : j.stores().events().readFeed(0, 100)) positions.add(r.position());
            assertThat(heard.parks).containsExactlyInAnyOrderElementsOf(positions);
            assertThat(heard.notYetStored).as("heard before the store held it").isEmpty();
        }
    }

    @Test
    @Tag("D23")
    @Tag("D15")
    @DisplayName("D23 D15: an advance stored by a sendAndComplete command is heard at the event it completed")
    void hearsAdvanceStoredByCommand() {
        Heard heard = new Heard();
        try (Jangle j = DispatchFixtures.builder(new MutableClock()).processorSegments(1)
                .reactor("mediator", Added.class, (record, ctx) -> {
                    CommandResponse r = ctx.sendAndComplete(new DispatchFixtures.Note("notes-" + record.aggregateId(),
                            "done"));
                    if (!r.isAccepted()) throw new IllegalStateException("rejected: " + r.rejectionReason());
                })
                .checkpointListener(heard).build()) {
            heard.app.set(j);
            j.start();
            long added = j.send(new Add("m1", 3)).token().position();
            eventually(() -> heard.advances.contains("mediator/0@" + added),
                    "the command's own advance is heard at position " + added);
            assertThat(heard.notYetStored).as("heard before the store held it").isEmpty();
        }
    }
}
