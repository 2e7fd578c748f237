package jangle;

import jangle.spi.HandlerBacklog;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds a {@link Health} report from the stores and this process's dispatch (see {@link Operations#health}). */
final class HealthCheck {
    private HealthCheck() {
    }

    static Backlog backlog(Jangle app, DispatchRuntime dispatch, Settings settings, Instant now) {
        long feed = app.stores().events().lastPosition();
        List<HandlerBacklog> handlers = app.stores().events().ledger().backlog();
        var sagas = app.stores().sagas().backlog(now, now.minus(settings.sagaRetryInterval()));
        return new Backlog(now, feed, handlers, dispatch.processorStatus(now), sagas);
    }

    static Health report(Jangle app, DispatchRuntime dispatch, Settings settings, Instant now, Health.Policy policy) {
        List<Health.Check> checks = new ArrayList<>();
        if (policy.inProcess()) processChecks(dispatch, checks);
        Backlog backlog;
        try {
            backlog = backlog(app, dispatch, settings, now);
            checks.add(new Health.Check("store", Health.Probe.READINESS, Health.Status.UP,
                    "reachable; feed at position " + backlog.feedPosition()));
        } catch (RuntimeException e) {
            checks.add(new Health.Check("store", Health.Probe.READINESS, Health.Status.DOWN,
                    "unreachable: " + DispatchRuntime.describe(e)));
            return Health.of(now, checks);
        }
        Duration maxLag = policy.maxLag();
        java.util.Map<String, ProcessorStatus> worst = new java.util.TreeMap<>();
        for (ProcessorStatus p : backlog.processors()) {
            worst.merge(p.processor(), p, (x, y) -> x.lagTime().compareTo(y.lagTime()) >= 0 ? x : y);
        }
        for (ProcessorStatus p : worst.values()) {
            if (p.lagEvents() == 0) continue;
            boolean late = p.lagTime().compareTo(maxLag) > 0;
            checks.add(new Health.Check("lag:" + p.processor(), Health.Probe.READINESS,
                    late ? Health.Status.DOWN : Health.Status.UP, "segment " + p.segment() + " is "
                    + p.lagEvents() + " positions and " + p.lagTime().toSeconds() + " s behind the head"
                    + (late ? ", over the " + maxLag.toSeconds() + " s limit" : "")));
        }
        for (HandlerBacklog h : backlog.handlers()) {
            if (h.pending() > 0) {
                Duration age = backlog.lag(h);
                boolean old = age.compareTo(maxLag) > 0;
                checks.add(new Health.Check("parked:" + h.handler(), Health.Probe.READINESS,
                        old ? Health.Status.DEGRADED : Health.Status.UP, h.pending()
                        + " parked deliveries awaiting a retry, oldest committed " + age.toSeconds() + " s ago"));
            }
            if (h.dead() > 0) {
                checks.add(new Health.Check("dead-letters:" + h.handler(), Health.Probe.READINESS,
                        Health.Status.DEGRADED, h.dead() + " dead letter(s); see the operator commands to retry or skip"));
            }
        }
        var sagas = backlog.sagas();
        // overdue by the policy's limit, not the retry interval: a busy daemon is not a dead one
        long overdue = 0;
        try {
            overdue = app.stores().sagas().backlog(now, now.minus(maxLag)).overdue();
        } catch (RuntimeException e) {
            overdue = sagas.overdue();
        }
        checks.add(new Health.Check("sagas", Health.Probe.READINESS, overdue > 0 ? Health.Status.DOWN
                : Health.Status.UP, sagas.active() + " active, " + sagas.due() + " due, " + overdue
                + " due for more than " + maxLag.toSeconds() + " s"));
        return Health.of(now, checks);
    }

    private static void processChecks(DispatchRuntime dispatch, List<Health.Check> checks) {
        if (!dispatch.started()) {
            checks.add(new Health.Check("dispatch", Health.Probe.LIVENESS, Health.Status.DOWN,
                    dispatch.closed() ? "closed" : "not started"));
            return;
        }
        int dead = dispatch.deadWorkers();
        checks.add(new Health.Check("dispatch", Health.Probe.LIVENESS, dead == 0 ? Health.Status.UP
                : Health.Status.DOWN, dead == 0 ? "running" : dead + " dispatcher thread(s) died"));
        checks.add(daemon("event-daemon", dispatch.eventDaemon().running(), dispatch.eventDaemon().lastPass()));
        checks.add(daemon("saga-daemon", dispatch.sagaDaemon().running(), dispatch.sagaDaemon().lastPass()));
    }

    private static Health.Check daemon(String name, boolean running, Instant lastPass) {
        return new Health.Check(name, Health.Probe.LIVENESS, running ? Health.Status.UP : Health.Status.DOWN,
                (running ? "running" : "stopped") + (lastPass == null ? "" : "; last pass " + lastPass));
    }
}
