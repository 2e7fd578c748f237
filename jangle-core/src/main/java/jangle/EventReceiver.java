package jangle;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a parameterless saga method that runs one step (§9). It runs only when {@link #value()} is in the flags (if
 * {@link #requireEventTypeInFlags()}), every type of {@link #requiredFlags()} is, and none of
 * {@link #skipIfAnyFlags()} is. On a retry, receivers run in ascending {@link #order()}, ties broken by method name
 * (SG1).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface EventReceiver {
    /** The routed event type that triggers this receiver. */
    Class<? extends Event> value();

    boolean requireEventTypeInFlags() default true;

    Class<? extends Event>[] requiredFlags() default {};

    Class<? extends Event>[] skipIfAnyFlags() default {};

    /** Seconds until a retry after this receiver threw; negative means the application's saga retry interval. */
    long retryAfterSeconds() default -1;

    int order() default 0;
}
