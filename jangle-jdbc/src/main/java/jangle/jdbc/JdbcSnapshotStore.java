package jangle.jdbc;

import jangle.json.JsonCodec;
import jangle.spi.Snapshot;
import jangle.spi.SnapshotStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;

/**
 * The SQL snapshot store (S8): one row per aggregate. {@link #put} is one upsert whose update applies only when the
 * stored version is not newer, so an older snapshot never replaces a newer one even when two writers race. The state
 * is JSON ({@link JsonCodec#writeState}); it is decoded only when the stored fingerprint equals the requested one
 * (S3), otherwise the snapshot is returned with a null state. A state that cannot be decoded raises
 * {@link jangle.SerializationException}; the command handler then deletes it and replays (S5, S6).
 */
final class JdbcSnapshotStore implements SnapshotStore {
    private static final String STORE = "snapshot store";

    private final Connections db;
    private final JsonCodec codec;
    private final String get;
    private final String put;
    private final String delete;

    JdbcSnapshotStore(Connections db, Sql sql, JsonCodec codec) {
        this.db = db;
        this.codec = codec;
        this.get = sql.get("snapshots.get");
        this.put = sql.get("snapshots.put");
        this.delete = sql.get("snapshots.delete");
    }

    @Override
    public Optional<Snapshot> get(String aggregateId, Class<? extends Record> stateType, String fingerprint) {
        record Row(long version, long position, String fingerprint, String state) {
        }
        Row row;
        try {
            row = db.read(s -> {
                try (ResultSet rs = s.prepare(get, aggregateId).executeQuery()) {
                    if (!rs.next()) return null;
                    Rows.Where where = new Rows.Where(STORE, "get", db.location(), "jangle_snapshots");
                    String at = "aggregate '" + aggregateId + "'";
                    return new Row(Rows.requiredLong(rs, 1, where, at, "version"),
                            Rows.requiredLong(rs, 2, where, at, "position"),
                            Rows.required(rs.getString(3), where, at, "fingerprint"),
                            Rows.required(rs.getString(4), where, at, "state"));
                }
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "get", e);
        }
        if (row == null) return Optional.empty();
        Record state = row.fingerprint().equals(fingerprint) ? codec.readState(stateType, row.state()) : null;
        return Optional.of(new Snapshot(aggregateId, row.version(), row.position(), row.fingerprint(), state));
    }

    @Override
    public void put(Snapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(snapshot.state(), "snapshot state"); // S7: any non-null state is valid
        String json = codec.writeState(snapshot.state());
        try {
            db.write(s -> s.prepare(put, snapshot.aggregateId(), snapshot.version(), snapshot.position(),
                    snapshot.fingerprint(), json).executeUpdate());
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "put", e);
        }
    }

    @Override
    public void delete(String aggregateId) {
        try {
            db.write(s -> s.prepare(delete, aggregateId).executeUpdate());
        } catch (SQLException e) {
            throw SqlErrors.storeError(STORE, "delete", e);
        }
    }
}
