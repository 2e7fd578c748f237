package jangle.jdbc;

import java.sql.SQLException;

/**
 * How one database lends connections: a write transaction (committed or rolled back here) or a read. One
 * implementation per dialect, because SQLite and PostgreSQL need opposite strategies (one serialised writer versus a
 * pool of equal connections).
 */
abstract sealed class Connections implements AutoCloseable permits SqliteConnections, PostgresConnections {
    /** Store code run in a session. */
    @FunctionalInterface
    interface Work<T> {
        T run(Session session) throws SQLException;
    }

    /** Told of each commit of appends (group sizes, G5); {@link jangle.Telemetry#NONE} until an application observes. */
    volatile jangle.Telemetry telemetry = jangle.Telemetry.NONE;

    /**
     * Write transactions committed through this object, and the writes (transactions asked for) they held: with
     * group commit one commit holds several writes. Counted here because only here is a commit seen once, whoever
     * asked for it (appends, checkpoint advances, read-model batches, saga rows, lease rounds). Read by load drivers
     * to report commits per command; nothing else depends on them.
     */
    final java.util.concurrent.atomic.LongAdder commits = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder committedWrites = new java.util.concurrent.atomic.LongAdder();

    /** Counts one commit holding {@code writes} writes. */
    final void countCommit(int writes) {
        commits.increment();
        committedWrites.add(writes);
    }

    /** Reports a commit of {@code appends} appends; a hook that throws must not turn a commit into a failure. */
    static void reportCommitted(jangle.Telemetry telemetry, int appends) {
        if (appends <= 0) return;
        try {
            telemetry.appendsCommitted(appends);
        } catch (RuntimeException ignored) {
            // telemetry hooks must not throw (Telemetry's contract); the commit stands either way
        }
    }

    abstract SqlDialect dialect();

    /** Where the data is, for error messages: the SQLite file, or the PostgreSQL server and database. */
    abstract String location();

    /** {@code e} carrying {@link #location()} ({@link LocatedSQLException}), for the error translation. */
    final SQLException located(SQLException e) {
        return LocatedSQLException.wrap(e, location());
    }

    /** Runs {@code work} in one write transaction: commits when it returns, rolls back when it throws. */
    abstract <T> T write(Work<T> work) throws SQLException;

    /**
     * Runs an event-store append: {@code lockSql} (the feed's ordering lock, G3a; null on SQLite, whose single writer
     * orders the feed) then {@code work}, in one write transaction that may be shared with other appends (group
     * commit, G5); returns after the commit that holds it. {@code work} may throw {@link jangle.VersionConflictException}
     * and {@link jangle.LeaseLostException} only before it writes anything.
     */
    <T> T append(String lockSql, Work<T> work) throws SQLException {
        return write(s -> {
            if (lockSql != null) {
                try (java.sql.ResultSet rs = s.prepare(lockSql).executeQuery()) {
                    rs.next(); // G3a: held until commit
                }
            }
            return work.run(s);
        });
    }

    /**
     * Measurement switch for group commit ({@code -Djangle.jdbc.groupCommit=false} turns it off, to compare one
     * commit per write with the default); read once when a database is opened.
     */
    static boolean groupCommitEnabled() {
        return !"false".equalsIgnoreCase(System.getProperty("jangle.jdbc.groupCommit", "true"));
    }

    /** Runs read-only {@code work} on a connection in auto-commit mode (each statement sees the latest commits). */
    abstract <T> T read(Work<T> work) throws SQLException;

    @Override
    public abstract void close();

    /** Rethrows a throwable from work without wrapping checked SQL or unchecked exceptions. */
    static SQLException rethrow(Throwable t) throws SQLException {
        if (t instanceof SQLException s) throw s;
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new SQLException(t);
    }
}
