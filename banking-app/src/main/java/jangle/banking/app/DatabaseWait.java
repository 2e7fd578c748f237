package jangle.banking.app;

import jangle.jdbc.Outages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How a long-running process (the daemon, a server) starts when its database is down or still recovering (issue 17):
 * it retries opening with a doubling back-off capped at {@code max}, says so each time (to the given sink, i.e.
 * stderr, and to the log as WARN {@code bank.db-wait}), and returns once the database answers. Only an outage
 * ({@link Outages#unavailable}) is waited for; any other failure (bad credentials, a damaged file, a bad setting) is
 * thrown at once. One-shot commands do not use it: they fail fast with exit 3.
 */
public final class DatabaseWait {
    private static final Logger LOG = LoggerFactory.getLogger("jangle.banking.app");

    /** Sleeps between attempts; tests pass one that records the delays. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration delay) throws InterruptedException;
    }

    private final Duration first;
    private final Duration max;
    private final Consumer<String> say;
    private final Sleeper sleeper;

    public DatabaseWait(Duration first, Duration max, Consumer<String> say, Sleeper sleeper) {
        this.first = Objects.requireNonNull(first, "first");
        this.max = Objects.requireNonNull(max, "max");
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("back-off must be positive and max >= first: " + first + ", " + max);
        }
        this.say = Objects.requireNonNull(say, "say");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** 1 s, 2 s, 4 s, ... capped at 30 s, real sleeps. */
    public static DatabaseWait standard(Consumer<String> say) {
        return new DatabaseWait(Duration.ofSeconds(1), Duration.ofSeconds(30), say,
                d -> Thread.sleep(d.toMillis()));
    }

    /** Runs {@code open} until it succeeds or fails for another reason than an outage. */
    public <T> T open(String what, Supplier<T> open) throws InterruptedException {
        Duration delay = first;
        for (int attempt = 1; ; attempt++) {
            try {
                T opened = open.get();
                if (attempt > 1) {
                    say.accept("The database is back (" + what + "); starting.");
                    LOG.atInfo().addKeyValue("point", "bank.db-back").addKeyValue("attempts", attempt)
                            .log("database reachable again after {} attempts", attempt);
                }
                return opened;
            } catch (RuntimeException e) {
                if (!Outages.unavailable(e)) throw e;
                String cause = rootMessage(e).replaceAll("[.\\s]+$", "");
                say.accept(String.format(Locale.ROOT, "The database is not reachable (%s): %s. Retrying in %s "
                        + "(attempt %d); Ctrl-C to stop.", what, cause, seconds(delay), attempt));
                LOG.atWarn().addKeyValue("point", "bank.db-wait").addKeyValue("attempt", attempt)
                        .addKeyValue("retryIn", delay.toString())
                        .log("database not reachable at start ({}): {}; retrying", what, cause);
                sleeper.sleep(delay);
                delay = delay.multipliedBy(2).compareTo(max) > 0 ? max : delay.multipliedBy(2);
            }
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
