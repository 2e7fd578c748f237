package jangle;

import ch.qos.logback.classic.Level;
import jangle.DispatchFixtures.Add;
import jangle.DispatchFixtures.Added;
import jangle.DispatchFixtures.LogCapture;
import jangle.DispatchFixtures.MutableClock;
import jangle.DispatchFixtures.Recorder;
import jangle.memory.InMemoryEventStore;
import jangle.memory.InMemorySagaStore;
import jangle.memory.InMemorySnapshotStore;
import jangle.spi.Delivery;
import jangle.spi.EventStore;
import jangle.spi.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static jangle.DispatchFixtures.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/** The event daemon and dead letters (§8.1), driven with a movable clock and explicit passes. */
class EventDaemonTest {
    private static final Duration MAX_AGE = Duration.ofSeconds(30);
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

    private static void awaitAttempts(Jangle j, String handler, int attempts) {
        eventually(() -> {
            List<Delivery> p = j.operations().pending(handler, 1);
            List<Delivery> d = j.operations().deadLetters(handler, 1);
            return !p.isEmpty() && p.get(0).attempts() == attempts || !d.isEmpty() && d.get(0).attempts() == attempts;
        }, handler + " attempts = " + attempts);
    }

    @Test
    @Tag("D3")
    @Tag("D9")
    @DisplayName("D9, D3, §19 bug 14: the daemon retries a failing handler after the max age; the others ran exactly once")
    void retriesOnlyTheFailedHandler() {
        Recorder<Added> good = new Recorder<>();
        Recorder<Added> flaky = new Recorder<>(2);
        Jangle j = build(DispatchFixtures.builder(clock).handlerAttempts(1).reactor("good", Added.class, good)
                .reactor("flaky", Added.class, flaky));
        j.start();
        CommandResponse r = j.send(new Add("a", 1));
        awaitAttempts(j, "flaky", 1);
        j.awaitHandled(r.token(), Duration.ofSeconds(20), "good");

        // D9, §19 bug 19: not yet older than the max age, so not retried
        assertThat(j.operations().runEventDaemonPass()).isZero();
        assertThat(flaky.calls.get()).isEqualTo(1);

        clock.advance(MAX_AGE);
        assertThat(j.operations().runEventDaemonPass()).isEqualTo(1);
        assertThat(j.operations().pending("flaky", 1).get(0).attempts()).isEqualTo(2);
        clock.advance(MAX_AGE);
        assertThat(j.operations().runEventDaemonPass()).isEqualTo(1);

        assertThat(j.operations().pending(null, 10)).isEmpty();
        assertThat(flaky.calls.get()).isEqualTo(3);
        assertThat(good.calls.get()).isEqualTo(1);
        assertThat(good.callsFor(DispatchFixtures.last(j, "a").eventId())).isEqualTo(1);
        j.awaitHandled(r.token(), Duration.ofMinutes(2), "good", "flaky");
    }

    @Test
    @Tag("D11")
    @Tag("D12")
    @Tag("L3")
    @DisplayName("D11, D12, L3: after deadLetterAttempts failures the delivery is parked, listed, logged at ERROR, not retried")
    void deadLetterParkedAndListed() {
        Recorder<Added> broken = new Recorder<>(1_000);
        Jangle j = build(DispatchFixtures.builder(clock).handlerAttempts(1).deadLetterAttempts(3).reactor("broken", Added.class, broken));
        try (LogCapture log = new LogCapture("jangle.dispatch", Level.INFO)) {
            j.start();
            j.send(new Add("a", 1));
            awaitAttempts(j, "broken", 1);
            for (int i = 0; i < 3; i++) {
                clock.advance(MAX_AGE);
                j.operations().runEventDaemonPass();
            }
            assertThat(broken.calls.get()).isEqualTo(3); // the 4th pass found nothing: parked (D11)
            assertThat(log.levelOf("dispatch.dead-lettered")).isEqualTo(Level.ERROR);
            assertThat(log.levelOf("dispatch.handler-failed")).isEqualTo(Level.WARN);
        }
        assertThat(j.operations().pending(null, 10)).isEmpty();
        List<Delivery> dead = j.operations().deadLetters("broken", 10);
        assertThat(dead).hasSize(1);
        Delivery d = dead.get(0);
        EventRecord<?> event = DispatchFixtures.last(j, "a");
        assertThat(d.eventId()).isEqualTo(event.eventId());
        assertThat(d.eventType()).isEqualTo("Added");
        assertThat(d.aggregateId()).isEqualTo("a");
        assertThat(d.version()).isEqualTo(1);
        assertThat(d.position()).isEqualTo(event.position());
        assertThat(d.attempts()).isEqualTo(3);
        assertThat(d.firstFailureAt()).isEqualTo(DispatchFixtures.T0);
        assertThat(d.lastAttemptAt()).isEqualTo(DispatchFixtures.T0.plus(MAX_AGE.multipliedBy(2)));
        assertThat(d.lastError()).isEqualTo("java.lang.IllegalStateException: planned failure");
    }

