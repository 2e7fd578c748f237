package jangle.banking;

import jangle.Command;
import jangle.CommandResponse;
import jangle.EventHandler;
import jangle.EventRecord;
import jangle.HandlerContext;
import jangle.JangleException;
import jangle.Metadata;
import jangle.SendOptions;
import jangle.StoreException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static jangle.banking.Spec.m;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** banking.md §7.1: the transfer mediator (B8, B20, B21, B25, B27, B30, B31, D15). */
class TransferMediatorTest {

    @Test
    @Tag("E3")
    @DisplayName("§7.1 step 1: a transfer is credited to the funded account, caused by the debit (E3)")
    void credit() {
        try (Bank bank = new Bank()) {
            String a = bank.open("Alice", "50.50");
            String b = bank.open("Bobby", null);
            UUID corr = UUID.randomUUID();
            bank.jangle.send(new Transfer(a, b, m("19"), "t1"), SendOptions.NONE.withCorrelationId(corr));
            assertThat(bank.stream(b)).doesNotHaveAnyElementsOfTypes(TransferCredited.class); // not before dispatch
            bank.settle();
            EventRecord<?> debit = bank.feed().stream().filter(r -> r.event() instanceof TransferDebited).findFirst()
                    .orElseThrow();
            EventRecord<?> credit = bank.feed().getLast();
            assertThat(credit.event()).isEqualTo(new TransferCredited(b, a, m("19.00"), m("19.00"), "t1"));
            assertThat(credit.aggregateId()).isEqualTo(b);
            assertThat(credit.metadata().correlationId()).isEqualTo(corr);
            assertThat(credit.metadata().causationId()).isEqualTo(debit.eventId());
            assertThat(bank.balance(a)).isEqualByComparingTo("31.50");
            assertThat(bank.balance(b)).isEqualByComparingTo("19.00");
            assertThat(bank.jangle.operations().pending(null, 10)).isEmpty();
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    @Test
    @Tag("B27")
    @DisplayName("B27, §7.1 step 2: a transfer to a well-formed id that does not exist is debited, then rolled back")
    void missingAccount() {
        try (Bank bank = new Bank()) {
            String a = bank.open("Alice", "50.50");
            assertThat(bank.send(new Transfer(a, "999999", m("20"), "t")).isAccepted()).isTrue();
            assertThat(bank.balance(a)).isEqualByComparingTo("30.50");
            assertThat(bank.invariants().inFlight()).containsExactly(
                    new BankInvariants.InFlight(BankInvariants.Flow.TRANSFER, a, "t", m("20.00")));
            bank.settle();
            assertThat(bank.stream(a)).endsWith(new TransferDebited(a, "999999", m("20.00"), m("30.50"), "t"),
                    new TransferDebitRolledBack(a, m("20.00"), m("50.50"), "t"));
            assertThat(bank.stream("999999")).isEmpty();
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    @Test
    @Tag("B25")
    @DisplayName("B25, §12 bug 6: a credit to a deleted account is refused; the rollback succeeds on a deleted funder")
    void deletedAccounts() {
        try (Bank bank = new Bank()) {
            String a = bank.open("Alice", "50.00");
            String b = bank.open("Bobby", null);
            bank.ok(new DeleteAccount(b));
            bank.ok(new Transfer(a, b, m("10"), "t"));
            bank.ok(new DeleteAccount(a)); // before mediation runs
            bank.settle();
            assertThat(bank.stream(b)).doesNotHaveAnyElementsOfTypes(TransferCredited.class);
            assertThat(bank.stream(a).getLast()).isEqualTo(new TransferDebitRolledBack(a, m("10.00"), m("50.00"), "t"));
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    @Test
    @Tag("B30")
    @DisplayName("B30: two accounts reusing one transaction id towards a third move money once each, never merged")
    void sharedTransactionId() {
        try (Bank bank = new Bank()) {
            String a = bank.open("Alice", "100.00");
            String b = bank.open("Bobby", "100.00");
            String c = bank.open("Carol", null);
            bank.ok(new Transfer(a, c, m("10"), "same"));
            bank.ok(new Transfer(b, c, m("10"), "same")); // same id, same amount, another funder
            bank.settle();
            // c knows "same" as a's transfer: b's credit is refused and b's debit rolled back
            assertThat(bank.stream(c)).containsOnlyOnce(new TransferCredited(c, a, m("10.00"), m("10.00"), "same"));
            assertThat(bank.stream(c)).hasSize(2);
            assertThat(bank.stream(b).getLast()).isEqualTo(new TransferDebitRolledBack(b, m("10.00"), m("100.00"),
                    "same"));
            assertThat(bank.balance(a)).isEqualByComparingTo("90.00");
            assertThat(bank.balance(b)).isEqualByComparingTo("100.00");
            assertThat(bank.balance(c)).isEqualByComparingTo("10.00");
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    @Test
    @Tag("B31")
    @Tag("D15")
    @DisplayName("B31, D15: a delivery repeated after the rollback never credits an account opened meanwhile")
    void crashAfterRollback() {
        AtomicBoolean crash = new AtomicBoolean(true);
        TransferMediator real = new TransferMediator();
        EventHandler<TransferDebited> crashing = (record, ctx) -> {
            real.on(record, ctx);
            if (crash.getAndSet(false)) throw new IllegalStateException("crash between the rollback and the return");
        };
        try (Bank bank = new Bank(b -> b, crashing)) {
            String a = bank.open("Alice", "50.00");
            String future = "000002"; // not opened yet
            bank.ok(new Transfer(a, future, m("20"), "t"));
            bank.settle();
            assertThat(crash).isFalse(); // the handler did crash after the rollback committed
            assertThat(bank.stream(a).getLast()).isInstanceOf(TransferDebitRolledBack.class);
            // the rollback completed the delivery in its own transaction: nothing is left to redeliver
            assertThat(bank.jangle.operations().pending(null, 10)).isEmpty();
            assertThat(bank.jangle.operations().deadLetters(null, 10)).isEmpty();

            assertThat(bank.open("Bobby", null)).isEqualTo(future);
            bank.settle();
            bank.jangle.operations().runEventDaemonPass();
            bank.settle();
            assertThat(bank.stream(future)).doesNotHaveAnyElementsOfTypes(TransferCredited.class);
            assertThat(bank.balance(a)).isEqualByComparingTo("50.00");
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    @Test
    @Tag("B31")
    @Tag("D15")
    @DisplayName("B31, D15: a debit read again after a lost checkpoint write is not mediated twice: the rollback "
            + "moved the mediator's checkpoint in its own transaction, so the segment writes none of its own for it")
    void lostCheckpointAfterRollback() {
        TestStores stores = new TestStores();
        try (Bank bank = new Bank(b -> b.stores(stores))) {
            String a = bank.open("Alice", "50.00");
            bank.settle();
            bank.ok(new Transfer(a, "000002", m("20"), "t"));
            EventRecord<?> debit = lastDebit(bank);
            stores.failNextCheckpointPast(TransferMediator.NAME, debit);
            bank.processorsPass();
            assertThat(bank.stream(a).getLast()).isInstanceOf(TransferDebitRolledBack.class);
            assertThat(stores.checkpointFaultPending()).as("no write of the segment's own past the debit").isTrue();
            assertThat(bank.checkpoint(TransferMediator.NAME, debit)).isGreaterThanOrEqualTo(debit.position());
            // the next write past the debit (for the rollback event after it) is lost
            assertThatThrownBy(bank::processorsPass).isInstanceOf(StoreException.class);
            assertThat(stores.checkpointFaultPending()).isFalse();
            // the lost write does not matter: the checkpoint is past the debit already (D15)
            assertThat(bank.checkpoint(TransferMediator.NAME, debit)).isGreaterThanOrEqualTo(debit.position());
            assertThat(bank.open("Bobby", null)).isEqualTo("000002");
            bank.settle();
            assertThat(bank.stream("000002")).doesNotHaveAnyElementsOfTypes(TransferCredited.class);
            assertThat(bank.balance(a)).isEqualByComparingTo("50.00");
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    @Test
    @Tag("B31")
    @Tag("D15")
    @DisplayName("B31, D15: with a plain send instead of sendAndComplete the same lost checkpoint write creates money "
            + "(the test can fail)")
    void plainSendWouldDoubleMoney() {
        EventHandler<TransferDebited> naive = (record, ctx) -> {
            TransferDebited e = record.event();
            CommandResponse credit = ctx.send(new CreditTransfer(e.fundingAccountId(), e.fundedAccountId(),
                    e.amount(), e.transactionId()));
            if (!credit.isAccepted()) ctx.send(new RollbackTransferDebit(e.fundingAccountId(), e.amount(),
                    e.transactionId()));
        };
        TestStores stores = new TestStores();
        try (Bank bank = new Bank(b -> b.stores(stores), naive)) {
            String a = bank.open("Alice", "50.00");
            bank.settle();
            bank.ok(new Transfer(a, "000002", m("20"), "t"));
            EventRecord<?> debit = lastDebit(bank);
            stores.failNextCheckpointPast(TransferMediator.NAME, debit);
            assertThatThrownBy(bank::processorsPass).isInstanceOf(StoreException.class); // rolled back, progress lost
            assertThat(bank.stream(a).getLast()).isInstanceOf(TransferDebitRolledBack.class);
            assertThat(bank.checkpoint(TransferMediator.NAME, debit)).isLessThan(debit.position());
            bank.open("Bobby", null); // the next pass reads the debit again and now credits the new account as well
            bank.settle();
            assertThat(bank.stream("000002")).hasAtLeastOneElementOfType(TransferCredited.class);
            BankInvariants.Report report = bank.invariants();
            assertThat(report.conserved()).isFalse();
            assertThat(report.problems()).anyMatch(p -> p.contains("finished twice"));
        }
    }

    @Test
    @Tag("B31")
    @Tag("D3")
    @DisplayName("B31, D3: a delivery repeated before the rollback committed tries the credit again, which is correct")
    void crashBeforeAnyStep() {
        AtomicBoolean crash = new AtomicBoolean(true);
        TransferMediator real = new TransferMediator();
        EventHandler<TransferDebited> crashing = (record, ctx) -> {
            if (crash.getAndSet(false)) throw new IllegalStateException("crash before the credit");
            real.on(record, ctx);
        };
        // one attempt in line: the crash parks the delivery, so the account opens before it is retried
        try (Bank bank = new Bank(b -> b.handlerAttempts(1), crashing)) {
            String a = bank.open("Alice", "50.00");
            bank.ok(new Transfer(a, "000002", m("20"), "t"));
            bank.processorsPass(); // the first delivery crashes: parked
            assertThat(crash).isFalse();
            assertThat(bank.jangle.operations().pending(TransferMediator.NAME, 10)).hasSize(1);
            assertThat(bank.stream(a)).doesNotHaveAnyElementsOfTypes(TransferDebitRolledBack.class);
            String b = bank.open("Bobby", null); // opened before the retry
            bank.settle();
            assertThat(bank.stream(b).getLast()).isEqualTo(new TransferCredited(b, a, m("20.00"), m("20.00"), "t"));
            assertThat(bank.stream(a)).doesNotHaveAnyElementsOfTypes(TransferDebitRolledBack.class);
            assertThat(bank.jangle.operations().pending(null, 10)).isEmpty();
            assertThat(bank.invariants().holds()).isTrue();
        }
    }

    private static EventRecord<?> lastDebit(Bank bank) {
        return bank.feed().stream().filter(r -> r.event() instanceof TransferDebited).reduce((x, y) -> y)
                .orElseThrow(() -> new AssertionError("no TransferDebited in the feed"));
    }

    /** A handler context that answers from a script and records how each command was sent. */
    private static final class ScriptedContext implements HandlerContext {
        final List<String> calls = new ArrayList<>();
        private final EventRecord<?> record;
        private final CommandResponse credit;
        private final CommandResponse rollback;

        ScriptedContext(EventRecord<?> record, CommandResponse credit, CommandResponse rollback) {
            this.record = record;
            this.credit = credit;
            this.rollback = rollback;
        }

        @Override
        public EventRecord<?> record() {
            return record;
        }

        @Override
        public String handlerName() {
            return TransferMediator.NAME;
        }

        @Override
        public CommandResponse send(Command command) {
            calls.add("send " + command.getClass().getSimpleName());
            return command instanceof CreditTransfer ? credit : rollback;
        }

        @Override
        public CommandResponse sendAndComplete(Command command) {
            calls.add("sendAndComplete " + command.getClass().getSimpleName());
            return command instanceof CreditTransfer ? credit : rollback;
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }
    }

    private static EventRecord<TransferDebited> debited() {
        return new EventRecord<>(UUID.randomUUID(), "000001", 3, "TransferDebited", 1, TestClock.T0, 7,
                Metadata.of(UUID.randomUUID()), new TransferDebited("000001", "000002", m("20.00"), m("30.50"), "t"));
    }

    @Test
    @Tag("D15")
    @DisplayName("D15, §7.1: both steps use sendAndComplete; an accepted credit ends the handler")
    void usesSendAndComplete() {
        EventRecord<TransferDebited> r = debited();
        ScriptedContext ok = new ScriptedContext(r, CommandResponse.accepted(), CommandResponse.accepted());
        new TransferMediator().on(r, ok);
        assertThat(ok.calls).containsExactly("sendAndComplete CreditTransfer");
        ScriptedContext refused = new ScriptedContext(r, CommandResponse.rejected("Account does not exist"),
                CommandResponse.accepted());
        new TransferMediator().on(r, refused);
        assertThat(refused.calls).containsExactly("sendAndComplete CreditTransfer",
                "sendAndComplete RollbackTransferDebit");
    }

    @Test
    @Tag("D8")
    @DisplayName("§7.1, D8: when the rollback is refused too, the mediator throws with both reasons (it is parked)")
    void bothRefused() {
        EventRecord<TransferDebited> r = debited();
        ScriptedContext ctx = new ScriptedContext(r, CommandResponse.rejected("Account deleted"),
                CommandResponse.rejected("Transaction 't' amount does not match"));
        assertThatThrownBy(() -> new TransferMediator().on(r, ctx))
                .isInstanceOf(JangleException.class)
                .hasMessageContaining("Account deleted")
                .hasMessageContaining("Transaction 't' amount does not match");
    }
}
