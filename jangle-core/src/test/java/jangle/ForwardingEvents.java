package jangle;

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
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * An event store that passes every call to {@code inner}; tests override the calls they fail or count. The append
 * with a hand-off keeps the interface's default, so an overridden {@link #append(List, Completion)} sees every append.
 */
abstract class ForwardingEvents implements EventStore {
    protected final EventStore inner;

    ForwardingEvents(EventStore inner) {
        this.inner = inner;
    }

    @Override
    public AppendResult append(List<NewEvent> events, Completion completing) {
        return inner.append(events, completing);
    }

    @Override
    public Stream<EventRecord<?>> read(String aggregateId, long afterVersion) {
        return inner.read(aggregateId, afterVersion);
    }

    @Override
    public long forEachAfter(String aggregateId, long afterVersion, Consumer<EventRecord<?>> sink) {
        return inner.forEachAfter(aggregateId, afterVersion, sink);
    }

    @Override
    public List<EventRecord<?>> readFeed(long afterPosition, int limit) {
        return inner.readFeed(afterPosition, limit);
    }

    @Override
    public FeedPage readFeed(long afterPosition, int limit, FeedFilter filter) {
        return inner.readFeed(afterPosition, limit, filter);
    }

    @Override
    public List<EventRecord<?>> correlated(UUID correlationId, int limit) {
        return inner.correlated(correlationId, limit);
    }

    @Override
    public Optional<EventRecord<?>> readEvent(UUID eventId) {
        return inner.readEvent(eventId);
    }

    @Override
    public long lastVersion(String aggregateId) {
        return inner.lastVersion(aggregateId);
    }

    @Override
    public long lastPosition() {
        return inner.lastPosition();
    }

    @Override
    public DispatchLedger ledger() {
        return inner.ledger();
    }

    @Override
    public Checkpoints checkpoints() {
        return inner.checkpoints();
    }
}
