package jangle.jdbc;

import org.sqlite.SQLiteConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * SQLite: one writer connection behind an in-process lock, plus a small pool of reader connections.
 *
 * <p><b>Why one writer.</b> SQLite allows one writer at a time per file anyway; serialising writers in-process avoids
 * busy-waiting on the file lock, and it is what makes the global feed exact: an append takes {@code max(position)+1}
 * and commits while it holds the write lock, so position order is commit order (G1, G3a). Each write transaction
 * starts with {@code BEGIN IMMEDIATE}, which takes SQLite's write lock at once, so a second process writing the same
 * file waits ({@code busy_timeout}) instead of failing half-way, and the same reasoning holds across processes.
 *
 * <p><b>Why readers.</b> In WAL mode readers never block the writer nor each other; each statement of a reader in
 * auto-commit mode sees the latest committed state. Reads therefore do not queue behind appends.
 *
 * <p><b>Settings</b> (per connection):
 * <ul>
 *   <li>{@code journal_mode=WAL}: readers and the writer run concurrently; a commit appends to the WAL file instead
 *   of rewriting pages.</li>
 *   <li>{@code synchronous=NORMAL}: a commit writes the WAL but does not fsync it; the WAL is fsynced at checkpoints.
 *   A committed transaction survives a crash of the process (SIGKILL, an exception, the JVM dying), because the data
 *   is in the operating system's page cache; after a power loss or OS crash the last transactions before the most
 *   recent checkpoint may be lost, but the database is never corrupted. This is the usual choice for WAL and what
 *   makes 10,000+ commits per second possible; use {@code FULL} (fsync per commit) if the last seconds before a
 *   power loss must survive.</li>
 *   <li>{@code busy_timeout=10s}: another process holding the write lock is waited for rather than failing at
 *   once.</li>
 *   <li>checkpoints: a background thread copies the WAL into the database file (passive checkpoints, off the write
 *   lock); the writer's own {@code wal_autocheckpoint} is raised to a backstop (see {@link #checkpointLoop}).</li>
 *   <li>{@code foreign_keys=ON}: application read-model schemas may rely on them.</li>
 *   <li>readers add {@code query_only=1}, so a read can never write by mistake.</li>
 *   <li>{@code mmap_size=0}, set on every connection rather than left to the driver's build (whose default is 0 today):
 *   pages of the database file are read and written with system calls, never through a memory mapping, so a storage
 *   fault under a running process (a full or read-only disk, a file made immutable, an I/O error) comes back as an
 *   error code such as {@code SQLITE_IOERR_WRITE}, where a fault met through a mapping is a {@code SIGBUS} that kills
 *   the JVM with no message (issue 18 item 5). The one mapping left is WAL mode's shared-memory index ({@code -shm}),
 *   which every process that shares the file must map; SQLite writes each page of it before mapping that page, so a
 *   full disk while it grows is an error too ({@code SQLITE_IOERR_SHMSIZE}). {@code locking_mode=EXCLUSIVE} would
 *   remove that mapping as well, but would shut the daemon and other processes out of the file.</li>
 * </ul>
 *
 * <p>A {@code :memory:} database is one connection: reads then go through the writer, under the lock.
 */
