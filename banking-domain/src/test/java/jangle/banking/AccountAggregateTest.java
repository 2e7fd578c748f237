package jangle.banking;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static jangle.banking.Spec.m;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command rules of {@link AccountAggregate} (banking.md §6.3, B6–B28), each with its exact reason and its check
 * order, decided through the aggregate harness with the A7 mutation check.
 */
class AccountAggregateTest {
    private static final String A = "000001";
    private static final String B = "000002";
    private static final String C = "000003";
    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    private static Spec<AccountAggregate> account() {
        return Spec.account(A);
    }

    private static Spec<AccountAggregate> existing(String balance) {
        return Spec.account(A).givenAccount(balance);
    }

    @Nested
    class Deposits {
        @Test
        @Tag("B6")
        @DisplayName("B6: a deposit posts FundsDeposited with the new balance")
        void deposit() {
            existing("10.00").when(new DepositFunds(A, m("5"), "d1"))
                    .accepted(new FundsDeposited(A, m("5.00"), m("15.00"), "d1"));
        }

        @Test
        @Tag("B6")
        @DisplayName("B6: exists, then live, then fresh tx: the order of the checks")
        void order() {
            account().when(new DepositFunds(A, m("5"), "seed")).rejected("Account does not exist");
            existing("10.00").given(new AccountDeleted(A)).when(new DepositFunds(A, m("5"), "seed"))
                    .rejected("Account deleted");
        }

        @Test
        @Tag("B6")
        @DisplayName("B6, fresh tx: the same id with the same details is an accepted no-op; other details are refused")
        void freshTx() {
            Spec<AccountAggregate> s = existing("0").given(new FundsDeposited(A, m("5.00"), m("5.00"), "d1"));
            s.when(new DepositFunds(A, m("5"), "d1")).noEvent();
            s.when(new DepositFunds(A, m("6"), "d1")).rejected("Transaction id 'd1' was already used");
            s.when(new WithdrawFunds(A, m("5"), "d1")).rejected("Transaction id 'd1' was already used");
            s.when(new Transfer(A, B, m("5"), "d1")).rejected("Transaction id 'd1' was already used");
            s.when(new Request(A, B, m("5"), "d1")).rejected("Transaction id 'd1' was already used");
            s.when(new ForgiveDebt(A, "d1")).rejected("Transaction id 'd1' was already used");
        }

        @Test
        @Tag("B3")
        @DisplayName("B3, fresh tx: the initial deposit's id is remembered like any deposit")
        void initialDepositRemembered() {
            Spec<AccountAggregate> s = account().given(new AccountCreated(A, "Natalie"),
                    new FundsDeposited(A, m("100.00"), m("100.00"), "init"));
            s.when(new DepositFunds(A, m("100"), "init")).noEvent();
            s.when(new WithdrawFunds(A, m("100"), "init")).rejected("Transaction id 'init' was already used");
        }

        @Test
        @DisplayName("§6.1 fresh tx: deposits are remembered for the most recent 1,000 only; transfers for ever")
        void boundedMemory() {
            Spec<AccountAggregate> s = existing("0");
            s.given(new TransferDebited(A, B, m("1.00"), m("-1.00"), "t-old"));
            for (int i = 0; i < 1001; i++) {
                s.given(new FundsDeposited(A, m("1.00"), m(String.valueOf(i)).setScale(2), "d" + i));
            }
            // d0 was forgotten: the id may be used again (a fresh deposit), d1 is still known
            s.when(new DepositFunds(A, m("2"), "d0")).only(FundsDeposited.class);
            s.when(new DepositFunds(A, m("2"), "d1")).rejected("Transaction id 'd1' was already used");
            s.when(new Transfer(A, B, m("1"), "t-old")).noEvent();
            assertThat(s.aggregate().snapshot().recentTransactions()).hasSize(AccountAggregate.RECENT_LIMIT)
                    .first().extracting(AccountAggregate.RecentTransaction::transactionId).isEqualTo("d1");
        }
    }

