package jangle;

import jangle.spi.NewEvent;

import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * Drives one aggregate class without stores: rebuilds instances from events and decides commands without
 * committing. Uses the same discovery and binding as the command handler (A4, A5), so a bad class fails here the way
 * it fails at {@code build()}. Used by the given-when-then fixture of {@code jangle-test} and by benchmarks.
 *
 * @param <A> the aggregate type
 */
public interface AggregateHarness<A extends Aggregate> {
    /** Binds {@code type}; throws {@link ConfigurationException} naming the class and method on a bad signature. */
    static <A extends Aggregate> AggregateHarness<A> of(Class<A> type, Function<String, A> factory, Clock clock) {
        return DefaultAggregateHarness.create(type, factory, clock);
    }

    /** A blank aggregate with the given events applied in order (versions taken from the records, A3). */
    A rehydrate(String aggregateId, List<EventRecord<?>> history);

    /** Applies one more event to an existing instance. */
    void apply(A aggregate, EventRecord<?> record);

    /**
     * Calls the validator for {@code command} on {@code aggregate}. Returns the response and the events it posted,
     * numbered as the command handler would number them (A6); nothing is committed and the aggregate is not changed.
     */
    Decision decide(A aggregate, Command command);

    /** The outcome of {@link #decide}: events are empty for a rejection (A9). */
    record Decision(CommandResponse response, List<NewEvent> events) {
    }
}
