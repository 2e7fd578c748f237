package jangle.test;

import jangle.EventRecord;
import jangle.spi.AppendResult;
import jangle.spi.DeliveryKey;
import jangle.spi.DispatchLedger;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An {@link EventStore} that passes every call to another one: subclass it and override the one call a test breaks,
 * delays or counts (fault injection, deliberately broken stores for the contract suites). The interface's default
 * methods are not forwarded but inherited, so they run through this class's {@link #append} and {@link #read}, and an
 * override of those two covers every path. {@link #ledger()} returns the delegate's ledger; wrap it with a
 * {@link ForwardingDispatchLedger} to break the ledger.
 */
public class ForwardingEventStore implements EventStore {
    /** The store every call goes to. */
    protected final EventStore delegate;

    /** @param delegate the store every call goes to */
    public ForwardingEventStore(EventStore delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public AppendResult append(List<NewEvent> events, DeliveryKey completing) {
        return delegate.append(events, completing);
    }

    @Override
    public Stream<EventRecord<?>> read(String aggregateId, long afterVersion) {
        return delegate.read(aggregateId, afterVersion);
    }

    @Override
    public List<EventRecord<?>> readFeed(long afterPosition, int limit) {
        return delegate.readFeed(afterPosition, limit);
    }

    @Override
    public Optional<EventRecord<?>> readEvent(UUID eventId) {
        return delegate.readEvent(eventId);
    }

    @Override
    public long lastVersion(String aggregateId) {
        return delegate.lastVersion(aggregateId);
    }

    @Override
    public long lastPosition() {
        return delegate.lastPosition();
    }

    @Override
    public DispatchLedger ledger() {
        return delegate.ledger();
    }
}
