package jangle.json;

import jangle.Event;
import jangle.TypeRegistry;
import jangle.TypeRegistry.EventTypeInfo;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The serialization round-trip check (J8): every registered event type must survive {@link JsonCodec} unchanged.
 * Catches a component Jackson cannot read back (an interface-typed field, a non-record value with no creator), a
 * {@code double} where exact money was meant, or a nanosecond {@code Instant} that the store would truncate.
 *
 * <pre>{@code
 * RoundTripCheck.assertRoundTrips(types, List.of(new FundsDeposited("acc-1", new BigDecimal("10.00")), ...));
 * }</pre>
 */
public final class RoundTripCheck {
    private RoundTripCheck() {
    }

    /**
     * Writes and reads back each example through a fresh {@link JsonCodec}, and requires one example per registered
     * type. Throws {@link AssertionError} listing every type that has no example, is not registered, or does not come
     * back equal (with the JSON that was written).
     */
    public static void assertRoundTrips(TypeRegistry types, Collection<? extends Event> examples) {
        Objects.requireNonNull(types, "types");
        JsonCodec codec = new JsonCodec(types);
        Map<Class<?>, Event> byType = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Event e : examples) {
            Objects.requireNonNull(e, "example");
            byType.putIfAbsent(e.getClass(), e);
        }
        List<EventTypeInfo> registered = new ArrayList<>(types.all());
        registered.sort(Comparator.comparing(EventTypeInfo::name));
        for (EventTypeInfo info : registered) {
            Event example = byType.remove(info.type());
            if (example == null) {
                problems.add(info.name() + ": no example given");
                continue;
            }
            String json = null;
            try {
                json = codec.writeEvent(example);
                Event back = codec.readEvent(UUID.randomUUID(), info.name(), info.schemaVersion(), json);
                if (!example.equals(back)) {
                    problems.add(info.name() + ": read back as " + back + " instead of " + example + " (JSON " + json + ")");
                }
            } catch (RuntimeException ex) {
                problems.add(info.name() + ": " + ex.getMessage() + (json == null ? "" : " (JSON " + json + ")"));
            }
        }
        for (Class<?> unregistered : byType.keySet()) {
            problems.add(unregistered.getName() + ": example of a type that is not registered");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("J8 serialization round trip failed for " + problems.size() + " type(s):\n  "
                    + String.join("\n  ", problems));
        }
    }
}
