package jangle.json;

import jangle.Event;
import jangle.EventType;
import jangle.Metadata;
import jangle.SerializationException;
import jangle.TypeRegistry;
import jangle.Upcaster;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonCodecTest {
    sealed interface TestEvent extends Event permits Deposited, Opened, Renamed, Flagged {
    }

    record Deposited(String accountId, BigDecimal amount, Instant at, UUID txId) implements TestEvent {
    }

    /** Current shape is version 3: v1 was "AccountCreated" {owner}, v2 "Opened" {owner}, v3 {owner, currency}. */
    @EventType(name = "Opened", schemaVersion = 3)
    record Opened(String owner, String currency) implements TestEvent {
    }

    record Renamed(String accountId, String name, long count, int tries) implements TestEvent {
        /** Helper methods that look like bean getters must not become JSON properties. */
        public boolean isEmpty() {
            return name.isEmpty();
        }

        public String getDisplay() {
            return accountId + ":" + name;
        }
    }

    record Flagged(String accountId, String reason) implements TestEvent {
        Flagged {
            if (accountId == null || accountId.isBlank()) throw new IllegalArgumentException("accountId is required");
        }
    }

    enum Kind { SAVINGS, CHECKING }

    record Entry(String id, BigDecimal amount, Instant at) {
    }

    record State(String owner, Map<String, Entry> entries, Set<Kind> kinds, List<Entry> history, long version,
                 BigDecimal floor) {
    }

    record Empty() {
    }

    private static Upcaster upcaster(String type, int from, java.util.function.Function<Map<String, Object>,
            Upcaster.Upcasted> f) {
        return new Upcaster() {
            public String typeName() {
                return type;
            }

            public int fromSchemaVersion() {
                return from;
            }

            public Upcasted upcast(Map<String, Object> payload) {
                return f.apply(payload);
            }
        };
    }

    private final List<Upcaster> upcasters = List.of(
            upcaster("AccountCreated", 1, p -> new Upcaster.Upcasted("Opened", p)),
            upcaster("Opened", 2, p -> {
                Map<String, Object> next = new LinkedHashMap<>(p);
                next.put("currency", "EUR");
                return new Upcaster.Upcasted(null, next);
            }));
    private final TypeRegistry types = TypeRegistry.of(List.of(TestEvent.class), upcasters);
    private final JsonCodec codec = new JsonCodec(types);

    @Test
    @Tag("J3")
    @DisplayName("J3: BigDecimal is a JSON string keeping its scale and reads back exactly")
    void decimalsAreStringsWithScale() {
        UUID tx = UUID.fromString("0b7b6c5e-8a3e-4c55-9d0c-2f4b8e1d7a10");
        Deposited e = new Deposited("acc-1", new BigDecimal("100.00"), Instant.parse("2026-03-01T10:15:30Z"), tx);
        String json = codec.writeEvent(e);
        assertThat(json).contains("\"amount\":\"100.00\"").doesNotContain("100.0,").doesNotContain(":100");
        Deposited back = (Deposited) codec.readEvent(UUID.randomUUID(), "Deposited", 1, json);
        assertThat(back).isEqualTo(e);
        assertThat(back.amount().scale()).isEqualTo(2);

        String cents = codec.writeEvent(new Deposited("a", new BigDecimal("50.55"), Instant.EPOCH, tx));
        assertThat(cents).contains("\"amount\":\"50.55\"");
    }

    @Test
    @Tag("J4")
    @DisplayName("J4: Instant is ISO-8601 UTC with Z and always six fraction digits; UUID is canonical")
    void instantsAndUuids() {
        UUID tx = UUID.fromString("0b7b6c5e-8a3e-4c55-9d0c-2f4b8e1d7a10");
        String whole = codec.writeEvent(new Deposited("a", BigDecimal.ONE, Instant.parse("2026-03-01T10:15:30Z"), tx));
        assertThat(whole).contains("\"at\":\"2026-03-01T10:15:30.000000Z\"")
                .contains("\"txId\":\"0b7b6c5e-8a3e-4c55-9d0c-2f4b8e1d7a10\"");
        String micros = codec.writeEvent(new Deposited("a", BigDecimal.ONE,
                Instant.parse("2026-03-01T10:15:30.123456789Z"), tx));
        assertThat(micros).contains("\"at\":\"2026-03-01T10:15:30.123456Z\"");
        Deposited back = (Deposited) codec.readEvent(UUID.randomUUID(), "Deposited", 1, micros);
        assertThat(back.at()).isEqualTo(Instant.parse("2026-03-01T10:15:30.123456Z"));
    }

    @Test
    @Tag("J5")
    @DisplayName("J5: an unknown property is an error naming event id and type")
    void unknownPropertyFails() {
        UUID id = UUID.randomUUID();
        String json = "{\"accountId\":\"a\",\"name\":\"n\",\"count\":1,\"tries\":2,\"extra\":true}";
        assertThatThrownBy(() -> codec.readEvent(id, "Renamed", 1, json))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(id.toString()).hasMessageContaining("Renamed").hasMessageContaining("extra")
                .satisfies(t -> {
                    SerializationException s = (SerializationException) t;
                    assertThat(s.eventId()).isEqualTo(id);
                    assertThat(s.typeName()).isEqualTo("Renamed");
                    assertThat(s.schemaVersion()).isEqualTo(1);
                });
    }

    @Test
    @Tag("J5")
    @DisplayName("J5: a missing property (reference or primitive) or null for a primitive is an error")
    void missingPropertyFails() {
        assertThatThrownBy(() -> codec.readEvent(UUID.randomUUID(), "Renamed", 1,
                "{\"accountId\":\"a\",\"count\":1,\"tries\":2}"))
                .isInstanceOf(SerializationException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> codec.readEvent(UUID.randomUUID(), "Renamed", 1,
                "{\"accountId\":\"a\",\"name\":\"n\",\"tries\":2}"))
                .isInstanceOf(SerializationException.class).hasMessageContaining("count");
        assertThatThrownBy(() -> codec.readEvent(UUID.randomUUID(), "Renamed", 1,
                "{\"accountId\":\"a\",\"name\":\"n\",\"count\":null,\"tries\":2}"))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    @Tag("J5")
    @DisplayName("J5: bean-like helper methods of a record are not written, so the record reads back")
    void helperMethodsAreNotProperties() {
        Renamed r = new Renamed("a", "Ana", 3, 4);
        String json = codec.writeEvent(r);
        assertThat(json).doesNotContain("empty").doesNotContain("display");
        assertThat(codec.readEvent(UUID.randomUUID(), "Renamed", 1, json)).isEqualTo(r);
    }

    @Test
    @Tag("J5")
    @DisplayName("J5: an explicit null is a value, and the record's constructor still validates on read")
    void constructorValidationRunsOnRead() {
        assertThat(codec.writeEvent(new Flagged("a", null))).isEqualTo("{\"accountId\":\"a\",\"reason\":null}");
        assertThat(codec.readEvent(UUID.randomUUID(), "Flagged", 1, "{\"accountId\":\"a\",\"reason\":null}"))
                .isEqualTo(new Flagged("a", null));
        UUID id = UUID.randomUUID();
        assertThatThrownBy(() -> codec.readEvent(id, "Flagged", 1, "{\"accountId\":\" \",\"reason\":\"x\"}"))
                .isInstanceOf(SerializationException.class).hasMessageContaining(id.toString())
                .hasMessageContaining("accountId is required");
    }

    @Test
    @Tag("J6")
    @DisplayName("J6: upcasters are chained from the stored schema version, following a type rename")
    void upcasterChainWithRename() {
        JsonCodec.Decoded d = codec.decode(UUID.randomUUID(), "AccountCreated", 1, "{\"owner\":\"Ana\"}");
        assertThat(d.event()).isEqualTo(new Opened("Ana", "EUR"));
        assertThat(d.typeName()).isEqualTo("Opened");
        assertThat(d.schemaVersion()).isEqualTo(3);

        JsonCodec.Decoded mid = codec.decode(UUID.randomUUID(), "Opened", 2, "{\"owner\":\"Bea\"}");
        assertThat(mid.event()).isEqualTo(new Opened("Bea", "EUR"));

        JsonCodec.Decoded current = codec.decode(UUID.randomUUID(), "Opened", 3,
                "{\"owner\":\"Cy\",\"currency\":\"USD\"}");
        assertThat(current.event()).isEqualTo(new Opened("Cy", "USD"));
    }

    @Test
    @Tag("J6")
    @DisplayName("J6: upcasters see numbers as Long or exact BigDecimal and strings unchanged")
    void upcasterTreeTypes() {
        Map<String, Object> seen = new LinkedHashMap<>();
        TypeRegistry reg = TypeRegistry.of(List.of(TestEvent.class), List.of(
                upcaster("AccountCreated", 1, p -> {
                    seen.putAll(p);
                    return new Upcaster.Upcasted("Opened", Map.of("owner", p.get("owner")));
                }),
                upcaster("Opened", 2, p -> new Upcaster.Upcasted(null, Map.of("owner", p.get("owner"),
                        "currency", "EUR")))));
        new JsonCodec(reg).readEvent(UUID.randomUUID(), "AccountCreated", 1,
                "{\"owner\":\"Ana\",\"n\":12,\"x\":0.10,\"s\":\"1.50\",\"big\":123456789012345678901234567890,"
                        + "\"list\":[1,{\"k\":true}],\"nil\":null}");
        assertThat(seen.get("n")).isEqualTo(12L);
        assertThat(seen.get("x")).isEqualTo(new BigDecimal("0.10"));
        assertThat(seen.get("s")).isEqualTo("1.50");
        assertThat(seen.get("big")).isEqualTo(new BigDecimal("123456789012345678901234567890"));
        assertThat(seen.get("list")).isEqualTo(List.of(1L, Map.of("k", true)));
        assertThat(seen).containsEntry("nil", null);
    }

    @Test
    @Tag("J6")
    @DisplayName("J6: a stored schema version newer than the code, or with no upcaster, is a clear error")
    void missingUpcasterOrNewerVersion() {
        UUID id = UUID.randomUUID();
        assertThatThrownBy(() -> codec.readEvent(id, "Opened", 4, "{\"owner\":\"a\",\"currency\":\"b\"}"))
                .isInstanceOf(SerializationException.class).hasMessageContaining("newer");
        assertThatThrownBy(() -> codec.readEvent(id, "Deposited", 0, "{}"))
                .isInstanceOf(SerializationException.class).hasMessageContaining("no upcaster");
    }

    @Test
    @Tag("J7")
    @DisplayName("J7: corrupt JSON raises SerializationException naming event id, type and schema version")
    void corruptJson() {
        UUID id = UUID.randomUUID();
        assertThatThrownBy(() -> codec.readEvent(id, "Deposited", 1, "{\"accountId\":\"a\",\"amou"))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(id.toString()).hasMessageContaining("'Deposited'")
                .hasMessageContaining("schema version 1")
                .hasCauseInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
        assertThatThrownBy(() -> codec.readEvent(id, "AccountCreated", 1, "not json"))
                .isInstanceOf(SerializationException.class).hasMessageContaining("AccountCreated");
    }

    @Test
    @Tag("J7")
    @DisplayName("J7: an unknown type name raises SerializationException naming it")
    void unknownType() {
        UUID id = UUID.randomUUID();
        assertThatThrownBy(() -> codec.readEvent(id, "NoSuchEvent", 1, "{}"))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(id.toString()).hasMessageContaining("unknown event type name 'NoSuchEvent'");
    }

    @Test
    @Tag("J1")
    @DisplayName("J1: metadata round-trips with null causation and free-form entries")
    void metadataRoundTrip() {
        Metadata m = new Metadata(UUID.randomUUID(), null, Map.of("userId", "u-1", "ip", "10.0.0.1"));
        assertThat(codec.readMetadata(codec.writeMetadata(m))).isEqualTo(m);
        Metadata caused = Metadata.of(UUID.randomUUID()).withCausation(UUID.randomUUID());
        assertThat(codec.readMetadata(codec.writeMetadata(caused))).isEqualTo(caused);
        assertThat(codec.readEntries(codec.writeEntries(m.entries()))).isEqualTo(m.entries());
    }

    @Test
    @Tag("J1")
    @Tag("S8")
    @DisplayName("S8/J1: snapshot states with maps and lists of records, sets of enums and decimals round-trip")
    void stateRoundTrip() {
        Instant at = Instant.parse("2026-03-01T10:15:30.000001Z");
        State s = new State("Ana",
                Map.of("t1", new Entry("t1", new BigDecimal("5.50"), at), "t2", new Entry("t2", null, at)),
                Set.of(Kind.SAVINGS, Kind.CHECKING), List.of(new Entry("h", new BigDecimal("-100.00"), at)), 42L,
                new BigDecimal("-100.00"));
        String json = codec.writeState(s);
        State back = codec.readState(State.class, json);
        assertThat(back).isEqualTo(s);
        assertThat(back.floor().scale()).isEqualTo(2);
        assertThat(codec.readState(Empty.class, codec.writeState(new Empty()))).isEqualTo(new Empty());
        assertThatThrownBy(() -> codec.readState(State.class, "{\"owner\":\"x\"}"))
                .isInstanceOf(SerializationException.class).hasMessageContaining(State.class.getName());
    }

    @Test
    @Tag("J7")
    @DisplayName("J7: a payload that cannot be written raises SerializationException naming the type")
    void unwritable() {
        record Bad(Object self) implements Event {
        }
        JsonCodec c = new JsonCodec(TypeRegistry.of(List.of(), List.of()));
        assertThatThrownBy(() -> c.writeEvent(new Bad(new Object())))
                .isInstanceOf(SerializationException.class).hasMessageContaining("Bad");
    }
}
