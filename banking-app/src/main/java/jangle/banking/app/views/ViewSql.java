package jangle.banking.app.views;

import jangle.jdbc.SqlDialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * Binding and reading of values for the hand-written read queries, per dialect. Every value is a bound parameter
 * (W6). Instants follow the storage rule of banking.md §8, the same one {@code VersionedUpsert} applies when it
 * writes: PostgreSQL {@code timestamptz}; SQLite fixed-width ISO-8601 text with six fraction digits and {@code Z},
 * so that text order is time order and a bound "now" compares correctly with stored times.
 */
final class ViewSql {
    /** Fixed width: always six fraction digits, always {@code Z}. */
    static final DateTimeFormatter SQLITE_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private ViewSql() {
    }

    static PreparedStatement prepare(Connection c, SqlDialect dialect, String sql, Object... params)
            throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) bind(ps, i + 1, dialect, params[i]);
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    static void bind(PreparedStatement ps, int index, SqlDialect dialect, Object value) throws SQLException {
        switch (value) {
            case null -> ps.setObject(index, null);
            case String s -> ps.setString(index, s);
            case Long l -> ps.setLong(index, l);
            case Integer i -> ps.setInt(index, i);
            case Instant t -> {
                if (dialect == SqlDialect.POSTGRESQL) ps.setObject(index, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
                else ps.setString(index, formatSqlite(t));
            }
            default -> throw new IllegalArgumentException("unsupported parameter type " + value.getClass().getName());
        }
    }

    static String formatSqlite(Instant t) {
        return SQLITE_TIME.format(t.truncatedTo(ChronoUnit.MICROS));
    }

    /** Reads an instant column written by the views; null stays null. */
    static Instant instant(ResultSet rs, int column, SqlDialect dialect) throws SQLException {
        if (dialect == SqlDialect.POSTGRESQL) {
            OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
            return t == null ? null : t.toInstant();
        }
        String text = rs.getString(column);
        return text == null ? null : Instant.parse(text);
    }

    /** Reads a nullable integer column as a {@code Long} (null stays null). */
    static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
