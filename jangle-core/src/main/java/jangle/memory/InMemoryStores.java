package jangle.memory;

// PLACEHOLDER written by the lead only so that jangle-core compiles while H2 writes the real in-memory stores.
// H2: replace this whole file.

import jangle.spi.StoreContext;
import jangle.spi.StoreProvider;
import jangle.spi.Stores;

public final class InMemoryStores implements StoreProvider {
    @Override
    public Stores open(StoreContext context) {
        throw new UnsupportedOperationException("placeholder");
    }
}
