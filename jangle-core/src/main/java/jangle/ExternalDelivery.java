package jangle;

import java.util.List;

/**
 * Runs committed events that arrive from outside this application's own store feed (for example from a Kafka topic
 * relayed by another node) through this application's handlers: projections, reactors and the {@code saga:<Name>}
 * reactors of sagas. Obtained from {@link Operations#externalDelivery()}.
 *
 * <p>Why a separate door: the ledger path (D1–D14) runs a delivery only when the commit wrote its row. An event
 * relayed from another process has no row here, so the caller (a transport) owns retries, dead letters and its own
 * progress; this interface only runs one handler once and reports failure by throwing. Deliveries stay at-least-once
 * (D6): handlers must make a repeat harmless, as they already must.
 */
public interface ExternalDelivery {
    /** The handler names subscribed to this registered event type name, in registration order (sagas last). */
    List<String> handlerNames(String eventTypeName);

    /**
     * Runs the named handler once for {@code record}, with a handler context that can send commands (H5). Returns
     * normally on success; any failure of the handler is rethrown (checked ones wrapped in {@link JangleException}).
     *
     * @throws IllegalArgumentException when no handler of that name subscribes to the record's type
     */
    void deliver(EventRecord<?> record, String handlerName);
}
