package jangle.banking.app.web;

import jangle.Health;
import jangle.banking.app.BankObservability;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /health} from the library's own report ({@link jangle.Operations#health}): store, dispatch, both daemons,
 * lag per handler, dead letters and overdue sagas. Healthy means ready; a degraded report (dead letters) is still
 * healthy, so a load balancer keeps a node that only needs an operator's look.
 */
public final class LibraryHealth implements HealthSource {
    private final BankObservability observability;

    public LibraryHealth(BankObservability observability) {
        this.observability = observability;
    }

    @Override
    public Report check() {
        Map<String, Object> details = new LinkedHashMap<>();
        Health health;
        try {
            health = observability.health();
        } catch (RuntimeException e) {
            details.put("status", "down");
            details.put("error", String.valueOf(e.getMessage()));
            return new Report(false, details);
        }
        details.put("status", health.status().toString().toLowerCase(java.util.Locale.ROOT));
        details.put("ready", health.ready());
        details.put("live", health.live());
        Map<String, Object> checks = new LinkedHashMap<>();
        for (Health.Check c : health.checks()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("status", c.status().toString().toLowerCase(java.util.Locale.ROOT));
            one.put("probe", c.probe().toString().toLowerCase(java.util.Locale.ROOT));
            one.put("detail", c.detail());
            checks.put(c.name(), one);
        }
        details.put("checks", checks);
        return new Report(health.ready(), details);
    }

    /** The registry's Prometheus scrape for {@code GET /metrics}. */
    public static MetricsSource metrics(BankObservability observability) {
        return new MetricsSource() {
            @Override
            public String contentType() {
                return "text/plain; version=0.0.4; charset=utf-8";
            }

            @Override
            public String scrape() {
                return observability.scrape();
            }
        };
    }
}
