package jangle.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A saga as stored (SG7). {@code wakeAt} is the earlier of {@code retryAt} and ({@code timeoutAt} unless the saga must
 * finish); the saga daemon asks for sagas whose {@code wakeAt} has passed.
 */
public record SagaState(String sagaId, String sagaType, long version, Instant retryAt, Instant timeoutAt,
                        boolean complete, boolean timedOut, Instant wakeAt, List<SagaEventEntry> events) {
    public SagaState {
        Objects.requireNonNull(sagaId, "sagaId");
        Objects.requireNonNull(sagaType, "sagaType");
        events = List.copyOf(events);
    }
}
