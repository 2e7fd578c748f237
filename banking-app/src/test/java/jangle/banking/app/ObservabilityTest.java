package jangle.banking.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import jangle.CommandResponse;
import jangle.Health;
import jangle.SendOptions;
import jangle.banking.AcceptRequest;
import jangle.banking.BankingDomain;
import jangle.banking.CreateAccount;
import jangle.banking.Request;
import jangle.banking.Transfer;
import jangle.banking.TransferMediator;
import jangle.banking.app.views.BankViews;
import jangle.observability.JangleObservability;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OB1–OB3 (docs/observability.md): spans of a transfer and of a request saga form one tree per trace across a
 * restart (the handlers run in a second application, with a second tracer, after the first closed), and the meters
 * and the health report follow the ledger.
 */
class ObservabilityTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    /** Forwards to {@link #exporter} but survives each SDK's shutdown, so spans of every "process" stay readable. */
    private final SpanExporter shared = new SpanExporter() {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return exporter.export(spans);
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

    /** A fresh SDK per application, as a restarted process would have; all export to the one in-memory exporter. */
    private OpenTelemetrySdk sdk() {
        return OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(shared)).build()).build();
    }

    private BankingApplication open(OpenTelemetrySdk sdk, MeterRegistry registry) {
        BankingConfig config = BankingConfig.sqlite(dir.resolve("bank.db")).withEnvironment(Map.of());
        return BankingApplication.open(config, b -> b.telemetry(JangleObservability.of(registry, sdk)));
    }

    private static CommandResponse send(BankingApplication app, jangle.Command c, UUID correlation) {
        CommandResponse r = app.jangle().send(c, SendOptions.NONE.withCorrelationId(correlation));
        assertThat(r.isAccepted()).as("%s: %s", c, r).isTrue();
        return r;
    }

    @Test
    @Tag("OB1")
    @Tag("OB2")
    @DisplayName("OB1 OB2: a transfer and a request saga are one trace each, continued after a restart from the event metadata")
    void tracesCrossARestart() throws IOException {
        String a;
        String b;
        try (OpenTelemetrySdk sdk = sdk(); BankingApplication app = open(sdk, null)) {
            app.start();
            UUID c = UUID.randomUUID();
            a = send(app, new CreateAccount("Ada Lovelace", new BigDecimal("100"), null), c).acceptedData(String.class);
            b = send(app, new CreateAccount("Bob Builder", null, null), c).acceptedData(String.class);
            app.jangle().awaitSettled(c, WAIT);
        }
        exporter.reset();

        UUID transferCorrelation = UUID.randomUUID();
        UUID requestCorrelation = UUID.randomUUID();
        String tx = "req-obs-1";
        // before the restart: commands commit, dispatch never starts, deliveries wait in the ledger
        try (OpenTelemetrySdk sdk = sdk(); BankingApplication app = open(sdk, null)) {
            send(app, new Transfer(a, b, new BigDecimal("10"), "tr-obs-1"), transferCorrelation);
            send(app, new Request(b, a, new BigDecimal("5"), tx), requestCorrelation);
        }
        Set<String> beforeRestart = exporter.getFinishedSpanItems().stream().map(SpanData::getSpanId)
                .collect(Collectors.toSet());
        assertThat(beforeRestart).hasSize(4); // two commands and their appends

        UUID acceptCorrelation = UUID.randomUUID();
        try (OpenTelemetrySdk sdk = sdk(); BankingApplication app = open(sdk, null)) {
            app.start(); // the catch-up pass runs the mediator, the views and the saga
            app.jangle().awaitSettled(transferCorrelation, WAIT);
            app.jangle().awaitSettled(requestCorrelation, WAIT);
            send(app, new AcceptRequest(a, tx), acceptCorrelation);
            app.jangle().awaitSettled(acceptCorrelation, WAIT);
        }
        List<SpanData> spans = exporter.getFinishedSpanItems();

        // the transfer: command → mediator (after the restart) → credit → views, all in one trace
        SpanData transfer = only(spans, "command Transfer");
        List<SpanData> trace = inTrace(spans, transfer);
        String tree = tree(trace);
        Files.writeString(Path.of("target", "transfer-trace.txt"), tree);
        SpanData mediator = child(trace, transfer, "handle " + TransferMediator.NAME);
        assertThat(beforeRestart).doesNotContain(mediator.getSpanId());
        SpanData credit = child(trace, mediator, "command CreditTransfer");
        child(trace, credit, "append");
        child(trace, transfer, "append");
        assertThat(children(trace, transfer)).extracting(SpanData::getName).contains("handle " + BankViews.NAME);
        assertThat(children(trace, credit)).extracting(SpanData::getName).contains("handle " + BankViews.NAME);
        assertThat(trace).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(transfer.getTraceId()));

        // the request: command → saga (after the restart) → step → approval request → views
        SpanData request = only(spans, "command Request");
        List<SpanData> requestTrace = inTrace(spans, request);
        Files.writeString(Path.of("target", "request-trace.txt"), tree(requestTrace));
        SpanData sagaHandler = child(requestTrace, request, "handle " + BankingDomain.REQUEST_SAGA_HANDLER);
        assertThat(beforeRestart).doesNotContain(sagaHandler.getSpanId());
        SpanData step = children(requestTrace, sagaHandler).stream().filter(s -> s.getName().startsWith("saga "))
                .findFirst().orElseThrow(() -> new AssertionError("no saga step under the saga's handler:\n"
                        + tree(requestTrace)));
        child(requestTrace, step, "command GetRequestApproval");

        // the approval is the funding customer's own action: its trace runs the saga's debit and credit steps
        SpanData accept = only(spans, "command AcceptRequest");
        List<SpanData> acceptTrace = inTrace(spans, accept);
        Files.writeString(Path.of("target", "accept-trace.txt"), tree(acceptTrace));
        assertThat(acceptTrace).extracting(SpanData::getName)
                .contains("handle " + BankingDomain.REQUEST_SAGA_HANDLER, "command DebitRequest", "command CreditRequest");
    }

    @Test
    @Tag("OB3")
    @DisplayName("OB3: meters count commands by outcome and follow the processors; health reports lag and dead letters")
    void metersAndHealth() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (BankingApplication app = open(null, registry)) {
            UUID c = UUID.randomUUID();
            String a = send(app, new CreateAccount("Ada Lovelace", new BigDecimal("100"), null), c).acceptedData(String.class);
            String b = send(app, new CreateAccount("Bob Builder", null, null), c).acceptedData(String.class);
            send(app, new Transfer(a, b, new BigDecimal("10"), null), c);
            CommandResponse rejected = app.jangle().send(new Transfer(a, b, new BigDecimal("1000"), null));
            assertThat(rejected.isAccepted()).isFalse();

            assertThat(registry.get("jangle.commands").tags("type", "Transfer", "outcome", "accepted").timer()
                    .count()).isEqualTo(1);
            assertThat(registry.get("jangle.commands").tags("type", "Transfer", "outcome", "rejected").timer()
                    .count()).isEqualTo(1);
            assertThat(registry.get("jangle.appends").tag("outcome", "committed").functionTimer().count())
                    .isEqualTo(3);
            // not started: the events wait behind the processors' checkpoints (D1: nothing is written for dispatch),
            // so nothing is parked and no processor is stored yet (no processor gauges)
            double pending = registry.get("jangle.handler.pending").tag("handler", TransferMediator.NAME).gauge()
                    .value();
            assertThat(pending).isZero();
            registry.scrape();
            assertThat(registry.find("jangle.processor.checkpoint").gauges()).isEmpty();
            assertThat(registry.get("jangle.feed.position").gauge().value()).isGreaterThanOrEqualTo(3.0);
            Health notStarted = app.jangle().operations().health(Health.Policy.server());
            assertThat(notStarted).isInstanceOf(Health.Down.class);
            assertThat(notStarted.live()).isFalse();

            app.start();
            app.jangle().awaitSettled(c, WAIT);
            assertThat(registry.get("jangle.handler.invocations").tags("handler", TransferMediator.NAME,
                    "outcome", "success").timer().count()).isEqualTo(1);
            // the catch-up pass ran the waiting deliveries one by one; live dispatch batches the views
            UUID live = UUID.randomUUID();
            send(app, new Transfer(a, b, new BigDecimal("1"), null), live);
            app.jangle().awaitSettled(live, WAIT);
            assertThat(registry.get("jangle.handler.batch.size").tag("handler", BankViews.NAME).summary()
                    .count()).isGreaterThanOrEqualTo(1);
            // started: one checkpoint and lag gauge per segment of each processor (OB8)
            long until = System.nanoTime() + WAIT.toNanos();
            while (registry.find("jangle.processor.checkpoint").tag("processor", BankViews.NAME).gauges().size() < 4
                    && System.nanoTime() < until) {
                registry.scrape();
                Thread.sleep(50);
            }
            assertThat(registry.find("jangle.processor.checkpoint").tag("processor", BankViews.NAME).gauges())
                    .hasSize(app.jangle().settings().processorSegments());
            assertThat(registry.find("jangle.processor.lag.events").tag("processor", TransferMediator.NAME).gauges())
                    .isNotEmpty().allSatisfy(g -> assertThat(g.value()).isGreaterThanOrEqualTo(0));
            Health up = app.jangle().operations().health(Health.Policy.server());
            assertThat(up).as("%s", up).isInstanceOf(Health.Up.class);
            assertThat(up.checks()).extracting(Health.Check::name)
                    .contains("dispatch", "event-daemon", "saga-daemon", "store", "sagas");
            System.gc(); // the gauges' state must survive a collection (Micrometer holds gauge objects weakly)
            assertThat(registry.get("jangle.handler.pending").tag("handler", BankViews.NAME).gauge().value())
                    .isNotNaN(); // a collected state object reads NaN
            Files.writeString(Path.of("target", "sample-scrape.txt"), registry.scrape()); // docs/observability.md
        }
    }

    // ---- span tree helpers ----

    private static SpanData only(List<SpanData> spans, String name) {
        List<SpanData> found = spans.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(found).as("spans named %s", name).hasSize(1);
        return found.get(0);
    }

    private static List<SpanData> inTrace(List<SpanData> spans, SpanData member) {
        return spans.stream().filter(s -> s.getTraceId().equals(member.getTraceId())).toList();
    }

    private static List<SpanData> children(List<SpanData> trace, SpanData parent) {
        return trace.stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId()))
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
    }

    private static SpanData child(List<SpanData> trace, SpanData parent, String name) {
        return children(trace, parent).stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + name + "' under '" + parent.getName() + "' in:\n"
                        + tree(trace)));
    }

    /** The trace as an indented tree, roots first, children by start time (the picture in docs/observability.md). */
    static String tree(List<SpanData> trace) {
        Set<String> ids = trace.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
        StringBuilder out = new StringBuilder();
        trace.stream().filter(s -> !ids.contains(s.getParentSpanId()))
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
                .forEach(root -> print(trace, root, "", true, true, out));
        return out.toString();
    }

    private static void print(List<SpanData> trace, SpanData span, String indent, boolean last, boolean root,
                              StringBuilder out) {
        out.append(indent).append(root ? "" : last ? "└─ " : "├─ ").append(span.getName());
        var attrs = span.getAttributes().asMap();
        List<String> shown = new ArrayList<>();
        attrs.forEach((k, v) -> {
            if (k.getKey().equals("jangle.outcome") || k.getKey().equals("jangle.event.type")) shown.add(v.toString());
        });
        if (!shown.isEmpty()) out.append("  [").append(String.join(", ", shown)).append(']');
        out.append('\n');
        List<SpanData> kids = children(trace, span);
        for (int i = 0; i < kids.size(); i++) {
            print(trace, kids.get(i), root ? "" : indent + (last ? "   " : "│  "), i == kids.size() - 1, false, out);
        }
    }
}
