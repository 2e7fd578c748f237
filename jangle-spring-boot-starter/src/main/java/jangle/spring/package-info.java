/**
 * Spring Boot 4 auto-configuration of Jangle: builds one {@link jangle.Jangle} from the beans of the application
 * context and the {@code jangle.*} properties, ties its dispatch to the context's lifecycle, and reports its health and
 * telemetry to Actuator, Micrometer and OpenTelemetry when those are present.
 */
package jangle.spring;
