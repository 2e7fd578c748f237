package jangle;

import java.util.List;
import java.util.Set;

/**
 * A named event handler that writes a read model (§8, §12). It must be idempotent and indifferent to order, and it can
 * be replayed. Register with {@code JangleBuilder.projection(Projection)} when it needs {@link #reset()} or batched
 * writes; the lambda form {@code projection(name, type, handler)} covers the simple case.
 */
public interface Projection {
    /** Stable handler name (D4). */
    String name();

    /** The event types this projection subscribes to. */
    Set<Class<? extends Event>> eventTypes();

    /** Applies one event. */
    void handle(EventRecord<?> record) throws Exception;

    /**
     * Applies several events, ideally in one transaction (R3). The default applies them one by one. Throwing means
     * none of the batch counts as done.
     */
    default void handleBatch(List<EventRecord<?>> records) throws Exception {
        for (EventRecord<?> r : records) handle(r);
    }

    /** Clears the read model before a replay from scratch (R2). Default: nothing to clear. */
    default void reset() throws Exception {
    }
}
