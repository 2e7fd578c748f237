package jangle.spring;

import jangle.ConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a start-up stopped by Jangle's configuration check into Boot's short "APPLICATION FAILED TO START" report:
 * the list of problems and what to do, instead of a stack trace through bean creation.
 */
public final class JangleFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Register the missing parts as JangleRegistration or Projection beans or in a JangleCustomizer, and "
                        + "check the jangle.* properties (jangle.store, jangle.sqlite.path) and spring.datasource.*.",
                cause);
    }
}
