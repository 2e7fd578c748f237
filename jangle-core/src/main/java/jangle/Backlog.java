package jangle;

import jangle.spi.HandlerBacklog;
import jangle.spi.SagaBacklog;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Unfinished work of an application at one instant, read from its stores (so it covers every node sharing them):
 * the head of the global feed, each handler's pending and dead deliveries, and the sagas. Read by
 * {@link Operations#backlog()} for gauges and health.
 *
 * @param at           when it was read (the application's clock)
 * @param feedPosition the last committed position
 * @param handlers     handlers with parked (pending a retry) or dead deliveries, by name
 * @param processors   every stored processor segment with its checkpoint and lag (D17)
 * @param sagas        active, due and overdue sagas (overdue: due for longer than one saga retry interval)
 */
public record Backlog(Instant at, long feedPosition, List<HandlerBacklog> handlers, List<ProcessorStatus> processors,
                      SagaBacklog sagas) {
    public Backlog {
        handlers = List.copyOf(handlers);
        processors = List.copyOf(processors);
    }

    /** How long {@code h}'s oldest pending delivery has waited since its commit; zero when none is pending. */
    public Duration lag(HandlerBacklog h) {
        if (h.oldestPendingCommit() == null || h.pending() == 0) return Duration.ZERO;
        Duration d = Duration.between(h.oldestPendingCommit(), at);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** The backlog of one handler; one with nothing pending or dead when it has none. */
    public HandlerBacklog handler(String name) {
        for (HandlerBacklog h : handlers) if (h.handler().equals(name)) return h;
        return new HandlerBacklog(name, 0, 0, null, 0);
    }
}
