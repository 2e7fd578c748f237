package jangle;

import jangle.SagaFixtures.Approved;
import jangle.SagaFixtures.Audited;
import jangle.SagaFixtures.Declined;
import jangle.SagaFixtures.Harness;
import jangle.SagaFixtures.Requested;
import jangle.SagaFixtures.TransferSaga;
import jangle.spi.SagaState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** The saga engine driven directly (§9): every step of the evaluate algorithm, with a movable clock. */
class SagaEngineTest {
    private static final String SAGA = "tx-1";
    private static final Duration RETRY = Duration.ofSeconds(30);

    @Test
    @Tag("SG7")
    @Tag("SG11")
    @DisplayName("SG11, SG7, §9 steps 4 and 8: a routed event creates the saga, records it, runs its receiver, commits")
    void routedEventCreatesAndCommits() {
        Harness h = new Harness();
        h.deliver(new Requested("1", "acc-9", 5));
        SagaState s = h.require(SAGA);
        assertThat(s.sagaType()).isEqualTo("TransferSaga");
        assertThat(s.version()).isEqualTo(1);
        assertThat(s.timeoutAt()).isEqualTo(h.clock.instant().plus(TransferSaga.TIMEOUT));
        assertThat(s.wakeAt()).isEqualTo(s.timeoutAt());
        assertThat(s.retryAt()).isNull();
        assertThat(s.complete()).isFalse();
        assertThat(s.timedOut()).isFalse();
        assertThat(h.historyTypes(SAGA)).containsExactly("Requested");
        assertThat(h.control.receiverLog).containsExactly("requested");
        assertThat(h.gateway.sent).isEmpty();
    }

    @Test
    @Tag("SG5")
    @DisplayName("§9 dispatchCommand, SG5: an accepted step records onSuccess; the saga completes and then ignores events")
    void acceptedStepCompletes() {
        Harness h = new Harness();
        h.deliver(new Requested("1", "acc-9", 5));
        h.deliver(new Approved("1"));
        assertThat(h.gateway.commands()).containsExactly(new DispatchFixtures.Add("acc-9", 5));
        SagaState s = h.require(SAGA);
        assertThat(s.complete()).isTrue();
        assertThat(s.wakeAt()).isNull();
        assertThat(h.historyTypes(SAGA)).containsExactly("Requested", "Approved", "Credited");
        long version = s.version();

        h.deliver(new Audited("1"));
        assertThat(h.require(SAGA).version()).isEqualTo(version);
        assertThat(h.control.receiverLog).doesNotContain("audited");
        assertThat(h.gateway.sent).hasSize(1);
    }

    @Test
    @Tag("E3")
    @DisplayName("E3: saga commands inherit the routed event's correlation id and are caused by its event id")
    void sagaCommandMetadata() {
        Harness h = new Harness();
        UUID correlation = UUID.randomUUID();
        h.deliver(h.record(new Requested("1", "acc-9", 5), correlation));
        EventRecord<?> approved = h.record(new Approved("1"), correlation);
        h.deliver(approved);
        SagaFixtures.Sent sent = h.gateway.sent.get(0);
        assertThat(sent.options().correlationId()).isEqualTo(correlation);
        assertThat(sent.causationId()).isEqualTo(approved.eventId());
        assertThat(sent.completing()).isNull();
    }

    @Test
    @Tag("SG2")
    @DisplayName("SG2: a redelivered event is detected by its id and changes nothing (no save, no command)")
    void redeliveryChangesNothing() {
        Harness h = new Harness();
        h.deliver(new Requested("1", "acc-9", 5));
        h.gateway.responder = c -> CommandResponse.rejected("account closed");
        h.control.failBeforeCredit.set(0);
        EventRecord<?> approved = h.record(new Approved("1"));
        h.deliver(approved);
        SagaState before = h.require(SAGA);
        int sent = h.gateway.sent.size();

        h.deliver(approved);
        assertThat(h.require(SAGA)).isEqualTo(before);
        assertThat(h.gateway.sent).hasSize(sent);
    }

    @Test
    @Tag("SG3")
    @DisplayName("SG3, §19 bug 6: a receiver that throws before sending schedules a retry and never escapes")
    void receiverExceptionSchedulesRetry() {
        Harness h = new Harness();
        h.deliver(new Requested("1", "acc-9", 5));
        h.control.failBeforeCredit.set(1);
        Instant now = h.clock.instant();
        assertThatCode(() -> h.deliver(new Approved("1"))).doesNotThrowAnyException();
        SagaState s = h.require(SAGA);
        assertThat(s.retryAt()).isEqualTo(now.plus(RETRY));
        assertThat(s.wakeAt()).isEqualTo(now.plus(RETRY));
        assertThat(s.complete()).isFalse();
        assertThat(h.historyTypes(SAGA)).containsExactly("Requested", "Approved");
        assertThat(h.gateway.sent).isEmpty();

        // SG9: not due yet
        assertThat(h.daemonPass()).isZero();
        h.clock.advance(RETRY);
        assertThat(h.daemonPass()).isEqualTo(1);
        assertThat(h.gateway.commands()).containsExactly(new DispatchFixtures.Add("acc-9", 5));
        assertThat(h.require(SAGA).complete()).isTrue();
        assertThat(h.require(SAGA).retryAt()).isNull();
    }

