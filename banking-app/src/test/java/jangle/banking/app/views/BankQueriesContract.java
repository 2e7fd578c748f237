package jangle.banking.app.views;

import jangle.EventRecord;
import jangle.banking.AccountCreated;
import jangle.banking.AccountDeleted;
import jangle.banking.AccountListItem;
import jangle.banking.AccountSummaryView;
import jangle.banking.BankStatistics;
import jangle.banking.DebtForgiven;
import jangle.banking.FundsDeposited;
import jangle.banking.FundsWithdrawn;
import jangle.banking.LedgerEntry;
import jangle.banking.PendingRequest;
import jangle.banking.RequestApproved;
import jangle.banking.RequestCreated;
import jangle.banking.RequestCredited;
import jangle.banking.RequestDebitRolledBack;
import jangle.banking.RequestDebited;
import jangle.banking.RequestReceived;
import jangle.banking.TransferCredited;
import jangle.banking.TransferDebitRolledBack;
import jangle.banking.TransferDebited;
import jangle.banking.app.testsupport.Records;
import jangle.jdbc.JdbcDatabase;
import jangle.test.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The query definitions of banking.md §9 against a real database of one dialect (subclasses). */
abstract class BankQueriesContract {
    static final String A = "000001";
    static final String B = "000002";
    static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    protected JdbcDatabase db;
    protected BankViews views;
    protected BankQueries queries;
    protected final MutableClock clock = new MutableClock(NOW);
    protected final Records rec = new Records();

    protected abstract JdbcDatabase newDatabase() throws Exception;

    @BeforeEach
    void open() throws Exception {
        db = newDatabase();
        views = new BankViews(db);
        views.createSchema();
        queries = new BankQueries(db, clock);
    }

    @AfterEach
    void close() {
        if (db != null) db.close();
    }

    static BigDecimal m(String text) {
        return new BigDecimal(text);
    }

    void deliver(EventRecord<?>... records) {
        views.handleBatch(BankViews.bankEvents(List.of(records)));
    }

    void account(String id, String name) {
        deliver(rec.of(id, 1, new AccountCreated(id, name)));
    }

    @Test
    @DisplayName("§9 AccountsList: live accounts with a name, by account number (shorter ids first, then text); deleted and nameless rows left out")
    void accountsListOrderAndFilter() {
        account("1000000", "Millionth");
        account("000010", "Tenth one");
        account("999999", "Last short");
        account(B, "Natalie");
        account("000003", "Deleted one");
        deliver(rec.of("000003", 2, new AccountDeleted("000003")),
                rec.of("000004", 2, new FundsDeposited("000004", m("5.00"), m("5.00"), "x")),
                rec.of(B, 2, new FundsDeposited(B, m("100.00"), m("100.00"), "d")));
        List<AccountListItem> list = queries.accountsList();
        assertThat(list).extracting(AccountListItem::accountId).containsExactly(B, "000010", "999999", "1000000");
        assertThat(list.getFirst().name()).isEqualTo("Natalie");
        assertThat(list.getFirst().balance()).isEqualByComparingTo("100.00");
        assertThat(list.getFirst().balance().scale()).isEqualTo(2);
        assertThat(list.get(1).balance()).isEqualTo(m("0.00"));
    }

    @Test
    @DisplayName("§9 pendingRequestCount: requests awaiting this account's approval (state request_received) and not expired at the clock's now")
    void pendingRequestCount() {
        account(A, "Requester");
        account(B, "Funder one");
        Instant later = NOW.plus(Duration.ofMinutes(30));
        deliver(rec.of(A, 2, new RequestCreated(A, B, m("1.00"), "p1", later)),
                rec.of(B, 2, new RequestReceived(A, B, m("1.00"), "p1", later)),
                rec.of(A, 3, new RequestCreated(A, B, m("2.00"), "p2", NOW.minusSeconds(1))),
                rec.of(B, 3, new RequestReceived(A, B, m("2.00"), "p2", NOW.minusSeconds(1))),
                rec.of(A, 4, new RequestCreated(A, B, m("3.00"), "p3", later)),
                rec.of(B, 4, new RequestReceived(A, B, m("3.00"), "p3", later)),
                rec.of(B, 5, new RequestApproved(B, A, "p3")),
                rec.of(A, 5, new RequestCreated(A, B, m("4.00"), "p4", NOW)),
                rec.of(B, 6, new RequestReceived(A, B, m("4.00"), "p4", NOW)));
        assertThat(queries.accountsList()).extracting(i -> i.accountId() + ":" + i.pendingRequestCount())
                .containsExactly(A + ":0", B + ":1");
        clock.advance(Duration.ofMinutes(30));
        assertThat(queries.accountsList()).extracting(i -> i.accountId() + ":" + i.pendingRequestCount())
                .containsExactly(A + ":0", B + ":0");
    }

