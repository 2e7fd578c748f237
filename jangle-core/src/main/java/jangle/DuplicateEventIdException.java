package jangle;

import java.util.UUID;

/** An event id was appended twice; nothing of that append was written (§7). */
public class DuplicateEventIdException extends JangleException {
    private final UUID eventId;

    public DuplicateEventIdException(UUID eventId) {
        super("Event id " + eventId + " is already in the store");
        this.eventId = eventId;
    }

    public UUID eventId() {
        return eventId;
    }
}
