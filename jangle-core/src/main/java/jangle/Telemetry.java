package jangle;

import java.util.List;
import java.util.Map;

/**
 * Hooks through which an application observes Jangle at work: commands, appends, handler invocations, saga steps,
 * the aggregate cache and snapshots. Given to {@link JangleBuilder#telemetry}; {@code jangle-observability} turns them
 * into Micrometer meters and OpenTelemetry spans, and the core itself depends on neither.
 *
 * <p><b>Contract.</b> Every hook is called on the thread doing the work. An {@link Activity} is closed on the thread
 * that opened it, in the reverse order of opening, so an implementation may make its span current in between (a
 * handler's commands then become its children). Hooks must be fast and must not throw; the core does not guard them.
 * {@link #NONE}, the default, returns shared no-op activities: the hot path then pays a few monomorphic calls that
 * the JIT removes, and nothing is allocated or timed.
 *
 * <p><b>Trace context in events.</b> {@link CommandActivity#propagation()} returns entries the command adds to the
 * metadata of every event it commits (W3C {@code traceparent}); handlers and saga steps get those events' metadata,
 * so work done later, after a restart, on another node or behind Kafka (metadata travels as headers) continues the
 * command's trace.
 */
public interface Telemetry {
    /** Observes nothing and costs nothing. */
    Telemetry NONE = new Telemetry() {
    };

    /** Called once, when the application is built, so gauges and health can read it. */
    default void attach(Jangle jangle) {
    }

    /**
     * A command enters the command loop (once, whatever the number of attempts). {@code metadata} is the caller's.
     * Its outcome is one of {@code accepted}, {@code rejected}, {@code exhausted}, {@code failed}.
     */
    default CommandActivity command(Command command, Class<?> aggregateType, Metadata metadata) {
        return CommandActivity.NONE;
    }

    /**
     * One commit of a durable event store held {@code appends} appends (group commit, G5: appends queued behind a
     * running one commit together; 1 when an append committed alone). Called by the store after the commit, on the
     * thread that ran it; only appends that committed are counted (not those refused by a version conflict).
     */
    default void appendsCommitted(int appends) {
    }

    /** One handler invocation for one event, on any path (live, daemon, operator retry, external transport). */
    default Activity handler(String handler, EventRecord<?> record) {
        return Activity.NONE;
    }

    /** One projection call for a batch of events (one read-model transaction). */
    default Activity handlerBatch(String handler, List<EventRecord<?>> records) {
        return Activity.NONE;
    }

    /**
     * A failed delivery was recorded; {@code dead} when it was parked as a dead letter (D11).
     */
    default void deliveryFailed(String handler, boolean dead) {
    }

    /**
     * One saga step: a receiver run for a routed event or by the daemon. {@code source} is the metadata of the event
     * that caused it (the routed event, or on a retry the saga's latest routed event), null when unknown.
     */
    default Activity sagaStep(String sagaType, String sagaId, String receiver, Metadata source) {
        return Activity.NONE;
    }

    /** An aggregate cache lookup by the command path. */
    default void aggregateCache(boolean hit) {
    }

    /** An aggregate rebuilt from its snapshot and events (a cache miss), taking {@code nanos}. */
    default void aggregateRebuilt(Class<?> aggregateType, long events, long nanos) {
    }

    /** A snapshot was written. */
    default void snapshotWritten(Class<?> aggregateType) {
    }

    /** A daemon pass ended ({@code daemon}: {@code events} or {@code sagas}). */
    default void daemonPass(String daemon, int attempted, int failed) {
    }

    /** Whether this telemetry wants {@link #aggregateRebuilt} timings (saves two clock reads per miss when not). */
    default boolean timesRebuilds() {
        return false;
    }

    /**
     * A part handed to the builder (today: an event store) that reports to the application's telemetry itself. The
     * builder calls {@link #observe} once when it builds; a part shared by several applications reports to the last.
     */
    interface Observed {
        void observe(Telemetry telemetry);
    }

    /** Work in progress. Closing it ends it; {@link #failed} before closing marks it failed. */
    interface Activity extends AutoCloseable {
        Activity NONE = new Activity() {
        };

        /** The work failed with {@code error}. */
        default void failed(Throwable error) {
        }

        /** How the work ended, when it ended without a throwable (for example {@code rejected}). */
        default void outcome(String outcome) {
        }

        @Override
        default void close() {
        }
    }

    /** A command's activity: also counts conflict retries and carries the trace context into its events. */
    interface CommandActivity extends Activity {
        CommandActivity NONE = new CommandActivity() {
        };

        /** Entries to add to the metadata of the events this command commits; empty when none. */
        default Map<String, String> propagation() {
            return Map.of();
        }

        /** An attempt lost a version conflict and is repeated on fresh state (H2). */
        default void conflict() {
        }

        /**
         * One atomic append of {@code events} events by this command. Asked of the command's activity rather than of
         * the telemetry, so an implementation knows without a thread-local lookup whether the command is traced.
         */
        default Activity append(String aggregateId, int events) {
            return Activity.NONE;
        }
    }
}
