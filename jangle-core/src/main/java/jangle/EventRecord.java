package jangle;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The envelope of a committed event (§2). The store writes and returns every field; a record read back equals the
 * one appended, field by field (ST2).
 *
 * @param eventId       unique in the whole store
 * @param aggregateId   the stream the event belongs to
 * @param version       position inside its stream: 1, 2, 3, … with no gap and no repeat
 * @param type          the stable registered type name (J2)
 * @param schemaVersion the payload's shape version (J6)
 * @param createdAt     UTC, from the application's clock, truncated to microseconds
 * @param position      store-wide global position, strictly increasing in feed order (§7.1)
 * @param metadata      correlation, causation and free-form entries
 * @param event         the payload
 * @param <E>           the payload type
 */
public record EventRecord<E extends Event>(UUID eventId, String aggregateId, long version, String type,
                                           int schemaVersion, Instant createdAt, long position, Metadata metadata,
                                           E event) {
    public EventRecord {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(event, "event");
    }
}
