package jangle.banking;

import jangle.Command;
import jangle.CommandResponse;
import jangle.EventRecord;
import jangle.Jangle;
import jangle.SendOptions;
import jangle.memory.InMemoryStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static jangle.banking.Spec.m;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scripted demo story of banking.md §11, steps 1–20 and 22, end to end in memory through {@link Jangle} with
 * dispatch started: each step sends one command with its own correlation id, waits until the chain it caused has
 * settled (CA3), then checks the response, every event of the chain (type, stream, version, amount, balance, name)
 * and both balances. Steps 21 and 23 read the read models, which are the application's; W7 is checked on the events
 * instead (step 22).
 */
class DemoStoryTest {
    private static final String A1 = "000001";
    private static final String A2 = "000002";
    private Jangle jangle;

    @BeforeEach
    void start() {
        jangle = BankingDomain.register(Jangle.builder().clock(Clock.systemUTC()).environment(Map.of())
                .stores(new InMemoryStores())).build();
        jangle.start();
    }

    @AfterEach
    void stop() {
        jangle.close();
    }

    /** One event as the story lists it. */
    private static String line(EventRecord<?> r) {
        String head = r.type() + " " + r.aggregateId() + " v" + r.version();
        return switch ((BankEvent) r.event()) {
            case AccountIdProvisioned e -> head + " " + e.accountId();
            case AccountCreated e -> head + " " + e.name();
            case AccountNameChanged e -> head + " " + e.name();
            case FundsDeposited e -> head + " " + e.amount() + " bal " + e.balance();
            case FundsWithdrawn e -> head + " " + e.amount() + " bal " + e.balance();
            case DebtForgiven e -> head + " " + e.amount();
            case TransferDebited e -> head + " " + e.amount() + " bal " + e.balance();
            case TransferCredited e -> head + " " + e.amount() + " bal " + e.balance();
            case TransferDebitRolledBack e -> head + " " + e.amount() + " bal " + e.balance();
            case RequestCreated e -> head + " " + e.amount();
            case RequestReceived e -> head + " " + e.amount();
            case RequestDebited e -> head + " " + e.amount() + " bal " + e.balance();
            case RequestDebitRolledBack e -> head + " " + e.amount() + " bal " + e.balance();
            case RequestCredited e -> head + " " + e.amount() + " bal " + e.balance();
            case AccountDeleted e -> head;
            case RequestApproved e -> head;
            case RequestRejected e -> head;
            case RequestRejectionReceived e -> head;
        };
    }

    /** Sends, waits for the chain, and checks response, events and balances ("-" for an account not yet open). */
    private CommandResponse step(int n, Command command, String response, String balance1, String balance2,
                                 String... events) {
        UUID correlation = UUID.randomUUID();
        long before = jangle.stores().events().lastPosition();
        CommandResponse r = jangle.send(command, SendOptions.NONE.withCorrelationId(correlation));
        jangle.awaitSettled(correlation, Duration.ofMinutes(2)); // a bound only a hang reaches
        List<String> actual = new ArrayList<>();
        for (EventRecord<?> e : feedAfter(before)) {
            if (e.metadata().correlationId().equals(correlation)) actual.add(line(e));
        }
        String outcome = r.isAccepted() ? "accepted" + (r.acceptedData(Object.class) == null ? "" : " " + r.acceptedData(Object.class))
                : "rejected " + r.rejectionReason();
        assertThat(outcome).as("step %d response", n).isEqualTo(response);
        assertThat(actual).as("step %d events", n).containsExactly(events);
        Map<String, BigDecimal> balances = BankInvariants.of(feedAfter(0)).balances();
        assertThat(text(balances.get(A1))).as("step %d balance of 000001", n).isEqualTo(balance1);
        assertThat(text(balances.get(A2))).as("step %d balance of 000002", n).isEqualTo(balance2);
        return r;
    }

    private static String text(BigDecimal b) {
        return b == null ? "-" : b.toPlainString();
    }

    private List<EventRecord<?>> feedAfter(long position) {
        List<EventRecord<?>> all = new ArrayList<>();
        long after = position;
        for (List<EventRecord<?>> page; !(page = jangle.stores().events().readFeed(after, 500)).isEmpty(); ) {
            all.addAll(page);
            after = page.getLast().position();
        }
        return all;
    }

