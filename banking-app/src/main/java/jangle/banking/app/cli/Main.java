package jangle.banking.app.cli;

import jangle.banking.app.BankingApplication;

import java.io.InputStream;
import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code jangle-bank}: the interactive terminal and the subcommands of cli.md. {@link #main} is the process entry
 * point; {@link #run} runs the same program in-process over the given streams and environment (for tests), without
 * touching system properties, shutdown hooks or {@code System.exit}.
 *
 * <p>Exit codes (cli.md §5): 0 success, 1 rejected or not found, 2 bad input, 3 infrastructure failure; Ctrl-C ends
 * the terminal with {@code Goodbye.} and 130 (the JVM's code for SIGINT, after the shutdown hook has closed the
 * application).
 *
 * <p>Logging (fix 13): the first thing {@link #main} does, before any logger exists, is to set the system properties
 * {@code jangle.log.file} and {@code jangle.log.format} from {@code --log-file}/{@code --log-format}, else
 * {@code JANGLE_LOG_FILE}/{@code JANGLE_LOG_FORMAT}, else {@code ./jangle-bank.log} and {@code json}; the logging
 * configuration writes only to that file.
 *
 * <p>One knob that is not in cli.md, for operators and crash tests: {@code JANGLE_BANK_DISPATCH=off} opens the store
 * without starting dispatch or the daemons. Commands are recorded with their deliveries, which stay pending until the
 * next normal start (T9).
 */
public final class Main {
    static final int OK = 0;
    static final int REJECTED = 1;
    static final int BAD_INPUT = 2;
    static final int FAILURE = 3;
    static final int INTERRUPTED = 130;

    private static final String DEFAULT_LOG_FILE = "./jangle-bank.log";

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final boolean tty;
    private final AtomicReference<BankingApplication> current = new AtomicReference<>();
    private final AtomicBoolean interactive = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicReference<Runnable> beforeClose = new AtomicReference<>();

    private Main(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, boolean tty) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.tty = tty;
    }

    public static void main(String[] args) {
        configureLogging(args, System.getenv()); // before any logger is created
        Main main = new Main(System.in, System.out, System.err, System.getenv(), stdoutIsTerminal());
        if (!registerHook(new Thread(main::onShutdown, "jangle-bank-shutdown"), Runtime.getRuntime()::addShutdownHook)) {
            Runtime.getRuntime().halt(INTERRUPTED); // Ctrl-C before the hook: nothing is open yet, quiet exit
        }
        int code = main.execute(args);
        main.finished.set(true);
        System.exit(code);
    }

    /**
     * Registers the shutdown hook; false when the JVM is already shutting down (Ctrl-C during start-up, issue 16.6),
     * where {@code addShutdownHook} throws {@code IllegalStateException: Shutdown in progress}.
     */
    static boolean registerHook(Thread hook, Consumer<Thread> registrar) {
        try {
            registrar.accept(hook);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /**
     * Runs {@code jangle-bank} with these arguments over these streams and this environment, and returns the exit
     * code. Never a TTY: no colour, width from {@code --width}, {@code COLUMNS} or 80 (T7).
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        return new Main(in, out, err, env, false).execute(args);
    }

    private int execute(String[] args) {
        try {
            return new Cli(this).execute(args);
        } finally {
            closeApplication();
        }
    }

    // ---- what Cli needs ----

    InputStream in() {
        return in;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    Map<String, String> env() {
        return env;
    }

    boolean tty() {
        return tty;
    }

    /** True once Ctrl-C (or SIGTERM) has begun the shutdown: a failure then is its consequence, not news. */
    boolean stopping() {
        return stopping.get();
    }

    /**
     * Remembers the open application so that Ctrl-C can close it; {@code sayGoodbye} for the terminal and the daemon,
     * which a person stops with Ctrl-C.
     */
    void opened(BankingApplication app, boolean sayGoodbye) {
        current.set(app);
        interactive.set(sayGoodbye);
    }

    /** Closes the open application once, whoever asks first (the command, or the shutdown hook). */
    void closeApplication() {
        BankingApplication app = current.getAndSet(null);
        if (app != null) app.close();
    }

    /** Runs {@code action} on Ctrl-C before the application closes (the HTTP server drains its requests). */
    void beforeClose(Runnable action) {
        beforeClose.set(action);
    }

    /** Blocks the daemon until the process is asked to stop. */
    void awaitStop() throws InterruptedException {
        stop.await();
    }

    /** Waits at most {@code max} for the process to be asked to stop; true when it was. */
    boolean awaitStop(java.time.Duration max) throws InterruptedException {
        return stop.await(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Ctrl-C (or SIGTERM): Goodbye for a person at the terminal, then a graceful close; work left stays pending. */
    private void onShutdown() {
        if (finished.get()) return;
        stopping.set(true);
        stop.countDown();
        if (interactive.get()) {
            out.println();
            out.println("Goodbye.");
            out.flush();
        }
        try {
            Runnable first = beforeClose.getAndSet(null);
            if (first != null) first.run();
            closeApplication();
        } catch (RuntimeException e) {
            err.println("Error while closing: " + e.getMessage());
        }
    }

    // ---- process set-up ----

    /** Sets {@code jangle.log.file} (absolute) and {@code jangle.log.format} for the logging configuration. */
    static void configureLogging(String[] args, Map<String, String> env) {
        String file = optionValue(args, "--log-file");
        if (file == null) file = env.get("JANGLE_LOG_FILE");
        if (file == null || file.isBlank()) file = DEFAULT_LOG_FILE;
        String format = optionValue(args, "--log-format");
        if (format == null) format = env.get("JANGLE_LOG_FORMAT");
        if (format == null || !(format.equals("text") || format.equals("json"))) format = "json";
        System.setProperty("jangle.log.file", Path.of(file).toAbsolutePath().normalize().toString());
        System.setProperty("jangle.log.format", format);
    }

    /** The value of {@code --name VALUE} or {@code --name=VALUE}, the last one given, else null. */
    static String optionValue(String[] args, String name) {
        String value = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(name) && i + 1 < args.length) value = args[i + 1];
            else if (args[i].startsWith(name + "=")) value = args[i].substring(name.length() + 1);
        }
        return value;
    }

    /**
     * True when stdout is a terminal. {@code System.console()} is null without one on JDK 21; from JDK 22 it may be
     * non-null for redirected streams and {@code Console.isTerminal()} tells (looked up once, as this code is compiled
     * for 21).
     */
    private static boolean stdoutIsTerminal() {
        var console = System.console();
        if (console == null) return false;
        try {
            MethodHandle isTerminal = MethodHandles.publicLookup()
                    .findVirtual(java.io.Console.class, "isTerminal", MethodType.methodType(boolean.class));
            return (boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return true; // JDK 21: a console exists only on a terminal
        } catch (Throwable e) {
            return false;
        }
    }
}
