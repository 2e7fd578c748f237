package jangle.banking.app.web;

import jangle.banking.app.BankingApplication;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The health the server can see by itself: the store answers a read (the feed's last position), dispatch and the
 * daemons are running, how far behind the furthest
 * processor segment is, and how much work is parked or dead. Healthy means the store answered and dispatch runs;
 * dead letters are reported, not judged (an operator decides about them).
 */
public final class StoreHealth implements HealthSource {
    private final BankingApplication app;
    private final BooleanSupplier dispatchRunning;

    public StoreHealth(BankingApplication app, BooleanSupplier dispatchRunning) {
        this.app = app;
        this.dispatchRunning = dispatchRunning;
    }

    @Override
    public Report check() {
        Map<String, Object> d = new LinkedHashMap<>();
        boolean storeUp;
        try {
            var store = app.jangle().stores().events();
            d.put("lastPosition", store.lastPosition());
            var ops = app.jangle().operations();
            // parked deliveries awaiting a retry, and dead letters (D3); bounded reads
            d.put("pendingDeliveries", ops.pending(null, 10_001).size());
            d.put("deadLetters", ops.deadLetters(null, 10_001).size());
            long behind = 0;
            for (jangle.ProcessorStatus s : ops.processors()) behind = Math.max(behind, s.lagEvents());
            d.put("processorLagEvents", behind); // the furthest-behind segment (D17)
            storeUp = true;
        } catch (RuntimeException e) {
            d.put("storeError", e.getMessage());
            storeUp = false;
        }
        boolean running = dispatchRunning.getAsBoolean();
        d.put("store", storeUp ? "up" : "down");
        d.put("dispatch", running ? "running" : "stopped");
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("status", storeUp && running ? "up" : "down");
        report.putAll(d);
        return new Report(storeUp && running, report);
    }
}
