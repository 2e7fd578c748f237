package jangle;

import jangle.spi.Delivery;
import jangle.spi.SagaState;

import java.util.List;
import java.util.UUID;

/** Operator actions on stuck work (D12, SG8) and explicit daemon passes (for fixtures and tools). */
public interface Operations {
    /** Pending deliveries, oldest position first; {@code handler} null means all. */
    List<Delivery> pending(String handler, int limit);

    /** Dead letters, oldest position first; {@code handler} null means all. */
    List<Delivery> deadLetters(String handler, int limit);

    /** Puts the event's dead deliveries (of one handler, or all when null) back to pending and delivers them now.
     * Returns how many were reset. */
    int retry(UUID eventId, String handler);

    /** Retries every dead letter (of one handler when not null). */
    int retryAll(String handler);

    /** Marks a delivery done without running it, logged at WARN with the reason. False when there was none. */
    boolean skip(UUID eventId, String handler, String reason);

    List<SagaState> sagas(boolean includeFinished, int limit);

    /** The names of the registered handlers (projections, reactors, sagas), sorted: what {@code handler} may be. */
    List<String> handlers();

    /** Runs one event daemon pass now with the configured max age; returns deliveries attempted. */
    int runEventDaemonPass();

    /** Runs one pass over every pending delivery regardless of age (the start-up catch-up, D10). */
    int runCatchUpPass();

    /** Runs one saga daemon pass now; returns sagas evaluated. */
    int runSagaDaemonPass();
}
