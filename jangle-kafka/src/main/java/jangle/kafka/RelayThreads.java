package jangle.kafka;

import java.time.Duration;

/** Small helpers shared by the publisher and consumer threads. */
final class RelayThreads {
    /** The longest pause between retries. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private RelayThreads() {
    }

    /** The next pause: doubled, at most {@link #MAX_BACKOFF}. */
    static Duration doubled(Duration backoff) {
        Duration d = backoff.multipliedBy(2);
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    /** Waits for {@code t} to end, at most {@code timeout}; a null thread is already stopped. */
    static void join(Thread t, Duration timeout) {
        if (t == null) return;
        try {
            t.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
