package jangle.jdbc;

import jangle.DuplicateEventIdException;
import jangle.EventRecord;
import jangle.JangleException;
import jangle.LeaseLostException;
import jangle.Metadata;
import jangle.SerializationException;
import jangle.VersionConflictException;
import jangle.json.JsonCodec;
import jangle.spi.AppendResult;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.Delivery;
import jangle.spi.DeliveryKey;
import jangle.spi.DeliveryStatus;
import jangle.spi.DispatchLedger;
import jangle.spi.EventStore;
import jangle.spi.FeedFilter;
import jangle.spi.FeedPage;
import jangle.spi.NewEvent;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The SQL event store and its dispatch ledger (§7, §8.2) for SQLite and PostgreSQL.
 *
 * <p><b>Append</b> is one transaction: (PostgreSQL) take the append advisory lock; check each aggregate's first new
 * version against its stored last version (ST4); read the highest position; move the completing processor's
 * checkpoint, fenced by its owner ({@link Completion.Advance}, D15, D21), which refuses with
 * {@link LeaseLostException} before anything is written; insert the events with the next positions and nothing else
 * for dispatch (D1); delete the resolved parked delivery ({@link Completion.Resolve}); commit. Both refusals (version,
 * lease) come before the first write, so in a group commit they fail only their own append. On PostgreSQL one event
 * is all of that in one statement ({@code append.one}), several events of one aggregate one statement each in one
 * text ({@code append.next} after the first), and appends queued behind a running one share its lock,
 * transaction and commit ({@link PostgresAppendGroups}, G5); on SQLite the single writer groups them the same way. Unique
 * (aggregate id, version) and unique event id in the schema stay as the race-proof backstop; their violations are
 * translated by {@link SqlErrors}. Payloads are serialised before the transaction starts, so the serialised span holds
 * no JSON work.
 *
 * <p><b>Global feed without skips (G1–G3).</b> Positions are assigned as {@code max(position) + 1} by the appender
 * while it holds the one write lock of the database, and that lock is held until the commit: SQLite's single
 * writer (in-process lock plus {@code BEGIN IMMEDIATE}); on PostgreSQL {@code pg_advisory_xact_lock}, which is
 * released only after the commit has become visible. So a transaction with a lower position always commits before
 * any transaction with a higher one takes its positions: position order is commit order, and a reader that saw
 * position p can never later see a position below p. No reader heuristics, no timeouts (G2). A rolled-back append
 * takes no number at all. The price is that appends (not reads, not other writes) are serialised, which a single
 * SQL database does for the contended index pages anyway.
 *
 * <p><b>Reads</b> never hold a cursor across writes (bug #22): {@link #read} fetches {@code batchSize} events per
 * statement with a keyset ({@code version > last seen ORDER BY version LIMIT n}) on a connection that is returned
 * after each batch.
 */
final class JdbcEventStore implements EventStore, DispatchLedger, jangle.Telemetry.Observed {
    private static final String STORE = "event store";
    private static final String LEDGER = "dispatch ledger";

    private final Connections db;
    private final SqlDialect dialect;
    private final JsonCodec codec;
    private final int batchSize;
    private final AppendListener listener;

    private final String lockSql;
    /** PostgreSQL: the one-statement append of one event (null on SQLite, whose statements cost no round trip). */
    private final String appendOne;
    /** PostgreSQL: a later event of the same aggregate after {@link #appendOne}, in the same text. */
    private final String appendNext;
    private final String check;
    private final String insertEvent;
    private final String advance;
    private final String range;
    private final String correlatedSql;
    private final JdbcCheckpoints checkpoints;
    private final String existingId;
    private final String lastVersion;
    private final String lastPosition;
    private final String stream;
    private final String feed;
    private final String byId;
    private final String due;
    private final String claim;
    private final String claimOwn;
    private final String claimMark;
    private final String list;
    private final String listHandler;
    private final String delete;
    private final String getDelivery;
    private final String fail;
    private final String retry;
    private final String retryEvent;
    private final String retryHandler;
    private final String retryAll;
    private final String lowest;
    private final String count;
    private final String handlers;
    private final Rows.Where eventRows;
    private final Rows.Where deliveryRows;

    private final String backlog;
    private final String positionTime;

    /** Group commits of appends are reported to {@code telemetry} ({@link jangle.Telemetry#appendsCommitted}). */
    @Override
    public void observe(jangle.Telemetry telemetry) {
        db.telemetry = telemetry == null ? jangle.Telemetry.NONE : telemetry;
    }

    JdbcEventStore(Connections db, Sql sql, JsonCodec codec, int batchSize, AppendListener listener,
                   JdbcDatabase owner) {
        this.db = db;
        this.eventRows = new Rows.Where(STORE, "read", db.location(), "jangle_events");
        this.deliveryRows = new Rows.Where(LEDGER, "read", db.location(), "jangle_deliveries");
        this.dialect = db.dialect();
        this.codec = codec;
        this.batchSize = Math.max(1, batchSize);
        this.listener = listener == null ? AppendListener.NONE : listener;
        this.lockSql = sql.optional("append.lock");
        this.appendOne = sql.optional("append.one");
        this.appendNext = sql.optional("append.next");
        this.check = sql.get("append.check");
        this.insertEvent = sql.get("append.insertEvent");
        this.advance = sql.get("append.advance");
        this.range = sql.get("events.range");
        this.correlatedSql = sql.get("events.correlated");
        this.checkpoints = new JdbcCheckpoints(db, sql, owner);
        this.existingId = sql.get("append.existingIds");
        this.lastVersion = sql.get("events.lastVersion");
        this.lastPosition = sql.get("events.lastPosition");
        this.stream = sql.get("events.stream");
        this.feed = sql.get("events.feed");
        this.byId = sql.get("events.byId");
        this.due = sql.get("ledger.due");
        this.claim = sql.get("ledger.claim");
        this.claimOwn = sql.get("ledger.claimOwn");
        this.claimMark = sql.get("ledger.claimMark");
        this.list = sql.get("ledger.list");
        this.listHandler = sql.get("ledger.listHandler");
        this.delete = sql.get("ledger.delete");
        this.getDelivery = sql.get("ledger.get");
        this.fail = sql.get("ledger.fail");
        this.retry = sql.get("ledger.retry");
        this.retryEvent = sql.get("ledger.retryEvent");
        this.retryHandler = sql.get("ledger.retryHandler");
        this.retryAll = sql.get("ledger.retryAll");
        this.lowest = sql.get("ledger.lowest");
        this.count = sql.get("ledger.count");
        this.handlers = sql.get("ledger.handlers");
        this.backlog = sql.get("ledger.backlog");
        this.positionTime = sql.get("ledger.positionTime");
    }

    // ======================= EventStore =======================

    @Override
    public AppendResult append(List<NewEvent> events, Completion completing) {
        return append(events, completing, null);
    }

    @Override
    public AppendResult append(List<NewEvent> events, Completion completing, Runnable inFeedOrder) {
        if (events.isEmpty()) return new AppendResult(List.of()); // commits nothing, so completes nothing (D15)
        Map<String, Long> firstVersions = checkShape(events);
        int n = events.size();
        String[] payloads = new String[n];
        String[] entries = new String[n];
        for (int i = 0; i < n; i++) {
            NewEvent e = events.get(i);
            payloads[i] = codec.writeEvent(e.event());
            Map<String, String> m = e.metadata().entries();
            entries[i] = m.isEmpty() ? null : codec.writeEntries(m);
        }
        try {
            if (appendOne != null && (n == 1 || firstVersions.size() == 1 && n <= MAX_PIPELINED)) {
                // one aggregate's events: one statement each, sent in one text (with the group's lock in front)
                return db.append(lockSql, new OneAppend(events, payloads, entries, completing, inFeedOrder));
            }
            return db.append(lockSql, s -> { // G3a lock taken by db.append; G5: maybe one commit for several
                // one statement reads the highest position and the first aggregate's last version (ST4)
                long position = 0;
                boolean first = true;
                for (Map.Entry<String, Long> f : firstVersions.entrySet()) {
                    long last;
                    if (first) {
                        try (ResultSet rs = s.prepare(check, f.getKey()).executeQuery()) {
                            rs.next();
                            position = rs.getLong(1);
                            last = rs.getLong(2);
                        }
                        first = false;
                    } else {
                        last = queryLong(s.prepare(lastVersion, f.getKey()));
                    }
                    if (f.getValue() != last + 1) throw new VersionConflictException(f.getKey(), f.getValue());
                }
                if (completing instanceof Completion.Advance a) advance(s, a); // refuses before the first write
                List<EventRecord<?>> records = new ArrayList<>(n);
                PreparedStatement ins = s.prepare(insertEvent);
                for (int i = 0; i < n; i++) {
                    NewEvent e = events.get(i);
                    long p = ++position;
                    Metadata md = e.metadata();
                    ins.setLong(1, p);
                    Values.bindUuid(ins, 2, dialect, e.eventId());
                    ins.setString(3, e.aggregateId());
                    ins.setLong(4, e.version());
                    ins.setString(5, e.type());
                    ins.setInt(6, e.schemaVersion());
                    Values.bindInstant(ins, 7, dialect, e.createdAt());
                    Values.bindUuid(ins, 8, dialect, md.correlationId());
                    Values.bindUuid(ins, 9, dialect, md.causationId());
                    ins.setString(10, entries[i]);
                    ins.setString(11, payloads[i]);
                    if (n == 1) ins.executeUpdate();
                    else ins.addBatch();
                    records.add(new EventRecord<>(e.eventId(), e.aggregateId(), e.version(), e.type(),
                            e.schemaVersion(), e.createdAt(), p, md, e.event()));
                }
                if (n > 1) ins.executeBatch();
                if (completing instanceof Completion.Resolve r) {
                    PreparedStatement done = s.prepare(delete);
                    Values.bindUuid(done, 1, dialect, r.parked().eventId());
                    done.setString(2, r.parked().handler());
                    done.executeUpdate();
                }
                listener.positionsTaken(records);
                if (inFeedOrder != null) inFeedOrder.run(); // still under the feed's order (D16)
                return new AppendResult(records);
            });
        } catch (SQLException e) {
            throw appendFailure(events, firstVersions, e);
        }
    }

    /**
     * The fenced checkpoint move of {@code a} (D15, D21) in the append's transaction; refuses with
     * {@link LeaseLostException} when {@code a}'s owner no longer holds the segment (the update then wrote nothing).
     */
    private void advance(Session s, Completion.Advance a) throws SQLException {
        int rows = s.prepare(advance, a.position(), java.time.Instant.now(), a.processor(), a.segment(), a.owner())
                .executeUpdate();
        if (rows == 0) throw new LeaseLostException(a.processor(), a.segment(), a.owner());
    }

    /**
     * Whether a test hook ({@link AppendListener}) must run inside the append's transaction, before its commit; the
     * group runner then commits in a round trip of its own instead of in the appends' one.
     */
    boolean hooked() {
        return listener != AppendListener.NONE;
    }

    /** The feed's lock statement (PostgreSQL), taken before the first append of a transaction. */
    String lockSql() {
        return lockSql;
    }

    /** Most statements sent in one pipelined round trip ({@link #pipelined}). */
    static final int MAX_PIPELINED = 32;
    /** Most texts of runs with several events kept ({@link #pipelined(boolean, List)}); a bound, not a tuning knob. */
    private static final int MAX_CHAIN_TEXTS = 256;
    private final Map<String, String> chainTexts = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * {@link #pipelined} texts by count (index 0: with the lock in front; 1: without). Filled lazily without a lock:
     * two threads that race build the same immutable text.
     */
    private final String[][] pipelinedTexts = new String[2][MAX_PIPELINED + 1];

    /**
     * The text that runs the feed's lock (when {@code withLock}) and then {@code count} {@code append.one} statements,
     * as one multi-statement text: the driver sends its statements in one round trip and the server runs them in
     * order, each with a fresh snapshot (read committed), so each one sees the lock held and the rows of the ones
     * before it, exactly as when they are sent one by one.
     */
    String pipelined(boolean withLock, List<OneAppend> run) {
        boolean single = true;
        for (OneAppend a : run) single &= a.statements() == 1;
        if (single) return pipelined(withLock, run.size());
        StringBuilder key = new StringBuilder(withLock ? "L" : "");
        for (OneAppend a : run) key.append(',').append(a.statements());
        String text = chainTexts.get(key.toString());
        if (text != null) return text;
        StringBuilder b = new StringBuilder();
        if (withLock) b.append(lockSql);
        for (OneAppend a : run) {
            for (int i = 0; i < a.statements(); i++) {
                b.append(b.isEmpty() ? "" : ";\n").append(i == 0 ? appendOne : appendNext);
            }
        }
        text = b.toString();
        if (chainTexts.size() < MAX_CHAIN_TEXTS) chainTexts.put(key.toString(), text);
        return text;
    }

    /** The text of {@code count} one-event appends, after the lock when {@code withLock}. */
    String pipelined(boolean withLock, int count) {
        String[] texts = pipelinedTexts[withLock ? 0 : 1];
        String text = texts[count];
        if (text == null) {
            StringBuilder b = new StringBuilder();
            if (withLock) b.append(lockSql);
            for (int i = 0; i < count; i++) b.append(b.isEmpty() ? "" : ";\n").append(appendOne);
            texts[count] = text = b.toString();
        }
        return text;
    }

    /**
     * PostgreSQL, one aggregate's events: for the first, check, fenced checkpoint advance, position, event and the
     * resolved parked delivery in ONE statement ({@code append.one}); for each later one, {@code append.next}, which
     * writes only when the one before it was written, so the run commits whole or not at all. Alone it runs after the
     * lock; in a group commit, {@link PostgresAppendGroups} sends the lock and a run of these, and usually the commit
     * too, in one round trip ({@link #pipelined}), so the group's transaction holds the feed's lock for the
     * statements' execution and the commit, not for a round trip per member or per event.
     */
    final class OneAppend implements Connections.Work<AppendResult> {
        private final List<NewEvent> events;
        private final String[] payloads;
        private final String[] entries;
        private final Completion.Advance adv;
        private final DeliveryKey resolved;
        private final Runnable inFeedOrder;

        OneAppend(List<NewEvent> events, String[] payloads, String[] entries, Completion completing,
                  Runnable inFeedOrder) {
            this.events = events;
            this.payloads = payloads;
            this.entries = entries;
            this.adv = completing instanceof Completion.Advance a ? a : null;
            this.resolved = completing instanceof Completion.Resolve r ? r.parked() : null;
            this.inFeedOrder = inFeedOrder;
        }

        JdbcEventStore store() {
            return JdbcEventStore.this;
        }

        /** Statements (and result rows) of this append: one per event. */
        int statements() {
            return events.size();
        }

        @Override
        public AppendResult run(Session s) throws SQLException {
            PreparedStatement ps = s.prepare(pipelined(false, List.of(this)));
            bind(ps, 0);
            ps.execute();
            return outcome(ps, true);
        }

        /** Binds this append's parameters after the first {@code offset} of {@code ps}; returns the next offset. */
        int bind(PreparedStatement ps, int offset) throws SQLException {
            int o = offset;
            for (int i = 0; i < events.size(); i++) {
                NewEvent e = events.get(i);
                Metadata md = e.metadata();
                ps.setString(o + 1, e.aggregateId());
                ps.setLong(o + 2, e.version() - 1);
                if (i == 0) {
                    ps.setLong(o + 3, adv == null ? 0 : adv.position());
                    Values.bindInstant(ps, o + 4, dialect, java.time.Instant.now());
                    ps.setString(o + 5, adv == null ? null : adv.processor());
                    ps.setInt(o + 6, adv == null ? -1 : adv.segment());
                    ps.setString(o + 7, adv == null ? null : adv.owner());
                    o += 7;
                } else {
                    Values.bindUuid(ps, o + 3, dialect, events.get(i - 1).eventId()); // written just before it
                    o += 3;
                }
                Values.bindUuid(ps, o + 1, dialect, e.eventId());
                ps.setString(o + 2, e.aggregateId());
                ps.setLong(o + 3, e.version());
                ps.setString(o + 4, e.type());
                ps.setInt(o + 5, e.schemaVersion());
                Values.bindInstant(ps, o + 6, dialect, e.createdAt());
                Values.bindUuid(ps, o + 7, dialect, md.correlationId());
                Values.bindUuid(ps, o + 8, dialect, md.causationId());
                ps.setString(o + 9, entries[i]);
                ps.setString(o + 10, payloads[i]);
                o += 10;
                if (i == 0) {
                    ps.setString(o + 1, adv == null ? null : adv.processor());
                    Values.bindUuid(ps, o + 2, dialect, resolved == null ? null : resolved.eventId());
                    ps.setString(o + 3, resolved == null ? null : resolved.handler());
                    o += 3;
                }
            }
            return o;
        }

        /**
         * The result of this append from its statements' rows, read from {@code ps} (its first row is the current
         * result when {@code current}, else the next one); refuses with {@link VersionConflictException} or
         * {@link LeaseLostException} when the first statement wrote nothing (then none did: before any write, as
         * Connections.append requires). Runs the hook and the feed-ordered hand-off (D16) still under the feed's lock,
         * or, when the group runner committed in the same round trip, after the commit but still under the group's
         * leader, which keeps this process's hand-offs in commit order.
         */
        AppendResult outcome(PreparedStatement ps, boolean current) throws SQLException {
            int n = events.size();
            long[] positions = new long[n];
            int firstRefused = -1;
            boolean versionRefused = false;
            for (int i = 0; i < n; i++) {
                if (!(current && i == 0) && !ps.getMoreResults()) {
                    throw new SQLException("the append of " + n + " events returned " + i + " results");
                }
                try (ResultSet rs = ps.getResultSet()) {
                    if (!rs.next()) throw new SQLException("append.one returned no row");
                    positions[i] = rs.getLong(1);
                    if (rs.wasNull() && firstRefused < 0) {
                        firstRefused = i;
                        versionRefused = !rs.getBoolean(2);
                    }
                }
            }
            NewEvent first = events.getFirst();
            if (firstRefused == 0) {
                if (versionRefused) throw new VersionConflictException(first.aggregateId(), first.version());
                throw new LeaseLostException(adv.processor(), adv.segment(), adv.owner());
            }
            if (firstRefused > 0) { // cannot happen under the feed's lock: the run was cut after a written event
                throw new SQLException("append.next refused event " + (firstRefused + 1) + " of " + n + " of '"
                        + first.aggregateId() + "' after the ones before it were written");
            }
            List<EventRecord<?>> records = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                NewEvent e = events.get(i);
                records.add(new EventRecord<>(e.eventId(), e.aggregateId(), e.version(), e.type(), e.schemaVersion(),
                        e.createdAt(), positions[i], e.metadata(), e.event()));
            }
            listener.positionsTaken(records);
            if (inFeedOrder != null) inFeedOrder.run();
            return new AppendResult(records);
        }
    }

    /** ST4 within the append (consecutive versions per aggregate) and unique ids within it; returns first versions. */
    private static Map<String, Long> checkShape(List<NewEvent> events) {
        Map<String, Long> first = new LinkedHashMap<>();
        Map<String, Long> next = new LinkedHashMap<>();
        Set<UUID> ids = new HashSet<>();
        for (NewEvent e : events) {
            if (!ids.add(e.eventId())) throw new DuplicateEventIdException(e.eventId());
            Long expected = next.get(e.aggregateId());
            if (expected == null) first.put(e.aggregateId(), e.version());
            else if (e.version() != expected) throw new VersionConflictException(e.aggregateId(), e.version());
            next.put(e.aggregateId(), e.version() + 1);
        }
        return first;
    }

    /** Translates a failed append; for a unique violation, finds the event or stream that conflicted. */
    private JangleException appendFailure(List<NewEvent> events, Map<String, Long> firstVersions, SQLException e) {
        SqlErrors.Violation v = SqlErrors.violation(dialect, e);
        try {
            if (v == SqlErrors.Violation.EVENT_ID) {
                for (NewEvent ne : events) {
                    boolean exists = db.read(s -> {
                        try (ResultSet rs = s.prepare(existingId, ne.eventId()).executeQuery()) {
                            return rs.next();
                        }
                    });
                    if (exists) return new DuplicateEventIdException(ne.eventId());
                }
                return new DuplicateEventIdException(events.get(0).eventId());
            }
            if (v == SqlErrors.Violation.STREAM_VERSION) {
                for (Map.Entry<String, Long> f : firstVersions.entrySet()) {
                    if (lastVersion(f.getKey()) >= f.getValue()) {
                        return new VersionConflictException(f.getKey(), f.getValue());
                    }
                }
                return new VersionConflictException(events.get(0).aggregateId(), events.get(0).version());
            }
        } catch (SQLException | RuntimeException ignored) {
            // the lookup failed too: report the original error below
        }
        return SqlErrors.storeError(STORE, "append", e);
    }

    @Override
    public Stream<EventRecord<?>> read(String aggregateId, long afterVersion) {
        Iterator<EventRecord<?>> batches = new Iterator<>() {
            private long after = afterVersion;
            private List<EventRecord<?>> batch = List.of();
            private int index;
            private boolean exhausted;

            @Override
            public boolean hasNext() {
                if (index < batch.size()) return true;
                if (exhausted) return false;
                batch = fetch(after);
                index = 0;
                if (batch.size() < batchSize) exhausted = true;
                if (batch.isEmpty()) return false;
                after = batch.get(batch.size() - 1).version();
                return true;
            }

            @Override
            public EventRecord<?> next() {
                if (!hasNext()) throw new NoSuchElementException();
                return batch.get(index++);
            }

            private List<EventRecord<?>> fetch(long afterVersion) {
                return readList("read", s -> s.prepare(stream, aggregateId, afterVersion, batchSize));
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(batches,
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    @Override
    public List<EventRecord<?>> readFeed(long afterPosition, int limit) {
        if (limit <= 0) return List.of();
        return readList("readFeed", s -> s.prepare(feed, afterPosition, limit));
    }

    /**
     * One range query over {@code limit} positions (the feed is gapless, G1); the aggregate id and type of each row
     * are read first and only the rows {@code filter} accepts have their payload decoded (D17), so a segment reader
     * pays for its own events and an unreadable payload of another segment does not fail its read. An accepted row
     * whose payload cannot be decoded is returned in {@link FeedPage#unreadable()} (D14) and the read goes on.
     */
    @Override
    public FeedPage readFeed(long afterPosition, int limit, FeedFilter filter) {
        if (limit <= 0) return new FeedPage(List.of(), afterPosition);
        long upTo = afterPosition + limit < afterPosition ? Long.MAX_VALUE : afterPosition + limit;
        long[] lastRead = {-1};
        try {
            return db.read(s -> {
                List<EventRecord<?>> out = new ArrayList<>();
                List<FeedPage.Unreadable> unreadable = List.of();
                long scanned = afterPosition;
                try (ResultSet rs = s.prepare(range, afterPosition, upTo).executeQuery()) {
                    while (rs.next()) {
                        scanned = rs.getLong(1);
                        lastRead[0] = scanned;
                        String aggregateId = rs.getString(3);
                        String type = rs.getString(5);
                        // a row too damaged to say its segment goes to record(), which names what is wrong
                        if (aggregateId != null && type != null && !filter.accepts(aggregateId, type)) continue;
                        try {
                            out.add(record(rs));
                        } catch (SerializationException e) { // D14: fails only its own handlers, who park it
                            if (unreadable.isEmpty()) unreadable = new ArrayList<>(2);
                            unreadable.add(unreadable(rs, e));
                        }
                    }
                }
                return new FeedPage(out, unreadable, scanned);
            });
        } catch (SQLException e) {
            if (Rows.corrupt(e)) {
                throw eventRows.damaged(lastRead[0] < 0 ? "(at the first row of this read)"
                        : "after position " + lastRead[0], "SQLite reports the file damaged: " + e.getMessage());
            }
            throw SqlErrors.storeError(STORE, "readFeed", e);
        }
    }

    /** The facts of a row whose payload {@link #record} could not decode (its columns were read already). */
    private FeedPage.Unreadable unreadable(ResultSet rs, SerializationException e) throws SQLException {
        long position = rs.getLong(1);
        String row = "position " + position;
        try {
            return new FeedPage.Unreadable(position,
                    Rows.required(Values.uuid(rs, 2, dialect), eventRows, row, "event_id"), rs.getString(3),
                    rs.getString(5), Rows.required(Values.uuid(rs, 8, dialect), eventRows, row, "correlation_id"),
                    e.getMessage());
        } catch (IllegalArgumentException bad) {
            throw eventRows.damaged(row, "a column holds a value its type cannot have: " + bad.getMessage());
        }
    }

    @Override
    public List<EventRecord<?>> correlated(UUID correlationId, int limit) {
        if (limit <= 0) return List.of();
        return readList("correlated", s -> s.prepare(correlatedSql, correlationId, limit));
    }

    @Override
    public Checkpoints checkpoints() {
        return checkpoints;
    }

    @Override
    public Optional<EventRecord<?>> readEvent(UUID eventId) {
        List<EventRecord<?>> found = readList("readEvent", s -> s.prepare(byId, eventId));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    private interface Query {
        PreparedStatement prepare(Session s) throws SQLException;
    }

    private List<EventRecord<?>> readList(String operation, Query query) {
        long[] lastRead = {-1};
        try {
            return db.read(s -> {
                List<EventRecord<?>> out = new ArrayList<>();
                try (ResultSet rs = query.prepare(s).executeQuery()) {
                    while (rs.next()) {
                        out.add(record(rs));
                        lastRead[0] = out.getLast().position();
                    }
                }
                return out;
            });
        } catch (SQLException e) {
            if (Rows.corrupt(e)) { // SQLite cannot say which row; say the file, the table and where we were
                throw new Rows.Where(STORE, operation, db.location(), "jangle_events").damaged(
                        lastRead[0] < 0 ? "(at the first row of this read)" : "after position " + lastRead[0],
                        "SQLite reports the file damaged: " + e.getMessage());
            }
            throw SqlErrors.storeError(STORE, operation, e);
        }
    }

    /**
     * One event row; the payload is upcast to the current type (J6) and its type and schema version reported. A row
     * that breaks the schema's promises (a NULL id, an id that is not a UUID: what a damaged page reads back as) is
     * refused naming the database, the table and the position (issue 17).
     */
    private EventRecord<?> record(ResultSet rs) throws SQLException {
        long position = rs.getLong(1);
        String row = "position " + position;
        Rows.Where where = eventRows;
        UUID id;
        UUID correlation;
        UUID causation;
        Instant createdAt;
        try {
            id = Rows.required(Values.uuid(rs, 2, dialect), where, row, "event_id");
            createdAt = Rows.required(Values.instant(rs, 7, dialect), where, row, "created_at");
            correlation = Rows.required(Values.uuid(rs, 8, dialect), where, row, "correlation_id");
            causation = Values.uuid(rs, 9, dialect);
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            // a UUID or time column holding text that is not one (SQLite keeps both as text)
            throw where.damaged(row, "a column holds a value its type cannot have: " + e.getMessage());
        }
        String aggregateId = Rows.required(rs.getString(3), where, row, "aggregate_id");
        long version = Rows.requiredLong(rs, 4, where, row, "version");
        String type = Rows.required(rs.getString(5), where, row, "type");
        int schema = (int) Rows.requiredLong(rs, 6, where, row, "schema_version");
        String entries = rs.getString(10);
        String payload = Rows.required(rs.getString(11), where, row, "payload");
        if (version < 1) throw where.damaged(row, "version " + version + " is not a stream version (1 or more)");
        JsonCodec.Decoded d = codec.decode(id, type, schema, payload);
        Metadata metadata = new Metadata(correlation, causation, entries == null ? Map.of() : codec.readEntries(entries));
        return new EventRecord<>(id, aggregateId, version, d.typeName(), d.schemaVersion(), createdAt, position,
                metadata, d.event());
    }

    @Override
    public long lastVersion(String aggregateId) {
        try {
            return db.read(s -> queryLong(s.prepare(lastVersion, aggregateId)));
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "lastVersion", e);
        }
    }

    @Override
    public long lastPosition() {
        try {
            return db.read(s -> queryLong(s.prepare(lastPosition)));
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "lastPosition", e);
        }
    }

    private static long queryLong(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    @Override
    public DispatchLedger ledger() {
        return this;
    }

    // ======================= DispatchLedger =======================

    @Override
    public List<Delivery> due(Instant now, Duration maxAge, int limit) {
        if (limit <= 0) return List.of();
        Instant cutoff = now.minus(maxAge); // due when the age counts from at or before now − maxAge (bug #19)
        return deliveries("due", s -> s.prepare(due, cutoff, limit));
    }

    @Override
    public List<Delivery> claim(String owner, Instant now, Duration maxAge, long maxPosition, boolean includeOwn,
                                int limit) {
        if (limit <= 0) return List.of();
        Instant cutoff = now.minus(maxAge);
        try {
            return db.write(s -> {
                List<Delivery> out = new ArrayList<>();
                PreparedStatement select = includeOwn
                        ? s.prepare(claimOwn, maxPosition, cutoff, owner, limit)
                        : s.prepare(claim, maxPosition, cutoff, limit);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) out.add(delivery(rs));
                }
                if (out.isEmpty()) return out;
                PreparedStatement mark = s.prepare(claimMark);
                for (Delivery d : out) {
                    Values.bindInstant(mark, 1, dialect, now);
                    mark.setString(2, owner);
                    Values.bindUuid(mark, 3, dialect, d.eventId());
                    mark.setString(4, d.handler());
                    mark.addBatch();
                }
                mark.executeBatch();
                return out;
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(LEDGER, "claim", e);
        }
    }

    @Override
    public List<Delivery> list(DeliveryStatus status, String handler, int limit) {
        if (status == DeliveryStatus.DONE || limit <= 0) return List.of();
        return deliveries("list", s -> handler == null
                ? s.prepare(list, status.name(), limit)
                : s.prepare(listHandler, handler, status.name(), limit));
    }

    private List<Delivery> deliveries(String operation, Query query) {
        try {
            return db.read(s -> {
                List<Delivery> out = new ArrayList<>();
                try (ResultSet rs = query.prepare(s).executeQuery()) {
                    while (rs.next()) out.add(delivery(rs));
                }
                return out;
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(LEDGER, operation, e);
        }
    }

    private Delivery delivery(ResultSet rs) throws SQLException {
        long position = rs.getLong(6);
        String row = "position " + position;
        try {
            UUID eventId = Rows.required(Values.uuid(rs, 1, dialect), deliveryRows, row, "event_id");
            String handler = Rows.required(rs.getString(2), deliveryRows, row, "handler");
            String status = Rows.required(rs.getString(7), deliveryRows, row, "status");
            return new Delivery(eventId, handler, rs.getString(3), rs.getString(4),
                    rs.getLong(5), position, DeliveryStatus.valueOf(status), rs.getInt(8),
                    Values.instant(rs, 9, dialect), Values.instant(rs, 10, dialect), Values.instant(rs, 11, dialect),
                    rs.getString(12), Values.uuid(rs, 13, dialect));
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            // a UUID, time or status column holding text that is not one (SQLite keeps them as text)
            throw deliveryRows.damaged(row, "a column holds a value its type cannot have: " + e.getMessage());
        }
    }

    @Override
    public void markDone(Collection<DeliveryKey> deliveries) {
        if (deliveries.isEmpty()) return;
        try {
            db.write(s -> {
                PreparedStatement ps = s.prepare(delete);
                for (DeliveryKey k : deliveries) {
                    Values.bindUuid(ps, 1, dialect, k.eventId());
                    ps.setString(2, k.handler());
                    ps.addBatch();
                }
                ps.executeBatch();
                return null;
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(LEDGER, "markDone", e);
        }
    }

    @Override
    public DeliveryStatus recordFailure(DeliveryKey delivery, String error, Instant now, int deadLetterAttempts) {
        try {
            return db.write(s -> {
                DeliveryStatus status;
                int attempts;
                try (ResultSet rs = s.prepare(getDelivery, delivery.eventId(), delivery.handler()).executeQuery()) {
                    if (!rs.next()) return DeliveryStatus.DONE;
                    status = DeliveryStatus.valueOf(rs.getString(1));
                    attempts = rs.getInt(2) + 1;
                }
                if (attempts >= deadLetterAttempts) status = DeliveryStatus.DEAD; // D11: parked
                s.prepare(fail, status.name(), attempts, now, now, error, now, delivery.eventId(), delivery.handler())
                        .executeUpdate();
                return status;
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(LEDGER, "recordFailure", e);
        }
    }

    @Override
    public int retry(UUID eventId, String handler) {
        return update("retry", handler == null
                ? s -> s.prepare(retryEvent, Instant.EPOCH, eventId)
                : s -> s.prepare(retry, Instant.EPOCH, eventId, handler));
    }

    @Override
    public int retryAll(String handler) {
        return update("retryAll", handler == null
                ? s -> s.prepare(retryAll, Instant.EPOCH)
                : s -> s.prepare(retryHandler, Instant.EPOCH, handler));
    }

    @Override
    public boolean skip(DeliveryKey delivery, String reason) {
        return update("skip", s -> s.prepare(delete, delivery.eventId(), delivery.handler())) > 0;
    }

    private int update(String operation, Query query) {
        try {
            return db.write(s -> query.prepare(s).executeUpdate());
        } catch (SQLException e) {
            throw SqlErrors.storeError(LEDGER, operation, e);
        }
    }

    @Override
    public OptionalLong lowestPosition(String handler, DeliveryStatus status) {
        if (status == DeliveryStatus.DONE) return OptionalLong.empty();
        try {
            return db.read(s -> {
                try (ResultSet rs = s.prepare(lowest, handler, status.name()).executeQuery()) {
                    if (!rs.next()) return OptionalLong.empty();
                    long p = rs.getLong(1);
                    return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(p);
                }
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(LEDGER, "lowestPosition", e);
        }
    }

    @Override
    public long count(UUID correlationId, DeliveryStatus status) {
        if (status == DeliveryStatus.DONE) return 0;
        try {
            return db.read(s -> queryLong(s.prepare(count, correlationId, status.name())));
        } catch (SQLException e) {
            throw SqlErrors.storeError(LEDGER, "count", e);
        }
    }

    @Override
    public List<String> handlersWithWork() {
        try {
            return db.read(s -> {
                List<String> out = new ArrayList<>();
                try (ResultSet rs = s.prepare(handlers).executeQuery()) {
                    while (rs.next()) out.add(rs.getString(1));
                }
                return List.copyOf(out);
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(LEDGER, "handlersWithWork", e);
        }
    }

    /** One grouped query, then the commit time of each handler's oldest pending event (one indexed read each). */
    @Override
    public List<jangle.spi.HandlerBacklog> backlog() {
        try {
            return db.read(s -> {
                Map<String, long[]> byHandler = new java.util.TreeMap<>(); // pending, dead, lowest pending position
                try (ResultSet rs = s.prepare(backlog).executeQuery()) {
                    while (rs.next()) {
                        long[] row = byHandler.computeIfAbsent(rs.getString(1), h -> new long[3]);
                        if (DeliveryStatus.valueOf(rs.getString(2)) == DeliveryStatus.PENDING) {
                            row[0] = rs.getLong(3);
                            row[2] = rs.getLong(4);
                        } else {
                            row[1] = rs.getLong(3);
                        }
                    }
                }
                List<jangle.spi.HandlerBacklog> out = new ArrayList<>(byHandler.size());
                for (Map.Entry<String, long[]> e : byHandler.entrySet()) {
                    long[] row = e.getValue();
                    Instant oldest = null;
                    if (row[0] > 0) {
                        try (ResultSet rs = s.prepare(positionTime, row[2]).executeQuery()) {
                            if (rs.next()) oldest = Values.instant(rs, 1, dialect);
                        }
                    }
                    out.add(new jangle.spi.HandlerBacklog(e.getKey(), row[0], row[1], oldest, row[2]));
                }
                return List.copyOf(out);
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(LEDGER, "backlog", e);
        }
    }
}
