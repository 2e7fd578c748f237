package jangle;

import java.util.Map;

/**
 * Turns the JSON tree of one stored event shape, {@code (typeName, fromSchemaVersion)}, into the next one (J6).
 * Trees are plain JDK maps and lists (objects, arrays, strings, numbers as {@link java.math.BigDecimal} or
 * {@link Long}, booleans, null) so that the core needs no JSON library. Upcasters are chained on read until the
 * current schema version; stored events are never rewritten.
 */
public interface Upcaster {
    /** The stored type name this upcaster reads. */
    String typeName();

    /** The schema version it reads; it produces {@code fromSchemaVersion() + 1}. */
    int fromSchemaVersion();

    /** The upcast payload; may also rename the type. */
    Upcasted upcast(Map<String, Object> payload);

    /** The result of one step: possibly a new type name, and the payload of the next schema version. */
    record Upcasted(String typeName, Map<String, Object> payload) {
    }
}
