package jangle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** A tiny domain, a movable clock and helpers for the dispatch, daemon, saga, replay and consistency tests. */
final class DispatchFixtures {
    private DispatchFixtures() {
    }

    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    /** A clock the test moves by hand (SG10). */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        MutableClock() {
            this(T0);
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    // ---- domain: counters that can be added to and annotated ----

    sealed interface Cmd extends Command permits Add, Note {
    }

    /** Positive: one Added event. Zero: accepted, no event. Negative: rejected. */
    record Add(String id, int amount) implements Cmd {
        @Override
        public String aggregateId() {
            return id;
        }
    }

    record Note(String id, String text) implements Cmd {
        @Override
        public String aggregateId() {
            return id;
        }
    }

    sealed interface Evt extends Event permits Added, Noted {
    }

    record Added(int amount) implements Evt {
    }

    record Noted(String text) implements Evt {
    }

    static final class Counter extends Aggregate {
        private int total;

        Counter(String id) {
            super(id);
        }

        @ValidateCommand
        CommandResponse add(Add c) {
            if (c.amount() < 0) return CommandResponse.rejected("amount must not be negative");
            if (c.amount() > 0) post(new Added(c.amount()));
            return CommandResponse.accepted(total + c.amount());
        }

        @ValidateCommand
        void note(Note c) {
            post(new Noted(c.text()));
        }

        @ReconstituteState
        void on(Added e) {
            total += e.amount();
        }

        @ReconstituteState
        void on(Noted e) {
        }
    }

    /** A builder with the counter domain, the clock and daemons that never fire by themselves during a test. */
    static JangleBuilder builder(Clock clock) {
        return Jangle.builder().clock(clock).environment(Map.of())
                .commands(Cmd.class).events(Evt.class).aggregate(Counter.class, Counter::new)
                .failedEventsRetryInterval(Duration.ofHours(1)).sagaRetryInterval(Duration.ofHours(1))
                .failedEventsMaxAge(Duration.ofSeconds(30));
    }

    /** A handler that fails its first {@code failures} calls and records every event id it saw, in order. */
    static final class Recorder<E extends Event> implements EventHandler<E> {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger failuresLeft;
        final List<UUID> seen = Collections.synchronizedList(new ArrayList<>());
        final Map<UUID, AtomicInteger> perEvent = new ConcurrentHashMap<>();

        Recorder(int failures) {
            this.failuresLeft = new AtomicInteger(failures);
        }

        Recorder() {
            this(0);
        }

        @Override
        public void handle(EventRecord<E> record, HandlerContext context) {
            calls.incrementAndGet();
            perEvent.computeIfAbsent(record.eventId(), k -> new AtomicInteger()).incrementAndGet();
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("planned failure");
            }
            seen.add(record.eventId());
        }

        int callsFor(UUID eventId) {
            AtomicInteger n = perEvent.get(eventId);
            return n == null ? 0 : n.get();
        }
    }

    /** Waits (generously) for a condition that real threads will make true; fails the test if they never do. */
    static void eventually(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("never happened: " + what);
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what);
            }
        }
    }

    /** The event record of the aggregate's latest event. */
    static EventRecord<?> last(Jangle j, String aggregateId) {
        try (var s = j.stores().events().read(aggregateId, 0)) {
            List<EventRecord<?>> all = s.toList();
            return all.get(all.size() - 1);
        }
    }

    /** Captures the log records of one logger (at a chosen level) so tests can match on the {@code point} key (L3). */
    static final class LogCapture implements AutoCloseable {
        private final ch.qos.logback.classic.Logger logger;
        private final ch.qos.logback.classic.Level previous;
        private final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();

        LogCapture(String loggerName, ch.qos.logback.classic.Level level) {
            logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(loggerName);
            previous = logger.getLevel();
            logger.setLevel(level);
            appender.start();
            logger.addAppender(appender);
        }

        /** The {@code point} values logged so far, in order. */
        List<String> points() {
            List<String> out = new ArrayList<>();
            synchronized (appender.list) {
                for (var e : List.copyOf(appender.list)) {
                    if (e.getKeyValuePairs() == null) continue;
                    for (var kv : e.getKeyValuePairs()) {
                        if ("point".equals(kv.key)) out.add(String.valueOf(kv.value));
                    }
                }
            }
            return out;
        }

        /** The level of the first record with this point, or null. */
        ch.qos.logback.classic.Level levelOf(String point) {
            for (var e : List.copyOf(appender.list)) {
                if (e.getKeyValuePairs() == null) continue;
                for (var kv : e.getKeyValuePairs()) {
                    if ("point".equals(kv.key) && point.equals(kv.value)) return e.getLevel();
                }
            }
            return null;
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
            logger.setLevel(previous);
        }
    }
}
