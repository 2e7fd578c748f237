package jangle.banking.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jangle.test.EmbeddedPg;
import jangle.banking.app.testsupport.FaultyProxy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL going away under the command line and the terminal (issue 16 items 2, 4, 5; issue 18 item 3): a
 * connection reset right after the commit leaves the command reported as committed; a server that accepts and never
 * answers ends in a clear error and exit 3; a lost connection under the running terminal shows the error at the action
 * and the terminal works again when the server is back.
 */
class PostgresOutagesCliTest {
    @TempDir
    Path dir;
    private final ObjectMapper json = new ObjectMapper();

    /** The embedded server's URL for a fresh database, rewritten to go through {@code port} on 127.0.0.1. */
    private static String[] databaseThrough(int port) {
        String direct = EmbeddedPg.newDatabaseUrl();
        String rest = direct.substring("jdbc:postgresql://".length());
        String path = rest.substring(rest.indexOf('/'));
        return new String[]{direct, "jdbc:postgresql://127.0.0.1:" + port + path};
    }

    private CliHarness cli(String url) {
        return new CliHarness(dir).env("JANGLE_DB_URL", url).env("JANGLE_DB_USER", "postgres")
                .env("JANGLE_DB_PASSWORD", "postgres").env("JANGLE_DB_CONNECT_TIMEOUT", "2s");
    }

    @Test
    @DisplayName("issue 18.3: the connection reset right after a deposit's COMMIT: exit 0, success and the "
            + "transaction id, the fault as a warning; the deposit is stored once")
    void resetAfterCommit() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(EmbeddedPg.server().getPort())) {
            String[] urls = databaseThrough(proxy.port());
            var cli = cli(urls[1]);
            var created = cli.runRaw("", "create-account", "--name", "Alice", "--initial-deposit", "50");
            assertThat(created.code()).as(created.err()).isZero();

            proxy.cutAfterCommit("INSERT INTO jangle_events");
            var r = cli.runRaw("", "--json", "deposit", "000001", "5", "--tx", "pg-reset", "--wait", "2s");

            assertThat(proxy.awaitCut(1)).as("the proxy cut the connection after the commit").isTrue();
            assertThat(r.code()).as("stdout %s stderr %s", r.out(), r.err()).isZero();
            JsonNode doc = json.readTree(r.out());
            assertThat(doc.get("success").asBoolean()).isTrue();
            assertThat(doc.get("transactionId").asText()).isEqualTo("pg-reset");
            assertThat(doc.get("warnings")).isNotEmpty();
            assertThat(r.err()).contains("Warning: committed (transaction pg-reset), but ")
                    .contains("the connection to the database failed or was lost").doesNotContain("Error:");
            try (Connection c = DriverManager.getConnection(urls[0], "postgres", "postgres");
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM jangle_events WHERE type LIKE '%FundsDeposited%'"
                         + " AND payload::text LIKE '%pg-reset%'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
        }
    }

    @Test
    @DisplayName("issue 16.2: the connection lost before the COMMIT's acknowledgement (committed, but the client "
            + "cannot know): exit 3 saying it may be recorded and how to retry; the retry with --tx applies it once")
    void ambiguousCommitRetriedOnce() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(EmbeddedPg.server().getPort())) {
            String[] urls = databaseThrough(proxy.port());
            var cli = cli(urls[1]);
            assertThat(cli.runRaw("", "create-account", "--name", "Alice", "--initial-deposit", "50").code()).isZero();

            proxy.cutBeforeCommitAck("INSERT INTO jangle_events");
            var lost = cli.runRaw("", "withdraw", "000001", "5", "--tx", "w-ambiguous", "--wait", "2s");
            assertThat(proxy.awaitCut(1)).isTrue();
            assertThat(withdrawals(urls[0])).as("the lost withdrawal did commit").isEqualTo(1);
            proxy.heal();
            var retried = cli.runRaw("", "withdraw", "000001", "5", "--tx", "w-ambiguous", "--wait", "2s");

            assertThat(lost.code()).as(lost.out() + lost.err()).isEqualTo(3);
            assertThat(lost.err()).contains("The command may have been recorded before the connection failed. "
                    + "Retry it with --tx w-ambiguous").contains("Error: ");
            assertThat(retried.code()).as(retried.err()).isZero();
            assertThat(retried.out().strip()).isEqualTo("45.00");
            assertThat(withdrawals(urls[0])).as("withdrawn once").isEqualTo(1);
        }
    }

    private static long withdrawals(String directUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(directUrl, "postgres", "postgres");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM jangle_events WHERE type LIKE '%FundsWithdrawn%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    @DisplayName("issue 16.4: a server that accepts and never answers: exit 3 with an error naming the server and "
            + "the cause, within the connect time-out (JANGLE_DB_CONNECT_TIMEOUT)")
    void silentServer() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept()); // accepted, never answered
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String url = "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/bank";
            var run = CompletableFuture.supplyAsync(() -> cli(url).runRaw("", "accounts"));
            // a bound that only a hang reaches (the time-out is 2 s)
            var r = run.get(120, TimeUnit.SECONDS);
            assertThat(r.code()).as(r.out() + r.err()).isEqualTo(3);
            assertThat(r.err()).startsWith("Error: ")
                    .contains("PostgreSQL 127.0.0.1:" + silent.getLocalPort() + "/bank")
                    .contains("the connection to the database failed or was lost (Connection attempt timed out.)");
        } finally {
            for (Socket s : held) s.close();
        }
    }

    @Test
    @DisplayName("issue 16.5: the connection lost under the running terminal: the error is shown at the action, the "
            + "menu comes back, and once the server is back the same terminal deposits and says Goodbye")
    void terminalSurvivesLostConnection() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(EmbeddedPg.server().getPort())) {
            String[] urls = databaseThrough(proxy.port());
            Map<String, String> env = Map.of("JANGLE_DB_USER", "postgres", "JANGLE_DB_PASSWORD", "postgres",
                    "JANGLE_DB_CONNECT_TIMEOUT", "2s");
            try (LiveTerminal t = new LiveTerminal(env, "--db-url", urls[1],
                    "--log-file", dir.resolve("t.log").toString())) {
                t.expect("Select an option");
                t.type("1");
                t.type("Alice");
                t.type("100");
                t.expect("Account successfully created with id '000001'.");
                proxy.cut();
                t.type("");
                t.expect("Cannot show the accounts: ");
                t.expect("Select an option");
                t.type("3");
                t.type("000001");
                t.expect("Error: ");
                t.expect("it may have been recorded before the connection failed: check the account's ledger");
                t.expect("Back to the menu; try again when the database is available.");
                proxy.heal();
                t.type("");
                t.expect("Select an option");
                t.type("3");
                t.type("000001");
                t.expect("Balance:");
                t.type("2");
                t.type("5");
                t.expect("5.00 successfully deposited into 000001.");
                t.type("");
                t.expect("105.00");
                t.type("1");
                t.type("5");
                t.expect("Goodbye.");
                assertThat(t.exitCode()).as(t.text()).isZero();
            }
        }
    }
}
