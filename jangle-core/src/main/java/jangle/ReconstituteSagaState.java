package jangle;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a saga method that copies what the saga needs from one event (routed domain event or saga-internal event)
 * into its fields: {@code void m(E event)}. With {@link #addToFlags()} the event's type is added to the saga's flags
 * first (§9).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ReconstituteSagaState {
    boolean addToFlags() default true;
}
