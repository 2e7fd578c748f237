package jangle;

import jangle.DispatchFixtures.Add;
import jangle.DispatchFixtures.Added;
import jangle.spi.Delivery;
import jangle.DispatchFixtures.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static jangle.DispatchFixtures.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Live dispatch hands a {@link Projection} object a whole drained batch through {@link Projection#handleBatch} (one
 * read-model transaction per batch, issue 7), and a failing batch falls back to one event at a time so that only the
 * failing delivery is recorded as failed (D3, D6).
 */
class BatchedProjectionTest {
    private final MutableClock clock = new MutableClock();
    private Jangle jangle;

    @AfterEach
    void close() {
        if (jangle != null) jangle.close();
    }

    /** Applies events to a set of ids; refuses (in both forms) any event of amount 13; the first batch waits. */
    static final class Tally implements Projection<Added> {
        final Set<UUID> applied = ConcurrentHashMap.newKeySet();
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        volatile int singleCalls;

        @Override
        public String name() {
            return "tally";
        }

        @Override
        public Set<Class<? extends Added>> eventTypes() {
            return Set.of(Added.class);
        }

        @Override
        public void handle(EventRecord<? extends Added> record) {
            singleCalls++;
            if (record.event().amount() == 13) throw new IllegalStateException("13 is refused");
            applied.add(record.eventId());
        }

        @Override
        public void handleBatch(List<EventRecord<? extends Added>> records) throws InterruptedException {
            entered.countDown();
            if (batchSizes.isEmpty()) release.await(20, TimeUnit.SECONDS); // let the hand-off fill up
            batchSizes.add(records.size());
            for (EventRecord<? extends Added> r : records) {
                if (r.event().amount() == 13) throw new IllegalStateException("13 is refused");
            }
            records.forEach(r -> applied.add(r.eventId()));
        }
    }

    @Test
    @Tag("D3")
    @Tag("D18")
    @Tag("R3")
    @DisplayName("D3, D18, R3: a drained batch reaches a projection in one call; a failing batch parks only its bad event")
    void batchesAndFallsBack() throws InterruptedException {
        Tally tally = new Tally();
        jangle = DispatchFixtures.builder(clock).processorSegments(1).handlerAttempts(1).projection(tally).build();
        jangle.start();
        assertThat(jangle.send(new Add("c0", 1)).isAccepted()).isTrue(); // taken by the first, waiting batch
        assertThat(tally.entered.await(20, TimeUnit.SECONDS)).as("first batch entered").isTrue();
        for (int i = 1; i <= 40; i++) {
            assertThat(jangle.send(new Add("c" + (i % 7), i == 20 ? 13 : 1)).isAccepted()).isTrue();
        }
        tally.release.countDown();
        eventually(() -> tally.applied.size() == 40 && jangle.operations().pending("tally", 100).size() == 1,
                "all but the refused one handled, the refused one parked");

        assertThat(tally.batchSizes).as("the queued events came as batches, not one by one")
                .anySatisfy(size -> assertThat(size).isGreaterThan(1));
        assertThat(tally.applied).hasSize(40);
        List<Delivery> left = jangle.operations().pending("tally", 100);
        assertThat(left).singleElement().satisfies(d -> {
            assertThat(d.attempts()).isEqualTo(1);
            assertThat(d.lastError()).contains("13 is refused");
        });
        int afterFailure = tally.batchSizes.indexOf(tally.batchSizes.stream().filter(s -> s > 1).findFirst()
                .orElseThrow());
        assertThat(tally.batchSizes.subList(afterFailure, tally.batchSizes.size()))
                .as("the failed batch then ran event by event").contains(1);
    }

    /** Records the size of every batch it is handed; refuses nothing. */
    static final class Sizes implements Projection<Added> {
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "sizes";
        }

        @Override
        public Set<Class<? extends Added>> eventTypes() {
            return Set.of(Added.class);
        }

        @Override
        public void handle(EventRecord<? extends Added> record) {
            batchSizes.add(1);
        }

        @Override
        public void handleBatch(List<EventRecord<? extends Added>> records) {
            batchSizes.add(records.size());
        }
    }

    @Test
    @Tag("D22")
    @DisplayName("D22: with a linger, three commits that arrive one by one reach the projection as one batch of the "
            + "batch size, and a lone commit is still handled when the linger runs out")
    void lingerJoinsSmallCommits() {
        Sizes sizes = new Sizes();
        jangle = DispatchFixtures.builder(clock).processorSegments(1).processorBatchSize(3)
                .processorBatchLinger(Duration.ofSeconds(1)).projection(sizes).build();
        jangle.start();
        // three in-memory sends take microseconds; the linger's one second (the setting's maximum) is the margin
        for (int i = 0; i < 3; i++) assertThat(jangle.send(new Add("c" + i, 1)).isAccepted()).isTrue();
        eventually(() -> sizes.batchSizes.stream().mapToInt(Integer::intValue).sum() == 3, "three events handled");
        assertThat(sizes.batchSizes).as("the segment waited for the batch to fill").containsExactly(3);

        assertThat(jangle.send(new Add("c9", 1)).isAccepted()).isTrue();
        eventually(() -> sizes.batchSizes.size() == 2, "the lone event handled after the linger");
        assertThat(sizes.batchSizes).containsExactly(3, 1);
    }

    @Test
    @Tag("D22")
    @DisplayName("D22: a linger above one second, or none at all (null), is refused at build, naming the setting")
    void lingerIsBounded() {
        assertThatThrownBy(() -> DispatchFixtures.builder(clock)
                .environment(Map.of("JANGLE_PROCESSOR_BATCH_LINGER", "2s")).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("JANGLE_PROCESSOR_BATCH_LINGER")
                                .contains("must be at most 1s")));
        assertThatThrownBy(() -> DispatchFixtures.builder(clock).processorBatchLinger(null).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("processorBatchLinger must be a duration")));
    }
}
