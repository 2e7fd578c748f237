package jangle.banking.app.cli;

import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code load} subcommand (issue 7): a short run on each store prints every figure, every command is accounted
 * for (accepted + rejected + retries exhausted = sent), dispatch settles and money is conserved afterwards. The
 * figures themselves are not asserted: they are measurements, quoted in docs/benchmarks.md.
 */
class LoadCommandTest {
    private static final Pattern COMMANDS = Pattern.compile("commands\\s+[\\d,]+/s.*\\((\\d+) in ");
    private static final Pattern OUTCOMES =
            Pattern.compile("outcomes\\s+(\\d+) accepted, (\\d+) rejected, (\\d+) retries exhausted");

    @TempDir
    Path dir;

    private static final String[] SHORT = {"--seconds", "1", "--warmup", "1", "--anchor-seconds", "1",
            "--threads", "2", "--accounts", "40", "--log-file", "load.log"};

    private static String[] args(String[] first, String... more) {
        String[] all = new String[first.length + more.length + 1];
        all[0] = "load";
        System.arraycopy(more, 0, all, 1, more.length);
        System.arraycopy(first, 0, all, 1 + more.length, first.length);
        return all;
    }

    private static void assertReport(CliHarness.Result r) {
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("raw insert+commit", "command latency", "to read model", "retries/command",
                "every event handled by every processor", "money conserved");
        // the processors' lag at the end: every processor listed, each caught up (the run settled)
        assertThat(r.out()).containsPattern("processors' lag +.*bank-views 0 events/")
                .containsPattern("transfer-mediator 0 events/").contains("store commits/cmd");
        Matcher c = COMMANDS.matcher(r.out());
        Matcher o = OUTCOMES.matcher(r.out());
        assertThat(c.find()).as(r.out()).isTrue();
        assertThat(o.find()).as(r.out()).isTrue();
        long sent = Long.parseLong(c.group(1));
        long answered = Long.parseLong(o.group(1)) + Long.parseLong(o.group(2)) + Long.parseLong(o.group(3));
        assertThat(sent).isPositive();
        assertThat(answered).isEqualTo(sent);
    }

    /**
     * The store's commits during the measured time: at least one per command would be the old design; anything
     * above zero shows the counters are wired (each command's append commits, at worst shared by group commit).
     */
    private static void assertCommitsCounted(CliHarness.Result r, boolean wal) {
        Matcher m = Pattern.compile("store commits/cmd +([0-9.]+) +\\((\\d+) commits holding ([0-9.]+) writes/cmd"
                + "(; WAL ([0-9,]+) bytes/cmd)?").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        assertThat(Long.parseLong(m.group(2))).as("commits counted").isPositive();
        assertThat(Double.parseDouble(m.group(3))).as("writes per command >= commits per command")
                .isGreaterThanOrEqualTo(Double.parseDouble(m.group(1)));
        if (wal) {
            assertThat(m.group(5)).as("WAL bytes per command on PostgreSQL: " + r.out()).isNotNull();
            assertThat(Long.parseLong(m.group(5).replace(",", ""))).isPositive();
        }
    }

    @Test
    @DisplayName("issue 7: load on a SQLite file prints every figure and accounts for every command")
    void sqlite() {
        CliHarness cli = new CliHarness(dir);
        CliHarness.Result r = cli.sub(args(SHORT, "--mix", "full"));
        assertReport(r);
        assertThat(r.out()).contains("journal_mode=wal", "synchronous=NORMAL");
        assertCommitsCounted(r, false);
    }

    @Test
    @DisplayName("issue 7: load in memory, deposits and withdrawals only")
    void memory() {
        CliHarness.Result r = new CliHarness(dir).runRaw("", args(SHORT, "--memory", "--mix", "dw"));
        assertReport(r);
        assertThat(r.out()).contains("in memory", "transfers=0")
                .containsPattern("store commits/cmd +not measured \\(in memory");
    }

    @Test
    @DisplayName("issue 7: an open-loop run in memory paces the scheduled commands and says that a request's answer "
            + "comes on top of the rate")
    void openLoop() {
        CliHarness.Result r = new CliHarness(dir).runRaw("", args(SHORT, "--memory", "--mix", "full", "--rate", "400"));
        assertReport(r);
        assertThat(r.out()).contains("open loop at 400 commands/s (a request's answer is sent at once, on top)");
        Matcher c = COMMANDS.matcher(r.out());
        assertThat(c.find()).isTrue();
        // 400/s, about 1 answer per 10 scheduled commands on top, and a late schedule caught up (a busy machine
        // stretches the warm-up and the measured second): hundreds, never a closed loop's tens of thousands
        assertThat(Long.parseLong(c.group(1))).as(r.out()).isBetween(1L, 2500L);
    }

