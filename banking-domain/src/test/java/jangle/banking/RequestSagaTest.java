package jangle.banking;

import jangle.Event;
import jangle.EventReceiver;
import jangle.EventRecord;
import jangle.StoreException;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static jangle.banking.Spec.m;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** banking.md §7.2: the Request saga (W1–W4, B13–B19, B25, B28, B30; framework SG2, SG6, SG12). */
class RequestSagaTest {
    private static final Duration RETRY = Duration.ofSeconds(30); // the default saga retry interval
    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    private static List<String> flags(SagaState s) {
        return s.events().stream().map(SagaEventEntry::type).toList();
    }

    private static <E extends Event> EventRecord<?> first(Bank bank, Class<E> type) {
        return bank.feed().stream().filter(r -> type.isInstance(r.event())).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("§7.2 steps 1, 2, 2c: request, approval, debit and credit; saga id <requester>:<tx>; complete")
    void approvedAndCredited() {
        try (Bank bank = new Bank()) {
            String a = bank.open("Alice", "31.50");
            String b = bank.open("Bobby", "19.00");
            bank.ok(new Request(a, b, m("15.43"), "r1"));
            bank.settle();
            RequestCreated created = (RequestCreated) first(bank, RequestCreated.class).event();
            assertThat(bank.stream(b).getLast()).isEqualTo(new RequestReceived(a, b, m("15.43"), "r1",
                    created.timeoutAt()));
            SagaState waiting = bank.saga(a, "r1");
            assertThat(waiting.sagaId()).isEqualTo(a + ":r1");
            assertThat(waiting.sagaType()).isEqualTo("RequestSaga");
            assertThat(waiting.timeoutAt()).isEqualTo(created.timeoutAt());
            assertThat(flags(waiting)).containsExactly("RequestCreated", "GetRequestApprovalCommandSucceeded");
            assertThat(waiting.complete()).isFalse();

            bank.ok(new AcceptRequest(b, "r1"));
            bank.settle();
            assertThat(bank.stream(b)).endsWith(new RequestApproved(b, a, "r1"),
                    new RequestDebited(b, a, m("15.43"), m("3.57"), "r1"));
            assertThat(bank.stream(a).getLast()).isEqualTo(new RequestCredited(a, m("15.43"), m("46.93"), "r1"));
            SagaState done = bank.saga(a, "r1");
            assertThat(done.complete()).isTrue();
            assertThat(flags(done)).containsExactly("RequestCreated", "GetRequestApprovalCommandSucceeded",
                    "RequestApproved", "DebitRequestCommandSucceeded", "CreditRequestCommandSucceeded");
            assertThat(bank.unfinishedSagas()).isEmpty();
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    @Test
    @DisplayName("§7.2 step 3: a rejection is passed to the requester; no money moves")
    void rejected() {
        try (Bank bank = new Bank()) {
            String a = bank.open("Alice", null);
            String b = bank.open("Bobby", "10.00");
            bank.ok(new Request(a, b, m("5"), "r"));
            bank.settle();
            bank.ok(new RejectRequest(b, "r"));
            bank.settle();
            assertThat(bank.stream(b).getLast()).isEqualTo(new RequestRejected(b, a, "r"));
            assertThat(bank.stream(a).getLast()).isEqualTo(new RequestRejectionReceived(a, "r"));
            assertThat(flags(bank.saga(a, "r")))
                    .endsWith("RequestRejected", "NotifyRequestRejectedCommandAcknowledged");
            assertThat(bank.saga(a, "r").complete()).isTrue();
            assertThat(bank.balance(b)).isEqualByComparingTo("10.00");
            // B23 through the whole system: accepting after rejecting is refused
            assertThat(bank.send(new AcceptRequest(b, "r")).rejectionReason()).isEqualTo("Request already rejected");
        }
    }

    @Test
    @DisplayName("§7.2 step 1b: a request to a missing or deleted account is refused and the requester told")
    void approvalRefused() {
        try (Bank bank = new Bank()) {
            String a = bank.open("Alice", null);
            String b = bank.open("Bobby", null);
            bank.ok(new DeleteAccount(b));
            bank.ok(new Request(a, "999999", m("5"), "r1"));
            bank.ok(new Request(a, b, m("5"), "r2"));
            bank.settle();
            for (String tx : List.of("r1", "r2")) {
                SagaState s = bank.saga(a, tx);
                assertThat(s.complete()).isTrue();
                assertThat(flags(s)).containsExactly("RequestCreated", "GetRequestApprovalCommandFailed",
                        "NotifyRequestRejectedCommandAcknowledged");
            }
            assertThat(bank.saga(a, "r1").events().get(1).event())
                    .isEqualTo(new GetRequestApprovalCommandFailed("Account does not exist"));
            assertThat(bank.saga(a, "r2").events().get(1).event())
                    .isEqualTo(new GetRequestApprovalCommandFailed("Account deleted"));
            assertThat(bank.stream(a)).contains(new RequestRejectionReceived(a, "r1"),
                    new RequestRejectionReceived(a, "r2"));
        }
    }

    @Test
    @DisplayName("§7.2 step 2b: a refused debit (floor) ends the saga with a rejection notice; no money moved")
    void debitRefused() {
        try (Bank bank = new Bank()) {
            String a = bank.open("Alice", null);
            String b = bank.open("Bobby", "46.93");
            bank.ok(new Request(a, b, m("1000"), "r"));
            bank.settle();
            bank.ok(new AcceptRequest(b, "r"));
            bank.settle();
            assertThat(bank.stream(b).getLast()).isEqualTo(new RequestApproved(b, a, "r"));
            assertThat(bank.stream(a).getLast()).isEqualTo(new RequestRejectionReceived(a, "r"));
            SagaState s = bank.saga(a, "r");
            assertThat(s.complete()).isTrue();
            assertThat(s.events()).extracting(SagaEventEntry::event).contains(
                    new DebitRequestCommandFailed("Insufficient funds"));
            assertThat(bank.balance(b)).isEqualByComparingTo("46.93");
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    @Test
    @Tag("B25")
    @DisplayName("§7.2 step 2d, B25: a refused credit (requester deleted) rolls the debit back; money is kept")
    void creditRefusedRolledBack() {
        try (Bank bank = new Bank()) {
            String a = bank.open("Alice", "46.93");
            String b = bank.open("Bobby", "3.57");
            bank.ok(new Request(a, b, m("15.43"), "r"));
            bank.settle();
            bank.ok(new DeleteAccount(a));
            bank.ok(new AcceptRequest(b, "r"));
            bank.settle();
            assertThat(bank.stream(b)).endsWith(new RequestApproved(b, a, "r"),
                    new RequestDebited(b, a, m("15.43"), m("-11.86"), "r"),
                    new RequestDebitRolledBack(b, a, m("15.43"), m("3.57"), "r"));
            SagaState s = bank.saga(a, "r");
            assertThat(s.complete()).isTrue();
            assertThat(flags(s)).endsWith("DebitRequestCommandSucceeded", "CreditRequestCommandFailed",
                    "RollbackRequestCommandAcknowledged");
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    @Test
    @Tag("SG6")
    @Tag("W1")
    @DisplayName("W1, SG6, §12 bug 6: a refused rollback is retried, never acknowledged, past the timeout, till done")
    void refusedRollbackIsRetried() {
        try (Bank bank = new Bank()) {
            String a = bank.open("Alice", null);
            String b = bank.open("Bobby", "50.00");
            // the routed events, made by hand with dispatch not running
            bank.ok(new Request(a, b, m("10"), "r"));
            EventRecord<?> created = first(bank, RequestCreated.class);
            Instant timeoutAt = ((RequestCreated) created.event()).timeoutAt();
            bank.ok(new GetRequestApproval(a, b, m("10"), "r", timeoutAt));
            bank.ok(new AcceptRequest(b, "r"));
            EventRecord<?> approved = first(bank, RequestApproved.class);
            // a saga that believes the debit happened and the credit failed, while the funder holds no debit: the
            // rollback is refused ("No debit to roll back"), the one case where a compensation can be refused
            Instant now = bank.clock.instant();
            List<SagaEventEntry> history = List.of(
                    new SagaEventEntry(created.eventId(), "RequestCreated", created.event(), now),
                    new SagaEventEntry(UUID.randomUUID(), "GetRequestApprovalCommandSucceeded",
                            new GetRequestApprovalCommandSucceeded(), now),
                    new SagaEventEntry(approved.eventId(), "RequestApproved", approved.event(), now),
                    new SagaEventEntry(UUID.randomUUID(), "DebitRequestCommandSucceeded",
                            new DebitRequestCommandSucceeded(), now),
                    new SagaEventEntry(UUID.randomUUID(), "CreditRequestCommandFailed",
                            new CreditRequestCommandFailed("Account deleted"), now));
            bank.jangle.stores().sagas().commit(new SagaState(RequestSaga.idOf(a, "r"), "RequestSaga", 1, now,
                    timeoutAt, false, false, now, history), 0, history);
            bank.settle(); // the routed events' deliveries are redeliveries now: no change (SG2)
            assertThat(bank.saga(a, "r").version()).isEqualTo(1);

            assertThat(bank.jangle.operations().runSagaDaemonPass()).isEqualTo(1);
            SagaState afterRefusal = bank.saga(a, "r");
            assertThat(flags(afterRefusal)).doesNotContain("RollbackRequestCommandAcknowledged");
            assertThat(afterRefusal.complete()).isFalse();
            assertThat(afterRefusal.retryAt()).isEqualTo(now.plus(RETRY));

            bank.sagaPassAfter(RETRY); // still refused, still not acknowledged
            assertThat(bank.saga(a, "r").complete()).isFalse();

            bank.ok(new DebitRequest(b, "r")); // now there is a debit to give back
            assertThat(bank.balance(b)).isEqualByComparingTo("40.00");
            bank.sagaPassAfter(TIMEOUT); // past the timeout: a started compensation must finish (SG6)
            SagaState done = bank.saga(a, "r");
            assertThat(done.complete()).isTrue();
            assertThat(done.timedOut()).isFalse();
            assertThat(flags(done)).endsWith("RollbackRequestCommandAcknowledged");
            assertThat(bank.stream(b).getLast()).isEqualTo(new RequestDebitRolledBack(b, a, m("10.00"), m("50.00"),
                    "r"));
        }
    }

    @Test
    @Tag("W2")
    @DisplayName("W2: an exception while sending a step leaves its flag unset and retries after the saga interval")
    void exceptionRetried() {
        TestStores stores = new TestStores();
        try (Bank bank = new Bank(x -> x.stores(stores))) {
            String a = bank.open("Alice", null);
            String b = bank.open("Bobby", "50.00");
            stores.failNextAppendOf(RequestReceived.class); // step 1 fails once
            bank.ok(new Request(a, b, m("10"), "r"));
            bank.settle();
            assertThat(stores.appendFaultPending()).isFalse();
            assertThat(flags(bank.saga(a, "r"))).containsExactly("RequestCreated");
            assertThat(bank.saga(a, "r").retryAt()).isEqualTo(bank.clock.instant().plus(RETRY));
            bank.sagaPassAfter(RETRY);
            assertThat(flags(bank.saga(a, "r"))).endsWith("GetRequestApprovalCommandSucceeded");

            stores.failNextAppendOf(RequestDebited.class); // step 2 fails once
            bank.ok(new AcceptRequest(b, "r"));
            bank.settle();
            assertThat(flags(bank.saga(a, "r"))).endsWith("RequestApproved");
            assertThat(bank.stream(b).getLast()).isEqualTo(new RequestApproved(b, a, "r"));
            bank.sagaPassAfter(RETRY);
            assertThat(bank.saga(a, "r").complete()).isTrue();
            assertThat(bank.stream(a).getLast()).isEqualTo(new RequestCredited(a, m("10.00"), m("10.00"), "r"));
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    @Test
    @Tag("B28")
    @Tag("W3")
    @DisplayName("W3, B28: a saga past its timeout before the debit stops; late approvals are refused anyway")
    void timeoutBeforeDebit() {
        try (Bank bank = new Bank()) {
            String a = bank.open("Alice", null);
            String b = bank.open("Bobby", "50.00");
            bank.ok(new Request(a, b, m("10"), "r"));
            bank.settle();
            bank.sagaPassAfter(TIMEOUT);
            SagaState s = bank.saga(a, "r");
            assertThat(s.timedOut()).isTrue();
            assertThat(s.complete()).isFalse();
            assertThat(bank.unfinishedSagas()).isEmpty();
            assertThat(bank.send(new AcceptRequest(b, "r")).rejectionReason()).isEqualTo("Transaction timed out");
            assertThat(bank.send(new RejectRequest(b, "r")).rejectionReason()).isEqualTo("Transaction timed out");
            assertThat(bank.balance(b)).isEqualByComparingTo("50.00");
        }
    }

    @Test
    @Tag("SG6")
    @Tag("W3")
    @DisplayName("W3, SG6: a saga past its timeout after the debit carries on until the credit is done")
    void timeoutAfterDebit() {
        TestStores stores = new TestStores();
        try (Bank bank = new Bank(x -> x.stores(stores))) {
            String a = bank.open("Alice", null);
            String b = bank.open("Bobby", "50.00");
            bank.ok(new Request(a, b, m("10"), "r"));
            bank.settle();
            bank.clock.advance(TIMEOUT.minusMinutes(1));
            stores.failNextAppendOf(RequestCredited.class);
            bank.ok(new AcceptRequest(b, "r"));
            bank.settle();
            assertThat(flags(bank.saga(a, "r"))).endsWith("DebitRequestCommandSucceeded");
            assertThat(bank.invariants().inFlight()).hasSize(1);
            bank.sagaPassAfter(Duration.ofHours(2));
            SagaState s = bank.saga(a, "r");
            assertThat(s.complete()).isTrue();
            assertThat(s.timedOut()).isFalse();
            assertThat(bank.stream(a).getLast()).isEqualTo(new RequestCredited(a, m("10.00"), m("10.00"), "r"));
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    @Test
    @Tag("SG6")
    @Tag("W3")
    @Tag("W8")
    @DisplayName("W3, SG6, W8: a crash after the debit committed but before the saga did, restarted after the "
            + "timeout, still finishes the credit (no money left in flight)")
    void crashBetweenDebitAndSagaCommitThenTimeout() {
        TestStores stores = new TestStores();
        // one attempt in line: the crash parks the delivery, which is retried only after the restart below
        try (Bank bank = new Bank(x -> x.stores(stores).handlerAttempts(1))) {
            String a = bank.open("Alice", null);
            String b = bank.open("Bobby", "50.00");
            bank.ok(new Request(a, b, m("10"), "r"));
            bank.settle();
            bank.ok(new AcceptRequest(b, "r"));
            stores.holdSagaEventsOf = RequestApproved.class; // the saga's commit is lost (a crash) ...
            stores.failNextAppendOf(RequestCredited.class);   // ... right after the debit committed
            bank.processorsPass();
            assertThat(bank.jangle.operations().pending(BankingDomain.REQUEST_SAGA_HANDLER, 10)).hasSize(1);
            assertThat(bank.stream(b).getLast()).isInstanceOf(RequestDebited.class);
            assertThat(bank.invariants().inFlight()).hasSize(1);
            stores.holdSagaEventsOf = null;
            bank.clock.advance(TIMEOUT.plusMinutes(5)); // the restart comes after the request's timeout
            bank.settle();
            bank.sagaPassAfter(RETRY);
            SagaState s = bank.saga(a, "r");
            assertThat(s.timedOut()).isFalse();
            assertThat(s.complete()).isTrue();
            assertThat(bank.stream(a).getLast()).isEqualTo(new RequestCredited(a, m("10.00"), m("10.00"), "r"));
            assertThat(bank.invariants().inFlight()).isEmpty();
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    @Test
    @Tag("SG2")
    @Tag("W4")
    @DisplayName("W4, SG2: a routed event handled again (crash before its checkpoint was written) changes nothing")
    void redeliveryChangesNothing() {
        String saga = BankingDomain.REQUEST_SAGA_HANDLER;
        TestStores stores = new TestStores();
        try (Bank bank = new Bank(x -> x.stores(stores))) {
            String a = bank.open("Alice", null);
            String b = bank.open("Bobby", "50.00");
            bank.settle();
            bank.ok(new Request(a, b, m("10"), "r"));
            EventRecord<?> created = first(bank, RequestCreated.class);
            stores.failNextCheckpointPast(saga, created);
            assertThatThrownBy(bank::processorsPass).isInstanceOf(StoreException.class);
            assertThat(stores.checkpointFaultPending()).isFalse();
            long version = bank.saga(a, "r").version(); // the saga did handle it ...
            assertThat(bank.stream(b).stream().filter(e -> e instanceof RequestReceived)).hasSize(1);
            // ... but its progress was not stored: the next pass reads the event again
            assertThat(bank.checkpoint(saga, created)).isLessThan(created.position());
            assertThat(bank.processorsPass()).as("RequestCreated handled again").isEqualTo(1);
            assertThat(bank.checkpoint(saga, created)).isGreaterThanOrEqualTo(created.position());
            bank.settle();
            assertThat(bank.saga(a, "r").version()).isEqualTo(version);
            assertThat(bank.stream(b)).containsOnlyOnce(bank.stream(b).getLast());
            assertThat(bank.stream(b).stream().filter(e -> e instanceof RequestReceived)).hasSize(1);

            bank.ok(new AcceptRequest(b, "r"));
            EventRecord<?> approved = first(bank, RequestApproved.class);
            stores.failNextCheckpointPast(saga, approved);
            assertThatThrownBy(bank::processorsPass).isInstanceOf(StoreException.class);
            assertThat(bank.stream(b).stream().filter(e -> e instanceof RequestDebited)).hasSize(1);
            assertThat(bank.checkpoint(saga, approved)).isLessThan(approved.position());
            bank.settle();
            assertThat(bank.checkpoint(saga, approved)).isGreaterThanOrEqualTo(approved.position());
            assertThat(bank.stream(b).stream().filter(e -> e instanceof RequestDebited)).hasSize(1);
            assertThat(bank.stream(a).stream().filter(e -> e instanceof RequestCredited)).hasSize(1);
            assertThat(bank.saga(a, "r").complete()).isTrue();
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    /**
     * SG12: the routed events of one request delivered in each order. The events are made by hand (dispatch not
     * running); the one that must come second is delivered first by holding the other's saga commit for one pass.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"created, approved", "approved, created", "created, rejected", "rejected, created"})
    @Tag("SG12")
    @Tag("W4")
    @DisplayName("SG12, W4: the saga's routed events in every delivery order give the same outcome")
    void everyDeliveryOrder(String order) {
        TestStores stores = new TestStores();
        try (Bank bank = new Bank(x -> x.stores(stores))) {
            String a = bank.open("Alice", null);
            String b = bank.open("Bobby", "50.00");
            bank.ok(new Request(a, b, m("10"), "r"));
            Instant timeoutAt = ((RequestCreated) first(bank, RequestCreated.class).event()).timeoutAt();
            bank.ok(new GetRequestApproval(a, b, m("10"), "r", timeoutAt));
            boolean approve = order.contains("approved");
            bank.ok(approve ? new AcceptRequest(b, "r") : new RejectRequest(b, "r"));
            Class<?> decision = approve ? RequestApproved.class : RequestRejected.class;
            Class<?> held = order.startsWith("created") ? decision : RequestCreated.class;
            Class<?> delivered = held == RequestCreated.class ? decision : RequestCreated.class;
            stores.holdSagaEventsOf = held;
            bank.processorsPass(); // the first event is delivered; the held one fails in line and is parked (D3)
            assertThat(bank.jangle.operations().pending(BankingDomain.REQUEST_SAGA_HANDLER, 10))
                    .singleElement().satisfies(d -> assertThat(d.eventType()).isEqualTo(held.getSimpleName()));
            assertThat(flags(bank.saga(a, "r"))).as("delivered first").contains(delivered.getSimpleName())
                    .doesNotContain(held.getSimpleName());
            assertThat(bank.saga(a, "r").complete()).isFalse();
            stores.holdSagaEventsOf = null;
            bank.settle();
            bank.sagaPassAfter(RETRY); // a receiver that waited for its prerequisite runs now (SG12)

            SagaState s = bank.saga(a, "r");
            assertThat(s.complete()).as("complete after %s", order).isTrue();
            assertThat(s.events()).extracting(SagaEventEntry::type).doesNotHaveDuplicates();
            if (approve) {
                assertThat(bank.stream(a).getLast()).isEqualTo(new RequestCredited(a, m("10.00"), m("10.00"), "r"));
                assertThat(bank.stream(b).getLast()).isEqualTo(new RequestDebited(b, a, m("10.00"), m("40.00"), "r"));
            } else {
                assertThat(bank.stream(a).getLast()).isEqualTo(new RequestRejectionReceived(a, "r"));
                assertThat(bank.balance(b)).isEqualByComparingTo("50.00");
            }
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    @Test
    @DisplayName("§7.2: receivers, orders, skip flags and required flags are declared exactly as the table says")
    void receiverDeclarations() throws Exception {
        EventReceiver r1 = RequestSaga.class.getDeclaredMethod("requestCreated").getAnnotation(EventReceiver.class);
        assertThat(r1.value()).isEqualTo(RequestCreated.class);
        assertThat(r1.order()).isEqualTo(1);
        assertThat(r1.requiredFlags()).isEmpty();
        assertThat(r1.skipIfAnyFlags()).containsExactlyInAnyOrder(GetRequestApprovalCommandSucceeded.class,
                NotifyRequestRejectedCommandAcknowledged.class);
        EventReceiver r2 = RequestSaga.class.getDeclaredMethod("requestApproved").getAnnotation(EventReceiver.class);
        assertThat(r2.value()).isEqualTo(RequestApproved.class);
        assertThat(r2.order()).isEqualTo(2);
        assertThat(r2.requiredFlags()).containsExactly(RequestCreated.class);
        assertThat(r2.skipIfAnyFlags()).containsExactlyInAnyOrder(NotifyRequestRejectedCommandAcknowledged.class,
                CreditRequestCommandSucceeded.class, RollbackRequestCommandAcknowledged.class);
        EventReceiver r3 = RequestSaga.class.getDeclaredMethod("requestRejected").getAnnotation(EventReceiver.class);
        assertThat(r3.value()).isEqualTo(RequestRejected.class);
        assertThat(r3.order()).isEqualTo(3);
        assertThat(r3.requiredFlags()).containsExactly(RequestCreated.class);
        assertThat(r3.skipIfAnyFlags()).containsExactly(NotifyRequestRejectedCommandAcknowledged.class);
        assertThat(RequestSaga.idOf("000001", "7f3c")).isEqualTo("000001:7f3c");
    }

    @Test
    @Tag("B30")
    @DisplayName("B30: two requesters reusing one transaction id towards one funder are never merged")
    void sharedTransactionId() {
        try (Bank bank = new Bank()) {
            String a = bank.open("Alice", null);
            String b = bank.open("Bobby", null);
            String c = bank.open("Carol", "100.00");
            bank.ok(new Request(a, c, m("10"), "same"));
            bank.ok(new Request(b, c, m("10"), "same"));
            bank.settle();
            // c received a's request; b's is refused there ("already used") and b is told
            assertThat(bank.stream(c).stream().filter(e -> e instanceof RequestReceived))
                    .containsExactly(new RequestReceived(a, c, m("10.00"), "same",
                            ((RequestCreated) first(bank, RequestCreated.class).event()).timeoutAt()));
            assertThat(bank.saga(b, "same").events()).extracting(SagaEventEntry::event)
                    .contains(new GetRequestApprovalCommandFailed("Transaction id 'same' was already used"));
            assertThat(bank.saga(b, "same").complete()).isTrue();
            assertThat(bank.stream(b).getLast()).isEqualTo(new RequestRejectionReceived(b, "same"));

            bank.ok(new AcceptRequest(c, "same"));
            bank.settle();
            assertThat(bank.balance(a)).isEqualByComparingTo("10.00");
            assertThat(bank.balance(b)).isEqualByComparingTo("0.00");
            assertThat(bank.balance(c)).isEqualByComparingTo("90.00");
            assertThat(bank.saga(a, "same").complete()).isTrue();
            assertThat(bank.invariants().holds()).isTrue();
        }
    }
}