    @Test
    @Tag("D12")
    @DisplayName("D12: retry of one dead letter resets it and delivers it now; the handler succeeds")
    void operatorRetry() {
        Recorder<Added> broken = new Recorder<>(1);
        Jangle j = build(DispatchFixtures.builder(clock).handlerAttempts(1).deadLetterAttempts(1).reactor("broken", Added.class, broken));
        j.start();
        CommandResponse r = j.send(new Add("a", 1));
        eventually(() -> j.operations().deadLetters("broken", 1).size() == 1, "dead letter");
        UUID eventId = j.operations().deadLetters("broken", 1).get(0).eventId();
        try (LogCapture log = new LogCapture("jangle.dispatch", Level.INFO)) {
            assertThat(j.operations().retry(eventId, "broken")).isEqualTo(1);
            assertThat(log.levelOf("dispatch.operator-retry")).isEqualTo(Level.WARN);
        }
        assertThat(broken.seen).containsExactly(eventId);
        assertThat(j.operations().deadLetters(null, 10)).isEmpty();
        assertThat(j.operations().pending(null, 10)).isEmpty();
        j.awaitHandled(r.token(), Duration.ofMinutes(2), "broken");
        assertThat(j.operations().retry(eventId, "broken")).isZero();
    }

    @Test
    @Tag("D12")
    @DisplayName("D12: retryAll puts back every dead letter of a handler and delivers them")
    void operatorRetryAll() {
        Recorder<Added> broken = new Recorder<>(3);
        Jangle j = build(DispatchFixtures.builder(clock).handlerAttempts(1).deadLetterAttempts(1).reactor("broken", Added.class, broken));
        for (int i = 0; i < 3; i++) j.send(new Add("a" + i, 1));
        j.start(); // the processor catches up and fails all three once: dead at once with deadLetterAttempts 1
        eventually(() -> j.operations().deadLetters("broken", 10).size() == 3, "three dead letters");
        assertThat(j.operations().retryAll("broken")).isEqualTo(3);
        assertThat(j.operations().deadLetters(null, 10)).isEmpty();
        assertThat(broken.seen).hasSize(3).doesNotHaveDuplicates();
    }

    @Test
    @Tag("D12")
    @Tag("L3")
    @DisplayName("D12, L3: skip marks a delivery done without running it, logged at WARN with the reason")
    void operatorSkip() {
        Recorder<Added> broken = new Recorder<>(1_000);
        Jangle j = build(DispatchFixtures.builder(clock).handlerAttempts(1).deadLetterAttempts(1).reactor("broken", Added.class, broken));
        j.start();
        j.send(new Add("a", 1));
        eventually(() -> j.operations().deadLetters("broken", 1).size() == 1, "dead letter");
        UUID eventId = j.operations().deadLetters("broken", 1).get(0).eventId();
        try (LogCapture log = new LogCapture("jangle.dispatch", Level.INFO)) {
            assertThat(j.operations().skip(eventId, "broken", "poison message")).isTrue();
            assertThat(log.levelOf("dispatch.operator-skip")).isEqualTo(Level.WARN);
        }
        assertThat(j.operations().deadLetters(null, 10)).isEmpty();
        assertThat(broken.calls.get()).isEqualTo(1);
        assertThat(j.operations().skip(eventId, "broken", "again")).isFalse();
    }

    @Test
    @Tag("D9")
    @Tag("D10")
    @DisplayName("D10: runCatchUpPass retries parked work regardless of its age; D9 passes skip young work")
    void catchUpIgnoresAge() {
        Recorder<Added> rec = new Recorder<>(2);
        Jangle j = build(DispatchFixtures.builder(clock).handlerAttempts(1).reactor("p", Added.class, rec));
        j.start();
        j.send(new Add("a", 1));
        j.send(new Add("b", 1));
        eventually(() -> j.operations().pending("p", 10).size() == 2, "both parked");
        assertThat(j.operations().runEventDaemonPass()).isZero(); // younger than the max age
        assertThat(j.operations().runCatchUpPass()).isEqualTo(2);
        assertThat(rec.seen).hasSize(2);
        assertThat(j.operations().pending(null, 10)).isEmpty();
    }