    @Nested
    class Withdrawals {
        @Test
        @Tag("B7")
        @DisplayName("B7: a withdrawal may take the balance to exactly -100.00, not below (floor)")
        void floor() {
            existing("50.00").when(new WithdrawFunds(A, m("150"), "w"))
                    .accepted(new FundsWithdrawn(A, m("150.00"), m("-100.00"), "w"));
            existing("50.00").when(new WithdrawFunds(A, m("150.01"), "w")).rejected("Insufficient funds");
        }

        @Test
        @Tag("B7")
        @DisplayName("B7: exists, live, fresh tx, floor: a repeat is accepted even when the floor would now refuse it")
        void order() {
            account().when(new WithdrawFunds(A, m("500"), "w")).rejected("Account does not exist");
            existing("0").given(new AccountDeleted(A)).when(new WithdrawFunds(A, m("500"), "w"))
                    .rejected("Account deleted");
            existing("0").given(new FundsWithdrawn(A, m("100.00"), m("-100.00"), "w"))
                    .when(new WithdrawFunds(A, m("100"), "w")).noEvent();
            existing("0").given(new FundsWithdrawn(A, m("100.00"), m("-100.00"), "w"))
                    .when(new WithdrawFunds(A, m("1"), "w")).rejected("Transaction id 'w' was already used");
        }
    }

    @Nested
    class Transfers {
        @Test
        @Tag("B8")
        @Tag("B27")
        @DisplayName("B8: a transfer debits the funding account; the funded account is not checked here (B27)")
        void transfer() {
            existing("50.50").when(new Transfer(A, "999999", m("20"), "t"))
                    .accepted(new TransferDebited(A, "999999", m("20.00"), m("30.50"), "t"));
        }

        @Test
        @Tag("B8")
        @DisplayName("B8: exists, live, fresh tx (same funded account and amount), floor")
        void order() {
            account().when(new Transfer(A, B, m("1"), "t")).rejected("Account does not exist");
            existing("0").given(new AccountDeleted(A)).when(new Transfer(A, B, m("1000"), "t"))
                    .rejected("Account deleted");
            Spec<AccountAggregate> s = existing("0").given(new TransferDebited(A, B, m("100.00"), m("-100.00"), "t"));
            s.when(new Transfer(A, B, m("100"), "t")).noEvent();
            s.when(new Transfer(A, C, m("100"), "t")).rejected("Transaction id 't' was already used");
            s.when(new Transfer(A, B, m("99"), "t")).rejected("Transaction id 't' was already used");
            s.when(new Transfer(A, B, m("0.01"), "t2")).rejected("Insufficient funds");
        }

        @Test
        @Tag("B20")
        @DisplayName("B20: a credit posts TransferCredited; a repeat is a no-op; exists and live are checked after")
        void credit() {
            existing("1.00").when(new CreditTransfer(B, A, m("19"), "t"))
                    .accepted(new TransferCredited(A, B, m("19.00"), m("20.00"), "t"));
            account().when(new CreditTransfer(B, A, m("19"), "t")).rejected("Account does not exist");
            existing("0").given(new AccountDeleted(A)).when(new CreditTransfer(B, A, m("19"), "t"))
                    .rejected("Account deleted");
            // already done is checked first: accepted even on a deleted account (B29)
            existing("0").given(new TransferCredited(A, B, m("19.00"), m("19.00"), "t"), new AccountDeleted(A))
                    .when(new CreditTransfer(B, A, m("19"), "t")).noEvent();
        }

        @Test
        @Tag("B20")
        @Tag("B30")
        @DisplayName("B20, B30: a credit whose id this account knows for anything else is refused")
        void creditIdAlreadyUsed() {
            Spec<AccountAggregate> s = existing("0").given(new TransferCredited(A, B, m("19.00"), m("19.00"), "t"),
                    new FundsDeposited(A, m("1.00"), m("20.00"), "d"));
            s.when(new CreditTransfer(C, A, m("19"), "t")).rejected("Transaction id 't' was already used");
            s.when(new CreditTransfer(B, A, m("18"), "t")).rejected("Transaction id 't' was already used");
            s.when(new CreditTransfer(B, A, m("1"), "d")).rejected("Transaction id 'd' was already used");
        }

