package jangle.banking.app.cli;

import jangle.banking.app.FollowUp;

import java.io.PrintStream;
import java.time.Duration;

/**
 * What {@code daemon} does while it waits for Ctrl-C: every {@link #EVERY} it writes one row through the store (a
 * probe), so that a store its background work can no longer write (a full disk, a read-only file, a lost server) is
 * reported on stderr when it starts, not only in the log, and its end too: {@code Error: the store cannot be written:
 * <cause>; background work waits and retries} then {@code The store can be written again; background work resumes.}
 * (issue 17 item 5). The work itself needs nothing from here: deliveries stay pending and are retried.
 */
final class StoreWatch {
    static final Duration EVERY = Duration.ofSeconds(2);

    /** Waits up to a duration for a stop request; true when one came. */
    @FunctionalInterface
    interface Stop {
        boolean await(Duration max) throws InterruptedException;
    }

    private final Runnable probe;
    private final PrintStream err;
    private String failing; // the last fault reported, null while the store is writable

    StoreWatch(Runnable probe, PrintStream err) {
        this.probe = probe;
        this.err = err;
    }

    /** Probes until {@code stop} says the process is asked to stop. */
    void runUntil(Stop stop) throws InterruptedException {
        while (!stop.await(EVERY)) check();
    }

    /** One probe; prints a line when the store's state changes (or its fault does). */
    void check() {
        try {
            probe.run();
            if (failing != null) {
                failing = null;
                err.println("The store can be written again; background work resumes.");
                err.flush();
            }
        } catch (RuntimeException e) {
            String cause = FollowUp.describe(e);
            if (!cause.equals(failing)) {
                failing = cause;
                err.println("Error: the store cannot be written: " + cause + "; background work waits and retries.");
                err.flush();
            }
        }
    }
}
