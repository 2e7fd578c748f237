package jangle.banking.app.reliability;

import jangle.EventRecord;
import jangle.banking.BankInvariants;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.testsupport.OrderCheck;
import jangle.test.EmbeddedPg;
import jangle.spi.SagaState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5 §1 and §3: a child JVM runs a random banking workload on one SQLite file (and on one PostgreSQL
 * database) and is SIGKILLed at random
 * moments, restarted, killed again; afterwards nothing acknowledged is lost and every invariant holds.
 */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    /** CI size: a few kills; {@code -Djangle.soak.minutes=N} (or JANGLE_SOAK_MINUTES) keeps killing for N minutes. */
    static long soakMinutes() {
        String v = System.getProperty("jangle.soak.minutes", System.getenv("JANGLE_SOAK_MINUTES"));
        return v == null || v.isBlank() ? 0 : Long.parseLong(v.trim());
    }

    @Test
    @Tag("D1")
    @Tag("D10")
    @Tag("S3")
    @Tag("T9")
    @Tag("W7")
    @Tag("W8")
    @Tag("SG9")
    @DisplayName("W7 W8 D1 D10 S3 T9 SG9: SIGKILL during load loses no acknowledged event, leaves nothing pending, "
            + "finishes overdue sagas at restart, replay equal (SQLite)")
    void killedRepeatedlyLosesNothing() throws Exception {
        killRepeatedly("sqlite", dir.resolve("crash.db").toString());
    }

    @Test
    @Tag("D1")
    @Tag("D10")
    @Tag("S3")
    @Tag("T9")
    @Tag("W7")
    @Tag("W8")
    @Tag("SG9")
    @DisplayName("W7 W8 D1 D10 S3 T9 SG9: SIGKILL during load loses no acknowledged event, leaves nothing pending, "
            + "finishes overdue sagas at restart, replay equal (PostgreSQL)")
    void killedRepeatedlyLosesNothingOnPostgres() throws Exception {
        killRepeatedly("postgresql", EmbeddedPg.newDatabaseUrl());
    }

    private void killRepeatedly(String label, String store) throws Exception {
        Random random = new Random(20261128L);
        Map<String, Long> acknowledged = new HashMap<>(); // aggregate id -> highest acknowledged version
        int kills = 0;
        int acks = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(soakMinutes());
        for (int round = 0; round < 6 || System.nanoTime() < deadline; round++) {
            // kill after 30 to 179 acknowledgements: appends, dispatch and saga steps in flight
            acks += runAndKill(store, random.nextLong(), true, 30 + random.nextInt(150), acknowledged,
                    dir.resolve("child-" + round + ".err"));
            kills++;
        }

        // Last restart, with a clock 2 hours ahead so every open request saga is due for its timeout (SG9).
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
        int overdue = overdueSagasFinishWithinOneInterval(CrashWorkload.config(store).withClock(later));
        System.out.printf("crash-recovery %s: overdue sagas at restart=%d%n", label, overdue);
        OrderCheck check = new OrderCheck();
        try (BankingApplication app = BankingApplication.open(CrashWorkload.config(store).withClock(later),
                b -> b.projection(check))) {
            check.bind(app.database());
            int events = verifyRecovered(app, acknowledged);
            assertOrderCheck(app, check);
            assertThat(kills).isGreaterThanOrEqualTo(6);
            assertThat(acks).isPositive();
            System.out.printf("crash-recovery %s: kills=%d acknowledged=%d events=%d%n", label, kills, acks, events);
        }
    }

    /**
     * Settles the daemons of {@code app} (opened with a clock far enough ahead for every saga timeout), then checks
     * everything issue 5 §1 and §3 ask after a crash: each event stored once, gapless versions, every acknowledged
     * version present, nothing pending or dead, no saga due, the bank's invariants (money, floor, nothing in flight),
     * money conserved in the read models too (W7), and read models equal to a fresh replay and to three shuffled replays with duplicates. Returns the event count.
     */
    static int verifyRecovered(BankingApplication app, Map<String, Long> acknowledged) {
        settle(app);
        List<EventRecord<?>> events = allEvents(app);

        Map<String, Long> lastVersion = new HashMap<>();
        Set<UUID> ids = new HashSet<>();
        for (EventRecord<?> e : events) {
            assertThat(ids.add(e.eventId())).as("event %s stored once", e.eventId()).isTrue();
            long expected = lastVersion.getOrDefault(e.aggregateId(), 0L) + 1;
            assertThat(e.version()).as("gapless versions of %s", e.aggregateId()).isEqualTo(expected);
            lastVersion.put(e.aggregateId(), e.version());
        }
        acknowledged.forEach((agg, v) -> assertThat(lastVersion.getOrDefault(agg, 0L))
                .as("acknowledged %s v%d present", agg, v).isGreaterThanOrEqualTo(v));

        var ops = app.jangle().operations();
        assertThat(ops.pending(null, 100)).as("parked deliveries").isEmpty();
        assertThat(ops.deadLetters(null, 100)).as("dead letters").isEmpty();
        long head = app.jangle().stores().events().lastPosition();
        assertThat(ops.processors()).as("every processor segment at the head (D17)")
                .allSatisfy(s -> assertThat(s.position()).as(s.processor() + "/" + s.segment()).isEqualTo(head));
        assertThat(app.dueSagas()).as("sagas stuck/due").isZero();

        BankInvariants.Report report = BankInvariants.of(events);
        assertThat(report.holds()).as(() -> report.describe() + "; in flight: " + report.inFlight() + "; their events: "
                + events.stream().filter(e -> report.inFlight().stream().anyMatch(f -> e.event().toString()
                        .contains(f.transactionId()))).map(e -> e.position() + " "
                        + e.aggregateId() + "@" + e.version() + " " + e.event()).toList()
                + "; processors " + ops.processors()).isTrue();
        assertThat(report.settled()).as("no transfer or request in flight: " + report.describe()).isTrue();

        var views = app.queries().moneyTotals(); // W7 on the read models themselves, not only through the replay
        if (!views.conserved()) { // name the rows that differ from a fresh replay, and the processors' state
            List<?> differences = app.verifyReplay(null);
            assertThat(views.conserved()).as("read-model money: %s; %d rows differ from a fresh replay, first: %s; "
                    + "processors %s", views, differences.size(),
                    differences.subList(0, Math.min(10, differences.size())), ops.processors()).isTrue();
        }
        assertThat(views.balances()).as("read-model balances == event balances")
                .isEqualByComparingTo(report.totalBalance());
        assertThat(app.verifyReplay(null)).as("read models == fresh replay").isEmpty();
        for (long seed = 1; seed <= 3; seed++) {
            assertThat(app.verifyReplay(seed)).as("triple shuffle seed %d (§3)", seed).isEmpty();
        }
        return events.size();
    }

    @Test
    @Tag("D18")
    @Tag("D19")
    @DisplayName("D18 D19: SIGKILL while a new projection catches up with the history, repeatedly: it ends equal to the "
            + "feed, each event once and in order; money conserved; views == replay (SQLite)")
    void killedDuringCatchUpOfANewProjection() throws Exception {
        killDuringCatchUp(dir.resolve("catchup.db").toString());
    }

    @Test
    @Tag("D18")
    @Tag("D19")
    @DisplayName("D18 D19: SIGKILL while a new projection catches up with the history, repeatedly: it ends equal to the "
            + "feed, each event once and in order; money conserved; views == replay (PostgreSQL)")
    void killedDuringCatchUpOfANewProjectionOnPostgres() throws Exception {
        killDuringCatchUp(EmbeddedPg.newDatabaseUrl());
    }

    /**
     * A history written without {@link OrderCheck} (one child, killed), then children that run it as a new processor
     * starting at the beginning of the feed (D19), each killed a few commands after it is ready, so most kills land
     * inside its catch-up; at the end it must equal the feed and have seen nothing twice or out of order (D18).
     */
    private void killDuringCatchUp(String store) throws Exception {
        Random random = new Random(20261207L);
        Map<String, Long> acknowledged = new HashMap<>();
        int history = runAndKill(store, random.nextLong(), false, 400, acknowledged, dir.resolve("history.err"));
        assertThat(history).isEqualTo(400);
        int kills = 1;
        // kills after which some order-check segment was below the head: mid catch-up (or an idle segment whose
        // advance was not written yet, at most a second old); at least one must land there for the test to mean it
        int killedBehind = 0;
        for (int round = 0; round < 4; round++) {
            runAndKill(store, random.nextLong(), true, 1 + random.nextInt(20), acknowledged,
                    dir.resolve("catchup-" + round + ".err"));
            kills++;
            try (BankingApplication look = BankingApplication.open(CrashWorkload.config(store))) {
                long head = look.jangle().stores().events().lastPosition();
                if (look.jangle().stores().events().checkpoints().all().stream()
                        .anyMatch(c -> c.processor().equals(OrderCheck.NAME) && c.position() < head)) killedBehind++;
            }
        }
        assertThat(killedBehind).as("kills that landed while order-check was behind the head").isPositive();
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
        OrderCheck check = new OrderCheck();
        try (BankingApplication app = BankingApplication.open(CrashWorkload.config(store).withClock(later),
                b -> b.projection(check))) {
            check.bind(app.database());
            int events = verifyRecovered(app, acknowledged);
            assertOrderCheck(app, check);
            System.out.printf("crash-recovery catch-up %s: kills=%d killed-behind=%d events=%d%n",
                    store.startsWith("jdbc:") ? "postgresql" : "sqlite", kills, killedBehind, events);
        }
    }

    /** {@link OrderCheck} equals the feed, with no event seen twice or out of its account's order. */
    static void assertOrderCheck(BankingApplication app, OrderCheck check) {
        assertThat(check.violations()).as("events handled twice or out of order").isEmpty();
        assertThat(check.rows()).isEqualTo(OrderCheck.expected(allEvents(app)));
    }

    /** A child JVM running {@link CrashWorkload} on {@code store}; with {@code orderCheck} it runs {@link OrderCheck}. */
    static Process child(String store, long seed, boolean orderCheck, Path err) throws java.io.IOException {
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "--enable-native-access=ALL-UNNAMED"));
        if (orderCheck) cmd.add("-D" + CrashWorkload.ORDER_CHECK + "=true");
        cmd.addAll(List.of("-cp", classPath(), CrashWorkload.class.getName(), store, Long.toString(seed)));
        return new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    }

    /** Runs a child until it has acknowledged {@code target} commands, then SIGKILLs it; returns the acks seen. */
    private static int runAndKill(String store, long seed, boolean orderCheck, int target, Map<String, Long> acknowledged,
                                  Path err) throws Exception {
        Process p = child(store, seed, orderCheck, err);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            int seen = 0;
            String line;
            while (seen < target && (line = in.readLine()) != null) {
                if (!line.startsWith("ACK ")) continue;
                String[] f = line.split(" ");
                acknowledged.merge(f[1], Long.parseLong(f[2]), Math::max);
                seen++;
            }
            if (seen == 0) p.waitFor(30, TimeUnit.SECONDS);
            assertThat(seen).as("child acknowledged commands before dying: %s",
                    seen == 0 ? java.nio.file.Files.readString(err) : "").isPositive();
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            return seen;
        } finally {
            p.destroyForcibly();
        }
    }

    /** The restart of {@link #overdueSagasFinishWithinOneInterval}: no periodic saga pass can run during the check. */
    static final Duration LONG_INTERVAL = Duration.ofMinutes(10);

    /**
     * Issue 16.10 (SG6, SG9): restarts with dispatch and both daemons running, and a saga retry interval far longer
     * than the check takes, so that only what a restart itself does can finish a saga: the start pass of the saga
     * daemon and the resumed deliveries. Once dispatch has drained (the event waited on, with a bound only a hang
     * reaches), every saga that was past its timeout at the restart is timed out or complete, or (a compensation that
     * must finish, SG6) is due again within one interval: none is left for a later, unbounded look. A saga that is
     * missed by the start pass would have to wait for the next one, ten minutes away, and fails the check. Returns the
     * number of sagas that were overdue at the restart.
     */
    static int overdueSagasFinishWithinOneInterval(jangle.banking.app.BankingConfig config) throws InterruptedException {
        var settings = Map.of("JANGLE_SAGA_RETRY_INTERVAL", LONG_INTERVAL.toSeconds() + "s");
        try (BankingApplication app = BankingApplication.open(config.withEnvironment(settings))) {
            assertThat(app.jangle().settings().sagaRetryInterval()).isEqualTo(LONG_INTERVAL);
            java.time.Instant restart = config.clock().instant();
            Set<String> overdue = new HashSet<>();
            for (SagaState s : app.jangle().operations().sagas(false, Integer.MAX_VALUE)) {
                if (s.timeoutAt() != null && !s.timeoutAt().isAfter(restart)) overdue.add(s.sagaId());
            }
            assertThat(overdue).as("sagas past their timeout at the restart (none: the check would prove nothing)")
                    .isNotEmpty();
            app.start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (app.hasPendingDeliveries()) {
                assertThat(System.nanoTime()).as("dispatch drained after the restart").isLessThan(deadline);
                Thread.sleep(20);
            }
            java.time.Instant nextLook = restart.plus(LONG_INTERVAL);
            for (SagaState s : app.jangle().operations().sagas(true, Integer.MAX_VALUE)) {
                boolean pastTimeout = s.timeoutAt() != null && !s.timeoutAt().isAfter(restart);
                if (!pastTimeout || s.complete() || s.timedOut()) continue;
                assertThat(mustFinish(s)).as("saga %s past its timeout %s is neither timed out nor complete after the "
                        + "restart (flags %s, retryAt %s, wakeAt %s)", s.sagaId(), s.timeoutAt(), types(s),
                        s.retryAt(), s.wakeAt()).isTrue();
                assertThat(s.wakeAt()).as("saga %s must finish (SG6): its next look is within one interval",
                        s.sagaId()).isNotNull().isBeforeOrEqualTo(nextLook);
            }
            return overdue.size();
        }
    }

    /** RequestSaga.mustFinish(): approved or debited; its history is what the saga knows (SG7). */
    private static boolean mustFinish(SagaState s) {
        List<String> types = types(s);
        return types.contains("RequestApproved") || types.contains("DebitRequestCommandSucceeded");
    }

    private static List<String> types(SagaState s) {
        return s.events().stream().map(e -> e.event().getClass().getSimpleName()).toList();
    }

    /**
     * Drives the processors, the parked deliveries and the sagas until nothing is left to do: on this thread when
     * dispatch is not started, else by waiting for the running processors (polling, up to 3 minutes).
     */
    static void settle(BankingApplication app) {
        var ops = app.jangle().operations();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            int work;
            try {
                work = ops.runProcessorsPass();
            } catch (IllegalStateException started) {
                work = 0; // dispatch runs: the processors move by themselves
            }
            work += ops.runCatchUpPass() + ops.runSagaDaemonPass();
            if (work == 0 && !app.hasPendingDeliveries() && app.dueSagas() == 0) return;
            if (work == 0) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while settling", e);
                }
            }
        }
        throw new AssertionError("daemons did not settle");
    }

    static List<EventRecord<?>> allEvents(BankingApplication app) {
        List<EventRecord<?>> all = new ArrayList<>();
        long after = 0;
        while (true) {
            List<EventRecord<?>> page = app.jangle().stores().events().readFeed(after, 1000);
            if (page.isEmpty()) return all;
            all.addAll(page);
            after = page.getLast().position();
        }
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
    }
}
