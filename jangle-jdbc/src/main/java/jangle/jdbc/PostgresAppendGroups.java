package jangle.jdbc;

import jangle.LeaseLostException;
import jangle.VersionConflictException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit of the event store's appends on PostgreSQL (G5). The feed's order needs every append of every node to
 * hold one transaction-scoped advisory lock from taking its positions to its commit (G3a), so appends cannot overlap
 * and, with a flush per commit, each paid its own WAL flush inside that lock. Here appends that queue up behind a
 * running one in this process are run by one leader thread in ONE transaction under ONE advisory lock, and commit
 * with one flush; each caller returns only after that commit (or with its own error).
 *
 * <p><b>Why the order holds.</b> Members run one after another in the transaction, so each one's check reads the
 * positions and versions its predecessors wrote (read committed sees the transaction's own rows), and the lock is held
 * until the single commit, which makes every member visible at once: no reader can see a later position before an
 * earlier one (G1), across this process and other nodes alike.
 *
 * <p><b>Why one member's conflict fails only that member.</b> A work may throw {@link VersionConflictException} or
 * {@link LeaseLostException} only before it writes (the append checks every version first, ST4, then moves its
 * completing checkpoint with an update fenced by the owner, D21, which writes nothing when it matches no row), so
 * that refusal leaves the transaction untouched:
 * the member gets it (and its command retries) while the others go on. Any other error inside a member (a duplicate
 * event id, a broken statement) may have written rows or aborted the PostgreSQL transaction; then the group is rolled
 * back and each member that had not failed is run again in a transaction of its own, so only the faulty member fails. This keeps the
 * common path free of savepoint round trips. A commit that fails fails every member; nothing was acknowledged.
 *
 * <p><b>Round trips.</b> The lock and a run of appends of one store, each of one aggregate's events
 * ({@link JdbcEventStore.OneAppend}), go to
 * the server as one multi-statement text ({@link JdbcEventStore#pipelined}), which the server runs in order, each
 * statement with a fresh snapshot, as if sent one by one. When the whole group is such a run, the text is sent with
 * auto-commit on, so the server commits it before it answers: a group costs ONE round trip, and the lock is held for
 * the statements and the flush only ({@link #runInOneTrip}). A group that holds other work (several aggregates in one
 * append) sends the lock and its runs the same way and commits in a second round trip.
 *
 * <p>With one appender at a time nothing changes: a group of one is one transaction, as before.
 */
final class PostgresAppendGroups {
    /** Most appends committed together; bounds how long the first of a group waits for the last. */
    private static final int MAX_GROUP = 64;
    /**
     * A waiting appender re-checks this often even if nobody wakes it: a safety net only, since every wake is explicit
     * (the leader wakes its group's members when their commit is done, and the next queued appender to lead). A short
     * period woke each waiter about five times per commit (JFR: 5.1 parks per command at 200 µs), each wake-up a
     * context switch on cores the commit needs.
     */
    private static final long PARK_NANOS = 10_000_000;

    private final DataSource pool;
    private final ReentrantLock leader = new ReentrantLock();
    private final ConcurrentLinkedQueue<Queued<?>> queued = new ConcurrentLinkedQueue<>();

    PostgresAppendGroups(DataSource pool) {
        this.pool = pool;
    }

    /** Runs {@code work} after {@code lockSql} in a (possibly shared) transaction and returns after its commit. */
    <T> T run(String lockSql, Connections.Work<T> work, Connections owner) throws SQLException {
        Queued<T> mine = new Queued<>(work, Thread.currentThread());
        queued.add(mine);
        while (!mine.done) {
            if (leader.tryLock()) {
                try {
                    if (!mine.done) runGroup(lockSql, owner);
                } finally {
                    leader.unlock();
                }
                Queued<?> next = queued.peek();
                if (next != null) LockSupport.unpark(next.thread); // it leads the next group
            } else {
                LockSupport.parkNanos(this, PARK_NANOS); // woken when done or when it should lead
            }
        }
        return mine.outcome();
    }

    /** Appends waiting for a leader (for tests). */
    int waiting() {
        return queued.size();
    }

    private void runGroup(String lockSql, Connections owner) {
        List<Queued<?>> group = new ArrayList<>();
        for (Queued<?> q; group.size() < MAX_GROUP && (q = queued.poll()) != null; ) group.add(q);
        if (group.isEmpty()) return;
        try {
            boolean aborted = runTogether(lockSql, group, owner);
            if (aborted) {
                for (Queued<?> q : group) {
                    if (q.error != null) continue;
                    q.result = null;
                    runTogether(lockSql, List.of(q), owner); // alone: only a faulty member fails
                }
            }
        } catch (Throwable t) {
            for (Queued<?> q : group) if (q.error == null) q.error = t;
        } finally {
            for (Queued<?> q : group) {
                q.done = true;
                LockSupport.unpark(q.thread);
            }
        }
    }

    /**
     * One transaction for {@code members}: lock, each member, commit. Returns true when a database error in a member
     * of a larger group aborted the transaction (nothing committed; the members without their own error are to be
     * run again); sets each member's result or error otherwise.
     */
    private boolean runTogether(String lockSql, List<Queued<?>> members, Connections owner)
            throws SQLException {
        if (lockSql != null && pipelinedRun(members, 0, lockSql) == members.size()
                && !((JdbcEventStore.OneAppend) members.getFirst().work).store().hooked()) {
            return runInOneTrip(members, owner);
        }
        try (Connection c = pool.getConnection(); Session session = new Session(c, SqlDialect.POSTGRESQL, null)) {
            c.setAutoCommit(false);
            try {
                boolean locked = lockSql == null;
                boolean anyOk = false;
                for (int i = 0; i < members.size(); ) {
                    int run = pipelinedRun(members, i, lockSql);
                    if (run > 0) {
                        try {
                            anyOk |= runPipelined(session, members.subList(i, i + run), !locked);
                        } catch (Throwable t) {
                            // a database error (a duplicate event id, a broken connection) in one of them: it may
                            // have aborted the transaction, and which member caused it is not known
                            if (members.size() > 1) return abandon(c, members); // only a faulty one fails alone
                            members.get(i).error = t;
                        }
                        locked = true;
                        i += run;
                        continue;
                    }
                    if (!locked) {
                        try (ResultSet rs = session.prepare(lockSql).executeQuery()) {
                            rs.next(); // G3a: held until the commit
                        }
                        locked = true;
                    }
                    Queued<?> q = members.get(i++);
                    try {
                        q.run(session);
                        anyOk = true;
                    } catch (VersionConflictException | LeaseLostException e) {
                        // the append's ST4 check and its fenced checkpoint advance (an UPDATE that matched no row)
                        // refuse before it writes: the transaction is intact
                        q.error = e;
                    } catch (Throwable t) {
                        q.error = t;
                        if (members.size() > 1) return abandon(c, members); // it may have written or aborted
                    }
                }
                if (anyOk) {
                    c.commit();
                    countCommitted(members, owner);
                } else {
                    c.rollback();
                }
                return false;
            } catch (Throwable t) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is broken; Hikari evicts it
                }
                for (Queued<?> q : members) if (q.error == null) q.error = t;
                return false;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // a broken connection; Hikari evicts it when it is closed
                }
            }
        }
    }

    /**
     * The lock and every member in ONE round trip that also commits: sent with auto-commit on, the text's statements
     * run in the one implicit transaction that the server commits (or, on any error, rolls back) when it reaches the
     * end of the text (PostgreSQL's extended protocol: at the Sync message), before it answers. So the lock is held
     * for the statements and the flush only, and the members read their outcomes after the commit: refusals wrote
     * nothing, as in {@link #runPipelined}. The hand-off in feed order (D16) still runs under {@link #leader}, so this
     * process hands its groups over in commit order.
     *
     * <p>When sending fails, the server either refused a statement (then it rolled the whole text back, and each member
     * of a larger group runs again alone, as {@link #abandon} does) or the connection broke (then whether it committed
     * is unknown, and every member fails with that error: none is told it committed, none is run twice).
     */
    private boolean runInOneTrip(List<Queued<?>> members, Connections owner) throws SQLException {
        try (Connection c = pool.getConnection(); Session session = new Session(c, SqlDialect.POSTGRESQL, null)) {
            if (!c.getAutoCommit()) c.setAutoCommit(true);
            PreparedStatement sent;
            try {
                sent = send(session, members, true);
            } catch (SQLException e) {
                if (members.size() > 1 && !PostgresConnections.lostConnection(e)) {
                    for (Queued<?> q : members) q.result = null;
                    return true;
                }
                for (Queued<?> q : members) q.error = e;
                return false;
            }
            boolean anyOk;
            try {
                anyOk = readOutcomes(sent, members, true);
            } catch (SQLException | RuntimeException e) { // committed, but a result could not be read: not run again
                for (Queued<?> q : members) if (q.error == null && q.result == null) q.error = e;
                anyOk = true;
            }
            if (anyOk) countCommitted(members, owner);
            return false;
        }
    }

    private static void countCommitted(List<Queued<?>> members, Connections owner) {
        int committed = 0;
        for (Queued<?> q : members) if (q.error == null) committed++;
        owner.countCommit(committed);
        Connections.reportCommitted(owner.telemetry, committed);
    }

    /** Rolls the group back so that each member runs again alone; returns true, as {@link #runTogether} does then. */
    private static boolean abandon(Connection c, List<Queued<?>> members) throws SQLException {
        c.rollback();
        for (Queued<?> q : members) q.result = null;
        return true;
    }

    /**
     * How many members from {@code from} on are one-event appends of one store that can be sent together, with the
     * lock {@code lockSql} in front if it is not held yet ({@link JdbcEventStore#pipelined}); 0 when the member at
     * {@code from} is not one.
     */
    private static int pipelinedRun(List<Queued<?>> members, int from, String lockSql) {
        if (!(members.get(from).work instanceof JdbcEventStore.OneAppend first)) return 0;
        if (lockSql != null && !lockSql.equals(first.store().lockSql())) return 0;
        int n = 1;
        int statements = first.statements();
        while (from + n < members.size()
                && members.get(from + n).work instanceof JdbcEventStore.OneAppend next && next.store() == first.store()
                && statements + next.statements() <= JdbcEventStore.MAX_PIPELINED) {
            statements += next.statements();
            n++;
        }
        return n;
    }

    /**
     * Sends {@code run} (appends of one store), after the feed's lock when {@code withLock}, in one round
     * trip, and sets each member's result or refusal; refusals wrote nothing, so the transaction stays intact. Returns
     * whether any member's append was written. A database error propagates (the transaction may be aborted).
     */
    private static boolean runPipelined(Session session, List<Queued<?>> run, boolean withLock) throws SQLException {
        return readOutcomes(send(session, run, withLock), run, withLock);
    }

    /** Binds and executes {@code run}'s text (after the lock when {@code withLock}); returns the executed statement. */
    private static PreparedStatement send(Session session, List<Queued<?>> run, boolean withLock) throws SQLException {
        List<JdbcEventStore.OneAppend> appends = new ArrayList<>(run.size());
        for (Queued<?> q : run) appends.add((JdbcEventStore.OneAppend) q.work);
        PreparedStatement ps = session.prepare(appends.getFirst().store().pipelined(withLock, appends));
        int offset = 0;
        for (JdbcEventStore.OneAppend a : appends) offset = a.bind(ps, offset);
        ps.execute();
        return ps;
    }

    /** Sets each member of {@code run} to its result or refusal from {@code ps}; returns whether any was written. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static boolean readOutcomes(PreparedStatement ps, List<Queued<?>> run, boolean withLock)
            throws SQLException {
        boolean current = !withLock; // else the lock's own row comes first, and is not read
        boolean anyOk = false;
        for (Queued q : run) {
            try {
                q.result = ((JdbcEventStore.OneAppend) q.work).outcome(ps, current);
                anyOk = true;
            } catch (VersionConflictException | LeaseLostException refused) {
                q.error = refused; // wrote nothing: the others go on
            }
            current = false;
        }
        return anyOk;
    }

    /** One queued append and what became of it; {@code done} is published after the fields. */
    private static final class Queued<T> {
        final Connections.Work<T> work;
        final Thread thread;
        T result;
        Throwable error;
        volatile boolean done;

        Queued(Connections.Work<T> work, Thread thread) {
            this.work = work;
            this.thread = thread;
        }

        void run(Session session) throws SQLException {
            result = work.run(session);
        }

        T outcome() throws SQLException {
            if (error == null) return result;
            throw Connections.rethrow(error);
        }
    }
}