final class SqliteConnections extends Connections {
    private static final int READERS = 4;
    private static final int BUSY_TIMEOUT_MS = 10_000;
    /** Most works committed together; bounds how long the first of a group waits for the last. */
    private static final int MAX_GROUP = 64;
    /**
     * A waiting writer re-checks this often even if nobody wakes it: a safety net only, since every wake is explicit
     * (the leader wakes its group's members when their commit is done, and the next queued writer to lead). A short
     * period woke each waiter about five times per commit (JFR: 5.1 parks per command at 200 µs), each wake-up a
     * context switch on cores the commit needs.
     */
    private static final long PARK_NANOS = 10_000_000;
    /** How often the checkpointer looks for new commits to copy from the WAL into the database file. */
    private static final long CHECKPOINT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * The writer's own automatic checkpoint, in WAL pages: only a backstop for a checkpointer that falls behind
     * (SQLite's default is 1,000 pages, which the checkpointer keeps the WAL under).
     */
    private static final int WRITER_AUTOCHECKPOINT_PAGES = 16_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("jangle.store.sqlite");

    private final String url;
    private final boolean memory;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Connection writer;
    private final Map<String, PreparedStatement> writerCache = new HashMap<>();
    private final BlockingQueue<Reader> idle = new ArrayBlockingQueue<>(READERS);
    private final List<Reader> all = new ArrayList<>();
    private int created; // guarded by all
    private volatile boolean closed;
    private final ConcurrentLinkedQueue<Queued<?>> queued = new ConcurrentLinkedQueue<>();
    /** {@link #MAX_GROUP}, or 1 with group commit switched off for a measurement. */
    private final int maxGroup = groupCommitEnabled() ? MAX_GROUP : 1;

    private record Reader(Connection connection, Map<String, PreparedStatement> cache) {
    }

    /** Copies committed WAL pages into the database file off the write lock; null for an in-memory database. */
    private final Thread checkpointer;

    SqliteConnections(String url) {
        this.url = url;
        String path = url.substring("jdbc:sqlite:".length());
        this.memory = path.isEmpty() || path.equals(":memory:") || path.contains("mode=memory");
        if (!memory && !path.startsWith("file:")) SqliteFiles.requireWhole(java.nio.file.Path.of(path));
        try {
            this.writer = open(false);
            if (!memory && backgroundCheckpoints()) {
                try (Statement st = writer.createStatement()) {
                    st.execute("PRAGMA wal_autocheckpoint = " + WRITER_AUTOCHECKPOINT_PAGES);
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.storeError("sqlite", "open " + url, e);
        }
        this.checkpointer = memory || !backgroundCheckpoints() ? null
                : Thread.ofPlatform().daemon().name("jangle-sqlite-checkpointer").start(this::checkpointLoop);
    }

    /** Off only for a side-by-side measurement ({@code -Djangle.sqlite.backgroundCheckpoints=false}). */
    static boolean backgroundCheckpoints() {
        return !"false".equalsIgnoreCase(System.getProperty("jangle.sqlite.backgroundCheckpoints", "true"));
    }

    /**
     * Runs SQLite's PASSIVE checkpoint on a connection of its own whenever something was committed since the last
     * pass, at most every {@link #CHECKPOINT_EVERY_NANOS}. Why: with the default automatic checkpoint, the commit
     * that pushes the WAL past 1,000 pages copies them into the database file and syncs it while holding the write
     * lock, so every queued writer waits behind it; a load run spent nearly half of the write lock's native time in
     * such commits, and they made the commands' slowest percent. A passive checkpoint runs beside the writer (it
     * takes no write lock and copies only what no reader still needs), and the WAL starts over from its beginning once
     * it has been copied. The writer keeps a high automatic threshold as a backstop. Durability is unchanged: with
     * {@code synchronous=NORMAL} the WAL is synced at checkpoints, whichever thread runs them. A failed pass is logged
     * and tried again at the next commit; the writer's own statements report a storage fault to their callers.
     */
    private void checkpointLoop() {
        Connection c = null;
        long seen = commits.sum();
        String lastError = null;
        try {
            while (!closed) {
                LockSupport.parkNanos(this, CHECKPOINT_EVERY_NANOS);
                long now = commits.sum();
                if (closed || now == seen) continue;
                seen = now;
                try {
                    if (c == null) c = open(false);
                    try (Statement st = c.createStatement()) {
                        st.execute("PRAGMA wal_checkpoint(PASSIVE)");
                    }
                    lastError = null;
                } catch (SQLException e) {
                    if (!String.valueOf(e.getMessage()).equals(lastError)) {
                        lastError = String.valueOf(e.getMessage());
                        LOG.atWarn().addKeyValue("point", "sqlite.checkpoint").addKeyValue("database", location())
                                .log("background checkpoint failed; the writer checkpoints on its own: {}", lastError);
                    }
                    if (c != null) closeQuietly(c);
                    c = null;
                }
            }
        } finally {
            if (c != null) closeQuietly(c);
        }
    }

    private Connection open(boolean reader) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(true);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        // Nothing here reads generated keys. With them on, the driver matches every statement's text against a regex
        // and runs an extra SELECT last_insert_rowid() after each INSERT, inside the write lock.
        config.setGetGeneratedKeys(false);
        Connection c = DriverManager.getConnection(url, config.toProperties());
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA mmap_size = 0"); // storage faults as errors, never SIGBUS (see the class comment)
        }
        if (reader) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA query_only = 1");
            }
        }
        return c;
    }

    @Override
    SqlDialect dialect() {
        return SqlDialect.SQLITE;
    }

    @Override
    String location() {
        return memory ? "an in-memory SQLite database" : url.substring("jdbc:sqlite:".length());
    }

    /**
     * Runs {@code work} in a write transaction and returns after its COMMIT. <b>Group commit:</b> writers that
     * arrive while a transaction is running queue up; the next thread to take the write lock runs every queued work
     * in ONE transaction, each inside its own {@code SAVEPOINT}, commits once, and wakes the others. A work that
     * throws is rolled back to its savepoint and its caller gets the exception; the others commit. Every caller
     * returns only after the COMMIT that holds its work (durable against a process kill, as before). With one writer
     * at a time nothing changes: no savepoint, one transaction per work. Why: on SQLite the commit, not the
     * statements, is most of a small transaction's cost (docs/benchmarks.md), and every writer shares one connection.
     * A call made inside a running work (same thread, lock held) joins the running transaction.
     */
    @Override
    <T> T write(Work<T> work) throws SQLException {
        return write(work, false);
    }

    /** An append is a write like any other here (the single writer orders the feed); it is counted for telemetry. */
    @Override
    <T> T append(String lockSql, Work<T> work) throws SQLException {
        return lockSql != null ? super.append(lockSql, work) : write(work, true);
    }

    private <T> T write(Work<T> work, boolean append) throws SQLException {
        if (writeLock.isHeldByCurrentThread()) {
            checkOpen();
            return work.run(new Session(writer, SqlDialect.SQLITE, writerCache)); // nested: joins the transaction
        }
        Queued<T> mine = new Queued<>(work, Thread.currentThread(), append);
        queued.add(mine);
        while (!mine.done) {
            if (writeLock.tryLock()) {
                try {
                    if (!mine.done) runGroup();
                } finally {
                    writeLock.unlock();
                }
                Queued<?> next = queued.peek();
                if (next != null) LockSupport.unpark(next.thread); // it leads the next group
            } else {
                LockSupport.parkNanos(this, PARK_NANOS); // woken when done or when it should lead
            }
        }
        try {
            return mine.outcome();
        } catch (SQLException e) {
            throw located(e);
        }
    }

    /** One queued write and what became of it; {@code done} is published after the fields. */
    private static final class Queued<T> {
        final Work<T> work;
        final Thread thread;
        final boolean append;
        T result;
        Throwable error;
        volatile boolean done;

        Queued(Work<T> work, Thread thread, boolean append) {
            this.work = work;
            this.thread = thread;
            this.append = append;
        }

        void run(Session session) throws Throwable {
            result = work.run(session);
        }

        T outcome() throws SQLException {
            if (error == null) return result;
            if (error instanceof SQLException e) throw e;
            if (error instanceof RuntimeException e) throw e;
            if (error instanceof Error e) throw e;
            throw new SQLException(error);
        }
    }

    /** Runs up to {@link #MAX_GROUP} queued works in one transaction (see {@link #write}); holds the write lock. */
    private void runGroup() {
        List<Queued<?>> group = new ArrayList<>();
        for (Queued<?> q; group.size() < maxGroup && (q = queued.poll()) != null; ) group.add(q);
        if (group.isEmpty()) return;
        try {
            checkOpen();
            Session session = new Session(writer, SqlDialect.SQLITE, writerCache);
            session.prepare("BEGIN IMMEDIATE").execute();
            boolean anyCommitted = false;
            if (group.size() == 1) {
                try {
                    group.get(0).run(session);
                    anyCommitted = true;
                } catch (Throwable t) {
                    group.get(0).error = t;
                }
            } else {
                for (Queued<?> q : group) {
                    session.prepare("SAVEPOINT w").execute();
                    try {
                        q.run(session);
                        anyCommitted = true;
                    } catch (Throwable t) {
                        q.error = t;
                        session.prepare("ROLLBACK TO w").execute();
                    }
                    session.prepare("RELEASE w").execute();
                }
            }
            if (anyCommitted) {
                boolean ok = false;
                try {
                    session.prepare("COMMIT").execute();
                    ok = true;
                } catch (SQLException e) {
                    rollback();
                    for (Queued<?> q : group) if (q.error == null) q.error = e;
                }
                if (ok) {
                    int writes = 0;
                    for (Queued<?> q : group) if (q.error == null) writes++;
                    countCommit(writes);
                    int appends = 0;
                    for (Queued<?> q : group) if (q.append && q.error == null) appends++;
                    reportCommitted(telemetry, appends); // group sizes (G5)
                }
            } else {
                rollback();
            }
        } catch (Throwable t) {
            rollback();
            for (Queued<?> q : group) if (q.error == null) q.error = t;
        } finally {
            for (Queued<?> q : group) {
                q.done = true;
                LockSupport.unpark(q.thread);
            }
        }
    }

    /** Writes waiting for the writer (for tests). */
    int waiting() {
        return queued.size();
    }

    private void rollback() {
        try (Statement s = writer.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // no transaction left to roll back (SQLite may already have rolled back, e.g. after SQLITE_FULL)
        }
    }

    @Override
    <T> T read(Work<T> work) throws SQLException {
        if (memory) {
            writeLock.lock();
            try {
                checkOpen();
                return work.run(new Session(writer, SqlDialect.SQLITE, writerCache));
            } finally {
                writeLock.unlock();
            }
        }
        Reader r;
        try {
            r = borrow();
        } catch (SQLException e) {
            throw located(e);
        }
        boolean healthy = false;
        try {
            T result = work.run(new Session(r.connection(), SqlDialect.SQLITE, r.cache()));
            healthy = true;
            return result;
        } catch (SQLException e) {
            throw located(e);
        } finally {
            giveBack(r, healthy);
        }
    }

    private Reader borrow() throws SQLException {
        checkOpen();
        Reader r = idle.poll();
        if (r != null) return r;
        synchronized (all) {
            if (created < READERS) {
                Reader fresh = new Reader(open(true), new HashMap<>());
                created++;
                all.add(fresh);
                return fresh;
            }
        }
        try {
            while (true) { // all readers are lent: wait for one, but notice a close
                Reader waited = idle.poll(100, TimeUnit.MILLISECONDS);
                if (waited != null) return waited;
                checkOpen();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a SQLite reader connection", e);
        }
    }

    private void giveBack(Reader r, boolean healthy) {
        if (closed) {
            closeQuietly(r.connection());
            return;
        }
        if (!healthy) {
            try {
                if (!r.connection().getAutoCommit()) r.connection().rollback();
            } catch (SQLException ignored) {
                // the connection is returned to the pool as is; the next statement will report any real problem
            }
        }
        idle.offer(r);
    }

    private void checkOpen() throws SQLException {
        if (closed) throw new SQLException("the database is closed");
    }

    @Override
    public void close() {
        closed = true;
        if (checkpointer != null) {
            LockSupport.unpark(checkpointer);
            try {
                checkpointer.join(TimeUnit.SECONDS.toMillis(10)); // a pass in progress finishes; it is never cut off
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        writeLock.lock();
        try {
            for (PreparedStatement ps : writerCache.values()) {
                try {
                    ps.close();
                } catch (SQLException ignored) {
                    // closing
                }
            }
            writerCache.clear();
            closeQuietly(writer);
        } finally {
            writeLock.unlock();
        }
        synchronized (all) {
            for (Reader r : all) closeQuietly(r.connection());
            all.clear();
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing
        }
    }
}
