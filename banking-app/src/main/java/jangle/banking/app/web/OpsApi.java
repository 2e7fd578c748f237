package jangle.banking.app.web;

import jangle.banking.BankEvent;
import jangle.banking.BankingDomain;
import jangle.banking.TransferMediator;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.cli.CommandFacts;
import jangle.banking.app.views.BankViews;
import jangle.spi.Delivery;
import jangle.spi.DeliveryStatus;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The operator API: processors with their lag, pending deliveries and dead letters with retry and skip (D12), sagas
 * (SG8), health and the metrics scrape. The JSON is the CLI's ({@code events pending --json}, {@code sagas --json}).
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

    /** Each handler's pending and dead counts and its lag: feed positions between its oldest pending and the head. */
    void processors(Context ctx) {
        var store = app.jangle().stores().events();
        long last = store.lastPosition();
        List<Delivery> pending = store.ledger().list(DeliveryStatus.PENDING, null, LIST_LIMIT);
        List<Delivery> dead = store.ledger().list(DeliveryStatus.DEAD, null, LIST_LIMIT);
        Set<String> names = new LinkedHashSet<>(List.of(BankViews.NAME, TransferMediator.NAME,
                BankingDomain.REQUEST_SAGA_HANDLER));
        pending.forEach(d -> names.add(d.handler()));
        dead.forEach(d -> names.add(d.handler()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String name : names) {
            List<Delivery> mine = pending.stream().filter(d -> d.handler().equals(name)).toList();
            long oldest = mine.stream().mapToLong(Delivery::position).min().orElse(0);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("handler", name);
            row.put("pending", mine.size());
            row.put("dead", dead.stream().filter(d -> d.handler().equals(name)).count());
            row.put("oldestPendingPosition", oldest == 0 ? null : oldest);
            row.put("lag", oldest == 0 ? 0 : last - oldest + 1);
            rows.add(row);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("lastPosition", last);
        doc.put("processors", rows);
        BankApi.json(ctx, 200, facts.json(doc));
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
