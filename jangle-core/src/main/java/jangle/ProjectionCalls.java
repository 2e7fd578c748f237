package jangle;

import java.util.List;

/**
 * Calls a {@link Projection} of any family with the untyped records of the feed. Sound because the builder subscribes
 * a projection only to the types of its {@link Projection#eventTypes()}, all of its family, so the dispatcher and the
 * replay never hand it another; the casts live here, once.
 */
final class ProjectionCalls {
    private ProjectionCalls() {
    }

    @SuppressWarnings("unchecked")
    static void handle(Projection<?> projection, EventRecord<?> record) throws Exception {
        ((Projection<Event>) projection).handle(record);
    }

    @SuppressWarnings("unchecked")
    static void handleBatch(Projection<?> projection, List<EventRecord<?>> records) throws Exception {
        ((Projection<Event>) projection).handleBatch((List<EventRecord<? extends Event>>) (List<?>) records);
    }

    @SuppressWarnings("unchecked")
    static void handleBatch(Projection<?> projection, List<EventRecord<?>> records, jangle.spi.StoreTransaction tx)
            throws Exception {
        ((Projection<Event>) projection).handleBatch((List<EventRecord<? extends Event>>) (List<?>) records, tx);
    }
}
