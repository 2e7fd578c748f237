package jangle;

import jangle.DispatchFixtures.Add;
import jangle.DispatchFixtures.Added;
import jangle.DispatchFixtures.MutableClock;
import jangle.DispatchFixtures.Note;
import jangle.DispatchFixtures.Noted;
import jangle.DispatchFixtures.Recorder;
import jangle.spi.Delivery;
import jangle.spi.DeliveryStatus;
import jangle.spi.Checkpoint;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.Park;
import jangle.spi.Stores;
import jangle.memory.InMemoryEventStore;
import jangle.memory.InMemorySagaStore;
import jangle.memory.InMemorySnapshotStore;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static jangle.DispatchFixtures.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The live dispatcher (§8): hand-off, per-handler completion, partitions, the handler context. */
class DispatchTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final MutableClock clock = new MutableClock();
    private Jangle jangle;

    @AfterEach
    void close() {
        if (jangle != null) jangle.close();
    }

    private Jangle build(JangleBuilder b) {
        jangle = b.build();
        return jangle;
    }

    @Test
    @Tag("D1")
    @Tag("D3")
    @DisplayName("D1, D3: the append writes no delivery; a handler failing every in-line attempt is parked alone")
    void handlersAreIndependent() {
        Recorder<Added> good = new Recorder<>();
        Recorder<Added> bad = new Recorder<>(1_000);
        Recorder<Added> flaky = new Recorder<>(1);
        Jangle j = build(DispatchFixtures.builder(clock).handlerAttempts(2).reactor("good", Added.class, good)
                .reactor("bad", Added.class, bad).reactor("flaky", Added.class, flaky));
        CommandResponse r = j.send(new Add("c1", 5));
        // before start: nothing but the event is written (D1, CR4)
        assertThat(j.operations().pending(null, 10)).isEmpty();

        j.start();
        j.awaitHandled(r.token(), WAIT, "good", "flaky");
        eventually(() -> !j.operations().pending("bad", 10).isEmpty(), "bad parked");
        List<Delivery> pending = j.operations().pending(null, 10);
        assertThat(pending).hasSize(1);
        Delivery d = pending.get(0);
        assertThat(d.handler()).isEqualTo("bad");
        assertThat(d.attempts()).isEqualTo(2);
        assertThat(d.lastError()).isEqualTo("java.lang.IllegalStateException: planned failure");
        assertThat(d.position()).isEqualTo(r.token().position());
        assertThat(good.calls.get()).isEqualTo(1);
        assertThat(bad.calls.get()).isEqualTo(2);
        assertThat(flaky.calls.get()).as("a failure the next in-line attempt cures is not parked").isEqualTo(2);
    }

    @Test
    @Tag("CR4")
    @Tag("D10")
    @Tag("D19")
    @DisplayName("D19, CR4, §19 bug 2: without a dispatcher commands never block; once started the processor catches up")
    void noDispatcherNoHang() {
        Recorder<Added> rec = new Recorder<>();
        Jangle j = build(DispatchFixtures.builder(clock).dispatchHandoffSize(1).projection("p", Added.class, rec));
        CommandResponse last = null;
        for (int i = 0; i < 50; i++) {
            last = j.send(new Add("c" + (i % 5), 1));
            assertThat(last.isAccepted()).isTrue();
        }
        assertThat(rec.calls.get()).isZero();

        j.start();
        j.awaitHandled(last.token(), WAIT, "p");
        for (int a = 0; a < 5; a++) j.awaitHandled(j.send(new Add("c" + a, 0)).token(), WAIT, "p");
        assertThat(j.operations().pending("p", 100)).isEmpty();
        assertThat(rec.seen).hasSize(50).doesNotHaveDuplicates();
    }

    @Test
    @Tag("D2")
    @DisplayName("D2: a hand-off of size 1 overflows; the dropped work is read back and every event is handled once")
    void overflowLosesNothing() {
        Recorder<Added> rec = new Recorder<>();
        Jangle j = build(DispatchFixtures.builder(clock).dispatchHandoffSize(1).batchSize(7)
                .projection("p", Added.class, rec));
        j.start();
        Map<String, ConsistencyToken> last = new java.util.HashMap<>();
        try (var log = new DispatchFixtures.LogCapture("jangle.dispatch", ch.qos.logback.classic.Level.DEBUG)) {
            for (int i = 0; i < 400; i++) last.put("c" + (i % 7), j.send(new Add("c" + (i % 7), 1)).token());
            for (ConsistencyToken t : last.values()) j.awaitHandled(t, WAIT, "p"); // CA1 is per aggregate
            assertThat(log.points()).as("the hand-off overflowed at least once").contains("dispatch.overflow");
        }
        List<EventRecord<?>> feed = j.stores().events().readFeed(0, 1000);
        assertThat(feed).hasSize(400);
        for (EventRecord<?> r : feed) assertThat(rec.callsFor(r.eventId())).as("calls for %s", r.position()).isEqualTo(1);
        assertThat(j.operations().pending(null, 10)).isEmpty();
    }

    @Test
    @Tag("D2")
    @Tag("E3")
    @Tag("H5")
    @DisplayName("D2, H5, E3, §19 bug 2: handlers sending commands through a full hand-off of size 1 never deadlock")
    void commandsFromHandlersNeverDeadlock() {
        Recorder<Noted> notes = new Recorder<>();
        Map<UUID, EventRecord<?>> causes = new ConcurrentHashMap<>();
        Jangle j = build(DispatchFixtures.builder(clock).dispatchHandoffSize(1)
                .reactor("echo", Added.class, (record, ctx) -> {
                    causes.put(record.eventId(), record);
                    CommandResponse r = ctx.send(new Note(record.aggregateId(), "seen " + record.version()));
                    if (!r.isAccepted()) throw new IllegalStateException(r.rejectionReason());
                })
                .projection("notes", Noted.class, notes));
        j.start();
        List<UUID> correlations = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            UUID corr = UUID.randomUUID();
            correlations.add(corr);
            j.send(new Add("c" + (i % 4), 1), SendOptions.NONE.withCorrelationId(corr));
        }
        for (UUID corr : correlations) j.awaitSettled(corr, WAIT);
        assertThat(notes.seen).hasSize(100);
        // E3: each note carries its cause's correlation id and is caused by the triggering event
        for (EventRecord<?> r : j.stores().events().readFeed(0, 1000)) {
            if (!(r.event() instanceof Noted)) continue;
            EventRecord<?> cause = causes.get(r.metadata().causationId());
            assertThat(cause).as("cause of %s", r.position()).isNotNull();
            assertThat(r.metadata().correlationId()).isEqualTo(cause.metadata().correlationId());
        }
    }

    @Test
    @Tag("D5")
    @DisplayName("D5: with several workers, each aggregate's events reach a handler in version order, on dispatcher threads")
    void partitionedByAggregate() {
        Map<String, List<Long>> versions = new ConcurrentHashMap<>();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        AtomicReference<String> mdcMismatch = new AtomicReference<>();
        Jangle j = build(DispatchFixtures.builder(clock).processorSegments(3)
                .projection("order", Added.class, (record, ctx) -> {
                    versions.computeIfAbsent(record.aggregateId(), k -> Collections.synchronizedList(new ArrayList<>()))
                            .add(record.version());
                    threads.add(Thread.currentThread().getName());
                    String mdc = MDC.get("correlationId");
                    if (!record.metadata().correlationId().toString().equals(mdc)) mdcMismatch.set(mdc);
                }));
        j.start();
        List<ConsistencyToken> tokens = new ArrayList<>();
        for (int v = 0; v < 20; v++) {
            for (int a = 0; a < 10; a++) tokens.add(j.send(new Add("agg-" + a, 1)).token());
        }
        for (ConsistencyToken t : tokens) j.awaitHandled(t, WAIT, "order");
        assertThat(versions).hasSize(10);
        List<Long> expected = java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList();
        versions.forEach((agg, list) -> assertThat(list).as(agg).containsExactlyElementsOf(expected));
        assertThat(threads).allMatch(name -> name.startsWith("jangle-segment-"));
        assertThat(mdcMismatch.get()).as("MDC correlationId while handling").isNull();
    }

    @Test
    @Tag("D15")
    @DisplayName("D15: an accepted sendAndComplete completes the delivery with the command's events; a throw afterwards is not a failure")
    void sendAndCompleteMarksDone() {
        AtomicReference<EventRecord<?>> cause = new AtomicReference<>();
        Jangle j = build(DispatchFixtures.builder(clock)
                .reactor("mediator", Added.class, (record, ctx) -> {
                    cause.set(record);
                    CommandResponse r = ctx.sendAndComplete(new Note("notes-" + record.aggregateId(), "done"));
                    assertThat(r.isAccepted()).isTrue();
                    throw new IllegalStateException("crash after the completing command");
                }));
        j.start();
        CommandResponse sent = j.send(new Add("m1", 3));
        eventually(() -> cause.get() != null && j.stores().events().lastVersion("notes-m1") == 1, "note committed");
        j.awaitHandled(sent.token(), WAIT, "mediator");
        assertThat(j.operations().pending("mediator", 10)).isEmpty();
        assertThat(j.operations().deadLetters(null, 10)).isEmpty();
        EventRecord<?> note = DispatchFixtures.last(j, "notes-m1");
        assertThat(note.metadata().causationId()).isEqualTo(cause.get().eventId());
        assertThat(note.metadata().correlationId()).isEqualTo(cause.get().metadata().correlationId());
        assertThat(cause.get().position()).isEqualTo(sent.token().position());
    }

    @Test
    @Tag("D15")
    @DisplayName("D15: a rejected sendAndComplete marks nothing, so a handler that then throws is retried")
    void rejectedSendAndCompleteMarksNothing() {
        Jangle j = build(DispatchFixtures.builder(clock).handlerAttempts(1)
                .reactor("mediator", Added.class, (record, ctx) -> {
                    CommandResponse r = ctx.sendAndComplete(new Add("other", -1));
                    if (!r.isAccepted()) throw new IllegalStateException("rejected: " + r.rejectionReason());
                }));
        j.start();
        j.send(new Add("m1", 3));
        eventually(() -> !j.operations().pending("mediator", 10).isEmpty()
                && j.operations().pending("mediator", 10).get(0).attempts() == 1, "failure recorded");
        assertThat(j.operations().pending("mediator", 10).get(0).lastError())
                .contains("rejected: amount must not be negative");
    }

    @Test
    @Tag("D7")
    @Tag("D15")
    @DisplayName("D7, D15: the context is valid only during the handler call; sendAndComplete outside it is IllegalStateException")
    void contextOnlyDuringTheCall() {
        AtomicReference<HandlerContext> captured = new AtomicReference<>();
        Jangle j = build(DispatchFixtures.builder(clock)
                .reactor("capture", Added.class, (record, ctx) -> {
                    assertThat(ctx.clock()).isSameAs(clock);
                    assertThat(ctx.handlerName()).isEqualTo("capture");
                    assertThat(ctx.record()).isSameAs(record);
                    captured.set(ctx);
                }));
        j.start();
        j.send(new Add("x", 1));
        eventually(() -> captured.get() != null && j.operations().pending(null, 1).isEmpty(), "handled");
        assertThatThrownBy(() -> captured.get().sendAndComplete(new Note("x", "late")))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> captured.get().send(new Note("x", "late")))
                .isInstanceOf(IllegalStateException.class);
        assertThat(j.stores().events().lastVersion("x")).isEqualTo(1);
    }

    @Test
    @Tag("CR4")
    @DisplayName("CR4: close() stops the dispatcher threads and leaves unfinished work pending in the ledger")
    void closeLeavesWorkPending() {
        AtomicReference<Thread> worker = new AtomicReference<>();
        Recorder<Added> failing = new Recorder<>(1_000);
        Jangle j = build(DispatchFixtures.builder(clock).handlerAttempts(1)
                .reactor("fails", Added.class, (record, ctx) -> {
                    worker.set(Thread.currentThread());
                    failing.handle(record, ctx);
                }));
        j.start();
        j.send(new Add("a", 1));
        eventually(() -> !j.operations().pending("fails", 1).isEmpty()
                && j.operations().pending("fails", 1).get(0).attempts() == 1, "first failure recorded");
        j.close();
        jangle = null;
        assertThat(worker.get().isAlive()).isFalse();
        List<Delivery> left = j.stores().events().ledger().list(DeliveryStatus.PENDING, null, 10);
        assertThat(left).extracting(Delivery::handler).containsExactly("fails");
        assertThat(failing.calls.get()).isEqualTo(1);
    }

    @Test
    @Tag("CR2")
    @Tag("D4")
    @Tag("D17")
    @DisplayName("D4, CR2, D17: every handler runs as a processor with one checkpoint per segment, held by this node")
    void handlerNamesForTheLedger() {
        Jangle j = build(DispatchFixtures.builder(clock).processorSegments(2)
                .projection("p", Added.class, new Recorder<>())
                .reactor("r", Added.class, new Recorder<>()));
        j.start();
        CommandResponse r = j.send(new Add("a", 1));
        j.send(new Note("a", "n"));
        j.awaitHandled(r.token(), WAIT, "p", "r");
        List<ProcessorStatus> processors = j.operations().processors();
        assertThat(processors).extracting(ProcessorStatus::processor).containsExactlyInAnyOrder("p", "p", "r", "r");
        assertThat(processors).allSatisfy(s -> {
            assertThat(s.segments()).isEqualTo(2);
            assertThat(s.owner()).contains("local");
        });
        assertThat(j.operations().pending(null, 10)).isEmpty();
    }

    /** The in-memory store, counting the checkpoint writes of one processor that commit no work and park nothing. */
    static final class CheckpointWrites extends ForwardingEvents {
        final AtomicInteger bare = new AtomicInteger();
        private final String processor;

        CheckpointWrites(String processor) {
            super(new InMemoryEventStore("test"));
            this.processor = processor;
        }

        @Override
        public Checkpoints checkpoints() {
            Checkpoints c = inner.checkpoints();
            return new Checkpoints() {
                @Override
                public List<Checkpoint> register(String p, int segments, Start start) {
                    return c.register(p, segments, start);
                }

                @Override
                public List<Checkpoint> all() {
                    return c.all();
                }

                @Override
                public List<Checkpoint> claim(String p, String owner, Instant now, Duration lease, int target) {
                    return c.claim(p, owner, now, lease, target);
                }

                @Override
                public List<String> heartbeat(String node, Instant now, Duration lease) {
                    return c.heartbeat(node, now, lease);
                }

                @Override
                public void releaseAll(String owner) {
                    c.releaseAll(owner);
                }

                @Override
                public void commit(List<Completion.Advance> advances, List<Park> parks, Work work) {
                    if (work == Work.NONE && parks.isEmpty()
                            && advances.stream().anyMatch(a -> a.processor().equals(processor))) {
                        bare.incrementAndGet();
                    }
                    c.commit(advances, parks, work);
                }

                @Override
                public int reset(String p, long position) {
                    return c.reset(p, position);
                }
            };
        }
    }

    @Test
    @Tag("D15")
    @DisplayName("D15: a reactor whose commands complete the events it handles writes no checkpoint of its own after "
            + "each batch; only the once-a-second flush of the batches' other events remains")
    void completingReactorWritesNoCheckpointPerBatch() {
        CheckpointWrites events = new CheckpointWrites("mediator");
        long started = System.nanoTime();
        Jangle j = build(DispatchFixtures.builder(clock).processorSegments(1)
                .stores(context -> Stores.of(events, new InMemorySnapshotStore(), new InMemorySagaStore()))
                .reactor("mediator", Added.class, (record, ctx) ->
                        assertThat(ctx.sendAndComplete(new Note("notes-" + record.aggregateId(), "done"))
                                .isAccepted()).isTrue()));
        j.start();
        for (int i = 0; i < 20; i++) { // one batch each: the next command waits for the mediator
            CommandResponse sent = j.send(new Add("m" + i, 1));
            j.awaitHandled(sent.token(), WAIT, "mediator");
            int note = i;
            eventually(() -> j.stores().events().lastVersion("notes-m" + note) == 1, "note " + note);
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        assertThat(events.bare.get()).as("checkpoint writes without work in %d s", seconds)
                .isLessThanOrEqualTo((int) seconds + 1);
    }
}
