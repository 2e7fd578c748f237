package jangle.spi;

import jangle.EventRecord;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The event store SPI (§7). Every implementation passes the same contract suite ({@code jangle-test}).
 * Implementations are thread-safe.
 */
public interface EventStore {
    /**
     * Writes all events atomically, possibly for several aggregates, and nothing else for dispatch (D1: processors
     * follow the feed), and writes {@code completing} in the same transaction when it is not null (D15). Enforces
     * unique (aggregate id, version), unique event id and gapless versions (ST4): a violation raises
     * {@link jangle.VersionConflictException} or {@link jangle.DuplicateEventIdException} and writes nothing (ST3); a
     * completion whose lease is lost raises {@link jangle.LeaseLostException} and writes nothing.
     */
    AppendResult append(List<NewEvent> events, Completion completing);

    default AppendResult append(List<NewEvent> events) {
        return append(events, null);
    }

    /**
     * {@link #append(List, Completion)}, running {@code inFeedOrder} once the events have their positions and while
     * the store still holds the feed's order, before the commit: of two appends that both commit, the one with the
     * lower positions ran its {@code inFeedOrder} first (D16, live dispatch in feed order). It may run on another
     * thread (a group commit's leader) and must be quick and must not throw; it may run for an append that then
     * fails, which the caller learns from the exception. The default runs it after the append, with no order
     * promise; the stores of this project override it.
     */
    default AppendResult append(List<NewEvent> events, Completion completing, Runnable inFeedOrder) {
        AppendResult result = append(events, completing);
        inFeedOrder.run();
        return result;
    }

    /**
     * The aggregate's events with version greater than {@code afterVersion}, ascending, fetched in batches and
     * streamed; the caller closes the stream.
     */
    Stream<EventRecord<?>> read(String aggregateId, long afterVersion);

    /**
     * Feeds the aggregate's events after {@code afterVersion}, ascending, to {@code sink}; returns how many. The
     * command handler rebuilds aggregates through this method. The default streams {@link #read}; a store that can
     * hand over its records directly (the in-memory one) overrides it to spare the hot path a stream pipeline.
     */
    default long forEachAfter(String aggregateId, long afterVersion, java.util.function.Consumer<EventRecord<?>> sink) {
        long[] count = {0};
        try (Stream<EventRecord<?>> s = read(aggregateId, afterVersion)) {
            s.forEachOrdered(r -> {
                sink.accept(r);
                count[0]++;
            });
        }
        return count[0];
    }

    /** Up to {@code limit} events with position greater than {@code afterPosition}, ascending, never skipping (G1). */
    List<EventRecord<?>> readFeed(long afterPosition, int limit);

    /**
     * Looks at up to {@code limit} positions after {@code afterPosition}, ascending, and returns the events among them
     * that {@code filter} accepts, with the last position looked at (G1 holds: nothing is skipped but what the filter
     * refuses). The default filters {@link #readFeed}; stores override it to filter before decoding payloads.
     */
    default FeedPage readFeed(long afterPosition, int limit, FeedFilter filter) {
        List<EventRecord<?>> page = readFeed(afterPosition, limit);
        if (page.isEmpty()) return new FeedPage(List.of(), afterPosition);
        List<EventRecord<?>> kept = new java.util.ArrayList<>(page.size());
        for (EventRecord<?> r : page) if (filter.accepts(r.aggregateId(), r.type())) kept.add(r);
        return new FeedPage(kept, page.get(page.size() - 1).position());
    }

    /**
     * The committed events that carry {@code correlationId}, ascending by position, at most {@code limit}: what
     * "settled" (CA3) waits for. Stores index the correlation id for it.
     */
    List<EventRecord<?>> correlated(UUID correlationId, int limit);

    /** One event by id. Throws {@link jangle.SerializationException} when its payload cannot be read (D14). */
    Optional<EventRecord<?>> readEvent(UUID eventId);

    /** 0 when the stream is empty. */
    long lastVersion(String aggregateId);

    /** The highest committed position (0 when empty). */
    long lastPosition();

    /** The parked deliveries kept in this store (§8.2, D12). */
    DispatchLedger ledger();

    /** The processors' checkpoints kept in this store (D17). */
    Checkpoints checkpoints();
}
