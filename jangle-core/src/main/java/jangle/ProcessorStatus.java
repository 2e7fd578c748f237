package jangle;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One segment of a processor as operators see it (D12, D17): its checkpoint, the node holding it, and how far it is
 * behind the head of the feed.
 *
 * @param lagEvents positions between the checkpoint and the head of the feed (an upper bound of the segment's own
 *                  events still to handle)
 * @param lagTime   how long the first event after the checkpoint has waited since its commit; zero when caught up
 */
public record ProcessorStatus(String processor, int segment, int segments, long position, Optional<String> owner,
                              Instant leaseUntil, long lagEvents, Duration lagTime) {
    public ProcessorStatus {
        Objects.requireNonNull(processor, "processor");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(lagTime, "lagTime");
    }
}
