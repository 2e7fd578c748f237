package jangle;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The registered event types of one application (J2): stable type name ↔ record class, current schema version, and
 * upcaster chains (J6). Built and checked by {@code build()}; immutable. Stores use it to read and write payloads.
 */
public interface TypeRegistry {
    /** One registered event type. */
    record EventTypeInfo(String name, int schemaVersion, Class<? extends Event> type) {
    }

    Optional<EventTypeInfo> byName(String name);

    /** The registration of {@code type}; {@link MissingHandlerException} is not used here: unregistered is a bug. */
    EventTypeInfo byType(Class<? extends Event> type);

    Collection<EventTypeInfo> all();

    /** The upcasters registered for {@code typeName}, in ascending {@code fromSchemaVersion}. */
    List<Upcaster> upcasters(String typeName);

    /**
     * Builds a registry from event record classes (each a record, or a sealed interface whose permitted records are
     * registered) and upcasters. Throws {@link ConfigurationException} listing every problem (J2, J6).
     */
    static TypeRegistry of(Collection<Class<? extends Event>> types, Collection<Upcaster> upcasters) {
        var problems = new java.util.ArrayList<String>();
        TypeRegistry r = DefaultTypeRegistry.build(types, upcasters, problems);
        if (!problems.isEmpty()) throw new ConfigurationException(problems);
        return r;
    }
}
