/**
 * Durable stores on SQLite and PostgreSQL (§7, §7.1, §8.2, §6 S8, §9 SG7–SG8, §11).
 *
 * <p>{@link jangle.jdbc.JdbcDatabase} opens one database and hands Jangle its event store (with the dispatch ledger),
 * snapshot store and saga store through {@link jangle.jdbc.JdbcDatabase#stores()}; applications also use it for their
 * read models ({@link jangle.jdbc.JdbcDatabase#inTransaction}, {@link jangle.jdbc.JdbcDatabase#read},
 * {@link jangle.jdbc.JdbcDatabase#executeScript}) written through {@link jangle.jdbc.VersionedUpsert}.
 *
 * <p>SQL lives in {@code jangle/jdbc/<dialect>/schema-NNN.sql} (numbered, applied in order at start-up) and
 * {@code jangle/jdbc/<dialect>/statements.sql} (named statements, the same parameters on both dialects); database
 * errors become Jangle exceptions in {@code SqlErrors} only.
 */
package jangle.jdbc;
