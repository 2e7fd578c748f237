package jangle.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import jangle.CommandResponse;
import jangle.Jangle;
import jangle.JangleBuilder;
import jangle.Telemetry;
import jangle.observability.JangleObservability;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Issue 13's overhead figure: {@link CommandThroughputBenchmark}'s workload (one thread, 1,000 aggregates, deposits
 * and withdrawals) with {@code telemetry} = {@code none} (the bare anchor), {@code metrics} (Micrometer, a
 * {@link SimpleMeterRegistry}), {@code metrics-pct} (the same with client-side percentiles, {@code withPercentiles()}), {@code tracing} (the OpenTelemetry SDK sampling every span into a batch processor
 * whose exporter drops them), {@code tracing-10pct} (the same, sampling one trace in ten, parent-based: the usual
 * production setting) or {@code both} (metrics and every span); on {@code store} = {@code memory} (the figure with its ≥ 0.9 target)
 * or {@code sqlite} (the durable pipeline). Run all cases in one JMH run so the ratios are side by side.
 *
 * <p>{@code span-floor} is not Jangle's telemetry: it only starts, makes current and ends one span per command with
 * {@code tracing-10pct}'s SDK set-up, with no attributes, no trace context in the events and no meters. It is the
 * least any span per command costs through the OpenTelemetry SDK, so it bounds what {@code tracing-10pct} can reach.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class InstrumentedCommandBenchmark {
    @Param({"none", "metrics", "metrics-pct", "tracing", "tracing-10pct", "span-floor", "both"})
    String telemetry;

    @Param({"memory"})
    String store;

    private BenchStore opened;
    private OpenTelemetrySdk sdk;
    private final LongAdder exported = new LongAdder();
    private Jangle jangle;
    private String[] ids;
    private SplittableRandom random;
    private BigDecimal[] amounts;

    @Setup(Level.Iteration)
    public void setUp() {
        opened = BenchStore.open(store);
        SimpleMeterRegistry registry = telemetry.startsWith("metrics") || telemetry.equals("both")
                ? new SimpleMeterRegistry() : null;
        sdk = null;
        if (telemetry.startsWith("tracing") || telemetry.equals("span-floor") || telemetry.equals("both")) {
            SpanExporter dropping = new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> spans) {
                    exported.add(spans.size());
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            };
            sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                    .setSampler(telemetry.equals("tracing-10pct") || telemetry.equals("span-floor")
                            ? Sampler.parentBased(Sampler.traceIdRatioBased(0.1)) : Sampler.alwaysOn())
                    .addSpanProcessor(BatchSpanProcessor.builder(dropping).build()).build()).build();
        }
        Telemetry t = registry == null && sdk == null ? Telemetry.NONE
                : telemetry.equals("span-floor") ? new SpanFloor(sdk.getTracer("floor"))
                : telemetry.equals("metrics-pct") ? JangleObservability.of(registry, null).withPercentiles()
                : JangleObservability.of(registry, sdk);
        JangleBuilder builder = opened.configure(Jangle.builder().environment(Map.of()))
                .commands(BenchAccount.Cmd.class).events(BenchAccount.Evt.class)
                .aggregate(BenchAccount.class, BenchAccount::new)
                .telemetry(t);
        jangle = builder.build();
        ids = new String[1000];
        for (int i = 0; i < ids.length; i++) ids[i] = String.format("%06d", i + 1);
        amounts = new BigDecimal[]{new BigDecimal("1.00"), new BigDecimal("5.50"), new BigDecimal("20.00")};
        random = new SplittableRandom(42);
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
        jangle.close();
        if (sdk != null) sdk.close();
        opened.close();
    }

    @Benchmark
    public CommandResponse depositOrWithdraw() {
        String id = ids[random.nextInt(ids.length)];
        BigDecimal amount = amounts[random.nextInt(amounts.length)];
        return random.nextBoolean()
                ? jangle.send(new BenchAccount.Deposit(id, amount))
                : jangle.send(new BenchAccount.Withdraw(id, amount));
    }

    /** One bare span per command and nothing else: the SDK's own floor (see the class comment). */
    private static final class SpanFloor implements Telemetry {
        private final io.opentelemetry.api.trace.Tracer tracer;

        SpanFloor(io.opentelemetry.api.trace.Tracer tracer) {
            this.tracer = tracer;
        }

        @Override
        public CommandActivity command(jangle.Command command, Class<?> aggregateType, jangle.Metadata metadata) {
            io.opentelemetry.api.trace.Span span = tracer.spanBuilder("command").startSpan();
            io.opentelemetry.context.Scope scope = span.makeCurrent();
            return new CommandActivity() {
                @Override
                public void close() {
                    scope.close();
                    span.end();
                }
            };
        }
    }
}
