package jangle.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import jangle.Telemetry;
import jangle.observability.JangleObservability;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Meters and spans through {@code jangle-observability}, when it is on the classpath: the context's
 * {@link MeterRegistry} (Actuator's, or the application's) and its {@link OpenTelemetry}, each when present. The beans
 * are looked up when the {@code Jangle} is built, after every auto-configuration has declared its own, so the order of
 * auto-configurations does not decide whether Jangle is measured.
 */
@AutoConfiguration(before = JangleAutoConfiguration.class)
@ConditionalOnClass({JangleObservability.class, MeterRegistry.class, OpenTelemetry.class})
public class JangleObservabilityAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(Telemetry.class)
    public Telemetry jangleTelemetry(ObjectProvider<MeterRegistry> registry, ObjectProvider<OpenTelemetry> openTelemetry) {
        MeterRegistry meters = registry.getIfUnique();
        OpenTelemetry otel = openTelemetry.getIfUnique();
        if (meters != null && otel != null) return JangleObservability.of(meters, otel);
        if (meters != null) return JangleObservability.metrics(meters);
        if (otel != null) return JangleObservability.tracing(otel);
        return Telemetry.NONE;
    }
}
