package jangle;

import jangle.DispatchFixtures.MutableClock;
import jangle.SagaFixtures.Approved;
import jangle.SagaFixtures.Audited;
import jangle.SagaFixtures.Control;
import jangle.SagaFixtures.Declined;
import jangle.SagaFixtures.Requested;
import jangle.SagaFixtures.TransferSaga;
import jangle.SagaFixtures.TxEvent;
import jangle.spi.Delivery;
import jangle.spi.SagaState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sagas through {@code Jangle.builder()}: registration checks, the saga reactor, the saga daemon. */
class SagaJangleTest {
    private static final Duration RETRY = Duration.ofMinutes(5); // shorter than the saga's one-hour timeout
    private final MutableClock clock = new MutableClock();
    private final Control control = new Control();
    private Jangle jangle;

    @AfterEach
    void close() {
        if (jangle != null) jangle.close();
    }

    sealed interface DeskCmd extends Command permits Request, Approve {
    }

    record Request(String tx, String to, int amount) implements DeskCmd {
        @Override
        public String aggregateId() {
            return "desk-" + tx;
        }
    }

    record Approve(String tx) implements DeskCmd {
        @Override
        public String aggregateId() {
            return "approvals-" + tx;
        }
    }

    /** Posts the routed events; approvals live in their own stream so they can be delivered before requests. */
    static final class Desk extends Aggregate {
        Desk(String id) {
            super(id);
        }

        @ValidateCommand
        void request(Request c) {
            post(new Requested(c.tx(), c.to(), c.amount()));
        }

        @ValidateCommand
        void approve(Approve c) {
            post(new Approved(c.tx()));
        }

        @ReconstituteState
        void on(Requested e) {
        }

        @ReconstituteState
        void on(Approved e) {
        }
    }

    private JangleBuilder builder() {
        // one segment: the two streams are handled in feed order, so a request is seen before its approval; with
        // several segments only each aggregate's order holds (D5, D17) and the saga's retry covers the rest
        return DispatchFixtures.builder(clock).processorSegments(1).sagaRetryInterval(RETRY).commands(DeskCmd.class)
                .events(TxEvent.class)
                .aggregate(Desk.class, Desk::new)
                .saga(TransferSaga.class, id -> new TransferSaga(id, control), routes -> routes
                        .on(Requested.class, e -> "tx-" + e.tx())
                        .on(Approved.class, e -> "tx-" + e.tx())
                        .on(Declined.class, e -> "tx-" + e.tx())
                        .on(Audited.class, e -> "tx-" + e.tx()));
    }

    @Test
    @Tag("CA3")
    @Tag("D1")
    @Tag("E3")
    @DisplayName("§9, D1, E3, CA3: routed events reach the saga through its reactor saga:<Name>; its command joins the chain")
    void sagaEndToEnd() {
        jangle = builder().build();
        Jangle j = jangle;
        UUID corr = UUID.randomUUID();
        j.send(new Request("1", "acc-9", 5), SendOptions.NONE.withCorrelationId(corr));
        j.send(new Approve("1"), SendOptions.NONE.withCorrelationId(corr));
        assertThat(j.operations().pending(null, 10)).as("the append writes no delivery (D1)").isEmpty();

        j.start();
        j.awaitSettled(corr, Duration.ofSeconds(20));
        SagaState s = j.stores().sagas().get("tx-1").orElseThrow();
        assertThat(s.complete()).isTrue();
        assertThat(s.sagaType()).isEqualTo("TransferSaga");
        EventRecord<?> credit = DispatchFixtures.last(j, "acc-9");
        assertThat(credit.event()).isEqualTo(new DispatchFixtures.Added(5));
        assertThat(credit.metadata().correlationId()).isEqualTo(corr);
        EventRecord<?> approved = DispatchFixtures.last(j, "approvals-1");
        assertThat(credit.metadata().causationId()).isEqualTo(approved.eventId());
        assertThat(j.operations().sagas(true, 10)).extracting(SagaState::sagaId).containsExactly("tx-1");
        assertThat(j.operations().sagas(false, 10)).isEmpty();
    }

