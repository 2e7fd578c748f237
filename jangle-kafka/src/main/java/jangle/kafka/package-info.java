/**
 * Kafka integration: a relay that publishes committed events from the store's feed to topics at least once, in feed
 * order per aggregate, and a consumer that delivers them to another node's handlers while deduplicating by event id.
 */
package jangle.kafka;
