package jangle.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import jangle.Event;
import jangle.TypeRegistry;
import jangle.TypeRegistry.EventTypeInfo;
import jangle.json.JsonCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Issue 7: the cost of the JSON codec on one typical banking event, encode and decode measured separately, beside
 * the same work done by a default Jackson {@link ObjectMapper} on the same record (the anchor). Quote
 * {@code codecEncode ÷ jacksonEncode} and {@code codecDecode ÷ jacksonDecode} from one invocation.
 *
 * <ul>
 *   <li>{@code codecEncode}: {@link JsonCodec#writeEvent}, what {@code JdbcEventStore.append} calls per event.</li>
 *   <li>{@code codecDecode}: {@link JsonCodec#decode} of that JSON with the stored (type name, schema version 1) and
 *   an event id, what the stores call per row read: the type lookup, the strict reader (unknown, missing and
 *   trailing content checked), the record's canonical constructor with its checks, and the {@code Decoded}
 *   wrapper. The type is current, so no upcasting.</li>
 *   <li>{@code jacksonEncode} / {@code jacksonDecode}: {@code new ObjectMapper()} with Jackson's defaults, called the way
 *   the codec calls its own mapper ({@code writeValueAsString}, and an {@link ObjectReader} for the record class
 *   made once), on the same event and on its own JSON. The
 *   shapes differ in one respect: Jackson writes a {@code BigDecimal} as a JSON number ({@code 105.50}), the codec
 *   as a string keeping the scale ({@code "105.50"}, J3).</li>
 * </ul>
 * The events are {@link BankEvents}' copies of {@code FundsDeposited} and {@code TransferDebited} (this module does
 * not depend on {@code banking-domain}). Each invocation handles the same event instance or JSON text; nothing is
 * cached between invocations but what the codec and Jackson cache themselves (serializers, readers).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SerializationBenchmark {

    @Param({"FundsDeposited", "TransferDebited"})
    String event;

    private JsonCodec codec;
    private ObjectMapper jackson;
    private ObjectReader jacksonReader;
    private Event value;
    private UUID eventId;
    private String typeName;
    private String codecJson;
    private String jacksonJson;

    @Setup(Level.Trial)
    public void setUp() throws JsonProcessingException {
        TypeRegistry types = TypeRegistry.of(List.of(BankEvents.Evt.class), List.of());
        codec = new JsonCodec(types);
        value = switch (event) {
            case "FundsDeposited" -> new BankEvents.FundsDeposited("000042", new BigDecimal("25.00"),
                    new BigDecimal("105.50"), "3f1c9a2e-7b4d-4e8a-9c21-5d6f0a1b2c3d");
            case "TransferDebited" -> new BankEvents.TransferDebited("000042", "000107", new BigDecimal("25.00"),
                    new BigDecimal("80.50"), "3f1c9a2e-7b4d-4e8a-9c21-5d6f0a1b2c3d");
            default -> throw new IllegalArgumentException("unknown event '" + event
                    + "'; use FundsDeposited or TransferDebited");
        };
        EventTypeInfo info = types.all().stream().filter(i -> i.type() == value.getClass()).findFirst()
                .orElseThrow();
        typeName = info.name();
        eventId = UUID.fromString("0b7e4c52-9d1a-4f3e-8a6b-2c5d7e9f1a3b");
        jackson = new ObjectMapper();
        jacksonReader = jackson.readerFor(value.getClass());
        codecJson = codec.writeEvent(value);
        jacksonJson = jackson.writeValueAsString(value);
        // both paths must give back an equal record, or the comparison means nothing
        if (!codec.decode(eventId, typeName, info.schemaVersion(), codecJson).event().equals(value)
                || !jacksonReader.readValue(jacksonJson).equals(value)) {
            throw new IllegalStateException("round trip failed: " + codecJson + " / " + jacksonJson);
        }
        System.out.println("\n[json] codec " + codecJson.length() + " chars: " + codecJson
                + "\n[json] jackson " + jacksonJson.length() + " chars: " + jacksonJson);
    }

    @Benchmark
    public String codecEncode() {
        return codec.writeEvent(value);
    }

    @Benchmark
    public String jacksonEncode() throws JsonProcessingException {
        return jackson.writeValueAsString(value);
    }

    @Benchmark
    public JsonCodec.Decoded codecDecode() {
        return codec.decode(eventId, typeName, 1, codecJson);
    }

    @Benchmark
    public Object jacksonDecode() throws JsonProcessingException {
        return jacksonReader.readValue(jacksonJson);
    }
}
