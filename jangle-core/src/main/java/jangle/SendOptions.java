package jangle;

import java.util.Map;
import java.util.UUID;

/**
 * Per-send options (E1, E2, CA2): the command id (generated when null), the correlation id (the command id when
 * null), free-form metadata entries, and an expected aggregate version (negative: no check).
 */
public record SendOptions(UUID commandId, UUID correlationId, Map<String, String> metadata, long expectedVersion) {
    public static final SendOptions NONE = new SendOptions(null, null, Map.of(), -1);

    public SendOptions {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        new Metadata(UUID.randomUUID(), null, metadata); // validates keys and values (E4)
    }

    public static SendOptions expectVersion(long version) {
        if (version < 0) throw new InvalidMessageException("expectedVersion", "expectedVersion must be >= 0");
        return NONE.withExpectedVersion(version);
    }

    public SendOptions withExpectedVersion(long version) {
        return new SendOptions(commandId, correlationId, metadata, version);
    }

    public SendOptions withCommandId(UUID id) {
        return new SendOptions(id, correlationId, metadata, expectedVersion);
    }

    public SendOptions withCorrelationId(UUID id) {
        return new SendOptions(commandId, id, metadata, expectedVersion);
    }

    public SendOptions withMetadata(Map<String, String> entries) {
        return new SendOptions(commandId, correlationId, entries, expectedVersion);
    }
}