        @Test
        @Tag("B21")
        @DisplayName("B21: a rollback gives the recorded amount back; repeats are no-ops; the amount must match")
        void rollback() {
            Spec<AccountAggregate> s = existing("50.50")
                    .given(new TransferDebited(A, "999999", m("20.00"), m("30.50"), "t"));
            s.when(new RollbackTransferDebit(A, m("20"), "t"))
                    .accepted(new TransferDebitRolledBack(A, m("20.00"), m("50.50"), "t"));
            s.when(new RollbackTransferDebit(A, m("21"), "t")).rejected("Transaction 't' amount does not match");
            s.when(new RollbackTransferDebit(A, m("20"), "x")).rejected("Transaction 'x' not found");
            s.given(new TransferDebitRolledBack(A, m("20.00"), m("50.50"), "t"))
                    .when(new RollbackTransferDebit(A, m("21"), "t")).noEvent();
        }

        @Test
        @Tag("B21")
        @Tag("B25")
        @DisplayName("B21, B25, §12 bug 6: a transfer rollback succeeds on a deleted account (no live check)")
        void rollbackOnDeleted() {
            existing("50.50").given(new TransferDebited(A, B, m("20.00"), m("30.50"), "t"), new AccountDeleted(A))
                    .when(new RollbackTransferDebit(A, m("20"), "t"))
                    .accepted(new TransferDebitRolledBack(A, m("20.00"), m("50.50"), "t"));
        }
    }

    @Nested
    class Requests {
        /** A fresh funding account B with 20.00. */
        private Spec<AccountAggregate> funder() {
            return Spec.account(B).givenAccount("20.00");
        }

        private Instant timeout() {
            return TestClock.T0.plus(TIMEOUT);
        }

        private Spec<AccountAggregate> received() {
            return funder().given(new RequestReceived(A, B, m("15.43"), "r", timeout()));
        }

        @Test
        @Tag("B9")
        @Tag("B28")
        @DisplayName("B9, B28: a request posts RequestCreated timing out 30 minutes from the injected clock")
        void request() {
            Spec<AccountAggregate> s = existing("0");
            s.clock.set(Instant.parse("2026-03-01T09:00:00.123456789Z"));
            RequestCreated e = s.when(new Request(A, B, m("15.43"), "r")).only(RequestCreated.class);
            assertThat(e).isEqualTo(new RequestCreated(A, B, m("15.43"), "r",
                    Instant.parse("2026-03-01T09:30:00.123456Z"))); // microseconds: what stores keep
        }

        @Test
        @Tag("B9")
        @DisplayName("B9: exists, live, fresh tx (same funding account and amount); no balance check")
        void requestOrder() {
            account().when(new Request(A, B, m("1"), "r")).rejected("Account does not exist");
            existing("0").given(new AccountDeleted(A)).when(new Request(A, B, m("1"), "r"))
                    .rejected("Account deleted");
            existing("-100.00").when(new Request(A, B, m("1000000"), "r")).only(RequestCreated.class);
            Spec<AccountAggregate> s = existing("0")
                    .given(new RequestCreated(A, B, m("5.00"), "r", TestClock.T0.plus(TIMEOUT)));
            s.when(new Request(A, B, m("5"), "r")).noEvent();
            s.when(new Request(A, C, m("5"), "r")).rejected("Transaction id 'r' was already used");
            s.when(new Transfer(A, B, m("5"), "r")).rejected("Transaction id 'r' was already used");
        }

        @Test
        @Tag("B15")
        @DisplayName("B15: the funding account receives the request until its timeout")
        void getApproval() {
            funder().when(new GetRequestApproval(A, B, m("15.43"), "r", timeout()))
                    .accepted(new RequestReceived(A, B, m("15.43"), "r", timeout()));
        }

