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

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Read-your-writes and settle waits (§16 CA1, CA3), computed from the dispatch ledger. */
class ConsistencyAidsTest {
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
    @Tag("CA1")
    @DisplayName("CA1: after awaitHandled the projections (all by default) have handled the command's events")
    void readYourWrites() {
        Map<String, Integer> totals = new ConcurrentHashMap<>();
        Jangle j = build(DispatchFixtures.builder(clock)
                .projection("totals", Added.class, (r, ctx) -> {
                    Thread.sleep(1); // a slow read model
                    totals.merge(r.aggregateId(), r.event().amount(), Integer::sum);
                })
                .projection("other", Added.class, new Recorder<>()));
        j.start();
        CommandResponse last = null;
        for (int i = 0; i < 20; i++) last = j.send(new Add("acc", 2));
        j.awaitHandled(last.token(), WAIT);
        assertThat(totals).containsEntry("acc", 40);
        j.awaitHandled(last.token(), WAIT, "totals");
    }

    @Test
    @Tag("CA1")
    @DisplayName("CA1: on timeout ConsistencyTimeoutException names the handlers still behind")
    void timeoutNamesLaggingHandlers() {
        Jangle j = build(DispatchFixtures.builder(clock).projection("slow", Added.class, new Recorder<>())
                .projection("other", Noted.class, new Recorder<>()));
        CommandResponse r = j.send(new Add("acc", 1)); // not started: stays pending
        assertThatThrownBy(() -> j.awaitHandled(r.token(), Duration.ofMillis(50)))
                .isInstanceOf(ConsistencyTimeoutException.class)
                .satisfies(e -> assertThat(((ConsistencyTimeoutException) e).laggingHandlers())
                        .containsExactly("slow"));
    }

    @Test
    @Tag("CA1")
    @DisplayName("CA1: only events at or below the token's position, and of the handler's own types, are waited for")
    void laterWorkIsNotWaitedFor() {
        Recorder<Noted> notes = new Recorder<>();
        Jangle j = build(DispatchFixtures.builder(clock).projection("notes", Noted.class, notes));
        CommandResponse first = j.send(new Add("acc", 1)); // not a type 'notes' reads
        CommandResponse later = j.send(new Note("acc", "later")); // above the first token
        j.awaitHandled(first.token(), Duration.ofMillis(50), "notes"); // returns although nothing runs yet
        assertThatThrownBy(() -> j.awaitHandled(later.token(), Duration.ofMillis(50), "notes"))
                .isInstanceOf(ConsistencyTimeoutException.class);
        assertThat(notes.calls.get()).isZero();
    }

    @Test
    @Tag("CA1")
    @DisplayName("CA1: a dead letter at or below the position fails the wait at once")
    void deadLetterFailsReadYourWrites() {
        Jangle j = build(DispatchFixtures.builder(clock).deadLetterAttempts(1)
                .projection("broken", Added.class, new Recorder<>(1_000)));
        j.start();
        CommandResponse r = j.send(new Add("acc", 1));
        DispatchFixtures.eventually(() -> !j.operations().deadLetters("broken", 1).isEmpty(), "dead letter");
        assertThatThrownBy(() -> j.awaitHandled(r.token(), Duration.ofMinutes(5)))
                .isInstanceOf(ConsistencyTimeoutException.class)
                .hasMessageContaining("dead letter")
                .satisfies(e -> assertThat(((ConsistencyTimeoutException) e).laggingHandlers())
                        .containsExactly("broken"));
    }

    @Test
    @Tag("CA3")
    @Tag("E3")
    @DisplayName("CA3, E3: awaitSettled returns when the whole chain caused by one command has been handled")
    void settleAChain() {
        Recorder<Noted> notes = new Recorder<>();
        Jangle j = build(DispatchFixtures.builder(clock)
                .reactor("chain", Added.class, (r, ctx) -> {
                    Thread.sleep(2);
                    ctx.send(new Note("n-" + r.aggregateId(), "from " + r.eventId()));
                })
                .projection("notes", Noted.class, (r, ctx) -> {
                    Thread.sleep(2);
                    notes.handle(r, ctx);
                }));
        j.start();
        UUID corr = UUID.randomUUID();
        j.send(new Add("acc", 1), SendOptions.NONE.withCorrelationId(corr));
        j.awaitSettled(corr, WAIT);
        assertThat(notes.seen).hasSize(1);
        EventRecord<?> note = DispatchFixtures.last(j, "n-acc");
        assertThat(note.metadata().correlationId()).isEqualTo(corr);
        assertThat(notes.seen).containsExactly(note.eventId());
    }

    @Test
    @Tag("CA3")
    @DisplayName("CA3: a dead letter in the chain fails the settle wait at once; a timeout names the pending handlers")
    void settleFailures() {
        Jangle j = build(DispatchFixtures.builder(clock).deadLetterAttempts(1)
                .reactor("broken", Added.class, new Recorder<>(1_000))
                .projection("notes", Noted.class, new Recorder<>()));
        UUID pendingCorr = UUID.randomUUID();
        j.send(new Note("x", "n"), SendOptions.NONE.withCorrelationId(pendingCorr));
        assertThatThrownBy(() -> j.awaitSettled(pendingCorr, Duration.ofMillis(50)))
                .isInstanceOf(ConsistencyTimeoutException.class)
                .satisfies(e -> {
                    assertThat(((ConsistencyTimeoutException) e).laggingHandlers()).containsExactly("notes");
                    assertThat(((ConsistencyTimeoutException) e).awaited()).contains(pendingCorr.toString());
                });
        j.start();
        UUID corr = UUID.randomUUID();
        j.send(new Add("acc", 1), SendOptions.NONE.withCorrelationId(corr));
        DispatchFixtures.eventually(() -> !j.operations().deadLetters("broken", 1).isEmpty(), "dead letter");
        assertThatThrownBy(() -> j.awaitSettled(corr, Duration.ofMinutes(5)))
                .isInstanceOf(ConsistencyTimeoutException.class)
                .hasMessageContaining("dead letter");
        j.awaitSettled(pendingCorr, WAIT); // the catch-up at start handled the earlier note
    }

    @Test
    @Tag("CA1")
    @Tag("Q4")
    @DisplayName("CA1, Q4: an unknown handler name is an error, not a silent no-op")
    void unknownHandlerName() {
        Jangle j = build(DispatchFixtures.builder(clock).projection("p", Added.class, new Recorder<>()));
        CommandResponse r = j.send(new Add("acc", 1));
        assertThatThrownBy(() -> j.awaitHandled(r.token(), WAIT, "nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    }
}
