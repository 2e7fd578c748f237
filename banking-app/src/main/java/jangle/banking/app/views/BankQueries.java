package jangle.banking.app.views;

import jangle.JangleBuilder;
import jangle.banking.AccountLedger;
import jangle.banking.AccountListItem;
import jangle.banking.AccountSummary;
import jangle.banking.AccountSummaryView;
import jangle.banking.AccountsList;
import jangle.banking.BankStatistics;
import jangle.banking.BankStats;
import jangle.banking.LedgerEntry;
import jangle.banking.Money;
import jangle.banking.PendingRequest;
import jangle.jdbc.JdbcDatabase;
import jangle.jdbc.SqlDialect;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The query handlers of banking.md §9. They read the {@code bank-views} tables only, never the event store (Q3), bind
 * every value as a parameter (W6: an account id never becomes SQL text), and read "now" from the injected clock, so
 * that what counts as an expired request is testable. SQL lives in {@code queries-<dialect>.sql}.
 */
public final class BankQueries {
    private final JdbcDatabase db;
    private final SqlDialect dialect;
    private final Clock clock;
    private final NamedSql sql;

    public BankQueries(JdbcDatabase db, Clock clock) {
        this.db = db;
        this.dialect = db.dialect();
        this.clock = clock;
        this.sql = NamedSql.load("jangle/banking/views/queries-" + dialect.name().toLowerCase(Locale.ROOT) + ".sql");
    }

    /** Registers the four handlers, each reading from {@code bank-views} (Q4), so read-your-writes waits know it. */
    public JangleBuilder register(JangleBuilder builder) {
        return builder
                .query(AccountsList.class, q -> accountsList(), BankViews.NAME)
                .query(BankStats.class, q -> bankStats(), BankViews.NAME)
                .query(AccountSummary.class, q -> accountSummary(q.accountId()), BankViews.NAME)
                .query(AccountLedger.class, q -> accountLedger(q.accountId()), BankViews.NAME);
    }

    /** A read-model row that breaks what its table promises (issue 17): named, never passed on. */
    private jangle.DamagedStoreException damaged(String table, String row, String problem) {
        return new jangle.DamagedStoreException(BankViews.NAME, "query", db.describe(), table, row, problem);
    }

    /**
     * Live accounts (a name, not deleted) ordered by account number: shorter ids first, then by text. The pending
     * count is of requests awaiting this account's approval and not yet expired at the clock's now.
     */
    public List<AccountListItem> accountsList() {
        Instant now = clock.instant();
        return db.read(c -> {
            List<AccountListItem> items = new ArrayList<>();
            try (PreparedStatement ps = ViewSql.prepare(c, dialect, sql.get("accounts_list"), now);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String at = "row " + (items.size() + 1) + " of the accounts list";
                    String id = rs.getString(1); // the key: a damaged page reads back as NULL
                    if (id == null) throw damaged("bank_summary", at, "the key account_id is NULL");
                    items.add(new AccountListItem(id, rs.getString(2), Money.fromCents(rs.getLong(3)), rs.getInt(4)));
                }
            }
            return List.copyOf(items);
        });
    }

    /**
     * Bank-wide figures. The net balance includes deleted accounts (their money stays in the bank); averages are
     * rounded half-even to 2 places and are 0.00 when there is nothing to average.
     */
    public BankStatistics bankStats() {
        return db.read(c -> {
            long active;
            long deleted;
            long netCents;
            try (PreparedStatement ps = c.prepareStatement(sql.get("bank_stats_accounts"));
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                active = rs.getLong(1);
                deleted = rs.getLong(2);
                netCents = rs.getLong(3);
            }
            try (PreparedStatement ps = c.prepareStatement(sql.get("bank_stats_money"));
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                long transactions = rs.getLong(1);
                BigDecimal avgDeposit = average(rs.getLong(3), rs.getLong(2));
                BigDecimal avgWithdrawal = average(rs.getLong(5), rs.getLong(4));
                BigDecimal forgiven = Money.fromCents(rs.getLong(6));
                return new BankStatistics(active, deleted, Money.fromCents(netCents), transactions, avgDeposit,
                        avgWithdrawal, forgiven);
            }
        });
    }

    /** Empty when the account is unknown, not yet created in the views, or deleted. */
    public Optional<AccountSummaryView> accountSummary(String accountId) {
        Instant now = clock.instant();
        return db.read(c -> {
            String name;
            long balanceCents;
            try (PreparedStatement ps = ViewSql.prepare(c, dialect, sql.get("account_summary"), accountId);
                 ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                name = rs.getString(2);
                balanceCents = rs.getLong(3);
            }
            List<PendingRequest> pending = new ArrayList<>();
            try (PreparedStatement ps = ViewSql.prepare(c, dialect, sql.get("pending_requests"), accountId, now);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pending.add(new PendingRequest(rs.getString(1), rs.getString(2), Money.fromCents(rs.getLong(3)),
                            ViewSql.instant(rs, 4, dialect)));
                }
            }
            return Optional.of(new AccountSummaryView(accountId, name, Money.fromCents(balanceCents),
                    List.copyOf(pending)));
        });
    }

    /**
     * Every money movement of the account, oldest first (by time, then aggregate version), amounts signed: negative
     * when money left the account. Also for deleted accounts; empty for unknown ones.
     */
    public List<LedgerEntry> accountLedger(String accountId) {
        return db.read(c -> {
            List<LedgerEntry> entries = new ArrayList<>();
            try (PreparedStatement ps = ViewSql.prepare(c, dialect, sql.get("account_ledger"), accountId);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TransactionType type = TransactionType.ofCode(rs.getInt(3));
                    BigDecimal amount = Money.fromCents(rs.getLong(2));
                    entries.add(new LedgerEntry(ViewSql.instant(rs, 1, dialect),
                            type.debit() ? amount.negate() : amount, rs.getString(4), rs.getString(5)));
                }
            }
            return List.copyOf(entries);
        });
    }

    /**
     * The sums the conservation rule compares, read from the views (W7, W9). Not one of the §9 queries: a check used
     * by the demo (step 22) and the tests.
     */
    public MoneyTotals moneyTotals() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.get("money_totals"));
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new MoneyTotals(Money.fromCents(rs.getLong(1)), Money.fromCents(rs.getLong(2)),
                        Money.fromCents(rs.getLong(3)), Money.fromCents(rs.getLong(4)));
            }
        });
    }

    /** Mean of {@code count} amounts totalling {@code sumCents}, half-even to 2 places; 0.00 when count is 0. */
    static BigDecimal average(long sumCents, long count) {
        if (count == 0) return Money.fromCents(0);
        return BigDecimal.valueOf(sumCents).movePointLeft(2)
                .divide(BigDecimal.valueOf(count), 2, RoundingMode.HALF_EVEN);
    }
}
