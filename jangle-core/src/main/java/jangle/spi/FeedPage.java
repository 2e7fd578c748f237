package jangle.spi;

import jangle.EventRecord;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A filtered read of the feed: the events that passed, ascending, the events that passed but whose payload cannot be
 * read (D14: they fail only their own handlers, which park them; the read goes on), and the last position the store
 * looked at, which a reader resumes after even when no event passed (so a segment with no events of its own still
 * moves on).
 */
public record FeedPage(List<EventRecord<?>> records, List<Unreadable> unreadable, long scannedTo) {
    public FeedPage {
        records = List.copyOf(records);
        unreadable = List.copyOf(unreadable);
    }

    public FeedPage(List<EventRecord<?>> records, long scannedTo) {
        this(records, List.of(), scannedTo);
    }

    /** An event the filter accepted whose payload could not be decoded; {@code error} says why. */
    public record Unreadable(long position, UUID eventId, String aggregateId, String type, UUID correlationId,
                             String error) {
        public Unreadable {
            Objects.requireNonNull(eventId, "eventId");
            Objects.requireNonNull(aggregateId, "aggregateId");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(correlationId, "correlationId");
            Objects.requireNonNull(error, "error");
        }
    }
}
