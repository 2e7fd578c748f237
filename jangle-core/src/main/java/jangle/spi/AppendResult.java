package jangle.spi;

import jangle.EventRecord;

import java.util.List;

/** The records committed by one append, in the order given, with their global positions. */
public record AppendResult(List<EventRecord<?>> records) {
    public AppendResult {
        records = List.copyOf(records);
    }

    /** The highest position committed (0 when empty). */
    public long lastPosition() {
        long max = 0;
        for (EventRecord<?> r : records) max = Math.max(max, r.position());
        return max;
    }
}
