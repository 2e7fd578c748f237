package jangle.spi;

import jangle.Event;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One event in a saga's history (SG7): a routed domain event (its own event id, used to detect redeliveries, SG2) or
 * a saga-internal event (a fresh id).
 */
public record SagaEventEntry(UUID eventId, String type, Event event, Instant recordedAt) {
    public SagaEventEntry {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(recordedAt, "recordedAt");
    }
}
