package jangle;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The stable, registered type name and payload schema version of an event record (J2, J6). Without it the name is
 * the record's simple name and the schema version 1. Renaming a record later requires this annotation with the old
 * name, so stored events stay readable.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventType {
    /** The stored type name; empty means the record's simple name. */
    String name() default "";

    /** The current shape version of the payload; starts at 1. */
    int schemaVersion() default 1;
}
