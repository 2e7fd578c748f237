package jangle.observability;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import jangle.EventRecord;
import jangle.Jangle;
import jangle.Telemetry;
import jangle.observability.ProcessorMetersTest.Bump;
import jangle.observability.ProcessorMetersTest.Bumped;
import jangle.observability.ProcessorMetersTest.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OB9 (docs/observability.md): the trimmed span path keeps the trace shape. A command's events carry the W3C
 * {@code traceparent} of its span (sampled flag 01, unsampled 00), the append and the handler spans are its children,
 * an unsampled command records no span but still propagates its decision, and a no-op OpenTelemetry adds nothing.
 */
class TraceHooksTest {
    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private OpenTelemetrySdk sdk;
    private Jangle app;

    @AfterEach
    void close() {
        if (app != null) app.close();
        if (sdk != null) sdk.close();
    }

    private Jangle start(Telemetry telemetry) {
        app = Jangle.builder().environment(Map.of()).processorSegments(1)
                .failedEventsRetryInterval(Duration.ofHours(1)).sagaRetryInterval(Duration.ofHours(1))
                .commands(ProcessorMetersTest.Cmd.class).events(ProcessorMetersTest.Evt.class)
                .aggregate(Counter.class, Counter::new)
                .reactor("audit", Bumped.class, (record, context) ->
                        handled.add(record.metadata().entries().getOrDefault("traceparent", "none")))
                .telemetry(telemetry).build();
        app.start();
        return app;
    }

    private OpenTelemetrySdk sdk(Sampler sampler) {
        sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().setSampler(sampler)
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
        return sdk;
    }

    private String sendAndAwaitHandler() throws InterruptedException {
        app.send(new Bump("a"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (handled.isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(handled).as("the handler ran").hasSize(1);
        try (var s = app.stores().events().read("a", 0)) {
            List<EventRecord<?>> all = s.toList();
            return all.get(0).metadata().entries().get("traceparent");
        }
    }

    /** What OpenTelemetry's W3C propagator writes for {@code context}: the reference the hook must match. */
    private static String w3c(SpanContext context) {
        Map<String, String> carrier = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(context)), carrier,
                (c, k, v) -> c.put(k, v));
        return carrier.get("traceparent");
    }

    private SpanData span(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (SpanData d : exporter.getFinishedSpanItems()) if (d.getName().equals(name)) return d;
            Thread.sleep(5);
        }
        throw new AssertionError("no span named " + name + " in " + exporter.getFinishedSpanItems());
    }

    @Test
    @Tag("OB9")
    @DisplayName("OB9: a sampled command's traceparent is in its events; append and handler spans are its children")
    void sampled() throws Exception {
        start(JangleObservability.tracing(sdk(Sampler.alwaysOn())));
        String traceparent = sendAndAwaitHandler();
        SpanData command = span("command Bump");
        SpanData append = span("append");
        SpanData handler = span("handle audit");
        assertThat(traceparent).isEqualTo(w3c(command.getSpanContext())).isEqualTo(handled.get(0))
                .startsWith("00-" + command.getTraceId() + "-" + command.getSpanId() + "-");
        assertThat(command.getSpanContext().isSampled()).isTrue();
        assertThat(append.getParentSpanId()).isEqualTo(command.getSpanId());
        assertThat(handler.getTraceId()).isEqualTo(command.getTraceId());
        assertThat(handler.getParentSpanId()).isEqualTo(command.getSpanId());
        assertThat(handler.getAttributes().get(JangleObservability.HANDLER)).isEqualTo("audit");
        assertThat(command.getAttributes().get(JangleObservability.OUTCOME)).isEqualTo("accepted");
        assertThat(handler.getAttributes().get(JangleObservability.OUTCOME)).isEqualTo("success");
    }

    @Test
    @Tag("OB9")
    @DisplayName("OB9: an unsampled command records no span but carries its decision (flags 00) to its handlers")
    void unsampled() throws Exception {
        start(JangleObservability.tracing(sdk(Sampler.parentBased(Sampler.alwaysOff()))));
        String traceparent = sendAndAwaitHandler();
        assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
        SpanContext carried = SpanContext.createFromRemoteParent(traceparent.substring(3, 35),
                traceparent.substring(36, 52), TraceFlags.fromHex(traceparent, 53), TraceState.getDefault());
        assertThat(carried.isSampled()).as("the unsampled decision travels").isFalse();
        assertThat(traceparent).isEqualTo(w3c(carried)); // the propagator's own text for that context
        Thread.sleep(100); // give a wrongly sampled span time to be exported
        assertThat(exporter.getFinishedSpanItems()).isEmpty();
    }

    @Test
    @Tag("OB9")
    @DisplayName("OB9: a no-op OpenTelemetry makes no span work and adds no traceparent")
    void noop() throws Exception {
        start(JangleObservability.tracing(OpenTelemetry.noop()));
        assertThat(sendAndAwaitHandler()).isNull();
        assertThat(handled).containsExactly("none");
    }
}
