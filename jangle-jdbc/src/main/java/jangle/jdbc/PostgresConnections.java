package jangle.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * PostgreSQL: a HikariCP pool of equal connections. A write is one transaction on a pooled connection in
 * {@code READ COMMITTED}; what must be serialised (assigning global positions until commit, G3a) is serialised by
 * the store with a transaction-scoped advisory lock, not here, so unrelated writes (read models, sagas, the ledger)
 * run in parallel.
 */
final class PostgresConnections extends Connections {
    /**
     * Room for the application's own threads beside a node's background ones: one per processor segment it holds
     * (4 by default), the lease round and both daemons, so a burst of background retries after an outage cannot take
     * every connection from the commands and queries.
     */
    static final int DEFAULT_POOL_SIZE = 16;

    private final HikariDataSource pool;
    private final String location;
    private final PostgresAppendGroups appendGroups;

    PostgresConnections(HikariConfig config) {
        config.setPoolName(config.getPoolName() == null ? "jangle" : config.getPoolName());
        if (config.getMaximumPoolSize() <= 0 || config.getMaximumPoolSize() == 10) {
            config.setMaximumPoolSize(DEFAULT_POOL_SIZE);
        }
        config.setMinimumIdle(Math.min(2, config.getMaximumPoolSize()));
        config.setAutoCommit(true);
        this.location = describe(config);
        try {
            this.pool = new HikariDataSource(config);
        } catch (RuntimeException e) { // HikariCP's first connection failed (fail-fast): name the server and the cause
            SQLException cause = e.getCause() instanceof SQLException s ? s : new SQLException(e.getMessage(), e);
            throw SqlErrors.storeError("database", "connect", located(cause));
        }
        this.appendGroups = groupCommitEnabled() ? new PostgresAppendGroups(pool) : null;
    }

    /** For tests of this package; null when group commit is switched off. */
    PostgresAppendGroups appendGroups() {
        return appendGroups;
    }

    /** Appends queued behind a running one share its transaction and commit (G5, {@link PostgresAppendGroups}). */
    @Override
    <T> T append(String lockSql, Work<T> work) throws SQLException {
        if (appendGroups == null) {
            T result = super.append(lockSql, work); // write() names the server
            reportCommitted(telemetry, 1);
            return result;
        }
        try {
            return appendGroups.run(lockSql, work, this);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** {@code host:port/database} of the JDBC URL (never its parameters, which may hold secrets). */
    private static String describe(HikariConfig config) {
        String url = config.getJdbcUrl();
        if (url == null) {
            return "PostgreSQL (" + (config.getDataSource() == null ? "data source"
                    : config.getDataSource().getClass().getSimpleName()) + ")";
        }
        String rest = url.startsWith("jdbc:postgresql://") ? url.substring("jdbc:postgresql://".length()) : url;
        int q = rest.indexOf('?');
        return "PostgreSQL " + (q < 0 ? rest : rest.substring(0, q));
    }

    @Override
    SqlDialect dialect() {
        return SqlDialect.POSTGRESQL;
    }

    @Override
    String location() {
        return location;
    }

    @Override
    <T> T write(Work<T> work) throws SQLException {
        try {
            return writeTransaction(work);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private <T> T writeTransaction(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection(); Session session = new Session(c, SqlDialect.POSTGRESQL, null)) {
            c.setAutoCommit(false);
            try {
                T result = work.run(session);
                c.commit();
                countCommit(1);
                return result;
            } catch (Throwable t) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is broken; Hikari evicts it
                }
                throw rethrow(t);
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // a broken connection; Hikari evicts it when it is closed
                }
            }
        }
    }

    @Override
    <T> T read(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection(); Session session = new Session(c, SqlDialect.POSTGRESQL, null)) {
            return work.run(session);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /**
     * {@code e} located, after dropping every pooled connection when {@code e} says the connection was lost. A lost
     * connection rarely comes alone: a restarted server or a cut network loses them all. HikariCP evicts only the
     * connection that failed, and it does not test a connection that was in use less than half a second ago, so
     * without this the next calls would meet the other dead connections one by one (a terminal showed the same error
     * for minutes after the server was back). Idle connections close at once, borrowed ones when they are returned;
     * the next call connects afresh.
     */
    private SQLException failed(SQLException e) {
        if (lostConnection(e)) pool.getHikariPoolMXBean().softEvictConnections();
        return located(e);
    }

    /**
     * Whether the driver says the connection itself failed: SQLState class {@code 08}, the server shutting down
     * ({@code 57P0x}), or a socket error. Not the pool's own time-out, which proves nothing about the connections it
     * holds (they may all be busy and healthy).
     */
    static boolean lostConnection(SQLException e) {
        if (e instanceof java.sql.SQLTransientConnectionException) return false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P0"))) {
                return true;
            }
            if (t instanceof java.net.SocketException) return true;
        }
        return false;
    }

    @Override
    public void close() {
        pool.close();
    }
}
