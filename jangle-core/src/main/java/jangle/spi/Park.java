package jangle.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A delivery a processor gave up on for now (D3, D11): written as a pending delivery of the ledger (dead when
 * {@code dead}) in the same transaction as the checkpoint that moves past it, so the checkpoint never skips a failure
 * that is not parked. The event daemon retries it after {@code failedEventsMaxAge} from {@code failedAt}.
 *
 * @param attempts how many times the handler failed on it so far
 * @param owner    the node that parked it (its first claim, as for the daemon's)
 */
public record Park(DeliveryKey key, long position, UUID correlationId, int attempts, Instant failedAt, String error,
                   boolean dead, String owner) {
    public Park {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(failedAt, "failedAt");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(owner, "owner");
        if (attempts < 1) throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
    }
}
