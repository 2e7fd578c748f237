package jangle.banking.app.views;

import jangle.jdbc.JdbcDatabase;
import jangle.jdbc.SqlDialect;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The shape of every read-model table, and a dialect-independent dump of their rows, for row-by-row comparison:
 * the triple-shuffle check (W5, R5) and {@code replay --verify} (cli.md §5.2). Values are normalised so that the same
 * facts compare equal whatever the dialect: integers as {@code Long}, text as {@code String}, times as
 * {@code Instant}, SQL NULL as {@code null}. Rows are sorted by their key values.
 */
public final class ViewTables {
    /** One table: its key columns, then every column in a fixed order (keys first). */
    public record Table(String name, List<String> keys, List<String> columns) {
        public Table {
            keys = List.copyOf(keys);
            columns = List.copyOf(columns);
        }
    }

    private static final Set<String> TEXT = Set.of("account_id", "name", "transaction_id", "event_id",
            "funding_account", "funded_account", "description");
    private static final Set<String> TIME = Set.of("initiated_at", "timeout_at");

    /** Every table of banking.md §8, lookups included, in a fixed order. */
    public static final List<Table> TABLES = List.of(
            new Table("bank_summary", List.of("account_id"), List.of("account_id", "name", "name_version",
                    "balance_cents", "balance_version", "is_deleted", "deleted_version")),
            new Table("transactions", List.of("event_id"), List.of("event_id", "transaction_id", "account_id",
                    "version", "initiated_at", "amount_cents", "transaction_type")),
            new Table("transfers", List.of("funding_account", "transaction_id"), List.of("funding_account",
                    "transaction_id", "funded_account", "amount_cents", "state", "state_rank")),
            new Table("transfer_requests", List.of("funded_account", "transaction_id"), List.of("funded_account",
                    "transaction_id", "funding_account", "amount_cents", "timeout_at", "state", "state_rank")),
            new Table("deposits", List.of("event_id"), List.of("event_id", "transaction_id", "account_id",
                    "amount_cents")),
            new Table("withdrawals", List.of("event_id"), List.of("event_id", "transaction_id", "account_id",
                    "amount_cents")),
            new Table("debts_forgiven", List.of("event_id"), List.of("event_id", "transaction_id", "account_id",
                    "amount_cents")),
            new Table("transaction_types", List.of("value"), List.of("value", "description")),
            new Table("transaction_states", List.of("value"), List.of("value", "description", "state_rank")));

    private ViewTables() {
    }

    /** Every row of every table, normalised, sorted by key: table name → rows (each a list in column order). */
    public static Map<String, List<List<Object>>> dump(JdbcDatabase db) {
        SqlDialect dialect = db.dialect();
        return db.read(c -> {
            Map<String, List<List<Object>>> result = new LinkedHashMap<>();
            for (Table t : TABLES) {
                String sql = "SELECT " + String.join(", ", t.columns()) + " FROM " + t.name();
                List<List<Object>> rows = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        List<Object> row = new ArrayList<>(t.columns().size());
                        for (int i = 0; i < t.columns().size(); i++) row.add(value(rs, i + 1, t.columns().get(i), dialect));
                        for (String key : t.keys()) {
                            if (row.get(t.columns().indexOf(key)) == null) { // a damaged page reads back as NULLs
                                throw new jangle.DamagedStoreException(BankViews.NAME, "read", db.describe(), t.name(),
                                        "row " + (rows.size() + 1), "key column " + key + " is NULL");
                            }
                        }
                        rows.add(java.util.Collections.unmodifiableList(row));
                    }
                }
                rows.sort(byKey(t));
                result.put(t.name(), List.copyOf(rows));
            }
            return result;
        });
    }

    /** The key of a dumped row as text: key values joined by {@code /}. */
    public static String keyOf(Table t, List<Object> row) {
        return t.keys().stream().map(k -> String.valueOf(row.get(t.columns().indexOf(k))))
                .collect(Collectors.joining("/"));
    }

    /** A dumped row as text, {@code column=value} pairs, for difference reports. */
    public static String describe(Table t, List<Object> row) {
        if (row == null) return null;
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < t.columns().size(); i++) parts.add(t.columns().get(i) + "=" + row.get(i));
        return String.join(", ", parts);
    }

    public static Table table(String name) {
        return TABLES.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no view table " + name));
    }

    private static Comparator<List<Object>> byKey(Table t) {
        return Comparator.comparing(row -> keyOf(t, row));
    }

    private static Object value(ResultSet rs, int column, String name, SqlDialect dialect) throws SQLException {
        if (TIME.contains(name)) return ViewSql.instant(rs, column, dialect);
        if (TEXT.contains(name)) return rs.getString(column);
        return ViewSql.nullableLong(rs, column);
    }
}