        @Test
        @Tag("B15")
        @DisplayName("B15: already received is checked first; then any other use of the id; exists; live; in time")
        void getApprovalOrder() {
            Instant t = timeout();
            // already received from this requester for this amount: a no-op even deleted and late (B29)
            received().given(new AccountDeleted(B)).after(TIMEOUT)
                    .when(new GetRequestApproval(A, B, m("15.43"), "r", t)).noEvent();
            received().when(new GetRequestApproval(C, B, m("15.43"), "r", t))
                    .rejected("Transaction id 'r' was already used");
            received().when(new GetRequestApproval(A, B, m("15.44"), "r", t))
                    .rejected("Transaction id 'r' was already used");
            Spec.account(B).when(new GetRequestApproval(A, B, m("1"), "r", t)).rejected("Account does not exist");
            Spec.account(B).givenAccount("0").given(new AccountDeleted(B))
                    .when(new GetRequestApproval(A, B, m("1"), "r", t)).rejected("Account deleted");
            funder().after(TIMEOUT).when(new GetRequestApproval(A, B, m("1"), "r", t))
                    .rejected("Transaction timed out");
        }

        @Test
        @Tag("B13")
        @DisplayName("B13: accept posts RequestApproved with the requester; idempotent")
        void accept() {
            received().when(new AcceptRequest(B, "r")).accepted(new RequestApproved(B, A, "r"));
            received().given(new RequestApproved(B, A, "r")).when(new AcceptRequest(B, "r")).noEvent();
        }

        @Test
        @Tag("B13")
        @DisplayName("B13: exists, live, known tx, decision, in time")
        void acceptOrder() {
            Spec.account(B).when(new AcceptRequest(B, "r")).rejected("Account does not exist");
            received().given(new AccountDeleted(B)).when(new AcceptRequest(B, "r")).rejected("Account deleted");
            received().when(new AcceptRequest(B, "FAKE_ID")).rejected("Transaction 'FAKE_ID' not found");
            received().given(new RequestApproved(B, A, "r")).after(TIMEOUT).when(new AcceptRequest(B, "r"))
                    .noEvent();
            received().after(TIMEOUT.minusNanos(1000)).when(new AcceptRequest(B, "r")).only(RequestApproved.class);
            received().after(TIMEOUT).when(new AcceptRequest(B, "r")).rejected("Transaction timed out");
            // a request this account sent is not one it can accept
            existing("0").given(new RequestCreated(A, B, m("1.00"), "mine", TestClock.T0.plus(TIMEOUT)))
                    .when(new AcceptRequest(A, "mine")).rejected("Transaction 'mine' not found");
        }

        @Test
        @Tag("B14")
        @DisplayName("B14: reject posts RequestRejected; idempotent; exists, live, known tx, decision, in time")
        void reject() {
            received().when(new RejectRequest(B, "r")).accepted(new RequestRejected(B, A, "r"));
            received().given(new RequestRejected(B, A, "r")).after(TIMEOUT).when(new RejectRequest(B, "r")).noEvent();
            Spec.account(B).when(new RejectRequest(B, "r")).rejected("Account does not exist");
            received().given(new AccountDeleted(B)).when(new RejectRequest(B, "r")).rejected("Account deleted");
            received().when(new RejectRequest(B, "nope")).rejected("Transaction 'nope' not found");
            received().after(TIMEOUT).when(new RejectRequest(B, "r")).rejected("Transaction timed out");
        }

        @Test
        @Tag("B23")
        @DisplayName("B23: accept and reject are mutually exclusive, each idempotent (§12 bug 3)")
        void mutuallyExclusive() {
            received().given(new RequestRejected(B, A, "r")).when(new AcceptRequest(B, "r"))
                    .rejected("Request already rejected");
            received().given(new RequestApproved(B, A, "r")).when(new RejectRequest(B, "r"))
                    .rejected("Request already accepted");
            received().given(new RequestRejected(B, A, "r")).when(new RejectRequest(B, "r")).noEvent();
            received().given(new RequestApproved(B, A, "r")).when(new AcceptRequest(B, "r")).noEvent();
        }

        @Test
        @Tag("B16")
        @DisplayName("B16: the debit of an approved request posts RequestDebited, floor on the request's amount")
        void debit() {
            received().given(new RequestApproved(B, A, "r")).when(new DebitRequest(B, "r"))
                    .accepted(new RequestDebited(B, A, m("15.43"), m("4.57"), "r"));
            Spec.account(B).givenAccount("-90.00").given(new RequestReceived(A, B, m("10.01"), "r", timeout()),
                    new RequestApproved(B, A, "r")).when(new DebitRequest(B, "r")).rejected("Insufficient funds");
        }

