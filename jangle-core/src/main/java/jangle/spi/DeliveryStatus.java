package jangle.spi;

/** State of a delivery in the dispatch ledger. Done deliveries may be deleted by a store; they are never listed. */
public enum DeliveryStatus { PENDING, DEAD, DONE }
