package jangle.test;

import jangle.EventRecord;
import jangle.spi.AppendResult;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.DispatchLedger;
import jangle.spi.EventStore;
import jangle.spi.FeedFilter;
import jangle.spi.FeedPage;
import jangle.spi.NewEvent;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An {@link EventStore} that passes every call to another one: subclass it and override the one call a test breaks,
 * delays or counts (fault injection, deliberately broken stores for the contract suites). The interface's default
 * append and read methods are not forwarded but inherited, so they run through this class's
 * {@link #append(List, Completion)} and {@link #read}, and an override of those two covers every path. The filtered
 * {@link #readFeed(long, int, FeedFilter)} is forwarded, so a store's own filtering is what the suites see; override it
 * to break it. {@link #ledger()} and {@link #checkpoints()} return the delegate's; wrap them with a
 * {@link ForwardingDispatchLedger} or {@link ForwardingCheckpoints} to break them.
 */
public class ForwardingEventStore implements EventStore {
    /** The store every call goes to. */
    protected final EventStore delegate;

    /** @param delegate the store every call goes to */
    public ForwardingEventStore(EventStore delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public AppendResult append(List<NewEvent> events, Completion completing) {
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
    public FeedPage readFeed(long afterPosition, int limit, FeedFilter filter) {
        return delegate.readFeed(afterPosition, limit, filter);
    }

    @Override
    public List<EventRecord<?>> correlated(UUID correlationId, int limit) {
        return delegate.correlated(correlationId, limit);
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

    @Override
    public Checkpoints checkpoints() {
        return delegate.checkpoints();
    }
}
