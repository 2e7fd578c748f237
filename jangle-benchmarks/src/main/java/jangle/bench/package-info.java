/**
 * JMH benchmarks of command throughput, rehydration, serialization, store appends and feed reads, on the in-memory,
 * SQLite and embedded PostgreSQL stores (see docs/benchmarks.md); not published.
 */
package jangle.bench;
