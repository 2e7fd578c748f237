package jangle.banking.app.cli;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17.1 against a real PostgreSQL that is stopped and started again (its own embedded server, same data
 * directory and port): {@code daemon} started while the server is down waits, says so on stderr and in the log, and
 * starts when it comes back; it survives an outage in the middle of its run and goes on delivering; a one-shot command
 * meanwhile fails at once with exit 3. Every wait is on an event (a line, a row count) with a bound.
 */
class DatabaseOutageTest {
    private static final Duration BOUND = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private static EmbeddedPostgres start(Path data, int port) throws Exception {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false);
        if (port > 0) b.setPort(port);
        return b.start();
    }

    /**
     * Work left, read with plain JDBC: processor segments behind the head of the feed (D17) plus parked deliveries
     * awaiting a retry; -1 while no processor has a checkpoint yet (the daemon has not registered them).
     */
    private static long pending(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT COUNT(*) FROM jangle_checkpoints WHERE position < "
                     + "(SELECT COALESCE(MAX(position), 0) FROM jangle_events)), "
                     + "(SELECT COUNT(*) FROM jangle_deliveries WHERE status = 'PENDING'), "
                     + "(SELECT COUNT(*) FROM jangle_checkpoints)")) {
            rs.next();
            return rs.getLong(3) == 0 ? -1 : rs.getLong(1) + rs.getLong(2);
        }
    }

    private static void awaitNothingPending(String url) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        long n;
        while ((n = pending(url)) != 0) {
            if (System.nanoTime() > deadline) throw new AssertionError(n + " segments behind or parked deliveries left");
            Thread.sleep(100);
        }
    }

    private static void awaitText(Path file, String text) throws Exception {
        awaitText(file, 0, text);
    }

    /** Waits for {@code text} in the file after its first {@code from} characters. */
    private static void awaitText(Path file, int from, String text) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!Files.exists(file) || Files.readString(file).indexOf(text, from) < 0) {
            if (System.nanoTime() > deadline) throw new AssertionError("no \"" + text + "\" in " + file);
            Thread.sleep(100);
        }
    }

    @Test
    @DisplayName("issue 17.1: daemon waits for PostgreSQL down at start, starts when it is back, survives a mid-run "
            + "outage; a one-shot command fails fast with exit 3")
    void daemonWaitsAndRecovers() throws Exception {
        Path data = dir.resolve("pgdata");
        Path log = dir.resolve("daemon.log");
        EmbeddedPostgres pg = start(data, 0);
        int port = pg.getPort();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE bank");
        }
        String url = "jdbc:postgresql://localhost:" + port + "/bank";
        pg.close(); // down before anything starts

        CliHarness oneShot = new CliHarness(dir).env("JANGLE_DB_USER", "postgres").env("JANGLE_DB_PASSWORD", "postgres")
                .env("JANGLE_BANK_DISPATCH", "off");
        var refused = oneShot.runRaw("", "--db-url", url, "accounts");
        assertThat(refused.code()).isEqualTo(3);
        assertThat(refused.err()).startsWith("Error: ").doesNotContain("Retrying");

        var pb = new ProcessBuilder(CliHarness.childCommand("--db-url", url, "--log-file", log.toString(),
                "--log-format", "text", "daemon")).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("JANGLE_"));
        pb.environment().putAll(Map.of("JANGLE_DB_USER", "postgres", "JANGLE_DB_PASSWORD", "postgres",
                "JANGLE_FAILED_EVENTS_MAX_AGE", "1s", "JANGLE_FAILED_EVENTS_RETRY_INTERVAL", "500ms",
                "JANGLE_SAGA_RETRY_INTERVAL", "1s"));
        Process daemon = pb.start();
        try (var screen = new CliHarness.Expect(daemon.getInputStream())) {
            screen.expect("The database is not reachable (" + url + ")", BOUND);
            screen.expect("Retrying in 1 s (attempt 1)", BOUND);
            screen.expect("Retrying in 2 s (attempt 2)", BOUND);
            assertThat(daemon.isAlive()).isTrue();
            awaitText(log, "bank.db-wait");

            pg = start(data, port);
            screen.expect("The database is back", BOUND);
            screen.expect("daemon running on " + url, BOUND);

            // work recorded by another process without dispatch is done by the daemon
            assertThat(oneShot.runRaw("", "--db-url", url, "create-account", "--name", "Alice", "--initial-deposit",
                    "100").code()).isZero();
            awaitNothingPending(url);
            // the one-shot ran no dispatch: the daemon's processors put Alice in the read model
            assertThat(oneShot.runRaw("", "--db-url", url, "accounts").out())
                    .containsPattern("(?m)^000001 Alice +100\\.00 +0$");

            int logged = Files.readString(log).length();
            pg.close(); // the server goes away mid-run
            awaitText(log, logged, "refused"); // the daemon met the outage (a new line, not the start-up ones)
            assertThat(daemon.isAlive()).isTrue();
            pg = start(data, port);

            assertThat(oneShot.runRaw("", "--db-url", url, "create-account", "--name", "Bobby", "--initial-deposit",
                    "50").code()).isZero();
            awaitNothingPending(url);
            assertThat(daemon.isAlive()).as(screen.text()).isTrue();
            var accounts = oneShot.runRaw("", "--db-url", url, "accounts");
            assertThat(accounts.out()).containsPattern("(?m)^000001 Alice +100\\.00 +0$")
                    .containsPattern("(?m)^000002 Bobby +50\\.00 +0$");
        } finally {
            daemon.destroy();
            daemon.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS);
            pg.close();
        }
    }
}
