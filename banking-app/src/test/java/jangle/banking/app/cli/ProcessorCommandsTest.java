package jangle.banking.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jangle-bank events processors} and {@code events reset} end to end on a real SQLite file (D12, D17): the
 * table and its JSON, a reset that makes bank-views handle the feed again without doubling money (idempotent views,
 * checked by a row-by-row replay comparison), and the refusals with their exit codes.
 */
@Tag("D12")
@Tag("D17")
class ProcessorCommandsTest {
    @TempDir
    Path dir;
    private CliHarness cli;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void setUp() {
        cli = new CliHarness(dir);
        assertThat(cli.ok("create-account", "--name", "Alice", "--initial-deposit", "100")).isEqualTo("000001");
        assertThat(cli.ok("create-account", "--name", "Bobby")).isEqualTo("000002");
        cli.ok("send", "000001", "000002", "30");
    }

    private JsonNode processors() throws Exception {
        return json.readTree(cli.ok("--json", "events", "processors"));
    }

    private static JsonNode named(JsonNode doc, String name) {
        for (JsonNode p : doc.get("processors")) if (p.get("processor").asText().equals(name)) return p;
        throw new AssertionError("no processor " + name + " in " + doc);
    }

    @Test
    @DisplayName("events processors lists every processor with checkpoint, lag in events and seconds, and holders")
    void listsProcessors() throws Exception {
        String table = cli.ok("events", "processors");
        assertThat(table).contains("Processor", "Checkpoint", "Lag (events)", "Lag (s)", "Segments", "Owners",
                "Parked", "Dead", "bank-views", "transfer-mediator", "Head of the feed: ");
        String perSegment = cli.ok("events", "processors", "--segments");
        assertThat(perSegment).contains("Segment", "Owner", "Lease until").containsPattern("bank-views +0/4 ");
        JsonNode doc = processors();
        long head = doc.get("lastPosition").asLong();
        assertThat(head).isPositive();
        JsonNode views = named(doc, "bank-views");
        assertThat(views.get("segments")).hasSize(4);
        for (JsonNode seg : views.get("segments")) {
            assertThat(seg.get("position").asLong()).isBetween(0L, head);
            assertThat(seg.get("lagEvents").asLong()).isEqualTo(head - seg.get("position").asLong());
            assertThat(seg.has("owner")).isTrue();
            assertThat(seg.get("lagSeconds").isNumber()).isTrue();
        }
        assertThat(views.get("pending").asLong()).isZero();
        assertThat(views.get("dead").asLong()).isZero();
    }

    @Test
    @DisplayName("events reset moves every segment back; the next run handles the feed again and no money doubles")
    void resetReplaysIdempotently() throws Exception {
        long head = processors().get("lastPosition").asLong();
        assertThat(cli.ok("events", "reset", "bank-views", "0")).isEqualTo("Reset bank-views to position 0 (4 segments).");
        JsonNode views = named(processors(), "bank-views");
        for (JsonNode seg : views.get("segments")) {
            assertThat(seg.get("position").asLong()).isZero();
            assertThat(seg.get("lagEvents").asLong()).isEqualTo(head);
            assertThat(seg.get("owner").isNull()).as("a reset frees the segment").isTrue();
        }
        // a run with dispatch handles every event again; the views must equal a fresh rebuild (nothing doubled)
        var verify = cli.sub("replay", "--verify");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        assertThat(cli.ok("accounts")).containsPattern("(?m)^000001 Alice +70\\.00")
                .containsPattern("(?m)^000002 Bobby +30\\.00");
        assertThat(named(processors(), "bank-views").get("position").asLong()).isEqualTo(head);
        String asJson = cli.ok("--json", "events", "reset", "transfer-mediator", String.valueOf(head));
        assertThat(json.readTree(asJson).get("segments").asInt()).isEqualTo(4);
    }

    @Test
    @DisplayName("events reset refuses an unknown processor and a bad position with exit 2 and a clear message")
    void resetRefusals() throws Exception {
        JsonNode before = processors();
        long head = before.get("lastPosition").asLong();
        var unknown = cli.sub("events", "reset", "no-such-view", "0");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown processor 'no-such-view'", "the processors are:", "bank-views");
        var word = cli.sub("events", "reset", "bank-views", "first");
        assertThat(word.code()).isEqualTo(2);
        assertThat(word.err()).contains("POSITION must be a whole number", "not 'first'");
        var past = cli.sub("events", "reset", "bank-views", String.valueOf(head + 1));
        assertThat(past.code()).isEqualTo(2);
        assertThat(past.err()).contains("between 0 and the head of the feed (" + head + ")");
        var negative = cli.sub("events", "reset", "bank-views", "-1");
        assertThat(negative.code()).isEqualTo(2);
        var missing = cli.sub("events", "reset", "bank-views");
        assertThat(missing.code()).isEqualTo(2);
        // nothing was changed by the refusals
        assertThat(named(processors(), "bank-views").get("segments").findValuesAsText("position"))
                .isEqualTo(named(before, "bank-views").get("segments").findValuesAsText("position"));
    }
}
