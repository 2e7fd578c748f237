package jangle.banking.app.cli;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The terminal run in-process ({@link Main#run}) with a live stdin: a test types a line, waits for the answer, changes
 * the world (cuts the database, fills the disk), and types the next. Output (stdout and stderr together) is read by
 * an {@link CliHarness.Expect}.
 */
final class LiveTerminal implements AutoCloseable {
    private final PipedOutputStream stdin = new PipedOutputStream();
    private final CliHarness.Expect expect;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final PipedOutputStream output = new PipedOutputStream();

    LiveTerminal(Map<String, String> env, String... args) throws IOException {
        PipedInputStream in = new PipedInputStream(stdin, 64 * 1024);
        PipedInputStream seen = new PipedInputStream(output, 1024 * 1024);
        this.expect = new CliHarness.Expect(seen);
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        Thread t = new Thread(() -> {
            try {
                exit.complete(Main.run(args, in, out, out, env));
            } catch (Throwable e) {
                exit.completeExceptionally(e);
            } finally {
                out.close();
            }
        }, "live-terminal");
        t.setDaemon(true);
        t.start();
    }

    /** Waits for {@code text} after the previous match; a bound only a hang reaches. */
    void expect(String text) {
        expect.expect(text, Duration.ofSeconds(120));
    }

    void type(String line) throws IOException {
        CliHarness.type(stdin, line);
    }

    String text() {
        return expect.text();
    }

    int exitCode() throws Exception {
        return exit.get(120, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        stdin.close();
        expect.close();
    }
}
