package jangle.banking.app;

import jangle.Operations;
import jangle.ProcessorStatus;
import jangle.spi.Delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operator's view of the processors (D12, D17), shared by {@code jangle-bank events processors} and
 * {@code GET /api/ops/processors}: per processor its segments (checkpoint, holder, lag in events and seconds) with its
 * parked and dead deliveries; and the reset both surfaces offer, with errors that name the problem.
 */
public final class ProcessorReport {
    private static final int LIST_LIMIT = 10_000;

    private ProcessorReport() {
    }

    /** One processor: its segments in order and its parked (awaiting a retry) and dead deliveries (bounded counts). */
    public record Row(String processor, List<ProcessorStatus> segments, long pending, long dead) {
        /** The lowest checkpoint of its segments: every event at or below it is handled or parked. */
        public long position() {
            return segments.stream().mapToLong(ProcessorStatus::position).min().orElse(0);
        }

        /** The furthest-behind segment's lag in feed positions. */
        public long lagEvents() {
            return segments.stream().mapToLong(ProcessorStatus::lagEvents).max().orElse(0);
        }

        /** The furthest-behind segment's lag in time. */
        public Duration lagTime() {
            return segments.stream().map(ProcessorStatus::lagTime).max(Duration::compareTo).orElse(Duration.ZERO);
        }
    }

    /** Every stored processor, by name, with its parked and dead counts; processors with no rows are not listed. */
    public static List<Row> read(Operations ops) {
        Map<String, List<ProcessorStatus>> byName = new TreeMap<>();
        for (ProcessorStatus s : ops.processors()) byName.computeIfAbsent(s.processor(), k -> new ArrayList<>()).add(s);
        List<Delivery> pending = ops.pending(null, LIST_LIMIT);
        List<Delivery> dead = ops.deadLetters(null, LIST_LIMIT);
        List<Row> rows = new ArrayList<>();
        for (var e : byName.entrySet()) {
            List<ProcessorStatus> segs = e.getValue().stream()
                    .sorted(java.util.Comparator.comparingInt(ProcessorStatus::segment)).toList();
            rows.add(new Row(e.getKey(), segs, count(pending, e.getKey()), count(dead, e.getKey())));
        }
        return rows;
    }

    private static long count(List<Delivery> list, String handler) {
        return list.stream().filter(d -> d.handler().equals(handler)).count();
    }

    /** The JSON form of {@link #read}: {@code {lastPosition, processors:[{processor, handler, position, ...}]}}. */
    public static Map<String, Object> json(List<Row> rows, long lastPosition) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            List<Map<String, Object>> segs = new ArrayList<>();
            for (ProcessorStatus s : r.segments()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("segment", s.segment());
                m.put("segments", s.segments());
                m.put("position", s.position());
                m.put("owner", s.owner().orElse(null));
                m.put("leaseUntil", s.leaseUntil());
                m.put("lagEvents", s.lagEvents());
                m.put("lagSeconds", seconds(s.lagTime()));
                segs.add(m);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("processor", r.processor());
            m.put("handler", r.processor()); // the name the delivery verbs take (--handler)
            m.put("position", r.position());
            m.put("lagEvents", r.lagEvents());
            m.put("lagSeconds", seconds(r.lagTime()));
            m.put("lag", r.lagEvents());
            m.put("pending", r.pending());
            m.put("dead", r.dead());
            m.put("segments", segs);
            out.add(m);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("lastPosition", lastPosition);
        doc.put("processors", out);
        return doc;
    }

    /** A duration in seconds with millisecond precision. */
    public static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    /** A reset refused: {@code unknown} for a processor name that is not registered, else a bad position. */
    public static final class ResetRefused extends RuntimeException {
        private final boolean unknown;

        ResetRefused(String message, boolean unknown) {
            super(message);
            this.unknown = unknown;
        }

        public boolean unknownProcessor() {
            return unknown;
        }
    }

    /**
     * Parses {@code position} (a whole number from 0 to the head of the feed) and resets every segment of
     * {@code processor} to it (D12). Returns the segments changed.
     *
     * @throws ResetRefused naming the problem: an unknown processor (listing the known ones), a position that is not a
     *                      whole number, or one outside the feed
     */
    public static int reset(Operations ops, String processor, String position, long lastPosition) {
        List<String> known = names(ops);
        if (!known.contains(processor)) {
            throw new ResetRefused("unknown processor '" + processor + "'; " + (known.isEmpty()
                    ? "no processor has a checkpoint in this store yet (dispatch never ran on it)"
                    : "the processors are: " + String.join(", ", known)), true);
        }
        long at;
        try {
            at = Long.parseLong(position.strip());
        } catch (NumberFormatException e) {
            throw new ResetRefused("POSITION must be a whole number from 0 to the head of the feed (" + lastPosition
                    + "), not '" + position + "'", false);
        }
        if (at < 0 || at > lastPosition) {
            throw new ResetRefused("POSITION must be between 0 and the head of the feed (" + lastPosition + "), not "
                    + at, false);
        }
        try {
            return ops.resetProcessor(processor, at);
        } catch (IllegalArgumentException e) { // the head moved or the name is not registered here
            throw new ResetRefused(e.getMessage(), e.getMessage() != null && e.getMessage().startsWith("no processor"));
        }
    }

    /** The processors registered in this application (by their processor names), sorted. */
    public static List<String> names(Operations ops) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (ProcessorStatus s : ops.processors()) names.add(s.processor());
        return List.copyOf(names);
    }
}
