package jangle.banking.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jangle-bank users} in-process, and {@code jangle-bank serve} as a real child process: the first operator's
 * token is printed once, the server answers on the printed address, and SIGTERM in the middle of a stream of deposits
 * drains and exits with every acknowledged deposit in the balance; after a SIGKILL, no acknowledged deposit is lost.
 */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void usersAreAddedListedAndRemovedAndTheirTokensPrintedOnce() {
        CliHarness cli = new CliHarness(dir);
        CliHarness.Result added = cli.sub("users", "add", "tina", "--role", "teller");
        assertThat(added.code()).isZero();
        assertThat(added.out().strip()).matches("jb_[A-Za-z0-9_-]{43}");
        assertThat(added.err()).contains("shown this once");
        assertThat(cli.sub("users", "add", "tina", "--role", "operator").err()).contains("exists already");
        CliHarness.Result badRole = cli.sub("users", "add", "olga", "--role", "root");
        assertThat(badRole.code()).isEqualTo(2);
        assertThat(badRole.err()).contains("teller or operator");
        CliHarness.Result list = cli.sub("users", "list");
        assertThat(list.out()).contains("tina").contains("teller").doesNotContain(added.out().strip());
        assertThat(cli.sub("--json", "users", "list").out()).startsWith("[{\"name\":\"tina\",\"role\":\"teller\"");
        assertThat(cli.sub("users", "remove", "tina").code()).isZero();
        assertThat(cli.sub("users", "remove", "tina").code()).isEqualTo(1);
    }

    @Test
    void serveAnswersAndDrainsOnSigterm() throws Exception {
        serveUnderLoadThenStop(false);
    }

    @Test
    void aSigkillDuringLoadLosesNoAcknowledgedDeposit() throws Exception {
        serveUnderLoadThenStop(true);
    }

    private void serveUnderLoadThenStop(boolean kill) throws Exception {
        Path db = dir.resolve("bank.db");
        ProcessBuilder pb = new ProcessBuilder(CliHarness.childCommand("--db", db.toString(), "--log-file",
                dir.resolve("log.txt").toString(), "serve", "--port", "0", "--first-operator", "admin"))
                .redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String token = null;
        String base = null;
        Pattern serving = Pattern.compile("serving on (http://127\\.0\\.0\\.1:\\d+)/");
        List<String> seen = new ArrayList<>();
        try {
            for (String line; base == null && (line = out.readLine()) != null; ) { // ends with the child: no hang
                seen.add(line);
                if (line.startsWith("jb_")) token = line.strip();
                Matcher m = serving.matcher(line);
                if (m.find()) base = m.group(1);
            }
            assertThat(base).as(String.join("\n", seen)).isNotNull();
            assertThat(token).isNotNull();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            String auth = "Bearer " + token;
            String baseUrl = base;
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/accounts"))
                    .header("Authorization", auth).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Ada Lovelace\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(201);
            AtomicInteger acknowledged = new AtomicInteger();
            Thread load = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl
                                        + "/api/accounts/000001/deposits")).header("Authorization", auth)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":1}")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) acknowledged.incrementAndGet();
                    } catch (Exception e) {
                        return; // the server has gone
                    }
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (acknowledged.get() < 5 && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(acknowledged.get()).isGreaterThanOrEqualTo(5);
            if (kill) {
                p.destroyForcibly(); // SIGKILL: no hook, no drain
            } else {
                p.destroy(); // SIGTERM
            }
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            load.join(TimeUnit.SECONDS.toMillis(120));
            CliHarness.Result summary = new CliHarness(dir).sub("--json", "summary", "000001");
            java.math.BigDecimal balance = new java.math.BigDecimal(summary.out().replaceAll(
                    "(?s).*\"balance\":([0-9.]+).*", "$1").strip());
            if (kill) {
                // every acknowledged deposit is there; the one in flight at the kill may have committed unanswered
                assertThat(balance.intValue()).isBetween(acknowledged.get(), acknowledged.get() + 1);
            } else {
                assertThat(p.exitValue()).isIn(0, 143); // 143: the JVM's code for SIGTERM, after the hook drained
                assertThat(balance.intValue()).isEqualTo(acknowledged.get());
            }
        } finally {
            p.destroyForcibly();
        }
    }
}
