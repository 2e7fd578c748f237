package jangle.spi;

import jangle.EventRecord;

import java.util.List;

/**
 * A filtered read of the feed: the events that passed, ascending, and the last position the store looked at, which a
 * reader resumes after even when no event passed (so a segment with no events of its own still moves on).
 */
public record FeedPage(List<EventRecord<?>> records, long scannedTo) {
    public FeedPage {
        records = List.copyOf(records);
    }
}
