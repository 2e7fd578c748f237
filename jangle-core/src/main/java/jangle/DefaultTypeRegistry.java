package jangle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The immutable {@link TypeRegistry} built by {@code build()} and {@link TypeRegistry#of}. */
final class DefaultTypeRegistry implements TypeRegistry {
    private final Map<String, EventTypeInfo> byName;
    private final Map<Class<?>, EventTypeInfo> byType;
    private final Map<String, List<Upcaster>> upcasters;

    private DefaultTypeRegistry(Map<String, EventTypeInfo> byName, Map<Class<?>, EventTypeInfo> byType,
                                Map<String, List<Upcaster>> upcasters) {
        this.byName = byName;
        this.byType = byType;
        this.upcasters = upcasters;
    }

    /** Expands sealed families into their permitted records, then registers each (J2) and checks upcasters (J6). */
    static DefaultTypeRegistry build(Collection<Class<? extends Event>> roots, Collection<Upcaster> ups,
                                     List<String> problems) {
        Set<Class<? extends Event>> records = new LinkedHashSet<>();
        for (Class<? extends Event> root : roots) expand(root, records, problems);
        var byName = new LinkedHashMap<String, EventTypeInfo>();
        var byType = new HashMap<Class<?>, EventTypeInfo>();
        for (Class<? extends Event> type : records) {
            EventType ann = type.getAnnotation(EventType.class);
            String name = ann == null || ann.name().isBlank() ? type.getSimpleName() : ann.name().strip();
            int schema = ann == null ? 1 : ann.schemaVersion();
            if (schema < 1) {
                problems.add("event type " + type.getName() + " has schemaVersion " + schema + "; it must be >= 1");
            }
            EventTypeInfo info = new EventTypeInfo(name, schema, type);
            EventTypeInfo clash = byName.putIfAbsent(name, info);
            if (clash != null) {
                problems.add("event type name '" + name + "' is used by both " + clash.type().getName() + " and "
                        + type.getName() + " (J2: give one an explicit @EventType(name = ...))");
            }
            byType.put(type, info);
        }
        var chains = new HashMap<String, List<Upcaster>>();
        var seen = new HashMap<String, Upcaster>();
        for (Upcaster u : ups) {
            String key = u.typeName() + "@" + u.fromSchemaVersion();
            if (seen.putIfAbsent(key, u) != null) {
                problems.add("two upcasters registered for type '" + u.typeName() + "' from schema version "
                        + u.fromSchemaVersion());
                continue;
            }
            chains.computeIfAbsent(u.typeName(), k -> new ArrayList<>()).add(u);
        }
        for (var e : chains.entrySet()) {
            e.getValue().sort(Comparator.comparingInt(Upcaster::fromSchemaVersion));
            EventTypeInfo info = byName.get(e.getKey());
            List<Upcaster> chain = e.getValue();
            int top = chain.get(chain.size() - 1).fromSchemaVersion();
            if (info != null && top >= info.schemaVersion()) {
                problems.add("upcaster for type '" + e.getKey() + "' from schema version " + top
                        + " is at or above the current schema version " + info.schemaVersion());
            }
            int target = info != null ? info.schemaVersion() : top + 1;
            for (int v = chain.get(0).fromSchemaVersion(); v < target; v++) {
                final int from = v;
                if (chain.stream().noneMatch(u -> u.fromSchemaVersion() == from)) {
                    problems.add("upcaster chain of type '" + e.getKey() + "' has a hole: nothing upcasts schema "
                            + "version " + from);
                }
            }
            e.setValue(List.copyOf(chain));
        }
        return new DefaultTypeRegistry(Map.copyOf(byName), Map.copyOf(byType), Map.copyOf(chains));
    }

    @SuppressWarnings("unchecked")
    private static void expand(Class<? extends Event> type, Set<Class<? extends Event>> out, List<String> problems) {
        if (type.isRecord()) {
            out.add(type);
        } else if (type.isSealed()) {
            for (Class<?> sub : type.getPermittedSubclasses()) expand((Class<? extends Event>) sub, out, problems);
        } else if (!type.isInterface()) {
            problems.add("event type " + type.getName() + " must be a record (M3)");
        } else {
            problems.add("event family " + type.getName() + " must be a sealed interface so its members are known");
        }
    }

    @Override
    public Optional<EventTypeInfo> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    @Override
    public EventTypeInfo byType(Class<? extends Event> type) {
        EventTypeInfo info = byType.get(type);
        if (info == null) {
            throw new MissingHandlerException(MissingHandlerException.Kind.RECONSTITUTOR, type.getName(),
                    "event type " + type.getName() + " is not registered; add its family with JangleBuilder.events(...)");
        }
        return info;
    }

    @Override
    public Collection<EventTypeInfo> all() {
        return byName.values();
    }

    @Override
    public List<Upcaster> upcasters(String typeName) {
        return upcasters.getOrDefault(typeName, List.of());
    }
}
