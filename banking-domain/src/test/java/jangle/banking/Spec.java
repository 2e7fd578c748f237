package jangle.banking;

import jangle.Aggregate;
import jangle.AggregateHarness;
import jangle.Command;
import jangle.CommandResponse;
import jangle.Event;
import jangle.EventRecord;
import jangle.Metadata;
import jangle.Snapshottable;
import jangle.spi.NewEvent;
import jangle.test.AggregateFixture;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A small given-when-then for the banking aggregates (no stores): given events of one stream, when a command, then a
 * rejection with its exact reason, or acceptance with exactly these events. Each decision runs through
 * {@link AggregateFixture} (the shared fixture, with its field-by-field A7 mutation check) and, in addition, compares
 * the aggregate's full snapshot before and after deciding and with a fresh rebuild: a validator must change nothing.
 */
final class Spec<A extends Aggregate & Snapshottable<?>> {
    final TestClock clock = new TestClock();
    private final AggregateHarness<A> harness;
    private final Class<A> type;
    private final Function<String, A> factory;
    private final String id;
    private final List<EventRecord<?>> history = new ArrayList<>();

    private Spec(Class<A> type, Function<String, A> factory, String id) {
        this.harness = AggregateHarness.of(type, factory, clock);
        this.type = type;
        this.factory = factory;
        this.id = id;
    }

    static Spec<AccountAggregate> account(String id) {
        return new Spec<>(AccountAggregate.class, AccountAggregate::new, id);
    }

    static Spec<AccountCreationAggregate> creation() {
        return new Spec<>(AccountCreationAggregate.class, AccountCreationAggregate::new, AccountCreationAggregate.ID);
    }

    static BigDecimal m(String s) {
        return new BigDecimal(s);
    }

    Spec<A> given(Event... events) {
        for (Event e : events) {
            history.add(new EventRecord<>(UUID.randomUUID(), id, history.size() + 1, e.getClass().getSimpleName(), 1,
                    clock.instant(), history.size() + 1, Metadata.of(UUID.randomUUID()), e));
        }
        return this;
    }

    /** The usual start: an account that exists (and, with {@code balance} not zero, that much deposited). */
    Spec<A> givenAccount(String balance) {
        given(new AccountCreated(id, "Holder"));
        if (new BigDecimal(balance).signum() > 0) given(new FundsDeposited(id, m(balance), m(balance), "seed"));
        if (new BigDecimal(balance).signum() < 0) {
            given(new FundsWithdrawn(id, m(balance).negate(), m(balance), "seed"));
        }
        return this;
    }

    Spec<A> after(Duration d) {
        clock.advance(d);
        return this;
    }

    A aggregate() {
        return harness.rehydrate(id, history);
    }

    /** Decides {@code command} against the history; checks A7. */
    Outcome when(Command command) {
        AggregateFixture<A> fixture = AggregateFixture.of(type, factory).withClock(clock);
        if (!history.isEmpty()) fixture.given(id, history.stream().map(EventRecord::event).toArray(Event[]::new));
        AggregateFixture.Outcome<A> decided = fixture.when(command); // throws on an A7 violation
        A aggregate = harness.rehydrate(id, history);
        Object before = aggregate.snapshot();
        AggregateHarness.Decision d = harness.decide(aggregate, command);
        assertThat((Object) aggregate.snapshot()).as("A7: the validator must not change state").isEqualTo(before);
        assertThat(d.response().isAccepted()).isEqualTo(decided.response().isAccepted());
        assertThat(d.events()).extracting(NewEvent::event)
                .containsExactlyElementsOf(decided.posted().stream().map(NewEvent::event).toList());
        return new Outcome(decided.response(), decided.posted());
    }

    /** Decides {@code command} and, when accepted, appends its own-stream events to the history. */
    Outcome apply(Command command) {
        Outcome o = when(command);
        for (NewEvent e : o.posted()) {
            if (e.aggregateId().equals(id)) given(e.event());
        }
        return o;
    }

    record Outcome(CommandResponse response, List<NewEvent> posted) {
        List<Event> events() {
            return posted.stream().map(NewEvent::event).toList();
        }

        Outcome rejected(String reason) {
            assertThat(response.isAccepted()).as("rejected, but was accepted with %s", events()).isFalse();
            assertThat(response.rejectionReason()).isEqualTo(reason);
            assertThat(posted).isEmpty();
            return this;
        }

        /** Accepted with exactly these events (none: an accepted no-op). */
        Outcome accepted(Event... expected) {
            assertThat(response.isAccepted()).as("accepted, but was rejected: %s", response).isTrue();
            assertThat(events()).containsExactly(expected);
            return this;
        }

        Outcome noEvent() {
            return accepted();
        }

        <E extends Event> E only(Class<E> type) {
            assertThat(response.isAccepted()).as("accepted, but was rejected: %s", response).isTrue();
            assertThat(events()).hasSize(1);
            return type.cast(events().getFirst());
        }
    }

    Instant now() {
        return clock.instant();
    }
}
