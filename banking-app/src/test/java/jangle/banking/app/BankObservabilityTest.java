package jangle.banking.app;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The bank's observability wiring: OTLP traces only when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/observability.md). */
class BankObservabilityTest {
    @Test
    @DisplayName("without OTEL_EXPORTER_OTLP_ENDPOINT there is no SDK and no span; the Prometheus registry is always there")
    void nothingWithoutTheEndpoint() {
        try (BankObservability o = BankObservability.fromEnvironment(Map.of("OTEL_SERVICE_NAME", "ignored"))) {
            assertThat(o.tracing()).isFalse();
            assertThat(o.openTelemetry()).isSameAs(OpenTelemetry.noop());
            assertThat(o.registry()).isNotNull();
        }
    }

    @Test
    @DisplayName("with OTEL_EXPORTER_OTLP_ENDPOINT the SDK is configured from the OTEL_* variables")
    void sdkFromTheEnvironment() {
        // loopback, nothing listening: spans would be dropped by the exporter; none are made here
        Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9",
                "OTEL_SERVICE_NAME", "bank-test", "OTEL_TRACES_SAMPLER", "always_off");
        try (BankObservability o = BankObservability.fromEnvironment(env)) {
            assertThat(o.tracing()).isTrue();
            assertThat(o.openTelemetry()).isInstanceOf(OpenTelemetrySdk.class);
            String provider = ((OpenTelemetrySdk) o.openTelemetry()).getSdkTracerProvider().toString();
            assertThat(provider).contains("service.name=\"bank-test\"").contains("AlwaysOffSampler");
            // the SDK's own log records (an unreachable collector) must not reach the terminal's default JUL handler
            java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.opentelemetry");
            assertThat(jul.getUseParentHandlers()).isFalse();
            assertThat(jul.getHandlers()).hasSize(1);
        }
    }
}
