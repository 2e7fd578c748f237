package jangle;

import jangle.spi.Delivery;
import jangle.spi.SagaState;

import java.util.List;
import java.util.UUID;

/**
 * Operator and engine verbs of one application, reached by {@link Jangle#operations()}: actions on stuck work (D12,
 * SG8), saga listing, replay (R1–R3), command counts, backlog and health, explicit daemon passes (for fixtures and
 * tools) and the door for relayed events. Thread-safe.
 */
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

    /**
     * Every stored processor segment (D17): checkpoint, holder, lag in events and in time. Read from the store, so it
     * covers every node sharing it.
     */
    List<ProcessorStatus> processors();

    /**
     * Moves every segment of {@code processor} to {@code position} so it handles the feed again from there (D12); its
     * parked deliveries above the position are dropped, as they are handled again. Returns the segments changed.
     * Throws {@link IllegalArgumentException} for an unknown processor or a position outside the feed.
     */
    int resetProcessor(String processor, long position);

    /** The names of the registered handlers (projections, reactors, sagas), sorted: what {@code handler} may be. */
    List<String> handlers();

    /** Runs one event daemon pass now with the configured max age; returns deliveries attempted. */
    int runEventDaemonPass();

    /** Runs one pass over every pending delivery regardless of age (the start-up catch-up, D10). */
    int runCatchUpPass();

    /**
     * Runs every processor from its checkpoint to the head of the feed on the caller's thread and returns the handler
     * calls made: for fixtures and tools that drive an application whose dispatch is not started (it throws
     * {@link IllegalStateException} once {@code start()} ran). Handler failures are parked as usual (D3).
     */
    int runProcessorsPass();

    /** Runs one saga daemon pass now; returns sagas evaluated. */
    int runSagaDaemonPass();

    /** Rebuilds projections from the global feed (R1–R3) as {@code options} say; reactors and sagas never replay. */
    ReplayResult replay(ReplayOptions options);

    /** Commands handled by this application since it was built, by outcome (H6). */
    CommandCounts commandCounts();

    /** Unfinished work read from the stores (one ledger query and one saga query): for gauges and health. */
    Backlog backlog();

    /** A health report under {@code policy} (see {@link Health}); never throws: a store failure is a down check. */
    Health health(Health.Policy policy);

    /**
     * The door for committed events relayed from another process (a Kafka consumer): runs them through this
     * application's handlers without ledger rows. See {@link ExternalDelivery}.
     */
    ExternalDelivery externalDelivery();
}
