/**
 * In-memory stores for tests and single-process use; they pass the same contract suites as the JDBC stores but keep
 * nothing across a restart.
 */
package jangle.memory;
