package jangle;

/**
 * Answers one query type from read models only (Q3).
 *
 * @param <Q> the query type
 * @param <R> its result type
 */
@FunctionalInterface
public interface QueryHandler<Q extends Query<R>, R> {
    R handle(Q query) throws Exception;
}