        @Test
        @Tag("B16")
        @Tag("B24")
        @DisplayName("B16, B24, §12 bug 4: known tx; debited or rolled back first; approval; live; in time; floor")
        void debitOrder() {
            Spec.account(B).when(new DebitRequest(B, "r")).rejected("Transaction 'r' not found");
            received().when(new DebitRequest(B, "r")).rejected("Request not approved");
            received().given(new RequestRejected(B, A, "r")).when(new DebitRequest(B, "r"))
                    .rejected("Request not approved");
            received().given(new RequestApproved(B, A, "r"), new AccountDeleted(B)).after(TIMEOUT)
                    .when(new DebitRequest(B, "r")).rejected("Account deleted");
            received().given(new RequestApproved(B, A, "r")).after(TIMEOUT).when(new DebitRequest(B, "r"))
                    .rejected("Transaction timed out");
            // already done beats deletion and time
            received().given(new RequestApproved(B, A, "r"), new RequestDebited(B, A, m("15.43"), m("4.57"), "r"),
                    new AccountDeleted(B)).after(TIMEOUT).when(new DebitRequest(B, "r")).noEvent();
            received().given(new RequestApproved(B, A, "r"), new RequestDebited(B, A, m("15.43"), m("4.57"), "r"),
                    new RequestDebitRolledBack(B, A, m("15.43"), m("20.00"), "r")).when(new DebitRequest(B, "r"))
                    .noEvent();
        }

        @Test
        @Tag("B18")
        @Tag("B24")
        @Tag("B25")
        @DisplayName("B18, B24, B25, §12 bugs 4, 6: a request rollback needs a debit; idempotent; no live/time check")
        void rollback() {
            Spec.account(B).when(new RollbackRequestDebit(B, "r")).rejected("Transaction 'r' not found");
            received().given(new RequestApproved(B, A, "r")).when(new RollbackRequestDebit(B, "r"))
                    .rejected("No debit to roll back for transaction 'r'");
            Spec<AccountAggregate> debited = received().given(new RequestApproved(B, A, "r"),
                    new RequestDebited(B, A, m("15.43"), m("4.57"), "r"), new AccountDeleted(B)).after(TIMEOUT);
            debited.when(new RollbackRequestDebit(B, "r"))
                    .accepted(new RequestDebitRolledBack(B, A, m("15.43"), m("20.00"), "r"));
            debited.given(new RequestDebitRolledBack(B, A, m("15.43"), m("20.00"), "r"))
                    .when(new RollbackRequestDebit(B, "r")).noEvent();
        }

        @Test
        @Tag("B17")
        @DisplayName("B17: a credit posts RequestCredited; credited: no-op; rejected: refused; live; no time check")
        void credit() {
            Spec<AccountAggregate> requester = existing("31.50")
                    .given(new RequestCreated(A, B, m("15.43"), "r", TestClock.T0.plus(TIMEOUT))).after(TIMEOUT);
            requester.when(new CreditRequest(A, "r")).accepted(new RequestCredited(A, m("15.43"), m("46.93"), "r"));
            requester.when(new CreditRequest(A, "x")).rejected("Transaction 'x' not found");
            existing("0").given(new RequestCreated(A, B, m("1.00"), "r", TestClock.T0.plus(TIMEOUT)),
                    new RequestRejectionReceived(A, "r")).when(new CreditRequest(A, "r"))
                    .rejected("Request already rejected");
            existing("0").given(new RequestCreated(A, B, m("1.00"), "r", TestClock.T0.plus(TIMEOUT)),
                    new AccountDeleted(A)).when(new CreditRequest(A, "r")).rejected("Account deleted");
            existing("0").given(new RequestCreated(A, B, m("1.00"), "r", TestClock.T0.plus(TIMEOUT)),
                    new RequestCredited(A, m("1.00"), m("1.00"), "r"), new AccountDeleted(A))
                    .when(new CreditRequest(A, "r")).noEvent();
        }

