package jangle.spi;

import jangle.TypeRegistry;

import java.time.Clock;
import java.util.Objects;

/**
 * What {@code build()} hands to a {@link StoreProvider}: the registered types, the clock, the batch size, and the id
 * of this node, which a store shared by several processes writes into the claims it records (see
 * {@link DispatchLedger#claim}).
 */
public record StoreContext(TypeRegistry types, Clock clock, int batchSize, String nodeId) {
    public StoreContext {
        Objects.requireNonNull(nodeId, "nodeId");
    }

    /** A context for a single-node setting (node id {@code local}). */
    public StoreContext(TypeRegistry types, Clock clock, int batchSize) {
        this(types, clock, batchSize, "local");
    }
}
