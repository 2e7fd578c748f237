package jangle.spi;

import java.util.Objects;
import java.util.Set;

/**
 * Which events of the feed a reader wants (D17): those of one segment (by {@link #segmentOf}) whose type is in
 * {@code types}. A store applies it before it decodes a payload, so a segment reader pays only for its own events.
 *
 * @param types event type names; every type when empty
 */
public record FeedFilter(int segment, int segments, Set<String> types) {
    public FeedFilter {
        if (segments < 1) throw new IllegalArgumentException("segments must be >= 1, got " + segments);
        if (segment < 0 || segment >= segments) {
            throw new IllegalArgumentException("segment must be in [0, " + segments + "), got " + segment);
        }
        types = Set.copyOf(Objects.requireNonNull(types, "types"));
    }

    /** Every event. */
    public static final FeedFilter ALL = new FeedFilter(0, 1, Set.of());

    /**
     * The segment of an aggregate: stable across processes and releases ({@link String#hashCode} is specified), so
     * every node and every store agree on it, and all of one aggregate's events fall in one segment.
     */
    public static int segmentOf(String aggregateId, int segments) {
        return segments == 1 ? 0 : Math.floorMod(aggregateId.hashCode(), segments);
    }

    /** True when an event of this aggregate and type passes. */
    public boolean accepts(String aggregateId, String type) {
        return (segments == 1 || segmentOf(aggregateId, segments) == segment) && (types.isEmpty() || types.contains(type));
    }
}
