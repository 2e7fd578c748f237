package jangle.banking.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import jangle.Health;
import jangle.Jangle;
import jangle.Telemetry;
import jangle.observability.JangleObservability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The bank's meters and traces. Meters always go to a {@link PrometheusMeterRegistry}, whose text is
 * {@link #scrape()} (an HTTP server serves it at {@code /metrics}). Traces are exported over OTLP only when
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set; the SDK is then configured from the standard {@code OTEL_*} variables
 * (service name, protocol, headers, sampler) by OpenTelemetry's autoconfigure module, with its metric and log
 * exporters off unless asked for (metrics are Prometheus's job here). Without the variable no SDK is made and no
 * span is created.
 */
public final class BankObservability implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("jangle.banking.app");
    static final String ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private final PrometheusMeterRegistry registry;
    private final OpenTelemetrySdk sdk;
    private volatile Jangle jangle;

    private BankObservability(PrometheusMeterRegistry registry, OpenTelemetrySdk sdk) {
        this.registry = registry;
        this.sdk = sdk;
    }

    /** A Prometheus registry, and an OTLP-exporting SDK when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is in {@code env}. */
    public static BankObservability fromEnvironment(Map<String, String> env) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        String endpoint = env.get(ENDPOINT);
        if (endpoint == null || endpoint.isBlank()) return new BankObservability(registry, null);
        Map<String, String> properties = new HashMap<>();
        properties.put("otel.service.name", "jangle-bank");
        properties.put("otel.metrics.exporter", "none");
        properties.put("otel.logs.exporter", "none");
        env.forEach((k, v) -> {
            if (k.startsWith("OTEL_")) properties.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
        });
        routeSdkLogs();
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder().disableShutdownHook()
                .addPropertiesSupplier(() -> properties).build().getOpenTelemetrySdk();
        LOG.atInfo().addKeyValue("point", "bank.tracing").addKeyValue("endpoint", endpoint)
                .log("exporting traces over OTLP");
        return new BankObservability(registry, sdk);
    }

    /**
     * The SDK logs through java.util.logging, whose default handler writes to the terminal; the bank's logs go to its
     * log file (README), so the SDK's records (an unreachable collector, say) are forwarded to SLF4J instead.
     */
    private static void routeSdkLogs() {
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.opentelemetry");
        jul.setUseParentHandlers(false);
        for (java.util.logging.Handler h : jul.getHandlers()) if (h instanceof ToSlf4j) return;
        jul.addHandler(new ToSlf4j());
    }

    /** Forwards java.util.logging records of the OpenTelemetry SDK to SLF4J, keeping their level and cause. */
    private static final class ToSlf4j extends java.util.logging.Handler {
        @Override
        public void publish(java.util.logging.LogRecord r) {
            Logger log = LoggerFactory.getLogger(r.getLoggerName() == null ? "io.opentelemetry" : r.getLoggerName());
            String message = new java.util.logging.SimpleFormatter().formatMessage(r);
            int level = r.getLevel().intValue();
            if (level >= java.util.logging.Level.SEVERE.intValue()) log.error(message, r.getThrown());
            else if (level >= java.util.logging.Level.WARNING.intValue()) log.warn(message, r.getThrown());
            else if (level >= java.util.logging.Level.INFO.intValue()) log.info(message, r.getThrown());
            else log.debug(message, r.getThrown());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** The hooks to give the application's builder. */
    public Telemetry telemetry() {
        return JangleObservability.of(registry, sdk).withPercentiles(); // the bank shows command percentiles in its scrape
    }

    void attach(Jangle jangle) {
        this.jangle = jangle;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The OpenTelemetry in use; {@link OpenTelemetry#noop()} when traces are not exported. */
    public OpenTelemetry openTelemetry() {
        return sdk != null ? sdk : OpenTelemetry.noop();
    }

    public boolean tracing() {
        return sdk != null;
    }

    /** The Prometheus text exposition of every meter (content type {@code text/plain; version=0.0.4}). */
    public String scrape() {
        return registry.scrape();
    }

    /** This process's health as a server (dispatch and daemons must run; lag up to 60 s). */
    public Health health() {
        Jangle j = jangle;
        if (j == null) throw new IllegalStateException("no application is attached yet");
        return j.operations().health(Health.Policy.server());
    }

    /**
     * Each processor's checkpoint and lag (D17), which the library's health does not judge: shown beside it by
     * {@code /health} and {@code jangle-bank health}. Read from the store.
     */
    public java.util.List<ProcessorReport.Row> processors() {
        Jangle j = jangle;
        if (j == null) throw new IllegalStateException("no application is attached yet");
        return ProcessorReport.read(j.operations());
    }

    /**
     * One line per processor for the text health report ({@code INFO}: listed, not judged; the library's
     * {@code lag:<processor>} checks judge): lowest checkpoint, furthest-behind lag in events and seconds.
     */
    public static java.util.List<String> describe(java.util.List<ProcessorReport.Row> processors) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (ProcessorReport.Row r : processors) {
            lines.add(String.format(Locale.ROOT, "  %-8s %-32s checkpoint %d, %d events / %.1f s behind%s", "INFO",
                    "processor:" + r.processor(), r.position(), r.lagEvents(), r.lagTime().toMillis() / 1000.0,
                    r.pending() + r.dead() > 0 ? ", " + r.pending() + " parked, " + r.dead() + " dead" : ""));
        }
        return lines;
    }

    /** The report as text: the status, then one line per check ({@code jangle-bank health}, a {@code /health} body). */
    public static java.util.List<String> describe(Health health) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        lines.add("Health: " + health.status() + (health.ready() ? " (ready)" : " (not ready)"));
        for (Health.Check c : health.checks()) {
            lines.add(String.format(Locale.ROOT, "  %-8s %-32s %s", c.status(), c.name(), c.detail()));
        }
        return lines;
    }

    /** Flushes and stops the trace exporter, if any. */
    @Override
    public void close() {
        if (sdk != null) sdk.close();
        registry.close();
    }
}
