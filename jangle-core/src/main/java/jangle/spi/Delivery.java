package jangle.spi;

import java.time.Instant;
import java.util.UUID;

/**
 * A pending or dead delivery as the ledger reports it (D12).
 *
 * @param committedAt     when the event was committed (the event's createdAt)
 * @param attempts        failed attempts so far
 * @param firstFailureAt  null when never failed
 * @param lastAttemptAt   last failed attempt, or null when never attempted
 * @param lastError       class and message of the last failure, or null
 * @param correlationId   the event's correlation id (CA3)
 */
public record Delivery(UUID eventId, String handler, String eventType, String aggregateId, long version,
                       long position, DeliveryStatus status, int attempts, Instant committedAt,
                       Instant firstFailureAt, Instant lastAttemptAt, String lastError, UUID correlationId) {
    public DeliveryKey key() {
        return new DeliveryKey(eventId, handler);
    }
}
