package jangle.banking.app.reliability;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jangle.banking.BankInvariants;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.BankingConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scaling figure of issue 6 — a load run, not a test of speed: it asserts only correctness and prints the
 * figures. Run it with {@code ./mvnw -pl banking-app -am test -Dtest=MultiNodeScalingRun -Djangle.scaling=true
 * -Dsurefire.failIfNoSpecifiedTests=false} (add {@code -Djangle.scaling.seconds=N} for longer windows).
 *
 * <p>It starts its own embedded PostgreSQL with {@code fsync=on} and {@code synchronous_commit=on}, then for 1, 2
 * and 3 nodes on a fresh database each: starts that many {@link CrashWorkload} JVMs in {@code dw} mode (each opens 50
 * accounts of its own, then deposits and withdraws on them, one command at a time, with dispatch and the read models
 * running), lets them warm up, counts the commands they acknowledge in the window, kills them, settles what they
 * left and checks the bank's invariants.
 */
@EnabledIfSystemProperty(named = "jangle.scaling", matches = "true")
class MultiNodeScalingRun {
    @TempDir
    Path dir;

    @Test
    @DisplayName("Issue 6: commands/s with 1, 2 and 3 nodes on one PostgreSQL (fsync on)")
    void scaling() throws Exception {
        long seconds = Long.getLong("jangle.scaling.seconds", 15);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on").start()) {
            List<String> rows = new ArrayList<>();
            double single = 0;
            for (int nodes = 1; nodes <= 3; nodes++) {
                String name = "scale" + nodes;
                try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE " + name);
                }
                String url = pg.getJdbcUrl("postgres", name);
                double rate = run(url, nodes, seconds);
                if (nodes == 1) single = rate;
                rows.add(String.format("| %d | %,.0f | %,.0f | %.2f |", nodes, rate, rate / nodes, rate / single));
            }
            System.out.println("| Nodes | Commands/s (all nodes) | Per node | Ratio to 1 node |");
            System.out.println("|---|---|---|---|");
            rows.forEach(System.out::println);
        }
    }

    private double run(String url, int nodes, long seconds) throws Exception {
        List<Process> processes = new ArrayList<>();
        AtomicLong acks = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(nodes);
        try {
            for (int i = 1; i <= nodes; i++) {
                Process p = new ProcessBuilder(CrashRecoveryTest.javaBinary(), "--enable-native-access=ALL-UNNAMED",
                        "-cp", CrashRecoveryTest.classPath(), CrashWorkload.class.getName(), url,
                        Long.toString(i), "node-" + i, "dw")
                        .redirectError(dir.resolve("scale-" + nodes + "-" + i + ".err").toFile()).start();
                processes.add(p);
                Thread.ofVirtual().start(() -> {
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            if (line.startsWith("ACK ")) acks.incrementAndGet();
                            else if (line.equals("READY")) ready.countDown();
                        }
                    } catch (java.io.IOException e) {
                        // killed
                    }
                });
            }
            assertThat(ready.await(120, TimeUnit.SECONDS)).as("all nodes ready").isTrue();
            Thread.sleep(5_000); // warm-up
            long before = acks.get();
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000);
            long counted = acks.get() - before;
            double rate = counted / ((System.nanoTime() - start) / 1e9);
            assertThat(counted).isPositive();
            return rate;
        } finally {
            for (Process p : processes) p.destroyForcibly();
            for (Process p : processes) p.waitFor(30, TimeUnit.SECONDS);
            try (BankingApplication app = BankingApplication.open(BankingConfig.database(url, "postgres", "postgres")
                    .withEnvironment(Map.of()).withClock(java.time.Clock.offset(java.time.Clock.systemUTC(),
                            java.time.Duration.ofHours(2))))) { // past every lease the killed nodes held
                CrashRecoveryTest.settle(app);
                BankInvariants.Report report = BankInvariants.of(CrashRecoveryTest.allEvents(app));
                assertThat(report.holds()).as(report.describe()).isTrue();
            }
        }
    }
}
