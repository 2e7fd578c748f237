package jangle;

import jangle.spi.EventStore;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import jangle.spi.SagaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Loads, evaluates and commits sagas (§9). {@link #onEvent} is the body of each saga's reactor; {@link #retry} is
 * what the saga daemon runs for a due saga (SG9).
 *
 * <p>Every evaluation works on a fresh saga instance rebuilt from the store (SG7), follows steps 1–8 of §9, and
 * commits with the version it loaded (SG4). When another commit won, it reloads and evaluates again, bounded by
 * {@code commandMaxAttempts} with the command path's full-jitter back-off (H3); the redelivery check (SG2) makes the
 * repeat harmless. Exceptions in receivers never escape (SG3); store failures do, so the delivery is retried.
 *
 * <p><b>Correlation of saga commands (E3).</b> A step run for a routed event inherits that event's correlation id
 * and metadata entries and is caused by its event id. A step run by a retry (no event) uses the saga's most recent
 * routed event the same way, read back from the event store by its id (the saga history keeps routed events under
 * their own ids); if it cannot be read, a correlation id derived from the saga type and id is used, without a
 * causation. So a chain stays followable from the store alone, and nothing extra is stored with the saga.
 */
final class SagaEngine {
    static final Logger LOG = LoggerFactory.getLogger("jangle.saga");

    private final Map<String, SagaBinding> bindings;
    private final SagaStore store;
    private final EventStore events;
    private final TypeRegistry types;
    private final Settings settings;
    private final Clock clock;
    private final Supplier<UUID> ids;
    private final Supplier<CommandGateway> gateway;
    /** Set once by the builder before the application is published. */
    private Telemetry telemetry = Telemetry.NONE;
    /** Sagas whose deferred timeout was already logged (SG6: logged once); forgotten when they finish. */
    private final Set<String> deferredLogged = ConcurrentHashMap.newKeySet();

    SagaEngine(Map<String, SagaBinding> bindings, SagaStore store, EventStore events, TypeRegistry types,
               Settings settings, Clock clock, Supplier<UUID> ids, Supplier<CommandGateway> gateway) {
        this.bindings = bindings;
        this.store = store;
        this.events = events;
        this.types = types;
        this.settings = settings;
        this.clock = clock;
        this.ids = ids;
        this.gateway = gateway;
    }

    /** A routed event: evaluates the saga it routes to, creating it when new (SG11). */
    void onEvent(SagaBinding binding, EventRecord<?> record) {
        evaluate(binding, binding.sagaIdOf(record.event()), record);
    }

    /**
     * A due saga, evaluated with no event (SG9). A missing saga, or one of a type no longer registered, is logged and
     * ignored (SG11). Returns true when it was evaluated.
     */
    boolean retry(String sagaId) {
        Optional<SagaState> state = load(sagaId);
        if (state.isEmpty()) {
            LOG.atWarn().addKeyValue("point", "saga.missing").addKeyValue("sagaId", sagaId)
                    .log("retry for a saga that does not exist; ignored");
            return false;
        }
        SagaBinding binding = bindings.get(state.get().sagaType());
        if (binding == null) {
            LOG.atWarn().addKeyValue("point", "saga.missing").addKeyValue("sagaId", sagaId)
                    .addKeyValue("sagaType", state.get().sagaType())
                    .log("retry for a saga whose type is not registered; ignored");
            return false;
        }
        evaluate(binding, sagaId, null);
        return true;
    }

    /** The saga's stored state; an unreadable history is a {@link SerializationException} naming the saga (J7). */
    private Optional<SagaState> load(String sagaId) {
        try {
            return store.get(sagaId);
        } catch (SerializationException e) {
            throw new SerializationException("saga '" + sagaId + "' cannot be loaded: its stored history cannot be read",
                    e);
        }
    }

    private void evaluate(SagaBinding binding, String sagaId, EventRecord<?> record) {
        int maxAttempts = settings.commandMaxAttempts();
        long lastVersion = 0;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (attempt >= 2) backOff(attempt);
            Optional<SagaState> state = load(sagaId);
            if (state.isEmpty() && record == null) {
                LOG.atWarn().addKeyValue("point", "saga.missing").addKeyValue("sagaId", sagaId)
                        .log("retry for a saga that does not exist; ignored");
                return;
            }
            if (state.isPresent() && !state.get().sagaType().equals(binding.typeName())) {
                throw new IllegalStateException("saga id '" + sagaId + "' belongs to a saga of type '"
                        + state.get().sagaType() + "', not " + binding.typeName());
            }
            SagaEvaluation run = state.isPresent()
                    ? SagaEvaluation.load(this, binding, state.get(), record)
                    : SagaEvaluation.create(this, binding, sagaId, record);
            lastVersion = run.version();
            try {
                run.evaluate(record);
                return;
            } catch (jangle.VersionConflictException conflict) {
                LOG.atInfo().addKeyValue("point", "saga.conflict").addKeyValue("sagaId", sagaId)
                        .addKeyValue("version", conflict.version()).addKeyValue("attempt", attempt)
                        .log("another commit of this saga won; reloading and evaluating again");
            }
        }
        throw new RetriesExhaustedException(sagaId, lastVersion + 1, maxAttempts);
    }

    /** H3's full jitter, reused for saga conflicts. */
    private void backOff(int attempt) {
        long base = settings.commandBackoffBase().toNanos();
        long cap = settings.commandBackoffMax().toNanos();
        long bound = Math.min(cap, base << Math.min(30, attempt - 2));
        if (bound > 0) LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(bound + 1));
    }

    // ---- what evaluations need ----

    void observe(Telemetry t) {
        this.telemetry = t;
    }

    Telemetry telemetry() {
        return telemetry;
    }

    Clock clock() {
        return clock;
    }

    TypeRegistry types() {
        return types;
    }

    Settings settings() {
        return settings;
    }

    UUID newId() {
        return ids.get();
    }

    SagaStore store() {
        return store;
    }

    CommandGateway gateway() {
        CommandGateway g = gateway.get();
        if (g == null) throw new IllegalStateException("no command gateway is bound to the saga engine");
        return g;
    }

    /** The envelope of a routed event, for the metadata of retry steps; empty when it cannot be read. */
    Optional<EventRecord<?>> readEvent(UUID eventId) {
        try {
            return events.readEvent(eventId);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The correlation id of retry steps of a saga whose routed events cannot be read. */
    static UUID derivedCorrelation(String sagaType, String sagaId) {
        return UUID.nameUUIDFromBytes(("saga:" + sagaType + ":" + sagaId).getBytes(StandardCharsets.UTF_8));
    }

    /** SG6: true the first time a deferred timeout is seen for this saga. */
    boolean firstDeferral(String sagaId) {
        return deferredLogged.add(sagaId);
    }

    void finished(String sagaId) {
        deferredLogged.remove(sagaId);
    }

    /** Puts the correlation id in the MDC for a saga step and returns the previous value. */
    static String mdc(UUID correlationId) {
        String previous = MDC.get("correlationId");
        if (correlationId != null) MDC.put("correlationId", correlationId.toString());
        return previous;
    }

    static void restoreMdc(String previous) {
        if (previous == null) MDC.remove("correlationId");
        else MDC.put("correlationId", previous);
    }

    static Duration orDefault(Duration d, Duration dflt) {
        return d != null ? d : dflt;
    }

    static List<SagaEventEntry> concat(List<SagaEventEntry> a, List<SagaEventEntry> b) {
        List<SagaEventEntry> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }

    static Set<UUID> idsOf(List<SagaEventEntry> entries) {
        Set<UUID> out = new HashSet<>();
        for (SagaEventEntry e : entries) out.add(e.eventId());
        return out;
    }

    static Instant earlier(Instant a, Instant b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.isBefore(b) ? a : b;
    }
}
