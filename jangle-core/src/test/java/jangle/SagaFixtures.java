package jangle;

import jangle.memory.InMemoryStores;
import jangle.spi.Completion;
import jangle.spi.DeliveryKey;
import jangle.spi.SagaState;
import jangle.spi.StoreContext;
import jangle.spi.Stores;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A transfer-like saga and a harness that drives the saga engine directly: routed events are delivered by calling
 * the saga's reactor, commands go to a recording gateway whose answers the test chooses, and time is a movable clock.
 */
final class SagaFixtures {
    private SagaFixtures() {
    }

    // ---- events: routed (Requested, Approved, Declined, Audited) and saga-internal (Credited, CreditFailed, Refunded)

    sealed interface TxEvent extends Event
            permits Requested, Approved, Declined, Audited, Credited, CreditFailed, Refunded {
    }

    record Requested(String tx, String to, int amount) implements TxEvent {
    }

    record Approved(String tx) implements TxEvent {
    }

    record Declined(String tx) implements TxEvent {
    }

    record Audited(String tx) implements TxEvent {
    }

    record Credited(String tx) implements TxEvent {
    }

    record CreditFailed(String tx, String reason) implements TxEvent {
    }

    record Refunded(String tx) implements TxEvent {
    }

    /** What a test controls from outside a saga (sagas are rebuilt for every evaluation). */
    static final class Control {
        final AtomicInteger failBeforeCredit = new AtomicInteger();
        final List<String> receiverLog = Collections.synchronizedList(new ArrayList<>());
    }

    /**
     * Requested sets a timeout; Approved (which needs Requested, SG12) credits {@code to}; a failed credit is
     * compensated by a refund that must finish (SG6); Declined completes the saga; Audited is a no-op step.
     */
    static class TransferSaga extends Saga {
        static final Duration TIMEOUT = Duration.ofHours(1);
        private final Control control;
        private String tx;
        private String to;
        private int amount;

        TransferSaga(String id, Control control) {
            super(id);
            this.control = control;
        }

        @ReconstituteSagaState
        void on(Requested e) {
            tx = e.tx();
            to = e.to();
            amount = e.amount();
        }

        @ReconstituteSagaState
        void on(Approved e) {
            tx = e.tx();
        }

        @ReconstituteSagaState
        void on(Declined e) {
        }

        @ReconstituteSagaState
        void on(Audited e) {
        }

        @ReconstituteSagaState
        void on(Credited e) {
        }

        @ReconstituteSagaState
        void on(CreditFailed e) {
        }

        @ReconstituteSagaState
        void on(Refunded e) {
        }

        @EventReceiver(Requested.class)
        void requested() {
            control.receiverLog.add("requested");
            if (timeoutAt() == null) setTimeoutAt(now().plus(TIMEOUT));
        }

        @EventReceiver(value = Approved.class, requiredFlags = Requested.class, skipIfAnyFlags = Declined.class,
                order = 1)
        void approved() {
            control.receiverLog.add("approved");
            if (control.failBeforeCredit.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("failure before any command was sent");
            }
            dispatchCommand(new DispatchFixtures.Add(to, amount), new Credited(tx), CreditFailed.class,
                    reason -> new CreditFailed(tx, reason));
            if (hasFlag(CreditFailed.class)) {
                // compensation: retried until accepted, never recorded as failed
                dispatchCommand(new DispatchFixtures.Note("refund-" + tx, "refund " + amount), new Refunded(tx));
            }
            if (hasFlag(Credited.class) || hasFlag(Refunded.class)) setComplete();
        }

        @EventReceiver(Declined.class)
        void declined() {
            control.receiverLog.add("declined");
            setComplete();
        }

        @EventReceiver(Audited.class)
        void audited() {
            control.receiverLog.add("audited");
        }

        /** SG6: a started refund must finish. */
        @Override
        protected boolean mustFinish() {
            return hasFlag(CreditFailed.class) && !hasFlag(Refunded.class);
        }
    }

