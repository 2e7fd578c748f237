package jangle.banking.app.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static jangle.banking.app.cli.CliHarness.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code jangle-bank} as a real process: on a pseudo-terminal through {@code script} (T1, T3 colour, fix 9, fix 13,
 * Ctrl-C), killed with SIGKILL in the middle of a transfer and resumed (T9, fix 14), and as a daemon next to other
 * processes on the same file (T10).
 */
class ProcessTest {
    /** A bound on each wait for the next line of output: only a hang reaches it, a busy machine does not. */
    private static final Duration STEP = Duration.ofMinutes(2);
    private static final String RED = "\u001b[31m";

    @TempDir
    Path dir;
    private CliHarness cli;
    private Path log;

    @BeforeEach
    void setUp() {
        cli = new CliHarness(dir);
        log = dir.resolve("bank.log");
    }

    /** A child JVM running Main with these arguments, a clean environment plus {@code extraEnv}. */
    private Process child(List<String> command, Map<String, String> extraEnv) throws IOException {
        var pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("JANGLE_") || k.equals("NO_COLOR") || k.equals("COLUMNS"));
        env.putAll(extraEnv);
        return pb.start();
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * Runs Main under {@code script}, which gives it a pseudo-terminal for stdin and stdout, with SIGINT at its
     * default action. A process started in the background of a non-interactive shell ({@code ./mvnw verify &},
     * {@code nohup}, many CI runners) inherits SIGINT ignored, and so does every process it starts: the JVM then
     * installs no SIGINT handler and Ctrl-C does nothing, which is right for the program (Unix convention) but is not
     * what a person at a terminal has. {@code env --default-signal} resets it for the child alone.
     */
    private Process onPseudoTerminal(String... args) throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")) || Files.isExecutable(Path.of("/bin/script")),
                "util-linux script is not installed");
        assumeTrue(SigInt.ENV_RESETS || !SigInt.ignoredHere(),
                "SIGINT is ignored in this JVM and env has no --default-signal (coreutils 8.31+) to reset it");
        String inner = "exec " + (SigInt.ENV_RESETS ? "env --default-signal=INT " : "")
                + CliHarness.childCommand(args).stream().map(ProcessTest::shellQuote).collect(Collectors.joining(" "));
        return child(List.of("script", "-qfec", inner, "/dev/null"), Map.of("TERM", "xterm"));
    }

    /** Whether SIGINT is ignored, read from {@code /proc/<pid>/status} (Linux; false where it cannot be read). */
    static final class SigInt {
        static final boolean ENV_RESETS = envResets();

        static boolean ignoredHere() {
            return ignored(ProcessHandle.current().pid());
        }

        /** SigIgn is a hexadecimal mask in which bit n-1 stands for signal n; SIGINT is 2. */
        static boolean ignored(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("SigIgn:")) {
                        return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 2) != 0;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return false;
            }
            return false;
        }

        private static boolean envResets() {
            try {
                Process p = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
                p.getInputStream().transferTo(OutputStream.nullOutputStream());
                return p.waitFor() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** A process's arguments from {@code /proc} (ProcessHandle.Info leaves out command lines as long as ours). */
    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGKILL to the process and everything it started, so no child JVM outlives the test (issue 16.1). */
    private static void killTree(Process p) {
        p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** The JVM that {@code script} started (its descendant running Main), once it exists. */
    private static ProcessHandle mainJvm(Process script) {
        return script.toHandle().descendants()
                .filter(h -> commandLine(h.pid()).contains(Main.class.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no child JVM running " + Main.class.getName()));
    }

    private static String screen(String raw) {
        return raw.replace("\r\n", "\n").replace("\r", "");
    }

    @Test
    @Tag("T1")
    @Tag("T3")
    @DisplayName("T1, T3, fix 9, fix 13: a session on a pseudo-terminal: colour refusals, exact screens, logs only in the file")
    void pseudoTerminalSession() throws Exception {
        Process p = onPseudoTerminal("--db", cli.db().toString(), "--log-file", log.toString());
        try (var screen = new CliHarness.Expect(p.getInputStream()); OutputStream keys = p.getOutputStream()) {
            screen.expect("Background tasks initialized.", STEP);
            screen.expect("No accounts yet.", STEP);
            screen.expect("Select an option: ", STEP);
            type(keys, "1");
            screen.expect("Account name (5-15 chars): ", STEP);
            type(keys, "Nata");
            screen.expect(RED + "name must be 5 to 15 characters long", STEP);
            screen.expect("Account name (5-15 chars): ", STEP);
            type(keys, "Alice");
            screen.expect("Starting balance (ENTER for 0): ", STEP);
            type(keys, "100");
            screen.expect("Account successfully created with id '000001'.", STEP);
            screen.expect("Enter to continue...", STEP);
            type(keys, "");
            screen.expect("Select an option: ", STEP);
            type(keys, "1");
            screen.expect("Account name (5-15 chars): ", STEP);
            type(keys, "Bobby");
            screen.expect("Starting balance (ENTER for 0): ", STEP);
            type(keys, "");
            screen.expect("Account successfully created with id '000002'.", STEP);
            screen.expect("Enter to continue...", STEP);
            type(keys, "");
            screen.expect("Select an option: ", STEP);
            type(keys, "3");
            screen.expect("ID of account to select: ", STEP);
            type(keys, "000001");
            screen.expect("Account ID:       000001", STEP);
            screen.expect("10) Change account name", STEP);
            screen.expect("Select an option: ", STEP);
            type(keys, "4");
            screen.expect("Account ID to send funds to: ", STEP);
            type(keys, "000002");
            screen.expect("Amount to send: ", STEP);
            type(keys, "20");
            screen.expect("Sent 20.00 to account ID 000002.", STEP);
            screen.expect("Enter to continue...", STEP);
            type(keys, "");
            screen.expect("Select an option: ", STEP);
            type(keys, "2");
            screen.expect("How much to deposit? ", STEP);
            type(keys, "5");
            screen.expect("5.00 successfully deposited into 000001.", STEP);
            screen.expect("Enter to continue...", STEP);
            type(keys, "");
            screen.expect("Select an option: ", STEP);
            type(keys, "9");
            screen.expect("Ledger:", STEP);
            screen.expect("transfer_debit", STEP);
            screen.expect("Enter to continue...", STEP);
            type(keys, "");
            screen.expect("Select an option: ", STEP);
            type(keys, "1");
            screen.expect("5) Quit", STEP);
            screen.expect("Select an option: ", STEP);
            type(keys, "4");
            screen.expect("Bank statistics", STEP);
            screen.expect("Enter to continue...", STEP);
            type(keys, "");
            screen.expect("Select an option: ", STEP);
            type(keys, "5");
            screen.expect("Goodbye.", STEP);
            assertThat(p.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            screen.awaitEnd(STEP);

            String text = screen(screen.text());
            assertThat(text).startsWith("Jangle Banking\nJangle Banking terminal initializing...\n")
                    .containsPattern("(?m)^000001 Alice +85\\.00 +0$")
                    .containsPattern("(?m)^000002 Bobby +20\\.00 +0$")
                    .contains("Account ID:       000001\nAccount Name:     Alice\nBalance:          100.00\n"
                            + "Requests awaiting your approval: none\n")
                    .contains(String.join("\n", "Bank statistics",
                            "Active accounts:       2",
                            "Deleted accounts:      0",
                            "Net balance:           105.00",
                            "Transactions:          4",
                            "Average deposit:       52.50",
                            "Average withdrawal:    0.00",
                            "Total debt forgiven:   0.00"));
            // fix 13: the log file has the logs; the screen has none of them
            assertThat(log).exists();
            assertThat(Files.size(log)).isPositive();
            assertThat(text).doesNotContain("\"point\"").doesNotContain(" INFO ").doesNotContain("DEBUG")
                    .doesNotContain("WARNING");
        } finally {
            killTree(p);
        }
    }

    @Test
    @DisplayName("cli §2: Ctrl-C on the terminal prints Goodbye. and exits with 130")
    void controlC() throws Exception {
        Process p = onPseudoTerminal("--db", cli.db().toString(), "--log-file", log.toString());
        try (var screen = new CliHarness.Expect(p.getInputStream()); OutputStream keys = p.getOutputStream()) {
            screen.expect("Select an option: ", STEP);
            // issue 16.1: with SIGINT ignored the JVM never sees Ctrl-C and the screen ends at "^C"; say so plainly
            assertThat(SigInt.ignored(mainJvm(p).pid())).as("SIGINT is ignored by the child JVM").isFalse();
            keys.write(3); // ETX: the pseudo-terminal turns it into SIGINT
            keys.flush();
            screen.expect("Goodbye.", STEP);
            assertThat(p.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(130);
        } finally {
            killTree(p);
        }
    }

    @Test
    @Tag("D10")
    @Tag("T9")
    @DisplayName("T9, fix 14, D10: killed (SIGKILL) after the debit, before mediation; the transfer completes after restart")
    void crashResume() throws Exception {
        assertThat(cli.sub("create-account", "--name", "Alice", "--initial-deposit", "100").code()).isZero();
        assertThat(cli.sub("create-account", "--name", "Bobby").code()).isZero();

        // dispatch off: the debit commits (events only, D1), nothing mediates it
        Process p = child(CliHarness.childCommand("--db", cli.db().toString(), "--log-file", log.toString()),
                Map.of("JANGLE_BANK_DISPATCH", "off"));
        try (var out = new CliHarness.Expect(p.getInputStream()); OutputStream keys = p.getOutputStream()) {
            for (String answer : List.of("3", "000001", "4", "000002", "10")) type(keys, answer);
            out.expect("Sending 10.00 to account ID 000002; the transfer is still in progress.", STEP);
            out.expect("Enter to continue...", STEP);
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful close
            assertThat(p.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(137);
        }
        // nothing failed, so nothing is parked: the debit waits behind transfer-mediator's checkpoint (D17)
        assertThat(cli.sub("events", "pending").out().strip()).isEqualTo("Nothing pending.");
        assertThat(cli.sub("events", "processors").out()).containsPattern("(?m)^transfer-mediator +\\d+ +[1-9]\\d* ");

        var restart = cli.run("5\n");
        assertThat(restart.code()).isZero();
        assertThat(restart.out()).containsPattern("Resuming: processors up to [1-9]\\d* events behind, \\d+ pending deliveries, \\d+ sagas due\\.");
        var accounts = cli.sub("accounts");
        assertThat(accounts.out()).containsPattern("(?m)^000001 Alice +90\\.00 +0$")
                .containsPattern("(?m)^000002 Bobby +10\\.00 +0$");
        assertThat(cli.sub("events", "pending").out().strip()).isEqualTo("Nothing pending.");
        assertThat(cli.sub("ledger", "000002").out()).contains("transfer_credit");
    }

    @Test
    @Tag("T9")
    @Tag("T10")
    @DisplayName("T9, T10, cli §5: the daemon resumes pending work while other processes use the same file")
    void daemon() throws Exception {
        var off = new CliHarness(dir).env("JANGLE_BANK_DISPATCH", "off");
        assertThat(off.sub("create-account", "--name", "Alice", "--initial-deposit", "100").code()).isZero();
        assertThat(off.sub("create-account", "--name", "Bobby").code()).isZero();
        assertThat(off.sub("send", "000001", "000002", "7").out()).endsWith("in progress\n");

        Process p = child(CliHarness.childCommand("--db", cli.db().toString(), "--log-file", log.toString(),
                "daemon"), Map.of());
        try (var out = new CliHarness.Expect(p.getInputStream())) {
            out.expect("daemon running", STEP);
            long deadline = System.nanoTime() + STEP.toNanos();
            String processors;
            do { // every processor segment of the shared file reaches the head (D17)
                Thread.sleep(200);
                processors = off.sub("--json", "events", "processors").out();
            } while ((!processors.contains("\"lagEvents\"") || processors.matches("(?s).*\"lagEvents\":[1-9].*"))
                    && System.nanoTime() < deadline);
            assertThat(processors).contains("\"lagEvents\":0").doesNotContainPattern("\"lagEvents\":[1-9]");
            assertThat(off.sub("events", "pending").out().strip()).isEqualTo("Nothing pending.");
            // a second process writes while the daemon runs; the daemon projects it
            assertThat(off.sub("deposit", "000002", "1").code()).isZero();
            p.toHandle().destroy(); // SIGTERM: graceful (Process.destroy() would also close our end of its output)
            assertThat(p.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)).isTrue();
            out.awaitEnd(STEP);
            assertThat(p.exitValue()).as(out.text()).isEqualTo(143);
            out.expect("Goodbye.", STEP);
        } finally {
            killTree(p);
        }
        assertThat(cli.sub("accounts").out()).containsPattern("(?m)^000001 Alice +93\\.00 +0$")
                .containsPattern("(?m)^000002 Bobby +8\\.00 +0$");
    }
}
