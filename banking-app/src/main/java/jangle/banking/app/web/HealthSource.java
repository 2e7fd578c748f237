package jangle.banking.app.web;

import java.util.Map;

/**
 * What {@code GET /health} reports. The server ships {@link StoreHealth} (store reachable, dispatch running, stuck
 * work); a richer report (for example the metrics module's) plugs in here without touching the routes.
 */
@FunctionalInterface
public interface HealthSource {
    /** One report. {@code healthy} false answers 503 so that a load balancer takes the node out. */
    Report check();

    /** A health report: the verdict and the facts behind it (JSON-serialisable values). */
    record Report(boolean healthy, Map<String, Object> details) {
        public Report {
            details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
        }
    }
}
