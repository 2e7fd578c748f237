package jangle.banking.app.views;

import jangle.JangleException;
import jangle.StoreException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One rebuild of a database's read models at a time (R8): a second one would drop the first one's next generation
 * while it is being filled, or swap in a half-filled one. The guard is held for the whole rebuild and released by the
 * operating system or the server when the process dies, so a killed rebuild never leaves it taken.
 *
 * <p>On SQLite it is an exclusive OS lock on {@code <database file>.rebuild-lock} (the file stays; only its lock
 * matters). On PostgreSQL it is a session advisory lock on a connection of its own, outside the pool, closed at the
 * end. An in-memory database belongs to one application, so it needs none.
 */
public final class RebuildGuard implements AutoCloseable {
    private static final NamedSql POSTGRES = NamedSql.load("jangle/banking/views/rebuild-postgresql.sql");

    private final AutoCloseable held;

    private RebuildGuard(AutoCloseable held) {
        this.held = held;
    }

    /** The guard of an in-memory database: nothing to take. */
    public static RebuildGuard none() {
        return new RebuildGuard(() -> { });
    }

    /** Takes the guard of the SQLite file {@code database}, or throws {@link RebuildRunningException}. */
    public static RebuildGuard sqlite(Path database) {
        Path lockFile = database.resolveSibling(database.getFileName() + ".rebuild-lock");
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StoreException("SQLite", "taking the rebuild guard " + lockFile, e);
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) throw new RebuildRunningException(database.toString());
            return new RebuildGuard(channel); // closing the channel releases its lock
        } catch (OverlappingFileLockException e) { // held by another rebuild in this process
            closeQuietly(channel);
            throw new RebuildRunningException(database.toString());
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreException("SQLite", "taking the rebuild guard " + lockFile, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /**
     * Takes the guard of the PostgreSQL database at {@code url} (shown as {@code shownUrl}, without secrets), or
     * throws {@link RebuildRunningException}.
     */
    public static RebuildGuard postgres(String url, String user, String password, String shownUrl) {
        Connection c;
        try {
            c = DriverManager.getConnection(url, user, password);
        } catch (SQLException e) {
            throw new StoreException("PostgreSQL", "taking the rebuild guard", e);
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(POSTGRES.get("rebuild_guard"))) {
            if (!rs.next() || !rs.getBoolean(1)) throw new RebuildRunningException(shownUrl);
            return new RebuildGuard(c); // the session's end releases its advisory lock
        } catch (SQLException e) {
            closeQuietly(c);
            throw new StoreException("PostgreSQL", "taking the rebuild guard", e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    @Override
    public void close() {
        closeQuietly(held);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // releasing: the lock goes with the file handle or the session either way
        }
    }

    /** Another rebuild of the same database holds the guard; nothing was changed. */
    public static final class RebuildRunningException extends JangleException {
        private final String database;

        RebuildRunningException(String database) {
            super("another rebuild of the read models is running on " + database
                    + "; nothing was changed: wait for it to finish, then run replay again if still needed");
            this.database = database;
        }

        /** The database, as shown to an operator (no password). */
        public String database() {
            return database;
        }
    }
}
