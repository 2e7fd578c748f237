package jangle.test;

import jangle.Command;
import jangle.CommandResponse;
import jangle.Event;
import jangle.EventRecord;
import jangle.Jangle;
import jangle.JangleBuilder;
import jangle.Metadata;
import jangle.Saga;
import jangle.SagaRoutes;
import jangle.TypeRegistry;
import jangle.memory.InMemoryStores;
import jangle.spi.Delivery;
import jangle.spi.DeliveryKey;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A saga test bench (§9, §17 CR5, SG10): a real {@link Jangle} built by the caller's configuration, on fresh in-memory
 * stores, with a {@link MutableClock}, and with dispatch <b>not started</b>, so the test decides when anything runs.
 *
 * {@snippet :
 * try (SagaFixture f = SagaFixture.forSaga(TransferSaga.class, TransferSaga::new,
 *         routes -> routes.on(TransferRequested.class, TransferRequested::transactionId),
 *         b -> b.events(BankEvent.class).commands(BankCommand.class).aggregate(AccountAggregate.class, AccountAggregate::new))) {
 *     f.givenEvent("000001", new TransferRequested(...));   // appended, then delivered to the saga
 *     f.advance(Duration.ofMinutes(31));
 *     f.runSagaDaemon();                                     // retries and time-outs
 *     f.assertSaga(txId).isTimedOut().hasSeen(TransferRequested.class);
 * }
 * }
 *
 * <p>How work runs: {@link #givenEvent} appends an event straight to the event store with pending deliveries for the
 * fixture's handler names (the saga's reactor {@code saga:<SimpleName>} for {@link #forSaga}, plus any
 * {@link #deliverGivenEventsTo named} handlers), then {@link #settle settles}: catch-up passes run until no pending
 * delivery is left or a pass changes nothing, so commands sent by the saga, the events they commit, and the handlers
 * of those events all run before the method returns. A handler that keeps failing is attempted once per settle, not
 * burned through to a dead letter. {@link #givenCommand} sends a command through the real command loop instead.
 *
 * <p>Commands are observed through what they commit: {@link #eventsCommitted()} lists every event committed since
 * construction except those the fixture itself appended or a given command committed (the public API has no command
 * interceptor). A rejected saga command commits nothing; it shows as the saga's failure event in its history.
 *
 * <p>Not thread-safe (the test drives it from one thread); {@link #close} closes the application.
 */
public final class SagaFixture implements AutoCloseable {
    private static final int MAX_SETTLE_PASSES = 1_000;

    private final MutableClock clock;
    private final Jangle jangle;
    private final Set<String> givenHandlers = new LinkedHashSet<>();
    private final Set<UUID> givenIds = new HashSet<>();

    private SagaFixture(MutableClock clock, Consumer<JangleBuilder> configure) {
        this.clock = Objects.requireNonNull(clock, "clock");
        JangleBuilder builder = Jangle.builder();
        configure.accept(builder);
        this.jangle = builder.clock(clock).stores(new InMemoryStores()).build();
    }

    /**
     * A fixture for an application configured by {@code configure}; given events go to the handlers named with
     * {@link #deliverGivenEventsTo}. The clock starts at {@link MutableClock#DEFAULT_START}.
     */
    public static SagaFixture of(Consumer<JangleBuilder> configure) {
        return new SagaFixture(new MutableClock(), configure);
    }

    /** As {@link #of(Consumer)} with the test's own clock. */
    public static SagaFixture of(MutableClock clock, Consumer<JangleBuilder> configure) {
        return new SagaFixture(clock, configure);
    }

    /**
     * A fixture that registers the saga under test with its routes, after {@code configure} has registered the
     * events, commands and aggregates it needs; given events are delivered to the saga's reactor.
     */
    public static <S extends Saga> SagaFixture forSaga(Class<S> type, Function<String, S> factory,
                                                       Consumer<SagaRoutes> routes, Consumer<JangleBuilder> configure) {
        return forSaga(new MutableClock(), type, factory, routes, configure);
    }

    /** As {@link #forSaga(Class, Function, Consumer, Consumer)} with the test's own clock. */
    public static <S extends Saga> SagaFixture forSaga(MutableClock clock, Class<S> type, Function<String, S> factory,
                                                       Consumer<SagaRoutes> routes, Consumer<JangleBuilder> configure) {
        SagaFixture f = new SagaFixture(clock, b -> {
            configure.accept(b);
            b.saga(type, factory, routes);
        });
        return f.deliverGivenEventsTo(sagaHandlerName(type));
    }

    /** The reactor name Jangle installs for a saga type (§9): {@code saga:} and the class's simple name. */
    public static String sagaHandlerName(Class<? extends Saga> type) {
        return "saga:" + type.getSimpleName();
    }

    /** Adds handler names (projections, reactors, sagas) that given events are delivered to. */
    public SagaFixture deliverGivenEventsTo(String... handlerNames) {
        givenHandlers.addAll(Arrays.asList(handlerNames));
        return this;
    }

    // ======================= given =======================

    /** Appends {@code event} to {@code aggregateId}'s stream (next version) with a fresh correlation id, then settles. */
    public SagaFixture givenEvent(String aggregateId, Event event) {
        return givenEvent(aggregateId, event, Metadata.of(UUID.randomUUID()));
    }

    /** As {@link #givenEvent(String, Event)} with the given metadata. */
    public SagaFixture givenEvent(String aggregateId, Event event, Metadata metadata) {
        Objects.requireNonNull(event, "event");
        TypeRegistry.EventTypeInfo info = jangle.types().byType(event.getClass());
        EventStore events = jangle.stores().events();
        NewEvent e = new NewEvent(UUID.randomUUID(), aggregateId, events.lastVersion(aggregateId) + 1, info.name(),
                info.schemaVersion(), clock.instant().truncatedTo(ChronoUnit.MICROS), metadata, event,
                List.copyOf(givenHandlers));
        events.append(List.of(e));
        givenIds.add(e.eventId());
        settle();
        checkHandlersKnown(e.eventId());
        return this;
    }

    /** Sends {@code command} through the real command loop; what it commits counts as given. Then settles. */
    public CommandResponse givenCommand(Command command) {
        EventStore events = jangle.stores().events();
        long before = events.lastPosition();
        CommandResponse response = jangle.send(command);
        for (EventRecord<?> r : events.readFeed(before, Integer.MAX_VALUE)) givenIds.add(r.eventId());
        settle();
        return response;
    }

    // ======================= time and daemons =======================

    /** Moves the clock; nothing runs until a daemon pass is asked for. Returns the new instant. */
    public Instant advance(Duration amount) {
        return clock.advance(amount);
    }

    /** One saga daemon pass (SG9: due retries and time-outs), then settles what it caused. Returns sagas evaluated. */
    public int runSagaDaemon() {
        int evaluated = jangle.operations().runSagaDaemonPass();
        settle();
        return evaluated;
    }

    /** One event daemon pass with the configured max age (D9). Returns deliveries attempted. */
    public int runEventDaemon() {
        return jangle.operations().runEventDaemonPass();
    }

    /**
     * Runs catch-up passes (D10) until no delivery is pending or a pass changes nothing (only failing handlers left).
     * Returns deliveries attempted.
     */
    public int settle() {
        int attempted = 0;
        for (int i = 0; i < MAX_SETTLE_PASSES; i++) {
            Set<DeliveryKey> before = pendingKeys();
            if (before.isEmpty()) return attempted;
            int n = jangle.operations().runCatchUpPass();
            attempted += n;
            if (n == 0 || pendingKeys().equals(before)) return attempted;
        }
        throw new AssertionError("work did not settle after " + MAX_SETTLE_PASSES + " catch-up passes: handlers keep "
                + "causing new work (a command loop?)");
    }

    private Set<DeliveryKey> pendingKeys() {
        Set<DeliveryKey> keys = new HashSet<>();
        for (Delivery d : jangle.operations().pending(null, Integer.MAX_VALUE)) keys.add(d.key());
        return keys;
    }

    /** D13: a delivery for a handler name the application does not know is a test mistake; say so plainly. */
    private void checkHandlersKnown(UUID eventId) {
        List<Delivery> stuck = new ArrayList<>(jangle.operations().pending(null, Integer.MAX_VALUE));
        stuck.addAll(jangle.operations().deadLetters(null, Integer.MAX_VALUE));
        for (Delivery d : stuck) {
            if (d.eventId().equals(eventId) && d.lastError() != null
                    && d.lastError().startsWith("handler not registered")) {
                throw new AssertionError("given event " + d.eventType() + " was delivered to handler '" + d.handler()
                        + "', which the application does not register for it (" + d.lastError() + "); check "
                        + "deliverGivenEventsTo(...) and the saga's routes");
            }
        }
    }

    // ======================= then =======================

    /** The saga as stored, if it exists. */
    public Optional<SagaState> findSaga(String sagaId) {
        return jangle.stores().sagas().get(sagaId);
    }

    /** The saga as stored (SG7); fails when there is none. */
    public SagaState sagaState(String sagaId) {
        return findSaga(sagaId).orElseThrow(() -> new AssertionError("no saga '" + sagaId + "' was created"));
    }

    /** Assertions on one stored saga. */
    public SagaAssert assertSaga(String sagaId) {
        return new SagaAssert(sagaState(sagaId), jangle.types());
    }

    /**
     * Every event committed since the fixture was built, in feed order, except those it appended itself and those
     * committed by {@link #givenCommand}: the effects of commands sent by sagas and handlers.
     */
    public List<EventRecord<?>> eventsCommitted() {
        List<EventRecord<?>> out = new ArrayList<>();
        EventStore events = jangle.stores().events();
        long after = 0;
        while (true) {
            List<EventRecord<?>> page = events.readFeed(after, 500);
            if (page.isEmpty()) return out;
            for (EventRecord<?> r : page) if (!givenIds.contains(r.eventId())) out.add(r);
            after = page.get(page.size() - 1).position();
        }
    }

    /** The payloads of {@link #eventsCommitted()} of one type, in order. */
    public <E extends Event> List<E> eventsCommitted(Class<E> type) {
        return eventsCommitted().stream().map(EventRecord::event).filter(type::isInstance).map(type::cast).toList();
    }

    /** Pending deliveries (failing handlers show their attempts and error). */
    public List<Delivery> pending() {
        return jangle.operations().pending(null, Integer.MAX_VALUE);
    }

    /** The application under test, for sending commands and queries directly. */
    public Jangle jangle() {
        return jangle;
    }

    public MutableClock clock() {
        return clock;
    }

    @Override
    public void close() {
        jangle.close();
    }

    /**
     * Assertions on a stored saga. "Seen" means an event of that type is in the saga's history, which is what its
     * flags are made of (for reconstitutors with {@code addToFlags}, the default).
     */
    public static final class SagaAssert {
        private final SagaState state;
        private final TypeRegistry types;

        private SagaAssert(SagaState state, TypeRegistry types) {
            this.state = state;
            this.types = types;
        }

        private List<String> history() {
            return state.events().stream().map(SagaEventEntry::type).toList();
        }

        @SafeVarargs
        public final SagaAssert hasSeen(Class<? extends Event>... eventTypes) {
            for (Class<? extends Event> t : eventTypes) {
                assertThat(history()).as("event types in the history of saga '%s'", state.sagaId())
                        .contains(types.byType(t).name());
            }
            return this;
        }

        @SafeVarargs
        public final SagaAssert hasNotSeen(Class<? extends Event>... eventTypes) {
            for (Class<? extends Event> t : eventTypes) {
                assertThat(history()).as("event types in the history of saga '%s'", state.sagaId())
                        .doesNotContain(types.byType(t).name());
            }
            return this;
        }

        /** The saga's history payloads, exactly and in order (routed and saga-internal events). */
        public SagaAssert hasEvents(Event... expected) {
            assertThat(state.events().stream().map(SagaEventEntry::event).toList())
                    .as("history of saga '%s'", state.sagaId()).containsExactly(expected);
            return this;
        }

        public SagaAssert isComplete() {
            assertThat(state.complete()).as("saga '%s' complete", state.sagaId()).isTrue();
            return this;
        }

        public SagaAssert isNotComplete() {
            assertThat(state.complete()).as("saga '%s' complete", state.sagaId()).isFalse();
            return this;
        }

        public SagaAssert isTimedOut() {
            assertThat(state.timedOut()).as("saga '%s' timed out", state.sagaId()).isTrue();
            return this;
        }

        public SagaAssert isNotTimedOut() {
            assertThat(state.timedOut()).as("saga '%s' timed out", state.sagaId()).isFalse();
            return this;
        }

        public SagaAssert hasRetryAt(Instant expected) {
            assertThat(state.retryAt()).as("retryAt of saga '%s'", state.sagaId()).isEqualTo(expected);
            return this;
        }

        public SagaAssert hasNoRetryAt() {
            assertThat(state.retryAt()).as("retryAt of saga '%s'", state.sagaId()).isNull();
            return this;
        }

        public SagaAssert hasTimeoutAt(Instant expected) {
            assertThat(state.timeoutAt()).as("timeoutAt of saga '%s'", state.sagaId()).isEqualTo(expected);
            return this;
        }

        /** The state itself, for anything else. */
        public SagaState state() {
            return state;
        }
    }
}