    @Test
    @Tag("SG12")
    @DisplayName("SG12: a missing prerequisite is retried each interval until the saga ends; then nothing is due")
    void prerequisiteRetryRepeatsUntilTheSagaEnds() {
        Harness h = new Harness();
        h.deliver(new Approved("1"));
        assertThat(h.require(SAGA).retryAt()).isEqualTo(h.clock.instant().plus(RETRY));
        h.clock.advance(RETRY);
        assertThat(h.daemonPass()).isEqualTo(1);
        assertThat(h.require(SAGA).retryAt()).isEqualTo(h.clock.instant().plus(RETRY));
        assertThat(h.gateway.sent).isEmpty();

        h.deliver(new Declined("1"));
        assertThat(h.require(SAGA).complete()).isTrue();
        h.clock.advance(RETRY);
        assertThat(h.daemonPass()).isZero();
    }

    @Test
    @DisplayName("§9 step 5: a saga that was retried with nothing left to do has retryAt cleared in the store")
    void retryWithNothingToDoIsSavedCleared() {
        Harness h = new Harness();
        h.deliver(new Requested("1", "acc-9", 5));
        h.control.failBeforeCredit.set(1);
        h.gateway.responder = c -> CommandResponse.rejected("no account");
        h.deliver(new Approved("1"));
        h.clock.advance(RETRY);
        // the retry records CreditFailed; the refund is rejected too (no failure event) -> retried again
        assertThat(h.daemonPass()).isEqualTo(1);
        SagaState s = h.require(SAGA);
        assertThat(h.historyTypes(SAGA)).contains("CreditFailed");
        assertThat(s.retryAt()).isEqualTo(h.clock.instant().plus(RETRY));
        h.gateway.responder = c -> CommandResponse.accepted();
        h.clock.advance(RETRY);
        assertThat(h.daemonPass()).isEqualTo(1);
        s = h.require(SAGA);
        assertThat(s.complete()).isTrue();
        assertThat(s.retryAt()).isNull();
        assertThat(h.daemonPass()).isZero();
    }

    @Test
    @Tag("SG5")
    @DisplayName("SG5, §9 step 3: a passed timeout marks the saga timed out, saves it, and it stops for good")
    void timeoutStopsTheSaga() {
        Harness h = new Harness();
        h.deliver(new Requested("1", "acc-9", 5));
        h.clock.advance(TransferSaga.TIMEOUT.plusSeconds(1));
        assertThat(h.daemonPass()).isEqualTo(1);
        SagaState s = h.require(SAGA);
        assertThat(s.timedOut()).isTrue();
        assertThat(s.complete()).isFalse();
        assertThat(s.wakeAt()).isNull();
        long version = s.version();

        h.deliver(new Approved("1"));
        assertThat(h.gateway.sent).isEmpty();
        assertThat(h.require(SAGA).version()).isEqualTo(version);
        assertThat(h.stores.sagas().dueIds(h.clock.instant().plus(Duration.ofDays(1)), 10)).isEmpty();
    }

    @Test
    @Tag("SG6")
    @DisplayName("SG6, §19 bug 9: a started compensation ignores a passed timeout and keeps retrying until it completes")
    void mustFinishDefersTimeout() {
        Harness h = new Harness();
        h.deliver(new Requested("1", "acc-9", 5));
        // the credit is rejected (CreditFailed recorded), the refund is rejected too: a compensation has started
        h.gateway.responder = c -> CommandResponse.rejected("not now");
        h.deliver(new Approved("1"));
        assertThat(h.historyTypes(SAGA)).containsExactly("Requested", "Approved", "CreditFailed");
        SagaState s = h.require(SAGA);
        assertThat(s.retryAt()).isNotNull();
        assertThat(s.wakeAt()).isEqualTo(s.retryAt()); // the timeout does not wake a saga that must finish (SG7)

        h.clock.advance(TransferSaga.TIMEOUT.multipliedBy(2));
        assertThat(h.daemonPass()).isEqualTo(1);
        s = h.require(SAGA);
        assertThat(s.timedOut()).isFalse();
        assertThat(s.complete()).isFalse();

        h.gateway.responder = c -> CommandResponse.accepted();
        h.clock.advance(RETRY);
        assertThat(h.daemonPass()).isEqualTo(1);
        s = h.require(SAGA);
        assertThat(s.complete()).isTrue();
        assertThat(s.timedOut()).isFalse();
        assertThat(h.historyTypes(SAGA)).endsWith("Refunded");
        assertThat(h.gateway.commands()).filteredOn(c -> c instanceof DispatchFixtures.Note).hasSize(3);
    }

