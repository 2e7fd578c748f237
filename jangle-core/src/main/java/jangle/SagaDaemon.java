package jangle;

import jangle.spi.SagaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The saga daemon (SG9): one thread, {@code jangle-saga-daemon}, that at start and then every
 * {@code sagaRetryInterval} evaluates, with no event, every saga whose {@code wakeAt} has passed, {@code batchSize}
 * at a time. Passes never overlap, fix "now" when they begin and evaluate each saga at most once, so a saga that is
 * due again at once cannot loop within a pass. A failing saga is logged and the pass goes on.
 *
 * <p>Sagas are taken with {@link SagaStore#claimDue} for one {@code sagaRetryInterval}: when several nodes share the
 * saga store, each due saga is evaluated by one of them at a time, and a crashed node's claims run out by the next
 * interval. (Routed events still reach a saga from whichever node dispatches them; its optimistic commit (SG4) and
 * the redelivery check (SG2) make concurrent evaluations safe.)
 */
final class SagaDaemon {
    static final Logger LOG = LoggerFactory.getLogger("jangle.daemon.sagas");

    private final SagaEngine engine;
    private final SagaStore store;
    private final Settings settings;
    private final Clock clock;
    private final ReentrantLock passLock = new ReentrantLock();
    private volatile boolean stopping;
    private ScheduledExecutorService scheduler;
    private volatile java.time.Instant lastPass;

    SagaDaemon(SagaEngine engine, SagaStore store, Settings settings, Clock clock) {
        this.engine = engine;
        this.store = store;
        this.settings = settings;
        this.clock = clock;
    }

    /** Runs one pass on the caller's thread (SG9: at start), then schedules the periodic passes. */
    void start() {
        safePass();
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jangle-saga-daemon");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, settings.sagaRetryInterval().toMillis());
        scheduler.scheduleWithFixedDelay(this::safePass, period, period, TimeUnit.MILLISECONDS);
    }

    /** For health: started, not stopped, and its scheduler still accepts passes. */
    boolean running() {
        ScheduledExecutorService s = scheduler;
        return s != null && !stopping && !s.isShutdown();
    }

    /** When the last pass ended (application clock); null before the first. */
    java.time.Instant lastPass() {
        return lastPass;
    }

    void stop() {
        stopping = true;
        if (scheduler == null) return;
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.atInfo().addKeyValue("point", "daemon.sagas.stopped").log("saga daemon stopped");
    }

    private void safePass() {
        try {
            pass();
        } catch (RuntimeException e) {
            LOG.atError().addKeyValue("point", "daemon.sagas.pass-failed").setCause(e)
                    .log("saga daemon pass failed; the next one runs as scheduled");
        }
    }

    /** One pass; returns the number of sagas evaluated. A store failure reading due sagas propagates. */
    int pass() {
        passLock.lock();
        try {
            Instant now = clock.instant();
            Set<String> seen = new HashSet<>();
            int evaluated = 0;
            int failed = 0;
            while (!stopping) {
                List<String> due = store.claimDue(now, settings.sagaRetryInterval(), settings.batchSize() + seen.size());
                int fresh = 0;
                for (String id : due) {
                    if (stopping || !seen.add(id)) continue;
                    fresh++;
                    try {
                        if (engine.retry(id)) evaluated++;
                    } catch (RuntimeException e) {
                        failed++;
                        LOG.atError().addKeyValue("point", "daemon.sagas.pass-failed").addKeyValue("sagaId", id)
                                .setCause(e).log("evaluating a due saga failed; it stays due");
                    }
                }
                if (fresh == 0) break;
            }
            lastPass = clock.instant();
            engine.telemetry().daemonPass("sagas", evaluated, failed);
            var level = evaluated > 0 || failed > 0 ? LOG.atInfo() : LOG.atDebug();
            level.addKeyValue("point", "daemon.sagas.pass").addKeyValue("evaluated", evaluated)
                    .addKeyValue("failed", failed).log("saga daemon pass finished");
            return evaluated;
        } finally {
            passLock.unlock();
        }
    }
}
