package jangle.spring;

import jangle.Jangle;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Actuator's view of {@link jangle.Operations#health}: {@code DOWN} when Jangle reports down (store unreachable, dispatch or a
 * daemon stopped, a handler lagging past {@code jangle.health.max-lag}, sagas overdue), else {@code UP}. Jangle's
 * "degraded" (dead letters: serving, but someone should look) stays {@code UP} for the orchestrator, with
 * {@code jangle: DEGRADED} and the checks in the details, because Actuator has no status between serving and not.
 */
public final class JangleHealthIndicator implements HealthIndicator {
    private final Jangle jangle;
    private final jangle.Health.Policy policy;

    public JangleHealthIndicator(Jangle jangle, jangle.Health.Policy policy) {
        this.jangle = jangle;
        this.policy = policy;
    }

    @Override
    public Health health() {
        jangle.Health report = jangle.operations().health(policy);
        Health.Builder builder = report.ready() ? Health.up() : Health.down();
        builder.withDetail("jangle", report.status().name());
        for (jangle.Health.Check check : report.checks()) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("status", check.status().name());
            detail.put("probe", check.probe().name());
            if (check.detail() != null) detail.put("detail", check.detail());
            builder.withDetail(check.name(), detail);
        }
        return builder.build();
    }
}
