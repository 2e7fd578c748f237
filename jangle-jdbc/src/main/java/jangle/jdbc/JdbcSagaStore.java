package jangle.jdbc;

import jangle.Event;
import jangle.SerializationException;
import jangle.TypeRegistry;
import jangle.VersionConflictException;
import jangle.json.JsonCodec;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import jangle.spi.SagaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL saga store (SG7, SG8).
 *
 * <p>A commit is one transaction: a new saga is inserted with {@code ON CONFLICT DO NOTHING}, an existing one updated
 * {@code WHERE version = expectedVersion}; when no row was written another commit won and
 * {@link VersionConflictException}(sagaId, expectedVersion + 1) is raised with nothing written (SG4). The new history
 * events are inserted under the saga version that commit produced, so {@link #get} reads exactly the events of the
 * version it read (a consistent pair without a long read transaction). {@code complete} and {@code timedOut} are
 * separate columns (bug #17); times are UTC instants (PostgreSQL {@code timestamptz}, SQLite fixed-width text), so
 * {@link #dueIds} compares instants (bug #20) and honours its limit in SQL (bug #23).
 */
final class JdbcSagaStore implements SagaStore {
    private static final Logger LOG = LoggerFactory.getLogger("jangle.store.sagas");
    private static final String STORE = "saga store";

    private final Connections db;
    private final JsonCodec codec;
    private final String get;
    private final String events;
    private final String insert;
    private final String update;
    private final String insertEvent;
    private final String insertChecked;
    private final String updateChecked;
    /** One-trip texts by {@code events * 2 + (insert ? 1 : 0)}; see {@link #oneTripText}. */
    private final java.util.concurrent.ConcurrentHashMap<Integer, String> oneTripTexts =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final String due;
    private final String claim;
    private final String claimMark;
    private final String listOpen;
    private final String listAll;
    private final String backlog;

    JdbcSagaStore(Connections db, Sql sql, JsonCodec codec) {
        this.db = db;
        this.codec = codec;
        this.get = sql.get("sagas.get");
        this.events = sql.get("sagas.events");
        this.insert = sql.get("sagas.insert");
        this.update = sql.get("sagas.update");
        this.insertEvent = sql.get("sagas.insertEvent");
        this.insertChecked = sql.optional("sagas.insertChecked");
        this.updateChecked = sql.optional("sagas.updateChecked");
        this.due = sql.get("sagas.due");
        this.claim = sql.get("sagas.claim");
        this.claimMark = sql.get("sagas.claimMark");
        this.listOpen = sql.get("sagas.listOpen");
        this.listAll = sql.get("sagas.listAll");
        this.backlog = sql.get("sagas.backlog");
    }

    @Override
    public Optional<SagaState> get(String sagaId) {
        try {
            return Optional.ofNullable(db.read(s -> load(s, sagaId)));
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "get", e);
        }
    }

    private SagaState load(Session s, String sagaId) throws SQLException {
        String type;
        long version;
        Instant retryAt;
        Instant timeoutAt;
        boolean complete;
        boolean timedOut;
        Instant wakeAt;
        try (ResultSet rs = s.prepare(get, sagaId).executeQuery()) {
            if (!rs.next()) return null;
            Rows.Where where = new Rows.Where(STORE, "get", db.location(), "jangle_sagas");
            String at = "saga '" + sagaId + "'";
            type = Rows.required(rs.getString(1), where, at, "saga_type");
            version = Rows.requiredLong(rs, 2, where, at, "version");
            try {
                retryAt = Values.instant(rs, 3, s.dialect());
                timeoutAt = Values.instant(rs, 4, s.dialect());
                wakeAt = Values.instant(rs, 7, s.dialect());
            } catch (java.time.DateTimeException e) { // SQLite keeps times as text
                throw where.damaged(at, "a time column holds text that is not a time: " + e.getMessage());
            }
            complete = rs.getBoolean(5);
            timedOut = rs.getBoolean(6);
        }
        List<SagaEventEntry> history = new ArrayList<>();
        try (ResultSet rs = s.prepare(events, sagaId, version).executeQuery()) {
            while (rs.next()) {
                Rows.Where where = new Rows.Where(STORE, "get", db.location(), "jangle_saga_events");
                String at = "saga '" + sagaId + "' entry " + (history.size() + 1);
                var id = Rows.required(Values.uuid(rs, 1, s.dialect()), where, at, "event_id");
                JsonCodec.Decoded d = codec.decode(id, Rows.required(rs.getString(2), where, at, "type"),
                        (int) Rows.requiredLong(rs, 3, where, at, "schema_version"),
                        Rows.required(rs.getString(4), where, at, "payload"));
                history.add(new SagaEventEntry(id, d.typeName(), d.event(), Values.instant(rs, 5, s.dialect())));
            }
        }
        return new SagaState(sagaId, type, version, retryAt, timeoutAt, complete, timedOut, wakeAt, history);
    }

    @Override
    public void commit(SagaState state, long expectedVersion, List<SagaEventEntry> newEvents) {
        if (state.version() != expectedVersion + 1) {
            throw new VersionConflictException(state.sagaId(), expectedVersion + 1);
        }
        int n = newEvents.size();
        String[] payloads = new String[n];
        int[] schemas = new int[n];
        for (int i = 0; i < n; i++) {
            Event event = newEvents.get(i).event();
            schemas[i] = schemaOf(newEvents.get(i));
            payloads[i] = codec.writeEvent(event);
        }
        try {
            db.write(s -> {
                Object[] fields = {state.sagaType(), state.version(), state.retryAt(), state.timeoutAt(),
                        state.complete(), state.timedOut(), state.wakeAt(), state.sagaId()};
                if (insertChecked != null && n <= MAX_ONE_TRIP_EVENTS) {
                    commitInOneTrip(s, state, expectedVersion, fields, newEvents, schemas, payloads);
                    return null;
                }
                int rows;
                if (expectedVersion == 0) {
                    rows = s.prepare(insert, fields).executeUpdate();
                } else {
                    Object[] withVersion = java.util.Arrays.copyOf(fields, fields.length + 1);
                    withVersion[fields.length] = expectedVersion;
                    rows = s.prepare(update, withVersion).executeUpdate();
                }
                if (rows != 1) throw new VersionConflictException(state.sagaId(), expectedVersion + 1);
                if (n > 0) {
                    PreparedStatement ps = s.prepare(insertEvent);
                    for (int i = 0; i < n; i++) {
                        SagaEventEntry e = newEvents.get(i);
                        Values.bind(ps, 1, s.dialect(), state.sagaId());
                        Values.bind(ps, 2, s.dialect(), state.version());
                        Values.bind(ps, 3, s.dialect(), i);
                        Values.bindUuid(ps, 4, s.dialect(), e.eventId());
                        Values.bind(ps, 5, s.dialect(), e.type());
                        Values.bind(ps, 6, s.dialect(), schemas[i]);
                        Values.bind(ps, 7, s.dialect(), payloads[i]);
                        Values.bindInstant(ps, 8, s.dialect(), e.recordedAt());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
        } catch (SQLException e) {
            if (SqlErrors.violation(db.dialect(), e) == SqlErrors.Violation.SAGA_ID) {
                throw new VersionConflictException(state.sagaId(), expectedVersion + 1);
            }
            throw SqlErrors.storeError(STORE, "commit", e);
        }
    }

    /** Beyond this many new events a commit takes the statement-by-statement path (texts are cached per count). */
    private static final int MAX_ONE_TRIP_EVENTS = 16;

    /**
     * PostgreSQL: the saga's row with its version checked in the server, its new events and the COMMIT in one text,
     * one round trip; the write's own commit afterwards finds no transaction open and sends nothing. A saga not at the
     * expected version raises {@code JG002} (a new saga that exists already: the same), the server skips the rest, and
     * the write rolls back; the caller sees {@link VersionConflictException} as on the other path.
     */
    private void commitInOneTrip(Session s, SagaState state, long expectedVersion, Object[] fields,
                                 List<SagaEventEntry> newEvents, int[] schemas, String[] payloads) throws SQLException {
        int n = newEvents.size();
        PreparedStatement ps = s.prepare(oneTripText(expectedVersion == 0, n));
        int at = 1;
        for (Object f : fields) Values.bind(ps, at++, s.dialect(), f);
        if (expectedVersion != 0) Values.bind(ps, at++, s.dialect(), expectedVersion);
        Values.bind(ps, at++, s.dialect(), state.sagaId());
        for (int i = 0; i < n; i++) {
            SagaEventEntry e = newEvents.get(i);
            Values.bind(ps, at++, s.dialect(), state.sagaId());
            Values.bind(ps, at++, s.dialect(), state.version());
            Values.bind(ps, at++, s.dialect(), i);
            Values.bindUuid(ps, at++, s.dialect(), e.eventId());
            Values.bind(ps, at++, s.dialect(), e.type());
            Values.bind(ps, at++, s.dialect(), schemas[i]);
            Values.bind(ps, at++, s.dialect(), payloads[i]);
            Values.bindInstant(ps, at++, s.dialect(), e.recordedAt());
        }
        try {
            ps.execute();
        } catch (SQLException e) {
            if (SqlErrors.sagaChanged(e)) throw new VersionConflictException(state.sagaId(), expectedVersion + 1);
            throw e;
        }
    }

    private String oneTripText(boolean insert, int events) {
        return oneTripTexts.computeIfAbsent(events * 2 + (insert ? 1 : 0), k -> {
            StringBuilder text = new StringBuilder(insert ? insertChecked : updateChecked);
            for (int i = 0; i < events; i++) text.append(";\n").append(insertEvent);
            return text.append(";\nCOMMIT").toString();
        });
    }

    private int schemaOf(SagaEventEntry entry) {
        TypeRegistry types = codec.types();
        return types.byName(entry.type())
                .filter(info -> info.type() == entry.event().getClass())
                .map(TypeRegistry.EventTypeInfo::schemaVersion)
                .orElseGet(() -> {
                    try {
                        return types.byType(entry.event().getClass()).schemaVersion();
                    } catch (RuntimeException e) {
                        throw new SerializationException(entry.eventId(), entry.type(), 0,
                                "saga event type " + entry.event().getClass().getName() + " is not registered", e);
                    }
                });
    }

    @Override
    public List<String> dueIds(Instant now, int limit) {
        if (limit <= 0) return List.of();
        try {
            return db.read(s -> ids(s.prepare(due, now, limit)));
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "dueIds", e);
        }
    }

    @Override
    public List<String> claimDue(Instant now, java.time.Duration lease, int limit) {
        if (limit <= 0) return List.of();
        try {
            return db.write(s -> {
                List<String> out = ids(s.prepare(claim, now, now, limit));
                if (out.isEmpty()) return out;
                PreparedStatement mark = s.prepare(claimMark);
                for (String id : out) {
                    Values.bind(mark, 1, s.dialect(), now.plus(lease));
                    Values.bind(mark, 2, s.dialect(), id);
                    mark.addBatch();
                }
                mark.executeBatch();
                return out;
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "claimDue", e);
        }
    }

    @Override
    public List<SagaState> list(boolean includeFinished, int limit) {
        if (limit <= 0) return List.of();
        try {
            return db.read(s -> {
                List<SagaState> out = new ArrayList<>();
                for (String id : ids(s.prepare(includeFinished ? listAll : listOpen, limit))) {
                    try {
                        SagaState state = load(s, id);
                        if (state != null) out.add(state);
                    } catch (SerializationException e) {
                        // one unreadable history must not hide every other saga from the operator
                        LOG.atWarn().addKeyValue("point", "saga.unreadable").addKeyValue("sagaId", id).setCause(e)
                                .log("saga left out of the list: its history cannot be read");
                    }
                }
                return out;
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "list", e);
        }
    }

    private static List<String> ids(PreparedStatement ps) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    /** One query over the open sagas. */
    @Override
    public jangle.spi.SagaBacklog backlog(Instant now, Instant overdueAt) {
        try {
            return db.read(s -> {
                try (ResultSet rs = s.prepare(backlog, now, overdueAt).executeQuery()) {
                    rs.next();
                    return new jangle.spi.SagaBacklog(rs.getLong(1), rs.getLong(2), rs.getLong(3));
                }
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "backlog", e);
        }
    }
}
