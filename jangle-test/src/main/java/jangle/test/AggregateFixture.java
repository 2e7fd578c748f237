package jangle.test;

import jangle.Aggregate;
import jangle.AggregateHarness;
import jangle.Command;
import jangle.CommandResponse;
import jangle.Event;
import jangle.EventRecord;
import jangle.EventType;
import jangle.Metadata;
import jangle.Snapshottable;
import jangle.spi.NewEvent;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Given-when-then tests for one aggregate class, without stores (§17 CR5):
 *
 * {@snippet :
 * AggregateFixture.of(AccountAggregate.class, AccountAggregate::new).withClock(clock)
 *         .given("000001", new AccountCreated("000001", "Ana"), new FundsDeposited("000001", amount("50.00")))
 *         .when(new WithdrawFunds("000001", amount("80.00"), txId))
 *         .thenRejected("Insufficient funds");
 * }
 *
 * <p>It runs the aggregate through {@link AggregateHarness}, the same discovery, binding and event numbering the
 * command handler uses (A4–A6), so a test exercises the real validators and reconstitutors and a bad signature fails
 * here as it would at {@code build()}. Given events are wrapped in records of the command's aggregate, versions
 * 1, 2, …; the validator's posted events (own and for other streams, A6, C1) are compared with the expectation.
 *
 * <p><b>The A7 mutation check.</b> State changes only through events. After the validator runs, the fixture compares
 * the instance it ran on, field by field (declared fields of every class up to {@link Aggregate}, deep equality for
 * collections, maps, arrays and records), with an instance freshly rebuilt from the same given events. Any difference
 * fails {@link #when} with the field's name ("validator assigned field 'balance'"). Transient fields are not compared.
 *
 * <p><b>Serialization round trip (optional).</b> {@link #withRoundTrip} passes every command, given and posted event,
 * and the snapshot state of a {@link Snapshottable} aggregate through a write-then-read function and fails, naming
 * the message type, when what comes back is not {@code equals} to what went in or the function throws. With
 * jangle-json: {@code .withRoundTrip(new JsonCodec(types)::roundTrip)}.
 *
 * <p>Each {@link #when} starts from the given events alone, so one fixture can try several commands. Not thread-safe.
 *
 * @param <A> the aggregate type
 */
public final class AggregateFixture<A extends Aggregate> {
    private final Class<A> type;
    private final Function<String, A> factory;
    private Clock clock;
    private AggregateHarness<A> harness;
    private final Map<String, List<EventRecord<?>>> histories = new LinkedHashMap<>();
    private long position;
    private UnaryOperator<Object> roundTrip;

    private AggregateFixture(Class<A> type, Function<String, A> factory) {
        this.type = Objects.requireNonNull(type, "type");
        this.factory = Objects.requireNonNull(factory, "factory");
        withClock(new MutableClock());
    }

    /**
     * A fixture for {@code type}, created by {@code factory} (A12). Binds the class at once, so a bad method signature
     * fails here with the framework's {@link jangle.ConfigurationException}. The clock defaults to a
     * {@link MutableClock} at {@link MutableClock#DEFAULT_START}.
     */
    public static <A extends Aggregate> AggregateFixture<A> of(Class<A> type, Function<String, A> factory) {
        return new AggregateFixture<>(type, factory);
    }

    /** The clock the aggregate reads (A11) and given events are stamped with. */
    public AggregateFixture<A> withClock(Clock newClock) {
        this.clock = Objects.requireNonNull(newClock, "clock");
        this.harness = AggregateHarness.of(type, factory, newClock);
        return this;
    }

    /**
     * Round-trips every command, given event, posted event and snapshot state (of a {@link Snapshottable} aggregate,
     * before and after the command) through {@code writeThenRead} in {@link #when} and {@link Outcome#thenState}.
     * A value that comes back different, or a throw, fails with an {@link AssertionError} naming the kind and type
     * ("JSON round trip changed event Opened: …").
     *
     * <p>A plain function rather than a dependency on jangle-json: jangle-test stays free of Jackson and jangle-json
     * free of JUnit and AssertJ, and any codec a store uses can be checked the same way. jangle-json provides
     * {@code JsonCodec::roundTrip}, the path the stores take (J1, J4, J5).
     */
    public AggregateFixture<A> withRoundTrip(UnaryOperator<Object> writeThenRead) {
        this.roundTrip = Objects.requireNonNull(writeThenRead, "writeThenRead");
        return this;
    }

    /** Appends {@code events} to the history of {@code aggregateId}, taking its next versions. */
    public AggregateFixture<A> given(String aggregateId, Event... events) {
        Objects.requireNonNull(aggregateId, "aggregateId");
        List<EventRecord<?>> history = histories.computeIfAbsent(aggregateId, k -> new ArrayList<>());
        for (Event e : events) {
            Objects.requireNonNull(e, "event");
            EventType ann = e.getClass().getAnnotation(EventType.class);
            String name = ann == null || ann.name().isBlank() ? e.getClass().getSimpleName() : ann.name().strip();
            history.add(new EventRecord<>(UUID.randomUUID(), aggregateId, history.size() + 1L, name,
                    ann == null ? 1 : ann.schemaVersion(), clock.instant().truncatedTo(ChronoUnit.MICROS),
                    ++position, Metadata.of(UUID.randomUUID()), e));
        }
        return this;
    }

    /** Appends complete records (for envelope data such as createdAt or metadata); each must continue its stream. */
    public AggregateFixture<A> givenRecords(EventRecord<?>... records) {
        for (EventRecord<?> r : records) {
            List<EventRecord<?>> history = histories.computeIfAbsent(r.aggregateId(), k -> new ArrayList<>());
            if (r.version() != history.size() + 1L) {
                throw new IllegalArgumentException("record " + r.eventId() + " of '" + r.aggregateId() + "' has version "
                        + r.version() + " but the stream's next version is " + (history.size() + 1));
            }
            history.add(r);
            position = Math.max(position, r.position());
        }
        return this;
    }

    /** The aggregate rebuilt from the given events alone, for checks of reconstitution. */
    public A aggregate(String aggregateId) {
        return harness.rehydrate(aggregateId, histories.getOrDefault(aggregateId, List.of()));
    }

    /**
     * Decides {@code command} on the aggregate rebuilt from the given events of {@code command.aggregateId()}, without
     * committing, and runs the A7 mutation check.
     *
     * @throws AssertionError when the validator assigned a field (A7)
     */
    public Outcome<A> when(Command command) {
        Objects.requireNonNull(command, "command");
        String id = command.aggregateId();
        List<EventRecord<?>> history = List.copyOf(histories.getOrDefault(id, List.of()));
        if (history.isEmpty() && !histories.isEmpty()) {
            throw new IllegalStateException("given events are for " + histories.keySet() + " but "
                    + command.getClass().getSimpleName() + " goes to aggregate '" + id + "'");
        }
        checkRoundTrip("command", command);
        for (List<EventRecord<?>> given : histories.values()) {
            for (EventRecord<?> r : given) checkRoundTrip("given event", r.event());
        }
        A aggregate = harness.rehydrate(id, history);
        checkSnapshotRoundTrip(aggregate);
        AggregateHarness.Decision decision;
        try {
            decision = harness.decide(aggregate, command);
        } catch (RuntimeException e) {
            return new Outcome<>(this, command, history, null, e);
        }
        A fresh = harness.rehydrate(id, history);
        Optional<String> changed = FieldDiff.firstDifference(aggregate, fresh, Aggregate.class);
        if (changed.isPresent()) {
            throw new AssertionError("A7: the validator for " + command.getClass().getSimpleName() + " on "
                    + type.getSimpleName() + " assigned field '" + changed.get() + "'; state changes only through "
                    + "events: post an event and assign the field in its @ReconstituteState method");
        }
        for (NewEvent e : decision.events()) checkRoundTrip("posted event", e.event());
        return new Outcome<>(this, command, history, decision, null);
    }

    private void checkSnapshotRoundTrip(A aggregate) {
        if (roundTrip != null && aggregate instanceof Snapshottable<?> s) {
            checkRoundTrip("snapshot state of " + type.getSimpleName(), s.snapshot());
        }
    }

    private void checkRoundTrip(String kind, Object value) {
        if (roundTrip == null || value == null) return;
        String name = value.getClass().getSimpleName();
        Object back;
        try {
            back = roundTrip.apply(value);
        } catch (RuntimeException e) {
            throw new AssertionError("JSON round trip of " + kind + " " + name + " failed: " + e.getMessage()
                    + " (value " + value + ")", e);
        }
        if (!value.equals(back)) {
            throw new AssertionError("JSON round trip changed " + kind + " " + name + ": wrote " + value
                    + " but read back " + back);
        }
    }

    /**
     * What {@link #when} decided: assertions return this outcome so they chain. Events are compared by payload
     * ({@code equals} of the event records), in posting order.
     *
     * @param <A> the aggregate type
     */
    public static final class Outcome<A extends Aggregate> {
        private final AggregateFixture<A> fixture;
        private final Command command;
        private final List<EventRecord<?>> history;
        private final AggregateHarness.Decision decision;
        private final RuntimeException failure;

        private Outcome(AggregateFixture<A> fixture, Command command, List<EventRecord<?>> history,
                        AggregateHarness.Decision decision, RuntimeException failure) {
            this.fixture = fixture;
            this.command = command;
            this.history = history;
            this.decision = decision;
            this.failure = failure;
        }

        private AggregateHarness.Decision decided() {
            if (failure != null) {
                throw new AssertionError(command.getClass().getSimpleName() + " was not decided: the aggregate threw "
                        + failure, failure);
            }
            return decision;
        }

        /** The validator's response (token is null: nothing was committed). */
        public CommandResponse response() {
            return decided().response();
        }

        /** The posted events with their aggregate ids and versions as the command handler would append them (A6). */
        public List<NewEvent> posted() {
            return decided().events();
        }

        /** The command was accepted (an accepted no-op included). */
        public Outcome<A> thenAccepted() {
            if (response() instanceof CommandResponse.Rejected r) {
                throw new AssertionError("expected " + command.getClass().getSimpleName()
                        + " to be accepted, but it was rejected: \"" + r.reason() + "\"");
            }
            return this;
        }

        /** The command was rejected with exactly {@code reason}, and nothing is committed (A9). */
        public Outcome<A> thenRejected(String reason) {
            if (!(response() instanceof CommandResponse.Rejected r)) {
                throw new AssertionError("expected " + command.getClass().getSimpleName() + " to be rejected with \""
                        + reason + "\", but it was accepted" + describePosted());
            }
            assertThat(r.reason()).as("rejection reason of %s", command.getClass().getSimpleName()).isEqualTo(reason);
            assertThat(posted()).as("a rejected command commits nothing (A9)").isEmpty();
            return this;
        }

        /** The command was rejected with a reason containing {@code part}. */
        public Outcome<A> thenRejectedContaining(String part) {
            if (!(response() instanceof CommandResponse.Rejected r)) {
                throw new AssertionError("expected " + command.getClass().getSimpleName()
                        + " to be rejected, but it was accepted" + describePosted());
            }
            assertThat(r.reason()).as("rejection reason of %s", command.getClass().getSimpleName()).contains(part);
            return this;
        }

        /** Exactly these events were posted (all streams), in posting order; implies accepted. */
        public Outcome<A> thenEvents(Event... expected) {
            thenAccepted();
            assertThat(payloads(posted())).as("events posted by %s", command.getClass().getSimpleName())
                    .containsExactly(expected);
            return this;
        }

        /**
         * Exactly these events were posted to {@code aggregateId}, with versions {@code firstVersion},
         * {@code firstVersion + 1}, … (for example a creation aggregate's events for the new id start at 1, C1).
         */
        public Outcome<A> thenStream(String aggregateId, long firstVersion, Event... expected) {
            thenAccepted();
            List<NewEvent> stream = posted().stream().filter(e -> e.aggregateId().equals(aggregateId)).toList();
            assertThat(payloads(stream)).as("events posted to '%s'", aggregateId).containsExactly(expected);
            for (int i = 0; i < stream.size(); i++) {
                assertThat(stream.get(i).version()).as("version of event %d posted to '%s'", i, aggregateId)
                        .isEqualTo(firstVersion + i);
            }
            return this;
        }

        /** Nothing was posted (accepted no-op, or a rejection). */
        public Outcome<A> thenNoEvents() {
            assertThat(payloads(posted())).as("events posted by %s", command.getClass().getSimpleName()).isEmpty();
            return this;
        }

        /** The response's data equals {@code expected} (for example the new account id). */
        public Outcome<A> thenData(Object expected) {
            thenAccepted();
            assertThat(((CommandResponse.Accepted) response()).data()).as("response data of %s", command.getClass().getSimpleName())
                    .isEqualTo(expected);
            return this;
        }

        /**
         * The aggregate after the given events and its own posted events are applied, for state assertions. Shows
         * that the reconstitutors apply what the validator posted.
         */
        public Outcome<A> thenState(Consumer<? super A> assertions) {
            thenAccepted();
            A aggregate = fixture.harness.rehydrate(command.aggregateId(), history);
            long position = fixture.position;
            for (NewEvent e : posted()) {
                if (!e.aggregateId().equals(command.aggregateId())) continue;
                fixture.harness.apply(aggregate, new EventRecord<>(e.eventId(), e.aggregateId(), e.version(), e.type(),
                        e.schemaVersion(), e.createdAt(), ++position, e.metadata(), e.event()));
            }
            fixture.checkSnapshotRoundTrip(aggregate);
            assertions.accept(aggregate);
            return this;
        }

        /**
         * The validator threw (A10): the exception, or its cause, is a {@code type}. Returns the exception for
         * further checks.
         */
        public RuntimeException thenFails(Class<? extends Throwable> type) {
            if (failure == null) {
                throw new AssertionError("expected " + command.getClass().getSimpleName() + " to fail with "
                        + type.getSimpleName() + ", but it was " + switch (decision.response()) {
                            case CommandResponse.Accepted a -> "accepted";
                            case CommandResponse.Rejected r -> "rejected: \"" + r.reason() + "\"";
                        });
            }
            if (!type.isInstance(failure) && !type.isInstance(failure.getCause())) {
                throw new AssertionError("expected a " + type.getName() + " but got " + failure, failure);
            }
            return failure;
        }

        private String describePosted() {
            List<Event> events = payloads(decision.events());
            return events.isEmpty() ? " without events" : " with events " + events;
        }

        private static List<Event> payloads(List<NewEvent> events) {
            return events.stream().map(NewEvent::event).toList();
        }

        @Override
        public String toString() {
            return "Outcome[" + command + " -> " + (failure != null ? failure : decision.response()
                    + " " + Arrays.toString(payloads(decision.events()).toArray())) + "]";
        }
    }
}
