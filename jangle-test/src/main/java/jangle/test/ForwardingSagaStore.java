package jangle.test;

import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import jangle.spi.SagaStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A {@link SagaStore} that passes every call to another one; subclass it and override the call a test breaks. */
public class ForwardingSagaStore implements SagaStore {
    /** The store every call goes to. */
    protected final SagaStore delegate;

    /** @param delegate the store every call goes to */
    public ForwardingSagaStore(SagaStore delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public Optional<SagaState> get(String sagaId) {
        return delegate.get(sagaId);
    }

    @Override
    public void commit(SagaState state, long expectedVersion, List<SagaEventEntry> newEvents) {
        delegate.commit(state, expectedVersion, newEvents);
    }

    @Override
    public List<String> dueIds(Instant now, int limit) {
        return delegate.dueIds(now, limit);
    }

    @Override
    public List<String> claimDue(Instant now, Duration lease, int limit) {
        return delegate.claimDue(now, lease, limit);
    }

    @Override
    public List<SagaState> list(boolean includeFinished, int limit) {
        return delegate.list(includeFinished, limit);
    }
}