    @Test
    @Tag("SG12")
    @DisplayName("SG12: routed events delivered in every order end in the same finished saga with one credit")
    void outOfOrderPrerequisites() {
        List<List<Event>> orders = permutations(List.of(new Requested("1", "acc-9", 5), new Approved("1"),
                new Audited("1")));
        assertThat(orders).hasSize(6);
        for (List<Event> order : orders) {
            Harness h = new Harness();
            for (Event e : order) h.deliver(e);
            for (int i = 0; i < 3 && !h.require(SAGA).complete(); i++) {
                h.clock.advance(RETRY);
                h.daemonPass();
            }
            assertThat(h.require(SAGA).complete()).as("order %s", order).isTrue();
            assertThat(h.gateway.commands()).as("order %s", order)
                    .containsExactly(new DispatchFixtures.Add("acc-9", 5));
            // Audited is recorded only when it arrives before the saga completed
            assertThat(h.historyTypes(SAGA)).as("order %s", order)
                    .containsOnlyOnce("Requested", "Approved", "Credited").isSubsetOf("Requested", "Approved",
                            "Audited", "Credited");
        }
    }

    @Test
    @Tag("SG12")
    @DisplayName("SG12, §9 step 7: a receiver skipped only for a missing required flag schedules a retry")
    void missingPrerequisiteSchedulesRetry() {
        Harness h = new Harness();
        Instant now = h.clock.instant();
        h.deliver(new Approved("1"));
        SagaState s = h.require(SAGA);
        assertThat(s.retryAt()).isEqualTo(now.plus(RETRY));
        assertThat(h.control.receiverLog).isEmpty();
        // a skipIfAnyFlags skip is not a missing prerequisite: no retry is scheduled for it
        Harness d = new Harness();
        d.deliver(new Requested("1", "acc-9", 5));
        d.deliver(new Declined("1"));
        assertThat(d.require(SAGA).complete()).isTrue();
    }

    @Test
    @Tag("SG1")
    @DisplayName("SG1, §19 bug 8: on a retry receivers run in ascending order, ties broken by method name")
    void receiverOrder() {
        SagaFixtures.Control control = new SagaFixtures.Control();
        java.util.Map<Class<? extends Event>, java.util.function.Function<Event, String>> routes =
                new java.util.LinkedHashMap<>();
        routes.put(Requested.class, e -> "o");
        routes.put(Approved.class, e -> "o");
        routes.put(Audited.class, e -> "o");
        Harness h = new Harness(OrderSaga.class, id -> new OrderSaga(id, control), routes);
        control.failBeforeCredit.set(1);
        h.deliver(new Requested("1", "x", 1)); // zeta (order 0) throws once: retry scheduled
        h.deliver(new Approved("1"));          // alpha (order 1)
        h.deliver(new Audited("1"));           // mid (order 0)
        control.receiverLog.clear();
        h.clock.advance(RETRY);
        assertThat(h.daemonPass()).isEqualTo(1);
        assertThat(control.receiverLog).containsExactly("mid", "zeta", "alpha");
    }

    /** Receivers whose names sort differently from their order. */
    static final class OrderSaga extends Saga {
        private final SagaFixtures.Control control;

        OrderSaga(String id, SagaFixtures.Control control) {
            super(id);
            this.control = control;
        }

        @ReconstituteSagaState
        void on(Requested e) {
        }

        @ReconstituteSagaState
        void on(Approved e) {
        }

        @ReconstituteSagaState
        void on(Audited e) {
        }

        @EventReceiver(value = Approved.class, order = 1)
        void alpha() {
            control.receiverLog.add("alpha");
        }

        @EventReceiver(value = Requested.class, order = 0)
        void zeta() {
            control.receiverLog.add("zeta");
            if (control.failBeforeCredit.getAndUpdate(n -> Math.max(0, n - 1)) > 0) throw new IllegalStateException("x");
        }

        @EventReceiver(value = Audited.class, order = 0)
        void mid() {
            control.receiverLog.add("mid");
        }
    }

