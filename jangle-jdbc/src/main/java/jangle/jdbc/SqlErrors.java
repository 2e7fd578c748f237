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

    /** Any fault that is not a Jangle conflict: named by store and operation, with the driver's error as cause. */
    static StoreException storeError(String store, String operation, Throwable cause) {
        if (cause instanceof StoreException s) return s;
        return new StoreException(store, operation, cause);
    }
}
