package jangle;

import java.util.Map;
import java.util.Set;

/**
 * One registered handler run as a tracking processor (D17): its name, its binding per subscribed event type, and the
 * {@link Projection} object when one was registered, whose batches then commit with the checkpoint (D18). Every
 * other handler (a lambda projection, a reactor, a saga's router) runs event by event. Immutable; built once.
 */
record Processor(String name, Map<String, DispatchBinding> byType, Projection<?> batchTarget) {
    Processor {
        byType = Map.copyOf(byType);
    }

    Set<String> types() {
        return byType.keySet();
    }

    boolean subscribes(String type) {
        return byType.containsKey(type);
    }

    boolean batched() {
        return batchTarget != null;
    }
}
