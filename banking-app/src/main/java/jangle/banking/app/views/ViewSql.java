package jangle.banking.app.views;

import jangle.jdbc.SqlDialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Binding and reading of values for the hand-written read queries. Every value is a bound parameter (W6), bound by
 * {@link SqlDialect#bind} exactly as {@code VersionedUpsert} writes it (banking.md §8 storage rules), so a bound
 * "now" compares correctly with stored times on both dialects.
 */
final class ViewSql {

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
        dialect.bind(ps, index, value);
    }

    /** Reads an instant column written by the views; null stays null. */
    static Instant instant(ResultSet rs, int column, SqlDialect dialect) throws SQLException {
        return dialect.readInstant(rs, column);
    }

    /** Reads a nullable integer column as a {@code Long} (null stays null). */
    static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
