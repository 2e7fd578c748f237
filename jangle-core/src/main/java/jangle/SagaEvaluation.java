package jangle;

import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One evaluation of one saga instance: the saga rebuilt from its stored history (or new), the events it records, and
 * the {@link Saga.SagaRuntime} it runs against. Used by one thread, once; a conflict on commit throws it away (SG4).
 */
final class SagaEvaluation implements Saga.SagaRuntime {
    private final SagaEngine engine;
    private final SagaBinding binding;
    private final Saga saga;
    private final long version;
    private final List<SagaEventEntry> history;
    private final Set<UUID> historyIds;
    private final List<SagaEventEntry> pending = new ArrayList<>();
    private final EventRecord<?> trigger;
    private boolean metadataResolved;
    private UUID correlationId;
    private UUID causationId;
    private Map<String, String> entries = Map.of();
    private Metadata sourceMetadata;

    private SagaEvaluation(SagaEngine engine, SagaBinding binding, Saga saga, long version,
                           List<SagaEventEntry> history, EventRecord<?> trigger) {
        this.engine = engine;
        this.binding = binding;
        this.saga = saga;
        this.version = version;
        this.history = history;
        this.historyIds = SagaEngine.idsOf(history);
        this.trigger = trigger;
        saga.frameworkAttach(this);
    }

    /** A new saga for a routed event (SG11). */
    static SagaEvaluation create(SagaEngine engine, SagaBinding binding, String sagaId, EventRecord<?> trigger) {
        Saga saga = binding.create(sagaId);
        SagaEvaluation run = new SagaEvaluation(engine, binding, saga, 0, List.of(), trigger);
        saga.frameworkSetDirty(false);
        if (SagaEngine.LOG.isDebugEnabled()) {
            SagaEngine.LOG.atDebug().addKeyValue("point", "saga.created").addKeyValue("sagaId", sagaId)
                    .addKeyValue("sagaType", binding.typeName()).log("saga created");
        }
        return run;
    }

    /** SG7: replays the history through the reconstitutors (flags included) and restores the stored fields exactly. */
    static SagaEvaluation load(SagaEngine engine, SagaBinding binding, SagaState state, EventRecord<?> trigger) {
        Saga saga = binding.create(state.sagaId());
        SagaEvaluation run = new SagaEvaluation(engine, binding, saga, state.version(), state.events(), trigger);
        for (SagaEventEntry e : state.events()) {
            SagaBinding.Reconstitutor r = binding.reconstitutor(e.event().getClass());
            if (r == null) {
                throw new MissingHandlerException(MissingHandlerException.Kind.SAGA_RECONSTITUTOR, e.type(),
                        "saga " + binding.type().getName() + " has no @ReconstituteSagaState method for '" + e.type()
                                + "' in the history of saga '" + state.sagaId() + "'");
            }
            run.apply(r, e.event());
        }
        saga.frameworkRestore(state.retryAt(), state.timeoutAt(), state.complete(), state.timedOut());
        saga.frameworkSetDirty(false);
        if (SagaEngine.LOG.isTraceEnabled()) {
            SagaEngine.LOG.atTrace().addKeyValue("point", "saga.loaded").addKeyValue("sagaId", state.sagaId())
                    .addKeyValue("version", state.version()).log("saga loaded");
        }
        return run;
    }

    long version() {
        return version;
    }

    private void apply(SagaBinding.Reconstitutor r, Event event) {
        if (r.addToFlags()) saga.frameworkFlags().add(r.typeName()); // the flag first (§9)
        try {
            r.invoker().call(saga, event);
        } catch (RuntimeException | Error e) {
            throw new JangleException("saga reconstitutor " + r.methodName() + " failed on "
                    + r.typeName() + " for saga '" + saga.sagaId() + "': " + e.getMessage(), e);
        }
    }

