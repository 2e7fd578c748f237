package jangle;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Who caused an event and in which chain (§2, E1–E4). {@code correlationId} follows a whole chain of cause and
 * effect; {@code causationId} is the command id (for events committed by a command) or null; {@code entries} are the
 * caller's free-form values, for example {@code userId}.
 *
 * @param correlationId never null
 * @param causationId   may be null
 * @param entries       unmodifiable; keys 1–64 characters of {@code [A-Za-z0-9._-]}, values at most 1,024
 *                      characters, at most 32 entries (E4)
 */
public record Metadata(UUID correlationId, UUID causationId, Map<String, String> entries) {
    public static final int MAX_ENTRIES = 32;
    public static final int MAX_VALUE_LENGTH = 1024;

    public Metadata {
        if (correlationId == null) throw new InvalidMessageException("correlationId", "correlationId is required");
        entries = entries == null ? Map.of() : Map.copyOf(entries);
        if (entries.size() > MAX_ENTRIES) {
            throw new InvalidMessageException("metadata", "metadata must have at most " + MAX_ENTRIES + " entries");
        }
        for (var e : entries.entrySet()) {
            if (!validKey(e.getKey())) {
                throw new InvalidMessageException("metadata",
                        "metadata key '" + e.getKey() + "' must be 1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-'");
            }
            if (e.getValue().length() > MAX_VALUE_LENGTH) {
                throw new InvalidMessageException("metadata",
                        "metadata value of '" + e.getKey() + "' must be at most " + MAX_VALUE_LENGTH + " characters");
            }
        }
    }

    public static Metadata of(UUID correlationId) {
        return new Metadata(correlationId, null, Map.of());
    }

    public Metadata withCausation(UUID causation) {
        return Objects.equals(causation, causationId) ? this : new Metadata(correlationId, causation, entries);
    }

    /** {@code [A-Za-z0-9._-]{1,64}} without a regex: every command that carries a trace context checks its key. */
    private static boolean validKey(String key) {
        int n = key.length();
        if (n < 1 || n > 64) return false;
        for (int i = 0; i < n; i++) {
            char c = key.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-';
            if (!ok) return false;
        }
        return true;
    }
}
