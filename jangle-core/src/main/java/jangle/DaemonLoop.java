package jangle;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * The scheduling skeleton the event daemon and the saga daemon share: one named daemon thread that runs a pass every
 * interval after the previous one ends (fixed delay, so passes of one daemon never pile up), a first pass on the
 * caller's thread at start, a lock that keeps passes from overlapping (scheduled ones and those run through
 * {@link Operations}), and a stop flag that a long pass checks between pages. A failing scheduled pass is logged at
 * ERROR with point {@code daemon.<kind>.pass-failed} and the loop goes on; passes run through {@link #exclusive}
 * propagate their failures to the caller.
 */
final class DaemonLoop {
    private final String threadName;
    private final String kind;
    private final String label;
    private final Logger log;
    private final ReentrantLock passLock = new ReentrantLock();
    private volatile boolean stopping;
    private ScheduledExecutorService scheduler;

    /**
     * @param threadName the scheduler thread's name
     * @param kind       the middle of the log points, {@code daemon.<kind>.*}
     * @param label      how log messages name the daemon
     */
    DaemonLoop(String threadName, String kind, String label, Logger log) {
        this.threadName = threadName;
        this.kind = kind;
        this.label = label;
        this.log = log;
    }

    /** Runs {@code first} once on the caller's thread, then {@code periodic} every {@code interval} (at least 1 ms). */
    void start(Runnable first, Runnable periodic, Duration interval) {
        guarded(first);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, interval.toMillis());
        scheduler.scheduleWithFixedDelay(() -> guarded(periodic), period, period, TimeUnit.MILLISECONDS);
    }

    /** Sets the stop flag, lets a running pass end (up to 5 s) and stops the thread. */
    void stop() {
        stopping = true;
        if (scheduler == null) return;
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.atInfo().addKeyValue("point", "daemon." + kind + ".stopped").log(label + " stopped");
    }

    /** True once {@link #stop} was called: a pass stops taking new work. */
    /** Started, not stopped, and its scheduler still accepts passes (for health). */
    boolean running() {
        ScheduledExecutorService s = scheduler;
        return s != null && !stopping && !s.isShutdown();
    }

    boolean stopping() {
        return stopping;
    }

    /** Runs one pass while holding the pass lock, so it never overlaps another pass of this daemon. */
    int exclusive(IntSupplier pass) {
        passLock.lock();
        try {
            return pass.getAsInt();
        } finally {
            passLock.unlock();
        }
    }

    private void guarded(Runnable pass) {
        try {
            pass.run();
        } catch (RuntimeException e) {
            log.atError().addKeyValue("point", "daemon." + kind + ".pass-failed").setCause(e)
                    .log(label + " pass failed; the next one runs as scheduled");
        }
    }
}
