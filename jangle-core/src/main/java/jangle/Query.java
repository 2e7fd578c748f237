package jangle;

/**
 * An immutable question whose answer has type {@code R} (M5, Q1). Queries read read models only, never the event
 * store (Q3).
 *
 * @param <R> the result type returned by {@link Jangle#query(Query)}
 */
public interface Query<R> {
}
