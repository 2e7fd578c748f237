package jangle;

import java.util.Map;
import java.util.function.Function;

/**
 * One saga registered on the builder (§9): its class, factory and routes (event type → saga id function).
 * Package-private: collected by {@link JangleBuilder}, bound and checked by the dispatch runtime (SG11).
 */
record SagaRegistration<S extends Saga>(Class<S> type, Function<String, S> factory,
                                        Map<Class<? extends Event>, Function<Event, String>> routes) {
}
