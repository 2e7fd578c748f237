package jangle;

import java.util.UUID;

/** A payload, snapshot or saga event could not be read or written (J7, D14). */
public class SerializationException extends JangleException {
    private final UUID eventId;
    private final String typeName;
    private final int schemaVersion;

    public SerializationException(UUID eventId, String typeName, int schemaVersion, String problem, Throwable cause) {
        super("Cannot read or write event " + eventId + " of type '" + typeName + "' (schema version "
                + schemaVersion + "): " + problem, cause);
        this.eventId = eventId;
        this.typeName = typeName;
        this.schemaVersion = schemaVersion;
    }

    /**
     * The same failure seen from what depended on it: {@code context} (for example "aggregate '000002' cannot be
     * rebuilt") followed by the cause's message; event id, type name and schema version are the cause's.
     */
    public SerializationException(String context, SerializationException cause) {
        super(context + ": " + cause.getMessage(), cause);
        this.eventId = cause.eventId();
        this.typeName = cause.typeName();
        this.schemaVersion = cause.schemaVersion();
    }

    /** May be null when the payload is not an event (a snapshot). */
    public UUID eventId() {
        return eventId;
    }

    public String typeName() {
        return typeName;
    }

    public int schemaVersion() {
        return schemaVersion;
    }
}
