package jangle.json;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jangle.Event;
import jangle.Metadata;
import jangle.SerializationException;
import jangle.TypeRegistry;
import jangle.TypeRegistry.EventTypeInfo;
import jangle.Upcaster;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON for everything Jangle stores: event payloads, metadata, saga events and snapshot states (J1), written with
 * Jackson, whose record support maps a record's components to JSON properties and back through its canonical
 * constructor (so the record's own validation runs on read).
 *
 * <p>Shapes (fixed, because stored data outlives code):
 * <ul>
 *   <li>{@code BigDecimal}: a JSON string keeping the scale, {@code "100.00"} (J3); read back exactly.</li>
 *   <li>{@code Instant}: {@code "2026-03-01T10:15:30.123456Z"}, UTC, always six fraction digits (J4); instants are
 *   kept to the microsecond.</li>
 *   <li>{@code UUID}: canonical text; enums by name; {@code null} components are written as {@code null}.</li>
 * </ul>
 *
 * <p>Reading is strict (J5): an unknown property, a missing constructor property, {@code null} for a primitive or
 * trailing content is an error. An explicit {@code null} for a reference component is accepted (that is a value,
 * not a missing property); the record's constructor decides whether it is valid.
 *
 * <p>Upcasting (J6): {@link #decode} reads the stored (type name, schema version); while that is not the current
 * registration it applies the registered {@link Upcaster} for exactly that pair to the JSON tree (given to the
 * upcaster as JDK maps and lists with numbers as {@link Long} or {@link BigDecimal}), following a type rename when an
 * upcaster returns a new name. Any failure (unknown type, missing upcaster, stored version newer than the code,
 * corrupt JSON, constructor rejection) is a {@link SerializationException} naming event id, type and schema version
 * (J7).
 *
 * <p>Thread-safe and immutable after construction; one instance per application (no global registry, CR3).
 */
public final class JsonCodec {
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() { };

    private final TypeRegistry types;
    private final ObjectMapper mapper;
    private final Map<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();

    /** A decoded payload with the type name and schema version it has after upcasting (the current ones). */
    public record Decoded(String typeName, int schemaVersion, Event event) {
    }

    public JsonCodec(TypeRegistry types) {
        this.types = Objects.requireNonNull(types, "types");
        this.mapper = JsonMapper.builder()
                .addModule(JsonValues.module())
                .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false) // trees keep "0.10" as written
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                // only record components are properties: helper methods named like getters are not written
                .visibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
                .visibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
                .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
                .build();
    }

    /** The registry this codec reads and writes with. */
    public TypeRegistry types() {
        return types;
    }

    // ------------------------------------------------------------------ events

    /** The payload's JSON. Raises {@link SerializationException} (without event id) when it cannot be written. */
    public String writeEvent(Event event) {
        Objects.requireNonNull(event, "event");
        try {
            return mapper.writeValueAsString(event);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new SerializationException(null, nameOf(event.getClass()), schemaOf(event.getClass()),
                    "cannot write payload " + event.getClass().getName(), e);
        }
    }

    /** {@link #decode} without the resulting type name. */
    public Event readEvent(UUID eventId, String typeName, int schemaVersion, String json) {
        return decode(eventId, typeName, schemaVersion, json).event();
    }

    /**
     * Reads a stored payload, upcasting it from {@code (typeName, schemaVersion)} to the current registration (J6),
     * strictly (J5). Failures are {@link SerializationException} naming the stored id, type and version (J7).
     */
    public Decoded decode(UUID eventId, String typeName, int schemaVersion, String json) {
        Optional<EventTypeInfo> current = types.byName(typeName);
        if (current.isPresent() && current.get().schemaVersion() == schemaVersion) {
            EventTypeInfo info = current.get();
            try {
                return new Decoded(info.name(), info.schemaVersion(), (Event) reader(info.type()).readValue(json));
            } catch (Exception e) {
                throw failure(eventId, typeName, schemaVersion, e);
            }
        }
        return upcast(eventId, typeName, schemaVersion, json);
    }

    private Decoded upcast(UUID eventId, String storedName, int storedVersion, String json) {
        String name = storedName;
        int version = storedVersion;
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (Exception e) {
            throw failure(eventId, storedName, storedVersion, e);
        }
        if (tree == null || !tree.isObject()) {
            throw new SerializationException(eventId, storedName, storedVersion, "payload is not a JSON object", null);
        }
        Map<String, Object> payload = toMap((ObjectNode) tree);
        boolean changed = false;
        while (true) {
            Optional<EventTypeInfo> info = types.byName(name);
            if (info.isPresent() && info.get().schemaVersion() == version) break;
            if (info.isPresent() && version > info.get().schemaVersion()) {
                throw new SerializationException(eventId, storedName, storedVersion, "stored schema version "
                        + version + " of '" + name + "' is newer than the code's " + info.get().schemaVersion(), null);
            }
            Upcaster step = find(types.upcasters(name), version);
            if (step == null) {
                String problem = info.isEmpty() && !changed && types.upcasters(name).isEmpty()
                        ? "unknown event type name '" + name + "'"
                        : "no upcaster registered for type '" + name + "' from schema version " + version;
                throw new SerializationException(eventId, storedName, storedVersion, problem, null);
            }
            try {
                Upcaster.Upcasted next = step.upcast(payload);
                if (next == null || next.payload() == null) throw new IllegalStateException("upcaster returned null");
                if (next.typeName() != null && !next.typeName().isBlank()) name = next.typeName();
                payload = next.payload();
            } catch (RuntimeException e) {
                throw new SerializationException(eventId, storedName, storedVersion,
                        "upcaster for '" + name + "' from schema version " + version + " failed", e);
            }
            version++;
            changed = true;
        }
        EventTypeInfo info = types.byName(name).orElseThrow();
        try {
            Event event = (Event) reader(info.type()).readValue(toNode(payload));
            return new Decoded(info.name(), info.schemaVersion(), event);
        } catch (Exception e) {
            throw failure(eventId, storedName, storedVersion, e);
        }
    }

    private static Upcaster find(List<Upcaster> chain, int fromVersion) {
        for (Upcaster u : chain) if (u.fromSchemaVersion() == fromVersion) return u;
        return null;
    }

    // ---------------------------------------------------------------- metadata

    public String writeMetadata(Metadata metadata) {
        try {
            return mapper.writeValueAsString(metadata);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new SerializationException(null, "Metadata", 1, "cannot write metadata", e);
        }
    }

    public Metadata readMetadata(String json) {
        try {
            return reader(Metadata.class).readValue(json);
        } catch (Exception e) {
            throw failure(null, "Metadata", 1, e);
        }
    }

    /** The free-form metadata entries (E4) as a JSON object; stores keep correlation and causation in columns. */
    public String writeEntries(Map<String, String> entries) {
        try {
            return mapper.writeValueAsString(entries);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new SerializationException(null, "Metadata", 1, "cannot write metadata entries", e);
        }
    }

    public Map<String, String> readEntries(String json) {
        try {
            Map<String, String> m = mapper.readValue(json, STRING_MAP);
            return m == null ? Map.of() : m;
        } catch (Exception e) {
            throw failure(null, "Metadata", 1, e);
        }
    }

    // ---------------------------------------------------------------- states

    /** A snapshot state (or any record, possibly holding collections and maps of records) as JSON. */
    public String writeState(Record state) {
        Objects.requireNonNull(state, "state");
        try {
            return mapper.writeValueAsString(state);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new SerializationException(null, state.getClass().getName(), 0, "cannot write state", e);
        }
    }

    /** Reads a state written by {@link #writeState}, strictly. */
    public <S extends Record> S readState(Class<S> type, String json) {
        try {
            return reader(type).readValue(json);
        } catch (Exception e) {
            throw failure(null, type.getName(), 0, e);
        }
    }

    // ---------------------------------------------------------- round trip

    /**
     * Writes {@code value} and reads it back the way the stores do: a registered event by its type name and schema
     * version ({@link #writeEvent}, {@link #readEvent}), any other record (a command, a snapshot state) as a state.
     * For tests, e.g. {@code AggregateFixture.withRoundTrip(codec::roundTrip)}; the caller compares the result.
     *
     * @throws SerializationException when writing or reading fails, or {@code value} is an event whose type is not
     *         registered (stores could not read it back either)
     * @throws IllegalArgumentException when {@code value} is not a record (J1 stores records only)
     */
    public Object roundTrip(Object value) {
        Objects.requireNonNull(value, "value");
        if (value instanceof Event event) {
            EventTypeInfo info = types.all().stream().filter(i -> i.type() == event.getClass()).findFirst()
                    .orElseThrow(() -> new SerializationException(null, event.getClass().getName(), 0,
                            "event type " + event.getClass().getName() + " is not registered", null));
            return readEvent(null, info.name(), info.schemaVersion(), writeEvent(event));
        }
        if (value instanceof Record r) {
            return readState(r.getClass(), writeState(r));
        }
        throw new IllegalArgumentException(value.getClass().getName() + " is not a record; JSON round trips need records");
    }

    // ---------------------------------------------------------------- helpers

    private ObjectReader reader(Class<?> type) {
        return readers.computeIfAbsent(type, mapper::readerFor);
    }

    private String nameOf(Class<? extends Event> type) {
        return types.all().stream().filter(i -> i.type() == type).map(EventTypeInfo::name).findFirst()
                .orElse(type.getName());
    }

    private int schemaOf(Class<? extends Event> type) {
        return types.all().stream().filter(i -> i.type() == type).mapToInt(EventTypeInfo::schemaVersion)
                .findFirst().orElse(0);
    }

    private static SerializationException failure(UUID id, String type, int schema, Exception e) {
        if (e instanceof SerializationException s) return s;
        String problem = e instanceof JsonProcessingException j ? j.getOriginalMessage() : String.valueOf(e.getMessage());
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            // name the component that did not match ("amount"), not only the Java type that was expected
            StringBuilder at = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) at.append(at.isEmpty() ? "" : ".").append(r.getFieldName());
                else if (r.getIndex() >= 0) at.append('[').append(r.getIndex()).append(']');
            }
            if (!at.isEmpty()) problem = problem + " (at '" + at + "')";
        }
        return new SerializationException(id, type, schema, problem, e);
    }

    /** JSON object → JDK map for upcasters: integers as Long (BigDecimal when too large), other numbers BigDecimal. */
    static Map<String, Object> toMap(ObjectNode node) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) out.put(e.getKey(), toJava(e.getValue()));
        return out;
    }

    private static Object toJava(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        if (n.isObject()) return toMap((ObjectNode) n);
        if (n.isArray()) {
            List<Object> list = new ArrayList<>(n.size());
            for (JsonNode item : n) list.add(toJava(item));
            return list;
        }
        if (n.isTextual()) return n.textValue();
        if (n.isBoolean()) return n.booleanValue();
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.longValue() : new BigDecimal(n.bigIntegerValue());
        }
        if (n.isNumber()) return n.decimalValue();
        return n.asText();
    }

    /** JDK map → JSON tree, keeping numbers numbers and strings strings. */
    private JsonNode toNode(Object value) {
        JsonNodeFactory f = mapper.getNodeFactory();
        if (value == null) return f.nullNode();
        if (value instanceof Map<?, ?> map) {
            ObjectNode o = f.objectNode();
            for (Map.Entry<?, ?> e : map.entrySet()) o.set(String.valueOf(e.getKey()), toNode(e.getValue()));
            return o;
        }
        if (value instanceof Collection<?> c) {
            ArrayNode a = f.arrayNode(c.size());
            for (Object item : c) a.add(toNode(item));
            return a;
        }
        if (value instanceof String s) return f.textNode(s);
        if (value instanceof Boolean b) return f.booleanNode(b);
        if (value instanceof Long l) return f.numberNode(l);
        if (value instanceof Integer i) return f.numberNode(i);
        if (value instanceof BigDecimal d) return f.numberNode(d);
        if (value instanceof BigInteger b) return f.numberNode(b);
        return mapper.valueToTree(value);
    }
}
