package jangle.banking.app.web;

import jangle.Health;
import jangle.banking.app.BankObservability;
import jangle.banking.app.ProcessorReport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /health} from the library's own report ({@link jangle.Operations#health}): store, dispatch, both daemons,
 * parked deliveries per handler, dead letters and overdue sagas, with each processor's checkpoint and lag beside them. Healthy means ready; a degraded report (dead letters) is still
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
        try { // the processors' lag beside the checks (D17), not judged: a busy node is not a broken one
            List<Map<String, Object>> procs = new ArrayList<>();
            for (ProcessorReport.Row r : observability.processors()) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("processor", r.processor());
                one.put("position", r.position());
                one.put("lagEvents", r.lagEvents());
                one.put("lagSeconds", ProcessorReport.seconds(r.lagTime()));
                procs.add(one);
            }
            details.put("processors", procs);
        } catch (RuntimeException e) {
            details.put("processors", "unreadable: " + e.getMessage());
        }
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
