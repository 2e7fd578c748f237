package jangle.banking.app.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code jangle-bank} for tests: in-process through {@link Main#run} with piped stdin, or as a child JVM on the
 * test class path (for pseudo-terminal and crash tests), with an {@link Expect} reader over its output.
 */
final class CliHarness {
    /** The outcome of one in-process run. */
    record Result(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private final Path dir;
    private final Path db;
    private final Map<String, String> env = new HashMap<>();

    CliHarness(Path dir) {
        this.dir = dir;
        this.db = dir.resolve("bank.db");
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Path dir() {
        return dir;
    }

    Path db() {
        return db;
    }

    CliHarness env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Runs with {@code --db <the test's file>} prepended and {@code input} as stdin. */
    Result run(String input, String... args) {
        List<String> all = new ArrayList<>(List.of("--db", db.toString()));
        all.addAll(List.of(args));
        return runRaw(input, all.toArray(String[]::new));
    }

    /** Runs exactly these arguments (no {@code --db} added). */
    Result runRaw(String input, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code;
        try (var o = new PrintStream(out, true, StandardCharsets.UTF_8);
             var e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), o, e,
                    Map.copyOf(env));
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs a subcommand (no stdin) and returns its result. */
    Result sub(String... args) {
        return run("", args);
    }

    /** Runs a subcommand that must succeed (exit 0, stderr shown otherwise) and returns its stripped stdout. */
    String ok(String... args) {
        Result r = sub(args);
        org.assertj.core.api.Assertions.assertThat(r.code())
                .as("exit code of %s; stderr: %s", String.join(" ", args), r.err()).isZero();
        return r.out().strip();
    }

    // ---- child processes ----

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
    }

    /** The command line that runs {@link Main} in a child JVM on the test class path. */
    static List<String> childCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "--enable-native-access=ALL-UNNAMED", "-cp",
                testClassPath(), Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Reads a child's output in the background and waits for texts to appear, like {@code expect}. */
    static final class Expect implements AutoCloseable {
        private final StringBuilder seen = new StringBuilder();
        private final Thread reader;
        private int from;

        Expect(InputStream stream) {
            reader = new Thread(() -> {
                byte[] buffer = new byte[4096];
                try {
                    int n;
                    while ((n = stream.read(buffer)) >= 0) {
                        synchronized (seen) {
                            seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                            seen.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // the child ended
                }
            }, "expect-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits until {@code text} appears after the previous match; fails with everything seen so far. */
        void expect(String text, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (seen) {
                while (true) {
                    int at = seen.indexOf(text, from);
                    if (at >= 0) {
                        from = at + text.length();
                        return;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("did not see \"" + text + "\" within " + timeout
                                + "; output so far:\n" + seen);
                    }
                    try {
                        seen.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError("interrupted", e);
                    }
                }
            }
        }

        String text() {
            synchronized (seen) {
                return seen.toString();
            }
        }

        void awaitEnd(Duration timeout) throws InterruptedException {
            reader.join(timeout.toMillis());
        }

        @Override
        public void close() {
            reader.interrupt();
        }
    }

    /** Writes a line to a child's stdin. */
    static void type(OutputStream stdin, String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }
}
