package jangle.banking.app.reliability;

import jangle.banking.CreateAccount;
import jangle.banking.app.BankingApplication;
import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6 (many nodes, one PostgreSQL) and issue 5 §2 (several processes on one SQLite file): child JVMs run the
 * random banking workload on the same few hot accounts, each with dispatch, mediation and sagas running, each under
 * its own node id. One node is SIGKILLed mid-run; while it is down, the processor segments it held must be taken over by the
 * others once its lease runs out; then it is restarted. At the end every node is SIGKILLed, and a last open checks
 * everything {@link CrashRecoveryTest#verifyRecovered} checks (gapless versions, nothing acknowledged lost, nothing
 * pending, no saga stuck, floor and money, read models equal to fresh and shuffled replays). With the soak knob
 * ({@code -Djangle.soak.minutes=N}) it keeps killing a random node and restarting it for N minutes.
 */
class MultiNodeTest {
    private static final int HOT_ACCOUNTS = 4;

    @TempDir
    Path dir;

    @Test
    @Tag("MN3")
    @Tag("D21")
    @DisplayName("Issue 6: three nodes on one PostgreSQL, one SIGKILLed, its claims taken over, restarted: nothing "
            + "lost or doubled, floor and money intact, read models equal replay")
    void threeNodesOnPostgres() throws Exception {
        run("postgresql", EmbeddedPg.newDatabaseUrl(), 3);
    }

    @Test
    @Tag("MN3")
    @Tag("D21")
    @DisplayName("Issue 5 §2: two processes on one SQLite file, one SIGKILLed, its claims taken over, restarted: "
            + "nothing lost or doubled, floor and money intact, read models equal replay")
    void twoProcessesOnSqlite() throws Exception {
        run("sqlite", dir.resolve("shared.db").toString(), 2);
    }

    private void run(String label, String store, int nodeCount) throws Exception {
        try (BankingApplication app = BankingApplication.open(CrashWorkload.config(store).withEnvironment(Map.of()))) {
            app.start();
            for (int i = 0; i < HOT_ACCOUNTS; i++) {
                assertThat(app.jangle().send(new CreateAccount("Hot holder " + i, new BigDecimal("300.00"), null))
                        .isAccepted()).isTrue();
            }
        }
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        Random seeds = new Random(20261129L);
        Node[] nodes = new Node[nodeCount];
        try {
            for (int i = 0; i < nodeCount; i++) {
                nodes[i] = Node.start(dir, store, "node-" + (i + 1), seeds.nextLong(), acknowledged);
            }
            runNodes(label, store, nodeCount, nodes, acknowledged, seeds);
        } finally {
            for (Node n : nodes) {
                if (n != null) n.process.destroyForcibly(); // no node JVM outlives a failed check (issue 16.1)
            }
        }
    }

    private void runNodes(String label, String store, int nodeCount, Node[] nodes, Map<String, Long> acknowledged,
                          Random seeds) throws Exception {
        for (Node n : nodes) n.awaitAcks(60);
        String shares = awaitEvenShares(store, nodes); // D21: every processor's segments spread over the live nodes

        // CI size: one victim; the soak knob (CrashRecoveryTest.soakMinutes) repeats kill, takeover and restart
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(CrashRecoveryTest.soakMinutes());
        List<Node> killed = new ArrayList<>();
        int cycles = 0;
        int heldAtKills = 0;
        long slowestTakeoverMillis = 0;
        do {
            int index = cycles == 0 ? 1 : seeds.nextInt(nodeCount);
            Node victim = nodes[index];
            victim.kill();
            killed.add(victim);
            int heldAtKill = countClaimedBy(store, victim.id);
            long waitStart = System.nanoTime();
            int stillHeld = heldAtKill;
            while (stillHeld > 0 && System.nanoTime() - waitStart < TimeUnit.SECONDS.toNanos(60)) {
                Thread.sleep(200);
                stillHeld = countClaimedBy(store, victim.id);
            }
            assertThat(stillHeld).as("segments still held by the killed %s after 60s (held %d at the kill)",
                    victim.id, heldAtKill).isZero();
            heldAtKills += heldAtKill;
            slowestTakeoverMillis = Math.max(slowestTakeoverMillis,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waitStart));
            for (Node n : nodes) {
                if (n != victim) n.awaitAcks(n.acks.get() + 20); // the others kept serving meanwhile
            }
            nodes[index] = Node.start(dir, store, victim.id, seeds.nextLong(), acknowledged);
            nodes[index].awaitAcks(40);
            shares = awaitEvenShares(store, nodes); // the restarted node rejoins and gets its share back
            cycles++;
        } while (System.nanoTime() < deadline);
        for (Node n : nodes) n.kill(); // a crash of everything, mid-stream

