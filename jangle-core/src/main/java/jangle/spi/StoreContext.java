package jangle.spi;

import jangle.TypeRegistry;

import java.time.Clock;

/** What {@code build()} hands to a {@link StoreProvider}: the registered types, the clock and the batch size. */
public record StoreContext(TypeRegistry types, Clock clock, int batchSize) {
}
