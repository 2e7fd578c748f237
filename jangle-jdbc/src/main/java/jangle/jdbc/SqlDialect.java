package jangle.jdbc;

/**
 * The two SQL databases Jangle stores into. Each has its own schema and statements under
 * {@code jangle/jdbc/<dialect>/} and its own error translation ({@code SqlErrors}).
 */
public enum SqlDialect {
    /** SQLite 3.35+ (the embedded default: one file). */
    SQLITE,
    /** PostgreSQL 12+. */
    POSTGRESQL;

    /** The resource folder of this dialect's SQL. */
    String folder() {
        return this == SQLITE ? "sqlite" : "postgresql";
    }
}