        int acks = 0;
        int exhausted = 0;
        for (Node n : nodes) {
            acks += n.acks.get();
            exhausted += n.exhausted.get();
        }
        for (Node n : killed) {
            acks += n.acks.get();
            exhausted += n.exhausted.get();
        }
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(2)); // every open saga due for its timeout
        try (BankingApplication app = BankingApplication.open(CrashWorkload.config(store).withClock(later)
                .withEnvironment(Map.of()))) {
            int events = CrashRecoveryTest.verifyRecovered(app, acknowledged);
            assertThat(acks).isPositive();
            System.out.printf("multi-node %s: nodes=%d kill-restart-cycles=%d acknowledged=%d "
                            + "retries-exhausted=%d events=%d held-by-killed-nodes=%d slowest-takeover=%dms "
                            + "shares=%s%n", label,
                    nodeCount, cycles, acks, exhausted, events, heldAtKills, slowestTakeoverMillis, shares);
        }
    }

    /**
     * Waits (at most 30 s) until every processor's segments are all held and shared evenly by the running nodes: each
     * holds {@code segments / nodes} or one more (D21). Returns the shares, e.g. {@code bank-views={a=2, b=1, c=1}}.
     */
    private static String awaitEvenShares(String store, Node[] nodes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Map<String, Map<String, Integer>> shares = Map.of();
        while (System.nanoTime() < deadline) {
            shares = sharesOf(store);
            if (!shares.isEmpty() && shares.values().stream().allMatch(byOwner -> even(byOwner, nodes))) {
                return shares.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("segments not shared evenly by " + nodes.length + " nodes within 30 s: " + shares);
    }

    private static boolean even(Map<String, Integer> byOwner, Node[] nodes) {
        int segments = byOwner.values().stream().mapToInt(Integer::intValue).sum();
        if (byOwner.containsKey("")) return false; // a free segment
        for (Node n : nodes) {
            int held = byOwner.getOrDefault(n.id, 0);
            if (held < segments / nodes.length || held > (segments + nodes.length - 1) / nodes.length) return false;
        }
        return true;
    }

    /** processor → owner ("" for none) → segments held, read with plain JDBC. */
    private static Map<String, Map<String, Integer>> sharesOf(String store) throws SQLException {
        String url = store.startsWith("jdbc:") ? store : "jdbc:sqlite:" + store;
        Map<String, Map<String, Integer>> out = new java.util.TreeMap<>();
        try (Connection c = store.startsWith("jdbc:") ? DriverManager.getConnection(url, "postgres", "postgres")
                : DriverManager.getConnection(url);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT processor, COALESCE(owner, ''), COUNT(*) FROM jangle_checkpoints "
                     + "GROUP BY processor, COALESCE(owner, '')")) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new java.util.TreeMap<>()).put(rs.getString(2),
                        rs.getInt(3));
            }
        }
        return out;
    }

    /** Processor segments that the store records as held by {@code nodeId} (D21), read with plain JDBC. */
    private static int countClaimedBy(String store, String nodeId) throws SQLException {
        String url = store.startsWith("jdbc:") ? store : "jdbc:sqlite:" + store;
        try (Connection c = store.startsWith("jdbc:") ? DriverManager.getConnection(url, "postgres", "postgres")
                : DriverManager.getConnection(url);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM jangle_checkpoints WHERE owner = '"
                     + nodeId + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** A child JVM running {@link CrashWorkload} on the hot accounts, and the reader of its acknowledgements. */
    private static final class Node {
        final String id;
        final Process process;
        final Path stderr;
        final AtomicInteger acks = new AtomicInteger();
        final AtomicInteger exhausted = new AtomicInteger();
        final Thread reader;

        private Node(String id, Process process, Path stderr, Map<String, Long> acknowledged) {
            this.id = id;
            this.process = process;
            this.stderr = stderr;
            this.reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("ACK ")) {
                            String[] f = line.split(" ");
                            acknowledged.merge(f[1], Long.parseLong(f[2]), Math::max);
                            acks.incrementAndGet();
                        } else if (line.startsWith("EXH")) {
                            exhausted.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    // the process was killed: what was read is what was acknowledged
                }
            });
        }

        static Node start(Path dir, String store, String id, long seed, Map<String, Long> acknowledged)
                throws IOException {
            Path err = dir.resolve(id + "-" + System.nanoTime() + ".err");
            Process p = new ProcessBuilder(CrashRecoveryTest.javaBinary(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", CrashRecoveryTest.classPath(), CrashWorkload.class.getName(), store,
                    Long.toString(seed), id, "hot").redirectError(err.toFile()).start();
            return new Node(id, p, err, acknowledged);
        }

        void awaitAcks(int target) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (acks.get() < target) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError(id + " acknowledged " + acks.get() + " of " + target
                            + " commands; alive=" + process.isAlive() + "; stderr:\n" + Files.readString(stderr));
                }
                Thread.sleep(20);
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL
            process.waitFor(30, TimeUnit.SECONDS);
            reader.join(10_000);
        }
    }
}
