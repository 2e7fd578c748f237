package jangle.banking.app.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import jangle.CommandResponse;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code --json} documents of cli.md §5: one JSON document per run, on one line. Money is a JSON number written
 * from the {@code BigDecimal} as plain text with its scale ({@code 3.57}, {@code 100.00}); instants are ISO-8601 UTC
 * strings. One mapper per run, no global state.
 */
final class JsonOutput {
    private final JsonMapper mapper;

    JsonOutput() {
        SimpleModule time = new SimpleModule("jangle-bank-cli");
        time.addSerializer(Instant.class, new StdSerializer<>(Instant.class) {
            @Override
            public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(value.toString());
            }
        });
        this.mapper = JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).addModule(time).build();
    }

    /** Any value (a query result, a map, a list of records) as one line of JSON. */
    String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON output: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The response object of cli.md §5: {@code success}, {@code reason}, {@code data}, {@code aggregateId},
     * {@code version}, {@code position}, then the subcommand's own facts (for example {@code outcome}).
     */
    static Map<String, Object> response(CommandResponse r, Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (r) {
            case CommandResponse.Accepted accepted -> {
                m.put("success", true);
                m.put("reason", null);
                m.put("data", accepted.data());
            }
            case CommandResponse.Rejected rejected -> {
                m.put("success", false);
                m.put("reason", rejected.reason());
                m.put("data", null);
            }
        }
        m.put("aggregateId", r.token() == null ? null : r.token().aggregateId());
        m.put("version", r.token() == null ? null : r.token().version());
        m.put("position", r.token() == null ? null : r.token().position());
        m.putAll(extra);
        return m;
    }
}
