package jangle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A health report of one application (see {@link Operations#health}): a list of checks and their worst status, as a
 * sealed family, so a caller's {@code switch} names every case. {@link Degraded} means "serving, but someone should
 * look" (dead letters); {@link Down} means "do not send traffic" (store unreachable, dispatch or a daemon not
 * running, a handler lagging past the threshold, sagas overdue).
 *
 * <p>Readiness is {@link #ready()} (not down); liveness is {@link #live()}: no {@link Probe#LIVENESS} check is down.
 * A liveness check concerns this process only (its threads), so an orchestrator restarting on it restarts the right
 * thing; store and lag checks are readiness checks because a restart does not cure them.
 */
public sealed interface Health permits Health.Up, Health.Degraded, Health.Down {
    /** When the report was made (the application's clock). */
    Instant at();

    List<Check> checks();

    /** Not down: the application can take traffic. */
    default boolean ready() {
        return !(this instanceof Down);
    }

    /** No liveness check is down. */
    default boolean live() {
        for (Check c : checks()) if (c.probe() == Probe.LIVENESS && c.status() == Status.DOWN) return false;
        return true;
    }

    default Status status() {
        return switch (this) {
            case Up u -> Status.UP;
            case Degraded d -> Status.DEGRADED;
            case Down d -> Status.DOWN;
        };
    }

    /** The report of these checks: its status is the worst of theirs. */
    static Health of(Instant at, List<Check> checks) {
        Status worst = Status.UP;
        for (Check c : checks) if (c.status().ordinal() > worst.ordinal()) worst = c.status();
        return switch (worst) {
            case UP -> new Up(at, checks);
            case DEGRADED -> new Degraded(at, checks);
            case DOWN -> new Down(at, checks);
        };
    }

    record Up(Instant at, List<Check> checks) implements Health {
        public Up {
            checks = List.copyOf(checks);
        }
    }

    record Degraded(Instant at, List<Check> checks) implements Health {
        public Degraded {
            checks = List.copyOf(checks);
        }
    }

    record Down(Instant at, List<Check> checks) implements Health {
        public Down {
            checks = List.copyOf(checks);
        }
    }

    /** Ordered from best to worst. */
    enum Status { UP, DEGRADED, DOWN }

    /** Which orchestrator probe a check belongs to. */
    enum Probe { LIVENESS, READINESS }

    /**
     * One check: a short stable {@code name} (for example {@code store}, {@code dispatch}, {@code lag:bank-views}),
     * its status, and a sentence with the facts.
     */
    record Check(String name, Probe probe, Status status, String detail) {
        public Check {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(probe, "probe");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * What counts as healthy. {@code maxLag}: the oldest pending delivery of a handler, or a due saga, may wait this
     * long before the application is down. {@code inProcess}: check this process's dispatcher and daemons too (a
     * server); false for a one-shot tool that only reads the shared stores, where a lagging handler or an overdue
     * saga is the sign that no node runs them.
     */
    record Policy(Duration maxLag, boolean inProcess) {
        public static final Duration DEFAULT_MAX_LAG = Duration.ofSeconds(60);

        public Policy {
            Objects.requireNonNull(maxLag, "maxLag");
            if (maxLag.isNegative() || maxLag.isZero()) {
                throw new IllegalArgumentException("maxLag must be positive, not " + maxLag);
            }
        }

        /** A server's view: 60 s of lag, and this process's dispatcher and daemons must be running. */
        public static Policy server() {
            return new Policy(DEFAULT_MAX_LAG, true);
        }
    }
}
