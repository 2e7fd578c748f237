package jangle;

/**
 * Handles one committed event (§8). Returning normally marks this handler's delivery done; throwing leaves it pending
 * for the event daemon (D3). Deliveries are at-least-once and may arrive out of order, so handlers are idempotent
 * (D6).
 *
 * @param <E> the event type subscribed to
 */
@FunctionalInterface
public interface EventHandler<E extends Event> {
    void handle(EventRecord<E> record, HandlerContext context) throws Exception;
}
