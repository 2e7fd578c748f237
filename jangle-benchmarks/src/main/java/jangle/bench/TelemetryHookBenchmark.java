package jangle.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import jangle.Metadata;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The telemetry hooks a command calls, alone, in nanoseconds: cache lookup, command activity (with its trace
 * context for the events), append activity, outcome, close. A busy machine scatters whole-command throughput by
 * ±50 %; the hooks' own cost is a steadier number, and divided by a command's time it gives the overhead ratio.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TelemetryHookBenchmark {
    @Param({"none", "metrics", "metrics-pct", "tracing-10pct", "tracing"})
    String telemetry;

    private Telemetry hooks;
    private OpenTelemetrySdk sdk;
    private final BenchAccount.Deposit command = new BenchAccount.Deposit("000001", new BigDecimal("1.00"));
    private final Metadata metadata = Metadata.of(UUID.randomUUID());

    @Setup(Level.Trial)
    public void setUp() {
        SimpleMeterRegistry registry = telemetry.startsWith("metrics") ? new SimpleMeterRegistry() : null;
        if (telemetry.startsWith("tracing")) {
            SpanExporter dropping = new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> spans) {
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
                    .setSampler(telemetry.equals("tracing-10pct")
                            ? Sampler.parentBased(Sampler.traceIdRatioBased(0.1)) : Sampler.alwaysOn())
                    .addSpanProcessor(BatchSpanProcessor.builder(dropping).build()).build()).build();
        }
        hooks = registry == null && sdk == null ? Telemetry.NONE
                : telemetry.equals("metrics-pct") ? JangleObservability.of(registry, null).withPercentiles()
                : JangleObservability.of(registry, sdk);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (sdk != null) sdk.close();
    }

    @Benchmark
    public Map<String, String> oneCommandsHooks() {
        hooks.aggregateCache(true);
        Telemetry.CommandActivity c = hooks.command(command, BenchAccount.class, metadata);
        Map<String, String> carried = c.propagation();
        Telemetry.Activity a = c.append("000001", 1);
        a.close();
        c.outcome("accepted");
        c.close();
        return carried;
    }
}
