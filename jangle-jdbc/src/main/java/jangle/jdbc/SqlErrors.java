package jangle.jdbc;

import jangle.StoreException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.sql.BatchUpdateException;
import java.sql.SQLException;

/**
 * The one place where database error codes become Jangle's facts (§18, STYLE 6): which unique constraint a write
 * violated, per dialect. The stores turn {@link Violation#STREAM_VERSION} into
 * {@link jangle.VersionConflictException} with the aggregate id and version they were writing, and
 * {@link Violation#EVENT_ID} into {@link jangle.DuplicateEventIdException}; every other error becomes a
 * {@link StoreException} naming store and operation (bug #25).
 *
 * <ul>
 *   <li>SQLite: extended result codes {@code SQLITE_CONSTRAINT_UNIQUE} (2067) and {@code SQLITE_CONSTRAINT_PRIMARYKEY}
 *   (1555); SQLite names the columns, not the constraint, in its message ({@code jangle_events.event_id}).</li>
 *   <li>PostgreSQL: SQLState {@code 23505} and the constraint name from the server's error fields.</li>
 * </ul>
 */
final class SqlErrors {
    /** Which uniqueness rule a write broke. */
    enum Violation { NONE, STREAM_VERSION, EVENT_ID, SAGA_ID, OTHER_UNIQUE }

    private SqlErrors() {
    }

    static Violation violation(SqlDialect dialect, SQLException e) {
        return dialect == SqlDialect.SQLITE ? sqlite(e) : postgres(e);
    }

    private static Violation sqlite(SQLException e) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof SQLiteException s) {
                SQLiteErrorCode code = s.getResultCode();
                if (code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                        || code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY) {
                    String m = String.valueOf(s.getMessage());
                    if (m.contains("jangle_events.event_id")) return Violation.EVENT_ID;
                    if (m.contains("jangle_events.aggregate_id")) return Violation.STREAM_VERSION;
                    if (m.contains("jangle_sagas.saga_id")) return Violation.SAGA_ID;
                    return Violation.OTHER_UNIQUE;
                }
            }
        }
        return Violation.NONE;
    }

    /**
     * Whether {@code e} is PostgreSQL's refusal of a checkpoint advance whose lease this node no longer holds
     * ({@code JG001}, raised by {@code jangle_advance_checkpoint}, schema-004).
     */
    static boolean leaseLost(SQLException e) {
        return hasState(e, "JG001");
    }

    /**
     * Whether {@code e} is PostgreSQL's refusal of a saga commit whose saga is not at the expected version
     * ({@code JG002}, raised by {@code jangle_require_saga_row}, schema-004).
     */
    static boolean sagaChanged(SQLException e) {
        return hasState(e, "JG002");
    }

    private static boolean hasState(SQLException e, String state) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof SQLException s && state.equals(s.getSQLState())) return true;
        }
        return false;
    }

    private static Violation postgres(SQLException e) {
        boolean unique = false;
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof SQLException s && "23505".equals(s.getSQLState())) {
                unique = true;
                // a BatchUpdateException repeats the state without the server fields: look further down the chain
                ServerErrorMessage server = s instanceof PSQLException p ? p.getServerErrorMessage() : null;
                String constraint = server == null ? null : server.getConstraint();
                if (constraint == null) continue;
                return switch (constraint) {
                    case "jangle_events_event_id_key" -> Violation.EVENT_ID;
                    case "jangle_events_stream_key" -> Violation.STREAM_VERSION;
                    case "jangle_sagas_pkey" -> Violation.SAGA_ID;
                    default -> Violation.OTHER_UNIQUE;
                };
            }
        }
        return unique ? Violation.OTHER_UNIQUE : Violation.NONE;
    }

    private static Throwable next(Throwable t) {
        if (t instanceof BatchUpdateException b && b.getNextException() != null) return b.getNextException();
        if (t instanceof SQLException s && s.getNextException() != null && s.getNextException() != t) {
            return s.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }

    /**
     * Any fault that is not a Jangle conflict: named by store and operation, by the file or server when a
     * {@link LocatedSQLException} carries it, and by its root cause ({@link StoreException.Fault}), with the driver's
     * error as cause. The message is what a user sees (issue 16 item 8, issue 18 item 2): the cause must be in it, not
     * only in the log.
     */
    static StoreException storeError(String store, String operation, Throwable cause) {
        if (cause instanceof StoreException s) return s;
        String location = null;
        for (Throwable t = cause; t != null; t = next(t)) {
            if (t instanceof LocatedSQLException l) {
                location = l.location();
                break;
            }
        }
        Diagnosis d = diagnose(cause);
        if (location == null && d.fault() == StoreException.Fault.OTHER) return new StoreException(store, operation, cause);
        return new StoreException(store, operation, location, d.fault(), d.detail(), cause);
    }

    /** A root cause and the driver's words that show it. */
    record Diagnosis(StoreException.Fault fault, String detail) {
    }

    /**
     * The root cause of a driver error. SQLite: its extended result code ({@code SQLITE_FULL}, {@code SQLITE_READONLY*},
     * {@code SQLITE_CORRUPT*}/{@code SQLITE_NOTADB}, {@code SQLITE_IOERR*}). PostgreSQL: the SQLState class
     * ({@code 08} connection, {@code 57P0x} server shutting down or starting, {@code 53100} disk full, {@code 25006}
     * read-only transaction, {@code XX001}/{@code XX002} damaged data), a socket time-out, a socket error, or the pool
     * finding no connection.
     */
    static Diagnosis diagnose(Throwable cause) {
        for (Throwable t = cause; t != null; t = next(t)) {
            if (t instanceof SQLiteException s) {
                String code = s.getResultCode() == null ? "" : s.getResultCode().name();
                StoreException.Fault f = code.startsWith("SQLITE_FULL") ? StoreException.Fault.DISK_FULL
                        : code.startsWith("SQLITE_READONLY") ? StoreException.Fault.READ_ONLY
                        : code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_NOTADB")
                        ? StoreException.Fault.CORRUPT
                        : code.startsWith("SQLITE_IOERR") ? StoreException.Fault.IO_ERROR : null;
                if (f != null) return new Diagnosis(f, s.getMessage());
            }
            if (t instanceof java.net.SocketTimeoutException) {
                return new Diagnosis(StoreException.Fault.TIMEOUT, t.getMessage());
            }
            if (t instanceof SQLException s && s.getSQLState() != null && !(t instanceof LocatedSQLException)) {
                String state = s.getSQLState();
                StoreException.Fault f = state.startsWith("08") || state.startsWith("57P")
                        ? StoreException.Fault.CONNECTION_LOST
                        : state.equals("53100") ? StoreException.Fault.DISK_FULL
                        : state.equals("25006") ? StoreException.Fault.READ_ONLY
                        : state.equals("XX001") || state.equals("XX002") ? StoreException.Fault.CORRUPT : null;
                if (f != null) return new Diagnosis(f, s.getMessage());
            }
            if (t instanceof java.sql.SQLTransientConnectionException
                    || t instanceof java.net.SocketException || t instanceof java.io.EOFException) {
                return new Diagnosis(StoreException.Fault.CONNECTION_LOST, t.getMessage());
            }
        }
        return new Diagnosis(StoreException.Fault.OTHER, cause == null ? null : cause.getMessage());
    }
}
