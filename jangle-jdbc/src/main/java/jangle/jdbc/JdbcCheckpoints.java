package jangle.jdbc;

import jangle.JangleException;
import jangle.LeaseLostException;
import jangle.spi.Checkpoint;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.Park;
import jangle.spi.StoreTransaction;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checkpoints of tracking processors (D17) in table {@code jangle_checkpoints} (schema 3), kept beside the events
 * because a projection's batch and a reactor's command commit with them (D15, D18).
 *
 * <p>Every write is one write transaction of the database: on SQLite it goes through the single writer (and its group
 * commit, each write in its own savepoint), so it is serialised with appends exactly as
 * {@link JdbcDatabase#inTransaction} is; on PostgreSQL it is a pooled transaction, and a claim locks the free rows it
 * takes with {@code FOR UPDATE SKIP LOCKED}, so two nodes claiming at once never take one segment (D21).
 *
 * <p><b>The transaction lent to a projection.</b> {@link #commit} runs its work with a {@link StoreTransaction} whose
 * {@code unwrap(java.sql.Connection.class)} is the transaction's connection, lent as {@link JdbcDatabase#inTransaction}
 * lends one, so {@link SqlBatch} and {@link SqlStatement} reuse its compiled statements; how a projection in another
 * module uses it is in {@link JdbcDatabase}'s class comment.
 */
final class JdbcCheckpoints implements Checkpoints {
    private static final String STORE = "checkpoints";
    /** lease_until of a free row. */
    private static final Instant FREE = Instant.EPOCH;

    private final Connections db;
    private final SqlDialect dialect;
    private final String lock;
    private final String migrationHead;
    private final String lastPosition;
    private final String insert;
    private final String ofProcessor;
    private final String all;
    private final String mine;
    /** PostgreSQL: the held rows not locked by another transaction (null on SQLite, whose writer is alone). */
    private final String mineLock;
    private final String free;
    private final String take;
    private final String release;
    private final String held;
    private final String releaseAll;
    private final String heartbeat;
    private final String expired;
    private final String alive;
    private final String forget;
    private final String advance;
    private final String advanceAndCommit;
    private final String park;
    private final String reset;
    private final String unparkAbove;
    private final Rows.Where rows;
    /** The database these checkpoints live in, lent with the transaction (null when built without one). */
    private final JdbcDatabase owner;

    JdbcCheckpoints(Connections db, Sql sql, JdbcDatabase owner) {
        this.db = db;
        this.owner = owner;
        this.dialect = db.dialect();
        this.lock = sql.optional("checkpoints.lock");
        this.migrationHead = sql.get("checkpoints.migrationHead");
        this.lastPosition = sql.get("events.lastPosition");
        this.insert = sql.get("checkpoints.insert");
        this.ofProcessor = sql.get("checkpoints.ofProcessor");
        this.all = sql.get("checkpoints.all");
        this.mine = sql.get("checkpoints.mine");
        this.mineLock = sql.optional("checkpoints.mineLock");
        this.free = sql.get("checkpoints.free");
        this.take = sql.get("checkpoints.take");
        this.release = sql.get("checkpoints.release");
        this.held = sql.get("checkpoints.held");
        this.releaseAll = sql.get("checkpoints.releaseAll");
        this.heartbeat = sql.get("checkpoints.heartbeat");
        this.expired = sql.get("checkpoints.expired");
        this.alive = sql.get("checkpoints.alive");
        this.forget = sql.get("checkpoints.forget");
        this.advance = sql.get("checkpoints.advance");
        this.advanceAndCommit = sql.optional("checkpoints.advanceAndCommit");
        this.park = sql.get("checkpoints.park");
        this.reset = sql.get("checkpoints.reset");
        this.unparkAbove = sql.get("checkpoints.unparkAbove");
        this.rows = new Rows.Where(STORE, "read", db.location(), "jangle_checkpoints");
    }

    /**
     * Inserts the processor's rows when it has none (on PostgreSQL under an advisory lock, so two nodes registering
     * one processor at once cannot store two segment counts), at 0 or the feed's head, but never below the head a
     * migration from the ledger recorded (D20, see {@link #startPosition}).
     */
    @Override
    public List<Checkpoint> register(String processor, int segments, Start start) {
        if (segments < 1) throw new IllegalArgumentException("segments must be >= 1, got " + segments);
        java.util.Objects.requireNonNull(processor, "processor");
        java.util.Objects.requireNonNull(start, "start");
        try {
            return db.write(s -> {
                if (lock != null) {
                    try (ResultSet rs = s.prepare(lock).executeQuery()) {
                        rs.next();
                    }
                }
                List<Checkpoint> stored = select(s.prepare(ofProcessor, processor));
                if (!stored.isEmpty()) return stored;
                long position = startPosition(s, start);
                Instant now = Instant.now();
                PreparedStatement ps = s.prepare(insert);
                for (int segment = 0; segment < segments; segment++) {
                    Values.bind(ps, 1, dialect, processor);
                    ps.setInt(2, segment);
                    ps.setInt(3, segments);
                    ps.setLong(4, position);
                    Values.bindInstant(ps, 5, dialect, FREE);
                    Values.bindInstant(ps, 6, dialect, now);
                    ps.addBatch();
                }
                ps.executeBatch();
                return select(s.prepare(ofProcessor, processor));
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "register", e);
        }
    }

    /**
     * D20: on a store migrated from the ledger, never below the recorded head (the ledger dispatched everything up to
     * it, and what was unfinished is parked); {@code HEAD} still means the head of now, which is at or above it, so a
     * processor added long after the migration with {@code HEAD} does not handle the history since the migration.
     */
    private long startPosition(Session s, Start start) throws SQLException {
        long from = 0;
        if (start == Start.HEAD) {
            try (ResultSet rs = s.prepare(lastPosition).executeQuery()) {
                if (rs.next()) from = rs.getLong(1);
            }
        }
        try (ResultSet rs = s.prepare(migrationHead).executeQuery()) {
            if (rs.next()) {
                long head = rs.getLong(1);
                if (!rs.wasNull()) return Math.max(head, from);
            }
        }
        return from;
    }

    @Override
    public List<Checkpoint> all() {
        try {
            return db.read(s -> select(s.prepare(all)));
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "all", e);
        }
    }

    /**
     * One transaction: the segments {@code owner} holds; above {@code target} the highest are freed; below it free or
     * expired rows are locked (PostgreSQL: skipping rows another claim has locked) and taken; every kept or taken row
     * gets the new lease, with an update that re-checks the row is still its own or free.
     *
     * <p>On PostgreSQL the claim never waits for a row lock: an append or a commit moving one of the owner's
     * checkpoints holds that row until its commit, and a group of appends moving several could otherwise deadlock
     * with a claim that locks them in another order. A held row that is locked just now is still reported held (its
     * lease has not run out) and is renewed by the next round, a third of a lease later.
     */
    @Override
    public List<Checkpoint> claim(String processor, String owner, Instant now, Duration lease, int target) {
        Instant until = now.plus(lease);
        try {
            return db.write(s -> {
                List<Integer> holding = segments(s.prepare(mine, processor, owner, now));
                // the held rows this transaction can lock now (all of them on SQLite, whose writer is alone)
                List<Integer> lockable = mineLock == null ? new ArrayList<>(holding)
                        : segments(s.prepare(mineLock, processor, owner, now));
                List<Integer> renew = new ArrayList<>(lockable);
                int excess = holding.size() - Math.max(0, target);
                for (int i = lockable.size() - 1; i >= 0 && excess > 0; i--, excess--) { // highest segments first
                    int segment = lockable.get(i);
                    s.prepare(release, FREE, processor, segment, owner).executeUpdate();
                    holding.remove((Integer) segment);
                    renew.remove((Integer) segment);
                }
                if (holding.size() < target) {
                    // own expired rows are free too; they are simply taken again
                    try (ResultSet rs = s.prepare(free, processor, now, target - holding.size()).executeQuery()) {
                        while (rs.next() && holding.size() < target) {
                            int segment = rs.getInt(1);
                            if (!holding.contains(segment)) {
                                holding.add(segment);
                                renew.add(segment);
                            }
                        }
                    }
                }
                if (!renew.isEmpty()) {
                    PreparedStatement ps = s.prepare(take);
                    for (int segment : renew) {
                        ps.setString(1, owner);
                        Values.bindInstant(ps, 2, dialect, until);
                        ps.setString(3, processor);
                        ps.setInt(4, segment);
                        ps.setString(5, owner);
                        Values.bindInstant(ps, 6, dialect, now);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return select(s.prepare(held, processor, owner, now));
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "claim", e);
        }
    }

    /**
     * One write transaction on {@code jangle_nodes}: renews {@code node} until {@code now + lease}, deletes rows that
     * have run out (they would not count anyway; node ids of restarts would otherwise pile up) and lists the live
     * nodes, sorted in Java's string order, which every node agrees on whatever the database's collation.
     */
    @Override
    public List<String> heartbeat(String node, Instant now, Duration lease) {
        java.util.Objects.requireNonNull(node, "node");
        try {
            return db.write(s -> {
                s.prepare(heartbeat, node, now.plus(lease)).executeUpdate();
                s.prepare(expired, now).executeUpdate();
                List<String> out = new ArrayList<>();
                try (ResultSet rs = s.prepare(alive, now).executeQuery()) {
                    while (rs.next()) out.add(rs.getString(1));
                }
                java.util.Collections.sort(out);
                return out;
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "heartbeat", e);
        }
    }

    @Override
    public void releaseAll(String owner) {
        try {
            db.write(s -> {
                s.prepare(forget, owner).executeUpdate();
                return s.prepare(releaseAll, FREE, owner).executeUpdate();
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "releaseAll", e);
        }
    }

    /**
     * One write transaction: {@code work} on the lent connection, then the parks (each replacing the row of its
     * delivery), then the fenced advances; a work that throws or an advance whose owner lost the segment rolls all of
     * it back. Unchecked exceptions of the work pass through; its {@link SQLException}s become a
     * {@link jangle.StoreException} ({@link SqlErrors}), other checked ones a {@link JangleException}.
     */
    @Override
    public void commit(List<Completion.Advance> advances, List<Park> parks, Work work) {
        java.util.Objects.requireNonNull(advances, "advances");
        java.util.Objects.requireNonNull(parks, "parks");
        java.util.Objects.requireNonNull(work, "work");
        try {
            db.write(s -> {
                if (work != Work.NONE) runWork(s, work);
                if (!parks.isEmpty()) {
                    PreparedStatement ps = s.prepare(park);
                    for (Park p : parks) {
                        Values.bindUuid(ps, 1, dialect, p.key().eventId());
                        ps.setString(2, p.key().handler());
                        ps.setLong(3, p.position());
                        Values.bindUuid(ps, 4, dialect, p.correlationId());
                        ps.setString(5, p.dead() ? "DEAD" : "PENDING");
                        ps.setInt(6, p.attempts());
                        Values.bindInstant(ps, 7, dialect, p.failedAt());
                        Values.bindInstant(ps, 8, dialect, p.failedAt());
                        Values.bindInstant(ps, 9, dialect, p.failedAt());
                        ps.setString(10, p.error());
                        ps.setString(11, p.owner());
                        if (parks.size() == 1) ps.executeUpdate();
                        else ps.addBatch();
                    }
                    if (parks.size() > 1) ps.executeBatch();
                }
                if (advances.size() == 1 && advanceAndCommit != null) {
                    advanceAndCommit(s, advances.getFirst());
                } else if (!advances.isEmpty()) {
                    Instant now = Instant.now();
                    PreparedStatement ps = s.prepare(advance);
                    List<Completion.Advance> ordered = new ArrayList<>(advances); // one lock order for every writer
                    ordered.sort(java.util.Comparator.comparing(Completion.Advance::processor)
                            .thenComparingInt(Completion.Advance::segment));
                    for (Completion.Advance a : ordered) { // one by one: each needs its own row count
                        ps.setLong(1, a.position());
                        Values.bindInstant(ps, 2, dialect, now);
                        ps.setString(3, a.processor());
                        ps.setInt(4, a.segment());
                        ps.setString(5, a.owner());
                        if (ps.executeUpdate() == 0) {
                            throw new LeaseLostException(a.processor(), a.segment(), a.owner()); // rolls back all
                        }
                    }
                }
                return null;
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "commit", e);
        }
    }

    /**
     * The one advance and the COMMIT in one round trip (PostgreSQL, schema-004): the text ends the transaction, so the
     * write's own commit afterwards finds none open and sends nothing. A lost lease raises {@code JG001} in the
     * advance, the server then skips the COMMIT, and the write rolls the transaction back.
     */
    private void advanceAndCommit(Session s, Completion.Advance a) throws SQLException {
        PreparedStatement ps = s.prepare(advanceAndCommit);
        ps.setLong(1, a.position());
        Values.bindInstant(ps, 2, dialect, Instant.now());
        ps.setString(3, a.processor());
        ps.setInt(4, a.segment());
        ps.setString(5, a.owner());
        try {
            ps.execute();
        } catch (SQLException e) {
            if (SqlErrors.leaseLost(e)) throw new LeaseLostException(a.processor(), a.segment(), a.owner());
            throw e;
        }
    }

    /** Runs {@code work} with the session's connection lent (as inTransaction lends it), so SqlBatch reuses it. */
    private void runWork(Session s, Work work) throws SQLException {
        Tx tx = new Tx(s.connection(), dialect, owner);
        try {
            s.lend(c -> {
                try {
                    work.run(tx);
                } catch (SQLException | RuntimeException | Error e) {
                    throw e;
                } catch (Exception e) {
                    throw new JangleException("a processor's work failed: " + e.getMessage(), e);
                }
                return null;
            });
        } finally {
            tx.closed = true; // valid only during the call (StoreTransaction)
        }
    }

    @Override
    public int reset(String processor, long position) {
        if (position < 0) throw new IllegalArgumentException("position must be >= 0, got " + position);
        try {
            return db.write(s -> {
                int changed = s.prepare(reset, position, FREE, Instant.now(), processor).executeUpdate();
                s.prepare(unparkAbove, processor, position).executeUpdate();
                return changed;
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "reset", e);
        }
    }

    private static List<Integer> segments(PreparedStatement ps) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(rs.getInt(1));
        }
        return out;
    }

    private List<Checkpoint> select(PreparedStatement ps) throws SQLException {
        List<Checkpoint> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(checkpoint(rs));
        }
        return out;
    }

    private Checkpoint checkpoint(ResultSet rs) throws SQLException {
        String processor = rs.getString(1);
        String row = "processor " + processor + " segment " + rs.getInt(2);
        try {
            Rows.required(processor, rows, row, "processor");
            int segment = (int) Rows.requiredLong(rs, 2, rows, row, "segment");
            int segments = (int) Rows.requiredLong(rs, 3, rows, row, "segments");
            long position = Rows.requiredLong(rs, 4, rows, row, "position");
            String owner = rs.getString(5);
            Instant until = Rows.required(Values.instant(rs, 6, dialect), rows, row, "lease_until");
            Instant updated = Rows.required(Values.instant(rs, 7, dialect), rows, row, "updated_at");
            return new Checkpoint(processor, segment, segments, position, Optional.ofNullable(owner), until, updated);
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw rows.damaged(row, "a column holds a value its type cannot have: " + e.getMessage());
        }
    }

    /** The transaction lent to a processor's work: its connection, dialect and database, during the call only. */
    private static final class Tx implements StoreTransaction {
        private final Connection connection;
        private final SqlDialect dialect;
        private final JdbcDatabase database;
        volatile boolean closed;

        Tx(Connection connection, SqlDialect dialect, JdbcDatabase database) {
            this.connection = connection;
            this.dialect = dialect;
            this.database = database;
        }

        @Override
        public <T> Optional<T> unwrap(Class<T> type) {
            if (closed) throw new IllegalStateException("the store transaction is over: use it only during the call");
            if (type == Connection.class) return Optional.of(type.cast(connection));
            if (type == SqlDialect.class) return Optional.of(type.cast(dialect));
            if (type == JdbcDatabase.class) return Optional.ofNullable(type.cast(database));
            return Optional.empty();
        }
    }
}
