package jangle.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One segment of a processor as stored (D17): the feed position up to which the processor has handled that segment's
 * events (every event at or below it is handled or parked), and the node holding its lease.
 *
 * @param segments   how many segments the processor's feed is split into (fixed when the processor is first stored)
 * @param owner      the node holding the lease; empty when free
 * @param leaseUntil when the lease runs out (meaningless when free)
 */
public record Checkpoint(String processor, int segment, int segments, long position, Optional<String> owner,
                         Instant leaseUntil, Instant updatedAt) {
    public Checkpoint {
        Objects.requireNonNull(processor, "processor");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** True when {@code node} holds the lease at {@code now}. */
    public boolean heldBy(String node, Instant now) {
        return owner.isPresent() && owner.get().equals(node) && leaseUntil.isAfter(now);
    }
}
