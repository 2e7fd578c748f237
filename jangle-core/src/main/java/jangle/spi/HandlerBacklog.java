package jangle.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * What one handler has not finished (§8.2): its pending deliveries (its lag in events: one delivery per event it
 * subscribes to), its dead letters, and the commit time and position of its oldest pending delivery (null and 0 when
 * none), from which the lag in seconds is {@code now − oldestPendingCommit}.
 */
public record HandlerBacklog(String handler, long pending, long dead, Instant oldestPendingCommit,
                             long lowestPendingPosition) {
    public HandlerBacklog {
        Objects.requireNonNull(handler, "handler");
    }
}
