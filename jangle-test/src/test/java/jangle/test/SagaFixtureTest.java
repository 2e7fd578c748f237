package jangle.test;

import jangle.Event;
import jangle.EventReceiver;
import jangle.JangleBuilder;
import jangle.ReconstituteSagaState;
import jangle.Saga;
import jangle.SagaRoutes;
import jangle.spi.Delivery;
import jangle.test.TestAccounts.Account;
import jangle.test.TestAccounts.AccountEvent;
import jangle.test.TestAccounts.Deposit;
import jangle.test.TestAccounts.Deposited;
import jangle.test.TestAccounts.Withdraw;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SagaFixtureTest {
    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    sealed interface PayEvent extends Event permits Requested, Paid, PayFailed, Cancelled {
    }

    /** Routed: pay {@code amount} into {@code to} (a deposit), or out of it when {@code withdraw}. */
    record Requested(String tx, String to, BigDecimal amount, boolean withdraw) implements PayEvent {
    }

    /** Routed: completes the saga. */
    record Cancelled(String tx) implements PayEvent {
    }

    /** Saga-internal: the step's command was accepted. */
    record Paid(String tx) implements PayEvent {
    }

    /** Saga-internal: the step's command was rejected. */
    record PayFailed(String tx, String reason) implements PayEvent {
    }

    /** What a test controls in sagas, which are rebuilt for every evaluation. */
    static final class Control {
        final AtomicInteger failuresLeft = new AtomicInteger();
    }

    static final class PaySaga extends Saga {
        private final Control control;
        private String tx;
        private String to;
        private BigDecimal amount;
        private boolean withdraw;

        PaySaga(String id, Control control) {
            super(id);
            this.control = control;
        }

        @ReconstituteSagaState
        void on(Requested e) {
            tx = e.tx();
            to = e.to();
            amount = e.amount();
            withdraw = e.withdraw();
        }

        @ReconstituteSagaState
        void on(Cancelled e) {
        }

        @ReconstituteSagaState
        void on(Paid e) {
        }

        @ReconstituteSagaState
        void on(PayFailed e) {
        }

        @EventReceiver(Requested.class)
        void requested() {
            if (timeoutAt() == null) setTimeoutAt(now().plus(TIMEOUT));
            if (control.failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("failure before any command was sent");
            }
            dispatchCommand(withdraw ? new Withdraw(to, amount) : new Deposit(to, amount), new Paid(tx),
                    PayFailed.class, reason -> new PayFailed(tx, reason));
            if (hasFlag(Paid.class)) setComplete();
        }

        @EventReceiver(Cancelled.class)
        void cancelled() {
            setComplete();
        }
    }

    private final Control control = new Control();
    private final MutableClock clock = new MutableClock(START);
    private SagaFixture fixture;

    private static Consumer<SagaRoutes> routes() {
        return r -> r.on(Requested.class, Requested::tx).on(Cancelled.class, Cancelled::tx);
    }

    private static void domain(JangleBuilder b) {
        b.events(AccountEvent.class).events(PayEvent.class).aggregate(Account.class, Account::new);
    }

    private SagaFixture fixture() {
        fixture = SagaFixture.forSaga(clock, PaySaga.class, id -> new PaySaga(id, control), routes(),
                SagaFixtureTest::domain);
        return fixture;
    }

    @AfterEach
    void close() {
        if (fixture != null) fixture.close();
    }

    private static BigDecimal amount(String s) {
        return new BigDecimal(s);
    }

    @Test
    @Tag("CR5")
    @DisplayName("CR5, §9: a given routed event creates the saga, its step's command commits, the saga records the "
            + "success and completes")
    void stepSucceeds() {
        SagaFixture f = fixture().givenEvent("000001", new Requested("tx-1", "000002", amount("10.00"), false));
        assertThat(f.eventsCommitted(Deposited.class)).containsExactly(new Deposited("000002", amount("10.00")));
        assertThat(f.eventsCommitted()).singleElement().satisfies(r -> {
            assertThat(r.aggregateId()).isEqualTo("000002");
            assertThat(r.createdAt()).isEqualTo(START);
        });
        f.assertSaga("tx-1").isComplete().isNotTimedOut().hasSeen(Requested.class, Paid.class)
                .hasNotSeen(PayFailed.class).hasTimeoutAt(START.plus(TIMEOUT));
        assertThat(f.sagaState("tx-1").sagaType()).isEqualTo("PaySaga");
        assertThat(f.pending()).isEmpty();
    }

    @Test
    @Tag("CR5")
    @DisplayName("CR5, §9: a rejected step commits nothing and is recorded as the failure event with the reason")
    void stepRejected() {
        SagaFixture f = fixture().givenEvent("000001", new Requested("tx-2", "000003", amount("5.00"), true));
        assertThat(f.eventsCommitted()).isEmpty();
        f.assertSaga("tx-2").isNotComplete()
                .hasEvents(new Requested("tx-2", "000003", amount("5.00"), true),
                        new PayFailed("tx-2", "Insufficient funds"));
        assertThatThrownBy(() -> f.assertSaga("tx-2").isComplete()).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> f.assertSaga("tx-2").hasSeen(Paid.class)).isInstanceOf(AssertionError.class);
    }

    @Test
    @Tag("SG3")
    @Tag("SG9")
    @Tag("SG10")
    @DisplayName("SG3, SG9, SG10: a receiver that throws schedules a retry; advancing the clock and running the saga "
            + "daemon runs it")
    void retryAfterAdvance() {
        control.failuresLeft.set(1);
        SagaFixture f = fixture().givenEvent("000001", new Requested("tx-3", "000004", amount("7.00"), false));
        Instant retryAt = START.plus(Duration.ofSeconds(30)); // the default sagaRetryInterval
        f.assertSaga("tx-3").isNotComplete().hasRetryAt(retryAt);
        assertThat(f.eventsCommitted()).isEmpty();

        assertThat(f.runSagaDaemon()).as("not due yet").isZero();
        assertThat(f.eventsCommitted()).isEmpty();

        f.advance(Duration.ofSeconds(30));
        assertThat(f.runSagaDaemon()).isEqualTo(1);
        assertThat(f.eventsCommitted(Deposited.class)).containsExactly(new Deposited("000004", amount("7.00")));
        f.assertSaga("tx-3").isComplete().hasNoRetryAt();
        assertThatThrownBy(() -> f.assertSaga("tx-3").hasRetryAt(retryAt)).isInstanceOf(AssertionError.class);
    }

    @Test
    @Tag("SG5")
    @Tag("SG10")
    @DisplayName("SG5, SG10: a saga whose steps keep failing times out once the clock passes its timeout")
    void timesOut() {
        control.failuresLeft.set(1_000);
        SagaFixture f = fixture().givenEvent("000001", new Requested("tx-4", "000005", amount("1.00"), false));
        f.advance(Duration.ofMinutes(5));
        f.runSagaDaemon();
        f.assertSaga("tx-4").isNotTimedOut();
        f.advance(TIMEOUT);
        f.runSagaDaemon();
        f.assertSaga("tx-4").isTimedOut().isNotComplete();
        f.advance(Duration.ofHours(1));
        assertThat(f.runSagaDaemon()).as("a timed-out saga is never due again").isZero();
        assertThat(f.eventsCommitted()).isEmpty();
    }

    @Test
    @Tag("CR5")
    @DisplayName("CR5: a routed event that completes the saga; state checks fail when they should")
    void secondRoutedEvent() {
        control.failuresLeft.set(1);
        SagaFixture f = fixture().givenEvent("000001", new Requested("tx-5", "000006", amount("2.00"), false))
                .givenEvent("000001", new Cancelled("tx-5"));
        f.assertSaga("tx-5").isComplete().hasSeen(Requested.class, Cancelled.class);
        assertThat(f.sagaState("tx-5").events()).hasSize(2);
        assertThatThrownBy(() -> f.sagaState("tx-nope")).isInstanceOf(AssertionError.class);
        assertThat(f.findSaga("tx-nope")).isEmpty();
    }

    @Test
    @Tag("CR5")
    @DisplayName("CR5: commands given through the real command loop count as given, not as effects")
    void givenCommand() {
        SagaFixture f = fixture();
        assertThat(f.givenCommand(new Deposit("000007", amount("3.00"))).isAccepted()).isTrue();
        assertThat(f.eventsCommitted()).isEmpty();
        assertThat(f.jangle().stores().events().lastVersion("000007")).isEqualTo(1);
    }

    @Test
    @Tag("CR5")
    @Tag("D17")
    @DisplayName("CR5, D17: a given event runs only through the fixture's handlers; an event a saga's command commits "
            + "runs through every handler subscribed to it, once")
    void committedEventsReachEverySubscriber() {
        java.util.List<String> seen = new java.util.ArrayList<>();
        fixture = SagaFixture.forSaga(clock, PaySaga.class, id -> new PaySaga(id, control), routes(), b -> {
            domain(b);
            b.reactor("audit", Requested.class, (record, ctx) -> seen.add("requested"));
            b.reactor("audit", Deposited.class, (record, ctx) -> seen.add("deposited " + record.aggregateId()));
        });
        fixture.givenEvent("000001", new Requested("tx-7", "000009", amount("2.00"), false));
        assertThat(seen).containsExactly("deposited 000009");
        fixture.settle();
        assertThat(seen).as("settling again runs nothing twice").containsExactly("deposited 000009");
        fixture.assertSaga("tx-7").isComplete();
    }

    @Test
    @Tag("CR5")
    @Tag("D3")
    @DisplayName("D3, CR5: settling stops at a handler that keeps failing instead of looping or burning its attempts")
    void settleStopsAtFailingHandler() {
        fixture = SagaFixture.of(clock, b -> {
            domain(b);
            b.reactor("flaky", Requested.class, (record, ctx) -> {
                throw new IllegalStateException("always");
            });
        }).deliverGivenEventsTo("flaky");
        fixture.givenEvent("000001", new Requested("tx-6", "000008", amount("1.00"), false));
        assertThat(fixture.pending()).singleElement().satisfies(d -> {
            assertThat(d.handler()).isEqualTo("flaky");
            assertThat(d.attempts()).isEqualTo(1);
            assertThat(d.lastError()).contains("always");
        });
        fixture.settle();
        assertThat(fixture.pending()).extracting(Delivery::attempts).containsExactly(2);
    }

    @Test
    @Tag("CR5")
    @Tag("D13")
    @DisplayName("D13, CR5: a given event delivered to a handler name the application does not know fails plainly")
    void unknownHandlerName() {
        fixture = SagaFixture.of(clock, SagaFixtureTest::domain).deliverGivenEventsTo("saga:Nope");
        assertThatThrownBy(() -> fixture.givenEvent("000001", new Deposited("000001", amount("1.00"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("saga:Nope");
    }
}
