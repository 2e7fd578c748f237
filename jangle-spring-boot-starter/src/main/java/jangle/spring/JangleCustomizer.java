package jangle.spring;

import jangle.JangleBuilder;

/**
 * A bean that registers on the builder what the auto-configuration cannot infer from beans: the command, event and
 * query families, upcasters, settings, or a whole domain at once ({@code BankingDomain::register}). Every customizer
 * runs, in {@link org.springframework.core.Ordered} order, after the registrations found as beans and before
 * {@code build()}, which then checks the whole (CR2).
 */
@FunctionalInterface
public interface JangleCustomizer {
    void customize(JangleBuilder builder);
}
