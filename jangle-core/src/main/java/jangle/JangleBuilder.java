package jangle;

import jangle.internal.FastUuids;
import jangle.spi.StoreContext;
import jangle.spi.StoreProvider;
import jangle.spi.Stores;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The one composition root (CR1). Collects everything an application consists of; {@link #build()} checks it all and
 * returns an immutable {@link Jangle}, or throws one {@link ConfigurationException} listing every problem (CR2).
 * Nothing is registered anywhere else: no static registries, no classpath scanning (CR3). Not thread-safe; build once.
 *
 * {@snippet :
 * Jangle jangle = Jangle.builder()
 *         .commands(BankCommand.class)
 *         .events(BankEvent.class)
 *         .aggregate(AccountAggregate.class, AccountAggregate::new)
 *         .projection("bank-views", FundsDeposited.class, (record, ctx) -> views.onDeposited(record))
 *         .build();
 * }
 */
public final class JangleBuilder {
    private static final Pattern HANDLER_NAME = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    private Clock clock = Clock.systemUTC();
    private Supplier<UUID> ids;
    private StoreProvider stores;
    private Map<String, String> environment;
    private final Set<Class<? extends Command>> commandFamilies = new LinkedHashSet<>();
    private final Set<Class<? extends Event>> eventFamilies = new LinkedHashSet<>();
    private final Set<Class<? extends Query<?>>> queryFamilies = new LinkedHashSet<>();
    private final List<Upcaster> upcasters = new ArrayList<>();
    private final Map<Class<? extends Aggregate>, Function<String, ? extends Aggregate>> aggregates = new LinkedHashMap<>();
    private final List<HandlerRegistration> handlers = new ArrayList<>();
    private final List<SagaRegistration<?>> sagas = new ArrayList<>();
    private final List<QueryRegistration> queries = new ArrayList<>();
    private final Map<String, String> explicitSettings = new HashMap<>();
    private final List<String> earlyProblems = new ArrayList<>();
    private boolean built;
    private boolean externallyDelivered;
    private Telemetry telemetry = Telemetry.NONE;
    private CheckpointListener checkpointListener = CheckpointListener.NONE;

    /** One query handler as registered. */
    record QueryRegistration(Class<?> type, QueryHandler<?, ?> handler, List<String> readsFrom) {
    }

    JangleBuilder() {
    }

    // ---- infrastructure ----

    /** The clock for every time Jangle reads (§2, A11, SG10). Default: system UTC. */
    /**
     * Metrics and traces (see {@link Telemetry}; {@code jangle-observability} provides Micrometer and OpenTelemetry).
     * None by default, and then nothing is measured.
     */
    public JangleBuilder telemetry(Telemetry telemetry) {
        this.telemetry = java.util.Objects.requireNonNull(telemetry, "telemetry");
        return this;
    }

    /** Told each time this node commits a processor's progress ({@link CheckpointListener}). None by default. */
    public JangleBuilder checkpointListener(CheckpointListener listener) {
        this.checkpointListener = java.util.Objects.requireNonNull(listener, "listener");
        return this;
    }

    public JangleBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** The supplier of event and command ids (§2). Default: random version-4 UUIDs. */
    public JangleBuilder idSupplier(Supplier<UUID> ids) {
        this.ids = Objects.requireNonNull(ids, "ids");
        return this;
    }

    /** The stores, opened at {@link #build()} with the registered types. Default: the in-memory stores. */
    public JangleBuilder stores(StoreProvider provider) {
        this.stores = Objects.requireNonNull(provider, "provider");
        return this;
    }

    /** The environment read for {@code JANGLE_*} settings; default {@link System#getenv()} (read at build). */
    public JangleBuilder environment(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
        return this;
    }

    // ---- message families ----

    /** Registers a sealed command family (or one command record); each member needs exactly one aggregate route. */
    public JangleBuilder commands(Class<? extends Command> family) {
        commandFamilies.add(Objects.requireNonNull(family, "family"));
        return this;
    }

    /** Registers every permitted record of a sealed event family (or one record) with its type name (J2). */
    public JangleBuilder events(Class<? extends Event> family) {
        eventFamilies.add(Objects.requireNonNull(family, "family"));
        return this;
    }

    /** Registers a sealed query family (or one query record); each member needs exactly one handler (Q2). */
    public JangleBuilder queries(Class<? extends Query<?>> family) {
        queryFamilies.add(Objects.requireNonNull(family, "family"));
        return this;
    }

    public JangleBuilder upcaster(Upcaster upcaster) {
        upcasters.add(Objects.requireNonNull(upcaster, "upcaster"));
        return this;
    }

    // ---- behaviour ----

    /** Registers an aggregate class with the factory that receives the aggregate id (A12). */
    public <A extends Aggregate> JangleBuilder aggregate(Class<A> type, Function<String, A> factory) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(factory, "factory");
        if (aggregates.putIfAbsent(type, factory) != null) {
            earlyProblems.add("aggregate " + type.getName() + " is registered twice");
        }
        return this;
    }

    /** A read-model handler for one event type (§8); replayable, so it must converge (V1–V4). */
    public <E extends Event> JangleBuilder projection(String name, Class<E> type, EventHandler<E> handler) {
        handlers.add(new HandlerRegistration(name, Objects.requireNonNull(type, "type"),
                Objects.requireNonNull(handler, "handler"), true, null));
        return this;
    }

    /** A read model with its own reset and batched writes (R2, R3), subscribed to all its event types. */
    @SuppressWarnings("unchecked")
    public JangleBuilder projection(Projection<?> projection) {
        Objects.requireNonNull(projection, "projection");
        Set<? extends Class<? extends Event>> types = projection.eventTypes();
        if (types == null || types.isEmpty()) {
            earlyProblems.add("projection '" + projection.name() + "' subscribes to no event type");
            return this;
        }
        Set<Class<?>> records = new LinkedHashSet<>(); // a sealed family stands for its records, found once here
        for (Class<? extends Event> t : types) {
            records.addAll(members(t, "projection '" + projection.name() + "' event", earlyProblems));
        }
        for (Class<?> t : records) {
            handlers.add(new HandlerRegistration(projection.name(), (Class<? extends Event>) t, null, true,
                    projection));
        }
        return this;
    }

    /** A handler with side effects (§8): issues commands, sends messages; never replayed. */
    public <E extends Event> JangleBuilder reactor(String name, Class<E> type, EventHandler<E> handler) {
        handlers.add(new HandlerRegistration(name, Objects.requireNonNull(type, "type"),
                Objects.requireNonNull(handler, "handler"), false, null));
        return this;
    }

    /** Registers a saga with its routes; installs the reactor {@code saga:<SagaTypeName>} (§9). */
    @SuppressWarnings("unchecked")
    public <S extends Saga> JangleBuilder saga(Class<S> type, Function<String, S> factory,
                                               Consumer<SagaRoutes> routes) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(factory, "factory");
        Map<Class<? extends Event>, Function<Event, String>> map = new LinkedHashMap<>();
        routes.accept(new SagaRoutes() {
            @Override
            public <E extends Event> SagaRoutes on(Class<E> eventType, Function<? super E, String> sagaId) {
                Objects.requireNonNull(eventType, "eventType");
                Objects.requireNonNull(sagaId, "sagaId");
                if (map.putIfAbsent(eventType, e -> sagaId.apply((E) e)) != null) {
                    earlyProblems.add("saga " + type.getName() + " routes " + eventType.getName() + " twice");
                }
                return this;
            }
        });
        if (map.isEmpty()) earlyProblems.add("saga " + type.getName() + " has no routes");
        sagas.add(new SagaRegistration<>(type, factory, Map.copyOf(map)));
        return this;
    }

    /** One handler per query type; {@code readsFrom} names the projections it reads (Q4, CA1). */
    public <Q extends Query<R>, R> JangleBuilder query(Class<Q> type, QueryHandler<Q, R> handler,
                                                         String... readsFrom) {
        queries.add(new QueryRegistration(Objects.requireNonNull(type, "type"),
                Objects.requireNonNull(handler, "handler"), List.of(readsFrom)));
        return this;
    }

    // ---- settings (§14) ----

    public JangleBuilder batchSize(int n) {
        return setting("batchSize", String.valueOf(n));
    }

    public JangleBuilder dispatchHandoffSize(int n) {
        return setting("dispatchHandoffSize", String.valueOf(n));
    }

    /** Events per projection transaction in a replay (R3); default 2,000. */
    public JangleBuilder replayBatchSize(int n) {
        return setting("replayBatchSize", String.valueOf(n));
    }

    /** Segments of a processor stored for the first time (D17); default 4. A stored processor keeps its count. */
    public JangleBuilder processorSegments(int n) {
        return setting("processorSegments", String.valueOf(n));
    }

    /** Events per processor transaction (D18); default 500. */
    public JangleBuilder processorBatchSize(int n) {
        return setting("processorBatchSize", String.valueOf(n));
    }

    /** How long a node holds a processor segment without renewing it (D21); default 10 s. */
    public JangleBuilder processorLease(Duration d) {
        return setting("processorLease", d.toString());
    }

    /** In-line attempts of a failing handler before its event is parked (D3); default 3. */
    public JangleBuilder handlerAttempts(int n) {
        return setting("handlerAttempts", String.valueOf(n));
    }

    /** Where a processor stored for the first time starts (D19); default {@code BEGINNING}. */
    public JangleBuilder processorStart(jangle.spi.Checkpoints.Start start) {
        return setting("processorStart", start.name());
    }

    /**
     * How long a live segment waits for more events when fewer than {@code processorBatchSize} have arrived, so that
     * they share one read-model transaction and one checkpoint write (D22); at most 1 s, default 0 (no wait). Worth a
     * few milliseconds where a commit is a network round trip and a flush (PostgreSQL); every live handler then sees
     * an event up to that much later.
     */
    public JangleBuilder processorBatchLinger(Duration d) {
        return durationSetting("processorBatchLinger", d, "a duration (0 for none)");
    }

    /** A duration setting; a null one is reported at {@code build()} as {@code name must be <what>, not null}. */
    private JangleBuilder durationSetting(String name, Duration d, String what) {
        if (d == null) {
            earlyProblems.add(name + " must be " + what + ", not null");
            return this;
        }
        return setting(name, d.toString());
    }

    /** How often an idle segment looks for events committed by other nodes; default 50 ms. */
    public JangleBuilder processorPollInterval(Duration d) {
        return setting("processorPollInterval", d.toString());
    }

    public JangleBuilder failedEventsRetryInterval(Duration d) {
        return setting("failedEventsRetryInterval", d.toString());
    }

    public JangleBuilder failedEventsMaxAge(Duration d) {
        return setting("failedEventsMaxAge", d.toString());
    }

    public JangleBuilder deadLetterAttempts(int n) {
        return setting("deadLetterAttempts", String.valueOf(n));
    }

    public JangleBuilder sagaRetryInterval(Duration d) {
        return setting("sagaRetryInterval", d.toString());
    }

    public JangleBuilder commandMaxAttempts(int n) {
        return setting("commandMaxAttempts", String.valueOf(n));
    }

    public JangleBuilder commandBackoff(Duration base, Duration max) {
        setting("commandBackoffBase", base.toString());
        return setting("commandBackoffMax", max.toString());
    }

    /**
     * Declares that this application's handlers are fed from outside through {@link Operations#externalDelivery()} (a
     * Kafka consumer on a worker node): commits write no delivery rows (D1 bookkeeping is then the transport's
     * offsets) and the live dispatcher and event daemon leave the handlers alone, so an event is not run both
     * locally and from the transport. Sagas keep their store and daemon. Default: off.
     */
    public JangleBuilder externallyDelivered() {
        this.externallyDelivered = true;
        return this;
    }

    public JangleBuilder aggregateCacheSize(int n) {
        return setting("aggregateCacheSize", String.valueOf(n));
    }

    /**
     * H10: whether a command that waits for a busy aggregate on this node may be decided by the command holding it and
     * commit in its append (default true; {@code JANGLE_COMMAND_SHARING}). With false, each command decides and
     * appends on its own turn (H9 alone): one durable commit per command of a hot aggregate.
     */
    public JangleBuilder commandSharing(boolean share) {
        return setting("commandSharing", String.valueOf(share));
    }

    /**
     * How long the holder of an aggregate contended within {@link #commandSharingWindow} waits for a follower to queue
     * before it decides alone (H10); default 200 µs, at most 10 ms, 0 never waits. About the time a client takes to
     * send its next command after an answer: longer where clients are further away, shorter (or 0) where a command's
     * own latency matters more than the commits it saves.
     */
    public JangleBuilder commandSharingLinger(Duration d) {
        return durationSetting("commandSharingLinger", d, "a duration (0 for none)");
    }

    /** How recent a wait for the same aggregate must be for its holder to linger at all (H10); default 20 ms. */
    public JangleBuilder commandSharingWindow(Duration d) {
        return durationSetting("commandSharingWindow", d, "a duration");
    }

    /** How a decision on a cached aggregate is confirmed (H7); see {@link Settings.CacheCheck}. */
    public JangleBuilder aggregateCacheCheck(Settings.CacheCheck check) {
        if (check == null) {
            earlyProblems.add("aggregateCacheCheck must be READ or APPEND, not null");
            return this;
        }
        return setting("aggregateCacheCheck", check.name());
    }

    /** Any setting by its name in {@link Settings#ENVIRONMENT_VARIABLES}, as text (checked at build, K2). */
    public JangleBuilder setting(String name, String value) {
        if (!Settings.ENVIRONMENT_VARIABLES.containsKey(name)) {
            earlyProblems.add("unknown setting '" + name + "'; known: " + Settings.ENVIRONMENT_VARIABLES.keySet());
        } else {
            explicitSettings.put(name, value);
        }
        return this;
    }

    /**
     * Checks every registration and setting, opens the stores and returns the application. Throws one
     * {@link ConfigurationException} listing every problem found (CR2).
     */
    public Jangle build() {
        if (built) throw new IllegalStateException("this builder has already built an application");
        built = true;
        List<String> problems = new ArrayList<>(earlyProblems);
        Settings settings;
        try {
            settings = Settings.resolve(explicitSettings, environment != null ? environment : System.getenv());
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            settings = Settings.defaults();
        }
        TypeRegistry types = DefaultTypeRegistry.build(eventFamilies, upcasters, problems);
        Map<Class<?>, CommandBus.Route> routes = bindAggregates(types, problems);
        checkCommandFamilies(routes, problems);
        Map<Class<?>, QueryRegistration> queryHandlers = bindQueries(problems);
        checkHandlers(types, problems);
        if (!problems.isEmpty()) throw new ConfigurationException(problems);

        StoreProvider provider = stores != null ? stores : new jangle.memory.InMemoryStores();
        Stores opened = provider.open(new StoreContext(types, clock, settings.batchSize(), settings.nodeId()));
        Supplier<UUID> idSupplier = ids != null ? ids : new FastUuids();
        try {
            var bus = new CommandBus(routes, opened.events(), opened.snapshots(), types, settings, clock, idSupplier);
            var dispatch = new DispatchRuntime(List.copyOf(handlers), List.copyOf(sagas), types, opened, settings,
                    clock, idSupplier, problems);
            if (externallyDelivered) dispatch.deliverExternallyOnly();
            if (!problems.isEmpty()) throw new ConfigurationException(problems);
            bus.observe(telemetry);
            dispatch.observe(telemetry);
            dispatch.listen(checkpointListener);
            if (opened.events() instanceof Telemetry.Observed observed) observed.observe(telemetry); // group commits
            JangleApp app = new JangleApp(bus, dispatch, queryHandlers, types, opened, settings, clock,
                    registrationSummary());
            telemetry.attach(app);
            return app;
        } catch (RuntimeException e) {
            try {
                opened.onClose().close();
            } catch (Exception closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    private Map<String, Object> registrationSummary() {
        var m = new LinkedHashMap<String, Object>();
        m.put("aggregates", aggregates.size());
        m.put("handlers", handlers.stream().map(HandlerRegistration::name).distinct().count());
        m.put("sagas", sagas.size());
        m.put("queries", queries.size());
        return m;
    }

    private Map<Class<?>, CommandBus.Route> bindAggregates(TypeRegistry types, List<String> problems) {
        Map<Class<?>, CommandBus.Route> routes = new HashMap<>();
        Map<Class<?>, Class<?>> owner = new HashMap<>();
        for (var e : aggregates.entrySet()) {
            AggregateBinding<?> binding = AggregateBinding.bind(e.getKey(), problems);
            if (binding == null) continue;
            for (var v : binding.validators().entrySet()) {
                Class<?> previous = owner.putIfAbsent(v.getKey(), e.getKey());
                if (previous != null) {
                    problems.add("command type " + v.getKey().getName() + " is claimed by both " + previous.getName()
                            + " and " + e.getKey().getName() + " (A4, M1: one aggregate type per command type)");
                    continue;
                }
                routes.put(v.getKey(), new CommandBus.Route(binding, e.getValue(), v.getValue()));
            }
            for (Class<?> eventType : binding.reconstitutors().keySet()) {
                boolean registered = types.all().stream().anyMatch(i -> i.type() == eventType);
                if (!registered) {
                    problems.add(e.getKey().getName() + " reconstitutes " + eventType.getName()
                            + ", which is not in a registered event family (JangleBuilder.events)");
                }
            }
        }
        return routes;
    }

    private void checkCommandFamilies(Map<Class<?>, CommandBus.Route> routes, List<String> problems) {
        for (Class<? extends Command> family : commandFamilies) {
            for (Class<?> member : members(family, "command", problems)) {
                if (!routes.containsKey(member)) {
                    problems.add("command type " + member.getName() + " has no aggregate with a @ValidateCommand "
                            + "method for it");
                }
            }
        }
    }

    private Map<Class<?>, QueryRegistration> bindQueries(List<String> problems) {
        Map<Class<?>, QueryRegistration> byType = new HashMap<>();
        for (QueryRegistration q : queries) {
            if (byType.putIfAbsent(q.type(), q) != null) {
                problems.add("query type " + q.type().getName() + " has two handlers (Q2)");
            }
        }
        for (Class<? extends Query<?>> family : queryFamilies) {
            for (Class<?> member : members(family, "query", problems)) {
                if (!byType.containsKey(member)) {
                    problems.add("query type " + member.getName() + " has no handler (Q2)");
                }
            }
        }
        return Map.copyOf(byType);
    }

    private void checkHandlers(TypeRegistry types, List<String> problems) {
        Map<String, Object> byNameAndType = new HashMap<>();
        for (HandlerRegistration h : handlers) {
            if (h.name() == null || !HANDLER_NAME.matcher(h.name()).matches()) {
                problems.add("handler name '" + h.name() + "' must be 1 to 100 characters from A-Z, a-z, 0-9, '.', "
                        + "'_', ':' and '-' (D4)");
                continue;
            }
            if (h.name().startsWith("saga:")) {
                problems.add("handler name '" + h.name() + "' is reserved for sagas");
            }
            if (types.all().stream().noneMatch(i -> i.type() == h.type())) {
                problems.add("handler '" + h.name() + "' subscribes to " + h.type().getName()
                        + ", which is not in a registered event family (JangleBuilder.events)");
            }
            Object function = h.projection() != null ? h.projection() : h.handler();
            Object previous = byNameAndType.putIfAbsent(h.name() + "|" + h.type().getName(), function);
            if (previous != null) {
                problems.add("handler name '" + h.name() + "' is used twice for event type " + h.type().getName()
                        + " (D4)");
            }
        }
    }

    /** The records of a sealed family (or the record itself). */
    private static List<Class<?>> members(Class<?> family, String kind, List<String> problems) {
        List<Class<?>> out = new ArrayList<>();
        collect(family, out, kind, problems);
        return out;
    }

    private static void collect(Class<?> type, List<Class<?>> out, String kind, List<String> problems) {
        if (type.isRecord()) {
            out.add(type);
        } else if (type.isSealed()) {
            for (Class<?> sub : type.getPermittedSubclasses()) collect(sub, out, kind, problems);
        } else {
            problems.add(kind + " family " + type.getName() + " must be a sealed interface of records, or a record");
        }
    }
}
