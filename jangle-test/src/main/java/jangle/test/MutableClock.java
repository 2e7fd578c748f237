package jangle.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that tests set and move (SG10, §17 CR5). Jangle reads all time from its injected clock (A11, §2), so a
 * test that owns the clock owns time: saga timeouts, retry times, delivery ages and {@code createdAt} become exact
 * values instead of races with the wall clock.
 *
 * <p>Thread-safe: the instant is held in an atomic reference, so handlers and daemons running on other threads see
 * every move at once. Time never moves by itself. The zone is UTC; {@link #withZone} returns a view with another
 * zone that still reads (and moves with) this clock's instant.
 */
public final class MutableClock extends Clock {
    /** Where a clock made without an instant starts: a fixed, unremarkable UTC instant. */
    public static final Instant DEFAULT_START = Instant.parse("2026-03-01T10:00:00Z");

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    /** A clock at {@link #DEFAULT_START}. */
    public MutableClock() {
        this(DEFAULT_START);
    }

    public MutableClock(Instant start) {
        this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** A view in {@code zone} sharing this clock's instant: moving either moves both. */
    @Override
    public Clock withZone(ZoneId newZone) {
        return newZone.equals(zone) ? this : new MutableClock(now, newZone);
    }

    /** Sets the current instant (it may go backwards: tests of out-of-order time need that). */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    /** Moves the clock by {@code amount} (negative moves it back) and returns the new instant. */
    public Instant advance(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        return now.updateAndGet(t -> t.plus(amount));
    }

    @Override
    public String toString() {
        return "MutableClock[" + now.get() + ", " + zone + "]";
    }
}
