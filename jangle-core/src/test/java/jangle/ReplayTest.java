package jangle;

import jangle.DispatchFixtures.Add;
import jangle.DispatchFixtures.Added;
import jangle.DispatchFixtures.MutableClock;
import jangle.DispatchFixtures.Note;
import jangle.DispatchFixtures.Noted;
import jangle.DispatchFixtures.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Replay (§12 R1–R3): the feed in batches, to the named projections only. */
class ReplayTest {
    private final MutableClock clock = new MutableClock();
    private Jangle jangle;

    @AfterEach
    void close() {
        if (jangle != null) jangle.close();
    }

    /** A projection with a reset and batched writes that counts what it got. */
    static final class Totals implements Projection<Added> {
        final Map<String, Integer> totals = new ConcurrentHashMap<>();
        final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger resets = new AtomicInteger();

        @Override
        public String name() {
            return "totals";
        }

        @Override
        public Set<Class<? extends Added>> eventTypes() {
            return Set.of(Added.class);
        }

        @Override
        public void handle(EventRecord<? extends Added> record) {
            totals.merge(record.aggregateId(), record.event().amount(), Integer::sum);
        }

        @Override
        public void handleBatch(List<EventRecord<? extends Added>> records) {
            batchSizes.add(records.size());
            for (EventRecord<? extends Added> r : records) handle(r);
        }

        @Override
        public void reset() {
            resets.incrementAndGet();
            totals.clear();
        }
    }

    @Test
    @Tag("R1")
    @Tag("R2")
    @Tag("R3")
    @DisplayName("R1, R2, R3: reset first, then the feed in batches to the named projection only, with progress")
    void replayRebuildsOneProjection() {
        Totals totals = new Totals();
        Recorder<Added> reactor = new Recorder<>();
        Recorder<Noted> otherProjection = new Recorder<>();
        jangle = DispatchFixtures.builder(clock).replayBatchSize(4).projection(totals)
                .reactor("mediator", Added.class, reactor)
                .projection("notes", Noted.class, otherProjection).build();
        Jangle j = jangle;
        List<ConsistencyToken> tokens = new ArrayList<>();
        for (int i = 0; i < 9; i++) tokens.add(j.send(new Add("acc-" + (i % 2), 1)).token());
        tokens.add(j.send(new Note("acc-0", "x")).token());
        j.start();
        for (ConsistencyToken t : tokens) {
            j.awaitHandled(t, java.time.Duration.ofSeconds(20), totals.name(), "mediator", "notes");
        }
        assertThat(totals.totals).containsEntry("acc-0", 5).containsEntry("acc-1", 4);
        int reactorCalls = reactor.calls.get();
        int noteCalls = otherProjection.calls.get();
        totals.batchSizes.clear();

        List<long[]> progress = new ArrayList<>();
        ReplayResult result = j.operations().replay(ReplayOptions.of("totals").resettingFirst()
                .reportingTo((done, total, rate) -> progress.add(new long[]{done, total})));
        assertThat(totals.resets.get()).isEqualTo(1);
        assertThat(totals.totals).containsEntry("acc-0", 5).containsEntry("acc-1", 4);
        assertThat(totals.batchSizes).containsExactly(4, 4, 1); // 10 feed events in batches of 4; the note is not its type
        assertThat(reactor.calls.get()).isEqualTo(reactorCalls);
        assertThat(otherProjection.calls.get()).isEqualTo(noteCalls);
        assertThat(result.events()).isEqualTo(10);
        assertThat(result.lastPosition()).isEqualTo(10);
        assertThat(progress).hasSize(3);
        assertThat(progress.get(2)).containsExactly(10, 10);
    }

    @Test
    @Tag("R1")
    @DisplayName("R1: replay from a position; lambda projections get their events; without reset the model is kept")
    void replayFromPositionWithoutReset() {
        Map<Long, Integer> seen = new ConcurrentHashMap<>();
        jangle = DispatchFixtures.builder(clock)
                .projection("lambda", Added.class, (r, ctx) -> seen.merge(r.position(), 1, Integer::sum)).build();
        for (int i = 0; i < 5; i++) jangle.send(new Add("a", 1));
        ReplayResult result = jangle.operations().replay(ReplayOptions.of("lambda").from(3));
        assertThat(seen).containsOnlyKeys(4L, 5L);
        assertThat(result.events()).isEqualTo(2);
    }

    @Test
    @Tag("R1")
    @DisplayName("R1: reactors and sagas are never replayed; unknown names are refused")
    void onlyProjections() {
        jangle = DispatchFixtures.builder(clock).reactor("mediator", Added.class, new Recorder<>()).build();
        assertThatThrownBy(() -> jangle.operations().replay(ReplayOptions.of("mediator")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never replayed");
        assertThatThrownBy(() -> jangle.operations().replay(ReplayOptions.of("nope")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @Tag("R1")
    @DisplayName("R1: a projection being replayed cannot send commands")
    void replayContextRefusesCommands() {
        jangle = DispatchFixtures.builder(clock)
                .projection("sender", Added.class, (r, ctx) -> ctx.send(new Note("x", "no"))).build();
        jangle.send(new Add("a", 1));
        assertThatThrownBy(() -> jangle.operations().replay(ReplayOptions.of("sender")))
                .isInstanceOf(JangleException.class).hasRootCauseInstanceOf(IllegalStateException.class);
        assertThat(jangle.stores().events().lastVersion("x")).isZero();
    }

    @Test
    @Tag("R1")
    @DisplayName("R1: replay options are named; no projection and a negative position are refused by name")
    void replayOptions() {
        ReplayOptions o = ReplayOptions.of("a", "b").from(7).resettingFirst();
        assertThat(o.projections()).containsExactly("a", "b");
        assertThat(o.fromPosition()).isEqualTo(7);
        assertThat(o.resetFirst()).isTrue();
        assertThat(o.listener()).isSameAs(ReplayListener.NONE);
        assertThat(ReplayOptions.of("a").resetFirst()).isFalse();
        assertThatThrownBy(() -> ReplayOptions.of()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one projection");
        assertThatThrownBy(() -> ReplayOptions.of("a").from(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fromPosition");
    }

    /** Reads the whole family Evt: an exhaustive switch, no cast and no instanceof. */
    static final class Family implements Projection<DispatchFixtures.Evt> {
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String name() {
            return "family";
        }

        @Override
        public Set<Class<? extends DispatchFixtures.Evt>> eventTypes() {
            return Set.of(DispatchFixtures.Evt.class);
        }

        @Override
        public void handle(EventRecord<? extends DispatchFixtures.Evt> record) {
            seen.add(switch (record.event()) {
                case Added a -> "added " + a.amount();
                case Noted n -> "noted " + n.text();
            });
        }
    }

    @Test
    @Tag("R1")
    @DisplayName("R1: a projection typed by a sealed family subscribes to each of its records, found by the builder")
    void projectionOfAFamily() {
        Family family = new Family();
        jangle = DispatchFixtures.builder(clock).projection(family).build();
        jangle.send(new Add("a", 2));
        jangle.send(new Note("a", "hi"));
        jangle.operations().replay(ReplayOptions.of("family"));
        assertThat(family.seen).containsExactly("added 2", "noted hi");
    }
}
