package jangle.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * One connection lent to store code for one unit of work, with prepared statements either cached on the connection
 * (SQLite: statements are compiled in-process, so reusing them saves most of a small statement's cost) or kept for
 * the session and closed when it ends (PostgreSQL: the driver caches server-side prepares per connection by SQL
 * text). Within a session one text always gets the same statement: the driver lends its cached query to one open
 * statement at a time, so a second open statement of the same text (the next append of a group commit) was parsed
 * again on the client and planned again on the server.
 */
final class Session implements AutoCloseable {
    /**
     * The session whose connection {@link JdbcDatabase#inTransaction}/{@link JdbcDatabase#read} lent to application
     * code on this thread, so that {@link SqlStatement#execute} reuses its cached statements instead of compiling the
     * same upsert again for every event (on SQLite the compile cost more than the write). Per thread, set and
     * cleared around each unit of work; never shared.
     */
    private static final ThreadLocal<Session> LENT = new ThreadLocal<>();

    private final Connection connection;
    private final SqlDialect dialect;
    private final Map<String, PreparedStatement> cache;
    private Map<String, PreparedStatement> opened;

    Session(Connection connection, SqlDialect dialect, Map<String, PreparedStatement> cache) {
        this.connection = connection;
        this.dialect = dialect;
        this.cache = cache;
    }

    /** Runs {@code work} with this session lent on the current thread (see {@link #LENT}). */
    <T> T lend(SqlWork<T> work) throws SQLException {
        Session previous = LENT.get();
        LENT.set(this);
        try {
            return work.run(connection);
        } finally {
            if (previous == null) LENT.remove();
            else LENT.set(previous);
        }
    }

    /** The session lent on this thread for {@code connection}, or null. */
    static Session lentFor(Connection connection) {
        Session s = LENT.get();
        return s != null && s.connection == connection ? s : null;
    }

    Connection connection() {
        return connection;
    }

    SqlDialect dialect() {
        return dialect;
    }

    /** A statement for {@code sql} with no parameters bound; do not close it. */
    PreparedStatement prepare(String sql) throws SQLException {
        Map<String, PreparedStatement> statements = cache;
        if (statements == null) {
            if (opened == null) opened = new HashMap<>(8);
            statements = opened;
        }
        PreparedStatement ps = statements.get(sql);
        if (ps != null && !ps.isClosed()) {
            try {
                ps.clearParameters();
                return ps;
            } catch (SQLException finalised) {
                // sqlite-jdbc finalises a statement after some errors (SQLITE_FULL, I/O errors) without marking it
                // closed; reusing it would fail with "statement is not executing" for ever, hiding the cause and
                // outliving the fault (issue 18 item 2). Compile it again.
                try {
                    ps.close();
                } catch (SQLException ignored) {
                    // already unusable
                }
            }
        }
        ps = connection.prepareStatement(sql);
        statements.put(sql, ps);
        return ps;
    }

    /** {@link #prepare} and bind {@code params} in order ({@link Values#bind}). */
    PreparedStatement prepare(String sql, Object... params) throws SQLException {
        PreparedStatement ps = prepare(sql);
        for (int i = 0; i < params.length; i++) Values.bind(ps, i + 1, dialect, params[i]);
        return ps;
    }

    @Override
    public void close() {
        if (opened == null) return;
        for (PreparedStatement ps : opened.values()) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // closing a statement of a finished unit of work; the connection goes back to its pool anyway
            }
        }
        opened = null;
    }
}
