package jangle;

/**
 * One handler subscribed to one event type, bound once at build (§8): its name, the registered type name, whether
 * it is a projection (replayable) and the call that runs it. Dispatch is then a map lookup and this call.
 */
record DispatchBinding(String name, String typeName, boolean projection, Invoker invoker) {
    /** Runs the handler for one committed event. */
    @FunctionalInterface
    interface Invoker {
        void invoke(EventRecord<?> record, HandlerContext context) throws Exception;
    }
}