        @Test
        @Tag("B19")
        @DisplayName("B19: the rejection notice; idempotent; refused after a credit; no live or time check")
        void notifyRejected() {
            Spec<AccountAggregate> requester = existing("0")
                    .given(new RequestCreated(A, B, m("1.00"), "r", TestClock.T0.plus(TIMEOUT)),
                            new AccountDeleted(A)).after(TIMEOUT);
            requester.when(new NotifyRequestRejected(A, B, "r")).accepted(new RequestRejectionReceived(A, "r"));
            requester.when(new NotifyRequestRejected(A, B, "x")).rejected("Transaction 'x' not found");
            existing("0").given(new RequestCreated(A, B, m("1.00"), "r", TestClock.T0.plus(TIMEOUT)),
                    new RequestRejectionReceived(A, "r")).when(new NotifyRequestRejected(A, B, "r")).noEvent();
            existing("0").given(new RequestCreated(A, B, m("1.00"), "r", TestClock.T0.plus(TIMEOUT)),
                    new RequestCredited(A, m("1.00"), m("1.00"), "r")).when(new NotifyRequestRejected(A, B, "r"))
                    .rejected("Request already credited");
        }

        @Test
        @Tag("B28")
        @DisplayName("B28: time guards approval, rejection and the debit; never the credit or the compensation")
        void timeGuards() {
            Spec<AccountAggregate> late = received().given(new RequestApproved(B, A, "r"));
            late.clock.set(timeout());
            late.when(new DebitRequest(B, "r")).rejected("Transaction timed out");
            Spec<AccountAggregate> debited = received().given(new RequestApproved(B, A, "r"),
                    new RequestDebited(B, A, m("15.43"), m("4.57"), "r"));
            debited.clock.set(timeout().plus(Duration.ofDays(3)));
            debited.when(new RollbackRequestDebit(B, "r")).only(RequestDebitRolledBack.class);
            Spec<AccountAggregate> requester = existing("0")
                    .given(new RequestCreated(A, B, m("1.00"), "r", TestClock.T0.plus(TIMEOUT)));
            requester.clock.set(TestClock.T0.plus(Duration.ofDays(3)));
            requester.when(new CreditRequest(A, "r")).only(RequestCredited.class);
        }

        @Test
        @Tag("A11")
        @DisplayName("A11, §12 bug 9: validators read time only from the injected clock")
        void injectedClock() {
            Spec<AccountAggregate> s = existing("0");
            s.clock.set(Instant.parse("2001-01-01T00:00:00Z"));
            RequestCreated e = s.when(new Request(A, B, m("1"), "r")).only(RequestCreated.class);
            assertThat(e.timeoutAt()).isEqualTo(Instant.parse("2001-01-01T00:30:00Z"));
            assertThat(e.timeoutAt()).isEqualTo(e.timeoutAt().truncatedTo(ChronoUnit.MICROS));
        }
    }

    @Nested
    class Forgiveness {
        @Test
        @Tag("B10")
        @DisplayName("B10: forgiveness sets a negative balance to 0.00 and records the debt forgiven")
        void forgive() {
            existing("-50.00").when(new ForgiveDebt(A, "f")).accepted(new DebtForgiven(A, m("50.00"), "f"));
        }

        @Test
        @Tag("B10")
        @DisplayName("B10: exists, live, fresh tx, then not applicable, then quota")
        void order() {
            account().when(new ForgiveDebt(A, "f")).rejected("Account does not exist");
            existing("-5.00").given(new AccountDeleted(A)).when(new ForgiveDebt(A, "f")).rejected("Account deleted");
            existing("0").when(new ForgiveDebt(A, "f")).rejected("Forgiveness not applicable");
            existing("0.01").when(new ForgiveDebt(A, "f")).rejected("Forgiveness not applicable");
            // a repeat is accepted before "not applicable" is considered
            existing("-5.00").given(new DebtForgiven(A, m("5.00"), "f")).when(new ForgiveDebt(A, "f")).noEvent();
            // not applicable is checked before the quota
            existing("-5.00").given(new DebtForgiven(A, m("5.00"), "f1"),
                    new FundsWithdrawn(A, m("5.00"), m("-5.00"), "w"), new DebtForgiven(A, m("5.00"), "f2"))
                    .when(new ForgiveDebt(A, "f3")).rejected("Forgiveness not applicable");
        }

