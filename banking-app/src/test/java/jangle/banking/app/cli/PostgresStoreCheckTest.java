package jangle.banking.app.cli;

import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 17.3 and 17.4 on PostgreSQL: {@code check} on a sound and a damaged store; backup and restore point to the server's tools. */
class PostgresStoreCheckTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("issue 17.3: check on PostgreSQL: sound store exit 0 (with --views), then an unreadable event, a "
            + "version gap, a stray snapshot and an orphan delivery are each listed, exit 1, nothing written")
    void checkOnPostgres() throws Exception {
        String url = EmbeddedPg.newDatabaseUrl();
        var cli = new CliHarness(dir).env("JANGLE_DB_URL", url).env("JANGLE_DB_USER", "postgres")
                .env("JANGLE_DB_PASSWORD", "postgres");
        assertThat(cli.runRaw("", "create-account", "--name", "Alice", "--initial-deposit", "50").code()).isZero();
        assertThat(cli.runRaw("", "create-account", "--name", "Bobby").code()).isZero();
        assertThat(cli.runRaw("", "deposit", "000001", "5").code()).isZero();
        assertThat(cli.runRaw("", "deposit", "000001", "6").code()).isZero();
        assertThat(cli.runRaw("", "send", "000001", "000002", "7").code()).isZero();

        var sound = cli.runRaw("", "check", "--views");
        assertThat(sound.code()).as(sound.out() + sound.err()).isZero();
        assertThat(sound.out()).contains("Sound: no findings.").containsPattern("amcheck|PostgreSQL");

        long events = scalar(url, "SELECT COUNT(*) FROM jangle_events");
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement()) {
            s.execute("UPDATE jangle_events SET type = 'NoSuchEvent' WHERE aggregate_id = '000002' AND version = 1");
            s.execute("DELETE FROM jangle_events WHERE aggregate_id = '000001' AND version = 2");
            s.execute("INSERT INTO jangle_snapshots (aggregate_id, version, position, fingerprint, state) "
                    + "VALUES ('000002', 7, 999, 'f', '{}')");
            s.execute("INSERT INTO jangle_deliveries (event_id, handler, position, correlation_id, status, attempts, "
                    + "due_from) VALUES ('00000000-0000-0000-0000-000000000001', 'bank-views', 5000, "
                    + "'00000000-0000-0000-0000-000000000002', 'PENDING', 0, now())");
        }
        var damaged = cli.runRaw("", "check");
        assertThat(damaged.code()).as(damaged.out() + damaged.err()).isEqualTo(1);
        assertThat(damaged.out()).contains("events: jangle_events position ", "NoSuchEvent",
                "versions: aggregate '000001' has", "snapshots: jangle_snapshots aggregate '000002' at version 7",
                "deliveries: jangle_deliveries bank-views for event 00000000-0000-0000-0000-000000000001 at position "
                        + "5000: no such event");
        assertThat(scalar(url, "SELECT COUNT(*) FROM jangle_events")).as("check wrote nothing").isEqualTo(events - 1);

        var backup = cli.runRaw("", "backup", dir.resolve("b.db").toString());
        assertThat(backup.code()).isEqualTo(2);
        assertThat(backup.err()).contains("pg_dump");
    }

    private static long scalar(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
