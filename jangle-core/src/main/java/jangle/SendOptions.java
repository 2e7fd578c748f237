package jangle;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Per-send options (E1, E2, CA2): the command id (generated when null), the correlation id (the command id when
 * null), free-form metadata entries, and what the sender expects of the aggregate's version ({@link ExpectedVersion};
 * {@link ExpectedVersion.Any} checks nothing).
 */
public record SendOptions(UUID commandId, UUID correlationId, Map<String, String> metadata,
                          ExpectedVersion expectedVersion) {
    public static final SendOptions NONE = new SendOptions(null, null, Map.of(), ExpectedVersion.any());

    public SendOptions {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        new Metadata(UUID.randomUUID(), null, metadata); // validates keys and values (E4)
        Objects.requireNonNull(expectedVersion, "expectedVersion (ExpectedVersion.any() checks nothing)");
    }

    /** Options expecting the aggregate at exactly {@code version} (at least 1). */
    public static SendOptions expectVersion(long version) {
        return NONE.withExpectedVersion(ExpectedVersion.exactly(version));
    }

    public SendOptions withExpectedVersion(ExpectedVersion expected) {
        return new SendOptions(commandId, correlationId, metadata, expected);
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