    @Test
    @Tag("SG3")
    @Tag("SG9")
    @DisplayName("SG9, SG3: the saga daemon evaluates a due saga; its retry step keeps the chain's correlation id")
    void sagaDaemonRetries() {
        jangle = builder().build();
        Jangle j = jangle;
        j.start();
        UUID corr = UUID.randomUUID();
        control.failBeforeCredit.set(1);
        j.send(new Request("2", "acc-7", 3), SendOptions.NONE.withCorrelationId(corr));
        j.send(new Approve("2"), SendOptions.NONE.withCorrelationId(corr));
        j.awaitSettled(corr, Duration.ofSeconds(20)); // a saga step waiting for its retry is not waited for (CA3)
        assertThat(j.stores().sagas().get("tx-2").orElseThrow().retryAt()).isEqualTo(clock.instant().plus(RETRY));
        assertThat(j.operations().runSagaDaemonPass()).isZero();

        clock.advance(RETRY);
        assertThat(j.operations().runSagaDaemonPass()).isEqualTo(1);
        assertThat(j.stores().sagas().get("tx-2").orElseThrow().complete()).isTrue();
        EventRecord<?> credit = DispatchFixtures.last(j, "acc-7");
        assertThat(credit.metadata().correlationId()).isEqualTo(corr);
        assertThat(credit.metadata().causationId()).isEqualTo(DispatchFixtures.last(j, "approvals-2").eventId());
    }

    // ---- SG11, CR2: saga classes are checked at build() ----

    static final class NoReceiver extends Saga {
        NoReceiver(String id) {
            super(id);
        }

        @ReconstituteSagaState
        void on(Requested e) {
        }
    }

    static final class BadSignatures extends Saga {
        BadSignatures(String id) {
            super(id);
        }

        @ReconstituteSagaState
        void on(Requested e, String extra) {
        }

        @EventReceiver(Requested.class)
        void first(String notAllowed) {
        }

        @ReconstituteSagaState
        void on(Approved e) {
        }

        @EventReceiver(Approved.class)
        void one() {
        }

        @EventReceiver(Approved.class)
        void two() {
        }
    }

    static final class Outer1 {
        static final class Same extends Saga {
            Same(String id) {
                super(id);
            }

            @ReconstituteSagaState
            void on(Audited e) {
            }

            @EventReceiver(Audited.class)
            void audited() {
            }
        }
    }

    static final class Outer2 {
        static final class Same extends Saga {
            Same(String id) {
                super(id);
            }

            @ReconstituteSagaState
            void on(Audited e) {
            }

            @EventReceiver(Audited.class)
            void audited() {
            }
        }
    }

    @Test
    @Tag("CR2")
    @Tag("SG11")
    @DisplayName("SG11, CR2: missing receivers, bad signatures, two receivers for a type and duplicate saga names are all listed")
    void sagaConfigurationProblems() {
        JangleBuilder b = DispatchFixtures.builder(clock).events(TxEvent.class)
                .saga(NoReceiver.class, NoReceiver::new, r -> r.on(Requested.class, e -> e.tx()))
                .saga(BadSignatures.class, BadSignatures::new, r -> r.on(Requested.class, e -> e.tx())
                        .on(Approved.class, e -> e.tx()))
                .saga(Outer1.Same.class, Outer1.Same::new, r -> r.on(Audited.class, e -> e.tx()))
                .saga(Outer2.Same.class, Outer2.Same::new, r -> r.on(Audited.class, e -> e.tx()));
        assertThatThrownBy(b::build).isInstanceOf(ConfigurationException.class).satisfies(e -> {
            List<String> problems = ((ConfigurationException) e).problems();
            assertThat(problems).anyMatch(p -> p.contains("NoReceiver") && p.contains("no @EventReceiver"));
            assertThat(problems).anyMatch(p -> p.contains("BadSignatures.on") && p.contains("exactly one event"));
            assertThat(problems).anyMatch(p -> p.contains("BadSignatures.first") && p.contains("no parameters"));
            assertThat(problems).anyMatch(p -> p.contains("BadSignatures.two") && p.contains("one receiver per"));
            assertThat(problems).anyMatch(p -> p.contains("saga type name 'Same'"));
        });
    }

    @Test
    @Tag("SG11")
    @DisplayName("SG11: a routed event type outside the registered families is a configuration problem")
    void unregisteredRoutedType() {
        JangleBuilder b = DispatchFixtures.builder(clock)
                .saga(Outer1.Same.class, Outer1.Same::new, r -> r.on(Audited.class, e -> e.tx()));
        assertThatThrownBy(b::build).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("not in a registered event family");
    }
}