    static Map<Class<? extends Event>, Function<Event, String>> transferRoutes() {
        Map<Class<? extends Event>, Function<Event, String>> routes = new LinkedHashMap<>();
        routes.put(Requested.class, e -> "tx-" + ((Requested) e).tx());
        routes.put(Approved.class, e -> "tx-" + ((Approved) e).tx());
        routes.put(Declined.class, e -> "tx-" + ((Declined) e).tx());
        routes.put(Audited.class, e -> "tx-" + ((Audited) e).tx());
        return routes;
    }

    /** One command a saga sent, with the metadata the engine gave it. */
    record Sent(Command command, SendOptions options, UUID causationId, Completion completing) {
    }

    /** A command gateway that records commands and answers with {@link #responder} (default: accepted). */
    static final class RecordingGateway implements CommandGateway {
        final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
        volatile Function<Command, CommandResponse> responder = c -> CommandResponse.accepted();

        @Override
        public CommandResponse send(Command command, SendOptions options, UUID causationId, Completion completing) {
            sent.add(new Sent(command, options, causationId, completing));
            return responder.apply(command);
        }

        List<Command> commands() {
            synchronized (sent) {
                return sent.stream().map(Sent::command).toList();
            }
        }
    }

    /** Drives one saga type through a real {@link DispatchRuntime} on in-memory stores. */
    static final class Harness {
        final DispatchFixtures.MutableClock clock = new DispatchFixtures.MutableClock();
        final RecordingGateway gateway = new RecordingGateway();
        final Control control = new Control();
        final Stores stores;
        final DispatchRuntime runtime;
        final TypeRegistry types;
        final Settings settings;
        private final AtomicLong positions = new AtomicLong();
        private final String handlerName;

        Harness() {
            this(TransferSaga.class, null, transferRoutes());
        }

        @SuppressWarnings("unchecked")
        <S extends Saga> Harness(Class<S> type, Function<String, S> factory,
                                 Map<Class<? extends Event>, Function<Event, String>> routes) {
            types = TypeRegistry.of(List.of(TxEvent.class, DispatchFixtures.Evt.class), List.of());
            settings = Settings.resolve(Map.of("sagaRetryInterval", "30s", "commandMaxAttempts", "5"), Map.of());
            stores = new InMemoryStores().open(new StoreContext(types, clock, settings.batchSize()));
            Function<String, S> f = factory != null ? factory
                    : id -> (S) new TransferSaga(id, control);
            List<String> problems = new ArrayList<>();
            runtime = new DispatchRuntime(List.of(), List.of(new SagaRegistration<>(type, f, routes)), types,
                    stores, settings, clock, UUID::randomUUID, problems);
            if (!problems.isEmpty()) throw new ConfigurationException(problems);
            runtime.bind(gateway);
            handlerName = "saga:" + type.getSimpleName();
        }

        /** A committed-looking envelope for a routed event, with its own correlation id. */
        EventRecord<?> record(Event e) {
            return record(e, UUID.randomUUID());
        }

        EventRecord<?> record(Event e, UUID correlationId) {
            long p = positions.incrementAndGet();
            return new EventRecord<>(UUID.randomUUID(), "stream-" + p, 1, types.byType(e.getClass()).name(), 1,
                    clock.instant(), p, Metadata.of(correlationId), e);
        }

        /** Delivers a routed event through the saga's reactor, as the dispatcher would. */
        void deliver(EventRecord<?> record) {
            for (DispatchBinding b : runtime.bindings(record.type())) {
                if (b.name().equals(handlerName)) {
                    try {
                        b.invoker().invoke(record, null);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    return;
                }
            }
            throw new AssertionError("no saga reactor for " + record.type());
        }

        EventRecord<?> deliver(Event e) {
            EventRecord<?> r = record(e);
            deliver(r);
            return r;
        }

        int daemonPass() {
            return runtime.operations().runSagaDaemonPass();
        }

        Optional<SagaState> state(String sagaId) {
            return stores.sagas().get(sagaId);
        }

        SagaState require(String sagaId) {
            return state(sagaId).orElseThrow(() -> new AssertionError("no saga " + sagaId));
        }

        List<String> historyTypes(String sagaId) {
            return require(sagaId).events().stream().map(jangle.spi.SagaEventEntry::type).toList();
        }
    }
}
