package jangle;

/**
 * One handler subscribed to one event type, bound once at build (§8): its name, the registered type name, whether
 * it is a projection (replayable) and the call that runs it. Dispatch is then a map lookup and this call.
 * {@code batchTarget} is the {@link Projection} object when one was registered: live dispatch then hands it a whole
 * drained batch through {@link Projection#handleBatch} (one transaction instead of one per event); null otherwise.
 */
record DispatchBinding(String name, String typeName, boolean projection, Invoker invoker, Projection<?> batchTarget) {
    /** Runs the handler for one committed event. */
    @FunctionalInterface
    interface Invoker {
        void invoke(EventRecord<?> record, HandlerContext context) throws Exception;
    }
}