    /** Steps 1–8 of §9. Throws VersionConflictException when another commit won (the engine reloads). */
    void evaluate(EventRecord<?> record) {
        String sagaId = saga.sagaId();
        // 1. finished sagas do nothing (SG5)
        if (saga.isComplete() || saga.isTimedOut()) {
            if (SagaEngine.LOG.isDebugEnabled()) {
                SagaEngine.LOG.atDebug().addKeyValue("point", "saga.no-change").addKeyValue("sagaId", sagaId)
                        .log("saga already finished");
            }
            return;
        }
        // 2. a redelivered event changes nothing and is no conflict (SG2)
        if (record != null && historyIds.contains(record.eventId())) {
            if (SagaEngine.LOG.isDebugEnabled()) {
                SagaEngine.LOG.atDebug().addKeyValue("point", "saga.duplicate-event").addKeyValue("sagaId", sagaId)
                        .addKeyValue("eventId", record.eventId()).log("event already in the saga's history");
            }
            return;
        }
        resolveMetadata();
        String previousMdc = SagaEngine.mdc(correlationId);
        try {
            Instant now = engine.clock().instant();
            SagaBinding.Receiver receiver = null;
            if (record != null) {
                // 4 (first half). Record the new event (flag, reconstitutor) before deciding on the timeout, so the
                // decision sees everything the saga has been told: a routed event that arrives after the timeout may
                // be the very fact that makes the saga one that must finish (a crash lost the saga's commit after a
                // step had already acted; see docs/design.md). A timed-out saga keeps the event in its history.
                SagaBinding.Reconstitutor r = binding.reconstitutor(record.event().getClass());
                apply(r, record.event());
                pending.add(new SagaEventEntry(record.eventId(), r.typeName(), record.event(), now));
                saga.frameworkSetDirty(true);
                receiver = binding.receiverFor(record.event().getClass());
            }
            // 3. timeout, unless a started compensation must finish (SG6)
            if (saga.timeoutAt() != null && !now.isBefore(saga.timeoutAt())) {
                if (!saga.frameworkMustFinish()) {
                    saga.frameworkSetTimedOut();
                    commit();
                    engine.finished(sagaId);
                    SagaEngine.LOG.atInfo().addKeyValue("point", "saga.timed-out").addKeyValue("sagaId", sagaId)
                            .addKeyValue("timeoutAt", saga.timeoutAt()).log("saga timed out");
                    return;
                }
                if (engine.firstDeferral(sagaId)) {
                    SagaEngine.LOG.atInfo().addKeyValue("point", "saga.timeout-deferred").addKeyValue("sagaId",
                            sagaId).addKeyValue("timeoutAt", saga.timeoutAt())
                            .log("timeout passed, but the saga must finish what it started; it keeps running");
                }
            }
            if (record != null) {
                // 4 (second half). Run the new event's receiver; a retryAt already set is kept
                if (receiver != null) runReceivers(List.of(receiver), now);
            } else {
                // 5. a retry: clear retryAt (saved below) and run every receiver in (order, name) (SG1)
                saga.setRetryAt(null);
                runReceivers(binding.receivers(), now);
            }
            // 8. commit if anything changed
            if (saga.frameworkDirty()) {
                commit();
                if (saga.isComplete()) {
                    engine.finished(sagaId);
                    SagaEngine.LOG.atInfo().addKeyValue("point", "saga.completed").addKeyValue("sagaId", sagaId)
                            .log("saga complete");
                }
            } else if (SagaEngine.LOG.isDebugEnabled()) {
                SagaEngine.LOG.atDebug().addKeyValue("point", "saga.no-change").addKeyValue("sagaId", sagaId)
                        .log("nothing to do");
            }
        } finally {
            SagaEngine.restoreMdc(previousMdc);
        }
    }

    private void runReceivers(List<SagaBinding.Receiver> receivers, Instant now) {
        for (SagaBinding.Receiver rc : receivers) {
            if (saga.isComplete() || saga.isTimedOut()) return;
            Set<String> flags = saga.frameworkFlags();
            boolean triggered = flags.contains(rc.triggerName());
            if (rc.requireTrigger() && !triggered) continue;
            boolean skipped = false;
            for (String s : rc.skipIfAny()) {
                if (flags.contains(s)) {
                    skipped = true;
                    break;
                }
            }
            if (skipped) continue;
            if (!flags.containsAll(rc.required())) {
                // 7. SG12: triggered, but a prerequisite has not arrived yet (out of order): try again later
                if (triggered) {
                    Instant at = scheduleRetry(rc, now);
                    if (SagaEngine.LOG.isDebugEnabled()) {
                        SagaEngine.LOG.atDebug().addKeyValue("point", "saga.prerequisite-missing")
                                .addKeyValue("sagaId", saga.sagaId()).addKeyValue("receiver", rc.methodName())
                                .addKeyValue("retryAt", at).log("receiver waits for a prerequisite; retry scheduled");
                    }
                }
                continue;
            }
            Telemetry.Activity step = engine.telemetry().sagaStep(binding.typeName(), saga.sagaId(), rc.methodName(),
                    stepSource());
            try {
                rc.invoker().call(saga);
            } catch (SagaStepRejectedException rejected) {
                step.outcome("rejected");
                Instant at = scheduleRetry(rc, now);
                SagaEngine.LOG.atInfo().addKeyValue("point", "saga.step-rejected").addKeyValue("sagaId", saga.sagaId())
                        .addKeyValue("receiver", rc.methodName()).addKeyValue("commandType", rejected.commandType())
                        .addKeyValue("reason", rejected.reason()).addKeyValue("retryAt", at)
                        .log("saga step rejected; retry scheduled");
                return;
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable t) {
                step.failed(t);
                // 6. SG3: any exception, even before a command was sent, schedules a retry and stops this run
                Instant at = scheduleRetry(rc, now);
                SagaEngine.LOG.atWarn().addKeyValue("point", "saga.receiver-failed").addKeyValue("sagaId",
                                saga.sagaId()).addKeyValue("receiver", rc.methodName()).addKeyValue("retryAt", at)
                        .setCause(t).log("saga receiver threw; retry scheduled");
                return;
            } finally {
                step.close();
            }
        }
    }

