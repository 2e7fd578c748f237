package jangle;

import java.util.List;
import java.util.Set;

/**
 * A named event handler that writes a read model (§8, §12), typed by the family of events it reads: a
 * {@code Projection<BankEvent>} receives {@code EventRecord<? extends BankEvent>}, so it switches on
 * {@code record.event()} exhaustively, with no {@code instanceof} guard. It must be idempotent and indifferent to order,
 * and it can be replayed. Register with {@code JangleBuilder.projection(Projection)} when it needs {@link #reset()} or
 * batched writes; the lambda form {@code projection(name, type, handler)} covers the simple case.
 *
 * @param <E> the event family: a sealed interface of records, or one event record
 */
public interface Projection<E extends Event> {
    /** Stable handler name (D4). */
    String name();

    /**
     * The event types this projection subscribes to: records of {@code E}, or a sealed family (such as {@code E}
     * itself), which the builder expands to its records once, at {@code build()}. So "every event of the family" is
     * {@code Set.of(BankEvent.class)}, with no reflection in the projection.
     */
    Set<Class<? extends E>> eventTypes();

    /** Applies one event; Jangle delivers only the types of {@link #eventTypes()}. */
    void handle(EventRecord<? extends E> record) throws Exception;

    /**
     * Applies several events, ideally in one transaction (R3). The default applies them one by one. Throwing means
     * none of the batch counts as done.
     */
    default void handleBatch(List<EventRecord<? extends E>> records) throws Exception {
        for (EventRecord<? extends E> r : records) handle(r);
    }

    /**
     * Applies several events inside the store's transaction {@code tx}, which also moves this projection's checkpoint
     * past them (D18): a projection that writes its read model through {@code tx} (for a JDBC store,
     * {@code tx.unwrap(java.sql.Connection.class)}) is exactly-once in effect. The default ignores {@code tx} and
     * calls {@link #handleBatch(List)}: writes made elsewhere commit first and are repeated after a crash, so they
     * must stay idempotent. Throwing means none of the batch counts as done.
     */
    default void handleBatch(List<EventRecord<? extends E>> records, jangle.spi.StoreTransaction tx) throws Exception {
        handleBatch(records);
    }

    /** Clears the read model before a replay from scratch (R2). Default: nothing to clear. */
    default void reset() throws Exception {
    }
}
