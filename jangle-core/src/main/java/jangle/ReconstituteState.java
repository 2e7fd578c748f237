package jangle;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an aggregate method that applies one event type to the state (A2): {@code void m(E event)} or
 * {@code void m(E event, EventRecord<?> record)}. The framework advances the version before calling it (A3).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ReconstituteState {
}
