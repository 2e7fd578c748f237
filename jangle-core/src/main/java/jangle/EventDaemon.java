package jangle;

import jangle.spi.Delivery;
import jangle.spi.DeliveryKey;
import jangle.spi.DispatchLedger;
import jangle.spi.EventStore;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The event daemon (D9–D14): one thread, {@code jangle-event-daemon}, that every {@code failedEventsRetryInterval}
 * runs a pass over the pending deliveries whose last attempt (or commit) is older than {@code failedEventsMaxAge},
 * oldest position first, {@code batchSize} at a time, until none is left. At start it runs one catch-up pass that
 * takes this node's own pending work with no minimum age (D10; other nodes' work only past its lease, see below).
 * Passes never overlap (one lock, also taken by passes run through {@link Operations}).
 *
 * <p>A pass fixes the feed's last position when it begins, attempts each delivery at most once (a failure is due again
 * at once when the max age is zero, and must not loop), and leaves deliveries committed after it began to the live
 * dispatcher, so the catch-up pass does not race the live path for new work. It reads the clock for each page, not
 * once: on a saturated node a pass can run for many seconds through the node's own late work, and a crashed node's
 * lease that runs out meanwhile is then taken over in that pass instead of the next one.
 *
 * <p><b>Several nodes on one store.</b> The pass takes its work with {@link DispatchLedger#claim}, which records this
 * node ({@code nodeId}) and restarts each delivery's age atomically: another node's daemon can claim it only once
 * {@code failedEventsMaxAge} has passed again, so that age is every holder's lease, and the work of a node that
 * crashed is taken over when it runs out. The catch-up pass at start also claims, at any age, what this node held
 * before it stopped (same {@code nodeId}), and never what other live nodes hold. Handlers stay idempotent anyway:
 * a holder slower than its lease may overlap with the next one (at-least-once, D1).
 */
final class EventDaemon {
    private final DispatchRuntime runtime;
    private final EventStore events;
    private final DispatchLedger ledger;
    private final Settings settings;
    private final Clock clock;
    private volatile java.time.Instant lastPass;
    private final DaemonLoop loop = new DaemonLoop("jangle-event-daemon", "events", "event daemon",
            DispatchRuntime.DAEMON_LOG);

    EventDaemon(DispatchRuntime runtime, EventStore events, Settings settings, Clock clock) {
        this.runtime = runtime;
        this.events = events;
        this.ledger = events.ledger();
        this.settings = settings;
        this.clock = clock;
    }

    /** Runs the catch-up pass on the caller's thread (D10), then schedules the periodic passes (D9). */
    void start() {
        loop.start(() -> pass(settings.failedEventsMaxAge(), true), () -> pass(settings.failedEventsMaxAge(), false),
                settings.failedEventsRetryInterval());
    }

    /** For health: started, not stopped, and its scheduler still accepts passes. */
    boolean running() {
        return loop.running();
    }

    /** When the last pass ended (application clock); null before the first. */
    java.time.Instant lastPass() {
        return lastPass;
    }

    void stop() {
        loop.stop();
    }

    /** One pass; returns the number of deliveries attempted. Store failures propagate to the caller. */
    int pass(Duration maxAge, boolean catchUp) {
        return loop.exclusive(() -> passNow(maxAge, catchUp));
    }

    private int passNow(Duration maxAge, boolean catchUp) {
        long horizon = events.lastPosition();
        int batchSize = settings.batchSize();
        Set<DeliveryKey> attempted = new HashSet<>();
        Map<UUID, Object> eventCache = new HashMap<>();
        int delivered = 0;
        int failed = 0;
        int busy = 0;
        while (!loop.stopping()) {
            // failed or busy deliveries stay due: ask for that many more so the page still holds new work
            List<Delivery> due = ledger.claim(settings.nodeId(), clock.instant(), maxAge, horizon, catchUp,
                    batchSize + failed + busy);
            List<DeliveryKey> done = new ArrayList<>();
            List<DeliveryKey> claimed = new ArrayList<>();
            int fresh = 0;
            try {
                for (Delivery d : due) {
                    if (loop.stopping() || !attempted.add(d.key())) continue;
                    fresh++;
                    if (!runtime.claim(d.key())) {
                        busy++;
                        continue;
                    }
                    DispatchRuntime.Outcome outcome = null;
                    try {
                        outcome = runtime.runPending(d, eventCache, DispatchRuntime.Source.DAEMON);
                    } finally {
                        if (outcome == null) runtime.release(d.key());
                    }
                    if (outcome == DispatchRuntime.Outcome.DONE) {
                        done.add(d.key());
                        claimed.add(d.key()); // released after it is marked done
                        delivered++;
                    } else {
                        failed++; // a failure released its claim already
                    }
                }
                ledger.markDone(done);
            } finally {
                runtime.release(claimed);
            }
            if (fresh == 0) break;
            if (eventCache.size() > 10_000) eventCache.clear();
        }
        int attemptedCount = delivered + failed;
        lastPass = clock.instant();
        runtime.telemetry().daemonPass("events", attemptedCount, failed);
        var log = DispatchRuntime.DAEMON_LOG;
        var level = attemptedCount > 0 || catchUp ? log.atInfo() : log.atDebug();
        level.addKeyValue("point", "daemon.events.pass").addKeyValue("catchUp", catchUp)
                .addKeyValue("delivered", delivered).addKeyValue("failed", failed)
                .log(catchUp ? "catch-up pass finished" : "event daemon pass finished");
        return attemptedCount;
    }
}