    @Test
    @DisplayName("issue 7: load on PostgreSQL reports the server's durability settings")
    void postgres() {
        CliHarness.Result r = new CliHarness(dir).env("JANGLE_DB_USER", "postgres").env("JANGLE_DB_PASSWORD", "postgres")
                .runRaw("", args(SHORT, "--db-url", EmbeddedPg.newDatabaseUrl()));
        assertReport(r);
        assertThat(r.out()).contains("fsync=", "synchronous_commit=");
        assertCommitsCounted(r, true);
    }

    @Test
    @DisplayName("issue 18.1: the database fails mid-run: the load stops its threads, reports in one line, exit 3")
    void databaseFailsMidRun() throws Exception {
        String url = EmbeddedPg.newDatabaseUrl();
        String name = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
        var out = new Captured();
        var err = new Captured();
        int[] code = {-1};
        Thread run = Thread.ofPlatform().name("load-under-test").start(() -> code[0] = Main.run(
                args(new String[]{"--seconds", "600", "--warmup", "1", "--anchor-seconds", "0", "--threads", "2",
                        "--accounts", "40", "--log-file", dir.resolve("load.log").toString()}, "--db-url", url),
                InputStream.nullInputStream(), out.stream, err.stream,
                Map.of("JANGLE_DB_USER", "postgres", "JANGLE_DB_PASSWORD", "postgres")));
        try {
            out.await("Measuring...", Duration.ofSeconds(120));
            // the crash: no new connections, every open one terminated
            admin("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
            admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
            out.await("Stopped: ", Duration.ofSeconds(120));
            admin("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true"); // the restart
            run.join(Duration.ofSeconds(120));
            assertThat(run.isAlive()).as("load still running; output:%n%s", out.text()).isFalse();
        } finally {
            admin("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
        }
        assertThat(code[0]).as(out.text() + err.text()).isEqualTo(3);
        List<String> errLines = err.text().lines().toList();
        assertThat(errLines).as(err.text()).hasSize(1);
        assertThat(errLines.get(0)).startsWith("Error: ").doesNotContain("\tat ");
        assertThat(out.text()).doesNotContain("Exception in thread")
                .contains("stopped early", "the database failed: ", "command latency")
                .containsPattern("outcomes\\s+\\d+ accepted, \\d+ rejected, \\d+ retries exhausted")
                .contains("money conserved");
        Matcher c = COMMANDS.matcher(out.text());
        assertThat(c.find()).as(out.text()).isTrue();
        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName))
                .as("no load thread left running").noneMatch(n -> n.startsWith("load-") && !n.equals("load-under-test"));
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = EmbeddedPg.server().getPostgresDatabase().getConnection();
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Output a test can wait on while the run goes on. */
    private static final class Captured {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                super.write(b, off, len);
                notifyAll();
            }
        };
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        void await(String text, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            synchronized (bytes) {
                while (!bytes.toString(StandardCharsets.UTF_8).contains(text)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) throw new AssertionError("did not see \"" + text + "\" within " + limit
                            + "; output so far:\n" + bytes.toString(StandardCharsets.UTF_8));
                    bytes.wait(Math.max(1, left / 1_000_000));
                }
            }
        }
    }

    @Test
    @DisplayName("cli.md exit 2: a bad load option names the problem")
    void badOptions() {
        CliHarness cli = new CliHarness(dir);
        CliHarness.Result mix = cli.sub("load", "--mix", "deposits=lots");
        assertThat(mix.code()).isEqualTo(2);
        assertThat(mix.err()).contains("weight of 'deposits' is not a whole number: 'lots'");
        CliHarness.Result kind = cli.sub("load", "--mix", "loans=3");
        assertThat(kind.code()).isEqualTo(2);
        assertThat(kind.err()).contains("unknown kind 'loans'");
        CliHarness.Result threads = cli.sub("load", "--threads", "0");
        assertThat(threads.code()).isEqualTo(2);
        assertThat(threads.err()).contains("threads must be at least 1");
        CliHarness.Result lonely = cli.sub("load", "--accounts", "1");
        assertThat(lonely.code()).isEqualTo(2);
        assertThat(lonely.err()).contains("accounts must be at least 2 when the mix has transfers or requests");
    }
}
