package jangle.banking.app.testsupport;

import jangle.Event;
import jangle.EventRecord;
import jangle.Metadata;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Builds committed-event envelopes for projection tests, as a store would return them: a fresh event id, the given
 * stream and version, the record's simple name as type (J2 default), a time derived from the version, and a
 * position that grows with each record built.
 */
public final class Records {
    public static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private long position;

    public <E extends Event> EventRecord<E> of(String aggregateId, long version, E event) {
        return at(aggregateId, version, T0.plus(Duration.ofSeconds(version)), event);
    }

    public <E extends Event> EventRecord<E> at(String aggregateId, long version, Instant createdAt, E event) {
        position++;
        return new EventRecord<>(UUID.randomUUID(), aggregateId, version, event.getClass().getSimpleName(), 1,
                createdAt, position, Metadata.of(UUID.randomUUID()), event);
    }
}
