package jangle;

/**
 * Opt-in snapshots for an aggregate (§6). {@code S} is a record holding the whole state; any non-null state is a
 * valid snapshot, including a record with no components (S7). A snapshot is taken when a commit moves the aggregate
 * over a multiple of {@link #snapshotFrequency()} of its own versions (S1).
 *
 * @param <S> the state record
 */
public interface Snapshottable<S extends Record> {
    /** Take a snapshot every this many versions; 0 or less turns snapshots off. */
    int snapshotFrequency();

    /** The current state as a record. */
    S snapshot();

    /** Restores the state; the framework then sets the version to the snapshot's version. */
    void applySnapshot(S state);

    /**
     * Bump when the meaning of the state changes without a change of its shape; part of the fingerprint (S3) so old
     * snapshots are discarded by themselves.
     */
    default int snapshotSchemaVersion() {
        return 1;
    }
}
