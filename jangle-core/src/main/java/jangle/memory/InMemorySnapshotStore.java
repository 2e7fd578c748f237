package jangle.memory;

import jangle.spi.Snapshot;
import jangle.spi.SnapshotStore;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory snapshot store (S8): one snapshot per aggregate; storing an older version than the one held is a
 * no-op; deleting a missing snapshot is not an error. The state record is kept as the object itself (records are
 * immutable), and returned with a null state when the requested fingerprint differs (S3). Thread-safe.
 */
public final class InMemorySnapshotStore implements SnapshotStore {
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();

    @Override
    public Optional<Snapshot> get(String aggregateId, Class<? extends Record> stateType, String fingerprint) {
        Snapshot s = snapshots.get(aggregateId);
        if (s == null) return Optional.empty();
        boolean usable = s.fingerprint().equals(fingerprint) && stateType.isInstance(s.state());
        return Optional.of(usable ? s
                : new Snapshot(s.aggregateId(), s.version(), s.position(), s.fingerprint(), null));
    }

    @Override
    public void put(Snapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        snapshots.merge(snapshot.aggregateId(), snapshot,
                (held, offered) -> offered.version() < held.version() ? held : offered);
    }

    @Override
    public void delete(String aggregateId) {
        snapshots.remove(aggregateId);
    }
}
