package jangle.banking.app.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed logins per client address: after {@code maxFailures} failures within {@code window}, further attempts from
 * that address are refused (429) until the oldest failure leaves the window. Both the login form and bad bearer
 * tokens count. Successful logins do not clear the count, so interleaving a known-good login does not reset the
 * budget of an attacker who holds one account.
 */
final class LoginLimiter {
    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int maxFailures;
    private final Duration window;

    LoginLimiter(Clock clock, int maxFailures, Duration window) {
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.window = window;
    }

    /** Seconds until this client may try again; 0 when it may try now. */
    long blockedFor(String client) {
        Deque<Instant> q = failures.get(client);
        if (q == null) return 0;
        synchronized (q) {
            Instant now = clock.instant();
            while (!q.isEmpty() && !q.peekFirst().plus(window).isAfter(now)) q.pollFirst();
            if (q.size() < maxFailures) return 0;
            return Math.max(1, Duration.between(now, q.peekFirst().plus(window)).toSeconds());
        }
    }

    void failed(String client) {
        if (failures.size() > 100_000) failures.clear(); // bounded memory under a flood of addresses
        Deque<Instant> q = failures.computeIfAbsent(client, c -> new ArrayDeque<>());
        synchronized (q) {
            q.addLast(clock.instant());
            while (q.size() > maxFailures) q.pollFirst();
        }
    }
}
