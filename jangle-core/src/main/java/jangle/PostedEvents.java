package jangle;

import jangle.spi.NewEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Numbers the events a validator posted (A6): own events get {@code version + 1, + 2, …} in posting order; events
 * for another id start that stream at 1, 2, … per id. Shared by the command handler and the aggregate harness so
 * both number alike.
 */
final class PostedEvents {
    private PostedEvents() {
    }

    /** What the store needs to know about an event class: its registered name and schema. */
    record EventMeta(String name, int schemaVersion) {
    }

    static List<NewEvent> number(String aggregateId, long version, List<Aggregate.Posted> posted, Metadata metadata,
                                 Instant createdAt, Function<Class<?>, EventMeta> meta, Supplier<UUID> ids) {
        List<NewEvent> out = new ArrayList<>(posted.size());
        long own = version;
        Map<String, Long> foreign = null;
        for (Aggregate.Posted p : posted) {
            long v;
            if (p.aggregateId().equals(aggregateId)) {
                v = ++own;
            } else {
                checkForeignId(p.aggregateId());
                if (foreign == null) foreign = new HashMap<>();
                v = foreign.merge(p.aggregateId(), 1L, Long::sum);
            }
            EventMeta m = meta.apply(p.event().getClass());
            out.add(new NewEvent(ids.get(), p.aggregateId(), v, m.name(), m.schemaVersion(), createdAt, metadata,
                    p.event()));
        }
        return out;
    }

    /** §2: an aggregate id is 1–255 characters with no control characters. */
    static void checkForeignId(String id) {
        if (id == null || id.isEmpty() || id.length() > 255) {
            throw new InvalidMessageException("aggregateId", "aggregateId must be 1 to 255 characters");
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                throw new InvalidMessageException("aggregateId", "aggregateId must not contain control characters");
            }
        }
    }

    /** The type info of an event class from its annotation alone (J2), for the harness without a registry. */
    static EventMeta fromAnnotation(Class<?> type) {
        EventType ann = type.getAnnotation(EventType.class);
        String name = ann == null || ann.name().isBlank() ? type.getSimpleName() : ann.name().strip();
        return new EventMeta(name, ann == null ? 1 : ann.schemaVersion());
    }
}
