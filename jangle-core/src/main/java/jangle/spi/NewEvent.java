package jangle.spi;

import jangle.Event;
import jangle.Metadata;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * An event ready to append: everything of an {@link jangle.EventRecord} except the global position, which the store
 * assigns at commit, plus the names of the handlers subscribed to its type, for which the store records pending
 * deliveries in the same transaction (D1).
 */
public record NewEvent(UUID eventId, String aggregateId, long version, String type, int schemaVersion,
                       Instant createdAt, Metadata metadata, Event event, List<String> handlers) {
    public NewEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(event, "event");
        handlers = handlers == null ? List.of() : List.copyOf(handlers);
        if (version < 1) throw new IllegalArgumentException("version must be >= 1, was " + version);
    }
}
