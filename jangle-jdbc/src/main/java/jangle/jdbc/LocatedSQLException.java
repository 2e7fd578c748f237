package jangle.jdbc;

import java.sql.SQLException;

/**
 * A driver's {@link SQLException} with the place it came from (the SQLite file, or the PostgreSQL server and
 * database), added where a connection is lent ({@link Connections}) so that {@link SqlErrors#storeError} can name it
 * without every store passing it along. Same message, SQL state and vendor code as the driver's exception, which is its
 * cause; the translation reads the driver's exception, never this one's fields.
 */
final class LocatedSQLException extends SQLException {
    private final String location;

    private LocatedSQLException(SQLException driver, String location) {
        super(driver.getMessage(), driver.getSQLState(), driver.getErrorCode(), driver);
        this.location = location;
    }

    /** {@code e} with {@code location}, unless it (or an exception it wraps) already has one. */
    static SQLException wrap(SQLException e, String location) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof LocatedSQLException) return e;
        }
        return new LocatedSQLException(e, location);
    }

    String location() {
        return location;
    }
}