    @Test
    @DisplayName("§9 BankStats with no data: zero counts and 0.00 money with scale 2")
    void bankStatsEmpty() {
        BankStatistics s = queries.bankStats();
        assertThat(s.activeAccounts()).isZero();
        assertThat(s.deletedAccounts()).isZero();
        assertThat(s.transactionCount()).isZero();
        assertThat(s.netBalance()).isEqualTo(m("0.00"));
        assertThat(s.averageDeposit()).isEqualTo(m("0.00"));
        assertThat(s.averageWithdrawal()).isEqualTo(m("0.00"));
        assertThat(s.debtForgiven()).isEqualTo(m("0.00"));
    }

    @Test
    @DisplayName("§9 BankStats: active and deleted counts, net balance including deleted accounts, transactions, half-even averages, debt forgiven")
    void bankStats() {
        account(A, "HSPBC");
        account(B, "Natalie");
        account("000003", "Third one");
        deliver(rec.of(A, 2, new FundsDeposited(A, m("1.00"), m("1.00"), "d1")),
                rec.of(B, 2, new FundsDeposited(B, m("0.05"), m("0.05"), "d2")),
                rec.of(B, 3, new FundsWithdrawn(B, m("10.00"), m("-9.95"), "w1")),
                rec.of(B, 4, new DebtForgiven(B, m("9.95"), "f1")),
                rec.of(A, 3, new AccountDeleted(A)),
                rec.of("000003", 2, new FundsWithdrawn("000003", m("0.01"), m("-0.01"), "w2")),
                rec.of("000003", 3, new FundsWithdrawn("000003", m("0.02"), m("-0.03"), "w3")));
        BankStatistics s = queries.bankStats();
        assertThat(s.activeAccounts()).isEqualTo(2);
        assertThat(s.deletedAccounts()).isEqualTo(1);
        assertThat(s.netBalance()).isEqualTo(m("0.97")); // 1.00 (deleted, still counted) + 0.00 - 0.03
        assertThat(s.transactionCount()).isEqualTo(6);
        assertThat(s.averageDeposit()).isEqualTo(m("0.52")); // 1.05 / 2 = 0.525, half-even
        assertThat(s.averageWithdrawal()).isEqualTo(m("3.34")); // 10.03 / 3 = 3.3433...
        assertThat(s.debtForgiven()).isEqualTo(m("9.95"));
    }

    @Test
    @DisplayName("§9 averages round half-even to 2 places")
    void halfEven() {
        assertThat(BankQueries.average(105, 2)).isEqualTo(m("0.52"));
        assertThat(BankQueries.average(115, 2)).isEqualTo(m("0.58"));
        assertThat(BankQueries.average(0, 0)).isEqualTo(m("0.00"));
        assertThat(BankQueries.average(15050, 2)).isEqualTo(m("75.25"));
    }

    @Test
    @DisplayName("§9 AccountSummary: empty when unknown, not yet created in the views, or deleted")
    void summaryEmptyCases() {
        account(A, "HSPBC");
        deliver(rec.of(A, 2, new AccountDeleted(A)),
                rec.of(B, 2, new FundsDeposited(B, m("5.00"), m("5.00"), "early")));
        assertThat(queries.accountSummary(A)).isEmpty();
        assertThat(queries.accountSummary(B)).isEmpty();
        assertThat(queries.accountSummary("000099")).isEmpty();
    }

    @Test
    @DisplayName("§9 AccountSummary: name, balance, and pending requests awaiting approval ordered by timeoutAt then transaction id")
    void summaryWithPendingRequests() {
        account(A, "Requester");
        account(B, "Natalie");
        Instant t1 = NOW.plus(Duration.ofMinutes(10));
        Instant t2 = NOW.plus(Duration.ofMinutes(20));
        deliver(rec.of(B, 2, new FundsDeposited(B, m("3.57"), m("3.57"), "d")),
                rec.of(B, 3, new RequestReceived(A, B, m("2.00"), "tx-b", t2)),
                rec.of(B, 4, new RequestReceived(A, B, m("1.00"), "tx-z", t1)),
                rec.of(B, 5, new RequestReceived("000003", B, m("3.00"), "tx-a", t2)),
                rec.of(B, 6, new RequestReceived(A, B, m("4.00"), "old", NOW)),
                rec.of(A, 2, new RequestReceived(B, A, m("5.00"), "other", t2)));
        AccountSummaryView v = queries.accountSummary(B).orElseThrow();
        assertThat(v.accountId()).isEqualTo(B);
        assertThat(v.name()).isEqualTo("Natalie");
        assertThat(v.balance()).isEqualTo(m("3.57"));
        assertThat(v.pendingRequests()).extracting(PendingRequest::transactionId)
                .containsExactly("tx-z", "tx-a", "tx-b");
        PendingRequest first = v.pendingRequests().getFirst();
        assertThat(first.requesterAccountId()).isEqualTo(A);
        assertThat(first.amount()).isEqualTo(m("1.00"));
        assertThat(first.timeoutAt()).isEqualTo(t1);
        assertThat(v.pendingRequests().get(1).requesterAccountId()).isEqualTo("000003");
    }

