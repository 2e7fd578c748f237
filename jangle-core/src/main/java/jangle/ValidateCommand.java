package jangle;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an aggregate method that decides one command type (A1): {@code CommandResponse m(C command)} or
 * {@code CommandResponse m(C command, long nextVersion)}; {@code void} means success. The method reads state and
 * posts events; it never assigns fields (A7).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ValidateCommand {
}
