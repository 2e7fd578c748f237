package jangle.test;

import jangle.spi.Snapshot;
import jangle.spi.SnapshotStore;

import java.util.Optional;

/** A {@link SnapshotStore} that passes every call to another one; subclass it and override the call a test breaks. */
public class ForwardingSnapshotStore implements SnapshotStore {
    /** The store every call goes to. */
    protected final SnapshotStore delegate;

    /** @param delegate the store every call goes to */
    public ForwardingSnapshotStore(SnapshotStore delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public Optional<Snapshot> get(String aggregateId, Class<? extends Record> stateType, String fingerprint) {
        return delegate.get(aggregateId, stateType, fingerprint);
    }

    @Override
    public void put(Snapshot snapshot) {
        delegate.put(snapshot);
    }

    @Override
    public void delete(String aggregateId) {
        delegate.delete(aggregateId);
    }
}