    @Test
    @Tag("W7")
    @DisplayName("§11 steps 1-20 and 22: the demo story, every response, event and balance, then W7 on the events")
    void demoStory() {
        step(1, new CreateAccount("HSPBC"), "accepted 000001", "0.00", "-",
                "AccountIdProvisioned ACCOUNT_CREATION_AGGREGATE v1 000001", "AccountCreated 000001 v1 HSPBC");
        step(2, new CreateAccount("Natalie", m("100")), "accepted 000002", "0.00", "100.00",
                "AccountIdProvisioned ACCOUNT_CREATION_AGGREGATE v2 000002", "AccountCreated 000002 v1 Natalie",
                "FundsDeposited 000002 v2 100.00 bal 100.00");
        step(3, new DepositFunds(A1, m("50.50")), "accepted", "50.50", "100.00",
                "FundsDeposited 000001 v2 50.50 bal 50.50");
        step(4, new WithdrawFunds(A2, m("250")), "rejected Insufficient funds", "50.50", "100.00");
        step(5, new WithdrawFunds(A2, m("150")), "accepted", "50.50", "-50.00",
                "FundsWithdrawn 000002 v3 150.00 bal -50.00");
        step(6, new ForgiveDebt(A2), "accepted", "50.50", "0.00", "DebtForgiven 000002 v4 50.00");
        step(7, new Transfer(A1, "999999", m("20")), "accepted", "50.50", "0.00",
                "TransferDebited 000001 v3 20.00 bal 30.50", "TransferDebitRolledBack 000001 v4 20.00 bal 50.50");
        step(8, new Transfer(A1, A2, m("19")), "accepted", "31.50", "19.00",
                "TransferDebited 000001 v5 19.00 bal 31.50", "TransferCredited 000002 v5 19.00 bal 19.00");
        Request r9 = new Request(A1, A2, m("15.43"));
        step(9, r9, "accepted", "31.50", "19.00", "RequestCreated 000001 v6 15.43", "RequestReceived 000002 v6 15.43");
        step(10, new AcceptRequest(A2, "FAKE_ID"), "rejected Transaction 'FAKE_ID' not found", "31.50", "19.00");
        step(11, new AcceptRequest(A2, r9.transactionId()), "accepted", "46.93", "3.57",
                "RequestApproved 000002 v7", "RequestDebited 000002 v8 15.43 bal 3.57",
                "RequestCredited 000001 v7 15.43 bal 46.93");
        Request r12 = new Request(A2, A1, m("1000"));
        step(12, r12, "accepted", "46.93", "3.57",
                "RequestCreated 000002 v9 1000.00", "RequestReceived 000001 v8 1000.00");
        step(13, new AcceptRequest(A1, r12.transactionId()), "accepted", "46.93", "3.57",
                "RequestApproved 000001 v9", "RequestRejectionReceived 000002 v10");
        Request r14 = new Request(A2, A1, m("1000"));
        step(14, r14, "accepted", "46.93", "3.57",
                "RequestCreated 000002 v11 1000.00", "RequestReceived 000001 v10 1000.00");
        step(15, new RejectRequest(A1, r14.transactionId()), "accepted", "46.93", "3.57",
                "RequestRejected 000001 v11", "RequestRejectionReceived 000002 v12");
        Request r16 = new Request(A1, A2, m("15.43"));
        step(16, r16, "accepted", "46.93", "3.57",
                "RequestCreated 000001 v12 15.43", "RequestReceived 000002 v13 15.43");
        step(17, new DeleteAccount(A1), "accepted", "46.93", "3.57", "AccountDeleted 000001 v13");
        step(18, new AcceptRequest(A2, r16.transactionId()), "accepted", "46.93", "3.57",
                "RequestApproved 000002 v14", "RequestDebited 000002 v15 15.43 bal -11.86",
                "RequestDebitRolledBack 000002 v16 15.43 bal 3.57");
        step(19, new ChangeAccountName(A2, "Natalie Smith"), "accepted", "46.93", "3.57",
                "AccountNameChanged 000002 v17 Natalie Smith");
        step(20, new ChangeAccountName(A1, "Someone"), "rejected Account deleted", "46.93", "3.57");

        // 22: W7 on the events: 150.50 deposited - 150.00 withdrawn + 50.00 forgiven = 50.50 = 46.93 + 3.57
        BankInvariants.Report report = BankInvariants.of(feedAfter(0));
        assertThat(report.deposits()).isEqualTo(m("150.50"));
        assertThat(report.withdrawals()).isEqualTo(m("150.00"));
        assertThat(report.forgiven()).isEqualTo(m("50.00"));
        assertThat(report.expectedTotal()).isEqualTo(m("50.50"));
        assertThat(report.totalBalance()).isEqualTo(m("50.50"));
        assertThat(report.holds()).isTrue();
        // every saga of the story is finished and nothing is left pending
        assertThat(jangle.operations().sagas(false, 100)).isEmpty();
        assertThat(jangle.operations().sagas(true, 100)).hasSize(4); // steps 9, 12, 14, 16
        assertThat(jangle.operations().pending(null, 100)).isEmpty();
    }
}