    /** The metadata a step continues from (its trace context): the routed event's, or on a retry the saga's latest. */
    private Metadata stepSource() {
        if (trigger != null) return trigger.metadata();
        if (engine.telemetry() == Telemetry.NONE) return null; // reading the source event costs a store read
        resolveMetadata();
        return sourceMetadata;
    }

    /** retryAt = the earlier of its current value and now + the receiver's interval (steps 6, 7). */
    private Instant scheduleRetry(SagaBinding.Receiver rc, Instant now) {
        Instant at = now.plus(SagaEngine.orDefault(rc.retryAfter(), engine.settings().sagaRetryInterval()));
        Instant next = SagaEngine.earlier(saga.retryAt(), at);
        saga.setRetryAt(next);
        return next;
    }

    /** Step 8 (SG4, SG7): wakeAt = min(retryAt, timeoutAt unless mustFinish); none once finished. */
    private void commit() {
        boolean finished = saga.isComplete() || saga.isTimedOut();
        Instant wakeAt = finished ? null
                : SagaEngine.earlier(saga.retryAt(), saga.frameworkMustFinish() ? null : saga.timeoutAt());
        SagaState state = new SagaState(saga.sagaId(), binding.typeName(), version + 1, saga.retryAt(),
                saga.timeoutAt(), saga.isComplete(), saga.isTimedOut(), wakeAt,
                SagaEngine.concat(history, pending));
        engine.store().commit(state, version, List.copyOf(pending));
        saga.frameworkSetDirty(false);
        if (SagaEngine.LOG.isDebugEnabled()) {
            SagaEngine.LOG.atDebug().addKeyValue("point", "saga.committed").addKeyValue("sagaId", saga.sagaId())
                    .addKeyValue("version", version + 1).addKeyValue("events", pending.size())
                    .addKeyValue("wakeAt", wakeAt).log("saga committed");
        }
    }

    /** E3 for saga commands: the routed event, or on a retry the saga's latest routed event (see SagaEngine). */
    private void resolveMetadata() {
        if (metadataResolved) return;
        metadataResolved = true;
        EventRecord<?> source = trigger;
        if (source == null) {
            for (int i = history.size() - 1; i >= 0 && source == null; i--) {
                SagaEventEntry e = history.get(i);
                if (binding.isRouted(e.event().getClass())) source = engine.readEvent(e.eventId()).orElse(null);
            }
        }
        if (source != null) {
            correlationId = source.metadata().correlationId();
            causationId = source.eventId();
            entries = source.metadata().entries();
            sourceMetadata = source.metadata();
        } else {
            correlationId = SagaEngine.derivedCorrelation(binding.typeName(), saga.sagaId());
        }
    }

    // ---- Saga.SagaRuntime ----

    @Override
    public Clock clock() {
        return engine.clock();
    }

    @Override
    public String typeName(Class<? extends Event> type) {
        return engine.types().byType(type).name();
    }

    @Override
    public CommandResponse send(Command command) {
        resolveMetadata();
        SendOptions options = SendOptions.NONE.withCorrelationId(correlationId).withMetadata(entries);
        CommandResponse response = engine.gateway().send(command, options, causationId, null);
        if (SagaEngine.LOG.isDebugEnabled()) {
            SagaEngine.LOG.atDebug().addKeyValue("point", "saga.step-dispatched").addKeyValue("sagaId", saga.sagaId())
                    .addKeyValue("commandType", command.getClass().getSimpleName())
                    .addKeyValue("accepted", response.isAccepted()).log("saga step dispatched");
        }
        return response;
    }

    @Override
    public void record(Event event) {
        SagaBinding.Reconstitutor r = binding.reconstitutor(event.getClass());
        if (r == null) {
            throw new MissingHandlerException(MissingHandlerException.Kind.SAGA_RECONSTITUTOR,
                    event.getClass().getName(), "saga " + binding.type().getName()
                    + " has no @ReconstituteSagaState method for " + event.getClass().getName());
        }
        apply(r, event);
        pending.add(new SagaEventEntry(engine.newId(), r.typeName(), event, engine.clock().instant()));
        saga.frameworkSetDirty(true);
        if (SagaEngine.LOG.isTraceEnabled()) {
            SagaEngine.LOG.atTrace().addKeyValue("point", "saga.event-applied").addKeyValue("sagaId", saga.sagaId())
                    .addKeyValue("eventType", r.typeName()).log("saga event recorded");
        }
    }
}
