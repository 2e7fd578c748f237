package jangle.banking.app.cli;

import jangle.CommandResponse;
import jangle.banking.CreateAccount;
import jangle.banking.DepositFunds;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.BankingConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17 on SQLite: a damaged file is named, not served (the cut-short fixture and rows with NULL ids); {@code check}
 * finds damage and passes a sound store; {@code backup} of a bank under load and {@code restore} into a fresh
 * directory keep every command acknowledged before the backup began; {@code restore} refuses a bank that exists or
 * that a running process has open.
 */
class StoreOperationsTest {
    private static final Duration BOUND = Duration.ofSeconds(120);

    @TempDir
    Path dir;
    private CliHarness cli;

    @BeforeEach
    void setUp() {
        cli = new CliHarness(dir);
    }

    private Path fixture() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/damaged/bank-cut-1000.sqlite")) {
            assertThat(in).as("fixture damaged/bank-cut-1000.sqlite").isNotNull();
            Files.copy(in, cli.db());
        }
        assertThat(Files.size(cli.db())).isEqualTo(351_256);
        return cli.db();
    }

    @Test
    @DisplayName("issue 17.2: a bank file cut 1,000 bytes short is refused by accounts and replay --verify, naming it")
    void cutShortFileIsNamedNotServed() throws Exception {
        Path file = fixture();
        for (String[] command : List.of(new String[]{"accounts"}, new String[]{"replay", "--verify"},
                new String[]{"deposit", "000001", "5"})) {
            var r = cli.sub(command);
            assertThat(r.code()).as(String.join(" ", command) + ": " + r.out() + r.err()).isEqualTo(3);
            assertThat(r.out()).as("nothing served").isEmpty();
            assertThat(r.err()).contains(file.toString(), "is damaged", "351,256 bytes",
                    "not a whole number of its 4,096-byte pages", "jangle-bank check")
                    .doesNotContain("NullPointerException", "Cannot invoke");
        }
        var check = cli.sub("check");
        assertThat(check.code()).as(check.out() + check.err()).isEqualTo(1);
        assertThat(check.out()).contains("file: " + file + ": it is 351,256 bytes", "integrity: ",
                "the store is damaged or inconsistent");
        var json = cli.sub("--json", "check");
        assertThat(json.code()).isEqualTo(1);
        assertThat(json.out()).contains("\"sound\":false", "\"kind\":\"file\"", "\"kind\":\"integrity\"");
        assertThat(Files.size(file)).as("check never writes").isEqualTo(351_256);
        assertThat(Files.exists(Path.of(file + "-wal"))).isFalse();
    }

    /** A small bank made through the CLI: 3 accounts, a few deposits and a transfer. */
    private void smallBank() {
        assertThat(cli.sub("create-account", "--name", "Alice", "--initial-deposit", "100").code()).isZero();
        assertThat(cli.sub("create-account", "--name", "Bobby", "--initial-deposit", "50").code()).isZero();
        assertThat(cli.sub("create-account", "--name", "Carol").code()).isZero();
        assertThat(cli.sub("deposit", "000001", "10").code()).isZero();
        assertThat(cli.sub("deposit", "000001", "11").code()).isZero();
        assertThat(cli.sub("send", "000001", "000002", "7").code()).isZero();
    }

    /** Runs SQL on the bank file with a plain connection (the way a damaged page or a careless tool would). */
    private void damage(String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + cli.db()); Statement s = c.createStatement()) {
            for (String sql : statements) s.execute(sql);
        }
    }

    private long scalar(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    @DisplayName("issue 17.2, 17.3: an event row with a NULL id fails naming file, table and position; check lists it "
            + "with a version gap and a stray snapshot")
    void nullIdsAndGapsAreNamed() throws Exception {
        smallBank();
        var sound = cli.sub("check");
        assertThat(sound.code()).as(sound.out() + sound.err()).isZero();
        assertThat(sound.out()).contains("Sound: no findings.", "PRAGMA integrity_check");
        assertThat(cli.sub("check", "--views").code()).isZero();

        long position = scalar(cli.db(), "SELECT MIN(position) FROM jangle_events WHERE aggregate_id = '000001' "
                + "AND version = 2");
        // what a damaged page reads back as: the schema's NOT NULL lifted the way a corrupt catalog would, then NULLs
        damage("PRAGMA writable_schema = ON",
                "UPDATE sqlite_schema SET sql = replace(sql, 'event_id       TEXT    NOT NULL', 'event_id       TEXT')"
                        + " WHERE name = 'jangle_events'");
        damage("UPDATE jangle_events SET event_id = NULL WHERE position = " + position,
                "INSERT INTO jangle_snapshots (aggregate_id, version, position, fingerprint, state) "
                        + "VALUES ('000003', 9, 999, 'f', '{}')");

        var replay = cli.sub("replay", "--verify");
        assertThat(replay.code()).as(replay.out() + replay.err()).isEqualTo(3);
        assertThat(replay.err()).contains(cli.db().toString(), "jangle_events position " + position,
                "column event_id is NULL").doesNotContain("NullPointerException", "Cannot invoke");

        var check = cli.sub("check");
        assertThat(check.code()).isEqualTo(1);
        assertThat(check.out()).contains("events: jangle_events position " + position + ": column event_id is NULL",
                "snapshots: jangle_snapshots aggregate '000003' at version 9, position 999: its stream has no event");

        damage("DELETE FROM jangle_events WHERE position = " + position);
        var gap = cli.sub("check");
        assertThat(gap.code()).isEqualTo(1);
        assertThat(gap.out()).containsPattern("versions: aggregate '000001' has \\d+ events with versions 1\\.\\.\\d+");
    }

    @Test
    @DisplayName("issue 17.2, 17.3: the events table's page overwritten in place: replay names file and table, check "
            + "lists integrity_check's findings and the rows it could not read")
    void overwrittenPageIsNamed() throws Exception {
        smallBank();
        assertThat(Files.exists(Path.of(cli.db() + "-wal"))).as("checkpointed at close").isFalse();
        long root = scalar(cli.db(), "SELECT rootpage FROM sqlite_schema WHERE name = 'jangle_events'");
        long pageSize = scalar(cli.db(), "PRAGMA page_size");
        byte[] garbage = new byte[2000];
        new java.util.Random(17).nextBytes(garbage);
        try (var f = new java.io.RandomAccessFile(cli.db().toFile(), "rw")) {
            f.seek((root - 1) * pageSize + 8); // after the leaf page's header: its cell pointers and cells
            f.write(garbage);
        }
        var replay = cli.sub("replay", "--verify");
        assertThat(replay.code()).as(replay.out() + replay.err()).isEqualTo(3);
        assertThat(replay.err()).contains(cli.db().toString(), "is damaged", "jangle_events")
                .doesNotContain("NullPointerException", "Cannot invoke");
        var check = cli.sub("check");
        assertThat(check.code()).as(check.out() + check.err()).isEqualTo(1);
        assertThat(check.out()).contains("integrity: ", "the store is damaged or inconsistent");
    }

    @Test
    @DisplayName("issue 17.4: backup of a bank under load, restore into a fresh directory, check and replay: every "
            + "command acknowledged before the backup began is there")
    void backupUnderLoadAndRestore() throws Exception {
        Path live = dir.resolve("live/bank.db");
        Path backup = dir.resolve("backups/bank-1.db");
        Files.createDirectories(backup.getParent());
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> beforeBackup;
        int afterBackup;
        try (BankingApplication app = BankingApplication.open(BankingConfig.sqlite(live))) {
            app.start();
            List<String> accounts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                accounts.add(app.jangle().send(new CreateAccount("Holder " + (1000 + i), new BigDecimal("10"), null))
                        .acceptedData(String.class));
            }
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int thread = t;
                Thread w = new Thread(() -> {
                    for (int i = 0; i < 5_000 && !stop.get(); i++) { // bounded in count and by the stop flag
                        String tx = "load-" + thread + "-" + i;
                        try {
                            CommandResponse r = app.jangle().send(new DepositFunds(accounts.get((thread + i) % 4),
                                    new BigDecimal("1.25"), tx));
                            if (r.isAccepted()) acknowledged.add(tx);
                        } catch (RuntimeException e) {
                            failures.add(e);
                            return;
                        }
                    }
                }, "load-" + t);
                w.start();
                writers.add(w);
            }
            awaitAtLeast(acknowledged, 150);
            beforeBackup = List.copyOf(acknowledged); // acknowledged before the backup began
            var taken = cli.runRaw("", "--db", live.toString(), "backup", backup.toString());
            assertThat(taken.code()).as(taken.out() + taken.err()).isZero();
            assertThat(taken.out()).contains("Backed up", "Sound: no findings.");
            int atBackupEnd = acknowledged.size();
            awaitAtLeast(acknowledged, atBackupEnd + 50); // the bank kept running after it
            stop.set(true);
            for (Thread w : writers) w.join(BOUND.toMillis());
            afterBackup = acknowledged.size();
        }
        assertThat(failures).isEmpty();
        assertThat(afterBackup).isGreaterThan(beforeBackup.size());

        Path fresh = dir.resolve("fresh/bank.db");
        Files.createDirectories(fresh.getParent()); // --db in a missing directory is refused (16.7)
        var restored = cli.runRaw("", "--db", fresh.toString(), "restore", backup.toString());
        assertThat(restored.code()).as(restored.out() + restored.err()).isZero();
        var check = cli.runRaw("", "--db", fresh.toString(), "check", "--views");
        assertThat(check.code()).as(check.out() + check.err()).isZero();
        var replay = cli.runRaw("", "--db", fresh.toString(), "replay", "--verify");
        assertThat(replay.code()).as(replay.out() + replay.err()).isZero();
        assertThat(cli.runRaw("", "--db", fresh.toString(), "replay").code()).isZero();

        Set<String> inRestored = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + fresh); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT payload FROM jangle_events WHERE payload LIKE '%load-%'")) {
            while (rs.next()) {
                var m = java.util.regex.Pattern.compile("load-\\d+-\\d+").matcher(rs.getString(1));
                while (m.find()) inRestored.add(m.group());
            }
        }
        assertThat(inRestored).as("every command acknowledged before the backup began").containsAll(beforeBackup);
        assertThat(inRestored.size()).as("an online copy: not what came after").isLessThan(afterBackup);
    }

    @Test
    @DisplayName("issue 17.4: backup of a bank that another process (jangle-bank load) is writing; the copy restores "
            + "and checks sound, views included")
    void backupWhileAnotherProcessWrites() throws Exception {
        Path live = dir.resolve("live.db");
        Path backup = dir.resolve("copy.db");
        Process load = new ProcessBuilder(CliHarness.childCommand("--db", live.toString(), "--log-file",
                dir.resolve("load.log").toString(), "load", "--seconds", "60", "--warmup", "0", "--accounts", "20",
                "--threads", "2")).redirectErrorStream(true).start();
        try (var screen = new CliHarness.Expect(load.getInputStream())) {
            screen.expect("Measuring...", BOUND); // the measured, writing phase has begun
            var taken = cli.runRaw("", "--db", live.toString(), "backup", backup.toString());
            assertThat(taken.code()).as(taken.out() + taken.err() + screen.text()).isZero();
            assertThat(load.isAlive()).as("the bank kept running").isTrue();
        } finally {
            load.destroy();
            assertThat(load.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        assertThat(scalar(backup, "SELECT COUNT(*) FROM jangle_events")).isPositive();
        Path fresh = dir.resolve("restored/bank.db");
        Files.createDirectories(fresh.getParent()); // --db in a missing directory is refused (16.7)
        assertThat(cli.runRaw("", "--db", fresh.toString(), "restore", backup.toString()).code()).isZero();
        var check = cli.runRaw("", "--db", fresh.toString(), "check", "--views");
        assertThat(check.code()).as(check.out() + check.err()).isZero();
    }

    private static void awaitAtLeast(ConcurrentLinkedQueue<String> acknowledged, int n) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (acknowledged.size() < n) {
            if (System.nanoTime() > deadline) throw new AssertionError("only " + acknowledged.size() + " of " + n);
            Thread.sleep(20);
        }
    }

    @Test
    @DisplayName("issue 17.4: restore refuses an existing bank without --force, and a bank a running process has open "
            + "even with it")
    void restoreRefusesLiveTargets() throws Exception {
        smallBank();
        Path backup = dir.resolve("b.db");
        assertThat(cli.sub("backup", backup.toString()).code()).isZero();
        var again = cli.sub("backup", backup.toString());
        assertThat(again.code()).isEqualTo(3);
        assertThat(again.err()).contains("already exists");

        var exists = cli.sub("restore", backup.toString());
        assertThat(exists.code()).isEqualTo(1);
        assertThat(exists.err()).contains("Refused: " + cli.db() + " exists", "--force");

        Process daemon = new ProcessBuilder(CliHarness.childCommand("--db", cli.db().toString(), "--log-file",
                dir.resolve("daemon.log").toString(), "daemon")).redirectErrorStream(true).start();
        try (var screen = new CliHarness.Expect(daemon.getInputStream())) {
            screen.expect("daemon running", BOUND);
            var inUse = cli.sub("restore", "--force", backup.toString());
            assertThat(inUse.code()).isEqualTo(1);
            assertThat(inUse.err()).contains("is open in a running process");
        } finally {
            daemon.destroy();
            assertThat(daemon.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        assertThat(cli.sub("deposit", "000003", "1").code()).isZero(); // after the backup: lost by the restore
        var forced = cli.sub("restore", "--force", backup.toString());
        assertThat(forced.code()).as(forced.out() + forced.err()).isZero();
        assertThat(cli.sub("accounts").out()).containsPattern("(?m)^000003 Carol +0\\.00 +0$");
        var damagedBackup = dir.resolve("damaged.db");
        Files.copy(getClass().getResourceAsStream("/damaged/bank-cut-1000.sqlite"), damagedBackup);
        var refused = cli.runRaw("", "--db", dir.resolve("other.db").toString(), "restore", damagedBackup.toString());
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("Refused: the backup " + damagedBackup + " is not sound", "integrity: ");
        assertThat(Files.exists(dir.resolve("other.db"))).isFalse();
    }
}
