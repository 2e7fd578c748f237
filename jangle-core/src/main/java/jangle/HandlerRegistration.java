package jangle;

/**
 * One event handler registered on the builder (§8): a projection (replayable) or a reactor (never replayed). A
 * {@link Projection} object registered whole appears once per subscribed type, with {@code projection} set.
 * Package-private: collected by {@link JangleBuilder}, consumed by the dispatch runtime.
 */
record HandlerRegistration(String name, Class<? extends Event> type, EventHandler<?> handler, boolean isProjection,
                           Projection<?> projection) {
}
