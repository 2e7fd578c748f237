package jangle;

import jangle.spi.Delivery;
import jangle.spi.DeliveryKey;
import jangle.spi.DeliveryStatus;
import jangle.spi.DispatchLedger;
import jangle.spi.SagaState;
import jangle.spi.SagaStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The dispatcher's part of {@link Operations}: operator actions (D12) and explicit daemon passes. A retry puts dead letters back to pending (attempts reset) and
 * delivers them at once on the caller's thread; a skip marks one done without running it, logged at WARN with the
 * operator's reason.
 */
final class DispatchOperations {
    private final DispatchRuntime runtime;
    private final DispatchLedger ledger;
    private final SagaStore sagaStore;
    private final EventDaemon eventDaemon;
    private final SagaDaemon sagaDaemon;
    private final Settings settings;

    DispatchOperations(DispatchRuntime runtime, DispatchLedger ledger, SagaStore sagaStore, EventDaemon eventDaemon,
                       SagaDaemon sagaDaemon, Settings settings) {
        this.runtime = runtime;
        this.ledger = ledger;
        this.sagaStore = sagaStore;
        this.eventDaemon = eventDaemon;
        this.sagaDaemon = sagaDaemon;
        this.settings = settings;
    }

    List<String> handlers() {
        return runtime.handlers();
    }

    List<Delivery> pending(String handler, int limit) {
        return ledger.list(DeliveryStatus.PENDING, handler, limit);
    }

    List<Delivery> deadLetters(String handler, int limit) {
        return ledger.list(DeliveryStatus.DEAD, handler, limit);
    }

    int retry(UUID eventId, String handler) {
        Objects.requireNonNull(eventId, "eventId");
        List<Delivery> dead = new ArrayList<>();
        for (Delivery d : ledger.list(DeliveryStatus.DEAD, handler, Integer.MAX_VALUE)) {
            if (d.eventId().equals(eventId)) dead.add(d);
        }
        List<Delivery> held = claimAll(dead); // before the reset makes them due: the daemon must not run them too
        int reset;
        try {
            reset = ledger.retry(eventId, handler);
        } catch (RuntimeException e) {
            for (Delivery d : held) runtime.release(d.key());
            throw e;
        }
        logRetry(reset, eventId, handler);
        deliverNow(held);
        return reset;
    }

    int retryAll(String handler) {
        List<Delivery> held = claimAll(ledger.list(DeliveryStatus.DEAD, handler, Integer.MAX_VALUE));
        int reset;
        try {
            reset = ledger.retryAll(handler);
        } catch (RuntimeException e) {
            for (Delivery d : held) runtime.release(d.key());
            throw e;
        }
        logRetry(reset, null, handler);
        deliverNow(held);
        return reset;
    }

    /** Claims the deliveries this node can run now; one still busy elsewhere is left to the daemon once it is due. */
    private List<Delivery> claimAll(List<Delivery> deliveries) {
        List<Delivery> held = new ArrayList<>(deliveries.size());
        for (Delivery d : deliveries) if (claimSoon(d.key())) held.add(d);
        return held;
    }

    private static void logRetry(int reset, UUID eventId, String handler) {
        DispatchRuntime.LOG.atWarn().addKeyValue("point", "dispatch.operator-retry").addKeyValue("eventId", eventId)
                .addKeyValue("handler", handler).addKeyValue("reset", reset).log("operator retried dead letters");
    }

    /**
     * Runs reset deliveries now, as the attempts-reset pending deliveries they have become; the caller holds their
     * claims, which are released here.
     */
    private void deliverNow(List<Delivery> dead) {
        Map<UUID, Object> cache = new HashMap<>();
        List<DeliveryKey> done = new ArrayList<>();
        List<DeliveryKey> claimed = new ArrayList<>();
        try {
            for (Delivery d : dead) {
                Delivery reset = new Delivery(d.eventId(), d.handler(), d.eventType(), d.aggregateId(), d.version(),
                        d.position(), DeliveryStatus.PENDING, 0, d.committedAt(), d.firstFailureAt(),
                        d.lastAttemptAt(), d.lastError(), d.correlationId());
                DispatchRuntime.Outcome outcome = null;
                try {
                    outcome = runtime.runPending(reset, cache, DispatchRuntime.Source.OPERATOR);
                } finally {
                    if (outcome == DispatchRuntime.Outcome.DONE) {
                        done.add(d.key());
                        claimed.add(d.key());
                    } else if (outcome == null) {
                        runtime.release(d.key());
                    }
                }
            }
            ledger.markDone(done);
        } finally {
            runtime.release(claimed);
        }
    }

    /** Claims a delivery, waiting up to a second for a path that is just finishing with it. */
    private boolean claimSoon(DeliveryKey key) {
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (!runtime.claim(key)) {
            if (System.nanoTime() > deadline) return false;
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    boolean skip(UUID eventId, String handler, String reason) {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(handler, "handler");
        boolean skipped = ledger.skip(new DeliveryKey(eventId, handler), reason);
        DispatchRuntime.LOG.atWarn().addKeyValue("point", "dispatch.operator-skip").addKeyValue("eventId", eventId)
                .addKeyValue("handler", handler).addKeyValue("reason", reason).addKeyValue("skipped", skipped)
                .log("operator skipped a delivery");
        return skipped;
    }

    List<SagaState> sagas(boolean includeFinished, int limit) {
        return sagaStore.list(includeFinished, limit);
    }

    int runEventDaemonPass() {
        return eventDaemon.pass(settings.failedEventsMaxAge(), false);
    }

    int runCatchUpPass() {
        return eventDaemon.pass(settings.failedEventsMaxAge(), true);
    }

    int runSagaDaemonPass() {
        return sagaDaemon.pass();
    }
}
