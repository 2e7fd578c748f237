package jangle.banking.app.web;

import jangle.EventRecord;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.cli.CommandFacts;
import io.javalin.http.sse.SseClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/stream}: Server-Sent Events of every committed bank event (account and transaction changes), in
 * feed order. Each event's SSE id is its feed position, so a client that reconnects with {@code Last-Event-ID} (the
 * browser's {@code EventSource} does it by itself) resumes right after the last event it saw and misses none; without
 * it the stream starts at the head. Each client reads the feed itself on a virtual thread (the feed is the durable
 * buffer, so a slow client holds back nobody). Events are SSE {@code message}s whose data names the event type.
 * Clients are bounded; beyond the bound the server answers 503.
 */
final class EventStream {
    private static final Logger LOG = LoggerFactory.getLogger("jangle.banking.web");
    private static final int PAGE = 200;
    private static final long IDLE_MILLIS = 200;
    private static final long PING_NANOS = 15_000_000_000L;

    private final BankingApplication app;
    private final CommandFacts facts;
    private final int maxClients;
    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean closed;

    EventStream(BankingApplication app, CommandFacts facts, int maxClients) {
        this.app = app;
        this.facts = facts;
        this.maxClients = maxClients;
    }

    /** Where a stream starts: after {@code Last-Event-ID} (or {@code ?lastEventId=}), else at the head. */
    long startAfter(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) return app.jangle().stores().events().lastPosition();
        try {
            long p = Long.parseLong(lastEventId.strip());
            if (p < 0) throw new NumberFormatException();
            return p;
        } catch (NumberFormatException e) {
            throw new ApiError(400, "Last-Event-ID must be a feed position (a whole number)", "Last-Event-ID");
        }
    }

    boolean admit() {
        if (closed || count.incrementAndGet() > maxClients) {
            count.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives back a place taken by {@link #admit()} for a stream that did not start. */
    void release() {
        count.decrementAndGet();
    }

    void serve(SseClient client, long after) {
        clients.add(client);
        client.keepAlive();
        client.onClose(() -> {
            if (clients.remove(client)) count.decrementAndGet();
        });
        client.sendComment("streaming after position " + after);
        Thread.ofVirtual().name("jangle-web-sse").start(() -> pump(client, after));
    }

    private void pump(SseClient client, long start) {
        long after = start;
        var store = app.jangle().stores().events();
        long lastSent = System.nanoTime();
        try {
            while (!closed && !client.terminated()) {
                List<EventRecord<?>> page = store.readFeed(after, PAGE);
                for (EventRecord<?> r : page) {
                    client.sendEvent("message", facts.json(view(r)), String.valueOf(r.position()));
                    after = r.position();
                }
                if (!page.isEmpty()) {
                    lastSent = System.nanoTime();
                } else {
                    if (System.nanoTime() - lastSent > PING_NANOS) { // finds clients that went away
                        client.sendComment("ping");
                        lastSent = System.nanoTime();
                    }
                    Thread.sleep(IDLE_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("point", "web.sse-failed").setCause(e).log("an event stream stopped");
        } finally {
            client.close();
        }
    }

    private static Map<String, Object> view(EventRecord<?> r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("position", r.position());
        m.put("type", r.type());
        m.put("aggregateId", r.aggregateId());
        m.put("version", r.version());
        m.put("createdAt", r.createdAt());
        m.put("event", r.event());
        return m;
    }

    /** Ends every stream (server stop); clients reconnect elsewhere with their Last-Event-ID. */
    void close() {
        closed = true;
        for (SseClient c : clients) c.close();
    }
}