    @Test
    @DisplayName("§9 AccountLedger: every movement by initiated_at then version, signed (withdrawal, transfer_debit, request_debit negative), with descriptions")
    void ledger() {
        account(A, "HSPBC");
        Instant t = Records.T0.plusSeconds(100);
        deliver(rec.at(A, 2, t, new FundsDeposited(A, m("50.50"), m("50.50"), "d")),
                rec.at(A, 4, t.plusSeconds(2), new TransferDebitRolledBack(A, m("20.00"), m("50.50"), "t")),
                rec.at(A, 3, t.plusSeconds(1), new TransferDebited(A, "999999", m("20.00"), m("30.50"), "t")),
                rec.at(A, 6, t.plusSeconds(3), new TransferCredited(A, B, m("1.00"), m("51.50"), "c")),
                rec.at(A, 5, t.plusSeconds(3), new FundsWithdrawn(A, m("1.00"), m("49.50"), "w")),
                rec.at(A, 7, t.plusSeconds(4), new RequestDebited(A, B, m("2.00"), m("48.50"), "r")),
                rec.at(A, 8, t.plusSeconds(5), new RequestDebitRolledBack(A, B, m("2.00"), m("50.50"), "r")),
                rec.at(A, 9, t.plusSeconds(6), new RequestCredited(A, m("3.00"), m("53.50"), "q")),
                rec.at(A, 10, t.plusSeconds(7), new DebtForgiven(A, m("1.00"), "f")),
                rec.at(B, 2, t, new FundsDeposited(B, m("9.00"), m("9.00"), "other")));
        List<LedgerEntry> ledger = queries.accountLedger(A);
        assertThat(ledger).extracting(e -> e.transactionType() + " " + e.amount().toPlainString() + " " + e.transactionId())
                .containsExactly("deposit 50.50 d", "transfer_debit -20.00 t", "transfer_debit_rollback 20.00 t",
                        "withdrawal -1.00 w", "transfer_credit 1.00 c", "request_debit -2.00 r",
                        "request_debit_rollback 2.00 r", "request_credit 3.00 q", "debt_forgiveness 1.00 f");
        assertThat(ledger.getFirst().initiatedAt()).isEqualTo(t);
    }

    @Test
    @DisplayName("§9 AccountLedger: also returned for deleted accounts; empty for unknown ones")
    void ledgerDeletedAndUnknown() {
        account(A, "HSPBC");
        deliver(rec.of(A, 2, new FundsDeposited(A, m("5.00"), m("5.00"), "d")), rec.of(A, 3, new AccountDeleted(A)));
        assertThat(queries.accountLedger(A)).hasSize(1);
        assertThat(queries.accountLedger("000077")).isEmpty();
    }

    @Test
    @Tag("W6")
    @DisplayName("W6, §12 bug 8: account ids are bound parameters, never SQL text")
    void idsAreBound() {
        account(A, "HSPBC");
        deliver(rec.of(A, 2, new FundsDeposited(A, m("5.00"), m("5.00"), "d")));
        String injection = "000001' OR '1'='1";
        assertThat(queries.accountLedger(injection)).isEmpty();
        assertThat(queries.accountSummary(injection)).isEmpty();
        assertThat(queries.accountLedger(A)).hasSize(1);
        assertThat(queries.accountSummary(A)).isPresent();
    }

    @Test
    @Tag("W9")
    @DisplayName("W9: money totals of the read models add up when nothing is in flight")
    void moneyTotals() {
        account(A, "HSPBC");
        account(B, "Natalie");
        deliver(rec.of(A, 2, new FundsDeposited(A, m("50.50"), m("50.50"), "d")),
                rec.of(B, 2, new FundsWithdrawn(B, m("50.00"), m("-50.00"), "w")),
                rec.of(B, 3, new DebtForgiven(B, m("50.00"), "f")),
                rec.of(A, 3, new TransferDebited(A, B, m("1.00"), m("49.50"), "t")));
        MoneyTotals inFlight = queries.moneyTotals();
        assertThat(inFlight.conserved()).isFalse(); // the transfer is in flight (W8)
        deliver(rec.of(B, 4, new TransferCredited(B, A, m("1.00"), m("1.00"), "t")));
        MoneyTotals settled = queries.moneyTotals();
        assertThat(settled.balances()).isEqualTo(m("50.50"));
        assertThat(settled.deposits()).isEqualTo(m("50.50"));
        assertThat(settled.withdrawals()).isEqualTo(m("50.00"));
        assertThat(settled.debtsForgiven()).isEqualTo(m("50.00"));
        assertThat(settled.conserved()).isTrue();
    }
}
