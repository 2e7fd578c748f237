package jangle.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import jangle.Command;
import jangle.EventRecord;
import jangle.Jangle;
import jangle.Metadata;
import jangle.Telemetry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Micrometer meters and OpenTelemetry spans for a Jangle application: give it to
 * {@link jangle.JangleBuilder#telemetry}. Either part may be absent ({@code null}): without a registry nothing is
 * counted, without an {@link OpenTelemetry} no span is made. No global registry or tracer is ever used.
 *
 * <p><b>Meters</b> (every one is listed in {@code docs/observability.md}): commands by type, aggregate and outcome
 * with their latency (percentiles on request: {@link #withPercentiles()}); appends, and appends per commit of a durable store (group commit); handler invocations, batch sizes and failures per handler; saga steps; the
 * aggregate cache; rebuilds; snapshots; daemon passes; and, read from the stores when scraped (at most once a
 * second), each processor segment's checkpoint and lag, the segments this node holds, each handler's parked and
 * dead deliveries, the feed's head and the sagas' backlog.
 *
 * <p><b>Cost.</b> With meters only, a command reads the clock four times (its start and end, its append's start and
 * end) and records one timer; everything else is a plain adder read at scrape time. Without a registry no clock is
 * read for meters; with a no-op OpenTelemetry no span work is done; an unsampled span gets no attributes.
 *
 * <p><b>Spans</b>: one per command, append, handler invocation and saga step. A command writes its span's W3C
 * {@code traceparent} into the metadata of the events it commits; a handler's span takes its parent from its event's
 * metadata, so it is a child of the committing command whenever and wherever it runs. Spans are made current while
 * their work runs, so a command sent by a handler or a saga step is that span's child.
 */
public final class JangleObservability implements Telemetry {
    static final String SCOPE = "dev.jangle";
    static final AttributeKey<String> COMMAND_TYPE = AttributeKey.stringKey("jangle.command.type");
    static final AttributeKey<String> AGGREGATE_TYPE = AttributeKey.stringKey("jangle.aggregate.type");
    static final AttributeKey<String> AGGREGATE_ID = AttributeKey.stringKey("jangle.aggregate.id");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("jangle.outcome");
    static final AttributeKey<String> CORRELATION_ID = AttributeKey.stringKey("jangle.correlation_id");
    static final AttributeKey<String> HANDLER = AttributeKey.stringKey("jangle.handler");
    static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("jangle.event.type");
    static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("jangle.event.id");
    static final AttributeKey<Long> POSITION = AttributeKey.longKey("jangle.event.position");
    static final AttributeKey<Long> EVENTS = AttributeKey.longKey("jangle.events");
    static final AttributeKey<Long> CONFLICTS = AttributeKey.longKey("jangle.conflicts");
    static final AttributeKey<String> SAGA_TYPE = AttributeKey.stringKey("jangle.saga.type");
    static final AttributeKey<String> SAGA_ID = AttributeKey.stringKey("jangle.saga.id");
    static final AttributeKey<String> RECEIVER = AttributeKey.stringKey("jangle.saga.receiver");

    private static final String TRACEPARENT = "traceparent";
    private static final String COMMITTED = "committed";
    private static final String SUCCESS = "success";
    private static final String ACCEPTED = "accepted";
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapSetter<Map<String, String>> SETTER = (carrier, key, value) -> {
        if (carrier != null) carrier.put(key, value);
    };
    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    /** Simple class names and span names, computed once per class (no string work per command). */
    private static final ClassValue<String> SIMPLE_NAME = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return type.getSimpleName();
        }
    };
    private static final ClassValue<String> COMMAND_SPAN = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return "command " + type.getSimpleName();
        }
    };

    private final MeterRegistry registry;
    private final Tracer tracer;
    private final Meters meters;

    private final OpenTelemetry openTelemetry;
    private final Map<String, String> handlerSpans = new ConcurrentHashMap<>();
    private final Map<String, String> sagaSpans = new ConcurrentHashMap<>();

    private JangleObservability(MeterRegistry registry, OpenTelemetry openTelemetry, boolean percentiles) {
        this.registry = registry;
        this.openTelemetry = openTelemetry;
        // OpenTelemetry.noop() (or an SDK-less API) makes only invalid spans: skip span work entirely then
        this.tracer = openTelemetry == null || openTelemetry.getTracerProvider() == TracerProvider.noop() ? null
                : openTelemetry.getTracer(SCOPE);
        this.meters = registry == null ? null : new Meters(registry, percentiles);
    }

    /** A copy with other percentiles whose function meters read the adders {@code base} registered. */
    private JangleObservability(JangleObservability base, boolean percentiles) {
        this.registry = base.registry;
        this.openTelemetry = base.openTelemetry;
        this.tracer = base.tracer;
        this.meters = base.meters == null ? null : new Meters(base.meters, percentiles);
    }

    /**
     * The same with client-side percentiles on the command timers (p50, p95, p99 over the last minute) and the handler
     * timers (p50, p99). Off by default, as Micrometer leaves distribution statistics to the application: they cost
     * the command path about a tenth of a bare in-memory command (docs/observability.md, "Overhead"), and a registry
     * that computes quantiles itself, or a {@code MeterFilter} (Spring Boot's
     * {@code management.metrics.distribution.percentiles.jangle.commands}), can give them instead.
     */
    public JangleObservability withPercentiles() {
        // not a fresh instance: Micrometer keeps the first function meter registered under a name, so new adders
        // would be counted and never scraped
        return new JangleObservability(this, true);
    }

    /**
     * Meters into {@code registry} and spans through {@code openTelemetry}; either may be null (then that half is
     * off), not both.
     */
    public static JangleObservability of(MeterRegistry registry, OpenTelemetry openTelemetry) {
        if (registry == null && openTelemetry == null) {
            throw new IllegalArgumentException("give a MeterRegistry, an OpenTelemetry, or both (or use Telemetry.NONE)");
        }
        return new JangleObservability(registry, openTelemetry, false);
    }

    /** Meters only. */
    public static JangleObservability metrics(MeterRegistry registry) {
        return of(Objects.requireNonNull(registry, "registry"), null);
    }

    /** Spans only. */
    public static JangleObservability tracing(OpenTelemetry openTelemetry) {
        return of(null, Objects.requireNonNull(openTelemetry, "openTelemetry"));
    }

    @Override
    public void attach(Jangle jangle) {
        if (registry != null) BacklogGauges.register(registry, jangle);
    }

    // ======================= commands and appends =======================

    @Override
    public CommandActivity command(Command command, Class<?> aggregateType, Metadata metadata) {
        Meters.CommandMeters m = meters == null ? null : meters.command(command.getClass(), aggregateType);
        Span span = null;
        io.opentelemetry.context.Scope scope = null;
        if (tracer != null) {
            SpanBuilder builder = tracer.spanBuilder(COMMAND_SPAN.get(command.getClass())); // INTERNAL, current parent
            if (!metadata.entries().isEmpty() && !Span.current().getSpanContext().isValid()) {
                // a caller's traceparent in the metadata
                builder.setParent(W3C.extract(Context.current(), metadata.entries(), GETTER));
            }
            span = builder.startSpan();
            if (span.isRecording()) { // attributes only for sampled spans: an unsampled command stays cheap
                span.setAttribute(COMMAND_TYPE, SIMPLE_NAME.get(command.getClass()));
                span.setAttribute(AGGREGATE_TYPE, SIMPLE_NAME.get(aggregateType));
                span.setAttribute(AGGREGATE_ID, command.aggregateId());
                span.setAttribute(CORRELATION_ID, metadata.correlationId().toString());
            }
            scope = span.makeCurrent();
        }
        return new CommandRun(m, meters, span, span != null && span.isRecording() ? tracer : null, scope);
    }

    /**
     * What every timed activity with an optional span shares: the start, the outcome (set by the caller, "failed" on
     * an error) and the error recorded on the span. Subclasses record their meters and end the span in close().
     */
    private abstract static class SpanRun implements Activity {
        final Span span;
        final long started;
        String outcome;

        /** {@code timed}: a meter will record the duration (else the clock is not read: spans keep their own). */
        SpanRun(Span span, String outcome, boolean timed) {
            this.span = span;
            this.outcome = outcome;
            this.started = timed ? System.nanoTime() : 0L;
        }

        @Override
        public void outcome(String outcome) {
            this.outcome = outcome;
        }

        @Override
        public void failed(Throwable error) {
            outcome = "failed";
            if (span != null) {
                span.recordException(error);
                span.setStatus(StatusCode.ERROR, error.getClass().getSimpleName());
            }
        }
    }

    /** One command in progress. */
    private static final class CommandRun extends SpanRun implements CommandActivity {
        private final Meters.CommandMeters meters;
        private final Meters all;
        /** Set only when this command's span is sampled: its appends get spans of their own. */
        private final Tracer sampled;
        private final io.opentelemetry.context.Scope scope;
        private int conflicts;

        CommandRun(Meters.CommandMeters meters, Meters all, Span span, Tracer sampled,
                   io.opentelemetry.context.Scope scope) {
            super(span, "failed", meters != null);
            this.meters = meters;
            this.all = all;
            this.sampled = sampled;
            this.scope = scope;
        }

        @Override
        public Activity append(String aggregateId, int events) {
            Span appendSpan = sampled == null ? null : sampled.spanBuilder("append") // a child of the current command
                    .setAttribute(AGGREGATE_ID, aggregateId).setAttribute(EVENTS, (long) events).startSpan();
            if (all == null && appendSpan == null) return Activity.NONE;
            if (all != null) all.appendEvents.add(events);
            return new AppendRun(all, appendSpan);
        }

        @Override
        public Map<String, String> propagation() {
            if (span == null) return Map.of();
            SpanContext sc = span.getSpanContext();
            if (!sc.isValid()) return Map.of();
            if (sc.getTraceState().isEmpty()) { // what W3C's propagator writes, without its carrier and context
                return Map.of(TRACEPARENT, "00-" + sc.getTraceId() + '-' + sc.getSpanId() + '-'
                        + sc.getTraceFlags().asHex());
            }
            Map<String, String> carrier = new HashMap<>(4);
            W3C.inject(Context.current().with(span), carrier, SETTER);
            return carrier;
        }

        @Override
        public void conflict() {
            conflicts++;
            if (meters != null) meters.conflicts.increment(); // a LongAdder read by a FunctionCounter
        }

        @Override
        public void close() {
            if (meters != null) meters.timer(outcome).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            if (span != null) {
                if (span.isRecording()) span.setAttribute(OUTCOME, outcome);
                if (conflicts > 0) span.setAttribute(CONFLICTS, (long) conflicts);
                if (outcome.equals("exhausted")) span.setStatus(StatusCode.ERROR, "retries exhausted");
                scope.close();
                span.end();
            }
        }
    }

    @Override
    public void appendsCommitted(int appends) {
        if (meters != null) meters.appendGroup().record(appends);
    }

    /** One append: counted and timed with plain adders (read by function meters at scrape), and its span. */
    private static final class AppendRun extends SpanRun {
        private final Meters meters;

        AppendRun(Meters meters, Span span) {
            super(span, COMMITTED, meters != null);
            this.meters = meters;
        }

        @Override
        public void close() {
            if (meters != null) {
                long elapsed = System.nanoTime() - started;
                // the common outcome's adders are a field: no map lookup on the hot path
                (COMMITTED.equals(outcome) ? meters.committedAppends : meters.append(outcome)).record(elapsed);
            }
            if (span != null) { // made only under a sampled command
                span.setAttribute(OUTCOME, outcome);
                span.end();
            }
        }
    }

    /** A timed piece of work with an optional span (and scope): one timer per outcome family. */
    private static final class Timed extends SpanRun {
        private final Meters.OutcomeTimers timers;
        private final io.opentelemetry.context.Scope scope;

        Timed(Meters.OutcomeTimers timers, Span span, io.opentelemetry.context.Scope scope, String success) {
            super(span, success, timers != null);
            this.timers = timers;
            this.scope = scope;
        }

        @Override
        public void close() {
            if (timers != null) timers.get(outcome).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            if (span != null) {
                if (span.isRecording()) span.setAttribute(OUTCOME, outcome);
                if (scope != null) scope.close();
                span.end();
            }
        }
    }

    // ======================= handlers =======================

    @Override
    public Activity handler(String handler, EventRecord<?> record) {
        Meters.OutcomeTimers timers = meters == null ? null : meters.handler(handler);
        Span span = null;
        io.opentelemetry.context.Scope scope = null;
        if (tracer != null) {
            span = handlerSpan(handler, record);
            scope = span.makeCurrent();
        }
        return new Timed(timers, span, scope, SUCCESS);
    }

    /**
     * The started span of one handler for one event: a child of the command that committed it (from its metadata).
     * Attributes only when sampled: an unsampled span makes no strings.
     */
    private Span handlerSpan(String handler, EventRecord<?> record) {
        Context parent = W3C.extract(Context.root(), record.metadata().entries(), GETTER);
        Span span = tracer.spanBuilder(spanName(handlerSpans, handler, "handle ")).setParent(parent)
                .setSpanKind(SpanKind.CONSUMER).startSpan();
        if (span.isRecording()) {
            span.setAttribute(HANDLER, handler).setAttribute(EVENT_TYPE, record.type())
                    .setAttribute(EVENT_ID, record.eventId().toString())
                    .setAttribute(AGGREGATE_ID, record.aggregateId()).setAttribute(POSITION, record.position())
                    .setAttribute(CORRELATION_ID, record.metadata().correlationId().toString());
        }
        return span;
    }

    /** A span name made once per handler or saga step (no concatenation per call). */
    private static String spanName(Map<String, String> cache, String key, String prefix) {
        String name = cache.get(key);
        return name != null ? name : cache.computeIfAbsent(key, k -> prefix + k);
    }

    @Override
    public Activity handlerBatch(String handler, List<EventRecord<?>> records) {
        Meters.OutcomeTimers timers = null;
        if (meters != null) {
            meters.batchSize(handler).record(records.size());
            timers = meters.batch(handler);
        }
        List<Span> spans = null;
        if (tracer != null) {
            spans = new ArrayList<>(records.size()); // one span per event, each in its command's trace
            for (EventRecord<?> r : records) {
                Span s = handlerSpan(handler, r);
                if (s.isRecording()) s.setAttribute(EVENTS, (long) records.size());
                spans.add(s);
            }
        }
        return new BatchRun(timers, spans);
    }

    /** A projection batch: one timing, one span per event in its own trace. */
    private static final class BatchRun implements Activity {
        private final Meters.OutcomeTimers timers;
        private final List<Span> spans;
        private final long started;
        private String outcome = SUCCESS;
        private Throwable error;

        BatchRun(Meters.OutcomeTimers timers, List<Span> spans) {
            this.timers = timers;
            this.spans = spans;
            this.started = timers == null ? 0L : System.nanoTime();
        }

        @Override
        public void failed(Throwable error) {
            this.outcome = "failed";
            this.error = error;
        }

        @Override
        public void close() {
            if (timers != null) timers.get(outcome).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            if (spans == null) return;
            for (Span s : spans) {
                if (s.isRecording()) s.setAttribute(OUTCOME, outcome);
                if (error != null) s.setStatus(StatusCode.ERROR, "batch failed; its events run one by one");
                s.end();
            }
        }
    }

    @Override
    public void deliveryFailed(String handler, boolean dead) {
        if (meters != null) meters.failure(handler, dead).increment();
    }

    // ======================= sagas =======================

    @Override
    public Activity sagaStep(String sagaType, String sagaId, String receiver, Metadata source) {
        Meters.OutcomeTimers timers = meters == null ? null : meters.sagaStep(sagaType, receiver);
        Span span = null;
        io.opentelemetry.context.Scope scope = null;
        if (tracer != null) {
            Context parent = Context.current();
            if (!Span.fromContext(parent).getSpanContext().isValid() && source != null) {
                parent = W3C.extract(Context.root(), source.entries(), GETTER); // a daemon retry: continue the trace
            }
            span = tracer.spanBuilder(spanName(sagaSpans, sagaType + "." + receiver, "saga ")).setParent(parent)
                    .startSpan();
            if (span.isRecording()) {
                span.setAttribute(SAGA_TYPE, sagaType).setAttribute(SAGA_ID, sagaId).setAttribute(RECEIVER, receiver);
            }
            scope = span.makeCurrent();
        }
        return new Timed(timers, span, scope, SUCCESS);
    }

    // ======================= aggregates, snapshots, daemons =======================

    @Override
    public void aggregateCache(boolean hit) {
        if (meters != null) (hit ? meters.cacheHits : meters.cacheMisses).increment(); // LongAdders
    }

    @Override
    public boolean timesRebuilds() {
        return meters != null;
    }

    @Override
    public void aggregateRebuilt(Class<?> aggregateType, long events, long nanos) {
        if (meters != null) meters.rebuild(aggregateType).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void snapshotWritten(Class<?> aggregateType) {
        if (meters != null) meters.snapshot(aggregateType).increment(); // a LongAdder
    }

    @Override
    public void daemonPass(String daemon, int attempted, int failed) {
        if (meters == null) return;
        meters.daemon(daemon).record(attempted);
        if (failed > 0) meters.daemonFailures(daemon).increment(failed);
    }

    /**
     * Every meter this instance made on the command and dispatch paths, cached per tag set. The adders behind function
     * meters ({@link Counted}) belong to the first instance on a registry and are shared by a copy with other
     * percentiles; the other meters the registry itself returns to whoever registers them again.
     */
    static final class Meters {
        private final MeterRegistry registry;
        private final Map<Class<?>, CommandMeters> commands = new ConcurrentHashMap<>();
        private final Map<String, OutcomeTimers> handlers = new ConcurrentHashMap<>();
        private final Map<String, OutcomeTimers> batches = new ConcurrentHashMap<>();
        private final Map<String, DistributionSummary> batchSizes = new ConcurrentHashMap<>();
        private final Map<String, Counter> failures = new ConcurrentHashMap<>();
        private final Map<String, OutcomeTimers> sagaSteps = new ConcurrentHashMap<>();
        private final Map<Class<?>, Timer> rebuilds = new ConcurrentHashMap<>();
        private final Map<String, DistributionSummary> daemons = new ConcurrentHashMap<>();
        private final Map<String, Counter> daemonFailures = new ConcurrentHashMap<>();
        private volatile DistributionSummary appendGroup; // made on the first commit a durable store reports
        private final Counted counted;
        final LongAdder appendEvents;
        final Adders committedAppends;
        final LongAdder cacheHits;
        final LongAdder cacheMisses;

        /*
         * The command path's per-command meters other than the command timer are plain LongAdders that function
         * meters read when scraped: an increment is a few nanoseconds, with no step or window bookkeeping.
         */
        private final boolean percentiles;

        Meters(MeterRegistry registry, boolean percentiles) {
            this(registry, percentiles, null);
        }

        /** {@code base}'s function meters, with percentiles as given on the timers this copy makes. */
        Meters(Meters base, boolean percentiles) {
            this(base.registry, percentiles, base.counted);
        }

        private Meters(MeterRegistry registry, boolean percentiles, Counted shared) {
            this.registry = registry;
            this.percentiles = percentiles;
            this.counted = shared != null ? shared : new Counted();
            appendEvents = counted.appendEvents;
            cacheHits = counted.cacheHits;
            cacheMisses = counted.cacheMisses;
            if (shared == null) {
                FunctionCounter.builder("jangle.append.events", appendEvents, LongAdder::sum)
                        .description("Events appended (divide by jangle.appends' count for events per append)")
                        .baseUnit("events").register(registry);
                cache("hit", cacheHits);
                cache("miss", cacheMisses);
            }
            committedAppends = append(COMMITTED); // registered only by the first
        }

        /**
         * The adders that function meters read at scrape. Micrometer keeps the first function meter registered under
         * a name, so they are made and registered once and shared by a copy with other percentiles (OB10).
         */
        private static final class Counted {
            final LongAdder appendEvents = new LongAdder();
            final LongAdder cacheHits = new LongAdder();
            final LongAdder cacheMisses = new LongAdder();
            final Map<String, Adders> appendsByOutcome = new ConcurrentHashMap<>();
            final Map<Class<?>, LongAdder> snapshots = new ConcurrentHashMap<>();
        }

        private void cache(String result, LongAdder adder) {
            FunctionCounter.builder("jangle.aggregate.cache", adder, LongAdder::sum)
                    .description("Aggregate cache lookups by the command path").tag("result", result)
                    .register(registry);
        }

        /** Count and total time of the appends with one outcome. */
        static final class Adders {
            final LongAdder count = new LongAdder();
            final LongAdder nanos = new LongAdder();

            void record(long elapsed) {
                count.increment();
                nanos.add(elapsed);
            }
        }

        Adders append(String outcome) {
            Adders a = counted.appendsByOutcome.get(outcome);
            if (a != null) return a;
            return counted.appendsByOutcome.computeIfAbsent(outcome, o -> {
                Adders made = new Adders();
                FunctionTimer.builder("jangle.appends", made, x -> x.count.sum(), x -> x.nanos.sum(),
                                TimeUnit.NANOSECONDS)
                        .description("Atomic appends of a command's events, by outcome (committed, conflict, failed)")
                        .tag("outcome", o).register(registry);
                return made;
            });
        }

        DistributionSummary appendGroup() {
            DistributionSummary d = appendGroup;
            if (d == null) { // registering twice returns the same meter
                appendGroup = d = DistributionSummary.builder("jangle.append.group.size")
                        .description("Appends committed together in one commit of the event store (group commit, G5)")
                        .baseUnit("appends").register(registry);
            }
            return d;
        }

        CommandMeters command(Class<?> commandType, Class<?> aggregateType) {
            CommandMeters m = commands.get(commandType);
            return m != null ? m : commands.computeIfAbsent(commandType,
                    t -> new CommandMeters(registry, t.getSimpleName(), aggregateType.getSimpleName(), percentiles));
        }

        OutcomeTimers handler(String handler) {
            OutcomeTimers t = handlers.get(handler);
            return t != null ? t : handlers.computeIfAbsent(handler, h -> new OutcomeTimers(o -> Timer.builder(
                            "jangle.handler.invocations").description("Handler invocations for one event, by outcome")
                    .tag("handler", h).tag("outcome", o).publishPercentiles(percentiles ? new double[]{0.5, 0.99}
                            : new double[0]).register(registry)));
        }

        OutcomeTimers batch(String handler) {
            OutcomeTimers t = batches.get(handler);
            return t != null ? t : batches.computeIfAbsent(handler, h -> new OutcomeTimers(o -> Timer.builder(
                            "jangle.handler.batches").description("Projection calls for a batch of events, by outcome")
                    .tag("handler", h).tag("outcome", o).register(registry)));
        }

        DistributionSummary batchSize(String handler) {
            DistributionSummary d = batchSizes.get(handler);
            return d != null ? d : batchSizes.computeIfAbsent(handler, h -> DistributionSummary
                    .builder("jangle.handler.batch.size").description("Events per projection batch")
                    .baseUnit("events").tag("handler", h).register(registry));
        }

        Counter failure(String handler, boolean dead) {
            String key = handler + (dead ? "\u0000dead" : "\u0000retry");
            Counter c = failures.get(key);
            return c != null ? c : failures.computeIfAbsent(key, k -> Counter.builder("jangle.handler.failures")
                    .description("Events parked for the handler after its in-line attempts failed, and failed retries of "
                            + "parked events; result=retry: pending a retry, result=dead: a dead letter")
                    .tag("handler", handler).tag("result", dead ? "dead" : "retry").register(registry));
        }

        OutcomeTimers sagaStep(String sagaType, String receiver) {
            String key = sagaType + "\u0000" + receiver;
            OutcomeTimers t = sagaSteps.get(key);
            return t != null ? t : sagaSteps.computeIfAbsent(key, k -> new OutcomeTimers(o -> Timer.builder(
                            "jangle.saga.steps").description("Saga receiver runs, by outcome (success, rejected, failed)")
                    .tag("saga", sagaType).tag("receiver", receiver).tag("outcome", o).register(registry)));
        }

        Timer rebuild(Class<?> aggregateType) {
            Timer t = rebuilds.get(aggregateType);
            return t != null ? t : rebuilds.computeIfAbsent(aggregateType, a -> Timer.builder("jangle.aggregate.rebuild")
                    .description("Rebuilding an aggregate from its snapshot and events (cache misses)")
                    .tag("aggregate", a.getSimpleName()).register(registry));
        }

        LongAdder snapshot(Class<?> aggregateType) {
            LongAdder c = counted.snapshots.get(aggregateType);
            return c != null ? c : counted.snapshots.computeIfAbsent(aggregateType, a -> {
                LongAdder made = new LongAdder();
                FunctionCounter.builder("jangle.snapshots.written", made, LongAdder::sum).description("Snapshots written")
                        .tag("aggregate", a.getSimpleName()).register(registry);
                return made;
            });
        }

        DistributionSummary daemon(String daemon) {
            return daemons.computeIfAbsent(daemon, d -> DistributionSummary.builder("jangle.daemon.passes")
                    .description("Daemon passes and the work each attempted").baseUnit("items").tag("daemon", d)
                    .register(registry));
        }

        Counter daemonFailures(String daemon) {
            return daemonFailures.computeIfAbsent(daemon, d -> Counter.builder("jangle.daemon.failures")
                    .description("Work that failed in daemon passes").tag("daemon", d).register(registry));
        }

        /** Timers of one tag set, one per outcome, made on first use. */
        static final class OutcomeTimers {
            private final java.util.function.Function<String, Timer> factory;
            private final Map<String, Timer> byOutcome = new ConcurrentHashMap<>(8);

            OutcomeTimers(java.util.function.Function<String, Timer> factory) {
                this.factory = factory;
            }

            private volatile Timer success; // the common outcome's timer, kept out of the map lookup

            Timer get(String outcome) {
                if (SUCCESS.equals(outcome)) { // the common outcome
                    Timer t = success;
                    if (t == null) success = t = byOutcome.computeIfAbsent(SUCCESS, factory);
                    return t;
                }
                Timer t = byOutcome.get(outcome);
                return t != null ? t : byOutcome.computeIfAbsent(outcome, factory);
            }
        }

        /** One command type's meters. */
        static final class CommandMeters {
            private final OutcomeTimers timers;
            private volatile Timer accepted; // the common outcome's timer, kept out of the map lookup
            final LongAdder conflicts = new LongAdder();

            CommandMeters(MeterRegistry registry, String type, String aggregate, boolean percentiles) {
                // percentiles over a one-minute window kept in one buffer (not Micrometer's default three): a
                // sample is recorded into one histogram, which keeps the timer cheap on the command path
                this.timers = new OutcomeTimers(o -> Timer.builder("jangle.commands")
                        .description("Commands by type and outcome (accepted, rejected, exhausted, failed)")
                        .tag("type", type).tag("aggregate", aggregate).tag("outcome", o)
                        .publishPercentiles(percentiles ? new double[]{0.5, 0.95, 0.99} : new double[0])
                        .distributionStatisticBufferLength(1)
                        .distributionStatisticExpiry(java.time.Duration.ofMinutes(1)).register(registry));
                FunctionCounter.builder("jangle.command.conflicts", conflicts, LongAdder::sum)
                        .description("Version conflicts retried on fresh state (H2)").tag("type", type)
                        .tag("aggregate", aggregate).register(registry);
            }

            Timer timer(String outcome) {
                if (!ACCEPTED.equals(outcome)) return timers.get(outcome);
                Timer t = accepted;
                if (t == null) accepted = t = timers.get(ACCEPTED); // the same timer if two threads race
                return t;
            }
        }
    }
}
