package jangle;

import jangle.spi.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/** The immutable application built by {@link JangleBuilder} (CR1). */
final class JangleApp implements Jangle {
    private static final Logger CONFIG_LOG = LoggerFactory.getLogger("jangle.config");

    private final CommandBus bus;
    private final DispatchRuntime dispatch;
    private final Map<Class<?>, JangleBuilder.QueryRegistration> queries;
    private final TypeRegistry types;
    private final Stores stores;
    private final Settings settings;
    private final Clock clock;
    private final Map<String, Object> summary;
    private final ExecutorService asyncSends = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Operations operations = new AppOperations();

    JangleApp(CommandBus bus, DispatchRuntime dispatch, Map<Class<?>, JangleBuilder.QueryRegistration> queries,
              TypeRegistry types, Stores stores, Settings settings, Clock clock, Map<String, Object> summary) {
        this.bus = bus;
        this.dispatch = dispatch;
        this.queries = queries;
        this.types = types;
        this.stores = stores;
        this.settings = settings;
        this.clock = clock;
        this.summary = summary;
        bus.attach(new CommandBus.DispatchPort() {
            @Override
            public void offer(List<EventRecord<?>> committed) {
                dispatch.offer(committed);
            }
        });
        dispatch.bind(bus);
    }

    @Override
    public CommandResponse send(Command command) {
        return send(command, SendOptions.NONE);
    }

    @Override
    public CommandResponse send(Command command, SendOptions options) {
        ensureOpen();
        return bus.send(command, options);
    }

    @Override
    public CompletableFuture<CommandResponse> sendAsync(Command command) {
        return sendAsync(command, SendOptions.NONE);
    }

    @Override
    public CompletableFuture<CommandResponse> sendAsync(Command command, SendOptions options) {
        ensureOpen();
        return CompletableFuture.supplyAsync(() -> bus.send(command, options), asyncSends);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <R> R query(Query<R> query) {
        Objects.requireNonNull(query, "query");
        JangleBuilder.QueryRegistration reg = queries.get(query.getClass());
        if (reg == null) {
            throw new MissingHandlerException(MissingHandlerException.Kind.QUERY_HANDLER, query.getClass().getName(),
                    "no handler is registered for query type " + query.getClass().getName());
        }
        try {
            return (R) ((QueryHandler) reg.handler()).handle(query);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new JangleException("query " + query.getClass().getSimpleName() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public <R> R query(Query<R> query, ConsistencyToken token, Duration timeout) {
        JangleBuilder.QueryRegistration reg = queries.get(query.getClass());
        String[] names = reg == null ? new String[0] : reg.readsFrom().toArray(String[]::new);
        awaitHandled(token, timeout, names);
        return query(query);
    }

    @Override
    public void awaitHandled(ConsistencyToken token, Duration timeout, String... handlerNames) {
        dispatch.awaitHandled(token, timeout, handlerNames);
    }

    @Override
    public void awaitSettled(UUID correlationId, Duration timeout) {
        dispatch.awaitSettled(correlationId, timeout);
    }

    @Override
    public Operations operations() {
        return operations;
    }

    @Override
    public TypeRegistry types() {
        return types;
    }

    @Override
    public Stores stores() {
        return stores;
    }

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public void start() {
        ensureOpen();
        if (!started.compareAndSet(false, true)) return;
        CONFIG_LOG.atInfo().addKeyValue("point", "config.summary").addKeyValue("registrations", summary)
                .addKeyValue("settings", settings.describe()).log("Jangle starting");
        dispatch.start();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            dispatch.close();
        } finally {
            asyncSends.shutdown();
            try {
                stores.onClose().close();
            } catch (Exception e) {
                throw new StoreException("stores", "close", e);
            }
        }
    }

    /** For tests in this package: the dispatch runtime. */
    DispatchRuntime dispatch() {
        return dispatch;
    }

    private void ensureOpen() {
        if (closed.get()) throw new IllegalStateException("this Jangle application is closed");
    }

    /** The dispatcher's operator actions plus the verbs that need the whole application. */
    private final class AppOperations implements Operations {
        private DispatchOperations actions() {
            return dispatch.operations();
        }

        @Override
        public List<jangle.spi.Delivery> pending(String handler, int limit) {
            return actions().pending(handler, limit);
        }

        @Override
        public List<jangle.spi.Delivery> deadLetters(String handler, int limit) {
            return actions().deadLetters(handler, limit);
        }

        @Override
        public int retry(UUID eventId, String handler) {
            return actions().retry(eventId, handler);
        }

        @Override
        public int retryAll(String handler) {
            return actions().retryAll(handler);
        }

        @Override
        public boolean skip(UUID eventId, String handler, String reason) {
            return actions().skip(eventId, handler, reason);
        }

        @Override
        public List<jangle.spi.SagaState> sagas(boolean includeFinished, int limit) {
            return actions().sagas(includeFinished, limit);
        }

        @Override
        public List<ProcessorStatus> processors() {
            return dispatch.processorStatus(clock.instant());
        }

        @Override
        public int resetProcessor(String processor, long position) {
            return dispatch.resetProcessor(processor, position);
        }

        @Override
        public List<String> handlers() {
            return actions().handlers();
        }

        @Override
        public int runEventDaemonPass() {
            return actions().runEventDaemonPass();
        }

        @Override
        public int runCatchUpPass() {
            return actions().runCatchUpPass();
        }

        @Override
        public int runProcessorsPass() {
            return dispatch.runProcessorsPass();
        }

        @Override
        public int runSagaDaemonPass() {
            return actions().runSagaDaemonPass();
        }

        @Override
        public ReplayResult replay(ReplayOptions options) {
            Objects.requireNonNull(options, "options");
            return dispatch.replay(options.projections(), options.fromPosition(), options.resetFirst(),
                    options.listener());
        }

        @Override
        public CommandCounts commandCounts() {
            return bus.counts();
        }

        @Override
        public Backlog backlog() {
            return HealthCheck.backlog(JangleApp.this, dispatch, settings, clock.instant());
        }

        @Override
        public Health health(Health.Policy policy) {
            Objects.requireNonNull(policy, "policy");
            return HealthCheck.report(JangleApp.this, dispatch, settings, clock.instant(), policy);
        }

        @Override
        public ExternalDelivery externalDelivery() {
            return dispatch.externalDelivery();
        }
    }
}
