package jangle.jdbc;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * Tells a database that is not there (yet) from one that answered with an error (issue 17): a long-running process
 * waits and retries the first, and fails on the second at once. Unavailable means: no connection could be made
 * (SQLState class {@code 08}, a refused socket, a pool that could not fill), or the server said it cannot take
 * connections now (PostgreSQL {@code 57P01}–{@code 57P03}: shutting down, crashed, starting up or in recovery;
 * {@code 53300}: too many connections).
 */
public final class Outages {
    private static final Set<String> NOT_NOW = Set.of("57P01", "57P02", "57P03", "53300");

    private Outages() {
    }

    /** True when {@code failure} or one of its causes says the database cannot be reached now. */
    public static boolean unavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof SQLTransientConnectionException) return true;
            if (t instanceof SQLException e && e.getSQLState() != null
                    && (e.getSQLState().startsWith("08") || NOT_NOW.contains(e.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
