package jangle.banking.app.testsupport;

import jangle.EventRecord;
import jangle.Projection;
import jangle.banking.AccountCreated;
import jangle.banking.AccountIdProvisioned;
import jangle.banking.BankEvent;
import jangle.banking.DebtForgiven;
import jangle.banking.FundsDeposited;
import jangle.banking.FundsWithdrawn;
import jangle.banking.Money;
import jangle.banking.RequestCredited;
import jangle.banking.RequestDebitRolledBack;
import jangle.banking.RequestDebited;
import jangle.banking.TransferCredited;
import jangle.banking.TransferDebitRolledBack;
import jangle.banking.TransferDebited;
import jangle.jdbc.JdbcDatabase;
import jangle.spi.StoreTransaction;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A projection that notices any reordering or repetition of an account's events (issue item 10, D17, D18): per
 * account it keeps the last version and {@code balance := event.balance}, and accepts only version = kept + 1. A gap
 * (a later event first) or a repeat (an event handled twice) is written to {@code order_violations} instead. It writes
 * through the store's transaction when the store lends its connection, so with its checkpoint a repeat is a fault too
 * (exactly-once); on a store that lends none it writes in its own transaction and repeats are tolerated.
 *
 * <p>{@link #expected} computes the same rows from the feed, so a test compares {@link #rows} with it.
 */
public final class OrderCheck implements Projection<BankEvent> {
    public static final String NAME = "order-check";
    private static final String SCHEMA = "jangle/banking/app/order-check.sql";

    /** Every account event: every bank event but the creation aggregate's counter. */
    private static final Set<Class<? extends BankEvent>> TYPES = Set.of(AccountCreated.class,
            jangle.banking.AccountNameChanged.class, jangle.banking.AccountDeleted.class, FundsDeposited.class,
            FundsWithdrawn.class, DebtForgiven.class, TransferDebited.class, TransferCredited.class,
            TransferDebitRolledBack.class, jangle.banking.RequestCreated.class, jangle.banking.RequestReceived.class,
            jangle.banking.RequestApproved.class, jangle.banking.RequestRejected.class,
            jangle.banking.RequestRejectionReceived.class, RequestDebited.class, RequestDebitRolledBack.class,
            RequestCredited.class);

    private volatile JdbcDatabase db;

    /**
     * Binds the database the application opened (the projection is registered before it exists) and creates the
     * tables when missing (idempotent). Call before {@code start()}.
     */
    public OrderCheck bind(JdbcDatabase database) {
        this.db = database;
        database.executeScript(SCHEMA);
        return this;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Class<? extends BankEvent>> eventTypes() {
        return TYPES;
    }

    @Override
    public void handle(EventRecord<? extends BankEvent> record) throws Exception {
        handleBatch(List.of(record), StoreTransaction.NONE);
    }

    @Override
    public void handleBatch(List<EventRecord<? extends BankEvent>> records) throws Exception {
        handleBatch(records, StoreTransaction.NONE);
    }

    @Override
    public void handleBatch(List<EventRecord<? extends BankEvent>> records, StoreTransaction tx) throws Exception {
        var lent = tx.unwrap(Connection.class);
        if (lent.isPresent()) {
            apply(lent.get(), records, true);
        } else {
            db.inTransaction(c -> {
                apply(c, records, false);
                return null;
            });
        }
    }

    private static void apply(Connection c, List<EventRecord<? extends BankEvent>> records, boolean exactlyOnce)
            throws SQLException {
        for (EventRecord<? extends BankEvent> r : records) {
            if (r.event() instanceof AccountIdProvisioned) continue;
            long kept = 0;
            long balance = 0;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT version, balance_cents FROM order_check WHERE account_id = ?")) {
                s.setString(1, r.aggregateId());
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        kept = rs.getLong(1);
                        balance = rs.getLong(2);
                    }
                }
            }
            if (r.version() != kept + 1) {
                if (r.version() <= kept && !exactlyOnce) continue; // at-least-once: a repeat is expected
                try (PreparedStatement s = c.prepareStatement(
                        "INSERT INTO order_violations (account_id, expected, got) VALUES (?, ?, ?)")) {
                    s.setString(1, r.aggregateId());
                    s.setLong(2, kept + 1);
                    s.setLong(3, r.version());
                    s.executeUpdate();
                }
                continue;
            }
            long next = balanceAfter(r.event(), balance);
            String sql = kept == 0
                    ? "INSERT INTO order_check (version, balance_cents, account_id) VALUES (?, ?, ?)"
                    : "UPDATE order_check SET version = ?, balance_cents = ? WHERE account_id = ?";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setLong(1, r.version());
                s.setLong(2, next);
                s.setString(3, r.aggregateId());
                s.executeUpdate();
            }
        }
    }

    /** The balance after {@code e}: the event's own balance when it carries one, else unchanged. */
    static long balanceAfter(BankEvent e, long before) {
        BigDecimal b = switch (e) {
            case AccountCreated x -> BigDecimal.ZERO;
            case DebtForgiven x -> BigDecimal.ZERO;
            case FundsDeposited x -> x.balance();
            case FundsWithdrawn x -> x.balance();
            case TransferDebited x -> x.balance();
            case TransferCredited x -> x.balance();
            case TransferDebitRolledBack x -> x.balance();
            case RequestDebited x -> x.balance();
            case RequestCredited x -> x.balance();
            case RequestDebitRolledBack x -> x.balance();
            default -> null;
        };
        return b == null ? before : Money.toCents(b);
    }

    /** The rows as stored: account id → {version, balance in cents}. */
    public Map<String, List<Long>> rows() {
        return db.read(c -> {
            Map<String, List<Long>> out = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT account_id, version, balance_cents FROM order_check");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), List.of(rs.getLong(2), rs.getLong(3)));
            }
            return out;
        });
    }

    /** Every violation as {@code account: expected vN, got vM}; empty when the feed came in order, once each. */
    public List<String> violations() {
        return db.read(c -> {
            List<String> out = new java.util.ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT account_id, expected, got FROM order_violations");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1) + ": expected v" + rs.getLong(2) + ", got v" + rs.getLong(3));
            }
            return out;
        });
    }

    /** What {@link #rows} must be after handling {@code feed} (in feed order, each event once). */
    public static Map<String, List<Long>> expected(List<EventRecord<?>> feed) {
        Map<String, List<Long>> out = new HashMap<>();
        for (EventRecord<?> r : feed) {
            if (!(r.event() instanceof BankEvent e) || e instanceof AccountIdProvisioned) continue;
            long before = out.containsKey(r.aggregateId()) ? out.get(r.aggregateId()).get(1) : 0;
            out.put(r.aggregateId(), List.of(r.version(), balanceAfter(e, before)));
        }
        return out;
    }
}
