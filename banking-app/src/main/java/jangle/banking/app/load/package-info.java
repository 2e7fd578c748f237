/**
 * The load driver behind {@code jangle-bank load}: drives a bounded number of commands at the bank and reports
 * throughput and latency percentiles.
 */
package jangle.banking.app.load;
