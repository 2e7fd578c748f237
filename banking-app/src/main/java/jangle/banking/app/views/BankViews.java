package jangle.banking.app.views;

import jangle.Event;
import jangle.EventRecord;
import jangle.Projection;
import jangle.banking.AccountCreated;
import jangle.banking.AccountDeleted;
import jangle.banking.AccountIdProvisioned;
import jangle.banking.AccountNameChanged;
import jangle.banking.BankEvent;
import jangle.banking.DebtForgiven;
import jangle.banking.FundsDeposited;
import jangle.banking.FundsWithdrawn;
import jangle.banking.Money;
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
import jangle.jdbc.JdbcDatabase;
import jangle.jdbc.SqlBatch;
import jangle.jdbc.SqlDialect;
import jangle.jdbc.VersionedUpsert;
import jangle.spi.StoreTransaction;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code bank-views} projection (banking.md §8): subscribed to every {@link BankEvent} except
 * {@link AccountIdProvisioned}, it writes every table an event touches in one transaction, through versioned
 * upserts only (§11), so that any order and any number of deliveries converge to the same rows (W5, R5).
 *
 * <ul>
 *   <li>Account columns of {@code bank_summary} are versioned by the event's aggregate version: a late or repeated
 *       event never overwrites a newer value, so a deleted account never comes back.</li>
 *   <li>State columns of {@code transfers} and {@code transfer_requests} are versioned by the state's rank (V3):
 *       no state goes backwards.</li>
 *   <li>Write-once facts (amounts, the other account, the timeout) are filled when still null; one-row-per-event
 *       tables are insert-only, keyed by event id.</li>
 *   <li>Money is integer cents, converted exactly by {@link Money#toCents}; never floating point.</li>
 * </ul>
 *
 * A batch ({@link #handleBatch}) is one transaction (R3): the store's own, shared with the checkpoint, when the views
 * live in the event store's database (D18), else a transaction of its own. The projection holds no state besides the database handle,
 * so one instance serves live dispatch and replays at once (R4).
 */
public final class BankViews implements Projection<BankEvent> {
    /** The projection's handler name; query handlers name it in {@code readsFrom} (Q4). */
    public static final String NAME = "bank-views";

    /** The tables this projection writes, cleared by {@link #reset()}; the lookup tables are never cleared. */
    public static final List<String> VIEW_TABLES = List.of("bank_summary", "transactions", "transfers",
            "transfer_requests", "deposits", "withdrawals", "debts_forgiven");

    /** Every bank event but {@link AccountIdProvisioned}: the creation aggregate's counter has no read model. */
    private static final Set<Class<? extends BankEvent>> EVENT_TYPES = Set.of(AccountCreated.class,
            AccountNameChanged.class, AccountDeleted.class, FundsDeposited.class, FundsWithdrawn.class,
            DebtForgiven.class, TransferDebited.class, TransferCredited.class, TransferDebitRolledBack.class,
            RequestCreated.class, RequestReceived.class, RequestApproved.class, RequestRejected.class,
            RequestRejectionReceived.class, RequestDebited.class, RequestDebitRolledBack.class, RequestCredited.class);

    private final JdbcDatabase db;
    private final SqlDialect dialect;
    private final ViewGeneration generation;
    private final String summaryTable;
    private final String transactionsTable;
    private final String transfersTable;
    private final String requestsTable;
    private final String depositsTable;
    private final String withdrawalsTable;
    private final String forgivenTable;

    /** The projection over the live tables: the one registered for dispatch and read by the queries. */
    public BankViews(JdbcDatabase db) {
        this(db, ViewGeneration.LIVE);
    }

    /** The same projection writing {@code generation}'s tables: a rebuild fills {@link ViewGeneration#NEXT} (R6). */
    public BankViews(JdbcDatabase db, ViewGeneration generation) {
        this.db = db;
        this.dialect = db.dialect();
        this.generation = generation;
        this.summaryTable = generation.table("bank_summary");
        this.transactionsTable = generation.table("transactions");
        this.transfersTable = generation.table("transfers");
        this.requestsTable = generation.table("transfer_requests");
        this.depositsTable = generation.table("deposits");
        this.withdrawalsTable = generation.table("withdrawals");
        this.forgivenTable = generation.table("debts_forgiven");
    }

    /** The classpath resource holding the schema of {@code dialect}. */
    public static String schemaResource(SqlDialect dialect) {
        return "jangle/banking/views/" + dialect.name().toLowerCase(Locale.ROOT) + ".sql";
    }

    /**
     * Creates the live tables and fills the lookup tables; idempotent, safe on every start. A rebuild's leftover next
     * generation (after a crash) is left alone: its tables and index names never collide with the live ones (R7).
     */
    public void createSchema() {
        db.executeScript(schemaResource(dialect), ViewGeneration.LIVE.identifiers());
    }

    /** The generation of tables this instance writes. */
    public ViewGeneration generation() {
        return generation;
    }

    public JdbcDatabase database() {
        return db;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Class<? extends BankEvent>> eventTypes() {
        return EVENT_TYPES;
    }

    @Override
    public void handle(EventRecord<? extends BankEvent> record) {
        handleBatch(List.of(record));
    }

    @Override
    public void handleBatch(List<EventRecord<? extends BankEvent>> records) {
        if (records.isEmpty()) return;
        SqlBatch batch = new SqlBatch(); // the upserts converge in any order (V3), so they may be regrouped
        for (EventRecord<? extends BankEvent> r : records) write(batch, r);
        db.inTransaction(batch::execute);
    }

    /**
     * Writes the batch in the store's transaction {@code tx} when that transaction is on this projection's own
     * database, so the view rows commit or roll back together with the checkpoint (D18: exactly-once in effect).
     * The store says which database it is by {@code tx.unwrap(JdbcDatabase.class)}; the identity check ({@code ==})
     * keeps a view database separate from the event store's out of the store's transaction. Anywhere else (another
     * database, the in-memory store, a store that lends no connection) it falls back to {@link #handleBatch(List)}:
     * its own transaction, committed before the checkpoint, so a crash between the two repeats the batch, which the
     * versioned upserts absorb (at-least-once, idempotent).
     */
    @Override
    public void handleBatch(List<EventRecord<? extends BankEvent>> records, StoreTransaction tx) throws SQLException {
        if (records.isEmpty()) return;
        Optional<JdbcDatabase> storeDb = tx.unwrap(JdbcDatabase.class);
        if (storeDb.isEmpty() || storeDb.get() != db) {
            handleBatch(records);
            return;
        }
        Connection c = tx.unwrap(Connection.class).orElseThrow(() -> new IllegalStateException(
                "the store lent its JdbcDatabase but no Connection for " + NAME + "'s batch"));
        SqlBatch batch = new SqlBatch();
        for (EventRecord<? extends BankEvent> r : records) write(batch, r);
        batch.execute(c); // no commit here: the store commits it with the checkpoint
    }

    /**
     * The records of {@code feed} that carry bank events, typed for {@link #handleBatch}: for callers that read the raw
     * feed themselves (the rebuild check), where other families may appear. Live dispatch and replay need no filter.
     */
    @SuppressWarnings("unchecked")
    public static List<EventRecord<? extends BankEvent>> bankEvents(List<EventRecord<?>> feed) {
        List<EventRecord<? extends BankEvent>> out = new java.util.ArrayList<>(feed.size());
        for (EventRecord<?> r : feed) {
            if (r.event() instanceof BankEvent) out.add((EventRecord<? extends BankEvent>) r);
        }
        return out;
    }

    /**
     * Writes {@code records} on {@code connection}, a transaction the caller owns and commits: the rebuild's swap
     * applies the last events to the next generation in the transaction that switches it in (R6).
     */
    void write(Connection connection, List<EventRecord<? extends BankEvent>> records) throws SQLException {
        if (records.isEmpty()) return;
        SqlBatch batch = new SqlBatch();
        for (EventRecord<? extends BankEvent> r : records) write(batch, r);
        batch.execute(connection);
    }

    @Override
    public void reset() {
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                for (String table : VIEW_TABLES) s.executeUpdate("DELETE FROM " + generation.table(table));
            }
            return null;
        });
    }

    /** Adds the upsert of every row one event touches (the writer table of §8) to {@code batch}. */
    void write(SqlBatch batch, EventRecord<? extends BankEvent> r) {
        String account = r.aggregateId();
        long v = r.version();
        switch (r.event()) {
            case AccountIdProvisioned e -> {
                // not subscribed: the creation aggregate's counter has no read model
            }
            case AccountCreated e -> exec(batch, summary(account)
                    .versioned("name", e.name(), "name_version", v)
                    .versioned("balance_cents", 0L, "balance_version", v)
                    .versioned("is_deleted", 0, "deleted_version", v));
            case AccountNameChanged e -> exec(batch, summary(account).versioned("name", e.name(), "name_version", v));
            case AccountDeleted e -> exec(batch, summary(account).versioned("is_deleted", 1, "deleted_version", v));
            case FundsDeposited e -> {
                exec(batch, balance(account, v, e.balance()));
                exec(batch, transaction(r, e.transactionId(), e.amount(), TransactionType.DEPOSIT));
                exec(batch, movement(depositsTable, r, e.transactionId(), e.amount()));
            }
            case FundsWithdrawn e -> {
                exec(batch, balance(account, v, e.balance()));
                exec(batch, transaction(r, e.transactionId(), e.amount(), TransactionType.WITHDRAWAL));
                exec(batch, movement(withdrawalsTable, r, e.transactionId(), e.amount()));
            }
            case DebtForgiven e -> {
                exec(batch, balance(account, v, BigDecimal.ZERO));
                exec(batch, transaction(r, e.transactionId(), e.amount(), TransactionType.DEBT_FORGIVENESS));
                exec(batch, movement(forgivenTable, r, e.transactionId(), e.amount()));
            }
            case TransferDebited e -> {
                exec(batch, balance(account, v, e.balance()));
                exec(batch, transaction(r, e.transactionId(), e.amount(), TransactionType.TRANSFER_DEBIT));
                exec(batch, transfer(e.fundingAccountId(), e.transactionId())
                        .fillIfNull("funded_account", e.fundedAccountId())
                        .fillIfNull("amount_cents", cents(e.amount()))
                        .versioned("state", TransactionState.TRANSFER_DEBIT.code(), "state_rank",
                                TransactionState.TRANSFER_DEBIT.rank()));
            }
            case TransferCredited e -> {
                exec(batch, balance(account, v, e.balance()));
                exec(batch, transaction(r, e.transactionId(), e.amount(), TransactionType.TRANSFER_CREDIT));
                exec(batch, transfer(e.fundingAccountId(), e.transactionId())
                        .fillIfNull("funded_account", e.fundedAccountId())
                        .fillIfNull("amount_cents", cents(e.amount()))
                        .versioned("state", TransactionState.TRANSFER_CREDIT.code(), "state_rank",
                                TransactionState.TRANSFER_CREDIT.rank()));
            }
            case TransferDebitRolledBack e -> {
                exec(batch, balance(account, v, e.balance()));
                exec(batch, transaction(r, e.transactionId(), e.amount(), TransactionType.TRANSFER_DEBIT_ROLLBACK));
                // state 11, not 9: the original wrote "debited" for a rollback (banking.md §8, §12 item 5)
                exec(batch, transfer(e.fundingAccountId(), e.transactionId())
                        .fillIfNull("amount_cents", cents(e.amount()))
                        .versioned("state", TransactionState.TRANSFER_DEBIT_ROLLBACK.code(), "state_rank",
                                TransactionState.TRANSFER_DEBIT_ROLLBACK.rank()));
            }
            case RequestCreated e -> exec(batch, request(e.fundedAccountId(), e.transactionId())
                    .fillIfNull("funding_account", e.fundingAccountId())
                    .fillIfNull("amount_cents", cents(e.amount()))
                    .fillIfNull("timeout_at", e.timeoutAt())
                    .versioned("state", TransactionState.REQUEST_SENT.code(), "state_rank",
                            TransactionState.REQUEST_SENT.rank()));
            case RequestReceived e -> exec(batch, request(e.fundedAccountId(), e.transactionId())
                    .fillIfNull("funding_account", e.fundingAccountId())
                    .fillIfNull("amount_cents", cents(e.amount()))
                    .fillIfNull("timeout_at", e.timeoutAt())
                    .versioned("state", TransactionState.REQUEST_RECEIVED.code(), "state_rank",
                            TransactionState.REQUEST_RECEIVED.rank()));
            case RequestRejected e -> exec(batch, request(e.fundedAccountId(), e.transactionId())
                    .fillIfNull("funding_account", e.fundingAccountId())
                    .versioned("state", TransactionState.REQUEST_REJECTED.code(), "state_rank",
                            TransactionState.REQUEST_REJECTED.rank()));
            case RequestApproved e -> exec(batch, request(e.fundedAccountId(), e.transactionId())
                    .fillIfNull("funding_account", e.fundingAccountId())
                    .versioned("state", TransactionState.REQUEST_ACCEPTED.code(), "state_rank",
                            TransactionState.REQUEST_ACCEPTED.rank()));
            case RequestRejectionReceived e -> exec(batch, request(e.fundedAccountId(), e.transactionId())
                    .versioned("state", TransactionState.REJECTION_RECEIVED.code(), "state_rank",
                            TransactionState.REJECTION_RECEIVED.rank()));
            case RequestDebited e -> {
                exec(batch, balance(account, v, e.balance()));
                exec(batch, transaction(r, e.transactionId(), e.amount(), TransactionType.REQUEST_DEBIT));
                exec(batch, request(e.fundedAccountId(), e.transactionId())
                        .fillIfNull("funding_account", e.fundingAccountId())
                        .fillIfNull("amount_cents", cents(e.amount()))
                        .versioned("state", TransactionState.REQUEST_DEBITED.code(), "state_rank",
                                TransactionState.REQUEST_DEBITED.rank()));
            }
            case RequestCredited e -> {
                exec(batch, balance(account, v, e.balance()));
                exec(batch, transaction(r, e.transactionId(), e.amount(), TransactionType.REQUEST_CREDIT));
                exec(batch, request(e.fundedAccountId(), e.transactionId())
                        .fillIfNull("amount_cents", cents(e.amount()))
                        .versioned("state", TransactionState.REQUEST_CREDITED.code(), "state_rank",
                                TransactionState.REQUEST_CREDITED.rank()));
            }
            case RequestDebitRolledBack e -> {
                exec(batch, balance(account, v, e.balance()));
                exec(batch, transaction(r, e.transactionId(), e.amount(), TransactionType.REQUEST_DEBIT_ROLLBACK));
                exec(batch, request(e.fundedAccountId(), e.transactionId())
                        .fillIfNull("funding_account", e.fundingAccountId())
                        .fillIfNull("amount_cents", cents(e.amount()))
                        .versioned("state", TransactionState.REQUEST_DEBIT_ROLLBACK.code(), "state_rank",
                                TransactionState.REQUEST_DEBIT_ROLLBACK.rank()));
            }
        }
    }

    private void exec(SqlBatch batch, VersionedUpsert upsert) {
        batch.add(upsert.build(dialect));
    }

    private static long cents(BigDecimal amount) {
        return Money.toCents(amount);
    }

    private VersionedUpsert summary(String account) {
        return VersionedUpsert.into(summaryTable).key("account_id", account);
    }

    private VersionedUpsert balance(String account, long version, BigDecimal balance) {
        return summary(account).versioned("balance_cents", cents(balance), "balance_version", version);
    }

    private VersionedUpsert transaction(EventRecord<?> r, String tx, BigDecimal amount, TransactionType type) {
        return VersionedUpsert.into(transactionsTable)
                .key("event_id", r.eventId().toString())
                .fillIfNull("transaction_id", tx)
                .fillIfNull("account_id", r.aggregateId())
                .fillIfNull("version", r.version())
                .fillIfNull("initiated_at", r.createdAt())
                .fillIfNull("amount_cents", cents(amount))
                .fillIfNull("transaction_type", type.code())
                .insertOnly();
    }

    private static VersionedUpsert movement(String table, EventRecord<?> r, String tx, BigDecimal amount) {
        return VersionedUpsert.into(table)
                .key("event_id", r.eventId().toString())
                .fillIfNull("transaction_id", tx)
                .fillIfNull("account_id", r.aggregateId())
                .fillIfNull("amount_cents", cents(amount))
                .insertOnly();
    }

    private VersionedUpsert transfer(String fundingAccount, String tx) {
        return VersionedUpsert.into(transfersTable).key("funding_account", fundingAccount).key("transaction_id", tx);
    }

    private VersionedUpsert request(String fundedAccount, String tx) {
        return VersionedUpsert.into(requestsTable).key("funded_account", fundedAccount).key("transaction_id", tx);
    }
}
