package jangle.banking.app.views;

import jangle.EventRecord;
import jangle.banking.AccountCreated;
import jangle.banking.AccountDeleted;
import jangle.banking.AccountIdProvisioned;
import jangle.banking.AccountNameChanged;
import jangle.banking.BankEvent;
import jangle.banking.DebtForgiven;
import jangle.banking.FundsDeposited;
import jangle.banking.FundsWithdrawn;
import jangle.banking.RequestApproved;
import jangle.banking.RequestCreated;
import jangle.banking.RequestCredited;
import jangle.banking.RequestDebitRolledBack;
import jangle.banking.RequestDebited;
import jangle.banking.RequestReceived;
import jangle.banking.RequestRejected;
import jangle.banking.RequestRejectionReceived;
import jangle.banking.TransferCredited;
import jangle.banking.TransferDebitRolledBack;
import jangle.banking.TransferDebited;
import jangle.banking.app.testsupport.Records;
import jangle.jdbc.JdbcDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The writer table of banking.md §8, row by row, against a real database of one dialect (subclasses). Events are
 * delivered directly to the projection, in order and out of order, as dispatch and replay may do (D5, D6).
 */
abstract class BankViewsContract {
    static final String A = "000001";
    static final String B = "000002";
    static final Instant TIMEOUT = Instant.parse("2026-03-01T10:30:00Z");

    protected JdbcDatabase db;
    protected BankViews views;
    protected final Records rec = new Records();

    protected abstract JdbcDatabase newDatabase() throws Exception;

    /** Makes every insert into {@code table} fail, to prove a batch is one transaction (R3). */
    protected abstract void installFailingTrigger(String table);

    @BeforeEach
    void openViews() throws Exception {
        db = newDatabase();
        views = new BankViews(db);
        views.createSchema();
    }

    @AfterEach
    void closeDatabase() {
        if (db != null) db.close();
    }

    static BigDecimal m(String text) {
        return new BigDecimal(text);
    }

    void deliver(EventRecord<?>... records) {
        for (EventRecord<?> r : records) views.handleBatch(BankViews.bankEvents(List.of(r)));
    }

