package jangle;

import jangle.spi.SagaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
    private volatile java.time.Instant lastPass;
    private final DaemonLoop loop = new DaemonLoop("jangle-saga-daemon", "sagas", "saga daemon", LOG);

    SagaDaemon(SagaEngine engine, SagaStore store, Settings settings, Clock clock) {
        this.engine = engine;
        this.store = store;
        this.settings = settings;
        this.clock = clock;
    }

    /** Runs one pass on the caller's thread (SG9: at start), then schedules the periodic passes. */
    void start() {
        loop.start(this::pass, this::pass, settings.sagaRetryInterval());
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

    /** One pass; returns the number of sagas evaluated. A store failure reading due sagas propagates. */
    int pass() {
        return loop.exclusive(this::passNow);
    }

    private int passNow() {
        Instant now = clock.instant();
        Set<String> seen = new HashSet<>();
        int evaluated = 0;
        int failed = 0;
        while (!loop.stopping()) {
            List<String> due = store.claimDue(now, settings.sagaRetryInterval(), settings.batchSize() + seen.size());
            int fresh = 0;
            for (String id : due) {
                if (loop.stopping() || !seen.add(id)) continue;
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
    }
}
