package jangle.spi;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The saga store SPI (SG8). Thread-safe; every implementation passes the same contract suite. */
public interface SagaStore {
    Optional<SagaState> get(String sagaId);

    /**
     * Atomically stores the saga's fields ({@code state.version()} must be {@code expectedVersion + 1}) and appends
     * {@code newEvents} to its history. Raises {@link jangle.VersionConflictException} (saga id, expected version + 1)
     * when another commit won; then nothing is written.
     */
    void commit(SagaState state, long expectedVersion, List<SagaEventEntry> newEvents);

    /** Not complete, not timed out, {@code wakeAt <= now}, earliest {@code wakeAt} first, at most {@code limit}. */
    List<String> dueIds(Instant now, int limit);

    /**
     * Claims up to {@code limit} due sagas ({@link #dueIds}) that no one holds, or whose claim ran out, for the next
     * {@code lease}, and returns their ids, earliest {@code wakeAt} first. While a claim holds, the saga is not
     * returned by {@code claimDue} again (it still counts in {@link #dueIds}, which reports what is due); a
     * {@link #commit} of the saga ends its claim. So the saga
     * daemons of several nodes sharing one store evaluate each due saga on one node at a time, and a crashed node's
     * sagas are due again when its lease runs out. Atomic across processes for stores that may be shared.
     */
    List<String> claimDue(Instant now, java.time.Duration lease, int limit);

    /**
     * For operators: open sagas (and finished ones when asked), at most {@code limit}. A saga whose stored history
     * cannot be read is left out (logged); its own deliveries and {@link #get} report the error.
     */
    List<SagaState> list(boolean includeFinished, int limit);

    /**
     * Active, due (at {@code now}) and overdue (due at or before {@code overdueAt}) sagas, for metrics and health.
     * The default lists every open saga; stores override it with one query.
     */
    default SagaBacklog backlog(Instant now, Instant overdueAt) {
        long active = 0;
        long due = 0;
        long overdue = 0;
        for (SagaState s : list(false, Integer.MAX_VALUE)) {
            if (s.complete() || s.timedOut()) continue;
            active++;
            if (s.wakeAt() != null && !s.wakeAt().isAfter(now)) due++;
            if (s.wakeAt() != null && !s.wakeAt().isAfter(overdueAt)) overdue++;
        }
        return new SagaBacklog(active, due, overdue);
    }
}
