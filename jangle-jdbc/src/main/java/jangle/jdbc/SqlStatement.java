package jangle.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One SQL statement and its ordered parameters, as built by {@link VersionedUpsert} (V6): nothing from data is in
 * {@code sql}; every value is a parameter (V5).
 *
 * @param sql        the statement text, with {@code ?} placeholders
 * @param parameters the values, in placeholder order; may contain nulls
 * @param key        the positions (0-based) in {@code parameters} of the row's key, for an upsert; empty when the
 *                   statement names no row. {@link SqlBatch} uses it to keep two upserts of one row out of one
 *                   multi-row statement
 * @param merge      whether {@link SqlBatch} may run only one of several statements of this text on one key (V8)
 */
public record SqlStatement(String sql, List<Object> parameters, List<Integer> key, Merge merge) {
    public SqlStatement {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(merge, "merge");
        parameters = Collections.unmodifiableList(new ArrayList<>(parameters)); // List.copyOf refuses nulls
        key = List.copyOf(key);
        for (int k : key) {
            if (k < 0 || k >= parameters.size()) {
                throw new IllegalArgumentException("key position " + k + " is not a parameter position of " + sql);
            }
        }
        if (merge instanceof Merge.HighestVersion(int at)
                && (at < 0 || at >= parameters.size() || !(parameters.get(at) instanceof Long))) {
            throw new IllegalArgumentException("version position " + at + " is not a Long parameter of " + sql);
        }
        if (!(merge instanceof Merge.Never) && key.isEmpty()) {
            throw new IllegalArgumentException("a statement that names no row cannot be merged: " + sql);
        }
    }

    /** A statement on a row ({@code key}) that {@link SqlBatch} always runs, however many others share its key. */
    public SqlStatement(String sql, List<Object> parameters, List<Integer> key) {
        this(sql, parameters, key, new Merge.Never());
    }

    /** A statement that names no row. */
    public SqlStatement(String sql, List<Object> parameters) {
        this(sql, parameters, List.of());
    }

    /**
     * What running several statements of one text on one row in a transaction comes to, so that {@link SqlBatch} may
     * run one of them in place of all (V8). Only a statement's builder can know it: {@link VersionedUpsert} sets it
     * from the columns' kinds.
     */
    public sealed interface Merge {
        /** Each one runs (hand-written statements, and upserts whose outcome depends on every one of them). */
        record Never() implements Merge {
        }

        /** The first one added stands and the others change nothing (an insert that leaves an existing row alone). */
        record FirstStands() implements Merge {
        }

        /**
         * The one with the highest version, a {@code Long} at parameter position {@code at}, stands (the first added
         * among equal versions): every value it writes is guarded by that one version, which only rises.
         */
        record HighestVersion(int at) implements Merge {
        }
    }

    /**
     * Prepares, binds and executes the statement on {@code connection} (for example one lent by
     * {@link JdbcDatabase#inTransaction}), and returns the update count. Values are bound by type:
     * {@code String}; {@code Integer}/{@code Long}; {@code BigDecimal} (PostgreSQL {@code numeric}, SQLite its exact
     * decimal text); {@code Boolean} (SQLite 0/1); {@code Instant} (PostgreSQL {@code timestamptz}; SQLite
     * fixed-width ISO-8601 text with six fraction digits and {@code Z}); {@code UUID}; an enum by name; {@code null}.
     * The dialect is the connection's. On a connection lent by {@link JdbcDatabase} the compiled statement is reused.
     */
    public int execute(Connection connection) throws SQLException {
        Session lent = Session.lentFor(connection);
        if (lent != null) { // a connection lent by JdbcDatabase: reuse its compiled statement (not closed here)
            PreparedStatement ps = lent.prepare(sql);
            bind(ps, lent.dialect());
            return ps.executeUpdate();
        }
        SqlDialect dialect = dialectOf(connection);
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, dialect);
            return ps.executeUpdate();
        }
    }

    /** Binds the parameters to {@code ps}, which was prepared from {@link #sql} (as {@link #execute} describes). */
    void bind(PreparedStatement ps, SqlDialect dialect) throws SQLException {
        for (int i = 0; i < parameters.size(); i++) Values.bind(ps, i + 1, dialect, parameters.get(i));
    }

    static SqlDialect dialectOf(Connection connection) throws SQLException {
        String url = connection.getMetaData().getURL();
        if (url != null && url.startsWith("jdbc:postgresql:")) return SqlDialect.POSTGRESQL;
        if (url != null && url.startsWith("jdbc:sqlite:")) return SqlDialect.SQLITE;
        String product = connection.getMetaData().getDatabaseProductName();
        if (product != null && product.toLowerCase(java.util.Locale.ROOT).contains("postgres")) {
            return SqlDialect.POSTGRESQL;
        }
        return SqlDialect.SQLITE;
    }
}
