package jangle.spi;

import java.util.Optional;

/**
 * Keeps one snapshot per aggregate (S8). Storing an older version than the one held is a no-op; deleting a missing
 * snapshot is not an error. Failures raise {@link jangle.StoreException} or {@link jangle.SerializationException};
 * the command handler never lets them fail a command (S6).
 */
public interface SnapshotStore {
    /**
     * The stored snapshot. When its fingerprint equals {@code fingerprint} the state is decoded as {@code stateType};
     * otherwise it is returned with a null state and its own fingerprint.
     */
    Optional<Snapshot> get(String aggregateId, Class<? extends Record> stateType, String fingerprint);

    void put(Snapshot snapshot);

    void delete(String aggregateId);
}