        @Test
        @Tag("B22")
        @DisplayName("B22: at most twice per account; a third attempt with a negative balance is refused (§12 bug 2)")
        void quota() {
            Spec<AccountAggregate> s = existing("-10.00");
            s.apply(new ForgiveDebt(A, "f1")).accepted(new DebtForgiven(A, m("10.00"), "f1"));
            s.apply(new WithdrawFunds(A, m("20"), "w2")).only(FundsWithdrawn.class);
            s.apply(new ForgiveDebt(A, "f2")).accepted(new DebtForgiven(A, m("20.00"), "f2"));
            s.apply(new WithdrawFunds(A, m("30"), "w3")).only(FundsWithdrawn.class);
            assertThat(s.aggregate().balance()).isEqualByComparingTo("-30.00");
            s.when(new ForgiveDebt(A, "f3")).rejected("Forgiveness quota exceeded");
            assertThat(s.aggregate().forgivenessCount()).isEqualTo(2);
        }
    }

    @Nested
    class Lifecycle {
        @Test
        @Tag("B11")
        @DisplayName("B11: delete posts AccountDeleted; a non-zero balance is allowed; deleting again is a no-op")
        void delete() {
            existing("46.93").when(new DeleteAccount(A)).accepted(new AccountDeleted(A));
            existing("46.93").given(new AccountDeleted(A)).when(new DeleteAccount(A)).noEvent();
            account().when(new DeleteAccount(A)).rejected("Account does not exist");
        }

        @Test
        @Tag("B12")
        @DisplayName("B12: rename posts AccountNameChanged; the same name is a no-op; exists and live")
        void rename() {
            existing("0").when(new ChangeAccountName(A, "Natalie Smith"))
                    .accepted(new AccountNameChanged(A, "Natalie Smith"));
            existing("0").when(new ChangeAccountName(A, " Holder ")).noEvent(); // normalised, same as now
            account().when(new ChangeAccountName(A, "Someone")).rejected("Account does not exist");
        }

        @Test
        @Tag("B26")
        @DisplayName("B26: a deleted account refuses every user command except DeleteAccount, rename included")
        void deletedRefusesUserCommands() {
            Spec<AccountAggregate> s = existing("-50.00")
                    .given(new RequestReceived(B, A, m("1.00"), "r", TestClock.T0.plus(TIMEOUT)))
                    .given(new AccountDeleted(A));
            s.when(new DepositFunds(A, m("1"))).rejected("Account deleted");
            s.when(new WithdrawFunds(A, m("1"))).rejected("Account deleted");
            s.when(new Transfer(A, B, m("1"))).rejected("Account deleted");
            s.when(new Request(A, B, m("1"))).rejected("Account deleted");
            s.when(new ForgiveDebt(A)).rejected("Account deleted");
            s.when(new AcceptRequest(A, "r")).rejected("Account deleted");
            s.when(new RejectRequest(A, "r")).rejected("Account deleted");
            s.when(new ChangeAccountName(A, "Someone")).rejected("Account deleted");
            s.when(new DeleteAccount(A)).noEvent();
        }
    }