    @Test
    @Tag("D13")
    @DisplayName("D13: deliveries of a handler that is no longer registered fail with 'handler not registered' until dead")
    void unregisteredHandler() {
        Stores shared = Stores.of(new InMemoryEventStore(), new InMemorySnapshotStore(), new InMemorySagaStore());
        Jangle before = Jangle.builder().clock(clock).environment(java.util.Map.of())
                .commands(DispatchFixtures.Cmd.class).events(DispatchFixtures.Evt.class)
                .aggregate(DispatchFixtures.Counter.class, DispatchFixtures.Counter::new)
                .handlerAttempts(1).stores(ctx -> shared).reactor("retired", Added.class, new Recorder<>(1_000))
                .build();
        before.start();
        before.send(new Add("a", 1));
        eventually(() -> !before.operations().pending("retired", 1).isEmpty(), "parked for the retired handler");
        before.close();

        Jangle j = build(DispatchFixtures.builder(clock).stores(ctx -> shared).deadLetterAttempts(3));
        try (LogCapture log = new LogCapture("jangle.dispatch", Level.INFO)) {
            j.start(); // its catch-up pass retries the parked delivery at once
            assertThat(log.points()).contains("dispatch.unregistered-handler");
        }
        Delivery first = j.operations().pending("retired", 1).get(0);
        assertThat(first.attempts()).isEqualTo(2);
        assertThat(first.lastError()).isEqualTo("handler not registered");
        clock.advance(MAX_AGE);
        j.operations().runEventDaemonPass();
        Delivery dead = j.operations().deadLetters("retired", 1).get(0);
        assertThat(dead.lastError()).isEqualTo("handler not registered");
        assertThat(dead.attempts()).isEqualTo(3);
    }

    @Test
    @Tag("D14")
    @DisplayName("D14: an event whose payload cannot be read fails only its own deliveries with a SerializationException")
    void unreadablePayload() {
        Set<UUID> corrupt = ConcurrentHashMap.newKeySet();
        InMemoryEventStore inner = new InMemoryEventStore();
        EventStore corrupting = new CorruptingStore(inner, corrupt);
        Stores stores = Stores.of(corrupting, new InMemorySnapshotStore(), new InMemorySagaStore());
        Recorder<Added> rec = new Recorder<>();
        Jangle j = build(DispatchFixtures.builder(clock).stores(ctx -> stores).projection("p", Added.class, rec));
        j.send(new Add("a", 1));
        j.send(new Add("b", 1));
        j.send(new Add("c", 1));
        corrupt.add(DispatchFixtures.last(j, "b").eventId());

        j.start(); // the processor catches up from the feed, which reports b unreadable
        eventually(() -> rec.seen.size() == 2 && !j.operations().pending(null, 10).isEmpty(), "a and c handled");
        assertThat(rec.seen).containsExactlyInAnyOrder(DispatchFixtures.last(j, "a").eventId(),
                DispatchFixtures.last(j, "c").eventId());
        List<Delivery> pending = j.operations().pending(null, 10);
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).aggregateId()).isEqualTo("b");
        assertThat(pending.get(0).lastError()).startsWith("jangle.SerializationException: ");
    }

    @Test
    @Tag("D9")
    @Tag("L3")
    @DisplayName("D9, L3: a pass that delivered something is logged at INFO with point daemon.events.pass")
    void passLogging() {
        Jangle j = build(DispatchFixtures.builder(clock).projection("p", Added.class, new Recorder<>()));
        j.send(new Add("a", 1));
        try (LogCapture log = new LogCapture("jangle.daemon.events", Level.DEBUG)) {
            j.operations().runCatchUpPass();
            assertThat(log.levelOf("daemon.events.pass")).isEqualTo(Level.INFO);
        }
    }

    /** An event store whose payloads of some events cannot be read (D14). */
    private static final class CorruptingStore extends ForwardingEvents {
        private final Set<UUID> corrupt;

        CorruptingStore(InMemoryEventStore inner, Set<UUID> corrupt) {
            super(inner);
            this.corrupt = corrupt;
        }

        @Override
        public Optional<EventRecord<?>> readEvent(UUID eventId) {
            if (corrupt.contains(eventId)) {
                throw new SerializationException(eventId, "Added", 1, "corrupt JSON", null);
            }
            return inner.readEvent(eventId);
        }

        /** The feed as a store with damaged rows reports it: the corrupt events come back unreadable (D14). */
        @Override
        public jangle.spi.FeedPage readFeed(long afterPosition, int limit, jangle.spi.FeedFilter filter) {
            jangle.spi.FeedPage page = inner.readFeed(afterPosition, limit, filter);
            List<EventRecord<?>> readable = new java.util.ArrayList<>();
            List<jangle.spi.FeedPage.Unreadable> unreadable = new java.util.ArrayList<>();
            for (EventRecord<?> r : page.records()) {
                if (corrupt.contains(r.eventId())) {
                    unreadable.add(new jangle.spi.FeedPage.Unreadable(r.position(), r.eventId(), r.aggregateId(),
                            r.type(), r.metadata().correlationId(), "jangle.SerializationException: corrupt JSON"));
                } else {
                    readable.add(r);
                }
            }
            return new jangle.spi.FeedPage(readable, unreadable, page.scannedTo());
        }
    }
}
