package jangle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Base class of sagas: an aggregate turned around (§9). It receives routed events, records what it needs through
 * {@link ReconstituteSagaState} methods, and runs steps in {@link EventReceiver} methods that send commands with
 * {@link #dispatchCommand}. Its history is kept in the saga store; the saga engine loads, evaluates and commits it
 * with optimistic concurrency (SG4). Instances are used by one evaluation at a time.
 */
public abstract class Saga {
    private final String sagaId;
    private final Set<String> flags = new LinkedHashSet<>();
    private Instant retryAt;
    private Instant timeoutAt;
    private boolean complete;
    private boolean timedOut;
    private boolean dirty;
    private SagaRuntime runtime;

    /**
     * What the saga engine supplies to a saga while it is evaluated: the clock, type names, and the command path.
     * Package-private: only the engine in this package implements it.
     */
    interface SagaRuntime {
        Clock clock();

        String typeName(Class<? extends Event> type);

        CommandResponse send(Command command);

        /** Records a saga-internal event: applies it through its reconstitutor and queues it for the commit. */
        void record(Event event);
    }

    protected Saga(String sagaId) {
        this.sagaId = Objects.requireNonNull(sagaId, "sagaId");
    }

    public final String sagaId() {
        return sagaId;
    }

    /** The type names of the events this saga has seen (unmodifiable view). */
    public final Set<String> flags() {
        return Collections.unmodifiableSet(flags);
    }

    public final boolean hasFlag(Class<? extends Event> type) {
        return flags.contains(runtime().typeName(type));
    }

    public final boolean isComplete() {
        return complete;
    }

    public final boolean isTimedOut() {
        return timedOut;
    }

    public final Instant retryAt() {
        return retryAt;
    }

    public final Instant timeoutAt() {
        return timeoutAt;
    }

    /**
     * Sends a step's command unless the step already ran (the type of {@code onSuccess} or {@code onFailure} is in the
     * flags). Accepted: records {@code onSuccess}. Rejected: records {@code onFailure}, or, when it is null, throws
     * {@link SagaStepRejectedException} so the step is retried.
     */
    protected final void dispatchCommand(Command command, Event onSuccess, Event onFailure) {
        Objects.requireNonNull(onSuccess, "onSuccess");
        dispatch(command, onSuccess, onFailure == null ? null : onFailure.getClass(),
                onFailure == null ? null : reason -> onFailure);
    }

    /** Like {@link #dispatchCommand(Command, Event, Event)}, with a failure event built from the rejection reason. */
    protected final <F extends Event> void dispatchCommand(Command command, Event onSuccess, Class<F> onFailureType,
                                                           Function<String, F> onFailure) {
        Objects.requireNonNull(onSuccess, "onSuccess");
        Objects.requireNonNull(onFailureType, "onFailureType");
        Objects.requireNonNull(onFailure, "onFailure");
        dispatch(command, onSuccess, onFailureType, onFailure);
    }

    /** A step whose rejection is retried, never recorded (for example a compensation that must succeed, W1). */
    protected final void dispatchCommand(Command command, Event onSuccess) {
        Objects.requireNonNull(onSuccess, "onSuccess");
        dispatch(command, onSuccess, null, null);
    }

    private void dispatch(Command command, Event onSuccess, Class<? extends Event> failureType,
                          Function<String, ? extends Event> onFailure) {
        SagaRuntime rt = runtime();
        if (flags.contains(rt.typeName(onSuccess.getClass()))) return;
        if (failureType != null && flags.contains(rt.typeName(failureType))) return;
        CommandResponse response = rt.send(command);
        switch (response) {
            case CommandResponse.Accepted accepted -> rt.record(onSuccess);
            case CommandResponse.Rejected rejected when onFailure != null ->
                    rt.record(onFailure.apply(rejected.reason()));
            case CommandResponse.Rejected rejected ->
                    throw new SagaStepRejectedException(sagaId, command.getClass().getSimpleName(), rejected.reason());
        }
    }

    protected final void setComplete() {
        if (!complete) {
            complete = true;
            dirty = true;
        }
    }

    protected final void setTimeoutAt(Instant at) {
        if (!Objects.equals(timeoutAt, at)) {
            timeoutAt = at;
            dirty = true;
        }
    }

    protected final void setRetryAt(Instant at) {
        if (!Objects.equals(retryAt, at)) {
            retryAt = at;
            dirty = true;
        }
    }

    protected final void setRetryAfter(Duration delay) {
        setRetryAt(now().plus(delay));
    }

    /** The application's injected clock, never the wall clock (SG10). */
    protected final Instant now() {
        return runtime().clock().instant();
    }

    /** While true, a passed timeout does not stop the saga (SG6). Default false. */
    protected boolean mustFinish() {
        return false;
    }

    private SagaRuntime runtime() {
        if (runtime == null) throw new IllegalStateException("saga " + sagaId + " is not being evaluated by Jangle");
        return runtime;
    }

    // ---- framework access (package-private: the saga engine in this package) ----

    final void frameworkAttach(SagaRuntime rt) {
        this.runtime = rt;
    }

    final Set<String> frameworkFlags() {
        return flags;
    }

    final boolean frameworkMustFinish() {
        return mustFinish();
    }

    final boolean frameworkDirty() {
        return dirty;
    }

    final void frameworkSetDirty(boolean d) {
        dirty = d;
    }

    /** Restores persisted fields without marking dirty (SG7). */
    final void frameworkRestore(Instant retry, Instant timeout, boolean isComplete, boolean isTimedOut) {
        retryAt = retry;
        timeoutAt = timeout;
        complete = isComplete;
        timedOut = isTimedOut;
    }

    final void frameworkSetTimedOut() {
        if (!timedOut) {
            timedOut = true;
            dirty = true;
        }
    }
}
