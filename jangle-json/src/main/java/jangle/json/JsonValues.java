package jangle.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * Jackson (de)serializers for the two value types whose JSON shape Jangle fixes itself.
 *
 * <ul>
 *   <li>{@link BigDecimal} is a JSON string that keeps its scale ({@code "50.55"}, {@code "100.00"}) so money never
 *   passes through a binary float, in any reader (J3). Reading also accepts a JSON number (for example one an
 *   upcaster produced), taken from its exact text.</li>
 *   <li>{@link Instant} is ISO-8601 UTC with {@code Z} and exactly six fraction digits
 *   ({@code "2026-03-01T10:15:30.123456Z"}); the fixed width makes text order equal time order (J4). Instants are
 *   therefore kept to the microsecond: a nanosecond part is truncated on write.</li>
 * </ul>
 */
final class JsonValues {
    /** Fixed-width UTC instant text (J4). */
    static final DateTimeFormatter INSTANT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private JsonValues() {
    }

    static SimpleModule module() {
        SimpleModule m = new SimpleModule("jangle-values");
        m.addSerializer(BigDecimal.class, new DecimalWriter());
        m.addDeserializer(BigDecimal.class, new DecimalReader());
        m.addSerializer(Instant.class, new InstantWriter());
        m.addDeserializer(Instant.class, new InstantReader());
        return m;
    }

    /** The J3 text of a decimal: plain notation keeps the scale ("100.00"); a negative scale keeps its exponent. */
    static String decimalText(BigDecimal d) {
        return d.scale() >= 0 ? d.toPlainString() : d.toString();
    }

    /** The J4 text of an instant, truncated to microseconds. */
    static String instantText(Instant t) {
        return INSTANT.format(t.truncatedTo(ChronoUnit.MICROS));
    }

    private static final class DecimalWriter extends JsonSerializer<BigDecimal> {
        @Override
        public void serialize(BigDecimal value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(decimalText(value));
        }
    }

    private static final class DecimalReader extends JsonDeserializer<BigDecimal> {
        @Override
        public BigDecimal deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken t = p.currentToken();
            // a number (an upcaster may produce one) is read from its exact text, never through a double
            if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) return p.getDecimalValue();
            if (t != JsonToken.VALUE_STRING) {
                return (BigDecimal) ctxt.handleUnexpectedToken(BigDecimal.class, p);
            }
            String text = p.getText();
            try {
                return new BigDecimal(text);
            } catch (NumberFormatException e) {
                return (BigDecimal) ctxt.handleWeirdStringValue(BigDecimal.class, text, "not a decimal number");
            }
        }
    }

    private static final class InstantWriter extends JsonSerializer<Instant> {
        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(instantText(value));
        }
    }

    private static final class InstantReader extends JsonDeserializer<Instant> {
        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
            }
            String text = p.getText();
            try {
                return Instant.parse(text);
            } catch (DateTimeException e) {
                return (Instant) ctxt.handleWeirdStringValue(Instant.class, text, "not an ISO-8601 instant");
            }
        }
    }
}
