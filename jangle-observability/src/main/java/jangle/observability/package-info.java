/**
 * Micrometer meters and OpenTelemetry spans for a Jangle application, attached through the core's
 * {@link jangle.Telemetry} hooks: the application hands in its registry and its OpenTelemetry, and nothing global is
 * used. The meter table and the span tree are in {@code docs/observability.md}.
 */
package jangle.observability;
