package jangle.example.bank;

import jangle.EventRecord;
import jangle.Projection;
import jangle.banking.AccountCreated;
import jangle.banking.BankEvent;
import jangle.banking.FundsDeposited;
import jangle.banking.FundsWithdrawn;
import jangle.banking.RequestCredited;
import jangle.banking.RequestDebitRolledBack;
import jangle.banking.RequestDebited;
import jangle.banking.TransferCredited;
import jangle.banking.TransferDebitRolledBack;
import jangle.banking.TransferDebited;
import jangle.jdbc.JdbcDatabase;
import jangle.jdbc.SqlDialect;
import jangle.jdbc.SqlStatement;
import jangle.jdbc.VersionedUpsert;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The example's read model: each account's name and balance, in the same database as the events. Every balance event
 * carries the balance after it and the account's version, so a versioned upsert converges whatever the order or number
 * of deliveries (V1–V4); the name is a write-once fact. Debt forgiveness and deletion are not shown by this example.
 */
public final class AccountBalances implements Projection<BankEvent> {
    /** The handler name (D4). */
    public static final String NAME = "example-balances";

    private final JdbcDatabase db;
    private final String selectOne;
    private final String selectAll;

    public AccountBalances(JdbcDatabase db) {
        this.db = db;
        String folder = "example/bank/" + (db.dialect() == SqlDialect.SQLITE ? "sqlite" : "postgresql") + "/";
        db.executeScript(folder + "schema.sql");
        this.selectOne = resource(folder + "select-account.sql");
        this.selectAll = resource(folder + "select-accounts.sql");
    }

    /** One account, as an API answer. */
    public record Account(String accountId, String name, BigDecimal balance) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Class<? extends BankEvent>> eventTypes() {
        return Set.of(AccountCreated.class, FundsDeposited.class, FundsWithdrawn.class, TransferDebited.class,
                TransferCredited.class, TransferDebitRolledBack.class, RequestDebited.class,
                RequestDebitRolledBack.class, RequestCredited.class);
    }

    @Override
    public void handle(EventRecord<? extends BankEvent> record) {
        SqlStatement statement = upsert(record);
        if (statement != null) db.inTransaction(statement::execute);
    }

    @Override
    public void handleBatch(List<EventRecord<? extends BankEvent>> records) {
        db.inTransaction(c -> {
            for (EventRecord<? extends BankEvent> r : records) {
                SqlStatement statement = upsert(r);
                if (statement != null) statement.execute(c);
            }
            return null;
        });
    }

    @Override
    public void reset() {
        db.inTransaction(c -> {
            try (var s = c.createStatement()) {
                s.execute("DELETE FROM example_accounts");
            }
            return null;
        });
    }

    private SqlStatement upsert(EventRecord<? extends BankEvent> record) {
        return switch (record.event()) {
            case AccountCreated e -> VersionedUpsert.into("example_accounts").key("account_id", e.accountId())
                    .fillIfNull("name", e.name()).build(db.dialect());
            case FundsDeposited e -> balance(record, e.balance());
            case FundsWithdrawn e -> balance(record, e.balance());
            case TransferDebited e -> balance(record, e.balance());
            case TransferCredited e -> balance(record, e.balance());
            case TransferDebitRolledBack e -> balance(record, e.balance());
            case RequestDebited e -> balance(record, e.balance());
            case RequestDebitRolledBack e -> balance(record, e.balance());
            case RequestCredited e -> balance(record, e.balance());
            default -> null; // not subscribed (see eventTypes)
        };
    }

    private SqlStatement balance(EventRecord<?> record, BigDecimal balance) {
        return VersionedUpsert.into("example_accounts").key("account_id", record.aggregateId())
                .versioned("balance", balance, "balance_version", record.version()).build(db.dialect());
    }

    /** The account, once its creation has been projected. */
    public Optional<Account> account(String accountId) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(selectOne)) {
                s.setString(1, accountId);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Every projected account, by number. */
    public List<Account> accounts() {
        return db.read(c -> {
            List<Account> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(selectAll); ResultSet rs = s.executeQuery()) {
                while (rs.next()) out.add(row(rs));
            }
            return out;
        });
    }

    private static Account row(ResultSet rs) throws java.sql.SQLException {
        BigDecimal balance = rs.getBigDecimal(3);
        return new Account(rs.getString(1), rs.getString(2), balance == null ? BigDecimal.ZERO.setScale(2) : balance);
    }

    private static String resource(String name) {
        try (InputStream in = AccountBalances.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
