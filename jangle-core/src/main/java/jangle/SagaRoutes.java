package jangle;

import java.util.function.Function;

/** Declares which events a saga receives and how each names its saga instance (§9). */
public interface SagaRoutes {
    /** Routes {@code type} to the saga whose id {@code sagaId} computes from the event. */
    <E extends Event> SagaRoutes on(Class<E> type, Function<? super E, String> sagaId);
}
