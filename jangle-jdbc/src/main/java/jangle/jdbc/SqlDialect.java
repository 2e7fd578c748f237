package jangle.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The two SQL databases Jangle stores into. Each has its own schema and statements under
 * {@code jangle/jdbc/<dialect>/} and its own error translation ({@code SqlErrors}).
 */
public enum SqlDialect {
    /** SQLite 3.35+ (the embedded default: one file). */
    SQLITE,
    /** PostgreSQL 12+. */
    POSTGRESQL;

    /**
     * Binds one value the way this dialect stores it, the same way the stores and {@link VersionedUpsert} do:
     * Instants as {@code timestamptz} on PostgreSQL and as fixed-width ISO-8601 text with six fraction digits and
     * {@code Z} on SQLite (text order is time order); decimals exactly; booleans as 0/1 on SQLite. For application
     * SQL such as read-model queries, so every value is bound (never pasted into SQL text) in one consistent way.
     */
    public void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        Values.bind(statement, index, this, value);
    }

    /** Reads an instant column written by {@link #bind}; SQL NULL gives null. */
    public Instant readInstant(ResultSet rs, int column) throws SQLException {
        return Values.instant(rs, column, this);
    }

    /** The resource folder of this dialect's SQL. */
    String folder() {
        return this == SQLITE ? "sqlite" : "postgresql";
    }
}
