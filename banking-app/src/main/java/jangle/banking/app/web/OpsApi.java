package jangle.banking.app.web;

import jangle.banking.BankEvent;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.ProcessorReport;
import jangle.banking.app.cli.CommandFacts;
import jangle.spi.Delivery;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The operator API: processors with their checkpoints, holders and lag, and their reset (D12, D17); parked
 * deliveries (awaiting a retry) and dead letters with retry and skip; sagas (SG8), health and the metrics scrape. The
 * JSON is the CLI's ({@code events processors --json}, {@code events pending --json}, {@code sagas --json}).
 */
final class OpsApi {
    private static final int LIST_LIMIT = 10_000;
    private final BankingApplication app;
    private final CommandFacts facts;
    private final Http http;
    private final HealthSource health;
    private final MetricsSource metrics;

    OpsApi(BankingApplication app, CommandFacts facts, Http http, HealthSource health, MetricsSource metrics) {
        this.app = app;
        this.facts = facts;
        this.http = http;
        this.health = health;
        this.metrics = metrics;
    }

    record HandlerBody(String handler) {
    }

    record SkipBody(String handler, String reason) {
    }

    record ResetBody(Object position) {
    }

    /**
     * Every stored processor with its segments (checkpoint, holder, lag in events and seconds) and its parked and dead
     * counts (D12, D17); {@code lag} is the furthest-behind segment's lag in events. The CLI's
     * {@code events processors --json}.
     */
    void processors(Context ctx) {
        var ops = app.jangle().operations();
        long last = app.jangle().stores().events().lastPosition();
        BankApi.json(ctx, 200, facts.json(ProcessorReport.json(ProcessorReport.read(ops), last)));
    }

    /**
     * Moves every segment of a processor to {@code position} (body {@code {"position": N}}) so it handles the feed again
     * from there (D12): 404 for an unknown processor, 400 for a position that is not a whole number in the feed.
     */
    void resetProcessor(Context ctx) {
        String name = ctx.pathParam("processor");
        ResetBody b = http.json(ctx, http.body(ctx), ResetBody.class, false);
        Object p = b.position();
        if (!(p instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new ApiError(400, "position must be a whole number from 0 to the head of the feed", "position");
        }
        var ops = app.jangle().operations();
        long last = app.jangle().stores().events().lastPosition();
        try {
            int changed = ProcessorReport.reset(ops, name, Long.toString(n.longValue()), last);
            BankApi.json(ctx, 200, facts.json(Map.of("processor", name, "position", n.longValue(),
                    "segments", changed)));
        } catch (ProcessorReport.ResetRefused e) {
            if (e.unknownProcessor()) throw new ApiError(404, e.getMessage());
            throw new ApiError(400, e.getMessage().replace("POSITION", "position"), "position");
        }
    }

    void deliveries(Context ctx) {
        String status = ctx.queryParam("status");
        String handler = ctx.queryParam("handler");
        int limit = limit(ctx, 100);
        var ops = app.jangle().operations();
        List<Delivery> list = switch (status == null ? "pending" : status) {
            case "pending" -> ops.pending(handler, limit);
            case "dead" -> ops.deadLetters(handler, limit);
            default -> throw new ApiError(400, "status must be pending or dead, not '" + status + "'", "status");
        };
        BankApi.json(ctx, 200, facts.json(list));
    }

    void retry(Context ctx) {
        UUID id = eventId(ctx);
        HandlerBody b = http.json(ctx, http.body(ctx), HandlerBody.class, true);
        int n = app.jangle().operations().retry(id, blankToNull(b.handler()));
        if (n == 0) throw new ApiError(404, "No such delivery: " + id);
        BankApi.json(ctx, 200, facts.json(Map.of("retried", n)));
    }

    void retryAll(Context ctx) {
        HandlerBody b = http.json(ctx, http.body(ctx), HandlerBody.class, true);
        int n = app.jangle().operations().retryAll(blankToNull(b.handler()));
        BankApi.json(ctx, 200, facts.json(Map.of("retried", n)));
    }

    void skip(Context ctx) {
        UUID id = eventId(ctx);
        SkipBody b = http.json(ctx, http.body(ctx), SkipBody.class, false);
        if (b.handler() == null || b.handler().isBlank()) throw new ApiError(400, "handler is required", "handler");
        if (b.reason() == null || b.reason().isBlank()) throw new ApiError(400, "reason is required", "reason");
        if (b.reason().length() > 500) throw new ApiError(400, "reason must be at most 500 characters", "reason");
        if (!app.jangle().operations().skip(id, b.handler(), b.reason())) {
            throw new ApiError(404, "No such delivery: " + id);
        }
        BankApi.json(ctx, 200, facts.json(Map.of("skipped", true)));
    }

    void sagas(Context ctx) {
        boolean all = "true".equals(ctx.queryParam("all"));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SagaState s : app.jangle().operations().sagas(all, limit(ctx, 1000))) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("sagaId", s.sagaId());
            row.put("sagaType", s.sagaType());
            row.put("flags", flags(s));
            row.put("retryAt", s.retryAt());
            row.put("timeoutAt", s.timeoutAt());
            row.put("timedOut", s.timedOut());
            row.put("complete", s.complete());
            rows.add(row);
        }
        BankApi.json(ctx, 200, facts.json(rows));
    }

    void health(Context ctx) {
        HealthSource.Report r = health.check();
        BankApi.json(ctx, r.healthy() ? 200 : 503, facts.json(r.details()));
    }

    void metrics(Context ctx) {
        if (metrics == null) throw new ApiError(404, "no metrics are configured on this server");
        ctx.status(200).contentType(metrics.contentType()).result(metrics.scrape());
    }

    /** A saga's flags: the saga-internal events it recorded (as {@code jangle-bank sagas} shows them). */
    private static List<String> flags(SagaState s) {
        List<String> flags = new ArrayList<>();
        for (SagaEventEntry e : s.events()) {
            if (!(e.event() instanceof BankEvent) && !flags.contains(e.type())) flags.add(e.type());
        }
        return flags;
    }

    private static UUID eventId(Context ctx) {
        String text = ctx.pathParam("eventId");
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "eventId must be an event id (a UUID)", "eventId");
        }
    }

    private static int limit(Context ctx, int dflt) {
        String text = ctx.queryParam("limit");
        if (text == null) return dflt;
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= LIST_LIMIT) return n;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new ApiError(400, "limit must be a whole number from 1 to " + LIST_LIMIT, "limit");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
