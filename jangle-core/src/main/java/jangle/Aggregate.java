package jangle;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Base class of aggregates (§3). An aggregate's fields are the minimum state needed to decide its commands. Its
 * behaviour is {@link ValidateCommand} methods, which read state and {@link #post(Event) post} events, and
 * {@link ReconstituteState} methods, which apply events to the fields. State changes only through events (A7).
 *
 * <p>Instances are created by the factory given to {@code JangleBuilder.aggregate(type, factory)} (A12) and are used by
 * one command at a time; they are not thread-safe and need not be.
 */
public abstract class Aggregate {
    private final String id;
    private long version;
    private Clock clock = Clock.systemUTC();
    private long nextOwnVersion;
    private final List<Posted> posted = new ArrayList<>(2);

    /** One event buffered by {@link #post}: for this aggregate when {@code aggregateId} equals {@link #id()}. */
    record Posted(String aggregateId, Event event) {
    }

    protected Aggregate(String id) {
        this.id = Objects.requireNonNull(id, "aggregate id");
    }

    /** The aggregate id given to the factory. */
    public final String id() {
        return id;
    }

    /** The version of the last event applied (0 for a new aggregate). */
    public final long version() {
        return version;
    }

    /**
     * The application's injected clock (A11). Validators read time only from here, never from the wall clock, so a
     * revalidation after a conflict and a test fixture decide on controlled time.
     */
    protected final Clock clock() {
        return clock;
    }

    /** Buffers an event for this aggregate's own stream; it gets the next own version in posting order (A6). */
    protected final void post(Event event) {
        posted.add(new Posted(id, Objects.requireNonNull(event, "event")));
    }

    /**
     * Buffers an event for another aggregate's stream, starting that stream: such events get versions 1, 2, … per id
     * in posting order. If the stream already exists the append conflicts (A6, C1).
     */
    protected final void post(String otherAggregateId, Event event) {
        Objects.requireNonNull(otherAggregateId, "otherAggregateId");
        posted.add(new Posted(otherAggregateId, Objects.requireNonNull(event, "event")));
    }

    // ---- framework access (package-private: only the command handler in this package uses these) ----

    final void frameworkSetVersion(long newVersion) {
        this.version = newVersion;
    }

    final void frameworkSetClock(Clock newClock) {
        this.clock = newClock;
    }

    final List<Posted> frameworkPosted() {
        return posted;
    }

    final void frameworkClearPosted() {
        posted.clear();
    }

    final long frameworkNextOwnVersion() {
        return nextOwnVersion;
    }

    final void frameworkSetNextOwnVersion(long v) {
        this.nextOwnVersion = v;
    }
}