    /** Calls made on the connection lent by {@link #lent}: proof that the batch used it. */
    final java.util.concurrent.atomic.AtomicInteger lentCalls = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * A store transaction as the JDBC store lends it (D18): the database it belongs to and its connection, wrapped to
     * count the calls made on it (on SQLite a nested {@code inTransaction} would join the open transaction anyway, so
     * only the count tells the lent connection from the projection's own transaction).
     */
    jangle.spi.StoreTransaction lent(JdbcDatabase database, java.sql.Connection connection) {
        java.sql.Connection counted = (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[]{java.sql.Connection.class}, (proxy, method, args) -> {
                    lentCalls.incrementAndGet();
                    try {
                        return method.invoke(connection, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new jangle.spi.StoreTransaction() {
            @Override
            public <T> java.util.Optional<T> unwrap(Class<T> type) {
                if (type == JdbcDatabase.class) return java.util.Optional.of(type.cast(database));
                if (type == java.sql.Connection.class) return java.util.Optional.of(type.cast(counted));
                return java.util.Optional.empty();
            }
        };
    }

    /** Thrown to roll a store transaction back after the batch ran in it. */
    static final class Rollback extends RuntimeException {
    }

    @Test
    @Tag("D18")
    @DisplayName("D18: on the store's own database the batch writes in the lent transaction: rolled back with it, "
            + "committed with it")
    void batchWritesInTheLentTransaction() {
        var batch = BankViews.bankEvents(List.of(rec.of(A, 1, new AccountCreated(A, "HSPBC")),
                rec.of(A, 2, new FundsDeposited(A, m("10.00"), m("10.00"), "t1"))));
        assertThatThrownBy(() -> db.inTransaction(c -> {
            views.handleBatch(batch, lent(db, c));
            throw new Rollback(); // as a checkpoint commit refused by a lost lease would
        })).isInstanceOf(Rollback.class);
        assertThat(lentCalls.get()).as("the batch ran on the lent connection").isPositive();
        assertThat(rows("bank_summary")).as("the view rows rolled back with the store transaction").isEmpty();
        assertThat(rows("deposits")).isEmpty();
        db.inTransaction(c -> {
            views.handleBatch(batch, lent(db, c));
            return null;
        });
        assertThat(rows("bank_summary")).singleElement()
                .satisfies(r -> assertThat(r).containsEntry("balance_cents", 1000L));
        assertThat(rows("deposits")).hasSize(1);
    }

    @Test
    @Tag("D18")
    @DisplayName("D18: a transaction of another database, or none, is not used: the batch commits on its own "
            + "(at-least-once, idempotent)")
    void batchOfAnotherDatabaseCommitsOnItsOwn() throws Exception {
        var batch = BankViews.bankEvents(List.of(rec.of(A, 1, new AccountCreated(A, "HSPBC"))));
        try (JdbcDatabase other = JdbcDatabase.open("jdbc:sqlite::memory:", null, null)) { // another store
            assertThatThrownBy(() -> other.inTransaction(c -> {
                views.handleBatch(batch, lent(other, c));
                throw new Rollback();
            })).isInstanceOf(Rollback.class);
        }
        assertThat(lentCalls.get()).as("another database's connection is not used").isZero();
        assertThat(rows("bank_summary")).as("written in the views' own transaction").hasSize(1);
        views.handleBatch(batch, jangle.spi.StoreTransaction.NONE); // again, as after a crash: no change
        assertThat(rows("bank_summary")).hasSize(1);
    }

    List<Map<String, Object>> rows(String table) {
        ViewTables.Table t = ViewTables.table(table);
        List<Map<String, Object>> result = new ArrayList<>();
        for (List<Object> row : ViewTables.dump(db).get(table)) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < t.columns().size(); i++) m.put(t.columns().get(i), row.get(i));
            result.add(m);
        }
        return result;
    }

    Map<String, Object> row(String table, String key) {
        ViewTables.Table t = ViewTables.table(table);
        return rows(table).stream()
                .filter(r -> String.join("/", t.keys().stream().map(k -> String.valueOf(r.get(k))).toList()).equals(key))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + key + " in " + table));
    }

    Map<String, Object> only(String table) {
        assertThat(rows(table)).hasSize(1);
        return rows(table).getFirst();
    }

    @Test
    @DisplayName("§8 lookups: the fixed codes of transaction_types and transaction_states (with ranks); schema creation is idempotent")
    void lookupTables() {
        views.createSchema();
        views.createSchema();
        assertThat(rows("transaction_types")).extracting(r -> r.get("value") + "=" + r.get("description"))
                .containsExactlyInAnyOrder("1=deposit", "2=withdrawal", "3=transfer_debit",
                        "4=transfer_debit_rollback", "5=transfer_credit", "6=request_debit",
                        "7=request_debit_rollback", "8=request_credit", "9=debt_forgiveness");
        assertThat(rows("transaction_states"))
                .extracting(r -> r.get("value") + "=" + r.get("description") + "@" + r.get("state_rank"))
                .containsExactlyInAnyOrder("1=request_sent@1", "2=request_received@2", "3=request_rejected@3",
                        "4=request_accepted@3", "5=rejection_received@4", "6=request_debited@4",
                        "7=request_credited@5", "8=request_debit_rollback@5", "9=transfer_debit@1",
                        "10=transfer_credit@2", "11=transfer_debit_rollback@2");
        for (TransactionState s : TransactionState.values()) {
            assertThat(row("transaction_states", String.valueOf(s.code())))
                    .containsEntry("description", s.description()).containsEntry("state_rank", (long) s.rank());
        }
    }

    @Test
    @DisplayName("§8 AccountCreated: name, balance 0 and is_deleted 0, each versioned by the event's version")
    void accountCreated() {
        deliver(rec.of(A, 1, new AccountCreated(A, "HSPBC")));
        assertThat(only("bank_summary")).containsEntry("account_id", A).containsEntry("name", "HSPBC")
                .containsEntry("name_version", 1L).containsEntry("balance_cents", 0L)
                .containsEntry("balance_version", 1L).containsEntry("is_deleted", 0L)
                .containsEntry("deleted_version", 1L);
    }

    @Test
    @Tag("V3")
    @Tag("W5")
    @DisplayName("§8 AccountNameChanged: name @v; a late, older name never overwrites a newer one (V3, W5)")
    void nameChanged() {
        EventRecord<?> created = rec.of(A, 1, new AccountCreated(A, "HSPBC"));
        EventRecord<?> renamed = rec.of(A, 5, new AccountNameChanged(A, "Natalie Smith"));
        deliver(renamed, created, renamed);
        assertThat(only("bank_summary")).containsEntry("name", "Natalie Smith").containsEntry("name_version", 5L)
                .containsEntry("balance_cents", 0L);
    }

    @Test
    @Tag("V4")
    @Tag("W5")
    @DisplayName("W5, V4: AccountDeleted delivered before AccountCreated keeps the account deleted; it never comes back")
    void deletedNeverComesBack() {
        EventRecord<?> created = rec.of(A, 1, new AccountCreated(A, "HSPBC"));
        EventRecord<?> deposited = rec.of(A, 2, new FundsDeposited(A, m("10.00"), m("10.00"), "t1"));
        EventRecord<?> deleted = rec.of(A, 3, new AccountDeleted(A));
        deliver(deleted);
        assertThat(only("bank_summary")).containsEntry("is_deleted", 1L).containsEntry("deleted_version", 3L)
                .containsEntry("name", null).containsEntry("balance_cents", null);
        deliver(created, deposited, created);
        assertThat(only("bank_summary")).containsEntry("is_deleted", 1L).containsEntry("deleted_version", 3L)
                .containsEntry("name", "HSPBC").containsEntry("balance_cents", 1000L)
                .containsEntry("balance_version", 2L);
    }

    @Test
    @Tag("D6")
    @DisplayName("§8 FundsDeposited: balance @v, a transactions row (type 1) and a deposits row; a repeat adds nothing (D6)")
    void fundsDeposited() {
        EventRecord<?> r = rec.of(A, 2, new FundsDeposited(A, m("50.50"), m("150.50"), "tx-1"));
        deliver(r, r);
        assertThat(only("bank_summary")).containsEntry("balance_cents", 15050L).containsEntry("balance_version", 2L);
        assertThat(only("transactions")).containsEntry("event_id", r.eventId().toString())
                .containsEntry("transaction_id", "tx-1").containsEntry("account_id", A).containsEntry("version", 2L)
                .containsEntry("initiated_at", r.createdAt()).containsEntry("amount_cents", 5050L)
                .containsEntry("transaction_type", 1L);
        assertThat(only("deposits")).containsEntry("event_id", r.eventId().toString())
                .containsEntry("transaction_id", "tx-1").containsEntry("account_id", A)
                .containsEntry("amount_cents", 5050L);
    }

    @Test
    @DisplayName("§8 a deposit id reused after the 1,000-entry memory gets its own row: one-row-per-event tables key by event id")
    void reusedDepositIdGetsOwnRow() {
        deliver(rec.of(A, 2, new FundsDeposited(A, m("1.00"), m("1.00"), "same")),
                rec.of(A, 3, new FundsDeposited(A, m("2.00"), m("3.00"), "same")));
        assertThat(rows("deposits")).hasSize(2);
        assertThat(rows("transactions")).hasSize(2);
    }

    @Test
    @DisplayName("§8 FundsWithdrawn: balance @v (may be negative), transactions type 2, a withdrawals row")
    void fundsWithdrawn() {
        EventRecord<?> r = rec.of(B, 3, new FundsWithdrawn(B, m("150.00"), m("-50.00"), "w-1"));
        deliver(r);
        assertThat(only("bank_summary")).containsEntry("balance_cents", -5000L).containsEntry("balance_version", 3L);
        assertThat(only("transactions")).containsEntry("transaction_type", 2L).containsEntry("amount_cents", 15000L)
                .containsEntry("account_id", B);
        assertThat(only("withdrawals")).containsEntry("amount_cents", 15000L).containsEntry("transaction_id", "w-1");
    }

    @Test
    @DisplayName("§8 DebtForgiven: balance 0 @v, transactions type 9 with the positive debt, a debts_forgiven row")
    void debtForgiven() {
        deliver(rec.of(B, 3, new FundsWithdrawn(B, m("150.00"), m("-50.00"), "w-1")),
                rec.of(B, 4, new DebtForgiven(B, m("50.00"), "f-1")));
        assertThat(only("bank_summary")).containsEntry("balance_cents", 0L).containsEntry("balance_version", 4L);
        assertThat(row("debts_forgiven", rows("debts_forgiven").getFirst().get("event_id").toString()))
                .containsEntry("amount_cents", 5000L).containsEntry("transaction_id", "f-1");
        assertThat(rows("transactions")).extracting(r -> r.get("transaction_type") + ":" + r.get("amount_cents"))
                .containsExactlyInAnyOrder("2:15000", "9:5000");
    }

    @Test
    @DisplayName("§8 TransferDebited: funding balance @v, transactions type 3, transfers row with funded, amount and state 9 @rank 1")
    void transferDebited() {
        deliver(rec.of(A, 3, new TransferDebited(A, B, m("20.00"), m("30.50"), "t-1")));
        assertThat(only("bank_summary")).containsEntry("account_id", A).containsEntry("balance_cents", 3050L);
        assertThat(only("transactions")).containsEntry("transaction_type", 3L).containsEntry("account_id", A)
                .containsEntry("amount_cents", 2000L);
        assertThat(only("transfers")).containsEntry("funding_account", A).containsEntry("transaction_id", "t-1")
                .containsEntry("funded_account", B).containsEntry("amount_cents", 2000L).containsEntry("state", 9L)
                .containsEntry("state_rank", 1L);
    }

    @Test
    @DisplayName("§8 TransferCredited: funded balance @v, transactions type 5 on the funded account, state 10 @rank 2 on (funding, tx)")
    void transferCredited() {
        EventRecord<?> debit = rec.of(A, 5, new TransferDebited(A, B, m("19.00"), m("31.50"), "t-2"));
        EventRecord<?> credit = rec.of(B, 5, new TransferCredited(B, A, m("19.00"), m("19.00"), "t-2"));
        deliver(credit, debit);
        assertThat(row("bank_summary", B)).containsEntry("balance_cents", 1900L).containsEntry("balance_version", 5L);
        assertThat(row("bank_summary", A)).containsEntry("balance_cents", 3150L);
        assertThat(rows("transactions")).extracting(r -> r.get("account_id") + ":" + r.get("transaction_type"))
                .containsExactlyInAnyOrder(A + ":3", B + ":5");
        assertThat(only("transfers")).containsEntry("funding_account", A).containsEntry("funded_account", B)
                .containsEntry("amount_cents", 1900L).containsEntry("state", 10L).containsEntry("state_rank", 2L);
    }

    @Test
    @DisplayName("§8, §12 bug 5: TransferDebitRolledBack writes state 11 (the original wrote 9), type 4; a late debit never turns it back")
    void transferRolledBack() {
        EventRecord<?> debit = rec.of(A, 3, new TransferDebited(A, "999999", m("20.00"), m("30.50"), "t-3"));
        EventRecord<?> rollback = rec.of(A, 4, new TransferDebitRolledBack(A, m("20.00"), m("50.50"), "t-3"));
        deliver(rollback);
        assertThat(only("transfers")).containsEntry("state", 11L).containsEntry("state_rank", 2L)
                .containsEntry("amount_cents", 2000L).containsEntry("funded_account", null);
        deliver(debit, rollback);
        assertThat(only("transfers")).containsEntry("state", 11L).containsEntry("funded_account", "999999");
        assertThat(only("bank_summary")).containsEntry("balance_cents", 5050L).containsEntry("balance_version", 4L);
        assertThat(rows("transactions")).extracting(r -> r.get("transaction_type"))
                .containsExactlyInAnyOrder(3L, 4L);
    }

    @Test
    @Tag("B30")
    @DisplayName("B30, §8: two accounts using one transaction id towards a third account get separate transfer and request rows")
    void sameTransactionIdTwoAccounts() {
        String c = "000003";
        deliver(rec.of(A, 2, new TransferDebited(A, c, m("1.00"), m("-1.00"), "dup")),
                rec.of(B, 2, new TransferDebited(B, c, m("2.00"), m("-2.00"), "dup")),
                rec.of(A, 3, new RequestCreated(A, c, m("3.00"), "dup", TIMEOUT)),
                rec.of(B, 3, new RequestCreated(B, c, m("4.00"), "dup", TIMEOUT)));
        assertThat(rows("transfers")).extracting(r -> r.get("funding_account") + ":" + r.get("amount_cents"))
                .containsExactlyInAnyOrder(A + ":100", B + ":200");
        assertThat(rows("transfer_requests")).extracting(r -> r.get("funded_account") + ":" + r.get("amount_cents"))
                .containsExactlyInAnyOrder(A + ":300", B + ":400");
    }

    @Test
    @DisplayName("§8 RequestCreated then RequestReceived: funding, amount, timeout filled; state 1 then 2, and never back to 1")
    void requestCreatedAndReceived() {
        EventRecord<?> created = rec.of(A, 6, new RequestCreated(A, B, m("15.43"), "r-1", TIMEOUT));
        EventRecord<?> received = rec.of(B, 6, new RequestReceived(A, B, m("15.43"), "r-1", TIMEOUT));
        deliver(created);
        assertThat(only("transfer_requests")).containsEntry("funded_account", A).containsEntry("transaction_id", "r-1")
                .containsEntry("funding_account", B).containsEntry("amount_cents", 1543L)
                .containsEntry("timeout_at", TIMEOUT).containsEntry("state", 1L).containsEntry("state_rank", 1L);
        deliver(received, created);
        assertThat(only("transfer_requests")).containsEntry("state", 2L).containsEntry("state_rank", 2L);
        assertThat(rows("bank_summary")).isEmpty();
        assertThat(rows("transactions")).isEmpty();
    }

    @Test
    @DisplayName("§8 RequestApproved / RequestRejected: funding filled, state 4 / 3 @rank 3")
    void approvedAndRejected() {
        deliver(rec.of(B, 7, new RequestApproved(B, A, "r-ok")), rec.of(B, 8, new RequestRejected(B, A, "r-no")));
        assertThat(row("transfer_requests", A + "/r-ok")).containsEntry("funding_account", B)
                .containsEntry("state", 4L).containsEntry("state_rank", 3L).containsEntry("amount_cents", null);
        assertThat(row("transfer_requests", A + "/r-no")).containsEntry("funding_account", B)
                .containsEntry("state", 3L).containsEntry("state_rank", 3L);
    }

    @Test
    @Tag("V4")
    @Tag("W5")
    @DisplayName("V4, W5: RequestRejectionReceived first creates the row with state 5 only; earlier states fill facts but stay behind")
    void rejectionReceivedFirst() {
        deliver(rec.of(A, 10, new RequestRejectionReceived(A, "r-2")));
        assertThat(only("transfer_requests")).containsEntry("state", 5L).containsEntry("state_rank", 4L)
                .containsEntry("funding_account", null).containsEntry("amount_cents", null)
                .containsEntry("timeout_at", null);
        deliver(rec.of(B, 9, new RequestRejected(B, A, "r-2")),
                rec.of(A, 9, new RequestCreated(A, B, m("1000.00"), "r-2", TIMEOUT)),
                rec.of(B, 8, new RequestReceived(A, B, m("1000.00"), "r-2", TIMEOUT)));
        assertThat(only("transfer_requests")).containsEntry("state", 5L).containsEntry("funding_account", B)
                .containsEntry("amount_cents", 100000L).containsEntry("timeout_at", TIMEOUT);
    }

    @Test
    @DisplayName("§8 RequestDebited: funding balance @v, transactions type 6, state 6 @rank 4")
    void requestDebited() {
        deliver(rec.of(B, 8, new RequestDebited(B, A, m("15.43"), m("3.57"), "r-3")));
        assertThat(only("bank_summary")).containsEntry("account_id", B).containsEntry("balance_cents", 357L)
                .containsEntry("balance_version", 8L);
        assertThat(only("transactions")).containsEntry("transaction_type", 6L).containsEntry("account_id", B)
                .containsEntry("amount_cents", 1543L);
        assertThat(only("transfer_requests")).containsEntry("funded_account", A).containsEntry("funding_account", B)
                .containsEntry("amount_cents", 1543L).containsEntry("state", 6L).containsEntry("state_rank", 4L);
    }

    @Test
    @DisplayName("§8 RequestCredited: funded balance @v, transactions type 8, state 7 @rank 5 (a late debit stays behind)")
    void requestCredited() {
        deliver(rec.of(A, 7, new RequestCredited(A, m("15.43"), m("46.93"), "r-4")),
                rec.of(B, 8, new RequestDebited(B, A, m("15.43"), m("3.57"), "r-4")));
        assertThat(row("bank_summary", A)).containsEntry("balance_cents", 4693L);
        assertThat(rows("transactions")).extracting(r -> r.get("account_id") + ":" + r.get("transaction_type"))
                .containsExactlyInAnyOrder(A + ":8", B + ":6");
        assertThat(only("transfer_requests")).containsEntry("state", 7L).containsEntry("state_rank", 5L)
                .containsEntry("funding_account", B);
    }

    @Test
    @DisplayName("§8 RequestDebitRolledBack: funding balance @v, transactions type 7, state 8 @rank 5")
    void requestDebitRolledBack() {
        deliver(rec.of(B, 16, new RequestDebitRolledBack(B, A, m("15.43"), m("3.57"), "r-5")),
                rec.of(B, 15, new RequestDebited(B, A, m("15.43"), m("-11.86"), "r-5")));
        assertThat(only("bank_summary")).containsEntry("balance_cents", 357L).containsEntry("balance_version", 16L);
        assertThat(rows("transactions")).extracting(r -> r.get("transaction_type")).containsExactlyInAnyOrder(6L, 7L);
        assertThat(only("transfer_requests")).containsEntry("state", 8L).containsEntry("state_rank", 5L)
                .containsEntry("funding_account", B).containsEntry("amount_cents", 1543L);
    }

    @Test
    @DisplayName("§8, §12 bug 7: money is exact integer cents, never floating point, up to 1,000,000.00 and down to -100.00")
    void moneyAsIntegerCents() {
        deliver(rec.of(A, 2, new FundsDeposited(A, m("1000000.00"), m("1000000.00"), "big")),
                rec.of(B, 2, new FundsWithdrawn(B, m("100.00"), m("-100.00"), "floor")),
                rec.of("000003", 2, new FundsDeposited("000003", m("0.10"), m("0.30"), "tiny")));
        assertThat(row("bank_summary", A).get("balance_cents")).isEqualTo(100_000_000L);
        assertThat(row("bank_summary", B).get("balance_cents")).isEqualTo(-10_000L);
        assertThat(row("bank_summary", "000003").get("balance_cents")).isEqualTo(30L);
        assertThat(columnTypeOfBalance()).isIn("integer", "bigint");
    }

    /** The declared or stored type of bank_summary.balance_cents, lower case. */
    protected abstract String columnTypeOfBalance();

    @Test
    @DisplayName("§8 times: initiated_at is the event's createdAt, a UTC instant kept to the microsecond")
    void timesKeepMicroseconds() {
        Instant t = Instant.parse("2026-03-01T10:15:30.123456Z");
        deliver(rec.at(A, 2, t, new FundsDeposited(A, m("1.00"), m("1.00"), "micro")));
        assertThat(only("transactions").get("initiated_at")).isEqualTo(t);
    }

    @Test
    @DisplayName("§8: subscribed to every BankEvent except AccountIdProvisioned, which writes nothing")
    void subscriptions() {
        assertThat(views.name()).isEqualTo("bank-views");
        List<Class<?>> expected = Arrays.stream(BankEvent.class.getPermittedSubclasses())
                .filter(c -> c != AccountIdProvisioned.class).toList();
        assertThat(views.eventTypes()).doesNotContain(AccountIdProvisioned.class).hasSize(17);
        assertThat(expected).hasSize(17).allMatch(views.eventTypes()::contains);
        deliver(rec.of("ACCOUNT_CREATION_AGGREGATE", 1, new AccountIdProvisioned(A)));
        for (String table : BankViews.VIEW_TABLES) assertThat(rows(table)).as(table).isEmpty();
    }

    @Test
    @Tag("R2")
    @DisplayName("R2: reset() clears every view table and keeps the lookup tables")
    void resetClearsViews() {
        deliver(rec.of(A, 1, new AccountCreated(A, "HSPBC")),
                rec.of(A, 2, new FundsDeposited(A, m("5.00"), m("5.00"), "d")),
                rec.of(A, 3, new TransferDebited(A, B, m("1.00"), m("4.00"), "t")),
                rec.of(A, 4, new RequestCreated(A, B, m("1.00"), "r", TIMEOUT)));
        views.reset();
        for (String table : BankViews.VIEW_TABLES) assertThat(rows(table)).as(table).isEmpty();
        assertThat(rows("transaction_types")).hasSize(9);
        assertThat(rows("transaction_states")).hasSize(11);
    }

    @Test
    @Tag("R3")
    @DisplayName("R3: a batch is one transaction: when one write fails, no row of the batch is kept")
    void batchIsOneTransaction() {
        installFailingTrigger("withdrawals");
        List<EventRecord<?>> batch = List.of(rec.of(A, 1, new AccountCreated(A, "HSPBC")),
                rec.of(A, 2, new FundsDeposited(A, m("5.00"), m("5.00"), "d")),
                rec.of(A, 3, new FundsWithdrawn(A, m("1.00"), m("4.00"), "w")));
        assertThatThrownBy(() -> views.handleBatch(BankViews.bankEvents(batch))).isInstanceOf(RuntimeException.class);
        for (String table : BankViews.VIEW_TABLES) assertThat(rows(table)).as(table).isEmpty();
        views.handleBatch(BankViews.bankEvents(batch.subList(0, 2)));
        assertThat(rows("deposits")).hasSize(1);
    }
}