    @Test
    @Tag("B29")
    @DisplayName("B29: every system command sent twice gives one event and two accepted responses")
    void systemCommandsIdempotent() {
        Instant t = TestClock.T0.plus(TIMEOUT);
        Spec<AccountAggregate> funder = Spec.account(B).givenAccount("100.00");
        funder.apply(new GetRequestApproval(A, B, m("5"), "r", t)).only(RequestReceived.class);
        funder.when(new GetRequestApproval(A, B, m("5"), "r", t)).noEvent();
        funder.apply(new AcceptRequest(B, "r")).only(RequestApproved.class);
        funder.apply(new DebitRequest(B, "r")).only(RequestDebited.class);
        funder.when(new DebitRequest(B, "r")).noEvent();
        funder.apply(new RollbackRequestDebit(B, "r")).only(RequestDebitRolledBack.class);
        funder.when(new RollbackRequestDebit(B, "r")).noEvent();
        funder.apply(new CreditTransfer(C, B, m("3"), "t")).only(TransferCredited.class);
        funder.when(new CreditTransfer(C, B, m("3"), "t")).noEvent();
        funder.apply(new Transfer(B, C, m("2"), "t2")).only(TransferDebited.class);
        funder.apply(new RollbackTransferDebit(B, m("2"), "t2")).only(TransferDebitRolledBack.class);
        funder.when(new RollbackTransferDebit(B, m("2"), "t2")).noEvent();

        Spec<AccountAggregate> requester = existing("0");
        requester.apply(new Request(A, B, m("5"), "r1")).only(RequestCreated.class);
        requester.apply(new CreditRequest(A, "r1")).only(RequestCredited.class);
        requester.when(new CreditRequest(A, "r1")).noEvent();
        requester.apply(new Request(A, B, m("5"), "r2")).only(RequestCreated.class);
        requester.apply(new NotifyRequestRejected(A, B, "r2")).only(RequestRejectionReceived.class);
        requester.when(new NotifyRequestRejected(A, B, "r2")).noEvent();
        assertThat(requester.aggregate().balance()).isEqualByComparingTo("5.00");
        assertThat(funder.aggregate().balance()).isEqualByComparingTo("103.00");
    }

    @Test
    @DisplayName("§6.2: balance and maps rebuilt from every event type; the snapshot holds all of it")
    void stateFromEvents() {
        Instant t = TestClock.T0.plus(TIMEOUT);
        AccountAggregate a = existing("10.00").given(
                new AccountNameChanged(A, "New Name"),
                new FundsWithdrawn(A, m("30.00"), m("-20.00"), "w"),
                new DebtForgiven(A, m("20.00"), "f"),
                new TransferDebited(A, B, m("5.00"), m("-5.00"), "t1"),
                new TransferDebitRolledBack(A, m("5.00"), m("0.00"), "t1"),
                new TransferCredited(A, C, m("7.00"), m("7.00"), "t2"),
                new RequestCreated(A, B, m("3.00"), "r1", t),
                new RequestCredited(A, m("3.00"), m("10.00"), "r1"),
                new RequestCreated(A, B, m("4.00"), "r2", t),
                new RequestRejectionReceived(A, "r2"),
                new RequestReceived(C, A, m("2.00"), "r3", t),
                new RequestApproved(A, C, "r3"),
                new RequestDebited(A, C, m("2.00"), m("8.00"), "r3"),
                new RequestDebitRolledBack(A, C, m("2.00"), m("10.00"), "r3"),
                new RequestReceived(C, A, m("9.00"), "r4", t),
                new RequestRejected(A, C, "r4")).aggregate();
        AccountAggregate.State s = a.snapshot();
        assertThat(s.name()).isEqualTo("New Name");
        assertThat(s.balance()).isEqualTo(m("10.00"));
        assertThat(s.forgivenessCount()).isEqualTo(1);
        assertThat(s.sentTransfers()).containsEntry("t1",
                new AccountAggregate.SentTransfer(B, m("5.00"), AccountAggregate.TransferState.ROLLED_BACK));
        assertThat(s.receivedTransfers()).containsEntry("t2", new AccountAggregate.ReceivedTransfer(C, m("7.00")));
        assertThat(s.sentRequests().get("r1").state()).isEqualTo(AccountAggregate.RequestState.CREDITED);
        assertThat(s.sentRequests().get("r2").state()).isEqualTo(AccountAggregate.RequestState.REJECTED);
        assertThat(s.receivedRequests().get("r3")).isEqualTo(new AccountAggregate.ReceivedRequest(C, m("2.00"), t,
                AccountAggregate.Decision.APPROVED, AccountAggregate.Funds.ROLLED_BACK));
        assertThat(s.receivedRequests().get("r4").decision()).isEqualTo(AccountAggregate.Decision.REJECTED);
        assertThat(s.recentTransactions()).extracting(AccountAggregate.RecentTransaction::transactionId)
                .containsExactly("seed", "w", "f");

        AccountAggregate restored = new AccountAggregate(A);
        restored.applySnapshot(s);
        assertThat(restored.snapshot()).isEqualTo(s);
    }
}