    @Test
    @Tag("SG2")
    @Tag("SG4")
    @DisplayName("SG4, SG2: a concurrent commit of the same event wins; the loser reloads and finds a redelivery")
    void conflictReloadsAndEvaluatesAgain() {
        Harness h = new Harness();
        h.deliver(new Requested("1", "acc-9", 5));
        EventRecord<?> approved = h.record(new Approved("1"));
        // while the first evaluation sends its command, a second delivery of the same event evaluates and commits
        java.util.concurrent.atomic.AtomicBoolean nested = new java.util.concurrent.atomic.AtomicBoolean();
        h.gateway.responder = c -> {
            if (nested.compareAndSet(false, true)) h.deliver(approved);
            return CommandResponse.accepted();
        };
        assertThatCode(() -> h.deliver(approved)).doesNotThrowAnyException();
        SagaState s = h.require(SAGA);
        assertThat(s.version()).isEqualTo(2);
        assertThat(s.complete()).isTrue();
        assertThat(h.historyTypes(SAGA)).containsExactly("Requested", "Approved", "Credited");
    }

    @Test
    @Tag("SG4")
    @DisplayName("SG4: a conflicting commit by another event is reloaded and the event evaluated again")
    void conflictWithAnotherEvent() {
        Harness h = new Harness();
        h.deliver(new Requested("1", "acc-9", 5));
        java.util.concurrent.atomic.AtomicBoolean nested = new java.util.concurrent.atomic.AtomicBoolean();
        h.gateway.responder = c -> {
            if (nested.compareAndSet(false, true)) h.deliver(new Audited("1"));
            return CommandResponse.accepted();
        };
        h.deliver(new Approved("1"));
        SagaState s = h.require(SAGA);
        assertThat(s.complete()).isTrue();
        assertThat(h.historyTypes(SAGA)).containsExactly("Requested", "Audited", "Approved", "Credited");
        assertThat(s.version()).isEqualTo(3);
    }

    @Test
    @Tag("H3")
    @Tag("SG4")
    @DisplayName("SG4, H3: conflicts are retried a bounded number of times, then RetriesExhaustedException")
    void conflictRetriesAreBounded() {
        Harness h = new Harness();
        h.deliver(new Requested("1", "acc-9", 5));
        java.util.concurrent.atomic.AtomicInteger audits = new java.util.concurrent.atomic.AtomicInteger();
        h.gateway.responder = c -> {
            // while each evaluation sends its command, another writer commits the saga first: every commit conflicts
            SagaState current = h.require(SAGA);
            if (audits.incrementAndGet() <= 10 && !current.complete()) {
                h.stores.sagas().commit(new SagaState(SAGA, "TransferSaga", current.version() + 1,
                        current.retryAt(), current.timeoutAt(), false, false, current.wakeAt(), List.of()),
                        current.version(), List.of());
            }
            return CommandResponse.accepted();
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.deliver(new Approved("1")))
                .isInstanceOf(RetriesExhaustedException.class)
                .satisfies(e -> assertThat(((RetriesExhaustedException) e).attempts())
                        .isEqualTo(h.settings.commandMaxAttempts()));
        assertThat(audits.get()).isEqualTo(h.settings.commandMaxAttempts());
        assertThat(h.historyTypes(SAGA)).containsExactly("Requested");
    }

    @Test
    @Tag("SG7")
    @DisplayName("SG7: a reloaded saga has its flags, retryAt, timeoutAt and complete/timedOut restored exactly")
    void loadRestoresEverything() {
        Harness h = new Harness();
        h.deliver(new Requested("1", "acc-9", 5));
        h.control.failBeforeCredit.set(1);
        h.deliver(new Approved("1"));
        SagaState stored = h.require(SAGA);
        assertThat(stored.retryAt()).isNotNull();
        assertThat(stored.timeoutAt()).isNotNull();
        // a redelivery loads the saga and changes nothing: every field survives the round trip
        h.deliver(h.record(new Audited("1")));
        SagaState after = h.require(SAGA);
        assertThat(after.retryAt()).isEqualTo(stored.retryAt()); // step 4: a retryAt already set is kept
        assertThat(after.timeoutAt()).isEqualTo(stored.timeoutAt());
        assertThat(after.complete()).isFalse();
        assertThat(after.timedOut()).isFalse();
        // the flags were restored: the retry runs approved() because Requested and Approved are in the flags
        h.clock.advance(RETRY);
        h.daemonPass();
        assertThat(h.require(SAGA).complete()).isTrue();
    }

    @Test
    @Tag("SG11")
    @DisplayName("SG11: a retry for a saga id that does not exist is ignored")
    void retryForMissingSaga() {
        Harness h = new Harness();
        assertThat(h.runtime.sagaEngine().retry("nope")).isFalse();
        assertThat(h.state("nope")).isEmpty();
    }

    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.size() <= 1) return List.of(items);
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T head = rest.remove(i);
            for (List<T> p : permutations(rest)) {
                List<T> l = new ArrayList<>();
                l.add(head);
                l.addAll(p);
                out.add(l);
            }
        }
        return out;
    }
}
