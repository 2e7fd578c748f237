/**
 * Split deployment: runs the bank as separate processes on one database, command nodes, a relay node that publishes
 * committed events to Kafka, and worker nodes that consume them.
 */
package jangle.banking.app.split;
