package jangle.spi;

import java.util.Objects;
import java.util.UUID;

/** One (event, handler) delivery of the dispatch ledger (D1). */
public record DeliveryKey(UUID eventId, String handler) {
    public DeliveryKey {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(handler, "handler");
    }
}
