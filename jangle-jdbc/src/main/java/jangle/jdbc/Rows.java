package jangle.jdbc;

import jangle.DamagedStoreException;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads the columns the schema declares NOT NULL and refuses a row that breaks that promise (issue 17): a damaged
 * SQLite page reads back as NULLs and zeros, and a NULL id passed on becomes a {@code NullPointerException} far
 * from the cause. Each reader says where it is (store, operation, database, table, row) once, in a {@link Where}.
 */
final class Rows {
    private Rows() {
    }

    /** Where a row is read from, for the error. */
    record Where(String store, String operation, String database, String table) {
        DamagedStoreException damaged(String row, String problem) {
            return new DamagedStoreException(store, operation, database, table, row, problem);
        }
    }

    static <T> T required(T value, Where where, String row, String column) {
        if (value == null) throw where.damaged(row, nullColumn(column));
        return value;
    }

    /** A NOT NULL integer column ({@link ResultSet#getLong} reads NULL as 0). */
    static long requiredLong(ResultSet rs, int index, Where where, String row, String column) throws SQLException {
        long v = rs.getLong(index);
        if (rs.wasNull()) throw where.damaged(row, nullColumn(column));
        return v;
    }

    /**
     * True when SQLite says the file itself is damaged ({@code SQLITE_CORRUPT}, {@code SQLITE_NOTADB}): the read
     * cannot say which row, but the caller can name the file, the table and where it was reading.
     */
    static boolean corrupt(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && s.getClass().getName().startsWith("org.sqlite")) {
                int primary = s.getErrorCode() & 0xff;
                if (primary == 11 || primary == 26) return true;
            }
        }
        return false;
    }

    static String nullColumn(String column) {
        return "column " + column + " is NULL, which the schema forbids";
    }
}
