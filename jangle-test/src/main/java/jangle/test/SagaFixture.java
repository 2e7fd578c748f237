package jangle.test;

import jangle.Command;
import jangle.CommandResponse;
import jangle.Event;
import jangle.EventRecord;
import jangle.ExternalDelivery;
import jangle.Jangle;
import jangle.JangleBuilder;
import jangle.Metadata;
import jangle.Saga;
import jangle.SagaRoutes;
import jangle.TypeRegistry;
import jangle.memory.InMemoryStores;
import jangle.spi.Checkpoints;
import jangle.spi.Delivery;
import jangle.spi.DeliveryKey;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.spi.Park;
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
 * <p>How work runs: the fixture is the application's only processor. {@link #givenEvent} appends an event straight to
 * the event store and {@link #settle settles}: the fixture reads the feed from where it stopped and runs each new event
 * through the handlers once, in feed order (a given event only through the fixture's handler names: the saga's reactor
 * {@code saga:<SimpleName>} for {@link #forSaga}, plus any {@link #deliverGivenEventsTo named} handlers; every other
 * event through every handler subscribed to its type), so commands sent by the saga, the events they commit, and the
 * handlers of those events all run before the method returns. A handler that fails is parked for that event as a
 * processor parks it (D3: pending, one attempt, in the store's ledger), and each later settle retries what is parked
 * once (the event daemon's catch-up pass, D10), so a handler that keeps failing is attempted once per settle, not
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
    /** Events appended by {@link #givenEvent}: delivered only to {@link #givenHandlers}. */
    private final Set<UUID> givenEventIds = new HashSet<>();
    /** The feed position up to which the fixture has run the handlers. */
    private long handledTo;

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
        checkHandlersKnown(info.name());
        NewEvent e = new NewEvent(UUID.randomUUID(), aggregateId, events.lastVersion(aggregateId) + 1, info.name(),
                info.schemaVersion(), clock.instant().truncatedTo(ChronoUnit.MICROS), metadata, event);
        givenIds.add(e.eventId());
        givenEventIds.add(e.eventId());
        events.append(List.of(e));
        settle();
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
     * Retries what is parked once (the catch-up pass, D10), then runs every event committed since the last settle
     * through its handlers, in feed order, until the feed holds nothing new: events committed by handlers run too.
     * A failure parks the event for that handler and is not retried before the next settle. Returns deliveries
     * attempted.
     */
    public int settle() {
        int attempted = 0;
        if (!jangle.operations().pending(null, 1).isEmpty()) attempted += jangle.operations().runCatchUpPass();
        EventStore events = jangle.stores().events();
        ExternalDelivery door = jangle.operations().externalDelivery();
        for (int pages = 0; ; pages++) {
            if (pages >= MAX_SETTLE_PASSES) {
                throw new AssertionError("work did not settle after " + MAX_SETTLE_PASSES + " pages of new events: "
                        + "handlers keep causing new work (a command loop?)");
            }
            List<EventRecord<?>> page = events.readFeed(handledTo, 100);
            if (page.isEmpty()) return attempted;
            for (EventRecord<?> r : page) {
                for (String handler : door.handlerNames(r.type())) {
                    if (givenEventIds.contains(r.eventId()) && !givenHandlers.contains(handler)) continue;
                    attempted++;
                    deliver(door, r, handler);
                }
                handledTo = r.position();
            }
        }
    }

    /** Runs one handler once for one event; a failure parks it as a processor would (D3). */
    private void deliver(ExternalDelivery door, EventRecord<?> r, String handler) {
        try {
            door.deliver(r, handler);
        } catch (RuntimeException | Error failure) {
            if (failure instanceof VirtualMachineError fatal) throw fatal; // as a processor: everything else parks
            boolean dead = jangle.settings().deadLetterAttempts() <= 1;
            Park park = new Park(new DeliveryKey(r.eventId(), handler), r.position(), r.metadata().correlationId(),
                    1, clock.instant(), failure.getClass().getName() + ": " + failure.getMessage(), dead,
                    jangle.settings().nodeId());
            jangle.stores().events().checkpoints().commit(List.of(), List.of(park), Checkpoints.Work.NONE);
        }
    }

    /**
     * D13: a given event for a handler name the application does not run for that type is a test mistake; say so
     * plainly instead of delivering it nowhere.
     */
    private void checkHandlersKnown(String typeName) {
        List<String> subscribed = jangle.operations().externalDelivery().handlerNames(typeName);
        for (String handler : givenHandlers) {
            if (!subscribed.contains(handler)) {
                String why = jangle.operations().handlers().contains(handler)
                        ? "which does not subscribe to it" : "which the application does not register";
                throw new AssertionError("given event " + typeName + " is to be delivered to handler '" + handler
                        + "', " + why + " (handler not registered for this type); check deliverGivenEventsTo(...) "
                        + "and the saga's routes");
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
