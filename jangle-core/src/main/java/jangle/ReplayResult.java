package jangle;

import java.time.Duration;

/** Totals of a replay (R3). */
public record ReplayResult(long events, long lastPosition, Duration elapsed) {
    public double eventsPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? events : events / s;
    }
}
