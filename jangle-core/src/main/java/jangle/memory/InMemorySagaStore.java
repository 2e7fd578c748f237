package jangle.memory;

import jangle.VersionConflictException;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import jangle.spi.SagaStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The in-memory saga store (SG7, SG8). A commit is optimistic: it succeeds only when the held version equals
 * {@code expectedVersion} (0 for a new saga) and the new state's version is one more; otherwise it raises
 * {@link VersionConflictException}(sagaId, expectedVersion + 1) and writes nothing (SG4). The stored history is the
 * held history followed by {@code newEvents}; {@code state.events()} is ignored on commit. Due sagas are kept in an
 * index ordered by {@code wakeAt} (compared as instants), so {@link #dueIds} reads only due entries and honours its
 * limit (§19 bugs 20, 23). Thread-safe.
 */
public final class InMemorySagaStore implements SagaStore {
    private final Object lock = new Object();
    private final Map<String, SagaState> sagas = new HashMap<>();
    private final TreeSet<WakeKey> wakeIndex = new TreeSet<>();
    /** Claims of the saga daemon: saga id → end of the lease; a commit ends the claim. */
    private final Map<String, Instant> claimedUntil = new HashMap<>();

    private record WakeKey(Instant wakeAt, String sagaId) implements Comparable<WakeKey> {
        @Override
        public int compareTo(WakeKey o) {
            int c = wakeAt.compareTo(o.wakeAt);
            return c != 0 ? c : sagaId.compareTo(o.sagaId);
        }
    }

    private static WakeKey wakeKey(SagaState s) {
        return s.complete() || s.timedOut() || s.wakeAt() == null ? null : new WakeKey(s.wakeAt(), s.sagaId());
    }

    @Override
    public Optional<SagaState> get(String sagaId) {
        synchronized (lock) {
            return Optional.ofNullable(sagas.get(sagaId));
        }
    }

    @Override
    public void commit(SagaState state, long expectedVersion, List<SagaEventEntry> newEvents) {
        synchronized (lock) {
            SagaState held = sagas.get(state.sagaId());
            long heldVersion = held == null ? 0 : held.version();
            if (heldVersion != expectedVersion || state.version() != expectedVersion + 1) {
                throw new VersionConflictException(state.sagaId(), expectedVersion + 1);
            }
            List<SagaEventEntry> history = new ArrayList<>(held == null ? List.of() : held.events());
            history.addAll(newEvents);
            SagaState stored = new SagaState(state.sagaId(), state.sagaType(), state.version(), state.retryAt(),
                    state.timeoutAt(), state.complete(), state.timedOut(), state.wakeAt(), history);
            if (held != null) {
                WakeKey old = wakeKey(held);
                if (old != null) wakeIndex.remove(old);
            }
            sagas.put(stored.sagaId(), stored);
            claimedUntil.remove(stored.sagaId());
            WakeKey key = wakeKey(stored);
            if (key != null) wakeIndex.add(key);
        }
    }

    @Override
    public List<String> dueIds(Instant now, int limit) {
        List<String> out = new ArrayList<>();
        synchronized (lock) {
            for (WakeKey k : wakeIndex) {
                if (out.size() >= limit || k.wakeAt().isAfter(now)) break;
                out.add(k.sagaId());
            }
        }
        return out;
    }

    @Override
    public List<String> claimDue(Instant now, java.time.Duration lease, int limit) {
        synchronized (lock) {
            List<String> out = new ArrayList<>();
            Instant until = now.plus(lease);
            for (WakeKey k : wakeIndex) {
                if (out.size() >= limit || k.wakeAt().isAfter(now)) break;
                if (!held(k.sagaId(), now)) out.add(k.sagaId());
            }
            for (String id : out) claimedUntil.put(id, until);
            return out;
        }
    }

    private boolean held(String sagaId, Instant now) {
        Instant until = claimedUntil.get(sagaId);
        return until != null && until.isAfter(now);
    }

    @Override
    public List<SagaState> list(boolean includeFinished, int limit) {
        List<SagaState> out = new ArrayList<>();
        synchronized (lock) {
            for (SagaState s : sagas.values()) {
                if (includeFinished || !(s.complete() || s.timedOut())) out.add(s);
            }
        }
        out.sort(Comparator.comparing(SagaState::sagaId));
        return out.size() > limit ? List.copyOf(out.subList(0, Math.max(0, limit))) : out;
    }
}
