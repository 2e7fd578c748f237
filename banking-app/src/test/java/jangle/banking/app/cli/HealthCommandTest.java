package jangle.banking.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** OB5 (docs/observability.md): {@code jangle-bank health} and {@code jangle-bank metrics} on a real SQLite file. */
class HealthCommandTest {
    @TempDir
    Path dir;

    @Test
    @Tag("OB5")
    @DisplayName("OB5: health is UP, DEGRADED with a dead letter (exit 0), DOWN past the lag limit (exit 1)")
    void healthFollowsTheLedger() throws Exception {
        CliHarness on = new CliHarness(dir);
        assertThat(on.sub("create-account", "--name", "Alice", "--initial-deposit", "100").code()).isZero();
        CliHarness off = new CliHarness(dir).env("JANGLE_BANK_DISPATCH", "off");
        assertThat(off.sub("deposit", "000001", "5").code()).isZero(); // waits behind the checkpoints (D17)

        var up = off.sub("health");
        assertThat(up.code()).as(up.err()).isZero();
        assertThat(up.lines().get(0)).isEqualTo("Health: UP (ready)");
        assertThat(up.out()).containsPattern("UP +lag:bank-views +segment \\d+ is [1-9]\\d* positions")
                .containsPattern("INFO +processor:bank-views +checkpoint \\d+, [1-9]\\d* events / ");

        // a dead letter (as a handler that ran out of attempts leaves it, D3) makes the store degraded
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + off.db());
             Statement s = c.createStatement()) {
            int parked = s.executeUpdate("INSERT INTO jangle_deliveries (event_id, handler, position, correlation_id, "
                    + "status, attempts, due_from, first_failure_at, last_attempt_at, last_error) "
                    + "SELECT event_id, 'bank-views', position, correlation_id, 'DEAD', 5, created_at, created_at, "
                    + "created_at, 'test' FROM jangle_events WHERE position = (SELECT MAX(position) FROM jangle_events)");
            assertThat(parked).isEqualTo(1);
        }
        var degraded = off.sub("health");
        assertThat(degraded.code()).as(degraded.err()).isZero();
        assertThat(degraded.lines().get(0)).isEqualTo("Health: DEGRADED (ready)");
        assertThat(degraded.out()).containsPattern("DEGRADED +dead-letters:bank-views +1 dead letter");

        JsonNode json = new ObjectMapper().readTree(off.sub("--json", "health").out());
        assertThat(json.get("status").asText()).isEqualTo("DEGRADED");
        assertThat(json.get("checks").size()).isGreaterThanOrEqualTo(3);
        assertThat(json.get("processors").findValuesAsText("processor")).contains("bank-views");

        // the unhandled deposit ages on the real clock; wait (bounded) until it is past a one-second limit
        CliHarness.Result down = null;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            down = off.sub("health", "--max-lag", "1");
            if (down.code() != 0) break;
            Thread.sleep(200);
        }
        assertThat(down.code()).as(down.out()).isEqualTo(1);
        assertThat(down.lines().get(0)).isEqualTo("Health: DOWN (not ready)");
        assertThat(down.out()).containsPattern("DOWN +lag:bank-views +segment \\d+ is [1-9]\\d* positions and \\d+ s "
                + "behind the head, over the 1 s limit");

        assertThat(off.sub("health", "--max-lag", "0").code()).isEqualTo(2);
    }

    @Test
    @Tag("OB5")
    @DisplayName("OB5: metrics prints a Prometheus scrape with the command and ledger meters")
    void metricsScrape() {
        CliHarness cli = new CliHarness(dir);
        assertThat(cli.sub("create-account", "--name", "Alice", "--initial-deposit", "100").code()).isZero();
        var r = cli.sub("metrics");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("# TYPE jangle_handler_pending_events gauge")
                .contains("jangle_handler_pending_events{handler=\"bank-views\"} 0.0")
                .contains("jangle_handler_lag_seconds{handler=\"transfer-mediator\"} 0.0")
                .containsPattern("jangle_feed_position \\d+\\.0")
                .contains("jangle_sagas_active ");
    }
}
