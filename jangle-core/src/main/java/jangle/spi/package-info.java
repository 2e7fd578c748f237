/**
 * The store service-provider interface: the few methods an event, snapshot or saga store and its dispatch ledger must
 * offer; implementations prove their behaviour by passing the contract suites in {@code jangle-test}.
 */
package jangle.spi;
