package jangle.kafka;

import jangle.EventRecord;
import jangle.Metadata;
import jangle.SerializationException;
import jangle.json.JsonCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The wire shape of one committed event on the topic. Key: the aggregate id (UTF-8), so every event of an aggregate
 * lands in one partition, in order. Value: the payload's JSON as the store keeps it (jangle-json, J1–J4). Headers
 * (UTF-8 text, readable by any client, e.g. {@code kcat -f '%k %h %s'}): {@code jangle.event-id},
 * {@code jangle.type}, {@code jangle.schema-version}, {@code jangle.aggregate-id}, {@code jangle.version},
 * {@code jangle.position}, {@code jangle.created-at}, {@code jangle.correlation-id}, {@code jangle.causation-id}
 * (absent when none) and {@code jangle.metadata} (the free-form entries as a JSON object).
 *
 * <p>Reading upcasts an older (type, schema version) to the current registration (J6), so producers and consumers
 * may run different releases. Thread-safe.
 */
public final class EventRecordCodec {
    public static final String EVENT_ID = "jangle.event-id";
    public static final String TYPE = "jangle.type";
    public static final String SCHEMA_VERSION = "jangle.schema-version";
    public static final String AGGREGATE_ID = "jangle.aggregate-id";
    public static final String VERSION = "jangle.version";
    public static final String POSITION = "jangle.position";
    public static final String CREATED_AT = "jangle.created-at";
    public static final String CORRELATION_ID = "jangle.correlation-id";
    public static final String CAUSATION_ID = "jangle.causation-id";
    public static final String METADATA = "jangle.metadata";

    private final JsonCodec json;

    public EventRecordCodec(JsonCodec json) {
        this.json = Objects.requireNonNull(json, "json");
    }

    /** The record to send for one committed event. */
    public ProducerRecord<String, byte[]> toProducerRecord(String topic, EventRecord<?> r) {
        Headers h = new RecordHeaders();
        put(h, EVENT_ID, r.eventId().toString());
        put(h, TYPE, r.type());
        put(h, SCHEMA_VERSION, Integer.toString(r.schemaVersion()));
        put(h, AGGREGATE_ID, r.aggregateId());
        put(h, VERSION, Long.toString(r.version()));
        put(h, POSITION, Long.toString(r.position()));
        put(h, CREATED_AT, r.createdAt().toString());
        put(h, CORRELATION_ID, r.metadata().correlationId().toString());
        if (r.metadata().causationId() != null) put(h, CAUSATION_ID, r.metadata().causationId().toString());
        put(h, METADATA, json.writeEntries(r.metadata().entries()));
        byte[] value = json.writeEvent(r.event()).getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, r.aggregateId(), value, h);
    }

    /**
     * The committed event carried by {@code record}.
     *
     * @throws SerializationException when a header is missing or malformed or the payload cannot be read
     */
    public EventRecord<?> fromConsumerRecord(ConsumerRecord<String, byte[]> record) {
        Headers h = record.headers();
        UUID eventId = null;
        String type = null;
        int schemaVersion = 0;
        try {
            eventId = UUID.fromString(get(h, EVENT_ID));
            type = get(h, TYPE);
            schemaVersion = Integer.parseInt(get(h, SCHEMA_VERSION));
            String causation = optional(h, CAUSATION_ID);
            Metadata metadata = new Metadata(UUID.fromString(get(h, CORRELATION_ID)),
                    causation == null ? null : UUID.fromString(causation), json.readEntries(get(h, METADATA)));
            JsonCodec.Decoded decoded = json.decode(eventId, type, schemaVersion,
                    new String(Objects.requireNonNull(record.value(), "value"), StandardCharsets.UTF_8));
            return new EventRecord<>(eventId, get(h, AGGREGATE_ID), Long.parseLong(get(h, VERSION)),
                    decoded.typeName(), decoded.schemaVersion(), Instant.parse(get(h, CREATED_AT)),
                    Long.parseLong(get(h, POSITION)), metadata, decoded.event());
        } catch (SerializationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SerializationException(eventId, type, schemaVersion, "malformed Kafka record at "
                    + record.topic() + "-" + record.partition() + "@" + record.offset() + ": " + e.getMessage(), e);
        }
    }

    static void put(Headers h, String key, String value) {
        h.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    static String optional(Headers h, String key) {
        Header header = h.lastHeader(key);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String get(Headers h, String key) {
        String v = optional(h, key);
        if (v == null) throw new IllegalArgumentException("header " + key + " is missing");
        return v;
    }
}
