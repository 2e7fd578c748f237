package jangle.spi;

import jangle.Event;
import jangle.Metadata;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An event ready to append: everything of an {@link jangle.EventRecord} except the global position, which the store
 * assigns at commit. The append writes nothing else for dispatch (D1): processors follow the feed.
 */
public record NewEvent(UUID eventId, String aggregateId, long version, String type, int schemaVersion,
                       Instant createdAt, Metadata metadata, Event event) {
    public NewEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(event, "event");
        if (version < 1) throw new IllegalArgumentException("version must be >= 1, was " + version);
    }
}
