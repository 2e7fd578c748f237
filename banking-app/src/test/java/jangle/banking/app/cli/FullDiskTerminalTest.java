package jangle.banking.app.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A disk that fills up under a running terminal (issue 16 item 11, issue 17 item 5, issue 18 item 2): the action that
 * meets it shows an error naming the cause and the file, the terminal goes back to its screen, and once space is freed
 * the same terminal deposits again; nothing acknowledged is lost. The bank lives on a small tmpfs of its own, so the
 * test runs only where it may mount one (as root on Linux) and is skipped, saying so, elsewhere.
 */
class FullDiskTerminalTest {
    @TempDir
    Path dir;
    private Path mount;

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) run("umount", "-l", mount.toString());
    }

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    @DisplayName("issue 16.11, 17.5, 18.2: disk full under the terminal: 'the disk is full' and the file at the "
            + "deposit, back to the screen, and the next deposit works once space is back")
    void diskFullUnderTheTerminal() throws Exception {
        Path small = dir.resolve("small");
        Files.createDirectories(small);
        assumeTrue(System.getProperty("os.name").startsWith("Linux")
                        && run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", small.toString()),
                "needs to mount a small tmpfs (root on Linux)");
        mount = small;
        Path db = small.resolve("bank.db");
        Path filler = small.resolve("filler");
        try (LiveTerminal t = new LiveTerminal(Map.of(), "--db", db.toString(),
                "--log-file", dir.resolve("t.log").toString())) {
            t.expect("Select an option");
            t.type("1");
            t.type("Alice");
            t.type("100");
            t.expect("Account successfully created with id '000001'.");
            t.type("");
            t.expect("Select an option");
            t.type("3");
            t.type("000001");
            t.expect("Balance:");
            fill(filler);
            t.type("2");
            t.type("5");
            t.expect("Error: event store failed during append on " + db + ": the disk is full");
            t.expect("Back to the menu; try again when the database is available.");
            // every time, not only the first (a statement the driver finalised said "statement is not executing")
            t.type("");
            t.expect("Balance:");
            t.type("2");
            t.type("6");
            t.expect("Error: event store failed during append on " + db + ": the disk is full");
            t.expect("Back to the menu; try again when the database is available.");
            Files.delete(filler);
            t.type("");
            // the fault ended only the deposit: the account screen comes back, and the next deposit works
            t.expect("Balance:");
            t.type("2");
            t.type("7");
            t.expect("7.00 successfully deposited into 000001.");
            t.type("");
            t.expect("107.00"); // the failed deposit was not recorded, the acknowledged ones are all there
            t.type("1");
            t.type("5");
            t.expect("Goodbye.");
            assertThat(t.exitCode()).as(t.text()).isZero();
        }
    }

    @Test
    @DisplayName("issue 17.5: disk full under a running daemon: it says so on stderr, and says so again when space "
            + "is back")
    void diskFullUnderTheDaemon() throws Exception {
        Path small = dir.resolve("small");
        Files.createDirectories(small);
        assumeTrue(System.getProperty("os.name").startsWith("Linux")
                        && run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", small.toString()),
                "needs to mount a small tmpfs (root on Linux)");
        mount = small;
        Path db = small.resolve("bank.db");
        Path filler = small.resolve("filler");
        Process p = new ProcessBuilder(CliHarness.childCommand("--db", db.toString(), "--log-file",
                dir.resolve("d.log").toString(), "daemon")).redirectErrorStream(true).start();
        try (CliHarness.Expect out = new CliHarness.Expect(p.getInputStream())) {
            out.expect("daemon running on", java.time.Duration.ofSeconds(120));
            fill(filler);
            out.expect("Error: the store cannot be written: database failed during write probe on " + db
                    + ": the disk is full", java.time.Duration.ofSeconds(120));
            Files.delete(filler);
            out.expect("The store can be written again; background work resumes.", java.time.Duration.ofSeconds(120));
            p.toHandle().destroy(); // SIGTERM: graceful
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
    }

    /** Writes until the file system refuses: the disk is full. */
    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) out.write(block);
        } catch (IOException expected) {
            if (!String.valueOf(expected.getMessage()).contains("space")) throw expected;
        }
    }
}
